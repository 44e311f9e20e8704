import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Crc64, crc64 } from './crc64.js';

describe('crc64', () => {
  it("matches Redis's crc64.c test vector", () => {
    expect(crc64(Buffer.from('123456789')).readBigUInt64LE(0)).toBe(0xe9c6d914c4b8d9can);
    expect(new Crc64().update(Buffer.from('123456789')).value()).toBe(0xe9c6d914c4b8d9can);
  });

  it('is 0 for no data, and chunked updates equal one pass', () => {
    expect(crc64(Buffer.alloc(0)).equals(Buffer.alloc(8))).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (data, cut) => {
        const at = Math.min(cut, data.length);
        const chunked = new Crc64().update(data, 0, at).update(data, at).digest();
        expect(chunked.equals(crc64(data))).toBe(true);
        // Continuing from a seed is the same as one pass over both parts.
        expect(crc64(data.subarray(at), crc64(data.subarray(0, at))).equals(crc64(data))).toBe(true);
      }),
    );
  });

  it('changes with any single flipped bit', () => {
    const data = Buffer.from('DUMP payload body');
    const base = crc64(data);
    for (let i = 0; i < data.length * 8; i++) {
      const d = Buffer.from(data);
      d[i >> 3] ^= 1 << (i & 7);
      expect(crc64(d).equals(base)).toBe(false);
    }
  });
});
