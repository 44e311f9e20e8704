/**
 * The GEO family: positions kept as sorted-set scores (see engine/values/geohash.ts).
 * GEOADD GEOPOS GEODIST GEOHASH here; the searches (GEOSEARCH, GEOSEARCHSTORE, GEORADIUS,
 * GEORADIUSBYMEMBER and the _RO forms) in geo-search.ts, their specs below.
 */
import { str } from '../../engine/values/collection.js';
import { decodeScore, distance, scoreText, standardGeohash } from '../../engine/values/geohash.js';
import { ZSetValue } from '../../engine/values/zset.js';
import { ErrorReply, Errors } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { propagateAs, propagating } from '../replication/rewrites.js';
import { NULL_ARRAY, type Reply } from '../reply.js';
import { type CommandSpec, command, type Handler, type KeySpec } from '../spec.js';
import { coordinateReply, distanceText, parseLongLat, parseUnit } from './geo-args.js';
import {
  GEOSEARCH,
  GEOSEARCHSTORE,
  georadiusGeneric,
  RADIUS_COORDS,
  RADIUS_MEMBER,
  RADIUS_NOSTORE,
} from './geo-search.js';
import { optIs } from './lookup.js';
import { lookupReadTyped } from './typed.js';
import { zsetCommands } from './zset.js';

/** GEOADD hands its scores to ZADD, as Redis's geoaddCommand does (same replies, same events). */
const zadd = zsetCommands.find((c) => c.name === 'zadd')?.handler as Handler;
const ZADD = Buffer.from('zadd');

/**
 * GEOADD key [NX|XX] [CH] lon lat member ...: options, then every position checked and turned
 * into its score before anything is added, then ZADD with the same options.
 */
function geoadd(ctx: CommandContext, argv: Buffer[]): Reply {
  let xx = false;
  let nx = false;
  let at = 2;
  for (; at < argv.length; at++) {
    const o = argv[at];
    if (optIs(o, 'nx')) nx = true;
    else if (optIs(o, 'xx')) xx = true;
    else if (!optIs(o, 'ch')) break; // CH is ZADD's to read
  }
  if ((argv.length - at) % 3 !== 0 || (xx && nx)) return Errors.syntax;
  const zargv: Buffer[] = [ZADD, ...argv.slice(1, at)];
  for (let j = at; j < argv.length; j += 3) {
    const xy = parseLongLat(argv[j], argv[j + 1]);
    if (xy instanceof ErrorReply) return xy;
    zargv.push(Buffer.from(scoreText(xy[0], xy[1]), 'latin1'), argv[j + 2]);
  }
  // Replicated as the ZADD it runs (Redis replaces the command vector).
  if (propagating(ctx)) propagateAs(ctx, zargv);
  return zadd(ctx, zargv) as Reply;
}

/** GEOPOS: [lon, lat] per member, a null array for a missing one. */
function geopos(ctx: CommandContext, argv: Buffer[]): Reply {
  const z = lookupReadTyped(ctx, argv[1], ZSetValue);
  if (z instanceof ErrorReply) return z;
  const out: Reply[] = [];
  for (let j = 2; j < argv.length; j++) {
    const score = z?.score(str(argv[j]));
    if (score === undefined) out.push(NULL_ARRAY);
    else {
      const [lon, lat] = decodeScore(score);
      out.push([coordinateReply(lon), coordinateReply(lat)]);
    }
  }
  return out;
}

/** GEODIST key m1 m2 [unit]: the unit is checked before the key is read. */
function geodist(ctx: CommandContext, argv: Buffer[]): Reply {
  let toMeters = 1;
  if (argv.length === 5) {
    const u = parseUnit(argv[4]);
    if (u instanceof ErrorReply) return u;
    toMeters = u;
  } else if (argv.length > 5) return Errors.syntax;
  const z = lookupReadTyped(ctx, argv[1], ZSetValue);
  if (z === null || z instanceof ErrorReply) return z;
  const s1 = z.score(str(argv[2]));
  const s2 = z.score(str(argv[3]));
  if (s1 === undefined || s2 === undefined) return null;
  const [lon1, lat1] = decodeScore(s1);
  const [lon2, lat2] = decodeScore(s2);
  return Buffer.from(distanceText(distance(lon1, lat1, lon2, lat2) / toMeters), 'latin1');
}

/** GEOHASH: the standard 11-character geohash per member, null for a missing one. */
function geohash(ctx: CommandContext, argv: Buffer[]): Reply {
  const z = lookupReadTyped(ctx, argv[1], ZSetValue);
  if (z instanceof ErrorReply) return z;
  const out: Reply[] = [];
  for (let j = 2; j < argv.length; j++) {
    const score = z?.score(str(argv[j]));
    if (score === undefined) out.push(null);
    else {
      const [lon, lat] = decodeScore(score);
      out.push(Buffer.from(standardGeohash(lon, lat), 'latin1'));
    }
  }
  return out;
}

const georadius = (ctx: CommandContext, argv: Buffer[]) => georadiusGeneric(ctx, argv, 1, RADIUS_COORDS);
const georadiusRo = (ctx: CommandContext, argv: Buffer[]) =>
  georadiusGeneric(ctx, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE);
const georadiusbymember = (ctx: CommandContext, argv: Buffer[]) =>
  georadiusGeneric(ctx, argv, 1, RADIUS_MEMBER);
const georadiusbymemberRo = (ctx: CommandContext, argv: Buffer[]) =>
  georadiusGeneric(ctx, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE);
const geosearch = (ctx: CommandContext, argv: Buffer[]) => georadiusGeneric(ctx, argv, 1, GEOSEARCH);
const geosearchstore = (ctx: CommandContext, argv: Buffer[]) =>
  georadiusGeneric(ctx, argv, 2, GEOSEARCH | GEOSEARCHSTORE);

