/**
 * Listpacks (listpack.c), the packed form Redis 7.0 keeps small hashes, sorted sets, list
 * nodes and stream nodes in, and writes into RDB as one string.
 *
 * Layout: total bytes (u32 LE), element count (u16 LE; 65535 = "count them"), the elements,
 * 0xFF. An element is its encoding and data, then a "backlen" (the encoding+data size in 1-5
 * bytes, 7 bits a byte, read from the end). Integers take 1 (0..127), 2 (13-bit), 3, 4, 5 or 9
 * bytes; strings a 1-, 2- or 5-byte header then their bytes. As lpAppend does, a string that
 * is a canonical int64 ("12", not "012" or "+1") is stored as an integer, so the bytes built
 * here are Redis's.
 *
 * Reading validates as lpValidateIntegrity(deep) does (every entry in bounds, backlens
 * consistent, terminator and count right) and throws RdbFormatError on anything else.
 */
import { putStringHeader } from '../../engine/values/stream-listpack.js';
import { RdbFormatError } from './constants.js';

const HDR_SIZE = 6;
const EOF = 0xff;
const NUMELE_UNKNOWN = 0xffff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An element as read: a string's bytes (a view into the listpack) or an integer. */
export type ListpackItem = Buffer | bigint;

/** lpStringToInt64: the canonical int64 a string spells, or null. */
export function int64Of(s: Uint8Array): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s[0] === 45) {
    if (n === 1) return null;
    i = 1;
  }
  if (s[i] < 49 || s[i] > 57) return n === 1 && s[0] === 48 ? 0n : null;
  let small = 0;
  for (let k = i; k < n; k++) {
    const c = s[k] - 48;
    if (c < 0 || c > 9) return null;
    if (k - i < 15) small = small * 10 + c;
  }
  if (n - i <= 15) return BigInt(s[0] === 45 ? -small : small);
  const v = BigInt(Buffer.from(s.buffer, s.byteOffset, n).toString('latin1'));
  return v >= INT64_MIN && v <= INT64_MAX ? v : null;
}

/** lpEncodeBacklen's size for an entry of `l` bytes (note Redis's `<` bounds). */
function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Builds one listpack element by element; `bytes` is lpBytes at every step. */
export class ListpackBuilder {
  private buf: Buffer;
  private len = HDR_SIZE;
  private n = 0;

  constructor(capacity = 64) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 16));
  }

  /** Elements so far. */
  get count(): number {
    return this.n;
  }

  /** lpBytes of the listpack so far (header and terminator included). */
  get bytes(): number {
    return this.len + 1;
  }

  private room(n: number): void {
    if (this.len + n + 1 <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n + 1));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  private backlen(l: number): void {
    const b = this.buf;
    let p = this.len;
    const size = backlenSize(l);
    // Most significant 7-bit group first; every byte but the first has the high bit set.
    for (let k = size - 1; k >= 0; k--) {
      const group = Math.floor(l / 2 ** (7 * k)) & 127;
      b[p++] = k === size - 1 ? group : group | 128;
    }
    this.len = p;
  }

  /** lpAppend: a string, stored as an integer when it is a canonical int64. */
  append(item: Uint8Array | string): this {
    const bytes = typeof item === 'string' ? Buffer.from(item, 'latin1') : item;
    const v = int64Of(bytes);
    if (v !== null) return this.appendInt(v);
    return this.appendString(bytes);
  }

  /** A string element as it is (no integer detection). */
  appendString(s: Uint8Array): this {
    const n = s.length;
    const hdr = n < 64 ? 1 : n < 4096 ? 2 : 5;
    this.room(hdr + n + 5);
    const b = this.buf;
    const p = putStringHeader(b, this.len, n);
    b.set(s, p);
    this.len = p + n;
    this.backlen(hdr + n);
    this.n++;
    return this;
  }

  /** lpAppendInteger: the smallest integer encoding. */
  appendInt(value: bigint | number): this {
    this.room(14);
    const b = this.buf;
    const p = this.len;
    let size: number;
    const v = typeof value === 'bigint' ? value : BigInt(value);
    if (v < INT64_MIN || v > INT64_MAX) throw new RangeError('listpack integers are int64');
    if (v >= -2147483648n && v <= 2147483647n) {
      const x = Number(v);
      if (x >= 0 && x <= 127) {
        b[p] = x;
        size = 1;
      } else if (x >= -4096 && x <= 4095) {
        const u = x < 0 ? (1 << 13) + x : x;
        b[p] = (u >> 8) | 0xc0;
        b[p + 1] = u & 0xff;
        size = 2;
      } else if (x >= -32768 && x <= 32767) {
        b[p] = 0xf1;
        b.writeInt16LE(x, p + 1);
        size = 3;
      } else if (x >= -8388608 && x <= 8388607) {
        const u = x < 0 ? (1 << 24) + x : x;
        b[p] = 0xf2;
        b[p + 1] = u & 0xff;
        b[p + 2] = (u >> 8) & 0xff;
        b[p + 3] = (u >> 16) & 0xff;
        size = 4;
      } else {
        b[p] = 0xf3;
        b.writeInt32LE(x, p + 1);
        size = 5;
      }
    } else {
      b[p] = 0xf4;
      b.writeBigInt64LE(v, p + 1);
      size = 9;
    }
    this.len = p + size;
    this.backlen(size);
    this.n++;
    return this;
  }

  /** The listpack's bytes (a copy); the builder can go on appending afterwards. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.len + 1);
    this.buf.copy(out, 0, 0, this.len);
    out.writeUInt32LE(this.len + 1, 0);
    out.writeUInt16LE(Math.min(this.n, NUMELE_UNKNOWN), 4);
    out[this.len] = EOF;
    return out;
  }
}

/** A listpack of these elements (strings as lpAppend stores them; numbers and bigints as integers). */
export function encodeListpack(items: Iterable<Uint8Array | string | number | bigint>): Buffer {
  const b = new ListpackBuilder();
  for (const it of items) {
    if (typeof it === 'number' || typeof it === 'bigint') b.appendInt(it);
    else b.append(it);
  }
  return b.finish();
}

