/**
 * GEOSEARCH, GEOSEARCHSTORE and the older GEORADIUS, GEORADIUSBYMEMBER and their _RO forms:
 * one generic function reproducing geo.c's georadiusGeneric (its option rules, its error
 * order, which boxes it reads and in what order, its sorting and its replies).
 */
import { bytes, str } from '../../engine/values/collection.js';
import { decodeScore, distanceIfInRadius, distanceIfInRectangle } from '../../engine/values/geohash.js';
import { type GeoShape, searchRanges } from '../../engine/values/geohash-area.js';
import { ZSetValue } from '../../engine/values/zset.js';
import { ScoreRange } from '../../engine/values/zset-ranges.js';
import { ErrorReply, Errors } from '../../errors.js';
import { pqsort } from '../../util/pqsort.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import {
  cannotDecode,
  coordinateReply,
  distanceText,
  parseBox,
  parseLongLat,
  parseRadius,
} from './geo-args.js';
import { cString, interrupted, optIs } from './lookup.js';
import { lookupReadTyped, storeResult } from './typed.js';

/** Which command (Redis's flags of the same names). */
export const RADIUS_COORDS = 1; // search around coordinates
export const RADIUS_MEMBER = 2; // search around a member
export const RADIUS_NOSTORE = 4; // STORE and STOREDIST refused (the _RO forms)
export const GEOSEARCH = 8; // GEOSEARCH's arguments
export const GEOSEARCHSTORE = 16; // and only STOREDIST, without a key

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

/** Members read between two cancellation/deadline checks. */
const CHECK_EVERY = 4096;

const countPositive = new ErrorReply('ERR', 'ERR COUNT must be > 0');
const anyNeedsCount = new ErrorReply('ERR', 'ERR the ANY argument requires COUNT argument');

/** A member found inside the shape (geo.h's geoPoint). */
interface GeoPoint {
  lon: number;
  lat: number;
  /** Meters from the centre (divided by the unit's meters before the reply). */
  dist: number;
  score: number;
  member: string;
}

/** Mutable shape while the options are read; frozen into a GeoShape once complete. */
interface ShapeDraft {
  type: 'circle' | 'box';
  lon: number;
  lat: number;
  conversion: number;
  radius: number;
  width: number;
  height: number;
}

/** geoWithinShape: the distance from the centre when the score's position is inside, else -1. */
function withinShape(s: GeoShape, score: number, xy: [number, number]): number {
  decodeScore(score, xy);
  if (s.type === 'circle') return distanceIfInRadius(s.lon, s.lat, xy[0], xy[1], s.radius * s.conversion);
  return distanceIfInRectangle(s.width * s.conversion, s.height * s.conversion, s.lon, s.lat, xy[0], xy[1]);
}

/**
 * membersOfAllNeighbors: each cell's score range in turn, every member inside the shape in
 * score order; with `limit` (COUNT ... ANY) it stops as soon as that many were found.
 */
function collect(ctx: CommandContext, z: ZSetValue, s: GeoShape, limit: number): GeoPoint[] | ErrorReply {
  const found: GeoPoint[] = [];
  const xy: [number, number] = [0, 0];
  let read = 0;
  for (const [min, max] of searchRanges(s)) {
    if (found.length > 0 && limit > 0 && found.length >= limit) break;
    const range = new ScoreRange(min, max, false, true);
    for (let x = z.firstInRange(range, false); x !== 0 && z.lteMax(range, x); x = z.next(x)) {
      const score = z.scoreAt(x);
      const d = withinShape(s, score, xy);
      if (d !== -1) found.push({ lon: xy[0], lat: xy[1], dist: d, score, member: z.memberAt(x) });
      if (found.length > 0 && limit > 0 && found.length >= limit) break;
      if (++read % CHECK_EVERY === 0) {
        const stop = interrupted(ctx);
        if (stop !== null) return stop;
      }
    }
  }
  return found;
}

function ascending(a: GeoPoint, b: GeoPoint): number {
  return a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1;
}

function descending(a: GeoPoint, b: GeoPoint): number {
  return -ascending(a, b);
}

/** WITHHASH: the score as a long long (C's truncating conversion; out of range: LLONG_MIN). */
function hashReply(score: number): number | bigint {
  if (!(Math.abs(score) < 2 ** 63)) return -(2n ** 63n);
  const t = Math.trunc(score);
  return Number.isSafeInteger(t) ? t : BigInt(t);
}

