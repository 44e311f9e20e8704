/**
 * Differential steps for the bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD
 * BITFIELD_RO, over a few string keys (and one list, for WRONGTYPE) whose values are written
 * by SET / APPEND / SETRANGE too: short and long, random bytes and long runs of 0x00 or 0xff
 * with a stray byte (so the word-at-a-time count and search meet every alignment and edge).
 *
 * Arguments: bit offsets around the value's end, far past it and invalid (negative, not an
 * integer, past proto-max-bulk-len); ranges with negative, clamped and int64-edge ends in
 * BYTE and BIT units; BITFIELD types i1..i64 and u1..u63 plus invalid ones, `#N` offsets
 * (one whose product wraps int64 back to 0), values at and past each width's limits, and
 * OVERFLOW WRAP / SAT / FAIL. Every reply is compared byte for byte; TTL only by sign, as
 * a second may tick between the two servers.
 */
import type { Rng } from '../random.js';
import { parseReply } from '../resp-client.js';
import { b, type Check, type Family, type Step } from './collection-runner.js';

const KEYS = ['bm1', 'bm2', 'bm3', 'bm4'].map(b);
const LIST_KEY = b('bm-list');
const MISSING = b('bm-none');

function key(rng: Rng): Buffer {
  return rng.weighted([
    [20, rng.pick(KEYS)],
    [1, LIST_KEY],
    [1, MISSING],
  ]);
}

/** A value to store: random bytes, integers, or a long run of one byte with a stray one. */
function value(rng: Rng): Buffer {
  return rng.weighted<() => Buffer>([
    [4, () => rng.bytes(rng.range(0, 24))],
    [2, () => rng.bytes(rng.range(25, 300))],
    [1, () => b(String(rng.range(-1000, 100000)))],
    [1, () => Buffer.alloc(0)],
    [
      4,
      () => {
        const v = Buffer.alloc(rng.range(1, rng.chance(0.3) ? 3000 : 200), rng.pick([0, 0xff]));
        if (rng.chance(0.8)) v[rng.int(v.length)] = rng.int(256);
        return v;
      },
    ],
  ])();
}

const BAD_INTS = ['-1', 'abc', '', '1.5', '01', '+1', ' 1', '99999999999999999999', '-9223372036854775808'];

/** A bit offset: mostly near the values' sizes, sometimes far, sometimes invalid. */
function offset(rng: Rng): string {
  return rng.weighted<() => string>([
    [8, () => String(rng.int(8 * 40))],
    [4, () => String(rng.int(8 * 400))],
    [1, () => String(rng.int(8 * 5000))],
    [1, () => rng.pick([...BAD_INTS, '4294967296', '9223372036854775807'])],
  ])();
}

/** A range end: small, larger, int64 edges, or not an integer. */
function index(rng: Rng, bits: boolean): string {
  const scale = bits ? 8 : 1;
  return rng.weighted<() => string>([
    [8, () => String(rng.range(-40 * scale, 40 * scale))],
    [3, () => String(rng.range(-400 * scale, 400 * scale))],
    [1, () => String(rng.range(-3100 * scale, 3100 * scale))],
    [1, () => rng.pick(['9223372036854775807', '-9223372036854775808', '-9223372036854775807', 'x', '1.0'])],
  ])();
}

function unit(rng: Rng): string | null {
  return rng.weighted<string | null>([
    [3, null],
    [3, 'BIT'],
    [2, 'BYTE'],
    [1, 'bit'],
    [1, 'byTe'],
    [1, 'bits'],
  ]);
}

/** A BITFIELD type: mostly valid (i1..i64, u1..u63), sometimes not. */
function fieldType(rng: Rng): { arg: string; bits: number; signed: boolean } {
  if (rng.chance(0.03)) {
    const arg = rng.pick([
      'u64',
      'i65',
      'i0',
      'u0',
      'I8',
      'U8',
      'x8',
      'i',
      'i-1',
      'i08',
      'i8 ',
      '',
      'i8\x00x',
      'u1\x007',
    ]);
    return { arg, bits: 8, signed: true };
  }
  const signed = rng.chance(0.5);
  const bits = rng.weighted<() => number>([
    [4, () => rng.pick([1, 2, 3, 4, 5, 7, 8, 16, 32])],
    [3, () => rng.range(1, signed ? 64 : 63)],
    [1, () => (signed ? 64 : 63)],
  ])();
  return { arg: `${signed ? 'i' : 'u'}${bits}`, bits, signed };
}

function fieldOffset(rng: Rng): string {
  return rng.weighted<() => string>([
    [14, () => String(rng.int(8 * 32))],
    [4, () => String(rng.int(8 * 400))],
    [6, () => `#${rng.int(20)}`],
    // #N * bits is int64 arithmetic: these wrap to small or negative offsets for some widths.
    [1, () => rng.pick(['#2305843009213693952', '#4611686018427387904', '#9223372036854775807'])],
    [1, () => rng.pick(['#-1', '#', '#x', ...BAD_INTS])],
  ])();
}

