/**
 * The hash against a Map model, through the packed representation (small), the switch to a
 * BigTable (past its size bounds or at the listpack limits) and the BigTable itself: same fields,
 * values, size and serialized form after any sequence of writes, and the same order until the
 * first delete (a BigTable moves its last field into a deleted one's place).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultEncodingLimits } from './collection.js';
import { HashValue } from './hash.js';
import { append, elementAt, elementEnd, elements, prepend, splice } from './packed.js';

const text = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
  fc.constantFrom('', 'a', 'field', 'x'.repeat(254), 'y'.repeat(255), 'z'.repeat(70000)),
);

const field = fc.oneof(fc.constantFrom('a', 'b', 'c', ''), text);
const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('set' as const), f: field, v: text }),
    fc.record({ op: fc.constant('del' as const), f: field }),
    fc.record({ op: fc.constant('fit' as const) }),
  ),
  { maxLength: 400 },
);

describe('packed elements', () => {
  it('round-trip lengths below and above the one-char header', () => {
    const items = ['', 'a', 'b'.repeat(254), 'c'.repeat(255), 'd'.repeat(100000)];
    const s = append('', ...items);
    expect([...elements(s)]).toEqual(items);
    expect([...elements(prepend(s, 'first'))]).toEqual(['first', ...items]);
    const second = elementEnd(s, 0);
    const after = splice(s, second, elementEnd(s, second), 'new', 'two');
    expect([...elements(after)]).toEqual(['', 'new', 'two', ...items.slice(2)]);
    expect(elementAt(after, 0)).toBe('');
  });
});

describe('HashValue', () => {
  it('behaves as a Map (in insertion order until a delete), packed or not', () => {
    fc.assert(
      fc.property(ops, fc.integer({ min: 0, max: 300 }), (list, maxEntries) => {
        const limits = { ...defaultEncodingLimits(), hashMaxListpackEntries: maxEntries };
        const h = new HashValue();
        const model = new Map<string, string>();
        let deleted = false;
        for (const o of list) {
          if (o.op === 'set') {
            expect(h.set(o.f, o.v)).toBe(!model.has(o.f));
            model.set(o.f, o.v);
          } else if (o.op === 'del') {
            const gone = model.delete(o.f);
            expect(h.delete(o.f)).toBe(gone);
            deleted ||= gone;
          } else h.fitEncoding(limits);
          expect(h.size()).toBe(model.size);
        }
        const entries = [...h.entries()];
        if (deleted) expect(new Map(entries)).toEqual(model);
        else expect(entries).toEqual([...model.entries()]);
        expect(entries.length).toBe(model.size);
        expect([...h.keys()]).toEqual(entries.map((e) => e[0]));
        expect([...h.values()]).toEqual(entries.map((e) => e[1]));
        for (const [f, v] of model) {
          expect(h.get(f)).toBe(v);
          expect(h.has(f)).toBe(true);
        }
        expect(h.get('\u0000absent')).toBeUndefined();
        const back = HashValue.deserialize(h.serialize());
        expect([...back.entries()]).toEqual(entries);
        const copy = h.clone();
        expect([...copy.entries()]).toEqual(entries);
        expect(copy.encoding()).toBe(h.encoding());
        if (model.size > 0) expect(model.has(h.randomField())).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('reports listpack until a write passes the limits, then hashtable for good', () => {
    const limits = defaultEncodingLimits();
    const h = new HashValue();
    for (let i = 0; i < 128; i++) h.set(`f${i}`, 'v');
    h.fitEncoding(limits);
    expect(h.encoding()).toBe('listpack');
    h.set('f128', 'v');
    h.fitEncoding(limits);
    expect(h.encoding()).toBe('hashtable');
    for (let i = 0; i <= 128; i++) h.delete(`f${i}`);
    h.set('a', 'b');
    h.fitEncoding(limits);
    expect(h.encoding()).toBe('hashtable');
    expect([...h.entries()]).toEqual([['a', 'b']]);
  });

  it('charges a small hash about its packed bytes', () => {
    const h = new HashValue();
    for (let i = 0; i < 10; i++) h.set(`field:${i}`, `value:${i}`);
    // 10 * (1 + 7 + 1 + 7) packed bytes plus a fixed overhead, far below a Map's 48 per element.
    expect(h.memory()).toBeLessThan(300);
  });
});
