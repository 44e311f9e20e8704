/**
 * The x87 80-bit extended format ("long double" on x86-64 Linux), emulated exactly with BigInt,
 * so that INCRBYFLOAT answers what Redis answers. Redis parses both operands with strtold, adds
 * them as long doubles and prints the sum with "%.17Lf" minus trailing zeros; JS doubles would
 * differ in the last digits of many sums and overflow at 1.8e308 instead of 1.19e4932.
 *
 * A finite value is (-1)^neg * m * 2^e with m < 2^64. Normal numbers have m in [2^63, 2^64);
 * subnormals have e = MIN_EXP and m < 2^63. Every result is rounded to nearest, ties to even,
 * as the x87 unit does under Linux's default precision control.
 */

export type LongDouble =
  | { readonly kind: 'finite'; readonly neg: boolean; readonly m: bigint; readonly e: number }
  | { readonly kind: 'inf'; readonly neg: boolean }
  | { readonly kind: 'nan' };

const MANT_BITS = 64;
/** The smallest subnormal is 2^-16445. */
const MIN_EXP = -16445;
/** The largest finite value is (2^64 - 1) * 2^16320, about 1.19e4932. */
const MAX_EXP = 16320;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are refused before parsing. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;
/**
 * A decimal value lies in [10^(magnitude-1), 10^magnitude): past these magnitudes it overflows
 * (the largest finite value is 1.19e4932) or rounds to zero (half the smallest subnormal is
 * 1.8e-4951) whatever its digits, so the exact conversion is skipped.
 */
const DEC_MAGNITUDE_MAX = 4934;
const DEC_MAGNITUDE_MIN = -4951;
/** Exponent digits beyond this many only matter as "huge": clamp before converting. */
const EXP_DIGITS_MAX = 9;

const NAN: LongDouble = { kind: 'nan' };

function finite(neg: boolean, m: bigint, e: number): LongDouble {
  return { kind: 'finite', neg, m, e };
}

function inf(neg: boolean): LongDouble {
  return { kind: 'inf', neg };
}

function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const h = n.toString(16);
  return (h.length - 1) * 4 + (32 - Math.clz32(Number.parseInt(h[0], 16)));
}

/**
 * The long double nearest to num/den * 2^k (num, den > 0): pick the exponent that leaves a
 * 64-bit quotient (or the subnormal exponent), then round the remainder half to even.
 */
function fromRatio(neg: boolean, num: bigint, den: bigint, k: number): LongDouble {
  let e = Math.max(bitLength(num) - bitLength(den) + k - MANT_BITS, MIN_EXP);
  for (;;) {
    const shift = k - e;
    const n = shift >= 0 ? num << BigInt(shift) : num;
    const d = shift >= 0 ? den : den << BigInt(-shift);
    let q = n / d;
    const bits = bitLength(q);
    if (bits > MANT_BITS) {
      e += bits - MANT_BITS;
      continue;
    }
    if (bits < MANT_BITS && e > MIN_EXP) {
      e = Math.max(MIN_EXP, e - (MANT_BITS - bits));
      continue;
    }
    const twice = (n - q * d) * 2n;
    if (twice > d || (twice === d && (q & 1n) === 1n)) {
      q += 1n;
      if (bitLength(q) > MANT_BITS) {
        q >>= 1n;
        e += 1;
      }
    }
    return e > MAX_EXP ? inf(neg) : finite(neg, q, e);
  }
}

/** Exponent digits as a number, clamped: anything longer than EXP_DIGITS_MAX is "huge". */
function exponent(sign: string | undefined, digits: string): number {
  const t = digits.replace(/^0+/, '');
  const v = t.length > EXP_DIGITS_MAX ? 10 ** EXP_DIGITS_MAX : Number(t || '0');
  return sign === '-' ? -v : v;
}

const INF_RE = /^([+-]?)(inf|infinity)$/i;
const HEX_RE = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?)([0-9]+))?$/i;
const DEC_RE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:e([+-]?)([0-9]+))?$/i;

/**
 * Redis's string2ld: the whole argument must be what strtold reads (decimal, hex float, inf),
 * with no leading space, shorter than 5 KiB, and not NaN; a result that overflows or
 * underflows to zero is refused too (strtold's ERANGE). Null when not a valid float.
 */
