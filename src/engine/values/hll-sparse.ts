/**
 * The sparse HyperLogLog encoding (Redis's hllSparseSet, hllSparseToDense, PFDEBUG DECODE).
 * After the 16-byte header, opcodes cover the 16384 registers left to right:
 *
 *   ZERO  00xxxxxx           1..64 registers at 0
 *   XZERO 01xxxxxx xxxxxxxx  1..16384 registers at 0
 *   VAL   1vvvvvxx           1..4 registers at value 1..32
 *
 * Updates follow Redis step by step (split the covering opcode into at most three, then merge
 * equal neighbouring VALs within five opcodes of the change), so the bytes come out identical.
 * A register above 32, or a value growing past `hll-sparse-max-bytes`, promotes to dense.
 */
import {
  denseSetRaw,
  HLL_DENSE,
  HLL_DENSE_SIZE,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  type HllBuffer,
  hllDenseSet,
} from './hll-buffer.js';

const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;

/** Kinds of opcode, from the top two bits. */
const isZero = (op: number) => (op & 0xc0) === 0;
const isXzero = (op: number) => (op & 0xc0) === 0x40;
const valOp = (value: number, len: number) => (((value - 1) << 2) | (len - 1) | 0x80) & 0xff;

/** The replacement sequence of the general case (at most XZERO VAL XZERO: 5 bytes). */
const seq = new Uint8Array(5);
/** Dense registers being rebuilt from sparse opcodes. */
const denseTmp = new Uint8Array(HLL_DENSE_SIZE + 1);

/** Write a run of `len` zero registers (ZERO or XZERO) into `seq` at `n`; the next free index. */
function zeroRun(n: number, len: number): number {
  if (len > ZERO_MAX_LEN) {
    seq[n] = ((len - 1) >> 8) | 0x40;
    seq[n + 1] = (len - 1) & 0xff;
    return n + 2;
  }
  seq[n] = len - 1;
  return n + 1;
}

/**
 * hllSparseToDense: rebuild as dense (header copied, encoding changed). False, and `h`
 * unchanged, when the opcodes do not cover exactly 16384 registers.
 */
export function hllSparseToDense(h: HllBuffer): boolean {
  const b = h.bytes;
  if (b[4] === HLL_DENSE) return true;
  const d = denseTmp;
  d.fill(0);
  d.set(b.subarray(0, HLL_HDR_SIZE));
  d[4] = HLL_DENSE;
  const end = h.len;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = b[p];
    if (isZero(op)) {
      const run = (op & 0x3f) + 1;
      if (run + idx > HLL_REGISTERS) return false;
      idx += run;
      p++;
    } else if (isXzero(op)) {
      const run = (((op & 0x3f) << 8) | (b[p + 1] ?? 0)) + 1;
      if (run + idx > HLL_REGISTERS) return false;
      idx += run;
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const val = ((op >>> 2) & 0x1f) + 1;
      if (run + idx > HLL_REGISTERS) return false;
      while (run-- > 0) denseSetRaw(d, HLL_HDR_SIZE, idx++, val);
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  h.replace(d, HLL_DENSE_SIZE);
  return true;
}

/** The promotion at the end of hllSparseSet: dense, then the register set there. */
function promote(h: HllBuffer, index: number, count: number): number {
  if (!hllSparseToDense(h)) return -1;
  return hllDenseSet(h, index, count);
}

/**
 * hllSparseSet: raise register `index` to `count`. 1 when it changed (the cached cardinality is
 * invalidated), 0 when it was already at least `count`, -1 when the opcodes are corrupt.
 */
export function hllSparseSet(h: HllBuffer, index: number, count: number, maxBytes: number): number {
  if (count > VAL_MAX_VALUE) return promote(h, index, count);

  // Step 1: find the opcode covering `index`, with its first register and the one before it.
  let b = h.bytes;
  let end = h.len;
  let p = HLL_HDR_SIZE;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = b[p];
    let oplen = 1;
    if (isZero(op)) span = (op & 0x3f) + 1;
    else if ((op & 0x80) !== 0) span = (op & 3) + 1;
    else {
      span = (((op & 0x3f) << 8) | (b[p + 1] ?? 0)) + 1;
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;
  const op = b[p];
  let next = isXzero(op) ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const zero = isZero(op);
  const xzero = isXzero(op);
  const runlen = zero ? (op & 0x3f) + 1 : xzero ? (((op & 0x3f) << 8) | (b[p + 1] ?? 0)) + 1 : (op & 3) + 1;

  let inPlace = false;
  if (!zero && !xzero) {
    // A VAL already high enough changes nothing; a VAL of one register is just rewritten.
    if (((op >>> 2) & 0x1f) + 1 >= count) return 0;
    inPlace = runlen === 1;
  } else if (zero && runlen === 1) inPlace = true;

  if (inPlace) {
    h.own(3);
    b = h.bytes;
    b[p] = valOp(count, 1);
  } else {
    // Step 2: split the opcode into [before] VAL(count) [after].
    let n = 0;
    const last = first + span - 1;
    if (zero || xzero) {
      if (index !== first) n = zeroRun(n, index - first);
      seq[n++] = valOp(count, 1);
      if (index !== last) n = zeroRun(n, last - index);
    } else {
      const cur = ((op >>> 2) & 0x1f) + 1;
      if (index !== first) seq[n++] = valOp(cur, index - first);
      seq[n++] = valOp(count, 1);
      if (index !== last) seq[n++] = valOp(cur, last - index);
    }
    // Step 3: put the sequence in place of the opcode, moving the rest when the size changes.
    const delta = n - (xzero ? 2 : 1);
    if (delta > 0 && h.len + delta > maxBytes) return promote(h, index, count);
    h.own(3);
    b = h.bytes;
    if (delta !== 0 && next >= 0) b.copyWithin(next + delta, next, end);
    h.setLen(h.len + delta);
    b.set(seq.subarray(0, n), p);
    end += delta;
  }

  // Step 4: merge equal adjacent VALs, scanning up to 5 opcodes from the one before.
  p = prev >= 0 ? prev : HLL_HDR_SIZE;
  let scanlen = 5;
  while (p < end && scanlen-- > 0) {
    const o = b[p];
    if (isXzero(o)) {
      p += 2;
      continue;
    }
    if (isZero(o)) {
      p++;
      continue;
    }
    if (p + 1 < end && (b[p + 1] & 0x80) !== 0) {
      const v1 = ((o >>> 2) & 0x1f) + 1;
      const o2 = b[p + 1];
      if (v1 === ((o2 >>> 2) & 0x1f) + 1) {
        const len = (o & 3) + 1 + (o2 & 3) + 1;
        if (len <= VAL_MAX_LEN) {
          b[p + 1] = valOp(v1, len);
          b.copyWithin(p, p + 1, end + 1);
          h.setLen(h.len - 1);
          end--;
          // Stay on p: the merged opcode may merge with the next one too.
          continue;
        }
      }
    }
    p++;
  }
  h.invalidateCache();
  return 1;
}

/** PFDEBUG DECODE: the opcodes as `z:len`, `Z:len`, `v:value,len`, space separated. */
export function hllSparseDecode(b: Uint8Array, len: number): string {
  const out: string[] = [];
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = b[p];
    if (isZero(op)) {
      out.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if (isXzero(op)) {
      out.push(`Z:${(((op & 0x3f) << 8) | (b[p + 1] ?? 0)) + 1}`);
      p += 2;
    } else {
      out.push(`v:${((op >>> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return out.join(' ');
}
