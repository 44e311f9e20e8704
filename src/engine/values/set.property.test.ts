/**
 * The set against a model through its three forms: a packed intset (fixed-width integers,
 * widened as wider members come), a packed small hashtable set, and a Set (past the packed
 * forms' bounds or the intset limit): same members, intset order, encoding and serialized form
 * after any sequence of writes; insertion order (the intset's numeric order first) until the
 * first delete, which in a BigTable moves the last member into the deleted one's place.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultEncodingLimits } from './collection.js';
import { compareInt64Strings, isInt64String, SetValue } from './set.js';
import { decodeInt, encodeInt, intWidth, search } from './set-ints.js';

const EDGES = [
  '0',
  '-1',
  '1',
  '32767',
  '-32768',
  '32768',
  '-32769',
  '2147483647',
  '-2147483648',
  '2147483648',
  '-2147483649',
  '9007199254740993',
  '-9007199254740993',
  '9223372036854775807',
  '-9223372036854775808',
];
const int = fc.oneof(
  fc.constantFrom(...EDGES),
  fc.integer({ min: -40000, max: 40000 }).map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
);
const notInt = fc.oneof(
  fc.constantFrom('-0', '01', '+1', ' 1', '9223372036854775808', '', 'a', 'x'.repeat(300)),
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 6 }),
);
const ops = fc.array(
  fc.oneof(
    { weight: 18, arbitrary: fc.record({ op: fc.constant('add' as const), m: int }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('add' as const), m: notInt }) },
    { weight: 9, arbitrary: fc.record({ op: fc.constant('del' as const), m: fc.oneof(int, notInt) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('bulk' as const),
        from: fc.integer({ min: -1e6, max: 1e6 }),
        n: fc.integer({ min: 1, max: 4200 }),
      }),
    },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('fit' as const) }) },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('strs' as const), n: fc.integer({ min: 1, max: 300 }) }),
    },
  ),
  { minLength: 4, maxLength: 60 },
);

/** Members in the order SetValue keeps them: numeric while an intset, else insertion order. */
class Model {
  readonly m = new Set<string>();
  intset = true;
  constructor(readonly maxIntset: number) {}
  add(m: string): boolean {
    if (this.m.has(m)) return false;
    if (this.intset && !isInt64String(m)) this.toHashtable();
    this.m.add(m);
    return true;
  }
  fit(): void {
    if (this.intset && this.m.size > this.maxIntset) this.toHashtable();
  }
  private toHashtable(): void {
    const sorted = [...this.m].sort(compareInt64Strings);
    this.m.clear();
    for (const x of sorted) this.m.add(x);
    this.intset = false;
  }
  members(): string[] {
    const all = [...this.m];
    return this.intset ? all.sort(compareInt64Strings) : all;
  }
}

describe('packed intset members', () => {
  it('round-trip at each width and order as numbers', () => {
    fc.assert(
      fc.property(fc.array(int, { maxLength: 30 }), (list) => {
        const w = Math.max(2, ...list.map(intWidth));
        const sorted = [...new Set(list)].sort(compareInt64Strings);
        const s = sorted.map((m) => encodeInt(m, w)).join('');
        expect(sorted.map((_, i) => decodeInt(s, i, w))).toEqual(sorted);
        for (const [i, m] of sorted.entries()) expect(search(s, encodeInt(m, w), w)).toBe(i);
      }),
    );
  });
});

describe('SetValue packed and unpacked', () => {
  it('matches the model across the intset, packed and Set forms', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(ops, fc.integer({ min: 0, max: 6000 }), (list, maxIntset) => {
        const limits = { ...defaultEncodingLimits(), setMaxIntsetEntries: maxIntset };
        const s = new SetValue();
        const model = new Model(maxIntset);
        let deleted = false;
        const both = (m: string) => {
          s.add(m);
          model.add(m);
        };
        for (const o of list) {
          if (o.op === 'add') expect(s.add(o.m)).toBe(model.add(o.m));
          else if (o.op === 'bulk') for (let i = 0; i < o.n; i++) both(String(o.from + i));
          else if (o.op === 'strs') for (let i = 0; i < o.n; i++) both(`s${i}`);
          else if (o.op === 'del') {
            const gone = model.m.delete(o.m);
            expect(s.delete(o.m)).toBe(gone);
            deleted ||= gone;
          } else {
            s.fitEncoding(limits);
            model.fit();
          }
        }
        const want = model.members();
        expect(s.size()).toBe(want.length);
        expect(s.encoding()).toBe(model.intset ? 'intset' : 'hashtable');
        // Numeric order for an intset; insertion order until a delete for a hashtable set.
        const exact = model.intset || !deleted;
        const inOrder = (got: string[]) => (exact ? got : [...got].sort());
        const wanted = exact ? want : [...want].sort();
        expect(inOrder(s.members())).toEqual(wanted);
        const vals = [...s.values()];
        expect(model.intset ? vals.sort(compareInt64Strings) : inOrder(vals)).toEqual(wanted);
        expect(want.every((m) => s.has(m))).toBe(true);
        for (const m of [...EDGES, '-0', '01', 'absent']) expect(s.has(m)).toBe(model.m.has(m));
        const copy = s.clone();
        expect(copy.members()).toEqual(s.members());
        expect(copy.encoding()).toBe(s.encoding());
        const back = SetValue.deserialize(s.serialize());
        back.fitEncoding(limits);
        expect(new Set(back.members())).toEqual(model.m);
        if (want.length > 0) expect(model.m.has(s.randomMember())).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('charges a small set about its packed bytes', () => {
    const ints = new SetValue();
    for (let i = 0; i < 10; i++) ints.add(String(i * 1000));
    expect(ints.encoding()).toBe('intset');
    // 10 members of 2 bytes plus a fixed overhead.
    expect(ints.memory()).toBeLessThan(100);
    const strs = new SetValue();
    for (let i = 0; i < 10; i++) strs.add(`member:${i}`);
    expect(strs.encoding()).toBe('hashtable');
    expect(strs.memory()).toBeLessThan(200);
  });

  it('widens every member when a wider one comes, and finds none wider than its width', () => {
    const s = new SetValue();
    s.add('5');
    s.add('-7');
    expect(s.has('70000')).toBe(false);
    s.add('-9223372036854775808');
    s.add('70000');
    expect(s.members()).toEqual(['-9223372036854775808', '-7', '5', '70000']);
    expect(s.delete('70000')).toBe(true);
    expect(s.members()).toEqual(['-9223372036854775808', '-7', '5']);
  });

  it('keeps numeric order when an intset held as a Set takes a string member', () => {
    // Found by the property above: past the packed bound the ints live in a Set, and a smaller
    // member added later came after the larger ones once the set stopped being an intset.
    const s = new SetValue();
    for (let i = 0; i <= 4096; i++) s.add(String(i));
    s.add('-2147483648');
    s.add('s0');
    expect(s.encoding()).toBe('hashtable');
    expect(s.members().slice(0, 2)).toEqual(['-2147483648', '0']);
    expect(s.members().at(-1)).toBe('s0');
  });
});
