/**
 * Hashing and comparing key bytes where they lie: in the caller's Buffer (a view into the
 * parser's input) or in an arena chunk. No JS string is ever built for a key.
 */

/** One 4-byte block `k` mixed into MurmurHash3 (x86, 32-bit) state `h`. */
export function murmurMix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's end: the last `rest` (0-3) bytes in `k`, the length, the final mix. */
export function murmurFinish(h: number, k: number, rest: number, len: number): number {
  if (rest !== 0) {
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * MurmurHash3 (x86, 32-bit) of `len` bytes at `off`. Seeded per keyspace so a client cannot
 * precompute colliding keys (Redis uses a random SipHash key for the same reason).
 */
export function hashBytes(b: Uint8Array, off: number, len: number, seed: number): number {
  let h = seed | 0;
  let i = off;
  const end4 = off + (len & ~3);
  for (; i < end4; i += 4) h = murmurMix(h, b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
  const rest = len & 3;
  let k = 0;
  if (rest !== 0) {
    k = b[i];
    if (rest > 1) k |= b[i + 1] << 8;
    if (rest > 2) k |= b[i + 2] << 16;
  }
  return murmurFinish(h, k, rest, len);
}

/** Keys at least this long are compared by Buffer.compare (native) instead of a JS loop. */
const NATIVE_COMPARE_MIN_BYTES = 64;

/** True when `len` bytes of `a` at `aOff` equal all of `key` (the caller checked the length). */
export function bytesEqual(a: Buffer, aOff: number, key: Buffer, len: number): boolean {
  if (len >= NATIVE_COMPARE_MIN_BYTES) return key.compare(a, aOff, aOff + len, 0, len) === 0;
  for (let i = 0; i < len; i++) if (a[aOff + i] !== key[i]) return false;
  return true;
}

/** True when `len` bytes of `a` at `aOff` equal `len` bytes of `key` at `keyOff`. */
export function bytesEqualAt(a: Buffer, aOff: number, key: Buffer, keyOff: number, len: number): boolean {
  if (len >= NATIVE_COMPARE_MIN_BYTES) return key.compare(a, aOff, aOff + len, keyOff, keyOff + len) === 0;
  for (let i = 0; i < len; i++) if (a[aOff + i] !== key[keyOff + i]) return false;
  return true;
}

/** A random 32-bit seed. */
export function randomSeed(): number {
  return (Math.random() * 0x100000000) >>> 0;
}
