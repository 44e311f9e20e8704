/** Keyspace.setAccess (RESTORE's IDLETIME / FREQ) in every engine. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { createKeyspace, ENGINE_NAMES } from './create.js';

const key = Buffer.from('k');

describe.each(ENGINE_NAMES)('%s engine: setAccess', (engine) => {
  it('backdates the last access under LRU policies and ignores FREQ there', () => {
    const clock = new ManualClock();
    const ks = createKeyspace(engine, 1, clock);
    ks.configure({ maxmemoryPolicy: 'allkeys-lru' });
    expect(ks.setAccess?.(0, key, { idleMs: 1000 })).toBe(false);
    ks.set(0, key, Buffer.from('v'));
    expect(ks.meta(0, key)?.idleMs).toBeLessThan(1000);
    expect(ks.setAccess?.(0, key, { idleMs: 1_000_000, freq: 200 })).toBe(true);
    const idle = ks.meta(0, key)?.idleMs ?? 0;
    expect(idle).toBeGreaterThanOrEqual(1_000_000);
    expect(idle).toBeLessThan(1_001_000);
    clock.advance(5000);
    expect(ks.meta(0, key)?.idleMs).toBeGreaterThanOrEqual(1_005_000);
  });

  it('sets the LFU counter under LFU policies and ignores IDLETIME there', () => {
    const ks = createKeyspace(engine, 1, new ManualClock());
    ks.configure({ maxmemoryPolicy: 'allkeys-lfu' });
    ks.set(0, key, Buffer.from('v'));
    expect(ks.meta(0, key)?.freq).toBe(5);
    expect(ks.setAccess?.(0, key, { freq: 100, idleMs: 1_000_000 })).toBe(true);
    expect(ks.meta(0, key)?.freq).toBe(100);
    expect(ks.meta(0, key)?.idleMs).toBeLessThan(60_000);
  });
});
