/**
 * The skiplist-backed ZSetValue against a sorted-array model: every operation sequence leaves
 * the same members, order, ranks and range answers as sorting the model would.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZSetValue } from './zset.js';
import { LEX_MAX, LEX_MIN, type LexBound, LexRange, ScoreRange } from './zset-ranges.js';

type Entry = [string, number];

const before = (a: Entry, b: Entry): number =>
  a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

class Model {
  readonly m = new Map<string, number>();
  constructor(readonly big: boolean) {}
  sorted(): Entry[] {
    return [...this.m].sort(before);
  }
  add(member: string, score: number): void {
    const s = score === 0 && !this.big ? 0 : score;
    const cur = this.m.get(member);
    if (cur === undefined || cur !== s) this.m.set(member, s);
  }
}

const member = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '\x00', '\xff', 'B'), maxLength: 3 });
const score = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 1.5, 2, 3, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.integer({ min: -5, max: 5 }),
  fc.double({ noNaN: true }),
);
const scoreRange = fc
  .tuple(score, score, fc.boolean(), fc.boolean())
  .map(([a, b, x, y]) => new ScoreRange(a, b, x, y));
const lexBound = fc.oneof(
  fc.constant<[LexBound, boolean]>([LEX_MIN, true]),
  fc.constant<[LexBound, boolean]>([LEX_MAX, true]),
  fc.tuple(member, fc.boolean()).map(([m, ex]): [LexBound, boolean] => [m, ex]),
);
const lexRange = fc.tuple(lexBound, lexBound).map(([[a, ax], [b, bx]]) => new LexRange(a, b, ax, bx));

type Op =
  | { k: 'add'; m: string; s: number }
  | { k: 'del'; m: string }
  | { k: 'popMin' | 'popMax'; n: number }
  | { k: 'remRank'; a: number; b: number }
  | { k: 'remScore'; r: ScoreRange }
  | { k: 'remLex'; r: LexRange };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('add' as const), m: member, s: score }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('del' as const), m: member }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constantFrom('popMin' as const, 'popMax' as const), n: fc.nat(3) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('remRank' as const), a: fc.nat(20), b: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('remScore' as const), r: scoreRange }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('remLex' as const), r: lexRange }) },
);

/** Zero-based position of the first entry in range and of the last, by a linear walk. */
function modelRange(sorted: Entry[], inRange: (e: Entry) => boolean): [number, number] {
  let first = -1;
  let last = -1;
  sorted.forEach((e, i) => {
    if (inRange(e)) {
      if (first < 0) first = i;
      last = i;
    }
  });
  return [first, last];
}

const inScore = (r: ScoreRange) => (e: Entry) =>
  (r.minex ? e[1] > r.min : e[1] >= r.min) && (r.maxex ? e[1] < r.max : e[1] <= r.max);
const inLex = (r: LexRange) => (e: Entry) => r.gteMin(e[1], e[0]) && r.lteMax(e[1], e[0]);

function apply(z: ZSetValue, model: Model, o: Op, sameScores: boolean): void {
  const sorted = model.sorted();
  switch (o.k) {
    case 'add':
      expect(z.add(o.m, sameScores ? 7 : o.s)).toBe(!model.m.has(o.m));
      model.add(o.m, sameScores ? 7 : o.s);
      break;
    case 'del':
      expect(z.delete(o.m)).toBe(model.m.delete(o.m));
      break;
    case 'popMin':
    case 'popMax': {
      const want = o.k === 'popMin' ? sorted.slice(0, o.n) : sorted.reverse().slice(0, o.n);
      expect(o.k === 'popMin' ? z.popMin(o.n) : z.popMax(o.n)).toEqual(want);
      for (const [m] of want) model.m.delete(m);
      break;
    }
    case 'remRank': {
      if (sorted.length === 0) break;
      const a = Math.min(o.a, o.b) % sorted.length;
      const b = Math.min(Math.max(o.a, o.b), sorted.length - 1);
      if (a > b) break;
      expect(z.deleteRangeByRank(a, b)).toBe(b - a + 1);
      for (const [m] of sorted.slice(a, b + 1)) model.m.delete(m);
      break;
    }
    case 'remScore': {
      const gone = sorted.filter(inScore(o.r));
      expect(z.deleteRange(o.r, false)).toBe(o.r.empty ? 0 : gone.length);
      if (!o.r.empty) for (const [m] of gone) model.m.delete(m);
      break;
    }
    case 'remLex': {
      if (!sameScores) break;
      const gone = o.r.empty ? [] : sorted.filter(inLex(o.r));
      expect(z.deleteRange(o.r, true)).toBe(gone.length);
      for (const [m] of gone) model.m.delete(m);
      break;
    }
  }
}

