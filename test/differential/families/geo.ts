/**
 * Differential steps for the GEO family: GEOADD GEOPOS GEODIST GEOHASH GEOSEARCH
 * GEOSEARCHSTORE GEORADIUS GEORADIUS_RO GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO, over a few
 * colliding keys (and a string for WRONGTYPE), compared byte for byte.
 *
 * Positions cluster around anchors on the geohash's edges (the latitude limits at
 * +-85.05112878, the antimeridian, the equator and the prime meridian, the 66 and 80 degree
 * bands where Redis widens its search) and around ordinary places, at scales from a
 * micro-degree to tens of degrees, so searches of every size find members on both sides of
 * their boundaries. Radii and boxes run from 0 and 1 mm to the whole planet and beyond
 * (inf), in every unit. Scores that were never positions (ZADD) and bad arguments of every
 * kind are mixed in, so decoding and error order are compared too.
 *
 * One allowance: a STOREDIST score read back with ZRANGE WITHSCORES (17 digits) may differ in
 * its last bits. Distances use correctly rounded sin/cos/asin; glibc's, which Redis calls, are
 * not correctly rounded for about 0.1% of arguments (its documented error is 0.548 ulp), so
 * about 0.1% of distances differ from Redis's in the last bit. Everything else is compared
 * byte for byte (distances printed with 4 decimals do not show that bit).
 */
import type { Rng } from '../random.js';
import { type Node, parseReply } from '../resp-client.js';
import { b, type Check, type Family, type GenState, type Step } from './collection-runner.js';

const GEO_KEYS = ['g1', 'g2', 'g3'].map(b);
const STRING_KEY = b('g-str');
const DEST_KEYS = ['gd1', 'gd2'].map(b);

const LAT_MAX = 85.05112878;
/** [lon, lat] anchors on the geohash's edges and at a few ordinary places. */
const ANCHORS: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [180, 0],
  [-180, 0],
  [179.9999, 10],
  [-179.9999, -10],
  [0, LAT_MAX],
  [0, -LAT_MAX],
  [180, LAT_MAX],
  [-180, -LAT_MAX],
  [45, 66.5],
  [-120, -80.5],
  [13.361389, 38.115556],
  [-73.9798091, 40.7598464],
  [151.2, -33.86],
  [90, 89],
];
const SCALES = [1e-6, 1e-3, 0.05, 1, 10, 60];
const MEMBERS = [...Array.from({ length: 24 }, (_, i) => `p${i}`), 'bin\x00\xff', ''];
const UNITS = ['m', 'km', 'ft', 'mi', 'M', 'KM', 'Ft', 'mI'];
const SIZES = ['0', '0.001', '1', '100', '2500', '40000', '1e6', '5e6', '2e7', '4e7', '1e9', 'inf'];
const COUNTS = ['1', '2', '3', '5', '50', '0', '-1', 'x', '9223372036854775807'];

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function coordText(rng: Rng, v: number): string {
  return rng.chance(0.1) ? v.toExponential(rng.range(2, 12)) : String(v);
}

/** A position near an anchor, kept inside Redis's limits (mostly). */
function position(rng: Rng): [string, string] {
  if (rng.chance(0.03))
    return rng.pick([
      ['181', '0'],
      ['0', '85.06'],
      ['-180.0000001', '1'],
      ['1e400', '0'],
      ['nan', '0'],
      ['x', '1'],
      ['1', ''],
      ['0x10', '0x1p-2'],
    ]);
  const [alon, alat] = rng.pick(ANCHORS);
  const scale = rng.pick(SCALES);
  const lon = clamp(alon + (rng.next() * 2 - 1) * scale, -180, 180);
  const lat = clamp(alat + (rng.next() * 2 - 1) * scale, -LAT_MAX, LAT_MAX);
  return [coordText(rng, lon), coordText(rng, lat)];
}

function member(rng: Rng): string {
  return rng.pick(MEMBERS);
}

