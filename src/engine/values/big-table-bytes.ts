/**
 * Bytes of big-table.ts's entries: hashing a latin1 string and the same bytes in a block
 * alike, comparing a string with bytes without building a string, and the length headers
 * (packed.ts's format: one byte below 255, else 255 then a u32 little-endian).
 */

import { murmurFinish, murmurMix, hashBytes as seededHashBytes } from '../offheap/hash.js';

const LONG = 255;
/** Strings at least this long are compared and written natively. */
const NATIVE_MIN_CHARS = 48;

/** Seeded per process so a client cannot precompute colliding fields. */
const SEED = (Math.random() * 0x100000000) >>> 0;

/** MurmurHash3 (x86, 32-bit) of a latin1 string's bytes. */
export function hashString(s: string): number {
  const len = s.length;
  let h = SEED;
  let i = 0;
  const end4 = len & ~3;
  for (; i < end4; i += 4) {
    h = murmurMix(
      h,
      s.charCodeAt(i) |
        (s.charCodeAt(i + 1) << 8) |
        (s.charCodeAt(i + 2) << 16) |
        (s.charCodeAt(i + 3) << 24),
    );
  }
  const rest = len & 3;
  let k = 0;
  if (rest !== 0) {
    k = s.charCodeAt(i);
    if (rest > 1) k |= s.charCodeAt(i + 1) << 8;
    if (rest > 2) k |= s.charCodeAt(i + 2) << 16;
  }
  return murmurFinish(h, k, rest, len);
}

/** hashString of the string whose bytes are `len` bytes of `b` at `off`. */
export function hashBytes(b: Uint8Array, off: number, len: number): number {
  return seededHashBytes(b, off, len, SEED);
}

/** `s.length` bytes of `b` at `off` are the bytes of `s`. */
export function equalsAt(b: Buffer, off: number, s: string): boolean {
  const n = s.length;
  if (n >= NATIVE_MIN_CHARS) return b.toString('latin1', off, off + n) === s;
  for (let i = 0; i < n; i++) if (b[off + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** Writes the bytes of `s` at `off`; returns the end. */
export function writeAt(b: Buffer, off: number, s: string): number {
  const n = s.length;
  if (n >= NATIVE_MIN_CHARS) return off + b.write(s, off, n, 'latin1');
  for (let i = 0; i < n; i++) b[off + i] = s.charCodeAt(i);
  return off + n;
}

/** Bytes taken by the header of an element of `len` bytes. */
export function headerSize(len: number): number {
  return len < LONG ? 1 : 5;
}

/** The length in the header at `p`. */
export function readLength(b: Buffer, p: number): number {
  const c = b[p];
  return c < LONG ? c : b.readUInt32LE(p + 1);
}

/** Writes a header for `len` at `p`; returns where the element's bytes start. */
export function writeLength(b: Buffer, p: number, len: number): number {
  if (len < LONG) {
    b[p] = len;
    return p + 1;
  }
  b[p] = LONG;
  b.writeUInt32LE(len, p + 1);
  return p + 5;
}

/** Byte order (memcmp, then length) of the keys of the entries at `pa` in `a` and `pb` in `b`. */
export function compareEntries(a: Buffer, pa: number, b: Buffer, pb: number): number {
  const la = readLength(a, pa);
  const lb = readLength(b, pb);
  const sa = pa + headerSize(la);
  const sb = pb + headerSize(lb);
  const n = Math.min(la, lb);
  for (let i = 0; i < n; i++) {
    const d = a[sa + i] - b[sb + i];
    if (d !== 0) return d;
  }
  return la - lb;
}

export function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function copyBlock(b: Buffer): Buffer {
  const c = Buffer.allocUnsafeSlow(b.length);
  b.copy(c);
  return c;
}