function check(z: ZSetValue, model: Model, probe: ScoreRange, lexProbe: LexRange, sameScores: boolean): void {
  const sorted = model.sorted();
  const got = [...z.entries()];
  expect(got.length).toBe(sorted.length);
  got.forEach(([m, s], i) => {
    expect(m).toBe(sorted[i][0]);
    expect(Object.is(s, sorted[i][1])).toBe(true);
  });
  expect(z.size()).toBe(sorted.length);
  sorted.forEach(([m], i) => {
    expect(z.rank(m)).toBe(i);
    expect(z.rank(m, true)).toBe(sorted.length - 1 - i);
    expect(z.memberAt(z.at(i))).toBe(m);
  });
  const back: string[] = [];
  for (let x = z.last(); x !== 0; x = z.prev(x)) back.push(z.memberAt(x));
  expect(back).toEqual(sorted.map((e) => e[0]).reverse());

  const [f, l] = probe.empty ? [-1, -1] : modelRange(sorted, inScore(probe));
  expect(name(z, z.firstInRange(probe, false))).toBe(f < 0 ? null : sorted[f][0]);
  expect(name(z, z.lastInRange(probe, false))).toBe(l < 0 ? null : sorted[l][0]);
  if (sameScores) {
    const [lf, ll] = lexProbe.empty ? [-1, -1] : modelRange(sorted, inLex(lexProbe));
    expect(name(z, z.firstInRange(lexProbe, true))).toBe(lf < 0 ? null : sorted[lf][0]);
    expect(name(z, z.lastInRange(lexProbe, true))).toBe(ll < 0 ? null : sorted[ll][0]);
  }
  const round = ZSetValue.deserialize(z.serialize());
  expect([...round.entries()]).toEqual(got);
  expect([...z.clone().entries()]).toEqual(got);
}

