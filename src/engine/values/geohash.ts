/**
 * Redis's geohash (geohash.c, geohash_helper.c), reproduced operation for operation so that
 * scores, decoded coordinates, distances and the boxes a search visits are the same doubles.
 *
 * A position is stored as a sorted-set score: latitude and longitude, each scaled to a 26-bit
 * cell number over Redis's ranges (longitude -180..180, latitude -85.05112878..85.05112878, the
 * Web Mercator limits), interleaved bit by bit into 52 bits (latitude in the even bits,
 * longitude in the odd ones). A 52-bit integer is exact as a double. Decoding answers the
 * centre of the cell. A prefix of 2*step bits is a coarser cell; every point inside it has a
 * score in [prefix << (52 - 2*step), (prefix + 1) << (52 - 2*step)), so a search around a point
 * is a few score ranges (see geohash-area.ts).
 *
 * Hashes are uint64 in C. The hot paths (encode for GEOADD, decode per candidate) work on two
 * 32-bit halves in Numbers; the once-per-query box arithmetic uses BigInt. Distances use
 * correctly rounded sin, cos and asin (util/crmath.ts), as glibc's are, where V8's are not.
 */
import { asinCR, cosCR, sinCR } from '../../util/crmath.js';

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
/** Earth's quadratic mean radius for WGS-84, in meters (geohash_helper.c). */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
/** Degrees to radians, as the D_R macro computes it (M_PI / 180.0). */
const D_R = Math.PI / 180;
const TWO_POW_32 = 4294967296;
const TWO_POW_63 = 2 ** 63;
const TWO_POW_64 = 2 ** 64;

export function degRad(ang: number): number {
  return ang * D_R;
}

export function radDeg(ang: number): number {
  return ang / D_R;
}

/** A geohash of `step` bits per coordinate (2*step bits), as uint64. */
export interface HashBits {
  bits: bigint;
  step: number;
}