const GEO = { group: 'geo' } as const;
const ONE_KEY = { firstKey: 1, lastKey: 1, step: 1 } as const;
const ONE: KeySpec['find'] = { range: { lastKey: 0, step: 1, limit: 0 } };
const UNIT = '<M | KM | FT | MI>';
const RADIUS_OPTIONS = `${UNIT} [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]`;
const STORE_OPTIONS = '[STORE key] [STOREDIST key]';
const SHAPE = `<FROMMEMBER member | FROMLONLAT longitude latitude> <BYRADIUS radius ${UNIT} | BYBOX width height ${UNIT}>`;
const RADIUS_COMPLEXITY =
  'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.';
const SEARCH_COMPLEXITY =
  'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape';

/** GEORADIUS / GEORADIUSBYMEMBER: the source, then a STORE or STOREDIST key after `from`. */
function radiusKeySpecs(from: number): KeySpec[] {
  return [
    { begin: { index: 1 }, find: ONE, flags: ['RO', 'access'] },
    { begin: { keyword: 'STORE', startFrom: from }, find: ONE, flags: ['OW', 'update'] },
    { begin: { keyword: 'STOREDIST', startFrom: from }, find: ONE, flags: ['OW', 'update'] },
  ];
}

export const geoCommands: readonly CommandSpec[] = [
  command({
    ...GEO,
    ...ONE_KEY,
    name: 'geoadd',
    arity: -5,
    flags: ['write', 'denyoom'],
    summary: 'Add one or more geospatial items in the geospatial index represented using a sorted set',
    since: '3.2.0',
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    syntax: 'key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]',
    handler: geoadd,
  }),
  command({
    ...GEO,
    ...ONE_KEY,
    name: 'geodist',
    arity: -4,
    flags: ['readonly'],
    summary: 'Returns the distance between two members of a geospatial index',
    since: '3.2.0',
    complexity: 'O(log(N))',
    syntax: 'key member1 member2 [M | KM | FT | MI]',
    handler: geodist,
  }),
  command({
    ...GEO,
    ...ONE_KEY,
    name: 'geohash',
    arity: -2,
    flags: ['readonly'],
    summary: 'Returns members of a geospatial index as standard geohash strings',
    since: '3.2.0',
    complexity: 'O(log(N)) for each member requested, where N is the number of elements in the sorted set.',
    syntax: 'key member [member ...]',
    handler: geohash,
  }),
  command({
    ...GEO,
    ...ONE_KEY,
    name: 'geopos',
    arity: -2,
    flags: ['readonly'],
    summary: 'Returns longitude and latitude of members of a geospatial index',
    since: '3.2.0',
    complexity: 'O(N) where N is the number of members requested.',
    syntax: 'key member [member ...]',
    handler: geopos,
  }),
  command({
    ...GEO,
    ...ONE_KEY,
    keySpecs: radiusKeySpecs(6),
    name: 'georadius',
    arity: -6,
    flags: ['write', 'denyoom'],
    summary:
      'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point',
    since: '3.2.0',
    complexity: RADIUS_COMPLEXITY,
    syntax: `key longitude latitude radius ${RADIUS_OPTIONS} ${STORE_OPTIONS}`,
    handler: georadius,
  }),
  command({
    ...GEO,
    ...ONE_KEY,
    name: 'georadius_ro',
    arity: -6,
    flags: ['readonly'],
    summary: 'A read-only variant for GEORADIUS',
    since: '3.2.10',
    complexity: RADIUS_COMPLEXITY,
    syntax: `key longitude latitude radius ${RADIUS_OPTIONS}`,
    handler: georadiusRo,
  }),
  command({
    ...GEO,
    ...ONE_KEY,
    keySpecs: radiusKeySpecs(5),
    name: 'georadiusbymember',
    arity: -5,
    flags: ['write', 'denyoom'],
    summary:
      'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member',
    since: '3.2.0',
    complexity: RADIUS_COMPLEXITY,
    syntax: `key member radius ${RADIUS_OPTIONS} ${STORE_OPTIONS}`,
    handler: georadiusbymember,
  }),
  command({
    ...GEO,
    ...ONE_KEY,
    name: 'georadiusbymember_ro',
    arity: -5,
    flags: ['readonly'],
    summary: 'A read-only variant for GEORADIUSBYMEMBER',
    since: '3.2.10',
    complexity: RADIUS_COMPLEXITY,
    syntax: `key member radius ${RADIUS_OPTIONS}`,
    handler: georadiusbymemberRo,
  }),
  command({
    ...GEO,
    ...ONE_KEY,
    name: 'geosearch',
    arity: -7,
    flags: ['readonly'],
    summary:
      'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.',
    since: '6.2.0',
    complexity: SEARCH_COMPLEXITY,
    syntax: `key ${SHAPE} [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]`,
    handler: geosearch,
  }),
  command({
    ...GEO,
    firstKey: 1,
    lastKey: 2,
    step: 1,
    keySpecs: [
      { begin: { index: 1 }, find: ONE, flags: ['OW', 'update'] },
      { begin: { index: 2 }, find: ONE, flags: ['RO', 'access'] },
    ],
    name: 'geosearchstore',
    arity: -8,
    flags: ['write', 'denyoom'],
    summary:
      'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.',
    since: '6.2.0',
    complexity: SEARCH_COMPLEXITY,
    syntax: `destination source ${SHAPE} [ASC | DESC] [COUNT count [ANY]] [STOREDIST]`,
    handler: geosearchstore,
  }),
];
