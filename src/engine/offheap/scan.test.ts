/**
 * The SCAN guarantee under resizing: a key present for the whole scan is returned at least
 * once, however the index grows, shrinks or rehashes between calls; nothing is returned that
 * was never there.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { OffHeapKeyspace } from './keyspace.js';
import { verifyKeyspace } from './verify.js';

const b = (s: string) => Buffer.from(s);
const MAX_CHURN_KEYS = 3000;

const stepArb = fc.record({
  count: fc.integer({ min: 1, max: 40 }),
  adds: fc.integer({ min: 0, max: 60 }),
  dels: fc.integer({ min: 0, max: 60 }),
  background: fc.boolean(),
});

describe('OffHeapKeyspace scan', () => {
  it('returns every key present for the whole scan while the table grows and shrinks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.array(stepArb, { minLength: 1, maxLength: 200 }),
        (stable, churn, steps) => {
          const ks = new OffHeapKeyspace(1, new ManualClock());
          const v = b('v');
          for (let i = 0; i < stable; i++) ks.set(0, b(`s${i}`), v);
          const ever = new Set<string>();
          for (let i = 0; i < stable; i++) ever.add(`s${i}`);
          let next = 0;
          const live: number[] = [];
          for (; next < churn; next++) {
            ks.set(0, b(`c${next}`), v);
            ever.add(`c${next}`);
            live.push(next);
          }
          const seen = new Set<string>();
          let cursor = 0;
          let i = 0;
          do {
            const st = steps[i++ % steps.length];
            const out: Buffer[] = [];
            cursor = ks.scan(0, cursor, st.count, out);
            for (const k of out) seen.add(k.toString());
            // Bounded churn, so the scan terminates: the table grows and shrinks around this size.
            for (let a = 0; a < st.adds && live.length < MAX_CHURN_KEYS; a++, next++) {
              ks.set(0, b(`c${next}`), v);
              ever.add(`c${next}`);
              live.push(next);
            }
            for (let d = 0; d < st.dels && live.length > 0; d++) {
              const j = (d * 7919 + i) % live.length;
              ks.delete(0, b(`c${live[j]}`));
              live[j] = live[live.length - 1];
              live.pop();
            }
            if (st.background) ks.backgroundStep(0.05);
          } while (cursor !== 0 && i < 20_000);
          expect(cursor).toBe(0);
          for (let s = 0; s < stable; s++) expect(seen.has(`s${s}`)).toBe(true);
          for (const k of seen) expect(ever.has(k)).toBe(true);
          verifyKeyspace(ks);
        },
      ),
      { numRuns: Number(process.env.CAIRN_FC_RUNS ?? 150) },
    );
  }, 300_000);

  it('keeps the guarantee when a scan spans a rehash in progress', () => {
    const ks = new OffHeapKeyspace(1, new ManualClock());
    for (let i = 0; i < 1000; i++) ks.set(0, b(`s${i}`), b('v'));
    const dict = ks.dbs[0].dict;
    // Grow past the next power of two, then scan with the rehash still running.
    let n = 0;
    while (dict.rehashIdx < 0) ks.set(0, b(`c${n++}`), b('v'));
    const seen = new Set<string>();
    let cursor = 0;
    let spans = 0;
    do {
      const out: Buffer[] = [];
      cursor = ks.scan(0, cursor, 5, out);
      for (const k of out) seen.add(k.toString());
      if (dict.rehashIdx >= 0) spans++;
      ks.set(0, b(`c${n++}`), b('v'));
    } while (cursor !== 0);
    expect(spans).toBeGreaterThan(10);
    for (let i = 0; i < 1000; i++) expect(seen.has(`s${i}`)).toBe(true);
  });

  it('skips expired keys without deleting them, like the Map keyspace', () => {
    const clock = new ManualClock();
    const ks = new OffHeapKeyspace(1, clock);
    ks.set(0, b('a'), b('1'), clock.now() + 10);
    ks.set(0, b('b'), b('2'));
    clock.advance(10);
    const out: Buffer[] = [];
    expect(ks.scan(0, 0, 100, out)).toBe(0);
    expect(out.map(String)).toEqual(['b']);
    expect(ks.dbSize(0)).toBe(2);
  });
});