/** A cell: its longitude and latitude intervals. */
export interface HashArea {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

/** The low 16 bits of v spread to the even bit positions of a 32-bit word. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

/** The even bits of a 32-bit word gathered into 16 bits (the inverse of spread16). */
function compact16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** interleave64(lat, lon) of two uint32 as [high word, low word]. */
function interleave(lat: number, lon: number): [number, number] {
  const lo = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const hi = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  return [hi, lo];
}

function halvesToBigInt(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** C's conversion of a double in [0, 2^32) to uint32_t: truncation. */
function toUint32(d: number): number {
  return Math.trunc(d) >>> 0;
}

/**
 * geohashEncode over the given ranges: null when the point lies outside Redis's limits or the
 * ranges. The offsets are computed exactly as C does, then truncated to cell numbers; a
 * coordinate at the top of its range yields 2^step, one past the last cell, as in Redis.
 */
export function encode(
  lonMin: number,
  lonMax: number,
  latMin: number,
  latMax: number,
  longitude: number,
  latitude: number,
  step: number,
): HashBits | null {
  if (!(step >= 1 && step <= 32)) return null;
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN) return null;
  if (latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latMin || latitude > latMax || longitude < lonMin || longitude > lonMax) return null;
  let latOffset = (latitude - latMin) / (latMax - latMin);
  let lonOffset = (longitude - lonMin) / (lonMax - lonMin);
  latOffset *= 2 ** step;
  lonOffset *= 2 ** step;
  const [hi, lo] = interleave(toUint32(latOffset), toUint32(lonOffset));
  return { bits: halvesToBigInt(hi, lo), step };
}

/** geohashEncodeWGS84: over Redis's coordinate ranges. */
export function encodeWGS84(longitude: number, latitude: number, step: number): HashBits | null {
  return encode(GEO_LONG_MIN, GEO_LONG_MAX, GEO_LAT_MIN, GEO_LAT_MAX, longitude, latitude, step);
}

/**
 * GEOADD's score for a valid position, as the decimal text Redis hands to ZADD
 * (sdsfromlonglong of the 52-bit-aligned hash). At longitude 180 the hash has bit 53 set and
 * may exceed 2^53: ZADD then rounds the text to the nearest double, as it does in Redis.
 */
export function scoreText(longitude: number, latitude: number): string {
  const latOffset = ((latitude - GEO_LAT_MIN) / (GEO_LAT_MAX - GEO_LAT_MIN)) * 2 ** GEO_STEP_MAX;
  const lonOffset = ((longitude - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN)) * 2 ** GEO_STEP_MAX;
  const [hi, lo] = interleave(toUint32(latOffset), toUint32(lonOffset));
  const v = hi * TWO_POW_32 + lo;
  return v <= Number.MAX_SAFE_INTEGER ? String(v) : halvesToBigInt(hi, lo).toString();
}

/**
 * C's (uint64_t) conversion of a score as x86-64 code does it, as [high word, low word]:
 * truncation below 2^64; negative values wrap (two's complement of the truncated int64);
 * NaN and values below -2^63 give 2^63; 2^64 and above give 0.
 */
function scoreToUint64(score: number): [number, number] {
  if (score >= 0 && score < TWO_POW_64) {
    const t = Math.trunc(score);
    const hi = Math.floor(t / TWO_POW_32);
    return [hi, t - hi * TWO_POW_32];
  }
  if (score >= TWO_POW_64) return [0, 0];
  if (score < 0 && score >= -TWO_POW_63) {
    const u = BigInt.asUintN(64, BigInt(Math.trunc(score)));
    return [Number(u >> 32n), Number(u & 0xffffffffn)];
  }
  return [0x80000000, 0];
}

/** Cell bounds for a cell number pair at `step` (geohashDecode's arithmetic). */
function cellArea(ilato: number, ilono: number, step: number, out: HashArea): HashArea {
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  const cells = 2 ** step;
  // uint32 arithmetic: the cell after 0xffffffff is 0.
  out.latMin = GEO_LAT_MIN + (ilato / cells) * latScale;
  out.latMax = GEO_LAT_MIN + (((ilato + 1) >>> 0) / cells) * latScale;
  out.lonMin = GEO_LONG_MIN + (ilono / cells) * lonScale;
  out.lonMax = GEO_LONG_MIN + (((ilono + 1) >>> 0) / cells) * lonScale;
  return out;
}

/** geohashDecodeWGS84 of a hash (never the zero hash here: every caller has a step). */
export function decodeArea(h: HashBits): HashArea {
  const hi = Number((h.bits >> 32n) & 0xffffffffn);
  const lo = Number(h.bits & 0xffffffffn);
  const ilato = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const ilono = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  return cellArea(ilato, ilono, h.step, { lonMin: 0, lonMax: 0, latMin: 0, latMax: 0 });
}

/** Cells per coordinate at the full 26-bit step, and the ranges' widths. */
const CELLS_52 = 2 ** GEO_STEP_MAX;
const LAT_SCALE = GEO_LAT_MAX - GEO_LAT_MIN;
const LON_SCALE = GEO_LONG_MAX - GEO_LONG_MIN;

/**
 * decodeGeohash(score): the centre of the score's 52-bit cell, clamped to Redis's limits, as
 * [longitude, latitude]. Any score decodes (a non-geo score gives some clamped position), as
 * in Redis.
 */
export function decodeScore(score: number, out: [number, number] = [0, 0]): [number, number] {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < TWO_POW_64) {
    // The common case (a 52-bit geohash), without scoreToUint64's pair.
    const t = Math.trunc(score);
    hi = Math.floor(t / TWO_POW_32);
    lo = t - hi * TWO_POW_32;
  } else [hi, lo] = scoreToUint64(score);
  const ilato = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const ilono = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  // cellArea's arithmetic, inlined: this runs for every candidate of a search.
  const lonMin = GEO_LONG_MIN + (ilono / CELLS_52) * LON_SCALE;
  const lonMax = GEO_LONG_MIN + (((ilono + 1) >>> 0) / CELLS_52) * LON_SCALE;
  const latMin = GEO_LAT_MIN + (ilato / CELLS_52) * LAT_SCALE;
  const latMax = GEO_LAT_MIN + (((ilato + 1) >>> 0) / CELLS_52) * LAT_SCALE;
  let lon = (lonMin + lonMax) / 2;
  if (lon > GEO_LONG_MAX) lon = GEO_LONG_MAX;
  if (lon < GEO_LONG_MIN) lon = GEO_LONG_MIN;
  let lat = (latMin + latMax) / 2;
  if (lat > GEO_LAT_MAX) lat = GEO_LAT_MAX;
  if (lat < GEO_LAT_MIN) lat = GEO_LAT_MIN;
  out[0] = lon;
  out[1] = lat;
  return out;
}

