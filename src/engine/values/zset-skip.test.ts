import { describe, expect, it } from 'vitest';
import { SkipZSet } from './zset-skip.js';

/** A small deterministic generator (the test must fail the same way every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('SkipZSet lookups then writes', () => {
  it('keeps members and scores right when score() lookups come before adds, removals and pops', () => {
    const rand = rng(7);
    const z = new SkipZSet();
    const model = new Map<string, number>();
    for (let step = 0; step < 20_000; step++) {
      const m = `m${Math.floor(rand() * 300)}`;
      const op = rand();
      // Look a member up first, as ZADD does, then change the set in various ways.
      expect(z.score(m)).toBe(model.get(m));
      if (op < 0.5) {
        const s = Math.floor(rand() * 50);
        expect(z.add(m, s)).toBe(!model.has(m));
        model.set(m, s);
      } else if (op < 0.65) {
        const other = `m${Math.floor(rand() * 300)}`;
        expect(z.delete(other)).toBe(model.delete(other));
        const s = Math.floor(rand() * 50);
        expect(z.add(m, s)).toBe(!model.has(m));
        model.set(m, s);
      } else if (op < 0.8) {
        for (const [pm] of z.pop(1 + Math.floor(rand() * 3), rand() < 0.5)) model.delete(pm);
        const s = Math.floor(rand() * 50);
        expect(z.add(m, s)).toBe(!model.has(m));
        model.set(m, s);
      } else {
        expect(z.delete(m)).toBe(model.delete(m));
      }
      expect(z.size()).toBe(model.size);
    }
    const ordered = [...model].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const got: Array<[string, number]> = [];
    for (let x = z.first(); x !== 0; x = z.next(x)) got.push([z.memberAt(x), z.scoreAt(x)]);
    expect(got).toEqual(ordered);
  });
});
