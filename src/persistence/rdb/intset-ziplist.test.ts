import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RdbFormatError } from './constants.js';
import { decodeIntset, encodeIntset } from './intset.js';
import { ziplist } from './test-helpers.js';
import { decodeZiplist, decodeZipmap } from './ziplist.js';

/** Fuzz: any bytes either decode or fail with RdbFormatError. */
function neverCrashes(decode: (b: Buffer) => unknown, sample: Buffer): void {
  fc.assert(
    fc.property(fc.nat(sample.length - 1), fc.nat(255), (at, byte) => {
      const d = Buffer.from(sample);
      d[at] = byte;
      try {
        decode(d);
      } catch (e) {
        expect(e).toBeInstanceOf(RdbFormatError);
      }
    }),
  );
}

describe('intset', () => {
  it("is Redis's bytes: SADD s 1 2 70000 takes 32-bit members", () => {
    expect(encodeIntset([70000n, 1n, 2n]).toString('hex')).toBe(
      '04000000030000000100000002000000701101 00'.replace(/ /g, ''),
    );
    expect(encodeIntset([5n, -3n]).readUInt32LE(0)).toBe(2);
    expect(encodeIntset([1n, 5000000000n]).readUInt32LE(0)).toBe(8);
  });

  it('round-trips sets of integers and refuses malformed ones', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { minLength: 1 }),
        (vs) => {
          expect(decodeIntset(encodeIntset(vs))).toEqual(
            [...vs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
          );
        },
      ),
    );
    const good = encodeIntset([1n, 2n, 3n]);
    const unsorted = Buffer.from(good);
    unsorted.writeInt16LE(9, 8);
    expect(() => decodeIntset(unsorted)).toThrow(/order/);
    expect(() => decodeIntset(good.subarray(0, 12))).toThrow(RdbFormatError);
    expect(() => decodeIntset(Buffer.from('0200000000000000', 'hex'))).toThrow(/empty/);
    expect(() => decodeIntset(Buffer.from('030000000100000001', 'hex'))).toThrow(/encoding/);
    neverCrashes(decodeIntset, good);
  });
});

describe('ziplist', () => {
  it('reads every entry encoding', () => {
    const zl = ziplist(['a', 7, -100, 1234567890123, 'x'.repeat(300), '']);
    expect(decodeZiplist(zl)).toEqual([
      Buffer.from('a'),
      7n,
      -100n,
      1234567890123n,
      Buffer.from('x'.repeat(300)),
      Buffer.alloc(0),
    ]);
  });

  it('reads the ziplist node of a Redis 6.2 quicklist, and refuses the corrupt variants', () => {
    // From Redis's corrupt-dump tests: a valid 2-entry node, then a wrong prevlen and count.
    const good = Buffer.from('13000000 0e000000 0200 0002 6100 0402 6200 ff'.replace(/ /g, ''), 'hex');
    expect(decodeZiplist(good)).toEqual([Buffer.from('a\0'), Buffer.from('b\0')]);
    const badPrev = Buffer.from(good);
    badPrev[14] = 0x0e;
    expect(() => decodeZiplist(badPrev)).toThrow(/prevlen/);
    const badCount = Buffer.from(good);
    badCount[8] = 3;
    expect(() => decodeZiplist(badCount)).toThrow(/count/);
    neverCrashes(decodeZiplist, ziplist(['key', 'x'.repeat(70), 5, 1 << 20]));
  });

  it('reads zipmaps (hashes of Redis before 2.6)', () => {
    // zipmap.c's own example: "foo" => "bar", "hello" => "world" (with one free byte).
    const zm = Buffer.concat([
      Buffer.from([2, 3]),
      Buffer.from('foo'),
      Buffer.from([3, 0]),
      Buffer.from('bar'),
      Buffer.from([5]),
      Buffer.from('hello'),
      Buffer.from([5, 1]),
      Buffer.from('world!'),
      Buffer.from([0xff]),
    ]);
    expect(decodeZipmap(zm).map(([f, v]) => [f.toString(), v.toString()])).toEqual([
      ['foo', 'bar'],
      ['hello', 'world'],
    ]);
    expect(() => decodeZipmap(Buffer.from([0, 0xff]))).toThrow(/empty/);
    neverCrashes(decodeZipmap, zm);
  });
});
