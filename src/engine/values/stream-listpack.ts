/**
 * Listpack elements (Redis 7.0's listpack.c), as stream nodes keep them: sizes, writing and
 * reading in a Buffer. An element is its encoding (type byte(s) plus data) followed by a
 * back-length of 1-5 bytes giving the encoding's size, read from its end, so a listpack can be
 * walked both ways. A string that reads as an int64 in canonical form is stored as an integer
 * (lpAppend), so the bytes written here are the ones Redis writes.
 *
 *   0xxxxxxx           7-bit unsigned int      10xxxxxx + data   string < 64 bytes
 *   110xxxxx yyyyyyyy  13-bit signed int       1110xxxx yyyyyyyy + data   string < 4096
 *   F1 / F2 / F3 / F4  16 / 24 / 32 / 64-bit signed int, little endian
 *   F0 + u32 LE + data string                   FF                end of the listpack
 *
 * The listpack's header is its total bytes (u32 LE) and element count (u16 LE, 65535 once
 * there are that many or more).
 */
import { isInt64String } from './set.js';

/** The listpack header (total bytes u32, element count u16). */
export const LP_HEADER_BYTES = 6;
/** The header and its end byte. */
export const LP_HEADER_AND_END_BYTES = 7;
export const LP_EOF = 0xff;
/** The element count saturates here ("unknown": count them). */
export const LP_NUMELE_UNKNOWN = 0xffff;

