import { describe, expect, it } from 'vitest';
import { HashValue } from './hash.js';
import { walkToRandom } from './random-pool.js';
import { SetValue } from './set.js';

describe('walkToRandom', () => {
  it('walkToRandom reaches every position', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) seen.add(walkToRandom(['a', 'b', 'c'], 3));
    expect(seen.size).toBe(3);
  });
});

describe('random picks on collections stay in step with changes', () => {
  it('a large set and hash never pick a deleted element, and pick uniformly', () => {
    const s = new SetValue();
    const h = new HashValue();
    const n = 256;
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
    const counts = new Map<string, number>();
    for (let i = 0; i < 26_000; i++) {
      const m = s.randomMember();
      counts.set(m, (counts.get(m) ?? 0) + 1);
      expect(h.has(h.randomField())).toBe(true);
    }
    expect(counts.size).toBe(n / 2 + 1);
    for (const [m, c] of counts) {
      expect(s.has(m)).toBe(true);
      expect(c).toBeGreaterThan(140); // about 201 each
      expect(c).toBeLessThan(270);
    }
  });
});
