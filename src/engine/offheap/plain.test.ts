import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { OffHeapKeyspace } from './keyspace.js';
import { F_RAW, F_TTL } from './layout.js';
import { verifyKeyspace } from './verify.js';

const b = (s: string) => Buffer.from(s);

function refOf(ks: OffHeapKeyspace, key: Buffer): number {
  return ks.dbs[0].dict.find(key, ks.hash(key));
}

describe('plain string fast paths (plain.ts)', () => {
  it('overwrites a same-size-class value in place, and moves a grown one', () => {
    const ks = new OffHeapKeyspace(1, new ManualClock());
    ks.set(0, b('k'), b('abc'));
    const ref = refOf(ks, b('k'));
    const live = ks.arena.liveBytes;
    ks.set(0, b('k'), b('xyz'));
    expect(refOf(ks, b('k'))).toBe(ref);
    expect(ks.arena.liveBytes).toBe(live);
    expect(ks.get(0, b('k'))).toEqual(b('xyz'));
    ks.set(0, b('k'), Buffer.alloc(300, 'v'));
    expect(refOf(ks, b('k'))).not.toBe(ref);
    expect(ks.get(0, b('k'))).toEqual(Buffer.alloc(300, 'v'));
    ks.set(0, b('k'), b(''));
    expect(ks.get(0, b('k'))).toEqual(b(''));
    verifyKeyspace(ks);
  });

  it('touches the access clock on an in-place overwrite', () => {
    const clock = new ManualClock();
    const ks = new OffHeapKeyspace(1, clock);
    ks.set(0, b('k'), b('a'));
    clock.advance(10_000);
    expect(ks.meta(0, b('k'))?.idleMs).toBeGreaterThanOrEqual(9_000);
    ks.set(0, b('k'), b('b'));
    expect(ks.meta(0, b('k'))?.idleMs).toBeLessThan(1_000);
  });

  it('leaves TTLs, KEEPTTL, raw strings and collections to the general path', () => {
    const clock = new ManualClock();
    const ks = new OffHeapKeyspace(1, clock);
    const at = clock.now() + 5_000;
    ks.set(0, b('t'), b('v1'), at);
    ks.set(0, b('t'), b('v2'), 0, true);
    expect(ks.expireTime(0, b('t'))).toBe(at);
    ks.set(0, b('t'), b('v3'));
    expect(ks.expireTime(0, b('t'))).toBe(-1);
    expect(ks.expiresCount(0)).toBe(0);
    // A plain entry given a TTL gets a slot.
    ks.set(0, b('p'), b('v'));
    ks.set(0, b('p'), b('w'), at);
    expect(ks.entries.flags(refOf(ks, b('p'))) & F_TTL).toBe(F_TTL);
    expect(ks.expiresCount(0)).toBe(1);
    clock.advance(6_000);
    expect(ks.get(0, b('p'))).toBeNull();
    // Raw in, then a plain SET clears the raw encoding.
    ks.set(0, b('r'), b('x'), 0, false, true);
    expect(ks.entries.flags(refOf(ks, b('r'))) & F_RAW).toBe(F_RAW);
    ks.set(0, b('r'), b('y'));
    expect(ks.entries.flags(refOf(ks, b('r'))) & F_RAW).toBe(0);
    expect(ks.get(0, b('r'))).toEqual(b('y'));
    verifyKeyspace(ks);
  });

  it('reads values stored with a TTL slot or a shared key prefix', () => {
    const clock = new ManualClock();
    const ks = new OffHeapKeyspace(1, clock);
    const keys = Array.from({ length: 8 }, (_, i) => b(`tenant:0001:region:eu:session:${i}`));
    for (const k of keys) ks.set(0, k, b(`value-${k.toString()}`), clock.now() + 60_000);
    expect(ks.entries.prefixes.count()).toBe(1);
    for (const k of keys) expect(ks.get(0, k)).toEqual(b(`value-${k.toString()}`));
    // A prefixed entry without a TTL is not plain: overwritten through the general path.
    for (const k of keys) ks.set(0, k, b('w'));
    for (const k of keys) expect(ks.get(0, k)).toEqual(b('w'));
    verifyKeyspace(ks);
  });

  it('prefetch is a hint with no observable effect, empty, growing or rehashing', () => {
    const ks = new OffHeapKeyspace(2, new ManualClock());
    const argv = [b('mset'), b('a'), b('1'), b('b'), b('2')];
    ks.prefetch(0, argv, 1, 2);
    for (let i = 0; i < 1000; i++) {
      ks.set(0, b(`key:${i}`), b(String(i)));
      if (i % 97 === 0) ks.prefetch(0, [b(`key:${i}`), b('nope')], 0, 1);
    }
    ks.prefetch(1, argv, 1, 2);
    expect(ks.dbSize(0)).toBe(1000);
    expect(ks.dbSize(1)).toBe(0);
    expect(ks.get(0, b('key:500'))).toEqual(b('500'));
    verifyKeyspace(ks);
  });
});
