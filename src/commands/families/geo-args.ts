/**
 * GEO argument parsing and number printing, as geo.c and util.c do them:
 * - coordinates, radii and box sides with string2d (getDoubleFromObjectOrReply), coordinates
 *   then checked against Redis's limits ("invalid longitude,latitude pair %f,%f");
 * - units m, km, ft, mi (case-insensitive), as meters per unit;
 * - distances with 4 decimals (fixedpoint_d2string: llrint of d * 10^4, ties to even);
 * - coordinates with "%.17Lf" minus trailing zeros (addReplyHumanLongDouble): a bulk string in
 *   RESP2, a double with that text in RESP3.
 */
import { GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN } from '../../engine/values/geohash.js';
import { ErrorReply, Errors } from '../../errors.js';
import { DoubleReply } from '../reply.js';
import { formatLongDouble } from './long-double.js';
import { optIs } from './lookup.js';
import { parseScore } from './zset-args.js';

export const unsupportedUnit = new ErrorReply(
  'ERR',
  'ERR unsupported unit provided. please use M, KM, FT, MI',
);
export const cannotDecode = new ErrorReply('ERR', 'ERR could not decode requested zset member');

/** getDoubleFromObjectOrReply: the value, or `msg` (default: not a valid float). */
export function parseDouble(arg: Buffer, msg: ErrorReply = Errors.notFloat): number | ErrorReply {
  const v = parseScore(arg);
  return v === null ? msg : v;
}

/** extractLongLatOrReply: [longitude, latitude] from two arguments, within Redis's limits. */
export function parseLongLat(lonArg: Buffer, latArg: Buffer): [number, number] | ErrorReply {
  const lon = parseDouble(lonArg);
  if (lon instanceof ErrorReply) return lon;
  const lat = parseDouble(latArg);
  if (lat instanceof ErrorReply) return lat;
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX)
    return new ErrorReply(
      'ERR',
      `ERR invalid longitude,latitude pair ${formatFixed(lon, 6)},${formatFixed(lat, 6)}`,
    );
  return [lon, lat];
}

/** extractUnitOrReply: meters per unit. */
export function parseUnit(arg: Buffer): number | ErrorReply {
  if (optIs(arg, 'm')) return 1;
  if (optIs(arg, 'km')) return 1000;
  if (optIs(arg, 'ft')) return 0.3048;
  if (optIs(arg, 'mi')) return 1609.34;
  return unsupportedUnit;
}

const needRadius = new ErrorReply('ERR', 'ERR need numeric radius');
const negativeRadius = new ErrorReply('ERR', 'ERR radius cannot be negative');
const needWidth = new ErrorReply('ERR', 'ERR need numeric width');
const needHeight = new ErrorReply('ERR', 'ERR need numeric height');
const negativeBox = new ErrorReply('ERR', 'ERR height or width cannot be negative');

/** extractDistanceOrReply: `radius unit` -> [radius, meters per unit]. */
export function parseRadius(radiusArg: Buffer, unitArg: Buffer): [number, number] | ErrorReply {
  const r = parseDouble(radiusArg, needRadius);
  if (r instanceof ErrorReply) return r;
  if (r < 0) return negativeRadius;
  const unit = parseUnit(unitArg);
  if (unit instanceof ErrorReply) return unit;
  return [r, unit];
}

/** extractBoxOrReply: `width height unit` -> [width, height, meters per unit]. */
export function parseBox(w: Buffer, h: Buffer, unitArg: Buffer): [number, number, number] | ErrorReply {
  const width = parseDouble(w, needWidth);
  if (width instanceof ErrorReply) return width;
  const height = parseDouble(h, needHeight);
  if (height instanceof ErrorReply) return height;
  if (height < 0 || width < 0) return negativeBox;
  const unit = parseUnit(unitArg);
  if (unit instanceof ErrorReply) return unit;
  return [width, height, unit];
}

/** A finite double as sign, integer mantissa and binary exponent: |d| = m * 2^e exactly. */
function decompose(d: number): { neg: boolean; m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const neg = hi >>> 31 === 1;
  const exp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp === 0) return { neg, m: frac, e: -1074 };
  return { neg, m: frac | (1n << 52n), e: exp - 1075 };
}

/**
 * printf("%.<digits>f", d): the exact value rounded half to even at `digits` decimals (glibc),
 * `inf`/`-inf`/`nan` spelled out, and the sign kept on a negative value that rounds to zero.
 */
export function formatFixed(d: number, digits: number): string {
  if (Number.isNaN(d)) return d < 0 ? '-nan' : 'nan';
  if (!Number.isFinite(d)) return d > 0 ? 'inf' : '-inf';
  const { neg, m, e } = decompose(d);
  const scale = 10n ** BigInt(digits);
  let q: bigint;
  if (e >= 0) q = (m << BigInt(e)) * scale;
  else {
    const den = 1n << BigInt(-e);
    const num = m * scale;
    q = num / den;
    const twice = (num - q * den) * 2n;
    if (twice > den || (twice === den && (q & 1n) === 1n)) q += 1n;
  }
  const s = q.toString().padStart(digits + 1, '0');
  const point = s.length - digits;
  return `${neg ? '-' : ''}${s.slice(0, point)}${digits > 0 ? `.${s.slice(point)}` : ''}`;
}

/** llrint's result when the value does not fit a long long (LLONG_MIN), printed as Redis does. */
const LLRINT_INVALID = '-922337203685477.5808';

/** addReplyDoubleDistance's text: fixedpoint_d2string(d, 4). */
export function distanceText(d: number): string {
  if (d === 0) return '0.0000';
  const p = d * 10000;
  if (!(Math.abs(p) < 2 ** 63)) return LLRINT_INVALID;
  // llrint: round half to even (the default rounding mode).
  let r = Math.round(p);
  if (r - p === 0.5 && r % 2 !== 0) r -= 1;
  const neg = r < 0;
  const abs = neg ? -r : r;
  const s = (abs <= Number.MAX_SAFE_INTEGER ? String(abs) : BigInt(abs).toString()).padStart(5, '0');
  return `${neg ? '-' : ''}${s.slice(0, -4)}.${s.slice(-4)}`;
}

/** addReplyHumanLongDouble of a coordinate: "%.17Lf" of the exact value, trailing zeros cut. */
export function coordinateReply(d: number): DoubleReply {
  const { neg, m, e } = decompose(d);
  return new DoubleReply(d, formatLongDouble({ kind: 'finite', neg, m, e }));
}
