/**
 * SORT's numeric reading of an element or a BY value, as sort.c does it: C's strtod on the
 * value as a C string (up to the first NUL byte), with the end pointer on the terminator, and
 * neither NaN nor a range error. So, unlike the ZADD score parser:
 * - leading white space is allowed, and the empty string is 0 (strtod reads nothing and leaves
 *   the end pointer on the terminator), while " " or "-" is an error (the end pointer stays on
 *   the first character);
 * - glibc's ERANGE is an error: an overflow to infinity, and an underflow, which glibc reports
 *   for a result that is inexact and tiny (below DBL_MIN once rounded to 53 bits with an
 *   unbounded exponent), so an exact subnormal ("0x1p-1074") is accepted and "1e-310" is not.
 *
 * Redis 7.0 does not clear errno before strtod, so there a range error left by an earlier
 * command can fail a later SORT; that is not reproduced (each value is judged alone).
 */

/** The smallest normal double, 2^-1022. */
const DBL_MIN = 2.2250738585072014e-308;
/** C's isspace in the C locale. */
const SPACE_RE = /^[ \t\n\v\f\r]*/;
/** What strtod reads in each form, after the sign (longest match first). */
const INF_RE = /^(?:infinity|inf)/i;
const NAN_RE = /^nan/i;
const HEX_RE = /^0[xX](?=\.?[0-9a-fA-F])([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?/;
const DEC_RE = /^(?=\.?[0-9])([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?/;
/** Plain decimals of up to 15 significant digits: Number() reads them exactly as strtod. */
const SIMPLE_RE = /^-?[0-9]{1,15}$/;

/** The score, or null when SORT answers "One or more scores can't be converted into double". */
export function sortScore(value: string): number | null {
  if (SIMPLE_RE.test(value)) return Number(value);
  const nul = value.indexOf('\0');
  const s = nul < 0 ? value : value.slice(0, nul);
  if (s.length === 0) return 0;
  let i = (SPACE_RE.exec(s) as RegExpExecArray)[0].length;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  const rest = s.slice(i);
  const inf = INF_RE.exec(rest);
  if (inf !== null) return inf[0].length === rest.length ? (neg ? -Infinity : Infinity) : null;
  if (NAN_RE.test(rest)) return null;
  const hex = HEX_RE.exec(rest);
  if (hex !== null) {
    if (hex[0].length !== rest.length) return null;
    const mag = hexValue(hex[1], hex[2] ?? '', hex[3]);
    return mag === null ? null : neg ? -mag : mag;
  }
  const dec = DEC_RE.exec(rest);
  if (dec === null || dec[0].length !== rest.length) return null;
  const mag = decimalValue(dec[0], dec[1], dec[2] ?? '', dec[3]);
  return mag === null ? null : neg ? -mag : mag;
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/** `m` rounded to `precision` significant bits, ties to even: [q, extra exponent, exact]. */
function roundBits(m: bigint, precision: number): [bigint, number, boolean] {
  const shift = bitLength(m) - precision;
  if (shift <= 0) return [m, 0, true];
  const s = BigInt(shift);
  let q = m >> s;
  const rem = m - (q << s);
  const half = 1n << (s - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  return [q, shift, rem === 0n];
}

/** A hex float's magnitude (digits before and after the point, binary exponent), or null. */
function hexValue(int: string, frac: string, exp: string | undefined): number | null {
  const m = BigInt(`0x0${int}${frac}`);
  if (m === 0n) return 0;
  const e = (exp === undefined ? 0 : Number(exp)) - 4 * frac.length;
  const top = bitLength(m) - 1 + e; // the value lies in [2^top, 2^(top+1))
  if (top > 1024) return null; // overflow
  if (top < -1100) return null; // underflow to 0
  const [q53, k53] = roundBits(m, 53);
  const tiny = bitLength(q53) - 1 + k53 + e < -1022;
  const precision = top >= -1022 ? 53 : 53 - (-1022 - top);
  if (precision <= 0) return null; // below half the smallest subnormal: 0, inexact
  const [q, k, exact] = roundBits(m, precision);
  if (tiny && !exact) return null;
  const v = Number(q) * 2 ** (k + e);
  return Number.isFinite(v) ? v : null;
}

/** A decimal's magnitude (the text, digits before and after the point, exponent), or null. */
function decimalValue(text: string, int: string, frac: string, exp: string | undefined): number | null {
  const v = Number(text);
  if (!Number.isFinite(v)) return null; // overflow
  if (v > DBL_MIN) return v;
  // Tiny or near it: compare the exact value D * 10^E with doubles, in integers.
  let digits = `${int}${frac}`.replace(/^0+/, '');
  if (digits.length === 0) return 0; // an exact zero
  if (v === 0) return null; // underflow to 0
  let e10 = (exp === undefined ? 0 : Number(exp)) - frac.length;
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  e10 += trailing;
  if (e10 >= 0) return v; // an integer is never tiny
  const d = BigInt(digits);
  const pow10 = 10n ** BigInt(-e10);
  if (v === DBL_MIN) {
    // Rounded up to DBL_MIN: tiny unless at least DBL_MIN - 2^-1076 (rounds up at 53 bits).
    return d * 2n ** 1076n >= ((1n << 54n) - 1n) * pow10 ? v : null;
  }
  const q = BigInt(v * 2 ** 537 * 2 ** 537); // v = q * 2^-1074, exactly
  return d * 2n ** 1074n === q * pow10 ? v : null;
}
