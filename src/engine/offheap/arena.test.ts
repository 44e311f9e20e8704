import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import {
  classIndex,
  MAX_CHUNK_BYTES,
  MAX_CHUNKS,
  MAX_INLINE_BLOCK_BYTES,
  makeRef,
  NUM_CLASSES,
  refChunk,
  refOffset,
  sizeClass,
} from './layout.js';

describe('size classes', () => {
  it('round up to multiples of 8 bytes, then to quarter powers of two, each with its own list', () => {
    expect(sizeClass(1)).toBe(8);
    expect(sizeClass(58)).toBe(64);
    expect(sizeClass(1024)).toBe(1024);
    expect(sizeClass(1025)).toBe(1280);
    expect(sizeClass(MAX_INLINE_BLOCK_BYTES)).toBe(MAX_INLINE_BLOCK_BYTES);
    const seen = new Set<number>();
    // Every size is checked, but expect() once: ~400,000 calls of it took seconds on a busy machine.
    const wrong: string[] = [];
    let prev = 0;
    for (let n = 1; n <= MAX_INLINE_BLOCK_BYTES; n++) {
      const c = sizeClass(n);
      if (c < n) wrong.push(`sizeClass(${n}) = ${c} is smaller`);
      if (c % 8 !== 0) wrong.push(`sizeClass(${n}) = ${c} is not a multiple of 8`);
      if (c < prev) wrong.push(`sizeClass(${n}) = ${c} is below sizeClass(${n - 1}) = ${prev}`);
      // At most 25% (or 7 bytes for small blocks) lost to rounding.
      if (c - n > Math.max(7, n / 4)) wrong.push(`sizeClass(${n}) = ${c} wastes more than 25%`);
      if (sizeClass(c) !== c) wrong.push(`sizeClass(${c}) = ${sizeClass(c)}, not itself`);
      prev = c;
      seen.add(classIndex(c));
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(Math.min(...seen)).toBe(1);
    expect(Math.max(...seen)).toBe(NUM_CLASSES - 1);
  });
});

describe('refs', () => {
  it('name 8-byte blocks in up to 2048 chunks of 16 MiB: 32 GiB', () => {
    expect(MAX_CHUNKS * MAX_CHUNK_BYTES).toBe(32 * 2 ** 30);
    for (const [c, off] of [
      [0, 8],
      [1, 0],
      [1023, MAX_CHUNK_BYTES - 8],
      [1024, 16],
      [MAX_CHUNKS - 1, MAX_CHUNK_BYTES - 8],
    ]) {
      const ref = makeRef(c, off);
      expect(ref).toBeGreaterThan(0);
      expect(ref).toBeLessThan(2 ** 32);
      expect(refChunk(ref)).toBe(c);
      expect(refOffset(ref)).toBe(off);
    }
  });
});

describe('Arena', () => {
  it('reuses freed blocks of the same class and accounts for every byte', () => {
    const a = new Arena();
    const r1 = a.alloc(64);
    const r2 = a.alloc(64);
    const r3 = a.alloc(128);
    expect(new Set([r1, r2, r3]).size).toBe(3);
    expect(a.liveBytes).toBe(256);
    a.free(r2, 64);
    expect(a.liveBytes).toBe(192);
    expect(a.freeBytes).toBe(64);
    expect(a.alloc(128)).not.toBe(r2);
    expect(a.alloc(64)).toBe(r2);
    expect(a.freeBytes).toBe(0);
  });

  it('grows by adding chunks, never by moving one: views stay valid', () => {
    const a = new Arena();
    const first = a.alloc(1024);
    const view = a.u32[refChunk(first)];
    view[refOffset(first) >>> 2] = 0xdeadbeef;
    for (let i = 0; i < 5000; i++) a.alloc(4096);
    expect(a.chunkCount()).toBeGreaterThan(3);
    expect(a.u32[refChunk(first)]).toBe(view);
    expect(view[refOffset(first) >>> 2]).toBe(0xdeadbeef);
  });

  it('takes the total past 4 GiB (virtual memory: untouched chunk pages are not resident)', () => {
    const a = new Arena();
    const block = 64 * 1024;
    const blocks = Math.ceil((4 * 2 ** 30 + 64 * 2 ** 20) / block);
    let last = 0;
    for (let i = 0; i < blocks; i++) last = a.alloc(block);
    expect(a.reservedBytes).toBeGreaterThan(4 * 2 ** 30);
    expect(refChunk(last)).toBeGreaterThan(256);
    const u32 = a.u32[refChunk(last)];
    u32[refOffset(last) >>> 2] = 42;
    expect(a.u32[refChunk(last)][refOffset(last) >>> 2]).toBe(42);
    a.reset();
    expect(a.reservedBytes).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
  });
});
