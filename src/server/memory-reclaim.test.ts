import { describe, expect, it, vi } from 'vitest';
import { MemoryReclaim, reclaimStep, WINDOW_TICKS } from './memory-reclaim.js';

const MB = 1024 * 1024;

/** A config holding only maxmemory. */
function configWith(maxmemory: number) {
  return { int: (name: string) => (name === 'maxmemory' ? maxmemory : 0) };
}

/** Hold `mb` MiB in 1 MiB Buffers, written so their pages are real. */
function hold(mb: number): Buffer[] {
  return Array.from({ length: mb }, (_, i) => Buffer.alloc(MB, i));
}

/** Buffers the test holds, then lets go of (kept off the test's own frame). */
const held: { bufs: Buffer[] } = { bufs: [] };

/** Hold `mb` MiB more (here, not in the test's frame, which would keep temporaries alive). */
function grow(mb: number): void {
  held.bufs = held.bufs.concat(hold(mb));
}

describe('MemoryReclaim', () => {
  it('steps a quarter of maxmemory, between 8 and 64 MiB', () => {
    expect(reclaimStep(64 * MB)).toBe(16 * MB);
    expect(reclaimStep(MB)).toBe(8 * MB);
    expect(reclaimStep(4096 * MB)).toBe(64 * MB);
  });

  it('collects once ArrayBuffer memory has grown by a step under maxmemory, never without one', async () => {
    for (const [maxmemory, collects] of [
      [32 * MB, true],
      [0, false],
    ] as const) {
      const reclaim = new MemoryReclaim(configWith(maxmemory));
      // Growth below the step (8 MiB for 32 MiB): nothing to do yet.
      grow(4);
      for (let i = 0; i < WINDOW_TICKS; i++) expect(reclaim.check()).toBe(false);
      grow(20);
      const before = process.memoryUsage().arrayBuffers;
      // The growth has to last through a whole window of checks.
      for (let i = 0; i < WINDOW_TICKS - 1; i++) expect(reclaim.check()).toBe(false);
      held.bufs = [];
      expect(reclaim.check()).toBe(collects);
      expect(reclaim.stats.collections).toBe(collects ? 1 : 0);
      if (collects) {
        // The dropped Buffers go now (V8 frees their memory just after the collection, off
        // the main thread), not at V8's next full collection.
        await vi.waitFor(() => expect(process.memoryUsage().arrayBuffers).toBeLessThan(before - 16 * MB), {
          timeout: 5000,
          interval: 10,
        });
        // Nothing grew since: no second collection.
        expect(reclaim.check()).toBe(false);
        expect(reclaim.stats.collections).toBe(1);
      }
    }
  });
});
