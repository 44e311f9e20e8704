/**
 * The sorted set against a sorted-array model through the packed representation (a listpack
 * set in one string), the switch to the skiplist (at the listpack limits, as ZADD checks them,
 * or past the packed form's own size bounds) and the skiplist itself: same members, scores,
 * order, ranks, range answers, encoding and serialized form after any sequence of writes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultEncodingLimits, type EncodingLimits } from './collection.js';
import { ZSetValue } from './zset.js';
import * as P from './zset-packed.js';
import { ScoreRange } from './zset-ranges.js';

type Entry = [string, number];

const order = (a: Entry, b: Entry): number =>
  a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

const member = fc.oneof(
  fc.integer({ min: 0, max: 400 }).map((i) => `m${i}`),
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 6 }),
  fc.constantFrom('', 'x'.repeat(240), 'y'.repeat(254), 'z'.repeat(300), 'w'.repeat(20000)),
);
const score = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 2.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.integer({ min: -3, max: 3 }),
  fc.double({ noNaN: true }),
);
const ops = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('add' as const), m: member, s: score }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('del' as const), m: member }) },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('bulk' as const),
        n: fc.integer({ min: 1, max: 300 }),
        s: score,
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('pop' as const), n: fc.nat(5), max: fc.boolean() }) },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('remrange' as const),
        r: fc.tuple(score, score, fc.boolean(), fc.boolean()),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('remrank' as const), a: fc.nat(300), b: fc.nat(300) }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('fit' as const) }) },
  ),
  { maxLength: 120 },
);

/** Redis's rules for the encoding, kept beside the model. */
class Model {
  readonly m = new Map<string, number>();
  big = false;
  placed = false;
  constructor(readonly limits: EncodingLimits) {}
  sorted(): Entry[] {
    return [...this.m].sort(order);
  }
  add(z: ZSetValue, m: string, s: number): void {
    if (!this.m.has(m)) {
      z.convertForNewMember(m.length, this.limits);
      if (this.m.size + 1 > this.limits.zsetMaxListpackEntries || m.length > this.limits.zsetMaxListpackValue)
        this.big = true;
    }
    const v = s === 0 && !this.big ? 0 : s;
    expect(z.add(m, s)).toBe(!this.m.has(m));
    if (this.m.get(m) !== v) this.m.set(m, v);
  }
  fit(z: ZSetValue): void {
    z.fitEncoding(this.limits);
    if (this.placed) return;
    this.placed = true;
    const fits =
      this.m.size <= this.limits.zsetMaxListpackEntries &&
      [...this.m.keys()].every((m) => m.length <= this.limits.zsetMaxListpackValue);
    if (fits && this.big) for (const [m, s] of this.m) if (s === 0) this.m.set(m, 0);
    this.big = !fits;
  }
}

function check(z: ZSetValue, model: Model, ranges: ScoreRange[]): void {
  const want = model.sorted();
  expect(z.size()).toBe(want.length);
  expect(z.encoding()).toBe(model.big ? 'skiplist' : 'listpack');
  expect([...z.entries()]).toEqual(want);
  const back: Entry[] = [];
  for (let x = z.last(); x !== 0; x = z.prev(x)) back.push([z.memberAt(x), z.scoreAt(x)]);
  expect(back).toEqual([...want].reverse());
  // Collected, then compared once (an expect per member is slow).
  const seen = want.map(([m], i) => {
    const x = z.at(i);
    return [z.score(m), z.has(m), z.rank(m), z.rank(m, true), z.memberAt(x), z.rankOfNode(x)];
  });
  expect(seen).toEqual(want.map(([m, s], i) => [s, true, i, want.length - 1 - i, m, i]));
  expect(z.at(want.length)).toBe(0);
  expect(z.score('\u0000absent')).toBeUndefined();
  for (const r of ranges) {
    const inside = want.filter(([, s]) => r.gteMin(s) && r.lteMax(s));
    const first = z.firstInRange(r, false);
    const last = z.lastInRange(r, false);
    expect(first === 0 ? null : z.memberAt(first)).toBe(inside.length ? inside[0][0] : null);
    expect(last === 0 ? null : z.memberAt(last)).toBe(inside.length ? inside[inside.length - 1][0] : null);
    expect(z.rangeHasDeletions(r, false)).toBe(inside.length > 0);
  }
}

