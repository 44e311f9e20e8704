/**
 * The list against an array model, packed (small) and as a ring buffer (past its bounds), and
 * across the switch both ways (a cleared or trimmed list packs again).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListValue } from './list.js';

const item = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 10 }),
  fc.constantFrom('', 'a', 'b', 'x'.repeat(300), 'y'.repeat(9000)),
);

const op = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constantFrom('lpush', 'rpush'),
      v: item,
      n: fc.integer({ min: 1, max: 60 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constantFrom('lpop', 'rpop'), n: fc.integer({ min: 1, max: 40 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constantFrom('set', 'insert', 'remove'), i: fc.nat(), v: item }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('rem'),
      v: item,
      limit: fc.integer({ min: 0, max: 3 }),
      tail: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('trim'), a: fc.nat(), b: fc.nat() }) },
);

describe('ListValue', () => {
  it('behaves as an array, packed or not', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const l = new ListValue();
        let m: string[] = [];
        for (const o of ops) {
          switch (o.op) {
            case 'lpush':
            case 'rpush':
              for (let k = 0; k < o.n; k++) {
                const v = `${o.v}${k}`;
                if (o.op === 'lpush') {
                  l.pushHead(v);
                  m.unshift(v);
                } else {
                  l.pushTail(v);
                  m.push(v);
                }
              }
              break;
            case 'lpop':
              for (let k = 0; k < o.n; k++) expect(l.popHead()).toBe(m.shift());
              break;
            case 'rpop':
              for (let k = 0; k < o.n; k++) expect(l.popTail()).toBe(m.pop());
              break;
            case 'set':
              if (m.length > 0) {
                const i = o.i % m.length;
                l.setAt(i, o.v);
                m[i] = o.v;
              }
              break;
            case 'insert': {
              const i = o.i % (m.length + 1);
              l.insertAt(i, o.v);
              m.splice(i, 0, o.v);
              break;
            }
            case 'remove':
              if (m.length > 0) {
                const i = o.i % m.length;
                l.removeAt(i);
                m.splice(i, 1);
              }
              break;
            case 'rem': {
              const before = m.length;
              const order = o.tail ? [...m].reverse() : [...m];
              let removed = 0;
              const keep = order.filter((x) => !(x === o.v && (o.limit === 0 || removed++ < o.limit)));
              m = o.tail ? keep.reverse() : keep;
              expect(l.removeMatching(o.v, o.limit, o.tail)).toBe(before - m.length);
              break;
            }
            case 'trim':
              if (m.length > 0) {
                const a = o.a % m.length;
                const b = a + (o.b % (m.length - a));
                l.trim(a, b);
                m = m.slice(a, b + 1);
              }
              break;
          }
          expect(l.size()).toBe(m.length);
        }
        expect(l.range(0, m.length - 1)).toEqual(m);
        for (let i = m.length - 1; i >= 0; i -= 7) expect(l.at(i)).toBe(m[i]);
        expect(ListValue.deserialize(l.serialize()).range(0, m.length - 1)).toEqual(m);
        expect(l.clone().range(0, m.length - 1)).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it('charges a small list about its packed bytes', () => {
    const l = new ListValue();
    for (let i = 0; i < 10; i++) l.pushTail(`item:${i}`);
    expect(l.memory()).toBeLessThan(150);
    for (let i = 0; i < 200; i++) l.pushTail('x');
    expect(l.memory()).toBeGreaterThan(200 * 48);
    l.trim(0, 3);
    expect(l.memory()).toBeLessThan(150);
  });
});
