/**
 * Intsets (intset.c): a sorted array of distinct integers, all in the narrowest width that
 * holds the widest (2, 4 or 8 bytes). Layout: encoding (u32 LE: the width), length (u32 LE),
 * then the values little endian in ascending order. Redis widens an intset and never narrows
 * it; a value written here takes the narrowest width its members need.
 */
import { RdbFormatError } from './constants.js';

const HEADER_BYTES = 8;
const INT16_MIN = -32768n;
const INT16_MAX = 32767n;
const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

/** The intset of these integers (any order; duplicates are an error). */
export function encodeIntset(values: Iterable<bigint>): Buffer {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let width = 2;
  for (const v of sorted) {
    if (v < INT32_MIN || v > INT32_MAX) width = 8;
    else if ((v < INT16_MIN || v > INT16_MAX) && width < 4) width = 4;
  }
  const out = Buffer.allocUnsafe(HEADER_BYTES + sorted.length * width);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(sorted.length, 4);
  let p = HEADER_BYTES;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i];
    if (i > 0 && v === sorted[i - 1]) throw new RangeError('duplicate intset member');
    if (width === 2) out.writeInt16LE(Number(v), p);
    else if (width === 4) out.writeInt32LE(Number(v), p);
    else out.writeBigInt64LE(v, p);
    p += width;
  }
  return out;
}

/**
 * The members of an intset, validated as intsetValidateIntegrity(deep) does: a known width,
 * the size matching the count, not empty, strictly ascending. RdbFormatError otherwise.
 */
export function decodeIntset(data: Uint8Array): bigint[] {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length < HEADER_BYTES) throw new RdbFormatError('intset too short');
  const width = b.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) throw new RdbFormatError('invalid intset encoding');
  const count = b.readUInt32LE(4);
  if (HEADER_BYTES + count * width !== b.length) throw new RdbFormatError('intset size mismatch');
  if (count === 0) throw new RdbFormatError('empty intset');
  const out: bigint[] = new Array(count);
  let p = HEADER_BYTES;
  for (let i = 0; i < count; i++, p += width) {
    const v =
      width === 2 ? BigInt(b.readInt16LE(p)) : width === 4 ? BigInt(b.readInt32LE(p)) : b.readBigInt64LE(p);
    if (i > 0 && v <= out[i - 1]) throw new RdbFormatError('intset out of order');
    out[i] = v;
  }
  return out;
}