function geoKey(rng: Rng): Buffer {
  return rng.weighted([
    [20, rng.pick(GEO_KEYS)],
    [1, STRING_KEY],
    [1, b('g-missing')],
  ]);
}

const step = (argv: Array<string | Buffer>, keys: Buffer[]): Step => ({
  argv: argv.map((a) => (typeof a === 'string' ? b(a) : a)),
  keys: keys.filter((k) => GEO_KEYS.some((g) => g.equals(k)) || DEST_KEYS.some((d) => d.equals(k))),
});

function geoadd(g: GenState): Step {
  const rng = g.rng;
  const k = rng.pick(GEO_KEYS);
  const opts: string[] = [];
  for (const o of ['NX', 'XX', 'CH']) if (rng.chance(0.1)) opts.push(rng.chance(0.5) ? o : o.toLowerCase());
  // Sometimes enough at once to cross the default 128-entry listpack limit.
  const n = rng.chance(0.05) ? rng.range(130, 160) : rng.range(1, 6);
  const args: string[] = [];
  for (let i = 0; i < n; i++) args.push(...position(rng), n > 100 ? `bulk${i}` : member(rng));
  if (rng.chance(0.03)) args.pop();
  return step(['GEOADD', k, ...opts, ...args], [k]);
}

/** Scores that were never positions, and removals. */
function zsetWrite(g: GenState): Step {
  const rng = g.rng;
  const k = rng.pick(GEO_KEYS);
  if (rng.chance(0.5)) return step(['ZREM', k, member(rng), member(rng)], [k]);
  const score = rng.pick(['-1', '1.5', '0', '1e30', 'inf', '-inf', '4503599627370495', '9007199254740992']);
  return step(['ZADD', k, score, member(rng)], [k]);
}

/** The next double above |x| minus |x|. */
function ulp(x: number): number {
  const a = Math.abs(x);
  if (a === 0 || !Number.isFinite(a)) return 0;
  const e = Math.floor(Math.log2(a));
  return 2 ** (Math.max(e, -1022) - 52) * (2 ** e > a ? 0.5 : 1);
}

/**
 * Same replies, except scores may differ in the last bits: one ulp in asin becomes up to a few
 * in 2R * asin / (meters per unit).
 */
const scoresNearlyEqual: Check = (redis, cairn) => {
  if (redis.equals(cairn)) return null;
  const same = (r: Node, c: Node): boolean => {
    if ('items' in r && 'items' in c)
      return r.t === c.t && r.items.length === c.items.length && r.items.every((x, i) => same(x, c.items[i]));
    if (JSON.stringify(r) === JSON.stringify(c)) return true;
    const num = (n: Node) =>
      n.t === 'bulk' ? Number(n.b.toString('latin1')) : n.t === 'double' ? Number(n.s) : Number.NaN;
    const x = num(r);
    const y = num(c);
    return r.t === c.t && Math.abs(x - y) <= 4 * ulp(x);
  };
  return same(parseReply(redis), parseReply(cairn)) ? null : 'replies differ (scores compared within 4 ulps)';
};

/** A stored result read back with its scores. */
function readBack(g: GenState): Step {
  const k = g.rng.pick([...DEST_KEYS, ...GEO_KEYS]);
  return { ...step(['ZRANGE', k, '0', '-1', 'WITHSCORES'], []), check: scoresNearlyEqual };
}

function lookups(g: GenState): Step {
  const rng = g.rng;
  const k = geoKey(rng);
  const members = Array.from({ length: rng.range(1, 4) }, () => member(rng));
  return rng.weighted<() => Step>([
    [3, () => step(['GEOPOS', k, ...members], [])],
    [2, () => step(['GEOHASH', k, ...members], [])],
    [
      3,
      () => {
        const unit = rng.chance(0.7) ? [rng.pick([...UNITS, 'yd'])] : [];
        const extra = rng.chance(0.03) ? ['x'] : [];
        return step(['GEODIST', k, member(rng), member(rng), ...unit, ...extra], []);
      },
    ],
  ])();
}

