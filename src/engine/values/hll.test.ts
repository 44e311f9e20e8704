/**
 * The HyperLogLog representation against bytes and estimates taken from redis-server 7.0:
 * single elements (which register, which run length, as PFDEBUG DECODE shows them), whole
 * values after adding e0..eN (SHA-1 of Redis's bytes before and after PFCOUNT cached the
 * estimate), and the 32-bit MurmurHash64A against a BigInt transcription of Redis's C.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  denseGet,
  HLL_DENSE,
  HLL_DENSE_SIZE,
  HLL_HDR_SIZE,
  HLL_SPARSE,
  HllBuffer,
  hllAdd,
  hllCount,
  hllCountRaw,
  hllMerge,
  hllSparseDecode,
  hllSparseToDense,
  isHll,
  readCachedCard,
  writeCachedCard,
} from './hll.js';
import { murmurHash64A, patIndex, patLen } from './hll-hash.js';
import { hllSelfTest } from './hll-selftest.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const sha1 = (v: Uint8Array) => createHash('sha1').update(v).digest('hex');

/** Redis's C code with uint64_t arithmetic, as BigInt: the reference for the fast version. */
function murmurRef(data: Uint8Array, seed: bigint): bigint {
  const M64 = (1n << 64n) - 1n;
  const m = 0xc6a4a7935bd1e995n;
  const len = data.length;
  let h = (seed ^ (BigInt(len) * m)) & M64;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(data[i + j]);
    k = (k * m) & M64;
    k ^= k >> 47n;
    k = (k * m) & M64;
    h ^= k;
    h = (h * m) & M64;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(data[blocks + j]) << BigInt(8 * j);
    h = (h * m) & M64;
  }
  h ^= h >> 47n;
  h = (h * m) & M64;
  h ^= h >> 47n;
  return h;
}

function fresh(): HllBuffer {
  return new HllBuffer().reset();
}

describe('MurmurHash64A', () => {
  it('matches the 64-bit reference for every tail length and many inputs', () => {
    let x = 12345;
    for (let len = 0; len < 70; len++) {
      for (let t = 0; t < 20; t++) {
        const data = new Uint8Array(len);
        for (let i = 0; i < len; i++) {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          data[i] = x >>> 24;
        }
        expect(murmurHash64A(data)).toBe(murmurRef(data, 0xadc83b19n));
      }
    }
  });

  it('splits the hash into register and run length as Redis does', () => {
    // From redis-server: PFADD of one element, then PFDEBUG DECODE.
    const cases: Array<[string, number, number]> = [
      ['', 5938, 2],
      ['x', 16374, 2],
      ['xy', 8470, 3],
      ['xyz', 12455, 1],
      ['vwxyz', 4359, 4],
      ['tuvwxyz', 15438, 1],
      ['stuvwxyz', 5068, 1],
      ['rstuvwxyz', 15520, 2],
      ['hello world!!!!!', 14698, 1],
      ['0123456789abcdefXYZ', 8222, 1],
      ['The quick brown fox jumps over the lazy dog', 6862, 4],
    ];
    for (const [s, reg, run] of cases) {
      expect(patLen(b(s)), s).toBe(run);
      expect(patIndex, s).toBe(reg);
    }
  });
});