interface Options {
  withDist: boolean;
  withHash: boolean;
  withCoord: boolean;
  any: boolean;
  sort: number;
  count: number;
  storeKey: Buffer | null;
  storeDist: boolean;
  fromMember: boolean;
  fromLonLat: boolean;
  byRadius: boolean;
  byBox: boolean;
}

/**
 * The optional arguments from `base` on (georadiusGeneric's loop). Returns an error reply on
 * the first bad argument; a FROMMEMBER of a missing key is accepted unread, as in Redis.
 */
function parseOptions(
  argv: Buffer[],
  base: number,
  flags: number,
  z: ZSetValue | null,
  shape: ShapeDraft,
  o: Options,
): ErrorReply | null {
  const remaining = argv.length - base;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[base + i];
    const at = base + i;
    const search = (flags & GEOSEARCH) !== 0;
    const storable = (flags & RADIUS_NOSTORE) === 0 && !search;
    if (optIs(arg, 'withdist')) o.withDist = true;
    else if (optIs(arg, 'withhash')) o.withHash = true;
    else if (optIs(arg, 'withcoord')) o.withCoord = true;
    else if (optIs(arg, 'any')) o.any = true;
    else if (optIs(arg, 'asc')) o.sort = SORT_ASC;
    else if (optIs(arg, 'desc')) o.sort = SORT_DESC;
    else if (optIs(arg, 'count') && i + 1 < remaining) {
      const n = parseInt64(argv[at + 1]);
      if (n === null) return Errors.notInteger;
      if (n <= 0n) return countPositive;
      o.count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
      i++;
    } else if (optIs(arg, 'store') && i + 1 < remaining && storable) {
      o.storeKey = argv[at + 1];
      o.storeDist = false;
      i++;
    } else if (optIs(arg, 'storedist') && i + 1 < remaining && storable) {
      o.storeKey = argv[at + 1];
      o.storeDist = true;
      i++;
    } else if (optIs(arg, 'storedist') && search && (flags & GEOSEARCHSTORE) !== 0) {
      o.storeDist = true;
    } else if (optIs(arg, 'frommember') && i + 1 < remaining && search && !o.fromLonLat) {
      // No source key: carry on parsing, the reply is decided when done.
      if (z !== null) {
        const score = z.score(str(argv[at + 1]));
        if (score === undefined) return cannotDecode;
        [shape.lon, shape.lat] = decodeScore(score);
      }
      o.fromMember = true;
      i++;
    } else if (optIs(arg, 'fromlonlat') && i + 2 < remaining && search && !o.fromMember) {
      const xy = parseLongLat(argv[at + 1], argv[at + 2]);
      if (xy instanceof ErrorReply) return xy;
      [shape.lon, shape.lat] = xy;
      o.fromLonLat = true;
      i += 2;
    } else if (optIs(arg, 'byradius') && i + 2 < remaining && search && !o.byBox) {
      const r = parseRadius(argv[at + 1], argv[at + 2]);
      if (r instanceof ErrorReply) return r;
      [shape.radius, shape.conversion] = r;
      shape.type = 'circle';
      o.byRadius = true;
      i += 2;
    } else if (optIs(arg, 'bybox') && i + 3 < remaining && search && !o.byRadius) {
      const box = parseBox(argv[at + 1], argv[at + 2], argv[at + 3]);
      if (box instanceof ErrorReply) return box;
      [shape.width, shape.height, shape.conversion] = box;
      shape.type = 'box';
      o.byBox = true;
      i += 3;
    } else return Errors.syntax;
  }
  return null;
}

/**
 * georadiusGeneric. `srcAt` is the source key's index (2 for GEOSEARCHSTORE, else 1). The
 * source is looked up first (WRONGTYPE before anything else), then the centre and radius of
 * the GEORADIUS forms, then the options, then their combinations, then the search.
 */
