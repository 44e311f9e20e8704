/**
 * Reading RDB data: lengths, strings in their three forms (plain, integer, LZF), doubles,
 * times. Every read goes through `need(n)`, which makes sure `n` bytes are buffered at the read
 * position; over a Buffer it only checks, and a subclass can override `fill` to read more from
 * a file in chunks (synchronously) so that memory stays bounded. Malformed or short input
 * throws RdbFormatError, never reads out of bounds.
 */
import {
  RDB_6BITLEN,
  RDB_14BITLEN,
  RDB_32BITLEN,
  RDB_64BITLEN,
  RDB_ENC_INT8,
  RDB_ENC_INT16,
  RDB_ENC_INT32,
  RDB_ENC_LZF,
  RDB_ENCVAL,
  RdbFormatError,
} from './constants.js';
import { lzfDecompress } from './lzf.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Most bytes one compressed byte can stand for (264 from a 3-byte back reference). */
const LZF_MAX_EXPANSION = 88;
/** The legacy double's text: what sscanf("%lg") would take from its start. */
const LEGACY_DOUBLE_RE = /^\s*([+-]?(?:inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?))/i;

/** What C's strtod reads from the start of `text` (decimal forms, inf, nan), null if nothing. */
export function strtodPrefix(text: string): number | null {
  const m = LEGACY_DOUBLE_RE.exec(text);
  if (m === null) return null;
  const t = m[1].toLowerCase();
  const neg = t.startsWith('-');
  if (t.includes('inf')) return neg ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (t.includes('nan')) return Number.NaN;
  return Number.parseFloat(t);
}

export class RdbReader {
  /** Buffered bytes; `off` is the read position in it. */
  protected buf: Buffer;
  protected off = 0;
  /** Absolute offset of buf[0] in the whole input (advanced by refilling subclasses). */
  protected base = 0;
  /** Set by `rawLength`: the last length read was a special string encoding. */
  private lastEncoded = false;

  constructor(buf: Buffer = Buffer.alloc(0)) {
    this.buf = buf;
  }

  /** Bytes consumed so far (absolute position in the input). */
  get pos(): number {
    return this.base + this.off;
  }

  /** Make sure `n` bytes are buffered at the read position, else throw. */
  protected need(n: number): void {
    if (this.off + n > this.buf.length) this.fill(n);
  }

  /**
   * Called when fewer than `n` bytes are buffered: a streaming subclass keeps the unread tail,
   * reads more (adjusting `buf`, `off`, `base`) until `n` bytes are there, or throws at the end
   * of its input. The base class reads one Buffer, so it is truncated input.
   */
  protected fill(_n: number): void {
    throw new RdbFormatError('unexpected end of RDB data');
  }

  /** True when the input is exhausted (no byte left to read). */
  eof(): boolean {
    if (this.off < this.buf.length) return false;
    try {
      this.need(1);
      return false;
    } catch (e) {
      if (e instanceof RdbFormatError) return true;
      throw e;
    }
  }

