import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RdbFormatError } from './constants.js';
import { lzfCompress, lzfDecompress } from './lzf.js';

describe('LZF', () => {
  it("compresses as Redis's lzf_compress does", () => {
    // From redis-server 7.0: DUMP of SET k <100 x 'a'> is 00 c3 09 40 64 <these 9 bytes> ...
    const c = lzfCompress(Buffer.alloc(100, 'a'));
    expect(c?.toString('hex')).toBe('016161e057000161 61'.replace(/ /g, ''));
  });

  it('round-trips any input, and gives up when it would not save 4 bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          fc.array(fc.constantFrom(0x61, 0x62, 0x63), { maxLength: 3000 }).map((a) => Uint8Array.from(a)),
        ),
        (data) => {
          const c = lzfCompress(data);
          if (c === null) return;
          expect(c.length).toBeLessThanOrEqual(data.length - 4);
          expect(lzfDecompress(c, data.length).equals(Buffer.from(data))).toBe(true);
        },
      ),
    );
    expect(lzfCompress(Buffer.from('abcd'))).toBeNull();
    expect(lzfCompress(Buffer.alloc(0))).toBeNull();
    // Incompressible bytes: nothing saved.
    expect(lzfCompress(Buffer.from([...Array(64).keys()]))).toBeNull();
  });

  it('honours an explicit output limit (quicklist nodes use their own size)', () => {
    const data = Buffer.alloc(48, 'x');
    expect(lzfCompress(data, data.length)).not.toBeNull();
    expect(lzfCompress(data, 2)).toBeNull();
  });

  it('refuses malformed input with RdbFormatError, never reading out of bounds', () => {
    expect(() => lzfDecompress(Buffer.from([0x05, 0x61]), 6)).toThrow(RdbFormatError); // short literal
    expect(() => lzfDecompress(Buffer.from([0x20, 0x00]), 3)).toThrow(RdbFormatError); // ref before start
    expect(() => lzfDecompress(Buffer.from([0x00, 0x61]), 2)).toThrow(RdbFormatError); // too short
    expect(() => lzfDecompress(Buffer.from([0x00, 0x61, 0x20]), 9)).toThrow(RdbFormatError); // cut ref
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(200), (data, outLen) => {
        try {
          expect(lzfDecompress(data, outLen).length).toBe(outLen);
        } catch (e) {
          expect(e).toBeInstanceOf(RdbFormatError);
        }
      }),
    );
  });
});
