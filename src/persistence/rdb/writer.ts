/**
 * Writing RDB data into a growing buffer, with Redis's choices (rdb.c): lengths in the
 * shortest form, strings as integers when they are canonical integers that fit in 32 bits
 * (rdbTryIntegerEncoding), LZF-compressed when longer than 20 bytes, compression is on and it
 * saves at least 4 bytes (rdbSaveLzfStringObject), else plain. `drain()` hands over what is
 * written so far, so a large file can be written in chunks.
 */
import {
  RDB_14BITLEN,
  RDB_32BITLEN,
  RDB_64BITLEN,
  RDB_ENC_INT8,
  RDB_ENC_INT16,
  RDB_ENC_INT32,
  RDB_ENC_LZF,
  RDB_ENCVAL,
} from './constants.js';
import { lzfCompress } from './lzf.js';

const INITIAL_BYTES = 256;
/** Redis tries integer encoding only on strings of at most 11 bytes ("-2147483648"). */
const INT_ENCODING_MAX_LEN = 11;
/** ...and LZF only above 20 bytes. */
const LZF_MIN_LEN = 21;

export interface StringOptions {
  /** Try LZF (Redis's `rdbcompression yes`). Default true. */
  compress?: boolean;
}

/** Redis's string2ll on a short string, limited to int32 (rdbTryIntegerEncoding), else null. */
export function int32Of(s: Uint8Array): number | null {
  const n = s.length;
  if (n === 0 || n > INT_ENCODING_MAX_LEN) return null;
  let i = 0;
  const neg = s[0] === 45;
  if (neg) {
    if (n === 1) return null;
    i = 1;
  }
  if (s[i] === 48) return n === 1 ? 0 : null; // "0" only: no leading zeros, no "-0"
  let v = 0;
  for (; i < n; i++) {
    const c = s[i] - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  if (neg) v = -v;
  return v >= -2147483648 && v <= 2147483647 ? v : null;
}

export class RdbWriter {
  private buf: Buffer;
  private len = 0;
  /** Bytes handed over by `drain` before the current buffer. */
  private drained = 0;

  constructor(initialBytes = INITIAL_BYTES) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialBytes));
  }

  /** Bytes written in all (drained ones included). */
  get size(): number {
    return this.drained + this.len;
  }

  /** Bytes written and not drained yet. */
  get pending(): number {
    return this.len;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16le(v: number): this {
    this.room(2);
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
    return this;
  }

  u32le(v: number): this {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }

  i32le(v: number): this {
    this.room(4);
    this.buf.writeInt32LE(v, this.len);
    this.len += 4;
    return this;
  }

  u32be(v: number): this {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }

  u64be(v: bigint): this {
    this.room(8);
    this.buf.writeBigUInt64BE(v, this.len);
    this.len += 8;
    return this;
  }

  u64le(v: bigint): this {
    this.room(8);
    this.buf.writeBigUInt64LE(v, this.len);
    this.len += 8;
    return this;
  }

  i64le(v: bigint): this {
    this.room(8);
    this.buf.writeBigInt64LE(v, this.len);
    this.len += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** A latin1 string's bytes (one per char). */
  latin1(s: string): this {
    this.room(s.length);
    this.len += this.buf.write(s, this.len, s.length, 'latin1');
    return this;
  }

  /** rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit (big endian) form. */
  length(n: number | bigint): this {
    if (typeof n === 'bigint') {
      if (n < 0n) throw new RangeError('negative length');
      if (n <= 0xffffffffn) return this.length(Number(n));
      return this.u8(RDB_64BITLEN).u64be(n);
    }
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`invalid length ${n}`);
    if (n < 1 << 6) return this.u8(n);
    if (n < 1 << 14) return this.u8((n >> 8) | (RDB_14BITLEN << 6)).u8(n & 0xff);
    if (n <= 0xffffffff) return this.u8(RDB_32BITLEN).u32be(n);
    return this.u8(RDB_64BITLEN).u64be(BigInt(n));
  }

  /** rdbEncodeInteger: an integer string in 1, 2 or 4 bytes. */
  private encodedInt(v: number): this {
    if (v >= -128 && v <= 127) return this.u8((RDB_ENCVAL << 6) | RDB_ENC_INT8).u8(v);
    if (v >= -32768 && v <= 32767) return this.u8((RDB_ENCVAL << 6) | RDB_ENC_INT16).u16le(v & 0xffff);
    return this.u8((RDB_ENCVAL << 6) | RDB_ENC_INT32).i32le(v);
  }

  /** rdbSaveRawString: integer form, else LZF (when on and worth it), else plain. */
  string(s: Uint8Array, opts?: StringOptions): this {
    const n = s.length;
    if (n <= INT_ENCODING_MAX_LEN) {
      const v = int32Of(s);
      if (v !== null) return this.encodedInt(v);
    }
    if (n >= LZF_MIN_LEN && opts?.compress !== false) {
      const c = lzfCompress(s);
      if (c !== null) return this.lzfBlob(c, n);
    }
    return this.length(n).bytes(s);
  }

  /** A latin1 string (a collection element) as an RDB string. */
  stringLatin1(s: string, opts?: StringOptions): this {
    return this.string(Buffer.from(s, 'latin1'), opts);
  }

  /** rdbSaveLongLongAsStringObject: an integer in encoded form when it fits in 32 bits, else its text. */
  stringInt(v: bigint | number): this {
    const b = BigInt(v);
    if (b >= -2147483648n && b <= 2147483647n) return this.encodedInt(Number(b));
    const text = b.toString();
    return this.length(text.length).latin1(text);
  }

  /** rdbSaveLzfBlob: the LZF marker, compressed and original lengths, then the data. */
  lzfBlob(compressed: Uint8Array, originalLength: number): this {
    return this.u8((RDB_ENCVAL << 6) | RDB_ENC_LZF)
      .length(compressed.length)
      .length(originalLength)
      .bytes(compressed);
  }

  /** RDB 8+ double: IEEE 754 binary64, little endian. */
  binaryDouble(v: number): this {
    this.room(8);
    this.buf.writeDoubleLE(v, this.len);
    this.len += 8;
    return this;
  }

  binaryFloat(v: number): this {
    this.room(4);
    this.buf.writeFloatLE(v, this.len);
    this.len += 4;
    return this;
  }

  /** rdbSaveMillisecondTime: signed 8 bytes little endian. */
  millisecondTime(ms: number): this {
    return this.i64le(BigInt(Math.trunc(ms)));
  }

  /** Everything written since the last `drain` (a copy), and forget it. */
  drain(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.len));
    this.drained += this.len;
    this.len = 0;
    return out;
  }

  /** Everything written since the last `drain`, as a view valid until the next write. */
  peek(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** The bytes written (since the last drain); the writer should not be used afterwards. */
  finish(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}
