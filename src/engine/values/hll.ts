/**
 * Redis's HyperLogLog representation, byte for byte, so a value copied with GET/SET between
 * Redis and Cairn keeps working on both sides (Redis 7.0's hyperloglog.c):
 *
 *   header (16 bytes): "HYLL", encoding (0 dense, 1 sparse), 3 unused bytes, and the cached
 *   cardinality as 8 bytes little endian, whose top bit set means "not valid, recompute".
 *   dense:  16384 registers of 6 bits, packed from the least significant bit of each byte.
 *   sparse: run-length opcodes (ZERO 00xxxxxx, XZERO 01xxxxxx xxxxxxxx, VAL 1vvvvvxx), see
 *           hll-sparse.ts.
 *
 * An `HllBuffer` holds one value while a command works on it: it reads the engine's bytes in
 * place and copies them into its own growable scratch only before the first change, so a PFADD
 * that changes no register costs no copy. Its bytes past `len` are kept zero up to one byte,
 * as an sds string's terminator is: Redis's code reads that byte.
 */
import {
  HLL_DENSE,
  HLL_DENSE_SIZE,
  HLL_HDR_SIZE,
  HLL_SPARSE,
  type HllBuffer,
  hllDenseSet,
} from './hll-buffer.js';
import { HLL_REGISTERS, patIndex, patLen } from './hll-hash.js';
import { hllSparseSet } from './hll-sparse.js';

export * from './hll-buffer.js';
export { hllSparseDecode, hllSparseToDense } from './hll-sparse.js';

/** Redis's HLL_Q: hash bits left after the index; runs are at most Q + 1 long. */
const HLL_Q = 64 - 14;
/** 0.5 / ln(2) (Redis writes 0.721347520444481703680: the same double). */
const HLL_ALPHA_INF = 0.7213475204444817;

/**
 * hllAdd: add one element. 1 when a register changed, 0 when
 * none did, -1 when a sparse representation is corrupt.
 */
export function hllAdd(h: HllBuffer, data: Uint8Array, maxSparseBytes: number): number {
  const count = patLen(data, 0, data.length);
  const index = patIndex;
  const enc = h.bytes[4];
  if (enc === HLL_DENSE) return hllDenseSet(h, index, count);
  if (enc === HLL_SPARSE) return hllSparseSet(h, index, count, maxSparseBytes);
  return -1;
}

// ---- estimation ------------------------------------------------------------------------

/** Histogram of register values, reused (the estimator allocates nothing). */
const reghisto = new Int32Array(64);

/**
 * Sparse histogram (hllSparseRegHisto): false when the opcodes do not cover exactly 16384
 * registers. A run past the end stops the walk at once (Redis's fix for CVE-2025-32023, which
 * the 7.0.15 packages carry), here as in hllMerge and hllSparseToDense.
 */
function sparseHisto(b: Uint8Array, len: number): boolean {
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      const run = (op & 0x3f) + 1;
      if (run + idx > HLL_REGISTERS) return false;
      idx += run;
      reghisto[0] += run;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const run = (((op & 0x3f) << 8) | (b[p + 1] ?? 0)) + 1;
      if (run + idx > HLL_REGISTERS) return false;
      idx += run;
      reghisto[0] += run;
      p += 2;
    } else {
      const run = (op & 3) + 1;
      if (run + idx > HLL_REGISTERS) return false;
      idx += run;
      reghisto[((op >>> 2) & 0x1f) + 1] += run;
      p++;
    }
  }
  return idx === HLL_REGISTERS;
}

/** Dense histogram (hllDenseRegHisto), 4 registers from each 3 bytes. */
function denseHisto(b: Uint8Array): void {
  const h = reghisto;
  for (let p = HLL_HDR_SIZE; p < HLL_DENSE_SIZE; p += 3) {
    const b0 = b[p];
    const b1 = b[p + 1];
    const b2 = b[p + 2];
    h[b0 & 63]++;
    h[((b0 >>> 6) | (b1 << 2)) & 63]++;
    h[((b1 >>> 4) | (b2 << 4)) & 63]++;
    h[b2 >>> 2]++;
  }
}

/** sigma(x) of Ertl's "New cardinality estimation algorithms for HyperLogLog sketches". */
function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

/** tau(x), same paper. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** 2^63: llroundl's answer on x86-64 for an estimate it cannot represent. */
const LLONG_OVERFLOW = 2 ** 63;

