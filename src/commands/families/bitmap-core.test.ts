import { describe, expect, it } from 'vitest';
import {
  bitpos,
  checkSigned,
  checkUnsigned,
  getSigned,
  getUnsigned,
  popcount,
  setBits,
} from './bitmap-core.js';

/** A small deterministic generator (the tests must replay). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const bitAt = (p: Uint8Array, i: number) => (p[i >> 3] >> (7 - (i & 7))) & 1;

function naiveCount(p: Uint8Array, start: number, count: number): number {
  let n = 0;
  for (let i = start * 8; i < (start + count) * 8; i++) n += bitAt(p, i);
  return n;
}

function naivePos(p: Uint8Array, start: number, count: number, bit: number): number {
  for (let i = start * 8; i < (start + count) * 8; i++) if (bitAt(p, i) === bit) return i - start * 8;
  return bit === 1 ? -1 : count * 8;
}

/** Views at every alignment into one backing buffer, so the word paths meet each offset. */
function views(bytes: Uint8Array): Uint8Array[] {
  return [0, 1, 2, 3].map((shift) => {
    const backing = new Uint8Array(bytes.length + 8);
    backing.set(bytes, shift);
    return backing.subarray(shift, shift + bytes.length);
  });
}

describe('popcount and bitpos', () => {
  it('agree with bit-by-bit counting at every alignment, length and range', () => {
    const next = rng(7);
    for (let trial = 0; trial < 60; trial++) {
      const len = Math.floor(next() * 400);
      const bytes = new Uint8Array(len);
      const fill = next() < 0.5 ? 0 : 0xff;
      bytes.fill(fill);
      // Sparse stray bytes in a run, or fully random content.
      if (next() < 0.3) for (let i = 0; i < len; i++) bytes[i] = Math.floor(next() * 256);
      else if (len > 0) bytes[Math.floor(next() * len)] = Math.floor(next() * 256);
      for (const v of views(bytes)) {
        for (let r = 0; r < 8; r++) {
          const start = Math.floor(next() * (len + 1));
          const count = Math.floor(next() * (len - start + 1));
          expect(popcount(v, start, count)).toBe(naiveCount(v, start, count));
          for (const bit of [0, 1]) expect(bitpos(v, start, count, bit)).toBe(naivePos(v, start, count, bit));
        }
      }
    }
  });

  it('skips long runs page by page and still finds a stray byte anywhere', () => {
    const next = rng(5);
    for (let trial = 0; trial < 40; trial++) {
      const len = 1 + Math.floor(next() * 13000);
      const bytes = new Uint8Array(len).fill(next() < 0.5 ? 0 : 0xff);
      if (next() < 0.8) bytes[Math.floor(next() * len)] = Math.floor(next() * 256);
      for (const v of views(bytes)) {
        const start = Math.floor(next() * Math.min(len, 5000));
        const count = len - start - Math.floor(next() * (len - start) * 0.1);
        for (const bit of [0, 1]) expect(bitpos(v, start, count, bit)).toBe(naivePos(v, start, count, bit));
      }
    }
  });

  it('handles a megabyte with one bit far from the start', () => {
    const p = new Uint8Array(1 << 20);
    p[(1 << 20) - 3] = 0x10;
    expect(popcount(p, 0, p.length)).toBe(1);
    expect(bitpos(p, 0, p.length, 1)).toBe(((1 << 20) - 3) * 8 + 3);
    p.fill(0xff);
    expect(bitpos(p, 0, p.length, 0)).toBe(p.length * 8);
    expect(popcount(p, 1, p.length - 1)).toBe((p.length - 1) * 8);
  });
});

describe('bitfield integers', () => {
  it('round-trip any width at any offset without touching the bits around them', () => {
    const next = rng(11);
    for (let trial = 0; trial < 300; trial++) {
      const bits = 1 + Math.floor(next() * 64);
      const offset = Math.floor(next() * 100);
      const p = new Uint8Array(30);
      for (let i = 0; i < p.length; i++) p[i] = Math.floor(next() * 256);
      const before = Uint8Array.from(p);
      const value = BigInt.asUintN(
        bits,
        BigInt(Math.floor(next() * 2 ** 32)) * BigInt(Math.floor(next() * 2 ** 32)),
      );
      setBits(p, offset, bits, value);
      expect(getUnsigned(p, offset, bits)).toBe(value);
      expect(getSigned(p, offset, bits)).toBe(BigInt.asIntN(bits, value));
      const touched: number[] = [];
      for (let i = 0; i < p.length * 8; i++)
        if ((i < offset || i >= offset + bits) && bitAt(p, i) !== bitAt(before, i)) touched.push(i);
      expect(touched).toEqual([]);
    }
  });

  it('reads past the end as zeros', () => {
    const p = Uint8Array.of(0xff);
    expect(getUnsigned(p, 4, 8)).toBe(0xf0n);
    expect(getSigned(p, 0, 64)).toBe(-72057594037927936n);
    expect(getUnsigned(p, 100, 63)).toBe(0n);
  });
});

describe('overflow checks (Redis semantics)', () => {
  it('wraps, saturates or reports unsigned overflow', () => {
    expect(checkUnsigned(100n, 257n, 8, 'wrap')).toEqual({ status: 1, limit: 101n });
    expect(checkUnsigned(100n, 257n, 8, 'sat')).toEqual({ status: 1, limit: 255n });
    expect(checkUnsigned(100n, -255n, 8, 'sat')).toEqual({ status: -1, limit: 0n });
    expect(checkUnsigned(100n, 155n, 8, 'fail').status).toBe(0);
    // A negative SET value is a huge uint64: an overflow, saturating to the top.
    expect(checkUnsigned(BigInt.asUintN(64, -1n), 0n, 8, 'sat')).toEqual({ status: 1, limit: 255n });
  });

  it('wraps, saturates or reports signed overflow, with int64 edges as C computes them', () => {
    expect(checkSigned(100n, 257n, 8, 'wrap')).toEqual({ status: 1, limit: 101n });
    expect(checkSigned(100n, 257n, 8, 'sat')).toEqual({ status: 1, limit: 127n });
    expect(checkSigned(100n, -255n, 8, 'sat')).toEqual({ status: -1, limit: -128n });
    expect(checkSigned(-1000n, 0n, 8, 'sat')).toEqual({ status: -1, limit: -128n });
    // max - INT64_MIN wraps negative in C, so Redis sees an overflow here, not an underflow.
    expect(checkSigned(-(1n << 63n), 0n, 8, 'sat')).toEqual({ status: 1, limit: 127n });
    expect(checkSigned((1n << 63n) - 1n, 1n, 64, 'wrap')).toEqual({ status: 1, limit: -(1n << 63n) });
    expect(checkSigned(-(1n << 63n), -1n, 64, 'sat')).toEqual({ status: -1, limit: -(1n << 63n) });
    expect(checkSigned(5n, -3n, 64, 'fail').status).toBe(0);
  });
});