describe('ZSetValue (skiplist) against a sorted array', () => {
  for (const big of [true, false]) {
    for (const sameScores of [false, true]) {
      it(`${big ? 'skiplist' : 'listpack'} encoding, ${sameScores ? 'one score (lex ranges)' : 'mixed scores'}`, () => {
        fc.assert(
          fc.property(fc.array(fc.tuple(op, scoreRange, lexRange), { maxLength: 120 }), (steps) => {
            const z = new ZSetValue();
            z.big = big;
            const model = new Model(big);
            for (const [o, probe, lexProbe] of steps) {
              apply(z, model, o, sameScores);
              check(z, model, probe, lexProbe, sameScores);
            }
          }),
          { numRuns: 150 },
        );
      });
    }
  }

  it('walks a listpack lex range linearly, as zzlFirstInLexRange does with mixed scores', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(member, score), { maxLength: 20 }), lexRange, (items, r) => {
        const z = new ZSetValue();
        const model = new Model(false);
        for (const [m, s] of items) {
          z.add(m, s);
          model.add(m, s);
        }
        const sorted = model.sorted();
        const touches =
          !r.empty && sorted.length > 0 && inLexMin(r, sorted[sorted.length - 1]) && inLexMax(r, sorted[0]);
        let first: string | null = null;
        if (touches) {
          const i = sorted.findIndex((e) => inLexMin(r, e));
          if (i >= 0 && inLexMax(r, sorted[i])) first = sorted[i][0];
        }
        expect(name(z, z.firstInRange(r, true))).toBe(first);
      }),
      { numRuns: 300 },
    );
  });

  it('walks every member present for the whole walk at least once, despite changes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(member, score), { minLength: 1, maxLength: 60 }),
        fc.array(op),
        (items, ops) => {
          const z = new ZSetValue();
          z.big = true;
          for (const [m, s] of items) z.add(m, s);
          const stable = new Set([...z.entries()].map(([m]) => m));
          const seen = new Map<string, number>();
          let k = 0;
          for (const m of z.liveMembers()) {
            // Only members of the set at that moment are yielded.
            expect(z.has(m)).toBe(true);
            seen.set(m, (seen.get(m) ?? 0) + 1);
            const o = ops[k++];
            if (o?.k === 'add') z.add(o.m, o.s);
            else if (o?.k === 'del') {
              z.delete(o.m);
              stable.delete(o.m);
            }
          }
          // As Redis's SCAN: a member present throughout is met (twice at most, when a removal
          // moved it past the walk); one added or removed meanwhile may or may not be.
          for (const m of stable) expect(seen.get(m)).toBeGreaterThanOrEqual(1);
          for (const n of seen.values()) expect(n).toBeLessThanOrEqual(2);
          if (ops.length === 0) for (const n of seen.values()) expect(n).toBe(1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rebuilds a sparse skiplist after mass removal, keeping order, ranks and a live walk', () => {
    const z = new ZSetValue();
    z.big = true;
    for (let i = 0; i < 5000; i++) z.add(`m${i}`, i % 50);
    const before = z.memory();
    const walk = z.liveMembers();
    for (let i = 0; i < 10; i++) walk.next();
    for (let i = 0; i < 5000; i++) if (i % 100 !== 0) z.delete(`m${i}`);
    // The member table keeps its tail block (16 KiB here) until it fills or empties.
    expect(z.memory()).toBeLessThan(before / 5);
    const model = new Model(true);
    for (let i = 0; i < 5000; i += 100) model.add(`m${i}`, i % 50);
    expect([...z.entries()]).toEqual(model.sorted());
    model.sorted().forEach(([m], i) => {
      expect(z.rank(m)).toBe(i);
    });
    // The first ten walked were removed since; every survivor is still met.
    expect(new Set(walk)).toEqual(new Set(Array.from({ length: 50 }, (_, k) => `m${k * 100}`)));
    z.add('fresh', 1);
    expect(z.rank('fresh')).toBe(model.sorted().filter(([, s]) => s < 1).length);
  });

  it('keeps O(log n) operations on a large set', { timeout: 60_000 }, () => {
    const z = new ZSetValue();
    z.big = true;
    const n = 200_000;
    const started = Date.now();
    for (let i = 0; i < n; i++) z.add(`m${i}`, (i * 7919) % n);
    for (let i = 0; i < n; i += 997) expect(z.rank(`m${i}`)).toBe((i * 7919) % n);
    for (let i = 0; i < n; i += 2) z.add(`m${i}`, -i);
    for (let i = 1; i < n; i += 4) z.delete(`m${i}`);
    expect(z.size()).toBe(n - n / 4);
    expect(z.memberAt(z.at(0))).toBe(`m${n - 2}`);
    expect(Date.now() - started).toBeLessThan(50_000);
  });
});

function inLexMin(r: LexRange, e: Entry): boolean {
  return r.gteMin(e[1], e[0]);
}

function inLexMax(r: LexRange, e: Entry): boolean {
  return r.lteMax(e[1], e[0]);
}

function name(z: ZSetValue, x: number): string | null {
  return x === 0 ? null : z.memberAt(x);
}