/** A SET value or INCRBY increment: small, at the width's limits, at int64's, or invalid. */
function fieldValue(rng: Rng, bits: number, signed: boolean): string {
  const top = signed ? 1n << BigInt(bits - 1) : 1n << BigInt(bits);
  return rng.weighted<() => string>([
    [10, () => String(rng.range(-300, 300))],
    [8, () => String(BigInt(rng.pick([-1, 1])) * top + BigInt(rng.range(-2, 2)))],
    [4, () => String(BigInt(rng.range(-(2 ** 30), 2 ** 30)) * BigInt(rng.range(1, 2 ** 30)))],
    [
      3,
      () =>
        rng.pick([
          '9223372036854775807',
          '-9223372036854775808',
          '-9223372036854775807',
          '-4611686018427387905',
        ]),
    ],
    [1, () => rng.pick(['9223372036854775808', 'x', '1.5', ''])],
  ])();
}

function bitfieldArgs(rng: Rng, readOnly: boolean): string[] {
  const args: string[] = [];
  const n = rng.weighted([
    [1, 0],
    [5, 1],
    [3, 2],
    [2, 4],
  ]);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.3))
      args.push(
        rng.pick(['OVERFLOW', 'overflow']),
        rng.chance(0.03) ? 'bad' : rng.pick(['WRAP', 'SAT', 'FAIL', 'sat']),
      );
    const t = fieldType(rng);
    const op =
      readOnly && rng.chance(0.85)
        ? 'get'
        : rng.pick(['get', 'GET', 'set', 'SET', 'incrby', 'INCRBY', 'incrby']);
    if (rng.chance(0.02)) args.push('bogus');
    args.push(op, t.arg, fieldOffset(rng));
    if (op.toLowerCase() !== 'get') args.push(fieldValue(rng, t.bits, t.signed));
  }
  // A truncated operation is a syntax error.
  if (args.length > 0 && rng.chance(0.04)) args.pop();
  return args;
}

function rangeArgs(rng: Rng, withBit: boolean): string[] {
  const u = unit(rng);
  const bits = u !== null && u.toLowerCase() === 'bit';
  const n = rng.weighted([
    [2, 0],
    [1, 1],
    [3, 2],
    [4, 3],
    [1, 4],
  ]);
  const out: string[] = [];
  if (n >= 1) out.push(index(rng, bits));
  if (n >= 2) out.push(index(rng, bits));
  if (n >= 3) out.push(u ?? 'BYTE');
  if (n >= 4) out.push('extra');
  // BITCOUNT has no start-only form: a single index is its syntax error.
  return withBit || n !== 1 || rng.chance(0.2) ? out : out.slice(0, 0);
}

/** TTL compared by sign only (-2, -1, or a positive number of seconds). */
const ttlCheck: Check = (redis, cairn) => {
  const r = parseReply(redis);
  const c = parseReply(cairn);
  if (r.t !== 'int' || c.t !== 'int') return redis.equals(cairn) ? null : 'replies differ';
  const sign = (v: bigint) => (v > 0n ? 1n : v);
  return sign(r.v) === sign(c.v) ? null : 'TTL differs';
};

const step = (argv: Array<string | Buffer>, extra: Partial<Step> = {}): Step => ({
  argv: argv.map((a) => (typeof a === 'string' ? b(a) : a)),
  keys: [],
  ...extra,
});

export const bitmapFamily: Family = {
  name: 'bitmap',
  next({ rng }): Step {
    const k = key(rng);
    return rng.weighted<() => Step>([
      [3, () => step(['SET', k, value(rng)])],
      [1, () => step(['APPEND', k, value(rng)])],
      [1, () => step(['SETRANGE', k, String(rng.int(300)), value(rng)])],
      [1, () => step(['DEL', k])],
      [1, () => step(['RPUSH', LIST_KEY, 'x'])],
      [1, () => step(['EXPIRE', k, '1000'])],
      [2, () => step(['TTL', k], { check: ttlCheck })],
      [4, () => step(['GET', k])],
      [1, () => step(['STRLEN', k])],
      [
        14,
        () =>
          step([
            'SETBIT',
            k,
            offset(rng),
            rng.weighted([
              [10, rng.pick(['0', '1'])],
              [1, rng.pick(['2', '-1', 'x', '', '01'])],
            ]),
          ]),
      ],
      [6, () => step(['GETBIT', k, offset(rng)])],
      [10, () => step(['BITCOUNT', k, ...rangeArgs(rng, false)])],
      [
        12,
        () =>
          step([
            'BITPOS',
            k,
            rng.weighted([
              [12, rng.pick(['0', '1'])],
              [1, rng.pick(['2', '-1', 'x'])],
            ]),
            ...rangeArgs(rng, true),
          ]),
      ],
      [
        6,
        () => {
          const op = rng.pick(['AND', 'OR', 'XOR', 'NOT', 'and', 'or', 'xor', 'not', 'nand']);
          const n = op.toLowerCase() === 'not' && rng.chance(0.9) ? 1 : rng.range(1, 4);
          return step(['BITOP', op, key(rng), ...Array.from({ length: n }, () => key(rng))]);
        },
      ],
      [12, () => step(['BITFIELD', k, ...bitfieldArgs(rng, false)])],
      [4, () => step(['BITFIELD_RO', k, ...bitfieldArgs(rng, true)])],
    ])();
  },
};
