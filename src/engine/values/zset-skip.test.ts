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

describe('SkipZSet members in a byte table', () => {
  const order = (a: [string, number], b: [string, number]) =>
    a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

  it('keeps (score, member bytes) order, ranks and member lookups through range removals', () => {
    const rand = rng(11);
    const z = new SkipZSet();
    const model = new Map<string, number>();
    // Few scores, so most comparisons fall to the member bytes (high bytes included).
    const name = () =>
      `${String.fromCharCode(0x61 + Math.floor(rand() * 3), 0xe0 + Math.floor(rand() * 3))}${Math.floor(rand() * 200)}`;
    for (let step = 0; step < 6000; step++) {
      const op = rand();
      if (op < 0.7) {
        const m = name();
        const s = Math.floor(rand() * 4);
        expect(z.add(m, s)).toBe(!model.has(m));
        model.set(m, s);
      } else if (op < 0.8) {
        const m = name();
        expect(z.delete(m)).toBe(model.delete(m));
      } else if (op < 0.9 && model.size > 4) {
        const sorted = [...model].sort(order);
        const start = Math.floor(rand() * (sorted.length - 3));
        const end = start + Math.floor(rand() * 3);
        expect(z.deleteRangeByRank(start, end)).toBe(end - start + 1);
        for (const [m] of sorted.slice(start, end + 1)) model.delete(m);
      } else {
        for (const [m, s] of z.pop(1 + Math.floor(rand() * 2), rand() < 0.5)) {
          expect(model.get(m)).toBe(s);
          model.delete(m);
        }
      }
    }
    const sorted = [...model].sort(order);
    const got: Array<[string, number]> = [];
    for (let x = z.first(); x !== 0; x = z.next(x)) got.push([z.memberAt(x), z.scoreAt(x)]);
    expect(got).toEqual(sorted);
    sorted.forEach(([m, s], i) => {
      const x = z.node(m);
      expect(z.memberAt(x)).toBe(m);
      expect(z.score(m)).toBe(s);
      expect(z.rankOfNode(x)).toBe(i);
      expect(z.memberAt(z.at(i))).toBe(m);
    });
    expect(new Set(z.liveMembers())).toEqual(new Set(model.keys()));
  });

  it('clones into an independent copy that changes apart from the original', () => {
    const z = new SkipZSet();
    for (let i = 0; i < 3000; i++) z.add(`m${i}`, i % 7);
    for (let i = 0; i < 3000; i += 3) z.delete(`m${i}`);
    const want = (s: SkipZSet) => {
      const out: Array<[string, number]> = [];
      for (let x = s.first(); x !== 0; x = s.next(x)) out.push([s.memberAt(x), s.scoreAt(x)]);
      return out;
    };
    const before = want(z);
    const c = z.clone();
    expect(want(c)).toEqual(before);
    for (let i = 0; i < 3000; i += 2) c.delete(`m${i}`);
    c.add('new', 3);
    c.add('m1', -1);
    expect(want(z)).toEqual(before);
    expect(z.score('new')).toBeUndefined();
    expect(c.score('new')).toBe(3);
    expect(c.memberAt(c.at(0))).toBe('m1');
    expect(c.size()).toBe(before.filter(([m]) => Number(m.slice(1)) % 2 === 1).length + 1);
    z.add('other', 0);
    expect(c.score('other')).toBeUndefined();
    expect(new Set(c.liveMembers())).toEqual(new Set(want(c).map(([m]) => m)));
  });
});
