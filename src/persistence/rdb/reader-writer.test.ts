import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RdbFormatError } from './constants.js';
import { RdbReader } from './reader.js';
import { RdbWriter } from './writer.js';

const hex = (w: RdbWriter) => w.finish().toString('hex');

describe('RDB lengths', () => {
  it('are written in the shortest of the four forms (rdbSaveLen)', () => {
    expect(hex(new RdbWriter().length(63))).toBe('3f');
    expect(hex(new RdbWriter().length(64))).toBe('4040');
    expect(hex(new RdbWriter().length(16383))).toBe('7fff');
    expect(hex(new RdbWriter().length(16384))).toBe('8000004000');
    expect(hex(new RdbWriter().length(0xffffffff))).toBe('80ffffffff');
    expect(hex(new RdbWriter().length(2 ** 32))).toBe('810000000100000000');
    expect(hex(new RdbWriter().length(2n ** 64n - 1n))).toBe('81ffffffffffffffff');
  });

  it('round-trip, 64-bit ones as bigint past 2^53', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (n) => {
        const w = new RdbWriter().length(n);
        const r = new RdbReader(w.finish());
        expect(r.lengthBig()).toBe(n);
        expect(r.eof()).toBe(true);
        const r2 = new RdbReader(w.finish());
        if (n <= BigInt(Number.MAX_SAFE_INTEGER)) expect(r2.length()).toBe(Number(n));
        else expect(() => r2.length()).toThrow(RdbFormatError);
      }),
    );
  });

  it('refuse a string encoding where a length belongs', () => {
    expect(() => new RdbReader(Buffer.from([0xc0, 1])).length()).toThrow(RdbFormatError);
    expect(() => new RdbReader(Buffer.from([0x82])).length()).toThrow(RdbFormatError);
  });
});

describe('RDB strings', () => {
  it("take Redis's forms: integers up to 32 bits, LZF past 20 bytes when it helps, else plain", () => {
    const s = (v: string, compress = true) => hex(new RdbWriter().string(Buffer.from(v), { compress }));
    expect(s('12')).toBe('c00c');
    expect(s('-129')).toBe('c17fff');
    expect(s('2147483647')).toBe('c2ffffff7f');
    expect(s('2147483648')).toBe(`0a${Buffer.from('2147483648').toString('hex')}`);
    expect(s('012')).toBe('03303132'); // not canonical
    expect(s('-0')).toBe('022d30');
    expect(s('a'.repeat(100))).toBe('c3094064016161e057000161 61'.replace(/ /g, ''));
    expect(s('a'.repeat(100), false)).toBe(`4064${'61'.repeat(100)}`);
    expect(s('a'.repeat(20))).toBe(`14${'61'.repeat(20)}`); // too short to try
    expect(hex(new RdbWriter().stringInt(-5000000000n))).toBe(
      `0b${Buffer.from('-5000000000').toString('hex')}`,
    );
  });

  it('round-trip in every form', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)),
          fc.integer().map((n) => Buffer.from(String(n))),
          fc.string({ maxLength: 200 }).map((t) => Buffer.from(t.repeat(3))),
        ),
        fc.boolean(),
        (b, compress) => {
          const r = new RdbReader(new RdbWriter().string(b, { compress }).finish());
          expect(r.string().equals(b)).toBe(true);
          expect(r.eof()).toBe(true);
        },
      ),
    );
  });

  it('refuse truncation and unknown encodings with RdbFormatError', () => {
    const full = new RdbWriter().string(Buffer.from('x'.repeat(50))).finish();
    for (let n = 0; n < full.length; n++)
      expect(() => new RdbReader(full.subarray(0, n)).string()).toThrow(RdbFormatError);
    expect(() => new RdbReader(Buffer.from([0xc4])).string()).toThrow(RdbFormatError);
    // An LZF header claiming far more than its bytes could expand to is refused before allocating.
    const bomb = new RdbWriter()
      .u8(0xc3)
      .length(2)
      .length(1 << 30)
      .bytes(Buffer.from([0x00, 0x61]));
    expect(() => new RdbReader(bomb.finish()).string()).toThrow(/too large/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (data) => {
        try {
          new RdbReader(Buffer.from(data)).string();
        } catch (e) {
          expect(e).toBeInstanceOf(RdbFormatError);
        }
      }),
    );
  });
});

describe('RDB numbers', () => {
  it('read binary and legacy doubles, times and fixed-width integers', () => {
    const w = new RdbWriter().binaryDouble(-1.5).binaryFloat(0.25).millisecondTime(1700000000123);
    w.u8(3).latin1('1.5').u8(253).u8(254).u8(255).u8(4).latin1('inf?');
    w.u16le(0xbeef)
      .u32le(0xdeadbeef)
      .u32be(7)
      .u64be(2n ** 63n);
    const r = new RdbReader(w.finish());
    expect(r.binaryDouble()).toBe(-1.5);
    expect(r.binaryFloat()).toBe(0.25);
    expect(r.millisecondTime()).toBe(1700000000123);
    expect(r.legacyDouble()).toBe(1.5);
    expect(r.legacyDouble()).toBeNaN();
    expect(r.legacyDouble()).toBe(Number.POSITIVE_INFINITY);
    expect(r.legacyDouble()).toBe(Number.NEGATIVE_INFINITY);
    expect(r.legacyDouble()).toBe(Number.POSITIVE_INFINITY);
    expect([r.u16le(), r.u32le(), r.u32be(), r.u64be()]).toEqual([0xbeef, 0xdeadbeef, 7, 2n ** 63n]);
    expect(r.eof()).toBe(true);
    expect(r.pos).toBe(w.size);
    expect(() => new RdbReader(Buffer.from([2, 0x61, 0x62])).legacyDouble()).toThrow(RdbFormatError);
  });
});

describe('RdbWriter.drain and a refilling reader', () => {
  it('hands over bytes in chunks that join into the whole', () => {
    const w = new RdbWriter(16);
    const chunks: Buffer[] = [];
    for (let i = 0; i < 100; i++) {
      w.string(Buffer.from(`value-${i}`.repeat(i % 7)));
      if (i % 10 === 9) chunks.push(w.drain());
    }
    chunks.push(w.drain());
    const all = Buffer.concat(chunks);
    expect(all.length).toBe(w.size);
    // A reader fed one byte at a time through `fill` reads the same values.
    class Trickle extends RdbReader {
      private at = 0;
      constructor(private readonly src: Buffer) {
        super(Buffer.alloc(0));
      }
      protected override fill(n: number): void {
        const keep = this.buf.subarray(this.off);
        if (this.at >= this.src.length && keep.length < n) super.fill(n);
        const more = this.src.subarray(this.at, this.at + Math.max(1, n - keep.length));
        this.at += more.length;
        this.base += this.off;
        this.buf = Buffer.concat([keep, more]);
        this.off = 0;
        this.need(n);
      }
    }
    const r = new Trickle(all);
    for (let i = 0; i < 100; i++) expect(r.stringLatin1()).toBe(`value-${i}`.repeat(i % 7));
    expect(r.eof()).toBe(true);
    expect(r.pos).toBe(all.length);
  });
});
