/**
 * Doubles as Redis 7.0 prints them in replies (addReplyDouble: `%.17g`, `inf` / `-inf` spelled
 * out), shared by the RESP encoder and the commands that put a score inside a bulk string
 * (ZSCAN).
 */

/** 2^26: a double whose exact decimal form has at most 18 significant digits is a multiple of 2^-26. */
const TWO_POW_26 = 67108864;
const FIVE_POW_26 = 5n ** 26n;

/**
 * toExponential rounds a tie away from zero, C's printf to even. A tie at 17 digits means the
 * exact value has exactly 18 significant digits, the last a 5 (2^-25 = 2.98023223876953125e-8
 * prints as ...312e-08 in C): then the 17 digits printf keeps, when they end even; else null.
 */
function halfwayDigits(d: number): string | null {
  const a = Math.abs(d);
  if (a < 1e17 && Number.isInteger(a)) return null; // 17 digits or fewer
  const scaled = a * TWO_POW_26; // exact: a power-of-two scale
  if (!Number.isInteger(scaled)) return null;
  // The exact decimal digits of a = scaled * 5^26 / 10^26.
  const exact = (BigInt(scaled) * FIVE_POW_26).toString().replace(/0+$/, '');
  if (exact.length !== 18 || exact[17] !== '5') return null;
  const kept = exact.slice(0, 17);
  return (kept.charCodeAt(16) - 48) % 2 === 0 ? kept : null;
}

/**
 * A double as Redis 7.0's addReplyDouble prints it: `%.17g`, with `inf` / `-inf` spelled out
 * (and `nan`, which Redis never sends but C would print so).
 */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Number.POSITIVE_INFINITY) return 'inf';
  if (d === Number.NEGATIVE_INFINITY) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const e = d.toExponential(16); // 17 significant digits: [-]d.dddddddddddddddde[+-]x
  const ePos = e.indexOf('e');
  const exp = Number(e.slice(ePos + 1));
  const neg = d < 0;
  // After a tie rounded up, the last digit is odd: only then can printf's digits differ.
  const tie = (e.charCodeAt(ePos - 1) - 48) % 2 === 1 ? halfwayDigits(d) : null;
  const digits = (tie ?? e.slice(neg ? 1 : 0, ePos).replace('.', '')).replace(/0+$/, '') || '0';
  const sign = neg ? '-' : '';
  // %g: scientific when the exponent is below -4 or at least the precision (17).
  if (exp < -4 || exp >= 17) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ax = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}
