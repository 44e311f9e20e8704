/**
 * The timeout argument of the blocking pops (BLPOP, BLMOVE, BZPOPMIN, ...), read exactly as
 * Redis 7.0's getTimeoutFromObjectOrReply(UNIT_SECONDS) reads it: strtold into a long double,
 * times 1000 in long double arithmetic, ceill, then a C cast to long long. So "0.001" and
 * "0.0009" are 1 ms, "-0.0001" rounds up to 0 (wait for ever), and a value whose milliseconds
 * do not fit an int64 (inf, 1e300) casts to LLONG_MIN: "timeout is negative".
 */
import { ErrorReply } from '../../errors.js';
import { parseLongDouble } from './long-double.js';

const notFloat = new ErrorReply('ERR', 'ERR timeout is not a float or out of range');
const negative = new ErrorReply('ERR', 'ERR timeout is negative');

const MS_PER_S = 1000n;
/** The x87 long double keeps a 64-bit mantissa. */
const MANT_BITS = 64;
const INT64_LIMIT = 1n << 63n;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Milliseconds to wait (0 = for ever), or the error Redis replies. */
export function parseBlockTimeout(arg: Uint8Array): number | ErrorReply {
  const v = parseLongDouble(arg);
  if (v === null || v.kind === 'nan') return notFloat;
  // (long long) of an infinite or out-of-range long double is LLONG_MIN on x86-64.
  if (v.kind === 'inf') return negative;
  let q = v.m * MS_PER_S;
  let e = v.e;
  // Round the exact product to the 64-bit mantissa, half to even, as the FPU does.
  const extra = bitLength(q) - MANT_BITS;
  if (extra > 0) {
    const shift = BigInt(extra);
    const kept = q >> shift;
    const rest = q - (kept << shift);
    const half = 1n << (shift - 1n);
    q = rest > half || (rest === half && (kept & 1n) === 1n) ? kept + 1n : kept;
    e += extra;
  }
  // ceill: up for a positive value, toward zero (floor of the magnitude) for a negative one.
  let ms: bigint;
  if (e >= 0) ms = q << BigInt(e);
  else if (v.neg) ms = q >> BigInt(-e);
  else ms = (q + (1n << BigInt(-e)) - 1n) >> BigInt(-e);
  if (ms >= INT64_LIMIT) return negative;
  if (v.neg && ms > 0n) return negative;
  return Number(ms);
}