/** The estimate from `reghisto` (hllCount's second half), as a double holding an integer. */
function estimate(): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - reghisto[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += reghisto[j];
    z *= 0.5;
  }
  z += m * sigma(reghisto[0] / m);
  const e = Math.round((HLL_ALPHA_INF * m * m) / z);
  return Number.isFinite(e) && e < LLONG_OVERFLOW ? e : LLONG_OVERFLOW;
}

/** hllCount of a dense or sparse value: the estimate, or -1 when the sparse opcodes are corrupt. */
export function hllCount(b: Uint8Array, len: number): number {
  reghisto.fill(0);
  if (b[4] === HLL_DENSE) denseHisto(b);
  else if (!sparseHisto(b, len)) return -1;
  return estimate();
}

/** hllCount of HLL_RAW registers: one byte per register (PFCOUNT of several keys). */
export function hllCountRaw(max: Uint8Array): number {
  reghisto.fill(0);
  // Four registers at a time, skipping zero words as Redis's hllRawRegHisto does (a union of
  // sparse values is mostly zeros).
  const words = wordsOf(max);
  for (let w = 0; w < HLL_REGISTERS / 4; w++) {
    if (words[w] === 0) {
      reghisto[0] += 4;
      continue;
    }
    const i = w << 2;
    reghisto[max[i]]++;
    reghisto[max[i + 1]]++;
    reghisto[max[i + 2]]++;
    reghisto[max[i + 3]]++;
  }
  return estimate();
}

let wordsFor: Uint8Array | null = null;
let wordsView: Uint32Array = new Uint32Array(0);

/** A 32-bit view of a register array (made once per array). */
function wordsOf(max: Uint8Array): Uint32Array {
  if (wordsFor !== max) {
    wordsView =
      max.byteOffset % 4 === 0
        ? new Uint32Array(max.buffer, max.byteOffset, HLL_REGISTERS / 4)
        : new Uint32Array(Uint8Array.from(max).buffer);
    wordsFor = max.byteOffset % 4 === 0 ? max : null;
  }
  return wordsView;
}

/**
 * The cached cardinality (card[0..7], little endian; the caller checks validity): a number, or
 * a bigint past 2^53 (only a value written elsewhere can hold one).
 */
export function readCachedCard(b: Uint8Array): number | bigint {
  let lo = 0;
  let hi = 0;
  for (let i = 3; i >= 0; i--) {
    lo = lo * 256 + b[8 + i];
    hi = hi * 256 + b[12 + i];
  }
  if (hi < 2 ** 21) return hi * 2 ** 32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Store `card` (an integer-valued double < 2^64) as the cached cardinality. */
export function writeCachedCard(h: HllBuffer, card: number): void {
  h.own();
  const b = h.bytes;
  let lo = card % 2 ** 32;
  let hi = Math.floor(card / 2 ** 32);
  for (let i = 0; i < 4; i++) {
    b[8 + i] = lo & 0xff;
    b[12 + i] = hi & 0xff;
    lo = Math.floor(lo / 256);
    hi = Math.floor(hi / 256);
  }
}

// ---- merging ---------------------------------------------------------------------------

/**
 * hllMerge: max[i] = max(max[i], register i of `v`) for a valid-looking HLL value. False when
 * a sparse value's opcodes are corrupt (max may then hold part of it, as in Redis).
 */
export function hllMerge(max: Uint8Array, v: Uint8Array): boolean {
  if (v[4] === HLL_DENSE) {
    // 4 registers from each 3 bytes, as in denseHisto.
    for (let p = HLL_HDR_SIZE, i = 0; p < HLL_DENSE_SIZE; p += 3, i += 4) {
      const b0 = v[p];
      const b1 = v[p + 1];
      const b2 = v[p + 2];
      let r = b0 & 63;
      if (r > max[i]) max[i] = r;
      r = ((b0 >>> 6) | (b1 << 2)) & 63;
      if (r > max[i + 1]) max[i + 1] = r;
      r = ((b1 >>> 4) | (b2 << 4)) & 63;
      if (r > max[i + 2]) max[i + 2] = r;
      r = b2 >>> 2;
      if (r > max[i + 3]) max[i + 3] = r;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR_SIZE;
  const end = v.length;
  while (p < end) {
    const op = v[p];
    if ((op & 0xc0) === 0) {
      const run = (op & 0x3f) + 1;
      if (run + i > HLL_REGISTERS) return false;
      i += run;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const run = (((op & 0x3f) << 8) | (v[p + 1] ?? 0)) + 1;
      if (run + i > HLL_REGISTERS) return false;
      i += run;
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const val = ((op >>> 2) & 0x1f) + 1;
      if (run + i > HLL_REGISTERS) return false;
      while (run-- > 0) {
        if (val > max[i]) max[i] = val;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}
