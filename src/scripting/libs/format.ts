/** C's printf("%.<prec>g") for doubles (cjson's number format is %.14g). */
export function formatG(d: number, prec: number): string {
  if (Number.isNaN(d)) return d < 0 ? '-nan' : 'nan';
  if (d === Number.POSITIVE_INFINITY) return 'inf';
  if (d === Number.NEGATIVE_INFINITY) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const e = d.toExponential(prec - 1);
  const ePos = e.indexOf('e');
  const exp = Number(e.slice(ePos + 1));
  const neg = d < 0;
  const digits =
    e
      .slice(neg ? 1 : 0, ePos)
      .replace('.', '')
      .replace(/0+$/, '') || '0';
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= prec) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ax = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Push a decoded number as Lua 5.1 would show it: integral values as integers. */
export function isLuaInteger(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63 && !Object.is(n, -0);
}
