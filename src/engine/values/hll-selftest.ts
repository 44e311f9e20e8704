/**
 * PFSELFTEST (Redis's pfselftestCommand): the dense register packing must read back what was
 * written without disturbing neighbours, and a dense and a sparse HLL fed the same 10^7
 * elements must agree with each other and stay within 6 standard errors of the truth at every
 * power of ten (sparse while small). Returns null when it passes, else Redis's TESTFAILED text.
 */

import {
  denseGet,
  denseSetRaw,
  HLL_DENSE_SIZE,
  HLL_HDR_SIZE,
  HLL_REGISTER_MAX,
  HLL_REGISTERS,
  HLL_SPARSE,
  HllBuffer,
  hllCount,
  hllDenseSet,
} from './hll.js';
import { patIndex, patLen } from './hll-hash.js';
import { hllSparseSet } from './hll-sparse.js';

const TEST_CYCLES = 1000;
const ELEMENTS = 10_000_000;

export function hllSelfTest(sparseMaxBytes: number, random: () => number = Math.random): string | null {
  const regs = new Uint8Array(HLL_DENSE_SIZE + 1);
  const expected = new Uint8Array(HLL_REGISTERS);
  // Test 1: registers keep their values.
  for (let j = 0; j < TEST_CYCLES; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = Math.floor(random() * 2 ** 31) & HLL_REGISTER_MAX;
      expected[i] = r;
      denseSetRaw(regs, HLL_HDR_SIZE, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(regs, HLL_HDR_SIZE, i);
      if (v !== expected[i]) return `TESTFAILED Register ${i} should be ${expected[i]} but is ${v}`;
    }
  }

  // Test 2: approximation error, dense and sparse side by side.
  const dense = new HllBuffer();
  dense.replace(new Uint8Array(HLL_DENSE_SIZE), HLL_DENSE_SIZE);
  const sparse = new HllBuffer().reset();
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = Math.floor(random() * 2 ** 32) >>> 0;
  const seedHi = Math.floor(random() * 2 ** 32) >>> 0;
  const ele = new Uint8Array(8);
  const eleView = new DataView(ele.buffer);
  eleView.setUint32(4, seedHi, true);
  let checkpoint = 1;
  for (let j = 1; j <= ELEMENTS; j++) {
    eleView.setUint32(0, (j ^ seedLo) >>> 0, true);
    const count = patLen(ele, 0, 8);
    const index = patIndex;
    hllDenseSet(dense, index, count);
    if (sparse.encoding === HLL_SPARSE) hllSparseSet(sparse, index, count, sparseMaxBytes);
    else hllDenseSet(sparse, index, count);
    if (j !== checkpoint) continue;
    if (j < Math.floor(sparseMaxBytes / 2) && sparse.encoding !== HLL_SPARSE)
      return 'TESTFAILED sparse encoding not used';
    const card = hllCount(dense.bytes, dense.len);
    if (card !== hllCount(sparse.bytes, sparse.len)) return 'TESTFAILED dense/sparse disagree';
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    const abserr = Math.abs(checkpoint - card);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return null;
}
