import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RdbFormatError } from './constants.js';
import {
  decodeListpack,
  encodeListpack,
  int64Of,
  ListpackBuilder,
  listpackStrings,
  validateListpack,
} from './listpack.js';

/** Random listpack-worthy elements: integers of every width, strings of every header size. */
const element = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  fc.integer({ min: -70000, max: 70000 }).map(String),
  fc.string({ maxLength: 80 }),
  fc.nat(5000).map((n) => 'x'.repeat(n)),
  fc.constantFrom('', '0', '-0', '007', '+1', '9223372036854775808', '-9223372036854775808'),
);

describe('listpack', () => {
  it("encodes as Redis's lpAppend does", () => {
    // HSET h a 1 b 2 in redis-server 7.0 (the HASH_LISTPACK payload of its DUMP).
    expect(encodeListpack(['a', '1', 'b', '2']).toString('hex')).toBe('11000000040081610201018162020201ff');
    // ZADD z 1.5 a 2 b: scores as the string "1.5" and the integer 2.
    expect(encodeListpack(['a', '1.5', 'b', 2]).toString('hex')).toBe(
      '14000000040081610283312e35048162020201ff',
    );
    // One element of each integer width, decoded back to the same values.
    const ints = [
      0n,
      127n,
      -1n,
      4095n,
      -4096n,
      32767n,
      -32768n,
      8388607n,
      -8388608n,
      2n ** 31n - 1n,
      -(2n ** 63n),
    ];
    expect(decodeListpack(encodeListpack(ints))).toEqual(ints);
  });

  it('stores canonical int64 strings as integers, anything else as strings', () => {
    expect(int64Of(Buffer.from('-9223372036854775808'))).toBe(-(2n ** 63n));
    for (const s of ['', '-', '-0', '00', '+1', ' 1', '1 ', '9223372036854775808', '1e3'])
      expect(int64Of(Buffer.from(s))).toBeNull();
    expect(decodeListpack(encodeListpack(['12', '012']))).toEqual([12n, Buffer.from('012')]);
  });

  it('round-trips any elements, keeps the count header right past 65535', () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 40 }), (items) => {
        const lp = encodeListpack(items);
        expect(validateListpack(lp)).toBe(items.length);
        expect(listpackStrings(lp)).toEqual(items);
      }),
    );
    const b = new ListpackBuilder();
    for (let i = 0; i < 70000; i++) b.append('1');
    const lp = b.finish();
    expect(lp.readUInt16LE(4)).toBe(65535);
    expect(validateListpack(lp)).toBe(70000);
    expect(b.bytes).toBe(lp.length);
  });

  it('refuses damaged listpacks with RdbFormatError, never reading out of bounds', () => {
    const lp = encodeListpack(['field', '12', 'x'.repeat(100), '-70000']);
    expect(() => validateListpack(lp.subarray(0, 6))).toThrow(RdbFormatError);
    const wrongCount = Buffer.from(lp);
    wrongCount[4] = 3;
    expect(() => validateListpack(wrongCount)).toThrow(/count/);
    const noEnd = Buffer.from(lp);
    noEnd[noEnd.length - 1] = 0;
    expect(() => validateListpack(noEnd)).toThrow(RdbFormatError);
    fc.assert(
      fc.property(fc.nat(lp.length - 1), fc.nat(255), (at, byte) => {
        const d = Buffer.from(lp);
        d[at] = byte;
        try {
          validateListpack(d);
        } catch (e) {
          expect(e).toBeInstanceOf(RdbFormatError);
        }
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 7, maxLength: 60 }), (data) => {
        const d = Buffer.from(data);
        d.writeUInt32LE(d.length, 0);
        d[d.length - 1] = 0xff;
        try {
          decodeListpack(d);
        } catch (e) {
          expect(e).toBeInstanceOf(RdbFormatError);
        }
      }),
    );
  });
});