/** Encoded size of an integer element, without its back-length. */
function intEncodedBytes(v: number): number {
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

/** Bytes of the back-length field for an element whose encoding takes `l` bytes. */
export function backlenBytes(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Bytes of an integer element (lpAppendInteger); a bigint must be an int64. */
export function lpIntBytes(v: bigint | number): number {
  const enc =
    typeof v === 'number'
      ? intEncodedBytes(v)
      : v >= -2147483648n && v <= 2147483647n
        ? intEncodedBytes(Number(v))
        : 9;
  return enc + backlenBytes(enc);
}

/** Bytes of a string element (lpAppend): as an integer when it reads as one. */
export function lpStringBytes(s: string): number {
  const n = s.length;
  let enc: number;
  if (n <= 20 && isInt64String(s)) enc = n <= 15 ? intEncodedBytes(Number(s)) : lpIntBytes(BigInt(s)) - 1;
  else if (n < 64) enc = 1 + n;
  else if (n < 4096) enc = 2 + n;
  else enc = 5 + n;
  return enc + backlenBytes(enc);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The int64 the bytes `b` spell in canonical form (no sign on 0, no leading zeros), as
 * lpStringToInt64 reads them: a number for up to 15 characters, a bigint for longer ones;
 * null when they spell none (then the element is stored as a string).
 */
export function canonicalInt(b: Uint8Array): number | bigint | null {
  const n = b.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (b[0] === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const first = b[i];
  if (first === 48) return n === 1 ? 0 : null;
  if (first < 48 || first > 57) return null;
  let v = 0;
  for (; i < n; i++) {
    const c = b[i];
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  if (n <= 15) return b[0] === 45 ? -v : v;
  const big = BigInt(String.fromCharCode.apply(null, b as unknown as number[]));
  return big >= INT64_MIN && big <= INT64_MAX ? big : null;
}

/** lpStringBytes for an element given as bytes. */
export function lpBytesSize(b: Uint8Array): number {
  const n = b.length;
  if (n <= 20) {
    const v = canonicalInt(b);
    if (v !== null) return lpIntBytes(v);
  }
  const enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return enc + backlenBytes(enc);
}

/** The encoding byte(s) of a string element of `n` bytes at `off`; the offset after them. */
export function putStringHeader(buf: Buffer, off: number, n: number): number {
  let p = off;
  if (n < 64) buf[p++] = 0x80 | n;
  else if (n < 4096) {
    buf[p++] = 0xe0 | (n >> 8);
    buf[p++] = n & 0xff;
  } else {
    buf[p++] = 0xf0;
    buf.writeUInt32LE(n, p);
    p += 4;
  }
  return p;
}

/** putString for an element given as bytes; the offset after it. */
export function putBytes(buf: Buffer, off: number, b: Uint8Array): number {
  const n = b.length;
  if (n <= 20) {
    const v = canonicalInt(b);
    if (v !== null) return typeof v === 'number' ? putInt(buf, off, v) : putBigInt(buf, off, v);
  }
  let p = putStringHeader(buf, off, n);
  if (n < 32) for (let i = 0; i < n; i++) buf[p++] = b[i];
  else {
    buf.set(b, p);
    p += n;
  }
  return putBacklen(buf, p, p - off);
}

/** Most bytes a string element of `n` chars can take (for making room before writing). */
export function lpStringMaxBytes(n: number): number {
  return n + 10;
}

/** Write the back-length for an element of `l` encoded bytes at `off`; the offset after it. */
function putBacklen(buf: Buffer, off: number, l: number): number {
  if (l <= 127) {
    buf[off] = l;
    return off + 1;
  }
  const n = backlenBytes(l);
  // Most significant 7 bits first; every byte but the first has its high bit set.
  for (let i = n - 1; i >= 0; i--) {
    buf[off + i] = (l & 127) | (i === 0 ? 0 : 128);
    l = Math.floor(l / 128);
  }
  return off + n;
}

/** Write an integer element (a safe integer) at `off`; the offset after it. */
export function putInt(buf: Buffer, off: number, v: number): number {
  if (v >= 0 && v <= 127) {
    buf[off] = v;
    buf[off + 1] = 1;
    return off + 2;
  }
  if (v >= -4096 && v <= 4095) {
    const u = v < 0 ? 8192 + v : v;
    buf[off] = 0xc0 | (u >> 8);
    buf[off + 1] = u & 0xff;
    buf[off + 2] = 2;
    return off + 3;
  }
  if (v >= -32768 && v <= 32767) {
    buf[off] = 0xf1;
    buf.writeInt16LE(v, off + 1);
    buf[off + 3] = 3;
    return off + 4;
  }
  if (v >= -8388608 && v <= 8388607) {
    buf[off] = 0xf2;
    buf.writeIntLE(v, off + 1, 3);
    buf[off + 4] = 4;
    return off + 5;
  }
  if (v >= -2147483648 && v <= 2147483647) {
    buf[off] = 0xf3;
    buf.writeInt32LE(v, off + 1);
    buf[off + 5] = 5;
    return off + 6;
  }
  buf[off] = 0xf4;
  buf.writeBigInt64LE(BigInt(v), off + 1);
  buf[off + 9] = 9;
  return off + 10;
}

/** Write an int64 integer element at `off`; the offset after it. */
export function putBigInt(buf: Buffer, off: number, v: bigint): number {
  if (v >= -2147483648n && v <= 2147483647n) return putInt(buf, off, Number(v));
  buf[off] = 0xf4;
  buf.writeBigInt64LE(v, off + 1);
  buf[off + 9] = 9;
  return off + 10;
}

/** Write a string element (an integer when it reads as one) at `off`; the offset after it. */
export function putString(buf: Buffer, off: number, s: string): number {
  const n = s.length;
  if (n <= 20 && isInt64String(s))
    return n <= 15 ? putInt(buf, off, Number(s)) : putBigInt(buf, off, BigInt(s));
  let p = putStringHeader(buf, off, n);
  if (n < 32) for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
  else p += buf.write(s, p, n, 'latin1');
  return putBacklen(buf, p, p - off);
}

/** Bytes of the (valid) element at `off`, back-length included. */
export function elementSize(buf: Uint8Array, off: number): number {
  const b = buf[off];
  if (b < 0x80) return 2;
  if (b < 0xc0) {
    const l = 1 + (b & 0x3f);
    return l + backlenBytes(l);
  }
  if (b < 0xe0) return 3;
  if (b < 0xf0) {
    const l = 2 + (((b & 0x0f) << 8) | buf[off + 1]);
    return l + backlenBytes(l);
  }
  switch (b) {
    case 0xf0: {
      const l = 5 + (buf[off + 1] | (buf[off + 2] << 8) | (buf[off + 3] << 16)) + buf[off + 4] * 0x1000000;
      return l + backlenBytes(l);
    }
    case 0xf1:
      return 4;
    case 0xf2:
      return 5;
    case 0xf3:
      return 6;
    case 0xf4:
      return 10;
    default:
      return 1; // the end byte
  }
}

/** Whether the element at `off` is an integer taking 64 bits (its value may not be a safe number). */
export function isWideInt(buf: Uint8Array, off: number): boolean {
  return buf[off] === 0xf4;
}

/** The integer element at `off` as a number (exact unless it is a wide one). */
export function readInt(buf: Buffer, off: number): number {
  const b = buf[off];
  if (b < 0x80) return b;
  if (b >= 0xc0 && b < 0xe0) {
    const u = ((b & 0x1f) << 8) | buf[off + 1];
    return u >= 4096 ? u - 8192 : u;
  }
  switch (b) {
    case 0xf1:
      return buf.readInt16LE(off + 1);
    case 0xf2:
      return buf.readIntLE(off + 1, 3);
    case 0xf3:
      return buf.readInt32LE(off + 1);
    case 0xf4:
      return Number(buf.readBigInt64LE(off + 1));
    default:
      return Number.NaN;
  }
}

/** The integer element at `off` as an exact int64. */
export function readBigInt(buf: Buffer, off: number): bigint {
  return buf[off] === 0xf4 ? buf.readBigInt64LE(off + 1) : BigInt(readInt(buf, off));
}

/** Whether the element at `off` is an integer (of any width). */
export function isIntElement(buf: Uint8Array, off: number): boolean {
  const b = buf[off];
  return b < 0x80 || (b >= 0xc0 && b < 0xe0) || (b >= 0xf1 && b <= 0xf4);
}

/** The element at `off` as a latin1 string (an integer as its decimal text), as lpGet gives it. */
/** readString's bytes, as a Buffer of their own (for replies: no string in between). */
export function readBytes(buf: Buffer, off: number): Buffer {
  const b = buf[off];
  let at = -1;
  let n = 0;
  if (b >= 0x80 && b < 0xc0) {
    at = off + 1;
    n = b & 0x3f;
  } else if (b >= 0xe0 && b < 0xf0) {
    at = off + 2;
    n = ((b & 0x0f) << 8) | buf[off + 1];
  } else if (b === 0xf0) {
    at = off + 5;
    n = buf.readUInt32LE(off + 1);
  }
  if (at < 0) return Buffer.from(readString(buf, off), 'latin1');
  const out = Buffer.allocUnsafe(n);
  buf.copy(out, 0, at, at + n);
  return out;
}

export function readString(buf: Buffer, off: number): string {
  const b = buf[off];
  if (b >= 0x80 && b < 0xc0) return buf.toString('latin1', off + 1, off + 1 + (b & 0x3f));
  if (b >= 0xe0 && b < 0xf0) {
    const n = ((b & 0x0f) << 8) | buf[off + 1];
    return buf.toString('latin1', off + 2, off + 2 + n);
  }
  if (b === 0xf0) return buf.toString('latin1', off + 5, off + 5 + buf.readUInt32LE(off + 1));
  if (b === 0xf4) return buf.readBigInt64LE(off + 1).toString();
  return String(readInt(buf, off));
}

/** Offset of the element before the one at `off` (walking back over its back-length). */
export function prevElement(buf: Uint8Array, off: number): number {
  let p = off - 1;
  let l = buf[p] & 127;
  let shift = 7;
  while ((buf[p] & 128) !== 0) {
    p--;
    l += (buf[p] & 127) * 2 ** shift;
    shift += 7;
  }
  return p - l;
}

/**
 * Checks one element of an untrusted listpack, as lpValidateNext does: its encoding is known,
 * it ends before `end` (the end byte's offset), and its back-length matches. The offset of the
 * next element, or -1.
 */
export function checkElement(buf: Uint8Array, off: number, end: number): number {
  if (off >= end) return -1;
  const b = buf[off];
  if (b >= 0xf5) return -1;
  const headerBytes = b === 0xf0 ? 5 : b >= 0xe0 && b < 0xf0 ? 2 : 1;
  if (off + headerBytes > end) return -1;
  const size = elementSize(buf, off);
  if (off + size > end) return -1;
  const next = off + size;
  // The back-length, read from its end, gives the encoding's size.
  let p = next - 1;
  let l = buf[p] & 127;
  let shift = 7;
  while ((buf[p] & 128) !== 0) {
    p--;
    if (p < off || shift > 28) return -1;
    l += (buf[p] & 127) * 2 ** shift;
    shift += 7;
  }
  return p - l === off ? next : -1;
}
