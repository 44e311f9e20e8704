import { describe, expect, it } from 'vitest';
import { pqsort } from './pqsort.js';

/** A small seeded generator (xorshift32), so a failure replays. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('pqsort', () => {
  it('puts the wanted window where a full sort puts it, permuting the rest', () => {
    const rand = rng(12345);
    const cmp = (a: number, b: number) => a - b;
    for (let round = 0; round < 300; round++) {
      const n = Math.floor(rand() * 120);
      const v = Array.from({ length: n }, () => Math.floor(rand() * 50));
      const lo = Math.floor(rand() * (n + 1));
      const hi = Math.min(n - 1, lo + Math.floor(rand() * 20) - 2);
      const sorted = [...v].sort(cmp);
      const got = [...v];
      pqsort(got, cmp, lo, hi);
      expect(got.slice(lo, hi + 1)).toEqual(sorted.slice(lo, hi + 1));
      expect([...got].sort(cmp)).toEqual(sorted);
    }
  });

  it('sorts everything when the window is everything', () => {
    const v = [5, 3, 9, 1, 7, 2, 8, 6, 4, 0, 11, 10];
    pqsort(v, (a, b) => a - b, 0, v.length - 1);
    expect(v).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('leaves equal elements in the order its swaps give, as redis-server does', () => {
    // SORT l BY nokey_* ALPHA LIMIT ... on RPUSH l a0 .. a9 (every weight missing: all equal).
    const base = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9'];
    const window = (lo: number, hi: number) => {
      const v = [...base];
      pqsort(v, () => 0, lo, hi);
      return v.slice(lo, hi + 1).join(' ');
    };
    expect(window(0, 2)).toBe('a9 a1 a2');
    expect(window(5, 9)).toBe('a5 a6 a7 a8 a0');
    expect(window(0, 8)).toBe('a9 a1 a2 a3 a4 a5 a6 a7 a8');
  });
});
