/**
 * The byte blocks small collections rest in (packed-blocks.ts): every live block keeps its
 * bytes whatever is allocated, freed and written around it, freed blocks are reused by size,
 * and the accounting matches what is handed out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PACKED_MAX_BLOCK, PackedBlocks, packedBlockSize } from './packed-blocks.js';

/** A latin1 string of `n` chars that names its owner. */
function content(tag: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode((tag * 31 + i * 7) & 0xff);
  return s;
}

describe('PackedBlocks', () => {
  it('rounds sizes to 8-byte steps, then eight per power of two', () => {
    const sizes = [1, 8, 9, 64, 65, 80, 81, 128, 129, 1000, PACKED_MAX_BLOCK];
    const blocks = [8, 8, 16, 64, 72, 80, 88, 128, 144, 1024, PACKED_MAX_BLOCK];
    expect(sizes.map(packedBlockSize)).toEqual(blocks);
  });

  it('keeps every live block intact through random allocs, frees and rewrites', () => {
    const sizes = fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: PACKED_MAX_BLOCK }));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const), n: sizes }),
      fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('rewrite' as const), pick: fc.nat(), n: sizes }),
      fc.record({ kind: fc.constant('evacuate' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const blocks = new PackedBlocks();
        const live: { ref: number; s: string }[] = [];
        let tag = 0;
        for (const o of ops) {
          if (o.kind === 'alloc') {
            const s = content(++tag, o.n);
            const ref = blocks.alloc(s.length);
            expect(ref).not.toBe(0);
            blocks.write(ref, s);
            live.push({ ref, s });
          } else if (o.kind === 'evacuate') {
            // What the owner does (objects.ts compactStep): move every block of the slab out.
            const s = blocks.evacuate();
            if (s >= 0) {
              for (const b of live) {
                if (blocks.slabOfRef(b.ref) !== s) continue;
                const to = blocks.alloc(b.s.length);
                expect(blocks.slabOfRef(to)).not.toBe(s);
                blocks.copy(b.ref, to, b.s.length);
                blocks.free(b.ref, b.s.length);
                b.ref = to;
              }
              expect(blocks.settleEvacuation()).toBe(true);
            }
          } else if (live.length > 0) {
            const i = o.pick % live.length;
            const b = live[i];
            if (o.kind === 'free') {
              blocks.free(b.ref, b.s.length);
              live.splice(i, 1);
            } else {
              const s = content(++tag, o.n);
              if (!blocks.sameBlock(b.s.length, s.length)) {
                blocks.free(b.ref, b.s.length);
                b.ref = blocks.alloc(s.length);
              }
              blocks.write(b.ref, s);
              b.s = s;
            }
          }
        }
        for (const b of live) expect(blocks.read(b.ref, b.s.length)).toBe(b.s);
        const refs = new Set(live.map((b) => b.ref));
        expect(refs.size).toBe(live.length);
        expect(blocks.liveBytes).toBe(live.reduce((sum, b) => sum + packedBlockSize(b.s.length), 0));
        expect(blocks.liveBytes).toBeLessThanOrEqual(blocks.reservedBytes);
      }),
      { numRuns: 200 },
    );
  });

  it('hands a freed block to the next value of its size, and starts over after clear', () => {
    const blocks = new PackedBlocks();
    const a = blocks.alloc(100);
    const b = blocks.alloc(100);
    blocks.free(a, 100);
    expect(blocks.alloc(97)).toBe(a);
    expect(blocks.alloc(100)).not.toBe(b);
    expect(blocks.reservedBytes).toBe(1 << 20);
    blocks.clear();
    expect([blocks.liveBytes, blocks.reservedBytes]).toEqual([0, 0]);
    const c = blocks.alloc(5);
    blocks.write(c, 'hello');
    expect(blocks.read(c, 5)).toBe('hello');
  });

  it('fills a slab, then carves the rest of it into free blocks before the next one', () => {
    const blocks = new PackedBlocks();
    const big: number[] = [];
    // 15 blocks of 64 KiB fit beside slab 0's reserved first unit; the 16th needs a new slab.
    for (let i = 0; i < 16; i++) big.push(blocks.alloc(PACKED_MAX_BLOCK));
    expect(blocks.reservedBytes).toBe(2 << 20);
    // The rest of slab 0 (65528 bytes) went to the free lists: 61440 + 3840 + 240 + 8.
    const inSlab0 = (ref: number) => ref < 2 ** 17;
    expect([61440, 3840, 240, 8].every((n) => inSlab0(blocks.alloc(n)))).toBe(true);
    expect(inSlab0(blocks.alloc(8))).toBe(false);
    expect(blocks.reservedBytes).toBe(2 << 20);
  });

  it('empties the sparsest slab and gives it back, keeping every live block', () => {
    const blocks = new PackedBlocks();
    const live: { ref: number; s: string }[] = [];
    // Six slabs of 1000-byte values (1024-byte blocks), then all but every 20th freed.
    for (let i = 0; i < 6 * 1024; i++) {
      const s = content(i, 1000);
      const ref = blocks.alloc(1000);
      blocks.write(ref, s);
      live.push({ ref, s });
    }
    const kept = live.filter((_, i) => {
      if (i % 20 === 0) return true;
      blocks.free(live[i].ref, 1000);
      return false;
    });
    const reserved = blocks.reservedBytes;
    expect(reserved).toBeGreaterThanOrEqual(6 << 20);
    let released = 0;
    for (let s = blocks.evacuate(); s >= 0; s = blocks.evacuate()) {
      for (const b of kept) {
        if (blocks.slabOfRef(b.ref) !== s) continue;
        const to = blocks.alloc(1000);
        expect(blocks.slabOfRef(to)).not.toBe(s);
        blocks.copy(b.ref, to, 1000);
        blocks.free(b.ref, 1000);
        b.ref = to;
      }
      expect(blocks.settleEvacuation()).toBe(true);
      released++;
    }
    // What is left is within a quarter of the live bytes, or two slabs.
    expect(released).toBeGreaterThanOrEqual(3);
    expect(blocks.reservedBytes).toBe(reserved - released * (1 << 20));
    for (const b of kept) expect(blocks.read(b.ref, 1000)).toBe(b.s);
    // A given-back slab's index is used again.
    for (let i = 0; i < 4 * 1024; i++) blocks.alloc(1000);
    expect(blocks.reservedBytes).toBeGreaterThan(reserved - released * (1 << 20));
  });
});
