/**
 * The packed PELs: the sorted ID set against a plain sorted array under random inserts and
 * deletes (in order, at the ends, in the middle: chunks fill, split, shrink and go), walks that
 * change the set as they go, wide IDs, and a group's PEL fields (time, count, owner).
 */
import { describe, expect, it } from 'vitest';
import { ConsumerGroup } from './stream-groups.js';
import { compareIds, formatId, type StreamID, UINT64_MAX } from './stream-id.js';
import { PackedIds } from './stream-pel.js';

const id = (ms: number | bigint, seq: number | bigint = 0): StreamID => ({
  ms: BigInt(ms),
  seq: BigInt(seq),
});

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('PackedIds', () => {
  it('keeps IDs sorted and found through inserts and deletes anywhere', () => {
    for (const seed of [1, 2, 3]) {
      const r = rng(seed);
      const p = new PackedIds(2);
      const ref = new Map<string, StreamID>();
      const wide = [
        0n,
        1n,
        0xffffffffn,
        0x100000000n,
        2n ** 53n,
        2n ** 53n + 1n,
        UINT64_MAX - 1n,
        UINT64_MAX,
      ];
      const pick = (): StreamID => {
        const k = r();
        if (k < 0.1) return id(wide[Math.floor(r() * wide.length)], wide[Math.floor(r() * wide.length)]);
        if (k < 0.5) return id(ref.size + Math.floor(r() * 50), Math.floor(r() * 3));
        return id(Math.floor(r() * 4000), Math.floor(r() * 2));
      };
      for (let i = 0; i < 6000; i++) {
        const x = pick();
        const k = formatId(x);
        if (r() < 0.6) {
          expect(p.has(x)).toBe(ref.has(k));
          if (!ref.has(k)) {
            p.insert(x);
            ref.set(k, x);
          }
        } else {
          // Delete the given ID, or the first one (as XACK in order does).
          const y = r() < 0.5 ? x : (p.first() ?? x);
          expect(p.delete(y)).toBe(ref.delete(formatId(y)));
        }
        expect(p.size).toBe(ref.size);
      }
      const sorted = [...ref.values()].sort(compareIds);
      expect(p.ids()).toEqual(sorted);
      expect(p.first()).toEqual(sorted[0]);
      expect(p.last()).toEqual(sorted[sorted.length - 1]);
      const from = sorted[Math.floor(sorted.length / 2)];
      expect([...p.idsFrom(from)]).toEqual(sorted.filter((y) => compareIds(y, from) >= 0));
      expect(p.clone().ids()).toEqual(sorted);
    }
  });

  it('walks on while the set changes under it', () => {
    const p = new PackedIds();
    for (let i = 1; i <= 1000; i++) p.insert(id(i));
    const seen: number[] = [];
    for (const x of p.idsFrom(id(10))) {
      const n = Number(x.ms);
      seen.push(n);
      if (n % 2 === 0) p.delete(x); // the entry just given
      p.delete(id(n + 1)); // the one the walk would give next
      if (n > 900 && n <= 1000) p.insert(id(5000 + n)); // past the end
    }
    expect(seen.slice(0, 4)).toEqual([10, 12, 14, 16]);
    // 10, 12, ... 1000, then the 50 IDs added past the end (5902 ... 6000), each once.
    expect(seen.length).toBe(496 + 50);
    expect(seen.slice(494, 498)).toEqual([998, 1000, 5902, 5904]);
    expect(p.ids()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => id(n)));
  });
});

describe('group PEL', () => {
  it('keeps time, count and owner per entry, and each consumer its IDs', () => {
    const g = new ConsumerGroup('g', id(0), 0n);
    const a = g.createConsumer('a', 1)!;
    const b = g.createConsumer('b', 2)!;
    for (let i = 1; i <= 300; i++) g.deliver(id(i), 1000 + i, i % 3 === 0 ? b : a);
    expect([g.pel.size, a.pel.size, b.pel.size]).toEqual([300, 200, 100]);
    expect(g.pending(id(3))).toEqual({ id: id(3), deliveryTime: 1003, deliveryCount: 1n, consumer: b });
    g.update(id(3), -5.5, 'incr', a);
    g.update(id(4), null, -2n, b);
    expect(g.pending(id(3))).toEqual({ id: id(3), deliveryTime: -5.5, deliveryCount: 2n, consumer: a });
    expect(g.pending(id(4))).toMatchObject({ deliveryTime: 1004, deliveryCount: -2n, consumer: b });
    g.update(id(4), null, 'incr', b);
    g.update(id(4), null, 'incr', b);
    expect(g.pending(id(4))?.deliveryCount).toBe(0n);
    g.update(id(5), null, (1n << 63n) - 1n, a);
    g.update(id(5), null, 'incr', a);
    expect(g.pending(id(5))?.deliveryCount).toBe(-(1n << 63n));
    expect([a.pel.size, b.pel.size]).toEqual([200, 100]);
    expect(g.ack(id(3))).toBe(true);
    expect(g.ack(id(3))).toBe(false);
    expect(a.pel.has(id(3))).toBe(false);
    g.deliver(id(6), 7, a);
    expect(g.pending(id(6))).toMatchObject({ deliveryTime: 7, deliveryCount: 1n, consumer: a });
    expect(b.pel.has(id(6))).toBe(false);
    expect(g.deleteConsumer(b)).toBe(99);
    expect([g.pel.size, g.unowned()]).toEqual([200, 0]);
    const copy = g.clone();
    copy.ack(id(1));
    expect([g.pel.size, copy.pel.size, copy.consumer('a')?.pel.size]).toEqual([200, 199, 199]);
    expect([...g.consumerPendingFrom(a, id(298))].map((n) => n.id)).toEqual([id(298), id(299)]);
  });
});