export function parseLongDouble(b: Uint8Array): LongDouble | null {
  if (b.length === 0 || b.length >= MAX_LONG_DOUBLE_CHARS) return null;
  const s = Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
  let m = INF_RE.exec(s);
  if (m !== null) return inf(m[1] === '-');
  m = HEX_RE.exec(s);
  if (m !== null) {
    const [, sign, int, frac = '', expSign, expDigits] = m;
    if (int.length + frac.length === 0) return null;
    const neg = sign === '-';
    const num = BigInt(`0x${int}${frac}`);
    if (num === 0n) return finite(neg, 0n, 0);
    const k = (expDigits === undefined ? 0 : exponent(expSign, expDigits)) - 4 * frac.length;
    const top = bitLength(num) + k;
    if (top > MAX_EXP + MANT_BITS + 1) return null;
    if (top < MIN_EXP - 1) return null;
    return checkRange(fromRatio(neg, num, 1n, k));
  }
  m = DEC_RE.exec(s);
  if (m === null) return null;
  const [, sign, int, frac = '', expSign, expDigits] = m;
  if (int.length + frac.length === 0) return null;
  const neg = sign === '-';
  const digits = `${int}${frac}`.replace(/^0+/, '');
  if (digits.length === 0) return finite(neg, 0n, 0);
  const exp10 = (expDigits === undefined ? 0 : exponent(expSign, expDigits)) - frac.length;
  const magnitude = digits.length + exp10;
  if (magnitude > DEC_MAGNITUDE_MAX || magnitude < DEC_MAGNITUDE_MIN) return null;
  const d = BigInt(digits);
  const r =
    exp10 >= 0
      ? fromRatio(neg, d * 10n ** BigInt(exp10), 1n, 0)
      : fromRatio(neg, d, 10n ** BigInt(-exp10), 0);
  return checkRange(r);
}

/** strtold's ERANGE cases that Redis refuses: overflow to infinity, underflow to zero. */
function checkRange(v: LongDouble): LongDouble | null {
  if (v.kind === 'inf') return null;
  if (v.kind === 'finite' && v.m === 0n) return null;
  return v;
}

/** a + b, correctly rounded. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  if (a.kind === 'inf') return b.kind === 'inf' && b.neg !== a.neg ? NAN : a;
  if (b.kind === 'inf') return b;
  if (a.m === 0n && b.m === 0n) return finite(a.neg && b.neg, 0n, 0);
  const e = Math.min(a.e, b.e);
  const x = a.m << BigInt(a.e - e);
  const y = b.m << BigInt(b.e - e);
  const sum = (a.neg ? -x : x) + (b.neg ? -y : y);
  // An exact zero is +0 when rounding to nearest.
  if (sum === 0n) return finite(false, 0n, 0);
  return sum < 0n ? fromRatio(true, -sum, 1n, e) : fromRatio(false, sum, 1n, e);
}

const SCALE_17 = 10n ** 17n;

/**
 * Redis's ld2string(LD_STR_HUMAN): printf "%.17Lf" (exact value, rounded half to even at the
 * 17th decimal), trailing zeros and a bare point removed, and "-0" written "0".
 */
export function formatLongDouble(v: LongDouble): string {
  if (v.kind === 'nan') return 'nan';
  if (v.kind === 'inf') return v.neg ? '-inf' : 'inf';
  let q: bigint;
  if (v.e >= 0) {
    q = (v.m << BigInt(v.e)) * SCALE_17;
  } else {
    const d = 1n << BigInt(-v.e);
    const n = v.m * SCALE_17;
    q = n / d;
    const twice = (n - q * d) * 2n;
    if (twice > d || (twice === d && (q & 1n) === 1n)) q += 1n;
  }
  const fraction = (q % SCALE_17).toString().padStart(17, '0').replace(/0+$/, '');
  let s = `${v.neg ? '-' : ''}${q / SCALE_17}${fraction.length > 0 ? `.${fraction}` : ''}`;
  if (s === '-0') s = '0';
  return s;
}
