import { describe, expect, it } from 'vitest';
import { GROWTH_BYTES, IDLE_MS, IdleGc } from './idle-gc.js';

function setup(startHeap = 10_000_000) {
  let heap = startHeap;
  let gcs = 0;
  const idle = new IdleGc({
    gc: () => {
      gcs++;
      heap = startHeap + 1_000_000;
    },
    heapUsed: () => heap,
  });
  return {
    idle,
    grow: (n: number) => {
      heap += n;
    },
    gcs: () => gcs,
  };
}

describe('IdleGc', () => {
  it('collects once after a quiet period that follows heap growth, not while commands run', () => {
    const t = setup();
    let now = 0;
    t.grow(GROWTH_BYTES + 1);
    for (let c = 1; c <= 50; c++) {
      now += 100;
      expect(t.idle.tick(c, now)).toBe(false);
    }
    expect(t.gcs()).toBe(0);
    now += IDLE_MS - 1;
    expect(t.idle.tick(50, now)).toBe(false);
    now += 1;
    expect(t.idle.tick(50, now)).toBe(true);
    expect(t.gcs()).toBe(1);
    // Still quiet: no second collection.
    now += 10 * IDLE_MS;
    expect(t.idle.tick(50, now)).toBe(false);
    expect(t.gcs()).toBe(1);
  });

  it('does not collect after activity that did not grow the heap enough', () => {
    const t = setup();
    t.grow(GROWTH_BYTES - 1);
    expect(t.idle.tick(1, 0)).toBe(false);
    expect(t.idle.tick(1, IDLE_MS)).toBe(false);
    expect(t.gcs()).toBe(0);
    // More growth and more commands: the next quiet period collects.
    t.grow(2);
    expect(t.idle.tick(2, IDLE_MS + 1)).toBe(false);
    expect(t.idle.tick(2, 2 * IDLE_MS + 1)).toBe(true);
    expect(t.idle.collections).toBe(1);
  });

  it('measures growth from what its last collection left', () => {
    const t = setup();
    t.grow(GROWTH_BYTES);
    t.idle.tick(1, 0);
    expect(t.idle.tick(1, IDLE_MS)).toBe(true);
    // After the collection the heap is 1 MB above the start: growth counts from there.
    t.grow(GROWTH_BYTES - 1);
    t.idle.tick(2, 2 * IDLE_MS);
    expect(t.idle.tick(2, 3 * IDLE_MS)).toBe(false);
    t.grow(1);
    t.idle.tick(3, 4 * IDLE_MS);
    expect(t.idle.tick(3, 5 * IDLE_MS)).toBe(true);
    expect(t.gcs()).toBe(2);
  });

  it('never collects without a collector', () => {
    const idle = new IdleGc({ gc: null, heapUsed: () => 0 });
    idle.tick(1, 0);
    expect(idle.tick(1, 10 * IDLE_MS)).toBe(false);
  });
});