const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/**
 * GEOHASH's string for a position: re-encoded over the standard ranges (latitude -90..90),
 * 10 characters of 5 bits from the 52, and an 11th that is always '0'.
 */
export function standardGeohash(longitude: number, latitude: number): string {
  const h = encode(-180, 180, -90, 90, longitude, latitude, GEO_STEP_MAX);
  const bits = h === null ? 0n : h.bits;
  let s = '';
  for (let i = 0; i < 10; i++) s += GEO_ALPHABET[Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn)];
  return `${s}0`;
}

/** geohashGetLatDistance: meters between two latitudes on one meridian. */
export function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** geohashGetDistance: haversine great-circle distance in meters. */
export function distance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = sinCR((lon2r - lon1r) / 2);
  // Same longitude: the distance along the meridian, without the expensive terms.
  if (v === 0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = sinCR((lat2r - lat1r) / 2);
  const a = u * u + cosCR(lat1r) * cosCR(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * asinCR(Math.sqrt(a));
}

/** Relative margin past which Math's haversine proves a distance beyond a limit. */
const BEYOND_MARGIN = 2 ** -30;

/**
 * Whether the distance is certainly above `limit`, judged with Math's sin/cos/asin (each within
 * an ulp of the exact value, so the result within 2^-30 of the exact distance unless the points
 * are almost antipodal, where asin amplifies; those are never judged here). Searches reject
 * most candidates this way and compute the exact distance only for the rest.
 */
function certainlyBeyond(lon1d: number, lat1d: number, lon2d: number, lat2d: number, limit: number): boolean {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const v = Math.sin((lon2r - lon1r) / 2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  if (!(a < 1 - 1e-9)) return false;
  const d = 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
  return d > limit * (1 + BEYOND_MARGIN) + 1e-9;
}

/**
 * geohashGetDistanceIfInRadius: the distance when at most `limit` meters, else -1 (the exact
 * distance decides; the quick test only skips points far beyond).
 */
export function distanceIfInRadius(
  lon1d: number,
  lat1d: number,
  lon2d: number,
  lat2d: number,
  limit: number,
): number {
  if (certainlyBeyond(lon1d, lat1d, lon2d, lat2d, limit)) return -1;
  const d = distance(lon1d, lat1d, lon2d, lat2d);
  return d > limit ? -1 : d;
}

/**
 * geohashGetDistanceIfInRectangle: the distance from the box centre (x1, y1) to the point
 * (x2, y2) when the point is within half the height along the meridian and half the width
 * along its own parallel; else -1.
 */
export function distanceIfInRectangle(
  widthM: number,
  heightM: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
): number {
  const latDist = latDistance(y2, y1);
  if (latDist > heightM / 2) return -1;
  if (distanceIfInRadius(x2, y2, x1, y2, widthM / 2) === -1) return -1;
  return distance(x1, y1, x2, y2);
}
