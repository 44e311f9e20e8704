/**
 * What snapshots need from a keyspace engine (types.ts: `peekEntry`, the before-change
 * listener). Run against every engine: add a factory to ENGINES.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../engine/clock.js';
import { MapKeyspace } from '../engine/map-keyspace.js';
import { OffHeapKeyspace } from '../engine/offheap/keyspace.js';
import type { Keyspace } from '../engine/types.js';

const ENGINES: Array<[string, (clock: ManualClock) => Keyspace]> = [
  ['map', (clock) => new MapKeyspace(4, clock)],
  ['offheap', (clock) => new OffHeapKeyspace(4, clock)],
];

const b = (s: string) => Buffer.from(s);

for (const [name, make] of ENGINES) {
  describe(`${name} keyspace: snapshot support`, () => {
    function setup() {
      const clock = new ManualClock();
      const ks = make(clock);
      /** Each call: db, key, and the entry as the listener saw it (before the change). */
      const calls: Array<[number, string | null, string | null]> = [];
      ks.setBeforeChangeListener!((db, key) => {
        const e = key === null ? null : ks.peekEntry(db, key);
        calls.push([db, key?.toString() ?? null, e === null ? null : `${e.value}@${e.expireAt}`]);
      });
      return { clock, ks, calls };
    }

    it('peekEntry neither expires nor touches', () => {
      const { clock, ks } = setup();
      const t = clock.now();
      ks.set(0, b('k'), b('v'), t + 100);
      clock.advance(1000);
      expect(ks.peekEntry(0, b('k'))).toEqual({ value: b('v'), expireAt: t + 100 });
      expect(ks.dbSize(0)).toBe(1);
      expect(ks.peekEntry(0, b('missing'))).toBeNull();
      ks.set(0, b('p'), b('v'));
      clock.advance(5000);
      ks.peekEntry(0, b('p'));
      expect(ks.meta(0, b('p'))?.idleMs).toBe(5000);
    });

    it('scan with includeExpired also returns keys past their TTL that are still stored', () => {
      const { clock, ks } = setup();
      ks.set(0, b('dead'), b('v'), clock.now() + 10);
      ks.set(0, b('live'), b('v'));
      clock.advance(20);
      const plain: Buffer[] = [];
      const all: Buffer[] = [];
      let c = 0;
      do c = ks.scan(0, c, 10, plain);
      while (c !== 0);
      do c = ks.scan(0, c, 10, all, true);
      while (c !== 0);
      expect(plain.map(String)).toEqual(['live']);
      expect(all.map(String).sort()).toEqual(['dead', 'live']);
    });

    it('announces creation, overwrite, TTL changes and delete before they happen', () => {
      const { clock, ks, calls } = setup();
      const t = clock.now();
      ks.set(1, b('k'), b('v1'));
      ks.set(1, b('k'), b('v2'), t + 50);
      ks.setExpireTime(1, b('k'), t + 80);
      ks.persist(1, b('k'));
      ks.delete(1, b('k'));
      expect(calls).toEqual([
        [1, 'k', null],
        [1, 'k', 'v1@0'],
        [1, 'k', `v2@${t + 50}`],
        [1, 'k', `v2@${t + 80}`],
        [1, 'k', 'v2@0'],
      ]);
    });

    it('stays quiet for reads and for changes that do not happen', () => {
      const { ks, calls } = setup();
      ks.set(0, b('k'), b('v'));
      calls.length = 0;
      ks.get(0, b('k'));
      ks.exists(0, b('k'));
      ks.touch(0, b('k'));
      ks.meta(0, b('k'));
      ks.delete(0, b('nope'));
      ks.persist(0, b('k'));
      ks.setExpireTime(0, b('nope'), 1);
      expect(calls).toEqual([]);
    });

    it('announces lazy and active expiry with the entry still readable', () => {
      const { clock, ks, calls } = setup();
      const t = clock.now();
      ks.set(0, b('a'), b('1'), t + 10);
      ks.set(0, b('b'), b('2'), t + 10);
      calls.length = 0;
      clock.advance(20);
      expect(ks.get(0, b('a'))).toBeNull();
      expect(calls).toEqual([[0, 'a', `1@${t + 10}`]]);
      ks.activeExpireCycle(10);
      expect(calls).toEqual([
        [0, 'a', `1@${t + 10}`],
        [0, 'b', `2@${t + 10}`],
      ]);
    });

    it('announces eviction', () => {
      const { ks, calls } = setup();
      ks.configure({ maxmemoryPolicy: 'allkeys-random' });
      ks.set(2, b('x'), b('y'));
      calls.length = 0;
      expect(ks.makeRoom(0)).toBe(true);
      expect(calls).toEqual([[2, 'x', 'y@0']]);
    });

    it('announces flush and swap per database, before the data moves', () => {
      const { ks, calls } = setup();
      ks.set(0, b('k0'), b('v'));
      ks.set(3, b('k3'), b('v'));
      calls.length = 0;
      const seen: number[] = [];
      ks.setBeforeChangeListener!((db, key) => {
        calls.push([db, key?.toString() ?? null, null]);
        seen.push(ks.dbSize(db));
      });
      ks.swapDb(0, 3);
      ks.flushDb(3);
      ks.flushAll();
      expect(calls.map((c) => [c[0], c[1]])).toEqual([
        [0, null],
        [3, null],
        [3, null],
        [0, null],
        [1, null],
        [2, null],
        [3, null],
      ]);
      // Before the swap db 0 still held its own key; before the flush db 3 held k0.
      expect(seen.slice(0, 3)).toEqual([1, 1, 1]);
    });
  });
}
