import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { OffHeapKeyspace } from './keyspace.js';
import { F_COMPRESSED, F_EXTERNAL } from './layout.js';
import { verifyKeyspace } from './verify.js';

const b = (s: string) => Buffer.from(s);

function flagsOf(ks: OffHeapKeyspace, key: Buffer): number {
  return ks.entries.flags(ks.dbs[0].dict.find(key, ks.hash(key)));
}

describe('OffHeapKeyspace', () => {
  it('copies bytes in and out: callers may reuse their buffers, and returned ones stay valid', () => {
    const ks = new OffHeapKeyspace(1, new ManualClock());
    const key = Buffer.from([0, 255, 13, 10]);
    const val = Buffer.from('hello');
    ks.set(0, key, val);
    val[0] = 0x4a;
    key[0] = 1;
    const got = ks.get(0, Buffer.from([0, 255, 13, 10]))!;
    expect(got.toString()).toBe('hello');
    // The slot is rewritten in place; the Buffer handed out earlier must not change.
    ks.set(0, Buffer.from([0, 255, 13, 10]), b('world'));
    expect(got.toString()).toBe('hello');
  });

  it('compresses large compressible values, transparently, and only when it pays', () => {
    const ks = new OffHeapKeyspace(1, new ManualClock());
    ks.configure({ compressionThreshold: 1024 });
    const text = Buffer.from('the quick brown fox jumps over the lazy dog. '.repeat(200));
    ks.set(0, b('text'), text);
    expect(flagsOf(ks, b('text')) & F_COMPRESSED).toBe(F_COMPRESSED);
    expect(ks.usedMemory()).toBeLessThan(text.length / 4);
    expect(text.equals(ks.get(0, b('text')) as Buffer)).toBe(true);
    expect(text.equals(ks.peekEntry(0, b('text'))?.value as Buffer)).toBe(true);

    const noise = randomBytes(4096);
    ks.set(0, b('noise'), noise);
    expect(flagsOf(ks, b('noise')) & F_COMPRESSED).toBe(0);
    expect(noise.equals(ks.get(0, b('noise')) as Buffer)).toBe(true);

    ks.set(0, b('small'), Buffer.alloc(1000, 'a'));
    expect(flagsOf(ks, b('small')) & F_COMPRESSED).toBe(0);
    ks.configure({ compressionThreshold: 0 });
    ks.set(0, b('text2'), text);
    expect(flagsOf(ks, b('text2')) & F_COMPRESSED).toBe(0);
    verifyKeyspace(ks);
  });

  it('keeps entries too big for the arena outside it, compressed or not', () => {
    const ks = new OffHeapKeyspace(1, new ManualClock());
    const big = randomBytes(200_000);
    ks.set(0, b('big'), big);
    expect(flagsOf(ks, b('big')) & F_EXTERNAL).toBe(F_EXTERNAL);
    // Compare bytes with equals(): toEqual walks 200,000 elements one by one (seconds).
    expect(big.equals(ks.get(0, b('big')) as Buffer)).toBe(true);
    const bigKey = Buffer.alloc(70_000, 'k');
    ks.set(0, bigKey, b('v'));
    expect(ks.get(0, bigKey)?.toString()).toBe('v');
    const out: Buffer[] = [];
    ks.scan(0, 0, 10, out);
    expect(out.some((k) => k.equals(bigKey))).toBe(true);
    ks.delete(0, b('big'));
    ks.delete(0, bigKey);
    expect(ks.usedMemory()).toBe(0);
    verifyKeyspace(ks);
  });

  it('stores expiry times exactly, including far in the future', () => {
    const ks = new OffHeapKeyspace(1, new ManualClock());
    for (const at of [1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 1_700_000_123_456, 2 ** 52 + 3]) {
      ks.set(0, b('k'), b('v'), at);
      expect(ks.expireTime(0, b('k'))).toBe(at <= 1_700_000_000_000 ? -2 : at);
    }
    ks.set(0, b('k'), b('v'));
    expect(ks.setExpireTime(0, b('k'), 2 ** 53 - 1)).toBe(true);
    expect(ks.expireTime(0, b('k'))).toBe(2 ** 53 - 1);
  });

  it('background steps finish a rehash without any further operations', () => {
    const ks = new OffHeapKeyspace(1, new ManualClock());
    const dict = ks.dbs[0].dict;
    let n = 0;
    while (dict.rehashIdx < 0 || dict.t1.length < 4096) ks.set(0, b(`k${n++}`), b('v'));
    for (let i = 0; i < 1000 && dict.rehashIdx >= 0; i++) ks.activeExpireCycle(1);
    expect(dict.rehashIdx).toBe(-1);
    expect(ks.dbSize(0)).toBe(n);
    verifyKeyspace(ks);
  });

  it('defragments in the background after a deletion storm, and gives chunks back', () => {
    const ks = new OffHeapKeyspace(1, new ManualClock());
    const v = Buffer.alloc(100, 'x');
    for (let i = 0; i < 200_000; i++) ks.set(0, b(`k${i}`), v);
    const reserved = ks.arena.reservedBytes;
    for (let i = 0; i < 200_000; i++) if (i % 8 !== 0) ks.delete(0, b(`k${i}`));
    for (let i = 0; i < 2000 && (ks.defrag.needed() || ks.defrag.stats().running); i++)
      ks.activeExpireCycle(1);
    expect(ks.defrag.stats().chunksEvacuated).toBeGreaterThan(0);
    expect(ks.defrag.needed()).toBe(false);
    expect(ks.arena.reservedBytes).toBeLessThan(reserved * 0.6);
    let intact = 0;
    for (let i = 0; i < 200_000; i += 8) if (v.equals(ks.get(0, b(`k${i}`)) as Buffer)) intact++;
    expect(intact).toBe(25_000);
    verifyKeyspace(ks);
  }, 60_000);
});
