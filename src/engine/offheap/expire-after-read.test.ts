import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock.js';
import { OffHeapKeyspace } from './keyspace.js';

const b = (s: string) => Buffer.from(s);

/** expireTimeAfterRead of `key` right after a get of `read`. */
function afterRead(ks: OffHeapKeyspace, read: string, key: string): number {
  ks.get(0, b(read));
  return ks.expireTimeAfterRead(0, b(key));
}

describe('OffHeapKeyspace.expireTimeAfterRead', () => {
  it('gives expireTime for the key just read, with or without a TTL, and for a missing key', () => {
    const clock = new ManualClock();
    const ks = new OffHeapKeyspace(2, clock);
    const at = clock.now() + 5000;
    ks.set(0, b('ttl'), b('v'), at);
    ks.set(0, b('plain'), b('v'));
    expect(afterRead(ks, 'ttl', 'ttl')).toBe(at);
    expect(afterRead(ks, 'plain', 'plain')).toBe(-1);
    expect(afterRead(ks, 'missing', 'missing')).toBe(-2);
    // Another key read last, or the same key in another database: looked up afresh.
    expect(afterRead(ks, 'plain', 'ttl')).toBe(at);
    expect(afterRead(ks, 'ttl', 'plain')).toBe(-1);
    ks.get(0, b('ttl'));
    expect(ks.expireTimeAfterRead(1, b('ttl'))).toBe(-2);
  });

  it('reuses the entry the read found: no second lookup', () => {
    const clock = new ManualClock();
    const ks = new OffHeapKeyspace(1, clock);
    ks.set(0, b('k'), b('v'), clock.now() + 5000);
    const lookups = vi.spyOn(ks, 'lookup');
    expect(ks.get(0, b('k'))?.toString()).toBe('v');
    expect(ks.expireTimeAfterRead(0, b('k'))).toBe(clock.now() + 5000);
    expect(lookups).toHaveBeenCalledTimes(1);
    // Another key: its own lookup.
    expect(ks.expireTimeAfterRead(0, b('other'))).toBe(-2);
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  it('looks again once the entry may have moved or gone: a delete, a rewrite, a flush', () => {
    const clock = new ManualClock();
    const ks = new OffHeapKeyspace(1, clock);
    const at = clock.now() + 5000;
    ks.set(0, b('k'), b('v'), at);
    ks.get(0, b('k'));
    ks.delete(0, b('k'));
    expect(ks.expireTimeAfterRead(0, b('k'))).toBe(-2);

    ks.set(0, b('k'), b('short'), at);
    ks.get(0, b('k'));
    // A larger value moves the entry to another block; the new one has no TTL.
    ks.set(0, b('k'), b('a much longer value than before, in a block of its own'));
    expect(ks.expireTimeAfterRead(0, b('k'))).toBe(-1);
    expect(ks.expireTimeAfterRead(0, b('k'))).toBe(ks.expireTime(0, b('k')));

    ks.get(0, b('k'));
    ks.flushAll();
    ks.set(0, b('other'), b('v'), at + 1);
    expect(ks.expireTimeAfterRead(0, b('k'))).toBe(-2);
  });

  it('treats a key that expired since the read as any read does: removed, -2', () => {
    const clock = new ManualClock();
    const ks = new OffHeapKeyspace(1, clock);
    ks.set(0, b('k'), b('v'), clock.now() + 100);
    expect(ks.get(0, b('k'))).not.toBeNull();
    expect(ks.expireTimeAfterRead(0, b('k'))).toBe(clock.now() + 100);
    clock.advance(100);
    expect(ks.expireTimeAfterRead(0, b('k'))).toBe(-2);
    expect(ks.dbSize(0)).toBe(0);
  });
});
