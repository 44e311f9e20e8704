import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultEncodingLimits, type StoredValue } from '../../engine/values/collection.js';
import { HashValue } from '../../engine/values/hash.js';
import { ListValue } from '../../engine/values/list.js';
import { SetValue } from '../../engine/values/set.js';
import { ZSetValue } from '../../engine/values/zset.js';
import { RdbFormatError, RdbType } from './constants.js';
import { createDumpPayload, parseDumpPayload, sealDumpPayload, verifyDumpPayload } from './dump.js';
import { encodeListpack } from './listpack.js';
import { ziplist } from './test-helpers.js';
import { RdbWriter } from './writer.js';

const limits = defaultEncodingLimits();

/** What the keyspace does on store: fit the encoding to the limits. */
function placed<T extends StoredValue>(v: T): T {
  if (!(v instanceof Uint8Array)) v.fitEncoding(limits);
  return v;
}

function hash(pairs: Array<[string, string]>): HashValue {
  const h = new HashValue();
  for (const [f, v] of pairs) h.set(f, v);
  return placed(h);
}

function zset(pairs: Array<[string, number]>): ZSetValue {
  const z = new ZSetValue();
  for (const [m, s] of pairs) z.add(m, s);
  return placed(z);
}

function set(members: string[]): SetValue {
  const s = new SetValue();
  for (const m of members) s.add(m);
  return placed(s);
}

function list(items: string[]): ListValue {
  const l = new ListValue();
  for (const i of items) l.pushTail(i);
  return l;
}

/** A value's contents in a comparable form, with its encoding. */
function contents(v: StoredValue): unknown {
  if (v instanceof Uint8Array) return ['string', v.toString('latin1')];
  if (v instanceof HashValue) return ['hash', v.encoding(), [...v.entries()].sort()];
  if (v instanceof ListValue) return ['list', v.range(0, v.size() - 1)];
  if (v instanceof SetValue) return ['set', v.encoding(), v.members().sort()];
  if (v instanceof ZSetValue) return ['zset', v.encoding(), [...v.entries()]];
  return v;
}

const restore = (payload: Buffer) => placed(parseDumpPayload(payload, { limits }));

