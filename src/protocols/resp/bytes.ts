/**
 * Byte-level reading of RESP count lines (`*N`, `$N`): Redis's string2ll over bytes, a one-pass
 * fast path for the common case, and line-end searches.
 */

const CR = 13;

/** Where the line read by fastCount() ends (past its CRLF); a module slot saves an allocation. */
export let countEnd = 0;

/**
 * The common count line, `X<digits>\r` plus one more byte, read in one pass: returns the count,
 * or -1 when the line is anything else (negative, malformed, incomplete, long) and the careful
 * path must decide.
 */
export function fastCount(d: Buffer, pos: number, end: number): number {
  let i = pos + 1;
  if (i >= end) return -1;
  let c = d[i];
  let n = c - 48;
  if (n === 0) {
    i++;
  } else {
    if (c < 49 || c > 57) return -1;
    // At most 15 digits, so the value is exact; longer numbers take the careful path.
    const stop = Math.min(end, pos + 16);
    for (i++; i < stop; i++) {
      c = d[i];
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
    }
  }
  if (i + 1 >= end || d[i] !== CR) return -1;
  countEnd = i + 2;
  return n;
}

/** The first CR in [from, end), or -1. */
export function findCR(d: Buffer, from: number, end: number): number {
  // Count lines are a few bytes long: a plain loop beats a native indexOf call for them.
  const stop = Math.min(end, from + 24);
  for (let i = from; i < stop; i++) if (d[i] === CR) return i;
  if (stop === end) return -1;
  const i = d.indexOf(CR, stop);
  return i < 0 || i >= end ? -1 : i;
}

/** A NUL byte in [from, to): Redis's strchr() stops there. */
export function hasNul(d: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (d[i] === 0) return true;
  return false;
}

/**
 * Redis's string2ll over bytes [s, e): optional '-', no leading zeros, no '+', no spaces, within
 * int64. NaN when invalid. Values beyond 2^53 lose precision, which no bound here can notice.
 */
export function parseLL(d: Buffer, s: number, e: number): number {
  const n = e - s;
  if (n <= 0) return Number.NaN;
  if (n === 1 && d[s] === 48) return 0;
  let i = s;
  let neg = false;
  if (d[i] === 45) {
    neg = true;
    if (++i === e) return Number.NaN;
  }
  let c = d[i];
  if (c < 49 || c > 57) return Number.NaN;
  let v = c - 48;
  for (i++; i < e; i++) {
    c = d[i];
    if (c < 48 || c > 57) return Number.NaN;
    v = v * 10 + (c - 48);
  }
  if (n >= 16) {
    // Past 2^53 the double above is inexact: decide overflow (and the value) exactly.
    const big = BigInt(d.toString('latin1', s, e));
    if (big > 9223372036854775807n || big < -9223372036854775808n) return Number.NaN;
    return Number(big);
  }
  return neg ? -v : v;
}
