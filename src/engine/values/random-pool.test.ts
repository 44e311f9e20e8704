import { describe, expect, it } from 'vitest';
import { HashValue } from './hash.js';
import { POOL_MIN_ELEMENTS, RandomPool, walkToRandom } from './random-pool.js';
import { SetValue } from './set.js';

describe('RandomPool', () => {
  it('keeps exactly the elements added and not deleted', () => {
    const p = new RandomPool(['a', 'b', 'c']);
    p.add('b');
    p.delete('a');
    p.delete('zz');
    p.add('d');
    expect(p.size).toBe(3);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) seen.add(p.pick());
    expect([...seen].sort()).toEqual(['b', 'c', 'd']);
  });

  it('picks uniformly', () => {
    const p = new RandomPool(['w', 'x', 'y', 'z']);
    const counts = new Map<string, number>();
    for (let i = 0; i < 8000; i++) {
      const x = p.pick();
      counts.set(x, (counts.get(x) ?? 0) + 1);
    }
    for (const c of counts.values()) expect(c).toBeGreaterThan(1600);
  });

  it('walkToRandom reaches every position', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) seen.add(walkToRandom(['a', 'b', 'c'], 3));
    expect(seen.size).toBe(3);
  });
});

describe('random picks on collections stay in step with changes', () => {
  it('a large set and hash never pick a deleted element', () => {
    const s = new SetValue();
    const h = new HashValue();
    const n = POOL_MIN_ELEMENTS * 4;
    for (let i = 0; i < n; i++) {
      s.add(`m${i}`);
      h.set(`f${i}`, 'v');
    }
    s.randomMember();
    h.randomField();
    for (let i = 0; i < n; i += 2) {
      s.delete(`m${i}`);
      h.delete(`f${i}`);
    }
    s.add('new');
    h.set('new', 'v');
    for (let i = 0; i < 2000; i++) {
      expect(s.has(s.randomMember())).toBe(true);
      expect(h.has(h.randomField())).toBe(true);
    }
  });
});