  /** Bytes left in the buffer (for a Buffer reader: in the whole input). */
  remaining(): number {
    return this.buf.length - this.off;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.off++];
  }

  u16le(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.off);
    this.off += 2;
    return v;
  }

  u32le(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.off);
    this.off += 4;
    return v;
  }

  i32le(): number {
    this.need(4);
    const v = this.buf.readInt32LE(this.off);
    this.off += 4;
    return v;
  }

  u32be(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }

  u64be(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.off);
    this.off += 8;
    return v;
  }

  u64le(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.off);
    this.off += 8;
    return v;
  }

  i64le(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.off);
    this.off += 8;
    return v;
  }

  /** `n` bytes as a view into the buffer, valid until the next read (copy to keep them). */
  bytes(n: number): Buffer {
    if (!Number.isSafeInteger(n) || n < 0) throw new RdbFormatError('invalid byte count');
    this.need(n);
    const v = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }

  /** Skip `n` bytes. */
  skip(n: number): void {
    this.bytes(n);
  }

  /**
   * rdbLoadLenByRef: the value, with `lastEncoded` telling whether it is a special string
   * encoding (top bits 11) rather than a length. 64-bit values as bigint only when needed.
   */
  private rawLength(): number | bigint {
    const first = this.u8();
    const kind = first >> 6;
    this.lastEncoded = false;
    if (kind === RDB_ENCVAL) {
      this.lastEncoded = true;
      return first & 0x3f;
    }
    if (kind === RDB_6BITLEN) return first & 0x3f;
    if (kind === RDB_14BITLEN) return ((first & 0x3f) << 8) | this.u8();
    if (first === RDB_32BITLEN) return this.u32be();
    if (first === RDB_64BITLEN) {
      const v = this.u64be();
      return v <= MAX_SAFE ? Number(v) : v;
    }
    throw new RdbFormatError(`unknown length encoding ${first}`);
  }

  /** A length (rdbLoadLen), at most 2^53 - 1; a string encoding here is an error. */
  length(): number {
    const v = this.rawLength();
    if (this.lastEncoded) throw new RdbFormatError('unexpected string encoding in place of a length');
    if (typeof v === 'bigint') throw new RdbFormatError('length too large');
    return v;
  }

  /** A length as a 64-bit unsigned integer (stream IDs and counters). */
  lengthBig(): bigint {
    const v = this.rawLength();
    if (this.lastEncoded) throw new RdbFormatError('unexpected string encoding in place of a length');
    return BigInt(v);
  }

  /**
   * An RDB string (rdbGenericLoadStringObject) as a view valid until the next read: plain
   * bytes, an 8/16/32-bit integer (as its decimal text), or LZF-compressed bytes.
   */
  stringView(): Buffer {
    const v = this.rawLength();
    if (typeof v === 'bigint') throw new RdbFormatError('string too large');
    if (!this.lastEncoded) return this.bytes(v);
    switch (v) {
      case RDB_ENC_INT8: {
        this.need(1);
        const n = this.buf.readInt8(this.off);
        this.off += 1;
        return Buffer.from(String(n), 'latin1');
      }
      case RDB_ENC_INT16: {
        this.need(2);
        const n = this.buf.readInt16LE(this.off);
        this.off += 2;
        return Buffer.from(String(n), 'latin1');
      }
      case RDB_ENC_INT32:
        return Buffer.from(String(this.i32le()), 'latin1');
      case RDB_ENC_LZF: {
        const clen = this.length();
        const len = this.length();
        // Refuse before allocating: LZF turns 3 bytes into at most 264 (a long back reference).
        if (len > 0x7fffffff || len > clen * LZF_MAX_EXPANSION + LZF_MAX_EXPANSION)
          throw new RdbFormatError('LZF string too large for its compressed size');
        return lzfDecompress(this.bytes(clen), len);
      }
      default:
        throw new RdbFormatError(`unknown string encoding ${v}`);
    }
  }

  /** An RDB string the caller owns. */
  string(): Buffer {
    const v = this.stringView();
    return v.buffer === this.buf.buffer ? Buffer.from(v) : v;
  }

  /** An RDB string as a latin1 JS string (one char per byte: how collections keep elements). */
  stringLatin1(): string {
    return this.stringView().toString('latin1');
  }

  /** A string that must hold an integer in decimal (an integer-encoded string or its text). */
  stringInt(): bigint {
    const s = this.stringLatin1();
    if (!/^-?\d{1,20}$/.test(s)) throw new RdbFormatError('expected an integer string');
    return BigInt(s);
  }

  /** RDB 8+ doubles: IEEE 754 binary64, little endian. */
  binaryDouble(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.off);
    this.off += 8;
    return v;
  }

  binaryFloat(): number {
    this.need(4);
    const v = this.buf.readFloatLE(this.off);
    this.off += 4;
    return v;
  }

  /** rdbLoadDoubleValue: a length byte (253 nan, 254 +inf, 255 -inf) then the number as text. */
  legacyDouble(): number {
    const len = this.u8();
    if (len === 255) return Number.NEGATIVE_INFINITY;
    if (len === 254) return Number.POSITIVE_INFINITY;
    if (len === 253) return Number.NaN;
    const v = strtodPrefix(this.bytes(len).toString('latin1'));
    if (v === null) throw new RdbFormatError('invalid double');
    return v;
  }

  /** rdbLoadMillisecondTime: 8 bytes little endian, signed (Unix ms). */
  millisecondTime(): number {
    const v = this.i64le();
    return Number(v);
  }

  /** rdbLoadTime: 4 bytes little endian, signed (Unix seconds; old files). */
  secondTime(): number {
    return this.i32le();
  }
}