function size(rng: Rng): string {
  return rng.chance(0.03) ? rng.pick(['-1', 'x', '', 'nan']) : rng.pick(SIZES);
}

function unit(rng: Rng): string {
  return rng.chance(0.03) ? 'yards' : rng.pick(UNITS);
}

/** The options after the centre and shape; `store` adds STORE/STOREDIST for GEORADIUS. */
function options(rng: Rng, store: 'radius' | 'search' | 'none', dest: Buffer): string[] {
  const opts: string[][] = [];
  const withs = store === 'none' || rng.chance(0.05);
  if (withs) for (const w of ['WITHDIST', 'WITHCOORD', 'WITHHASH']) if (rng.chance(0.35)) opts.push([w]);
  if (rng.chance(0.5)) opts.push([rng.pick(['ASC', 'DESC', 'asc', 'desc'])]);
  if (rng.chance(0.45)) {
    opts.push(['COUNT', rng.pick(COUNTS)]);
    if (rng.chance(0.4)) opts.push(['ANY']);
  } else if (rng.chance(0.03)) opts.push(['ANY']);
  if (store === 'radius' && rng.chance(0.6))
    opts.push([rng.pick(['STORE', 'STOREDIST', 'store', 'storedist']), dest.toString('latin1')]);
  if (store === 'search' && rng.chance(0.5)) opts.push(['STOREDIST']);
  for (let i = opts.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [opts[i], opts[j]] = [opts[j], opts[i]];
  }
  if (rng.chance(0.03)) opts.push([rng.pick(['COUNT', 'STORE', 'BOGUS', 'STOREDIST'])]);
  return opts.flat();
}

function searchShape(rng: Rng): string[] {
  const from = rng.chance(0.5) ? ['FROMMEMBER', member(rng)] : ['FROMLONLAT', ...position(rng)];
  const by = rng.chance(0.5)
    ? ['BYRADIUS', size(rng), unit(rng)]
    : ['BYBOX', size(rng), size(rng), unit(rng)];
  const parts = [from, by];
  if (rng.chance(0.05)) parts.pop();
  if (rng.chance(0.03)) parts.push(rng.chance(0.5) ? ['FROMLONLAT', '0', '0'] : ['BYRADIUS', '1', 'km']);
  if (rng.chance(0.2)) parts.reverse();
  return parts.flat();
}

function search(g: GenState): Step {
  const rng = g.rng;
  const k = geoKey(rng);
  const dest = rng.pick(DEST_KEYS);
  return rng.weighted<() => Step>([
    [4, () => step(['GEOSEARCH', k, ...searchShape(rng), ...options(rng, 'none', dest)], [])],
    [
      3,
      () => step(['GEOSEARCHSTORE', dest, k, ...searchShape(rng), ...options(rng, 'search', dest)], [dest]),
    ],
    [
      3,
      () => {
        const ro = rng.chance(0.3);
        const [lon, lat] = position(rng);
        const name = ro ? 'GEORADIUS_RO' : 'GEORADIUS';
        return step(
          [name, k, lon, lat, size(rng), unit(rng), ...options(rng, ro ? 'none' : 'radius', dest)],
          [dest],
        );
      },
    ],
    [
      3,
      () => {
        const ro = rng.chance(0.3);
        const name = ro ? 'GEORADIUSBYMEMBER_RO' : 'GEORADIUSBYMEMBER';
        return step(
          [name, k, member(rng), size(rng), unit(rng), ...options(rng, ro ? 'none' : 'radius', dest)],
          [dest],
        );
      },
    ],
  ])();
}

export const geoFamily: Family = {
  name: 'geo',
  next(g: GenState): Step {
    return g.rng.weighted<(g: GenState) => Step>([
      [6, geoadd],
      [1, zsetWrite],
      [4, lookups],
      [9, search],
      [2, readBack],
      [0.2, () => step(['SET', STRING_KEY, 'x'], [])],
      [0.3, (s) => step(['DEL', s.rng.pick(GEO_KEYS)], [])],
    ])(g);
  },
};