describe('packed sorted-set entries', () => {
  it('walk both ways across one-char and five-char lengths', () => {
    const pairs: Entry[] = [
      ['', -1],
      ['a', 0],
      ['b'.repeat(245), 1],
      ['c'.repeat(254), 2],
      ['d'.repeat(70000), 3],
      ['e', 4],
    ];
    const s = P.packEntries(pairs);
    const fwd: Entry[] = [];
    for (let p = 0; p < s.length; p = P.nextEntry(s, p)) fwd.push([P.memberAt(s, p), P.scoreAt(s, p)]);
    expect(fwd).toEqual(pairs);
    const rev: Entry[] = [];
    for (let p = P.lastEntry(s); p >= 0; p = P.prevEntry(s, p)) rev.push([P.memberAt(s, p), P.scoreAt(s, p)]);
    expect(rev).toEqual([...pairs].reverse());
  });
});

describe('ZSetValue packed and unpacked', () => {
  it('matches the model across the packed/skiplist switch', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(
        ops,
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 400 }),
        fc.array(
          fc
            .tuple(score, score, fc.boolean(), fc.boolean())
            .map(([a, b, x, y]) => new ScoreRange(a, b, x, y)),
          { maxLength: 4 },
        ),
        (list, entries, value, ranges) => {
          const limits = {
            ...defaultEncodingLimits(),
            zsetMaxListpackEntries: entries,
            zsetMaxListpackValue: value,
          };
          const z = new ZSetValue();
          const model = new Model(limits);
          let bulk = 0;
          for (const o of list) {
            if (o.op === 'add') model.add(z, o.m, o.s);
            else if (o.op === 'bulk') for (let i = 0; i < o.n; i++) model.add(z, `b${bulk++}`, o.s);
            else if (o.op === 'del') expect(z.delete(o.m)).toBe(model.m.delete(o.m));
            else if (o.op === 'pop') {
              const want = model.sorted();
              if (o.max) want.reverse();
              const popped = o.max ? z.popMax(o.n) : z.popMin(o.n);
              expect(popped).toEqual(want.slice(0, o.n));
              for (const [m] of popped) model.m.delete(m);
            } else if (o.op === 'remrange') {
              const r = new ScoreRange(...o.r);
              const gone = model.sorted().filter(([, s]) => r.gteMin(s) && r.lteMax(s));
              expect(z.deleteRange(r, false)).toBe(r.empty ? 0 : gone.length);
              if (!r.empty) for (const [m] of gone) model.m.delete(m);
            } else if (o.op === 'remrank') {
              const n = model.m.size;
              const [a, b] = [Math.min(o.a, o.b), Math.max(o.a, o.b)];
              if (b >= n) continue;
              const gone = model.sorted().slice(a, b + 1);
              expect(z.deleteRangeByRank(a, b)).toBe(gone.length);
              for (const [m] of gone) model.m.delete(m);
            } else model.fit(z);
          }
          check(z, model, ranges);
          const copy = z.clone();
          check(copy, model, []);
          const back = ZSetValue.deserialize(z.serialize());
          expect([...back.entries()]).toEqual(model.sorted());
          // Loaded as a skiplist, then packed when it fits (-0 becoming 0 then).
          const loaded = new Model(limits);
          for (const [m, sc] of model.m) loaded.m.set(m, sc);
          loaded.big = true;
          loaded.fit(back);
          check(back, loaded, ranges);
          if (model.m.size > 0) expect(model.m.has(z.memberAt(z.at(0)))).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('packs a loaded skiplist that fits, turning -0 into 0 as a listpack stores it', () => {
    const z = new ZSetValue();
    z.big = true;
    z.add('a', -0);
    z.add('b', 1);
    const back = ZSetValue.deserialize(z.serialize());
    expect(Object.is(back.score('a'), -0)).toBe(true);
    back.fitEncoding(defaultEncodingLimits());
    expect(back.encoding()).toBe('listpack');
    expect([...back.entries()]).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    const kept = ZSetValue.deserialize(z.serialize());
    kept.fitEncoding({ ...defaultEncodingLimits(), zsetMaxListpackEntries: 1 });
    expect(kept.encoding()).toBe('skiplist');
    expect(Object.is(kept.score('a'), -0)).toBe(true);
  });

  it('charges a small set about its packed bytes, a converted one its skiplist', () => {
    const limits = defaultEncodingLimits();
    const z = new ZSetValue();
    for (let i = 0; i < 10; i++) z.add(`member:${i}`, i);
    z.fitEncoding(limits);
    expect(z.encoding()).toBe('listpack');
    // 10 * (1 + 8 + 8 + 1) packed bytes plus a fixed overhead.
    expect(z.memory()).toBeLessThan(300);
    z.convertForNewMember(65, limits);
    expect(z.encoding()).toBe('skiplist');
    expect(z.memory()).toBeGreaterThan(500);
    expect([...z.members()]).toEqual(Array.from({ length: 10 }, (_, i) => `member:${i}`));
  });
});
