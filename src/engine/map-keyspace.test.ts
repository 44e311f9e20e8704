import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { MapKeyspace } from './map-keyspace.js';
import type { ChangeKind } from './types.js';

const b = (s: string) => Buffer.from(s);

describe('MapKeyspace', () => {
  it('stores binary-safe keys and values, copying the bytes it keeps', () => {
    const ks = new MapKeyspace(2, new ManualClock());
    const key = Buffer.from([0, 255, 13, 10]);
    const val = Buffer.from([1, 2, 3]);
    ks.set(0, key, val);
    val[0] = 99;
    expect(ks.get(0, Buffer.from([0, 255, 13, 10]))).toEqual(Buffer.from([1, 2, 3]));
    expect(ks.get(1, key)).toBeNull();
  });

  it('expires lazily on access, with the injected clock', () => {
    const clock = new ManualClock();
    const ks = new MapKeyspace(1, clock);
    const events: ChangeKind[] = [];
    ks.setChangeListener((_db, _k, kind) => events.push(kind));
    ks.set(0, b('k'), b('v'), clock.now() + 1000);
    expect(ks.expireTime(0, b('k'))).toBe(clock.now() + 1000);
    clock.advance(999);
    expect(ks.get(0, b('k'))).toEqual(b('v'));
    clock.advance(1);
    expect(ks.get(0, b('k'))).toBeNull();
    expect(ks.dbSize(0)).toBe(0);
    expect(events).toEqual(['set', 'expire']);
  });

  it('keeps or replaces the TTL on overwrite', () => {
    const clock = new ManualClock();
    const ks = new MapKeyspace(1, clock);
    ks.set(0, b('k'), b('1'), clock.now() + 5000);
    ks.set(0, b('k'), b('2'), 0, true);
    expect(ks.expireTime(0, b('k'))).toBe(clock.now() + 5000);
    ks.set(0, b('k'), b('3'));
    expect(ks.expireTime(0, b('k'))).toBe(-1);
    expect(ks.expiresCount(0)).toBe(0);
    expect(ks.expireTime(0, b('missing'))).toBe(-2);
  });

  it('active expiry removes keys nobody reads, within its budget', () => {
    const clock = new ManualClock();
    const ks = new MapKeyspace(2, clock);
    for (let i = 0; i < 1000; i++) ks.set(i % 2, b(`k${i}`), b('v'), clock.now() + (i < 900 ? 10 : 100_000));
    clock.advance(20);
    let expired = 0;
    for (let i = 0; i < 50 && ks.dbSize(0) + ks.dbSize(1) > 100; i++)
      expired += ks.activeExpireCycle(50).expired;
    expect(expired).toBe(900);
    expect(ks.dbSize(0) + ks.dbSize(1)).toBe(100);
  });

  it('scan returns every key present for the whole scan while keys are added and removed', () => {
    const ks = new MapKeyspace(1, new ManualClock());
    for (let i = 0; i < 500; i++) ks.set(0, b(`stable${i}`), b('v'));
    const seen = new Set<string>();
    let cursor = 0;
    let round = 0;
    do {
      const out: Buffer[] = [];
      cursor = ks.scan(0, cursor, 10, out);
      for (const k of out) seen.add(k.toString());
      ks.set(0, b(`new${round}`), b('v'));
      ks.delete(0, b(`new${round - 1}`));
      round++;
    } while (cursor !== 0);
    for (let i = 0; i < 500; i++) expect(seen.has(`stable${i}`)).toBe(true);
  });

  it('scan resumes from a cursor it has not saved (another connection, restart of the cache)', () => {
    const ks = new MapKeyspace(1, new ManualClock());
    for (let i = 0; i < 100; i++) ks.set(0, b(`k${i}`), b('v'));
    const first: Buffer[] = [];
    const cursor = ks.scan(0, 0, 30, first);
    ks.swapDb(0, 0); // clears saved iterators
    const rest: Buffer[] = [];
    let c = cursor;
    do c = ks.scan(0, c, 30, rest);
    while (c !== 0);
    expect(new Set([...first, ...rest].map(String)).size).toBe(100);
  });

  it('swaps and flushes databases, reporting whole-db changes', () => {
    const ks = new MapKeyspace(3, new ManualClock());
    const events: Array<[number, string | null, ChangeKind]> = [];
    ks.set(0, b('a'), b('1'));
    ks.set(1, b('b'), b('2'));
    ks.setChangeListener((db, k, kind) => events.push([db, k === null ? null : k.toString(), kind]));
    ks.swapDb(0, 1);
    expect(ks.get(0, b('b'))).toEqual(b('2'));
    expect(ks.get(1, b('a'))).toEqual(b('1'));
    ks.flushAll();
    expect(ks.dbSize(0) + ks.dbSize(1)).toBe(0);
    expect(ks.usedMemory()).toBe(0);
    expect(events.slice(0, 2)).toEqual([
      [0, null, 'flush'],
      [1, null, 'flush'],
    ]);
  });

  it('evicts under maxmemory unless the policy is noeviction', () => {
    const ks = new MapKeyspace(1, new ManualClock());
    for (let i = 0; i < 100; i++) ks.set(0, b(`k${i}`), Buffer.alloc(100));
    const limit = ks.usedMemory() / 2;
    expect(ks.makeRoom(limit)).toBe(false);
    ks.configure({ maxmemoryPolicy: 'allkeys-random' });
    expect(ks.makeRoom(limit)).toBe(true);
    expect(ks.usedMemory()).toBeLessThanOrEqual(limit);
    ks.configure({ maxmemoryPolicy: 'volatile-lru' });
    expect(ks.makeRoom(0)).toBe(false);
  });
});
