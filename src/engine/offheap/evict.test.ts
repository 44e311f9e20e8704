import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import type { EngineTuning } from '../types.js';
import { OffHeapKeyspace } from './keyspace.js';
import { LFU_INIT_VAL } from './lfu.js';
import { verifyKeyspace } from './verify.js';

const b = (s: string) => Buffer.from(s);
const VALUE = Buffer.alloc(100, 'v');
/** Largest single write in these tests: block + bucket, an upper bound on overshoot. */
const ONE_WRITE_BYTES = 160;

function setup(policy: EngineTuning['maxmemoryPolicy'], samples = 5) {
  const clock = new ManualClock();
  const ks = new OffHeapKeyspace(4, clock);
  ks.configure({ maxmemoryPolicy: policy, maxmemorySamples: samples });
  const evicted: Array<[number, string]> = [];
  ks.setChangeListener((db, key, kind) => {
    if (kind === 'evict') evicted.push([db, key!.toString()]);
  });
  return { clock, ks, evicted };
}

/** What the dispatcher does for a write: make room first, then write. */
function write(ks: OffHeapKeyspace, limit: number, db: number, key: string, expireAt = 0): boolean {
  if (!ks.makeRoom(limit)) return false;
  ks.set(db, b(key), VALUE, expireAt);
  return true;
}

describe('eviction', () => {
  for (const policy of ['allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-ttl'] as const) {
    it(`${policy}: memory stays under maxmemory through a write storm`, () => {
      const { clock, ks, evicted } = setup(policy);
      const limit = 256 * 1024;
      for (let i = 0; i < 20_000; i++) {
        expect(ks.makeRoom(limit)).toBe(true);
        expect(ks.usedMemory()).toBeLessThanOrEqual(limit);
        // The write itself may overshoot by its entry, and by an index array that had to grow
        // (a TTL set doubling, a table past the maximum load factor), as in Redis.
        const index = ks.index.bytes;
        ks.set(i % 4, b(`k${i}`), VALUE, clock.now() + 1_000_000 + i);
        expect(ks.usedMemory() - (ks.index.bytes - index)).toBeLessThanOrEqual(limit + ONE_WRITE_BYTES);
      }
      expect(evicted.length).toBeGreaterThan(15_000);
      verifyKeyspace(ks);
    });
  }

  for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'] as const) {
    it(`${policy} never evicts a key without a TTL`, () => {
      const { clock, ks, evicted } = setup(policy);
      const limit = 256 * 1024;
      let refused = 0;
      for (let i = 0; i < 6000; i++) {
        const withTtl = i % 2 === 0;
        if (!write(ks, limit, i % 4, `${withTtl ? 't' : 'p'}${i}`, withTtl ? clock.now() + 60_000 : 0))
          refused++;
      }
      expect(evicted.length).toBeGreaterThan(0);
      for (const [, k] of evicted) expect(k.startsWith('t')).toBe(true);
      // Once only keys without a TTL are left, there is nothing a volatile policy may evict.
      expect(refused).toBeGreaterThan(0);
      for (let db = 0; db < 4; db++) expect(ks.expiresCount(db)).toBe(0);
      expect(ks.makeRoom(0)).toBe(false);
    });
  }

  it('noeviction refuses instead of evicting', () => {
    const { ks, evicted } = setup('noeviction');
    ks.set(0, b('a'), VALUE);
    expect(ks.makeRoom(ks.usedMemory())).toBe(true);
    expect(ks.makeRoom(ks.usedMemory() - 1)).toBe(false);
    expect(evicted).toEqual([]);
  });

  it('allkeys-lfu keeps hot keys', () => {
    const { ks, evicted } = setup('allkeys-lfu', 10);
    for (let i = 0; i < 500; i++) ks.set(0, b(`hot${i}`), VALUE);
    for (let r = 0; r < 30; r++) for (let i = 0; i < 500; i++) ks.get(0, b(`hot${i}`));
    const limit = ks.usedMemory() + 300 * ONE_WRITE_BYTES;
    for (let i = 0; i < 10_000; i++) write(ks, limit, 0, `cold${i}`);
    const hotEvicted = evicted.filter(([, k]) => k.startsWith('hot')).length;
    expect(evicted.length).toBeGreaterThan(9000);
    expect(hotEvicted).toBeLessThan(25);
  });

  it('allkeys-lru evicts the keys idle longest first', () => {
    const { clock, ks, evicted } = setup('allkeys-lru', 10);
    for (let i = 0; i < 2000; i++) ks.set(0, b(`k${i}`), VALUE);
    clock.advance(100_000);
    // The second half is used again: the first half is now the cold one.
    for (let i = 1000; i < 2000; i++) ks.get(0, b(`k${i}`));
    clock.advance(10_000);
    const limit = ks.usedMemory() - 700 * ONE_WRITE_BYTES;
    expect(ks.makeRoom(limit)).toBe(true);
    const recentEvicted = evicted.filter(([, k]) => Number(k.slice(1)) >= 1000).length;
    expect(evicted.length).toBeGreaterThan(500);
    expect(recentEvicted).toBeLessThan(evicted.length * 0.05);
  });

  it('volatile-ttl evicts the keys that expire soonest first', () => {
    const { clock, ks, evicted } = setup('volatile-ttl', 10);
    for (let i = 0; i < 2000; i++) ks.set(0, b(`k${i}`), VALUE, clock.now() + 1000 + i * 1000);
    expect(ks.makeRoom(ks.usedMemory() - 500 * ONE_WRITE_BYTES)).toBe(true);
    const late = evicted.filter(([, k]) => Number(k.slice(1)) >= 1000).length;
    expect(late).toBeLessThan(evicted.length * 0.05);
  });

  it('LFU counters start at LFU_INIT_VAL, grow logarithmically and decay with time', () => {
    const { clock, ks } = setup('allkeys-lfu');
    ks.configure({ lfuLogFactor: 10, lfuDecayTime: 1 });
    ks.set(0, b('k'), VALUE);
    expect(ks.meta(0, b('k'))?.freq).toBe(LFU_INIT_VAL);
    for (let i = 0; i < 1000; i++) ks.get(0, b('k'));
    const hot = ks.meta(0, b('k'))!.freq;
    // log factor 10: about 1000 hits take the counter into the teens, far from 255.
    expect(hot).toBeGreaterThan(10);
    expect(hot).toBeLessThan(40);
    clock.advance(5 * 60_000);
    expect(ks.meta(0, b('k'))!.freq).toBe(hot - 5);
    // lfu-decay-time 0: counters never decay.
    ks.configure({ lfuDecayTime: 0 });
    const kept = ks.meta(0, b('k'))!.freq;
    clock.advance(60 * 60_000);
    expect(ks.meta(0, b('k'))!.freq).toBe(kept);
  });

  it('clears stale pool candidates when the databases move', () => {
    const { ks, evicted } = setup('allkeys-lru');
    for (let i = 0; i < 100; i++) ks.set(1, b(`k${i}`), VALUE);
    expect(ks.makeRoom(ks.usedMemory() - 1)).toBe(true);
    ks.swapDb(1, 2);
    ks.flushDb(1);
    expect(ks.makeRoom(ks.usedMemory() - 1)).toBe(true);
    for (const [db] of evicted) expect(db === 1 || db === 2).toBe(true);
    expect(evicted.filter(([db]) => db === 2).length).toBeGreaterThan(0);
  });
});
