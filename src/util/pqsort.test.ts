import { describe, expect, it } from 'vitest';
import { pqsort } from './pqsort.js';

type P = { d: number; idx: number };
const byD = (a: P, b: P) => (a.d > b.d ? 1 : a.d === b.d ? 0 : -1);

describe('pqsort', () => {
  it('leaves equal elements where Redis pqsort.c leaves them', () => {
    // 50 values with many ties, the first 7 wanted; the order below is pqsort.c's, compiled.
    const arr = Array.from({ length: 50 }, (_, i) => ({ d: (i * 7919) % 5, idx: i }));
    pqsort(arr, byD, 0, 6);
    expect(arr.map((p) => p.idx).join(' ')).toBe(
      '20 30 5 25 0 45 10 40 15 35 19 34 29 39 24 49 44 14 4 9 43 3 8 13 18 23 28 33 38 48 21 31 32 47 17 16 36 37 1 12 11 41 42 7 6 2 26 27 46 22',
    );
  });

  it('puts the smallest elements first, in order, for any wanted range', () => {
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(rnd() * 120);
      const k = 1 + Math.floor(rnd() * n);
      const arr = Array.from({ length: n }, (_, idx) => ({ d: Math.floor(rnd() * 30), idx }));
      const sorted = [...arr].sort(byD).map((p) => p.d);
      pqsort(arr, byD, 0, k - 1);
      expect(arr.slice(0, k).map((p) => p.d)).toEqual(sorted.slice(0, k));
      expect(new Set(arr.map((p) => p.idx)).size).toBe(n);
    }
  });
});
