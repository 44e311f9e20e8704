/**
 * BigTable against a Map model: any sequence of writes and deletes (short, long and
 * own-block-sized keys and values, all 256 byte values) leaves the same keys, values and size;
 * scans return every key present for the whole scan; random picks are uniform; clones are
 * independent; memory follows the content (blocks are reclaimed, the index shrinks).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BigTable } from './big-table.js';
import { hashBytes, hashString } from './big-table-bytes.js';

const byteString = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength });

const key = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 300 }).map((i) => `k${i}`) },
  { weight: 2, arbitrary: byteString(8) },
  { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(254), 'y'.repeat(255), 'z'.repeat(20000)) },
);
const value = fc.oneof(
  { weight: 6, arbitrary: byteString(12) },
  { weight: 1, arbitrary: fc.constantFrom('', 'v'.repeat(300), 'w'.repeat(17000), 'u'.repeat(60000)) },
);
type Op = { op: 'set'; k: string; v: string } | { op: 'del'; k: string } | { op: 'scan' };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), k: key, v: value }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('del' as const), k: key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('scan' as const) }) },
);

function check(t: BigTable, model: Map<string, string>): void {
  expect(t.size).toBe(model.size);
  const entries = [...t.entries()];
  expect(new Map(entries)).toEqual(model);
  expect(entries.length).toBe(model.size);
  expect([...t.keys()]).toEqual(entries.map((e) => e[0]));
  expect([...t.values()]).toEqual(entries.map((e) => e[1]));
  for (const [k, v] of model) {
    expect(t.has(k)).toBe(true);
    expect(t.get(k)).toBe(t.withValues ? v : '');
  }
}

describe('BigTable', () => {
  it('hashes a string and its bytes alike', () => {
    fc.assert(
      fc.property(byteString(40), (s) => {
        expect(hashBytes(Buffer.from(s, 'latin1'), 0, s.length)).toBe(hashString(s));
      }),
    );
  });

  it('behaves as a Map (hash) and a Set (set) under any writes', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { maxLength: 600 }), (withValues, ops) => {
        const t = new BigTable(withValues);
        const model = new Map<string, string>();
        let scan: { it: Iterator<string>; seen: Set<string>; present: Set<string> } | null = null;
        for (const o of ops) {
          if (o.op === 'set') {
            expect(t.set(o.k, o.v)).toBe(!model.has(o.k));
            model.set(o.k, withValues ? o.v : '');
          } else if (o.op === 'del') {
            expect(t.delete(o.k)).toBe(model.delete(o.k));
            scan?.present.delete(o.k);
          } else if (scan === null) {
            scan = { it: t.scan(), seen: new Set(), present: new Set(model.keys()) };
          } else {
            // A few steps of the scan between writes.
            for (let i = 0; i < 3; i++) {
              const r = scan.it.next();
              if (r.done) break;
              scan.seen.add(r.value);
            }
          }
          expect(t.get(o.op === 'scan' ? '' : o.k)).toBe(o.op === 'scan' ? t.get('') : model.get(o.k));
        }
        check(t, model);
        if (scan !== null) {
          for (let r = scan.it.next(); !r.done; r = scan.it.next()) scan.seen.add(r.value);
          for (const k of scan.present) expect(scan.seen.has(k)).toBe(true);
        }
        const c = t.clone();
        check(c, model);
        c.set('only in the clone', 'x');
        expect(t.has('only in the clone')).toBe(false);
        for (const k of model.keys()) t.delete(k);
        expect(t.size).toBe(0);
        check(c, new Map([...model, ['only in the clone', withValues ? 'x' : '']]));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps a large table whole through growth, rehash and mass deletes, and gives memory back', () => {
    const t = new BigTable(true);
    const N = 200_000;
    let bad = 0;
    for (let i = 0; i < N; i++) if (!t.set(`field:${i}`, `value:${i}`)) bad++;
    expect(t.size).toBe(N);
    for (let i = 0; i < N; i++) if (t.get(`field:${i}`) !== `value:${i}`) bad++;
    // Insertion order until the first delete.
    let i = 0;
    for (const k of t.keys()) if (k !== `field:${i++}`) bad++;
    expect(bad).toBe(0);
    const full = t.memory();
    // 26 bytes of entry, 12 of id pages, 4 per index slot.
    expect(full).toBeGreaterThan(N * 40);
    expect(full).toBeLessThan(N * 64);
    for (let j = 0; j < N; j++) if (j % 10 !== 0 && !t.delete(`field:${j}`)) bad++;
    expect(t.size).toBe(N / 10);
    for (let j = 0; j < N; j++) if (t.get(`field:${j}`) !== (j % 10 === 0 ? `value:${j}` : undefined)) bad++;
    expect(bad).toBe(0);
    expect(t.memory()).toBeLessThan(full / 4);
    // Rewritten values of another size move; the old bytes are reclaimed.
    const before = t.memory();
    for (let j = 0; j < N; j += 10) t.set(`field:${j}`, `a longer value than before ${j}`);
    for (let j = 0; j < N; j += 10) if (t.get(`field:${j}`) !== `a longer value than before ${j}`) bad++;
    expect(bad).toBe(0);
    let live = 0;
    for (let j = 0; j < N; j += 10)
      live += 2 + `field:${j}`.length + `a longer value than before ${j}`.length;
    expect(t.liveBytes()).toBe(live);
    expect(t.memory()).toBeLessThan(before + (N / 10) * 40);
  });

  it('picks uniformly', () => {
    const t = new BigTable(false);
    for (let i = 0; i < 100; i++) t.set(`m${i}`);
    for (let i = 0; i < 100; i += 2) t.delete(`m${i}`);
    const counts = new Map<string, number>();
    for (let i = 0; i < 50_000; i++) {
      const m = t.random();
      counts.set(m, (counts.get(m) ?? 0) + 1);
    }
    expect(counts.size).toBe(50);
    for (const [m, c] of counts) {
      expect(Number(m.slice(1)) % 2).toBe(1);
      expect(c).toBeGreaterThan(800);
      expect(c).toBeLessThan(1200);
    }
  });

  it('scans every key present throughout while others come and go', () => {
    const t = new BigTable(false);
    for (let i = 0; i < 5000; i++) t.set(`stay${i}`);
    for (let i = 0; i < 5000; i++) t.set(`go${i}`);
    const seen = new Set<string>();
    let n = 0;
    for (const k of t.scan()) {
      seen.add(k);
      n++;
      if (n % 3 === 0) t.delete(`go${n}`);
      if (n % 5 === 0) t.set(`new${n}`);
    }
    for (let i = 0; i < 5000; i++) expect(seen.has(`stay${i}`)).toBe(true);
  });
});
