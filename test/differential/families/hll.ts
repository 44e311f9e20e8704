/**
 * Differential steps for HyperLogLog: PFADD (none, a few, or hundreds of elements, so values
 * cross from sparse to dense), PFCOUNT of one key (the cached estimate and its rewrite) and of
 * several, PFMERGE over mixed encodings and missing keys, PFDEBUG, and GET of the raw bytes
 * after any of them, which must be Redis's byte for byte. Values are also corrupted the ways
 * Redis's suite does (SETRANGE of a random byte, APPEND, a broken header) or replaced by
 * crafted dense values (random registers, a valid or invalid cached cardinality), and a WATCH
 * sees PFCOUNT's cache write as a change. Every reply is compared byte for byte.
 */
import type { Rng } from '../random.js';
import { b, type Family, type GenState, type Step } from './collection-runner.js';

const HLL_KEYS = ['h1', 'h2', 'h3', 'h4'].map(b);
const STRING_KEY = b('hs');
const HASH_KEY = b('hh');
const MISSING_KEY = b('hmissing');
const DENSE_SIZE = 12304;
/** A fixed future Unix time, so EXPIRETIME answers the same on both servers. */
const FUTURE_S = '4102444800';

/** Elements: small pools (re-adds that change nothing), wide ranges, binary and empty. */
function element(rng: Rng, pool: number): Buffer {
  return rng.weighted<() => Buffer>([
    [20, () => b(`e${rng.int(pool)}`)],
    [2, () => rng.bytes(rng.range(0, 24))],
    [1, () => b('')],
    [1, () => b('x'.repeat(rng.range(60, 200)))],
  ])();
}

function elements(rng: Rng): Buffer[] {
  const n = rng.weighted<() => number>([
    [2, () => 0],
    [12, () => rng.range(1, 5)],
    [4, () => rng.range(10, 100)],
    [2, () => rng.range(200, 1500)],
  ])();
  const pool = rng.pick([20, 1000, 1_000_000]);
  return Array.from({ length: n }, () => element(rng, pool));
}

function hllKey(rng: Rng): Buffer {
  return rng.pick(HLL_KEYS);
}

function anyKey(rng: Rng): Buffer {
  return rng.weighted([
    [24, hllKey(rng)],
    [1, STRING_KEY],
    [1, HASH_KEY],
    [2, MISSING_KEY],
  ]);
}

function someKeys(rng: Rng, min: number, max: number): Buffer[] {
  return Array.from({ length: rng.range(min, max) }, () => anyKey(rng));
}

/** A dense value with random registers (every histogram bucket) and a chosen cache state. */
function craftedDense(rng: Rng): Buffer {
  const v = Buffer.alloc(DENSE_SIZE);
  v.write('HYLL', 'latin1');
  const fill = rng.pick(['random', 'ff', 'low']);
  for (let i = 16; i < DENSE_SIZE; i++)
    v[i] = fill === 'ff' ? 0xff : fill === 'low' ? rng.int(256) & rng.int(256) & 0x3f : rng.int(256);
  for (let i = 8; i < 16; i++) v[i] = rng.int(256);
  if (rng.chance(0.7)) v[15] |= 0x80; // cache invalid: PFCOUNT recomputes
  return v;
}

/** A corruption of an existing value, as Redis's fuzzing test does, or a broken header. */
function corruption(rng: Rng, key: Buffer): Buffer[] {
  return rng.weighted<() => Buffer[]>([
    [6, () => [b('setrange'), key, b(String(rng.int(rng.chance(0.5) ? 40 : 3000))), rng.bytes(1)]],
    [2, () => [b('append'), key, b(rng.pick(['hello', '\x00', '\xff\xff']))]],
    [1, () => [b('setrange'), key, b('0'), b('0123')]],
    [1, () => [b('setrange'), key, b('4'), b(rng.pick(['x', '\x00', '\x01', '\x02']))]],
    [2, () => [b('set'), key, craftedDense(rng)]],
    [
      1,
      () => [
        b('set'),
        key,
        Buffer.concat([b('HYLL\x01\x00\x00\x00'), Buffer.alloc(8), rng.bytes(rng.range(0, 30))]),
      ],
    ],
  ])();
}

const step = (argv: Buffer[]): Step => ({ argv, keys: [] });

/**
 * Run after each corruption, on both servers: a sparse value whose last opcode is an XZERO cut
 * after its first byte gets a zero second byte. Redis reads that missing byte from past the end
 * of its buffer, where an earlier edit of the same value may have left a byte; Cairn reads 0, as
 * Redis does for a value freshly set. Only corrupt values can end that way.
 */
const COMPLETE_XZERO = `local v = redis.call('get', KEYS[1])
if not v or #v < 17 or string.sub(v, 1, 4) ~= 'HYLL' or string.byte(v, 5) ~= 1 then return 0 end
local p = 17
while p <= #v do
  local op = string.byte(v, p)
  if op >= 64 and op < 128 then
    if p == #v then return redis.call('append', KEYS[1], '\\0') end
    p = p + 2
  else
    p = p + 1
  end
end
return 0`;

/** The key corrupted by the last step, to complete a cut XZERO on next. */
let corrupted: Buffer | null = null;

export const hllFamily: Family = {
  name: 'hyperloglog',
  next(g: GenState): Step {
    const { rng } = g;
    if (corrupted !== null) {
      const key = corrupted;
      corrupted = null;
      return step([b('eval'), b(COMPLETE_XZERO), b('1'), key]);
    }
    return rng.weighted<() => Step>([
      [14, () => step([b('pfadd'), anyKey(rng), ...elements(rng)])],
      [8, () => step([b('pfcount'), anyKey(rng)])],
      [3, () => step([b('pfcount'), ...someKeys(rng, 2, 4)])],
      [3, () => step([b('pfmerge'), anyKey(rng), ...someKeys(rng, 0, 3)])],
      [10, () => step([b('get'), hllKey(rng)])],
      [
        2,
        () =>
          step([
            b('pfdebug'),
            b(rng.pick(['encoding', 'ENCODING', 'decode', 'todense', 'nope'])),
            anyKey(rng),
          ]),
      ],
      [1, () => step([b('pfdebug'), b('getreg'), anyKey(rng)])],
      [
        1,
        () => {
          corrupted = hllKey(rng);
          return step(corruption(rng, corrupted));
        },
      ],
      [3, () => step([b('del'), hllKey(rng)])],
      [1, () => step([b('expireat'), hllKey(rng), b(FUTURE_S)])],
      [2, () => step([b('expiretime'), hllKey(rng)])],
      [1, () => step([b('set'), STRING_KEY, b(rng.pick(['foo', '12345', 'HYLL']))])],
      [1, () => step([b('hset'), HASH_KEY, b('f'), b('v')])],
      [1, () => step([b('strlen'), hllKey(rng)])],
    ])();
  },
};
