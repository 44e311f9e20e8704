import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { uncompressSync } from '../util/lz4.js';
import { compressBlockInto, lz4Bound } from './lz4-block.js';

const RANDOM = randomBytes(1 << 20);

/** Incompressible, a repeated pattern, and text with rare random bytes. */
function sample(n: number, kind: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  if (kind === 0) RANDOM.copy(b, 0, 0, n);
  else if (kind === 1) b.fill('soak:key:12=34;');
  else for (let i = 0; i < n; i++) b[i] = (i * 7919) % 13 === 0 ? RANDOM[i] : 97 + (i % 5);
  return b;
}

function roundTrip(src: Buffer): number {
  const out = Buffer.alloc(lz4Bound(src.length));
  const n = compressBlockInto(src, out);
  expect(n).toBeLessThanOrEqual(out.length);
  expect(out.readUInt32LE(0)).toBe(src.length);
  // lz4-napi, which the snapshot loader uses, reads it back.
  expect(uncompressSync(out.subarray(0, n)).equals(src)).toBe(true);
  return n;
}

describe('compressBlockInto', () => {
  it('writes blocks lz4-napi decodes, for every small size', () => {
    for (let n = 0; n < 300; n++) for (let k = 0; k < 3; k++) roundTrip(sample(n, k));
  });

  it('compresses repetitive data and keeps random data within the bound', () => {
    for (const n of [65_536, 262_144, 1 << 20]) {
      expect(roundTrip(sample(n, 1))).toBeLessThan(n / 50);
      expect(roundTrip(sample(n, 2))).toBeLessThan(n / 2);
      expect(roundTrip(sample(n, 0))).toBeGreaterThan(n);
    }
  });

  it('handles long literal runs and long matches after each other, across many calls', () => {
    const parts: Buffer[] = [];
    for (let i = 0; i < 40; i++) parts.push(sample(1 + ((i * 977) % 5000), i % 3));
    const src = Buffer.concat(parts);
    roundTrip(src);
    // The position table carries over between calls: a second pass must not match into the first.
    roundTrip(src.subarray(1000));
    roundTrip(src.subarray(0, 70_000));
  });

  it('refuses an output buffer below the bound', () => {
    expect(() => compressBlockInto(sample(100, 0), Buffer.alloc(lz4Bound(100) - 1))).toThrow(RangeError);
  });
});