export function georadiusGeneric(ctx: CommandContext, argv: Buffer[], srcAt: number, flags: number): Reply {
  const z = lookupReadTyped(ctx, argv[srcAt], ZSetValue);
  if (z instanceof ErrorReply) return z;
  const shape: ShapeDraft = { type: 'circle', lon: 0, lat: 0, conversion: 0, radius: 0, width: 0, height: 0 };
  const o: Options = {
    withDist: false,
    withHash: false,
    withCoord: false,
    any: false,
    sort: SORT_NONE,
    count: 0,
    storeKey: null,
    storeDist: false,
    fromMember: false,
    fromLonLat: false,
    byRadius: false,
    byBox: false,
  };
  let base: number;
  if (flags & RADIUS_COORDS) {
    base = 6;
    const xy = parseLongLat(argv[2], argv[3]);
    if (xy instanceof ErrorReply) return xy;
    [shape.lon, shape.lat] = xy;
    const r = parseRadius(argv[4], argv[5]);
    if (r instanceof ErrorReply) return r;
    [shape.radius, shape.conversion] = r;
  } else if (flags & RADIUS_MEMBER) {
    base = 5;
    // Without a source key the member and radius are not read: the reply is empty anyway.
    if (z !== null) {
      const score = z.score(str(argv[2]));
      if (score === undefined) return cannotDecode;
      [shape.lon, shape.lat] = decodeScore(score);
      const r = parseRadius(argv[3], argv[4]);
      if (r instanceof ErrorReply) return r;
      [shape.radius, shape.conversion] = r;
    }
  } else {
    base = flags & GEOSEARCHSTORE ? 3 : 2;
    if (flags & GEOSEARCHSTORE) o.storeKey = argv[1];
  }

  const bad = parseOptions(argv, base, flags, z, shape, o);
  if (bad !== null) return bad;

  if (o.storeKey !== null && (o.withDist || o.withHash || o.withCoord)) {
    const what = flags & GEOSEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    return new ErrorReply(
      'ERR',
      `ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`,
    );
  }
  if (flags & GEOSEARCH && !(o.fromMember || o.fromLonLat))
    return new ErrorReply(
      'ERR',
      `ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${cString(argv[0])}`,
    );
  if (flags & GEOSEARCH && !(o.byRadius || o.byBox))
    return new ErrorReply(
      'ERR',
      `ERR exactly one of BYRADIUS and BYBOX can be specified for ${cString(argv[0])}`,
    );
  if (o.any && o.count === 0) return anyNeedsCount;

  // No source key: an empty reply, or an empty result stored (the destination deleted).
  if (z === null) return o.storeKey === null ? [] : storeResult(ctx, o.storeKey, new ZSetValue(), 'z', '');

  // COUNT without an order returns the closest ones (ANY excepted: the first found).
  if (o.count !== 0 && o.sort === SORT_NONE && !o.any) o.sort = SORT_ASC;

  const found = collect(ctx, z, shape, o.any ? o.count : 0);
  if (found instanceof ErrorReply) return found;
  if (found.length === 0 && o.storeKey === null) return [];

  const returned = o.count === 0 || found.length < o.count ? found.length : o.count;
  if (o.sort !== SORT_NONE) {
    const cmp = o.sort === SORT_ASC ? ascending : descending;
    // qsort is glibc's merge sort (stable) for these sizes; a partial sort is Redis's pqsort.
    if (returned === found.length) found.sort(cmp);
    else pqsort(found, cmp, 0, returned - 1);
  }

  if (o.storeKey === null) return resultsReply(found, returned, shape.conversion, o);

  const dest = new ZSetValue();
  dest.big = true;
  for (let i = 0; i < returned; i++) {
    const p = found[i];
    dest.add(p.member, o.storeDist ? p.dist / shape.conversion : p.score);
  }
  const event = flags & GEOSEARCH ? 'geosearchstore' : 'georadiusstore';
  return storeResult(ctx, o.storeKey, dest, 'z', event);
}

function resultsReply(found: GeoPoint[], returned: number, conversion: number, o: Options): Reply {
  const extras = (o.withDist ? 1 : 0) + (o.withHash ? 1 : 0) + (o.withCoord ? 1 : 0);
  const out: Reply[] = new Array(returned);
  for (let i = 0; i < returned; i++) {
    const p = found[i];
    const member = bytes(p.member);
    if (extras === 0) {
      out[i] = member;
      continue;
    }
    const item: Reply[] = [member];
    if (o.withDist) item.push(Buffer.from(distanceText(p.dist / conversion), 'latin1'));
    if (o.withHash) item.push(hashReply(p.score));
    if (o.withCoord) item.push([coordinateReply(p.lon), coordinateReply(p.lat)]);
    out[i] = item;
  }
  return out;
}