describe('HyperLogLog values', () => {
  it('creates, adds and caches byte for byte as Redis', () => {
    const h = fresh();
    expect(h.view().toString('hex')).toBe(`${b('HYLL').toString('hex')}01${'00'.repeat(11)}7fff`);
    for (const e of ['a', 'b', 'c']) expect(hllAdd(h, b(e), 3000)).toBe(1);
    expect(hllAdd(h, b('a'), 3000)).toBe(0);
    const redis = Buffer.from('48594c4c01000000000000000000008060f38050b1844bfb80425a', 'hex');
    expect(h.view().equals(redis)).toBe(true);
    expect(hllSparseDecode(h.bytes, h.len)).toBe('Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603');
    expect(hllCount(h.bytes, h.len)).toBe(3);
  });

  // PFADD c e0..e(n-1) on redis-server 7.0.15; SHA-1 of GET c before and after PFCOUNT c.
  const VECTORS: Array<[number, number, number, string, string]> = [
    [
      100,
      100,
      HLL_SPARSE,
      '47f6cb6c3c5a16056e3bb450f9572a1524d44455',
      '10284d924957df904fe939f436df8ee09605b6ef',
    ],
    [
      1000,
      1008,
      HLL_SPARSE,
      '26dc3c41142e0317d54eb6adc1e29ccff5ca6941',
      '5b90d5bb9790139af3f5b0b6e8ffc2ab1fcc86da',
    ],
    [
      5000,
      4968,
      HLL_DENSE,
      '21f2bcbf124c89c42b46e149b5d2218e30c42fd1',
      '96a367e68466cf15738f8f4dbb54a5c87e55a814',
    ],
    [
      50000,
      49978,
      HLL_DENSE,
      'd933109a6f8fe25d1cd12b727556f9b1b2f9bbb9',
      'e8e672266e8e13f42296f3707f274cc5cf7f6b69',
    ],
    [
      300000,
      303182,
      HLL_DENSE,
      'd91a2d23dfa3dad823535ca025e7380076335717',
      'e3227967aaeaea7eb3d91641c5a07c057dba7af6',
    ],
  ];
  it.each(VECTORS)('e0..e%i: estimate %i, bytes as Redis', (n, card, enc, before, after) => {
    const h = fresh();
    for (let i = 0; i < n; i++) hllAdd(h, b(`e${i}`), 3000);
    h.invalidateCache();
    expect(h.encoding).toBe(enc);
    expect(sha1(h.view())).toBe(before);
    expect(h.cacheValid()).toBe(false);
    expect(hllCount(h.bytes, h.len)).toBe(card);
    writeCachedCard(h, card);
    expect(sha1(h.view())).toBe(after);
    expect(h.cacheValid()).toBe(true);
    expect(readCachedCard(h.bytes)).toBe(card);
  });

  it('sparse and dense agree, and union like the sum of their parts', () => {
    const s = fresh();
    const d = fresh();
    expect(hllSparseToDense(d)).toBe(true);
    expect(d.len).toBe(HLL_DENSE_SIZE);
    for (let i = 0; i < 700; i++) {
      hllAdd(s, b(`m${i}`), 3000);
      hllAdd(d, b(`m${i}`), 3000);
    }
    expect(s.encoding).toBe(HLL_SPARSE);
    expect(hllCount(s.bytes, s.len)).toBe(hllCount(d.bytes, d.len));
    const sparseCopy = Buffer.from(s.view());
    expect(hllSparseToDense(s)).toBe(true);
    // Both dense now: same registers (the headers differ only in the cache byte).
    for (let i = 0; i < 16384; i++)
      expect(denseGet(s.bytes, HLL_HDR_SIZE, i)).toBe(denseGet(d.bytes, HLL_HDR_SIZE, i));
    const max = new Uint8Array(16384);
    expect(hllMerge(max, sparseCopy)).toBe(true);
    expect(hllCountRaw(max)).toBe(hllCount(d.bytes, d.len));
  });

  it('promotes to dense when the sparse form would pass the limit', () => {
    const h = fresh();
    let i = 0;
    while (h.encoding === HLL_SPARSE) {
      hllAdd(h, b(`p${i++}`), 200);
      if (h.encoding === HLL_SPARSE) expect(h.len).toBeLessThanOrEqual(200);
    }
    expect(i).toBeLessThan(200);
    expect(h.len).toBe(HLL_DENSE_SIZE);
  });

  it('rejects what is not an HLL and detects corrupt sparse opcodes', () => {
    const h = fresh();
    hllAdd(h, b('a'), 3000);
    const good = Buffer.from(h.view());
    expect(isHll(good)).toBe(true);
    expect(isHll(good.subarray(0, 15))).toBe(false);
    const badMagic = Buffer.from(good);
    badMagic[0] = 0x30;
    expect(isHll(badMagic)).toBe(false);
    const badEnc = Buffer.from(good);
    badEnc[4] = 2;
    expect(isHll(badEnc)).toBe(false);
    const denseWrongLength = Buffer.from(good);
    denseWrongLength[4] = 0;
    expect(isHll(denseWrongLength)).toBe(false);
    const tail = Buffer.concat([good, b('hello')]);
    expect(isHll(tail)).toBe(true);
    expect(hllCount(tail, tail.length)).toBe(-1);
    expect(hllMerge(new Uint8Array(16384), tail)).toBe(false);
    expect(hllSparseToDense(new HllBuffer().load(tail))).toBe(false);
  });

  it('estimates 0 for an empty HLL, and 2^63 (llroundl overflow) when every register is 63', () => {
    expect(hllCount(fresh().bytes, 18)).toBe(0);
    const full = Buffer.alloc(HLL_DENSE_SIZE, 0xff);
    full.write('HYLL', 'latin1');
    full[4] = HLL_DENSE;
    expect(hllCount(full, full.length)).toBe(2 ** 63);
  });

  it('passes PFSELFTEST', { timeout: 60_000 }, () => {
    expect(hllSelfTest(3000)).toBeNull();
  });
});
