/**
 * Byte sizes of Redis's listpack elements, so a stream node knows the size its listpack would
 * have in Redis. Redis starts a new node when the tail listpack reaches
 * `stream-node-max-bytes`; reproducing that size exactly makes node boundaries, and so the
 * results of approximate (`~`) trimming and XINFO's radix-tree figures, match Redis's.
 *
 * An element is its encoding (type byte(s) plus data) followed by a back-length of 1-5 bytes.
 * A string that reads as an int64 in canonical form is stored as an integer.
 */
import { isInt64String } from './set.js';

/** The listpack header (total bytes u32, element count u16) and its end byte. */
export const LP_HEADER_AND_END_BYTES = 7;

/** Encoded size of an integer element, without its back-length. */
function intEncodedBytes(v: bigint): number {
  if (v >= 0n && v <= 127n) return 1;
  if (v >= -4096n && v <= 4095n) return 2;
  if (v >= -32768n && v <= 32767n) return 3;
  if (v >= -8388608n && v <= 8388607n) return 4;
  if (v >= -2147483648n && v <= 2147483647n) return 5;
  return 9;
}

/** Bytes of the back-length field for an element whose encoding takes `l` bytes. */
function backlenBytes(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Bytes of an integer element (lpAppendInteger). */
export function lpIntBytes(v: bigint | number): number {
  if (typeof v === 'number' && v >= 0 && v <= 127) return 2;
  const enc = intEncodedBytes(BigInt(v));
  return enc + backlenBytes(enc);
}

/** Bytes of a string element (lpAppend): as an integer when it reads as one. */
export function lpStringBytes(s: string): number {
  const n = s.length;
  let enc: number;
  if (n <= 20 && isInt64String(s)) enc = intEncodedBytes(BigInt(s));
  else if (n < 64) enc = 1 + n;
  else if (n < 4096) enc = 2 + n;
  else enc = 5 + n;
  return enc + backlenBytes(enc);
}

/**
 * An ID delta as the listpack stores it: the unsigned 64-bit difference, read as a signed
 * int64 (lpAppendInteger takes an int64_t).
 */
export function deltaBytes(a: bigint, b: bigint): number {
  return lpIntBytes(BigInt.asIntN(64, a - b));
}