describe('DUMP payloads', () => {
  it("are redis-server 7.0's bytes for the same values", () => {
    const cases: Array<[StoredValue, string]> = [
      [Buffer.alloc(100, 'a'), '00c3094064016161e057000161610a00e8a3b507b06df271'],
      [
        hash([
          ['a', '1'],
          ['b', '2'],
        ]),
        '101111000000040081610201018162020201ff0a003e40636c8f5d769a',
      ],
      [list(['x', '1']), '1201020c0c00000002008178020101ff0a001127d9d20dc4e15e'],
      [set(['1', '2', '70000']), '0b140400000003000000010000000200000070110100 0a0085d5c1065b1dd055'],
      [
        zset([
          ['a', 1.5],
          ['b', 2],
        ]),
        '111414000000040081610283312e35048162020201ff0a00fa02b425af188763',
      ],
    ];
    for (const [value, hex] of cases) {
      const payload = createDumpPayload(value);
      expect(payload.toString('hex')).toBe(hex.replace(/ /g, ''));
      expect(verifyDumpPayload(payload)).toBe(true);
      expect(contents(restore(payload))).toEqual(contents(value));
    }
  });

  it('round-trip every type in both encodings', () => {
    const big = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);
    const values: StoredValue[] = [
      Buffer.from([0, 255, 10, 13]),
      Buffer.from('-2147483648'),
      Buffer.from('x'.repeat(5000)),
      hash(big(200).map((m, i) => [m, String(i)])),
      hash([['long', 'v'.repeat(100)]]),
      set(big(10)),
      set(Array.from({ length: 600 }, (_, i) => String(i * 3))),
      set(['-9223372036854775808', '9223372036854775807', '0']),
      zset(big(300).map((m, i) => [m, i / 7])),
      zset([
        ['a', Number.POSITIVE_INFINITY],
        ['b', Number.NEGATIVE_INFINITY],
        ['c', 1e300],
        ['d', 2 ** 62],
      ]),
      list(big(5000)),
    ];
    for (const v of values) expect(contents(restore(createDumpPayload(v)))).toEqual(contents(v));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string({ maxLength: 70 }), fc.double({ noNaN: true })), {
          selector: ([m]) => m,
          maxLength: 200,
          minLength: 1,
        }),
        (pairs) => {
          const z = zset(pairs);
          const back = restore(createDumpPayload(z)) as ZSetValue;
          expect([...back.entries()].map(([m, s]) => [m, s === 0 ? 0 : s])).toEqual(
            [...z.entries()].map(([m, s]) => [m, s === 0 ? 0 : s]),
          );
          expect(back.encoding()).toBe(z.encoding());
        },
      ),
      { numRuns: 50 },
    );
  });

  it("takes the encoding Redis's loader gives each payload type", () => {
    const small = {
      ...limits,
      hashMaxListpackEntries: 2,
      hashMaxListpackValue: 3,
      zsetMaxListpackEntries: 2,
    };
    const read = (w: RdbWriter, opts = { limits: small }) => parseDumpPayload(sealDumpPayload(w), opts);
    const lpHash = (items: string[]) =>
      new RdbWriter().u8(RdbType.HASH_LISTPACK).string(encodeListpack(items));
    // A packed hash is converted for its field count only, not for long values.
    expect(placed2(read(lpHash(['f', 'long value'])), small)).toBe('listpack');
    expect(placed2(read(lpHash(['a', '1', 'b', '2', 'c', '3'])), small)).toBe('hashtable');
    // A full hash is packed unless a field or value is too long.
    const full = new RdbWriter()
      .u8(RdbType.HASH)
      .length(1)
      .string(Buffer.from('f'))
      .string(Buffer.from('long'));
    expect(placed2(read(full), small)).toBe('hashtable');
    // A packed sorted set keeps long members; a skiplist one is packed when everything fits.
    const lpZset = new RdbWriter().u8(RdbType.ZSET_LISTPACK).string(encodeListpack(['x'.repeat(100), 1]));
    expect(placed2(read(lpZset), small)).toBe('listpack');
    const z2 = new RdbWriter().u8(RdbType.ZSET_2).length(1).string(Buffer.from('m')).binaryDouble(-0);
    const z = read(z2) as ZSetValue;
    expect(placed2(z, small)).toBe('listpack');
    expect(Object.is(z.score('m'), 0)).toBe(true);
  });

  it('reads the legacy encodings', () => {
    const read = (w: RdbWriter) => contents(placed(parseDumpPayload(sealDumpPayload(w), { limits })));
    const zl = (items: Array<string | number>) => ziplist(items);
    expect(read(new RdbWriter().u8(RdbType.HASH_ZIPLIST).string(zl(['f', 7])))).toEqual([
      'hash',
      'listpack',
      [['f', '7']],
    ]);
    expect(read(new RdbWriter().u8(RdbType.ZSET_ZIPLIST).string(zl(['m', '2.5', 'n', 3])))).toEqual([
      'zset',
      'listpack',
      [
        ['m', 2.5],
        ['n', 3],
      ],
    ]);
    const legacyZset = new RdbWriter().u8(RdbType.ZSET).length(2);
    legacyZset.string(Buffer.from('a')).u8(3).latin1('0.5').string(Buffer.from('b')).u8(254);
    expect(read(legacyZset)).toEqual([
      'zset',
      'listpack',
      [
        ['a', 0.5],
        ['b', Number.POSITIVE_INFINITY],
      ],
    ]);
    const zm = Buffer.from([1, 1, 0x66, 1, 0, 0x76, 0xff]);
    expect(read(new RdbWriter().u8(RdbType.HASH_ZIPMAP).string(zm))).toEqual([
      'hash',
      'listpack',
      [['f', 'v']],
    ]);
    const plainSet = new RdbWriter()
      .u8(RdbType.SET)
      .length(2)
      .string(Buffer.from('1'))
      .string(Buffer.from('x'));
    expect(read(plainSet)).toEqual(['set', 'hashtable', ['1', 'x']]);
  });

  it('refuse bad data with RdbFormatError: duplicates, empties, NaN, modules', () => {
    const bad = (w: RdbWriter) => () => parseDumpPayload(sealDumpPayload(w), { limits });
    const s = (t: string) => Buffer.from(t);
    expect(bad(new RdbWriter().u8(RdbType.SET).length(2).string(s('a')).string(s('a')))).toThrow(/duplicate/);
    expect(bad(new RdbWriter().u8(RdbType.HASH).length(0))).toThrow(/empty/);
    expect(
      bad(new RdbWriter().u8(RdbType.HASH_LISTPACK).string(encodeListpack(['a', '1', 'a', '2']))),
    ).toThrow(/duplicate/);
    expect(bad(new RdbWriter().u8(RdbType.HASH_LISTPACK).string(encodeListpack(['a'])))).toThrow(/odd/);
    expect(bad(new RdbWriter().u8(RdbType.ZSET_2).length(1).string(s('m')).binaryDouble(Number.NaN))).toThrow(
      /NaN/,
    );
    expect(bad(new RdbWriter().u8(RdbType.MODULE_2).length(1))).toThrow(/module/);
    expect(bad(new RdbWriter().u8(8))).toThrow(RdbFormatError);
  });

  it('survive any damage: RdbFormatError or a value, never another failure', () => {
    const payloads = [
      createDumpPayload(
        hash([
          ['field', 'value'],
          ['n', '12'],
        ]),
      ),
      createDumpPayload(list(Array.from({ length: 50 }, (_, i) => `item${i}`))),
      createDumpPayload(
        zset([
          ['a', 1],
          ['b', 2.5],
        ]),
      ),
      createDumpPayload(zset(Array.from({ length: 200 }, (_, i) => [`m${i}`, i] as [string, number]))),
      createDumpPayload(set(['1', '2', '3'])),
      createDumpPayload(Buffer.from('y'.repeat(60))),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...payloads), fc.nat(), fc.nat(255), (p, at, byte) => {
        const body = Buffer.from(p.subarray(0, p.length - 10));
        body[at % body.length] = byte;
        const w = new RdbWriter().bytes(body);
        try {
          parseDumpPayload(sealDumpPayload(w), { limits });
        } catch (e) {
          expect(e).toBeInstanceOf(RdbFormatError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('verify the version and checksum', () => {
    const p = createDumpPayload(Buffer.from('bar'));
    const flipped = Buffer.from(p);
    flipped[1] ^= 1;
    expect(verifyDumpPayload(flipped)).toBe(false);
    expect(verifyDumpPayload(p.subarray(0, 9))).toBe(false);
    const newer = Buffer.from(p);
    newer[p.length - 10] = 11;
    expect(verifyDumpPayload(newer, true)).toBe(false);
    expect(verifyDumpPayload(flipped, true)).toBe(true);
  });
});

function placed2(v: StoredValue, l: typeof limits): string {
  if (v instanceof Uint8Array) return 'string';
  v.fitEncoding(l);
  return v.encoding();
}
