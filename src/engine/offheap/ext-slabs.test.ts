import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { ExtSlabs, SLAB_BYTES, SLAB_MAX_BLOCK_BYTES, slabBlockSize } from './ext-slabs.js';
import { OffHeapKeyspace } from './keyspace.js';

const KB = 1024;

describe('ExtSlabs', () => {
  it('rounds a size up to a quarter of its power of two', () => {
    expect(slabBlockSize(64 * KB)).toBe(64 * KB);
    expect(slabBlockSize(64 * KB + 1)).toBe(80 * KB);
    expect(slabBlockSize(100 * KB)).toBe(112 * KB);
    expect(slabBlockSize(SLAB_MAX_BLOCK_BYTES)).toBe(SLAB_MAX_BLOCK_BYTES);
  });

  it('hands a released block to the next value of its size class, and keeps blocks apart', () => {
    const s = new ExtSlabs();
    const a = s.alloc(70 * KB).fill(1);
    const b = s.alloc(75 * KB).fill(2);
    expect(s.owns(a) && s.owns(b)).toBe(true);
    expect(a.buffer === b.buffer).toBe(true);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 80 * KB);
    expect(a.every((x) => x === 1)).toBe(true);
    expect(s.liveBytes).toBe(160 * KB);
    s.release(a);
    expect(s.liveBytes).toBe(80 * KB);
    // Another size class does not take it; the same class does.
    const c = s.alloc(100 * KB);
    expect(c.byteOffset).not.toBe(a.byteOffset);
    const d = s.alloc(66 * KB);
    expect(d.byteOffset).toBe(a.byteOffset);
    expect(d.length).toBe(66 * KB);
    expect(b.every((x) => x === 2)).toBe(true);
    expect(s.reservedBytes).toBe(SLAB_BYTES);
  });

  it('gives sizes outside the slabs a Buffer of their own, and carves a full slab tail into blocks', () => {
    const s = new ExtSlabs();
    const big = s.alloc(SLAB_MAX_BLOCK_BYTES + 1);
    expect(s.owns(big)).toBe(false);
    s.release(big);
    expect(s.reservedBytes).toBe(0);
    // Three 1 MiB blocks and one of 640 KiB leave 384 KiB: the 1 MiB block after them starts a
    // new slab, and a value of the 384 KiB class then takes the old slab's tail.
    for (let i = 0; i < 3; i++) s.alloc(SLAB_MAX_BLOCK_BYTES);
    const first = s.alloc(640 * KB);
    const next = s.alloc(SLAB_MAX_BLOCK_BYTES);
    expect(next.buffer === first.buffer).toBe(false);
    expect(s.reservedBytes).toBe(2 * SLAB_BYTES);
    const tail = s.alloc(380 * KB);
    expect(tail.buffer === first.buffer).toBe(true);
    expect(tail.byteOffset).toBe(3 * SLAB_MAX_BLOCK_BYTES + 640 * KB);
    s.clear();
    expect(s.reservedBytes).toBe(0);
    expect(s.owns(tail)).toBe(false);
  });

  it('keeps big values in slabs: overwrites and deletes reuse the blocks, values read back intact', () => {
    const ks = new OffHeapKeyspace(1, new ManualClock());
    // Incompressible bytes (compressible ones would be stored LZ4-compressed, in the arena).
    const pool = randomBytes(256 * KB);
    const value = (i: number, n: number) => pool.subarray(i * 977, i * 977 + n);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 40; i++) ks.set(0, Buffer.from(`k${i}`), value(i + round, 100 * KB + i * KB));
      for (let i = 0; i < 40; i += 3) ks.delete(0, Buffer.from(`k${i}`));
    }
    const ext = ks.entries.ext;
    // 40 values of 100..139 KiB need 5..6 MiB; the rounds' churn reused the freed blocks.
    expect(ext.slabs.reservedBytes).toBeLessThanOrEqual(3 * SLAB_BYTES);
    for (let i = 0; i < 40; i++) {
      const got = ks.get(0, Buffer.from(`k${i}`));
      if (i % 3 === 0) expect(got).toBeNull();
      else expect(Buffer.isBuffer(got) && got.equals(value(i + 4, 100 * KB + i * KB))).toBe(true);
    }
    ks.flushAll();
    expect(ext.slabs.reservedBytes).toBe(0);
  });
});
