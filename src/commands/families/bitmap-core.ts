/**
 * Bit-level primitives of the bitmap commands (Redis's bitops.c helpers), on plain byte arrays:
 * population count, first set/clear bit, and arbitrary-width integers at arbitrary bit offsets.
 * Bit 0 is the most significant bit of the first byte, as in SETBIT.
 *
 * Counting walks 32-bit words through an Int32Array view of the aligned middle of the range
 * (a few bytes at each end go one by one), so a 512 MB bitmap costs one pass of word
 * operations, not eight bit tests per byte; searching skips runs with a native compare.
 */

/** Bits set in each byte value. */
const BITS_IN_BYTE = new Uint8Array(256);
for (let i = 1; i < 256; i++) BITS_IN_BYTE[i] = (i & 1) + BITS_IN_BYTE[i >> 1];

/** Set bits in a 32-bit word (SWAR: 2-bit, 4-bit, then byte sums gathered by one multiply). */
function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * Set bits in whole words: four at a time, their per-byte counts (at most 8 each) added
 * before the one multiply that sums the bytes, as Redis's redisPopcount does with seven.
 */
function popcountWords(w: Int32Array): number {
  let bits = 0;
  const n = w.length & ~3;
  let i = 0;
  for (; i < n; i += 4) {
    let a = w[i];
    let b = w[i + 1];
    let c = w[i + 2];
    let d = w[i + 3];
    a -= (a >>> 1) & 0x55555555;
    b -= (b >>> 1) & 0x55555555;
    c -= (c >>> 1) & 0x55555555;
    d -= (d >>> 1) & 0x55555555;
    a = (a & 0x33333333) + ((a >>> 2) & 0x33333333);
    b = (b & 0x33333333) + ((b >>> 2) & 0x33333333);
    c = (c & 0x33333333) + ((c >>> 2) & 0x33333333);
    d = (d & 0x33333333) + ((d >>> 2) & 0x33333333);
    a = (a + (a >>> 4)) & 0x0f0f0f0f;
    b = (b + (b >>> 4)) & 0x0f0f0f0f;
    c = (c + (c >>> 4)) & 0x0f0f0f0f;
    d = (d + (d >>> 4)) & 0x0f0f0f0f;
    bits += Math.imul(a + b + c + d, 0x01010101) >>> 24;
  }
  for (; i < w.length; i++) bits += popcount32(w[i]);
  return bits;
}

/** The aligned whole 32-bit words inside bytes [start, start+count) of `p`, as a view. */
function wordsOf(p: Uint8Array, start: number, count: number): { head: number; words: Int32Array } {
  const abs = p.byteOffset + start;
  const head = Math.min(count, (4 - (abs & 3)) & 3);
  const n = (count - head) >>> 2;
  return { head, words: new Int32Array(p.buffer, abs + head, n) };
}

/** Redis's redisPopcount: set bits in bytes [start, start+count) of `p`. */
export function popcount(p: Uint8Array, start: number, count: number): number {
  if (count < 64) {
    let bits = 0;
    for (let i = start, end = start + count; i < end; i++) bits += BITS_IN_BYTE[p[i]];
    return bits;
  }
  const { head, words } = wordsOf(p, start, count);
  let bits = 0;
  for (let i = start; i < start + head; i++) bits += BITS_IN_BYTE[p[i]];
  bits += popcountWords(words);
  for (let i = start + head + words.length * 4, end = start + count; i < end; i++) bits += BITS_IN_BYTE[p[i]];
  return bits;
}

/** Position (0..7) of the first `bit` in byte `b`, or -1 when it has none. */
function bitInByte(b: number, bit: number): number {
  const x = bit === 1 ? b : ~b & 0xff;
  return x === 0 ? -1 : Math.clz32(x) - 24;
}

/** Bytes compared at once (memcmp) while skipping a run of 0x00 or 0xff bytes. */
const RUN_BYTES = 4096;
const ZEROS = Buffer.alloc(RUN_BYTES);
const ONES = Buffer.alloc(RUN_BYTES, 0xff);

/**
 * Redis's redisBitpos: the bit position of the first `bit` (0 or 1) in bytes
 * [start, start+count) of `p`, relative to `start`. With none found, -1 when looking for a 1;
 * `count * 8` when looking for a 0 (the string is taken as zero-padded on the right).
 * Runs of bytes holding no such bit are skipped a page at a time with a native compare
 * against a page of those bytes (several times faster than a JS loop over words).
 */