/** Size of the encoding and data of the entry at `p` (lpCurrentEncodedSizeUnsafe), 0 if invalid. */
function entrySize(lp: Uint8Array, p: number): number {
  const c = lp[p];
  if (c < 0x80) return 1;
  if (c < 0xc0) return 1 + (c & 0x3f);
  if (c < 0xe0) return 2;
  if (c < 0xf0) return 2 + (((c & 0x0f) << 8) | lp[p + 1]);
  switch (c) {
    case 0xf0:
      return 5 + (lp[p + 1] | (lp[p + 2] << 8) | (lp[p + 3] << 16)) + lp[p + 4] * 0x1000000;
    case 0xf1:
      return 3;
    case 0xf2:
      return 4;
    case 0xf3:
      return 5;
    case 0xf4:
      return 9;
    default:
      return 0;
  }
}

/** Bytes of the encoding header before the data (lpCurrentEncodedSizeBytes), 0 if invalid. */
function headerBytes(c: number): number {
  if (c < 0xe0) return 1;
  if (c < 0xf0) return 2;
  if (c === 0xf0) return 5;
  return c <= 0xf4 ? 1 : 0;
}

/** lpDecodeBacklen read backwards from `p`; -1 when it runs past 5 bytes or the start. */
function decodeBacklen(lp: Uint8Array, p: number): number {
  let val = 0;
  let shift = 0;
  for (;;) {
    if (p < 0) return -1;
    const b = lp[p];
    val += (b & 127) * 2 ** shift;
    if ((b & 128) === 0) return val;
    shift += 7;
    p--;
    if (shift > 28) return -1;
  }
}

/** The element at `p` (already validated): a view for strings, a bigint for integers. */
function itemAt(lp: Buffer, p: number): ListpackItem {
  const c = lp[p];
  if (c < 0x80) return BigInt(c);
  if (c < 0xc0) return lp.subarray(p + 1, p + 1 + (c & 0x3f));
  if (c < 0xe0) {
    const u = ((c & 0x1f) << 8) | lp[p + 1];
    return BigInt(u >= 1 << 12 ? u - (1 << 13) : u);
  }
  if (c < 0xf0) return lp.subarray(p + 2, p + 2 + (((c & 0x0f) << 8) | lp[p + 1]));
  switch (c) {
    case 0xf0:
      return lp.subarray(p + 5, p + 5 + lp.readUInt32LE(p + 1));
    case 0xf1:
      return BigInt(lp.readInt16LE(p + 1));
    case 0xf2: {
      const u = lp[p + 1] | (lp[p + 2] << 8) | (lp[p + 3] << 16);
      return BigInt(u >= 1 << 23 ? u - (1 << 24) : u);
    }
    case 0xf3:
      return BigInt(lp.readInt32LE(p + 1));
    default:
      return lp.readBigInt64LE(p + 1);
  }
}

/**
 * Walk a listpack, validating it deeply; `visit` gets each element in order. Returns the
 * element count. Throws RdbFormatError when the listpack is malformed.
 */
export function walkListpack(data: Uint8Array, visit?: (item: ListpackItem, index: number) => void): number {
  const lp = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const size = lp.length;
  if (size < HDR_SIZE + 1) throw new RdbFormatError('listpack too short');
  if (lp.readUInt32LE(0) !== size) throw new RdbFormatError('listpack size mismatch');
  if (lp[size - 1] !== EOF) throw new RdbFormatError('listpack without terminator');
  const numele = lp.readUInt16LE(4);
  const last = size - 1;
  let p = HDR_SIZE;
  let count = 0;
  while (lp[p] !== EOF) {
    const hb = headerBytes(lp[p]);
    if (hb === 0 || p + hb > last) throw new RdbFormatError('listpack entry out of range');
    const len = entrySize(lp, p);
    const total = len + backlenSize(len);
    if (len === 0 || p + total > last) throw new RdbFormatError('listpack entry out of range');
    if (decodeBacklen(lp, p + total - 1) !== len) throw new RdbFormatError('listpack backlen mismatch');
    if (visit !== undefined) visit(itemAt(lp, p), count);
    p += total;
    count++;
  }
  if (p !== last) throw new RdbFormatError('listpack terminator misplaced');
  if (numele !== NUMELE_UNKNOWN && numele !== count) throw new RdbFormatError('listpack count mismatch');
  return count;
}

/** Every element of a listpack (validated): string views and bigints. */
export function decodeListpack(data: Uint8Array): ListpackItem[] {
  const out: ListpackItem[] = [];
  walkListpack(data, (it) => out.push(it));
  return out;
}

/** An element as Redis hands it out: the bytes, or the integer's decimal text. */
export function itemLatin1(it: ListpackItem): string {
  return typeof it === 'bigint' ? it.toString() : it.toString('latin1');
}

/** Every element of a listpack as a latin1 string (integers in decimal). */
export function listpackStrings(data: Uint8Array): string[] {
  const out: string[] = [];
  walkListpack(data, (it) => out.push(itemLatin1(it)));
  return out;
}

/** lpValidateIntegrity(deep): the element count, or RdbFormatError. */
export function validateListpack(data: Uint8Array): number {
  return walkListpack(data);
}
