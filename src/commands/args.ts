/**
 * Argument parsing straight from bytes, without building JS strings on the hot path.
 * Integer parsing follows Redis's string2ll exactly: optional '-', no '+', no leading zeros,
 * no spaces, within int64.
 */

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Strict int64 parse; null when not a valid integer or out of range. */
export function parseInt64(b: Uint8Array): bigint | null {
  const n = b.length;
  if (n === 0 || n > 20) return null;
  if (n === 1 && b[0] === 48) return 0n;
  let i = 0;
  const neg = b[0] === 45;
  if (neg) {
    i = 1;
    if (n === 1) return null;
  }
  if (b[i] < 49 || b[i] > 57) return null;
  // Up to 15 digits fit a double exactly: accumulate as a number, fall back to bigint beyond.
  if (n - i <= 15) {
    let v = 0;
    for (; i < n; i++) {
      const c = b[i] - 48;
      if (c < 0 || c > 9) return null;
      v = v * 10 + c;
    }
    return BigInt(neg ? -v : v);
  }
  let v = 0n;
  for (; i < n; i++) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10n + BigInt(c);
  }
  if (neg) v = -v;
  if (v > INT64_MAX || v < INT64_MIN) return null;
  return v;
}

/**
 * Strict integer parse into a JS number; null when not an integer or outside the safe range.
 * For counts, indexes and options where Redis would also reject absurd values.
 */
export function parseSafeInt(b: Uint8Array): number | null {
  const n = b.length;
  if (n === 0 || n > 16) {
    const big = parseInt64(b);
    if (big === null || big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER))
      return null;
    return Number(big);
  }
  if (n === 1 && b[0] === 48) return 0;
  let i = 0;
  const neg = b[0] === 45;
  if (neg) {
    i = 1;
    if (n === 1) return null;
  }
  if (b[i] < 49 || b[i] > 57) return null;
  let v = 0;
  for (; i < n; i++) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/** Int64 as the smallest JS integer reply type: number when safe, bigint otherwise. */
export function intReply(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** Case-insensitive compare of an argument with a lower-case ASCII word, without allocating. */
export function argIs(b: Uint8Array, lowerWord: string): boolean {
  if (b.length !== lowerWord.length) return false;
  for (let i = 0; i < b.length; i++) {
    let c = b[i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lowerWord.charCodeAt(i)) return false;
  }
  return true;
}

/** Lower-case ASCII form of an argument (for option switches off the hot path). */
export function argLower(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1').toLowerCase();
}