export function bitpos(p: Uint8Array, start: number, count: number, bit: number): number {
  const skip = bit === 1 ? 0 : 0xff;
  const run = bit === 1 ? ZEROS : ONES;
  const end = start + count;
  let i = start;
  while (end - i >= RUN_BYTES && run.compare(p, i, i + RUN_BYTES) === 0) i += RUN_BYTES;
  for (; i < end; i++) if (p[i] !== skip) break;
  if (i === end) return bit === 1 ? -1 : count * 8;
  return (i - start) * 8 + bitInByte(p[i], bit);
}

/** BITFIELD's OVERFLOW modes (Redis's BFOVERFLOW_WRAP / SAT / FAIL). */
export type Overflow = 'wrap' | 'sat' | 'fail';

/**
 * The unsigned `bits`-wide integer (1..64) at bit `offset` of `p`; bytes past the end read as
 * zeros (BITFIELD GET's zero-padded window).
 */
export function getUnsigned(p: Uint8Array, offset: number, bits: number): bigint {
  const byte = Math.floor(offset / 8);
  const shift = offset % 8;
  const nbytes = (shift + bits + 7) >>> 3;
  if (nbytes <= 6) {
    // Up to 48 bits fit a double exactly.
    let v = 0;
    for (let i = 0; i < nbytes; i++) v = v * 256 + (p[byte + i] ?? 0);
    const drop = nbytes * 8 - shift - bits;
    return BigInt(Math.floor(v / 2 ** drop) % 2 ** bits);
  }
  let v = 0n;
  for (let i = 0; i < nbytes; i++) v = (v << 8n) | BigInt(p[byte + i] ?? 0);
  return (v >> BigInt(nbytes * 8 - shift - bits)) & ((1n << BigInt(bits)) - 1n);
}

/** The signed (two's complement) `bits`-wide integer at bit `offset` of `p`. */
export function getSigned(p: Uint8Array, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsigned(p, offset, bits));
}

/** Store the low `bits` bits of `value` at bit `offset` of `p` (which must reach that far). */
export function setBits(p: Uint8Array, offset: number, bits: number, value: bigint): void {
  const byte = Math.floor(offset / 8);
  const shift = offset % 8;
  const nbytes = (shift + bits + 7) >>> 3;
  let w = 0n;
  for (let i = 0; i < nbytes; i++) w = (w << 8n) | BigInt(p[byte + i]);
  const at = BigInt(nbytes * 8 - shift - bits);
  const mask = ((1n << BigInt(bits)) - 1n) << at;
  w = (w & ~mask) | ((BigInt.asUintN(bits, value) << at) & mask);
  for (let i = nbytes - 1; i >= 0; i--) {
    p[byte + i] = Number(w & 0xffn);
    w >>= 8n;
  }
}

/** Outcome of an overflow check: 0 none, 1 overflow, -1 underflow; `limit` the value to store. */
export interface OverflowCheck {
  readonly status: -1 | 0 | 1;
  readonly limit: bigint;
}

const NO_OVERFLOW: OverflowCheck = { status: 0, limit: 0n };
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Redis's checkUnsignedBitfieldOverflow: `value` (a uint64) plus `incr` (an int64) in a
 * `bits`-wide unsigned field (bits < 64). WRAP keeps the low bits of the sum, SAT clamps.
 */
export function checkUnsigned(value: bigint, incr: bigint, bits: number, mode: Overflow): OverflowCheck {
  const max = (1n << BigInt(bits)) - 1n;
  let status: -1 | 0 | 1 = 0;
  if (value > max || (incr > 0n && incr > max - value)) status = 1;
  else if (incr < 0n && incr < -value) status = -1;
  if (status === 0) return NO_OVERFLOW;
  if (mode === 'wrap') return { status, limit: BigInt.asUintN(bits, value + incr) };
  return { status, limit: status === 1 ? max : 0n };
}

/**
 * Redis's checkSignedBitfieldOverflow for a `bits`-wide signed field (1..64). Its bounds
 * `max - value` and `min - value` are int64 arithmetic that may wrap (a SET of INT64_MIN into
 * an i8 counts as an overflow, not an underflow): reproduced with BigInt.asIntN(64, ...).
 */
export function checkSigned(value: bigint, incr: bigint, bits: number, mode: Overflow): OverflowCheck {
  const max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, min - value);
  let status: -1 | 0 | 1 = 0;
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr))
    status = 1;
  else if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr))
    status = -1;
  if (status === 0) return NO_OVERFLOW;
  if (mode === 'wrap') return { status, limit: BigInt.asIntN(bits, value + incr) };
  return { status, limit: status === 1 ? max : min };
}

/** An integer reply: a number when exact, else the bigint. */
export function intOf(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}
