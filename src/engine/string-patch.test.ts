/**
 * Keyspace.patchString on both engines: in-place edits of string bytes, growth with spare room,
 * the change event and before-change listener, TTL and memory accounting, and the rule that
 * bytes `get` handed out never change under their holder.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { MapKeyspace } from './map-keyspace.js';
import { OffHeapKeyspace } from './offheap/keyspace.js';
import { F_COMPRESSED, F_EXTERNAL } from './offheap/layout.js';
import { verifyKeyspace } from './offheap/verify.js';
import { capacityFor, editable, storedBytes } from './string-patch.js';
import type { ChangeKind, Keyspace } from './types.js';
import { HashValue } from './values/hash.js';

const b = (s: string) => Buffer.from(s);
const KB = 1024;

const ENGINES: Record<string, () => Keyspace> = {
  map: () => new MapKeyspace(1, new ManualClock(1_000_000)),
  offheap: () => new OffHeapKeyspace(1, new ManualClock(1_000_000)),
};

function recorder(ks: Keyspace): string[] {
  const seen: string[] = [];
  ks.setChangeListener((_db, key, kind: ChangeKind) => seen.push(`${kind} ${key?.toString('latin1')}`));
  ks.setBeforeChangeListener?.((_db, key) => {
    const v = key === null ? null : ks.peekEntry(0, key)?.value;
    seen.push(
      `before ${key?.toString('latin1')} ${Buffer.isBuffer(v) ? v.subarray(0, 4).toString('hex') : v}`,
    );
  });
  return seen;
}

const setByte = (at: number, v: number) => (p: Buffer) => {
  const changed = p[at] !== v;
  p[at] = v;
  return changed;
};

describe.each(Object.keys(ENGINES))('patchString (%s engine)', (name) => {
  const make = ENGINES[name];

  it('edits bytes in place, zero-pads to the length asked, keeps the TTL', () => {
    const ks = make();
    ks.set(0, b('k'), b('abcd'), 2_000_000);
    const seen = recorder(ks);
    expect(ks.patchString!(0, b('k'), 2, setByte(1, 0x7a))).toBe(true);
    expect((ks.get(0, b('k')) as Buffer).toString()).toBe('azcd');
    expect(ks.patchString!(0, b('k'), 7, setByte(6, 0x21))).toBe(true);
    expect((ks.get(0, b('k')) as Buffer).toString('hex')).toBe('617a63640000' + '21');
    expect(ks.expireTime(0, b('k'))).toBe(2_000_000);
    expect(seen).toEqual(['before k 61626364', 'set k', 'before k 617a6364', 'set k']);
  });

  it('reports no change when the edit changed nothing and nothing grew', () => {
    const ks = make();
    ks.set(0, b('k'), b('abcd'));
    const seen = recorder(ks);
    expect(ks.patchString!(0, b('k'), 4, setByte(0, 0x61))).toBe(true);
    expect(seen.filter((s) => s.startsWith('set'))).toEqual([]);
    // Growth alone is a change.
    expect(ks.patchString!(0, b('k'), 5, setByte(0, 0x61))).toBe(true);
    expect(seen.filter((s) => s.startsWith('set'))).toEqual(['set k']);
    expect((ks.get(0, b('k')) as Buffer).length).toBe(5);
  });

  it('never changes bytes `get` handed out, and refuses missing keys and collections', () => {
    const ks = make();
    ks.set(0, b('k'), Buffer.alloc(100 * KB));
    const held = ks.get(0, b('k')) as Buffer;
    ks.patchString!(0, b('k'), 0, setByte(5, 1));
    ks.patchString!(0, b('k'), 0, setByte(6, 1));
    expect(held[5] + held[6]).toBe(0);
    const now = ks.get(0, b('k'), true) as Buffer;
    expect([now[5], now[6], now.length]).toEqual([1, 1, 100 * KB]);
    expect(ks.patchString!(0, b('missing'), 1, setByte(0, 1))).toBe(false);
    expect(ks.exists(0, b('missing'))).toBe(false);
    const h = new HashValue();
    h.set('f', 'v');
    ks.set(0, b('h'), h);
    expect(ks.patchString!(0, b('h'), 1, setByte(0, 1))).toBe(false);
  });

  it('grows a large value with spare room, counted as memory, without moving it each time', () => {
    const ks = make();
    const empty = ks.usedMemory();
    // Random bytes: nothing to compress, so the off-heap engine keeps them raw from the start.
    const start = randomBytes(200 * KB);
    ks.set(0, b('big'), start);
    const before = ks.usedMemory();
    ks.patchString!(0, b('big'), 200 * KB + 1, setByte(200 * KB, 0xff));
    const grown = ks.usedMemory();
    // Room for doubling was taken and counted (the value before may already have been counted
    // rounded up to its block: ext-slabs.ts).
    expect(grown - empty).toBeGreaterThanOrEqual(400 * KB);
    expect(grown).toBeGreaterThan(before);
    for (let n = 200 * KB + 2; n < 200 * KB + 2000; n++) ks.patchString!(0, b('big'), n, setByte(n - 1, 1));
    expect(ks.usedMemory()).toBe(grown);
    const v = ks.get(0, b('big')) as Buffer;
    expect(v.length).toBe(200 * KB + 1999);
    expect(v.subarray(0, 200 * KB).equals(start)).toBe(true);
    expect([v[200 * KB], v[200 * KB + 1], v[200 * KB + 1998]]).toEqual([0xff, 1, 1]);
    ks.delete(0, b('big'));
    expect(ks.usedMemory()).toBeLessThan(before - 100 * KB);
  });
});

describe('patchString on the off-heap engine', () => {
  it('stores a compressed value raw once edited, so later edits are in place', () => {
    const ks = new OffHeapKeyspace(1, new ManualClock());
    ks.configure({ compressionThreshold: 1024 });
    const find = (k: Buffer) => ks.dbs[0].dict.find(k, ks.hash(k));
    ks.set(0, b('sparse'), Buffer.alloc(300 * KB));
    expect(ks.entries.flags(find(b('sparse'))) & F_COMPRESSED).toBe(F_COMPRESSED);
    ks.patchString(0, b('sparse'), 0, setByte(1000, 0x80));
    const flags = ks.entries.flags(find(b('sparse')));
    expect(flags & (F_COMPRESSED | F_EXTERNAL)).toBe(F_EXTERNAL);
    const view = ks.get(0, b('sparse'), true) as Buffer;
    ks.patchString(0, b('sparse'), 0, setByte(1001, 0x01));
    // The view is the stored bytes: the edit shows through it.
    expect([view[1000], view[1001]]).toEqual([0x80, 0x01]);
    // A transient read of a compressed value keeps it raw from then on.
    ks.set(0, b('cold'), Buffer.alloc(300 * KB));
    expect(ks.entries.flags(find(b('cold'))) & F_COMPRESSED).toBe(F_COMPRESSED);
    expect((ks.get(0, b('cold'), true) as Buffer).length).toBe(300 * KB);
    expect(ks.entries.flags(find(b('cold'))) & F_COMPRESSED).toBe(0);
    ks.set(0, b('small'), b('0123456789'));
    ks.patchString(0, b('small'), 12, setByte(11, 0x41));
    expect((ks.get(0, b('small')) as Buffer).toString('latin1')).toBe('0123456789\x00A');
    verifyKeyspace(ks);
  });
});

describe('editable', () => {
  it('extends into spare room only, and copies shared bytes', () => {
    const a = editable(Buffer.from('ab'), 10, false);
    expect(a.length).toBe(10);
    expect(storedBytes(a)).toBe(capacityFor(10));
    const c = editable(a, 15, false);
    expect(c.buffer).toBe(a.buffer);
    expect(editable(c, 15, true).buffer).not.toBe(a.buffer);
    expect(editable(c, 15, false)).toBe(c);
    expect(capacityFor(3 * KB * KB)).toBe(4 * KB * KB);
  });
});
