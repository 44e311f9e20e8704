/**
 * Differential steps for SORT and SORT_RO: random option lists (BY key and hash-field patterns,
 * constant BY, LIMIT with odd and huge values, several GETs with `#`, `->` and constants,
 * ASC/DESC, ALPHA, STORE, repeated and bad options) over lists, sets and sorted sets whose
 * elements are numbers in strtod's many spellings, text, and (in lists) NUL bytes, with weights
 * in string keys and hash fields that change as the run goes; some calls run inside EVAL (where
 * a set with a constant BY gets sorted). Stored results are read back (LRANGE, TYPE, TTL).
 *
 * Redis leaves two orders undefined, and the generator keeps clear of them or relaxes the check:
 * - a hashtable set or a sorted set is loaded in its hash table's order, so an ALPHA sort BY
 *   weights that tie would order the tied elements by it: such sorts only use `u_*` / `hu_*->f`,
 *   whose values are distinct and set once at the start;
 * - a hashtable set with a constant BY (no STORE, no script) comes in that order: compared
 *   unordered, or by length with a LIMIT.
 * Redis 7.0 leaves errno set after a weight out of double's range, which fails later SORTs
 * (not reproduced: see sort-number.ts); a ZADD XX on a missing key (which clears errno in
 * string2d) goes to Redis before each SORT.
 */
import type { Rng } from '../random.js';
import { parseReply } from '../resp-client.js';
import { b, type Check, type Family, type GenState, type Step, unordered } from './collection-runner.js';

const LIST = b('sl');
const NUM_LIST = b('sln');
const SET = b('ss');
const INT_SET = b('ssn');
const ZSET = b('sz');
const HASH = b('sh');
const STRING = b('sstr');
const MISSING = b('snone');
const DST = b('sdst');

const NUMS = [
  '0',
  '1',
  '2',
  '3',
  '5',
  '10',
  '42',
  '-1',
  '-5',
  '1.5',
  '-0.5',
  '2.0',
  '02',
  '0x10',
  ' 4',
  'inf',
  '1e3',
];
const INTS = ['0', '1', '2', '3', '5', '7', '8', '9', '10', '42', '-1', '-5', '100', '-100'];
const TEXTS = ['a', 'b', 'c', 'ab', 'B', 'x y', '', '\xe9', '*', 'zz', 'a*b'];
/** Only lists hold these: ALPHA compares them as C strings, so they tie (stable in a list). */
const NUL_TEXTS = ['a\0b', 'a\0a', 'a\0', '\0'];
const POOL = [...NUMS, ...TEXTS];

const WEIGHTS = [
  '1',
  '2',
  '3',
  '-1',
  '0',
  '1.5',
  '10',
  '2.0',
  '02',
  '0x10',
  ' 7',
  'inf',
  '-inf',
  '',
  'abc',
  'b',
  '0x1p-1074',
  '1e400',
  '1e-310',
  '7 ',
  'nan',
  'a\0z',
];
const BY_PATTERNS = ['w_*', 'h_*->f', 'h_*->g', 'nokey_*', 'h_*', 'w_*->f', 'x_*->', '*', 'w_*'];
const UNIQUE_BY = ['u_*', 'hu_*->f'];
const CONST_BY = ['nosort', '_', 'w_', ''];
const GET_PATTERNS = ['#', 'w_*', 'h_*->f', 'h_*->g', 'u_*', 'nokey', 'w_*->f', 'x_*->', 'h_*->', '#\0x'];
const OFFSETS = ['0', '1', '2', '3', '5', '-1', '-3', '10', '9223372036854775807', '-9223372036854775808'];
const COUNTS = ['0', '1', '2', '3', '5', '-1', '-2', '8', '9223372036854775807', '-9223372036854775808'];

const setup = new WeakSet<GenState>();
const step = (argv: Buffer[], keys: Buffer[], extra: Partial<Step> = {}): Step => ({ argv, keys, ...extra });
const bs = (xs: readonly string[]): Buffer[] => xs.map(b);

/** Distinct values for the `u_*` keys and `hu_*` fields, unrelated to the elements' order. */
const unique = (i: number): string => `${String.fromCharCode(97 + ((i * 7) % 26))}${i}`;

/** The steps that fill the `u_*` / `hu_*` weights, once per run. */
function setupSteps(): Step[] {
  const pool = [...POOL, ...INTS, ...NUL_TEXTS];
  const mset: string[] = [];
  const out: Step[] = [];
  pool.forEach((e, i) => {
    mset.push(`u_${e}`, unique(i));
    out.push(step([b('hset'), b(`hu_${e}`), b('f'), b(unique(i))], []));
  });
  out.push(step([b('mset'), ...bs(mset)], []));
  return out;
}

const pending = new WeakMap<GenState, Step[]>();

function element(rng: Rng, key: Buffer): string {
  if (key === INT_SET) return rng.pick(INTS);
  if (key === NUM_LIST) return rng.pick(NUMS);
  if (key === LIST && rng.chance(0.1)) return rng.pick(NUL_TEXTS);
  return rng.chance(0.6) ? rng.pick(NUMS) : rng.pick(TEXTS);
}

function mutateSource(g: GenState): Step {
  const rng = g.rng;
  const k = rng.pick([LIST, NUM_LIST, SET, INT_SET, ZSET]);
  const n = rng.chance(0.05) ? rng.range(30, 60) : rng.range(1, 4);
  const els = Array.from({ length: n }, () => element(rng, k));
  if (rng.chance(0.04)) return step([b('del'), k], [k]);
  if (k === LIST || k === NUM_LIST) {
    if (rng.chance(0.1)) return step([b('ltrim'), k, b('0'), b(String(rng.range(5, 40)))], [k]);
    return step([b(rng.chance(0.5) ? 'rpush' : 'lpush'), k, ...bs(els)], [k]);
  }
  if (k === ZSET) {
    if (rng.chance(0.15)) return step([b('zrem'), k, ...bs(els)], [k]);
    const args: string[] = [];
    for (const e of els) args.push(String(rng.chance(0.3) ? rng.range(-2, 2) : rng.range(-50, 50) / 4), e);
    return step([b('zadd'), k, ...bs(args)], [k]);
  }
  if (rng.chance(0.15)) return step([b('srem'), k, ...bs(els)], [k]);
  return step([b('sadd'), k, ...bs(els)], [k]);
}

function weightOf(rng: Rng): string {
  return rng.chance(0.8) ? rng.pick(WEIGHTS.slice(0, 16)) : rng.pick(WEIGHTS);
}

function mutateWeights(g: GenState): Step {
  const rng = g.rng;
  const e = rng.chance(0.1) ? rng.pick(NUL_TEXTS) : rng.pick([...POOL, ...INTS]);
  return rng.weighted<() => Step>([
    [5, () => step([b('set'), b(`w_${e}`), b(weightOf(rng))], [])],
    [4, () => step([b('hset'), b(`h_${e}`), b('f'), b(weightOf(rng)), b('g'), b(weightOf(rng))], [])],
    [1, () => step([b('del'), b(`w_${e}`), b(`h_${e}`)], [])],
    [1, () => step([b('hset'), b(`w_${e}`), b('f'), b(weightOf(rng))], [])],
    [1, () => step([b('set'), b(`x_${e}->`), b(weightOf(rng))], [])],
    [1, () => step([b('set'), b(e), b(weightOf(rng))], [])],
  ])();
}

/** Redis answers with the same kind and length; the order is Redis's hash table's. */
const sameLength: Check = (redis, cairn) => {
  if (redis.equals(cairn)) return null;
  const r = parseReply(redis);
  const c = parseReply(cairn);
  if (r.t === 'error' || c.t === 'error' || r.t !== c.t) return 'replies differ';
  return 'items' in r && 'items' in c && r.items.length === c.items.length ? null : 'lengths differ';
};

interface SortCall {
  argv: Buffer[];
  src: Buffer;
  store: Buffer | null;
  check?: Check;
}

function sortCall(g: GenState, inScript: boolean): SortCall {
  const rng = g.rng;
  const src = rng.weighted([
    [4, LIST],
    [2, NUM_LIST],
    [3, SET],
    [2, INT_SET],
    [3, ZSET],
    [0.3, HASH],
    [0.3, STRING],
    [0.3, MISSING],
  ]);
  const ro = rng.chance(0.2);
  const word = (w: string) => b(rng.chance(0.8) ? w : w.toLowerCase());
  const parts: Buffer[][] = [];
  const alpha = rng.chance(0.4);
  const hashSet = (src === SET || src === INT_SET) && g.encodings.get(src.toString('latin1')) !== 'intset';
  const hashOrdered = src === ZSET || hashSet;
  let dontsort = false;
  let limit = false;
  let store: Buffer | null = null;
  if (rng.chance(0.6)) {
    let by: string;
    if (rng.chance(0.25)) {
      by = rng.pick(CONST_BY);
      dontsort = true;
    } else by = alpha && hashOrdered ? rng.pick(UNIQUE_BY) : rng.pick(BY_PATTERNS);
    parts.push([word('BY'), b(by)]);
  }
  if (rng.chance(0.35)) {
    limit = true;
    parts.push([word('LIMIT'), b(rng.pick(OFFSETS)), b(rng.pick(COUNTS))]);
  }
  for (
    let n = rng.weighted([
      [5, 0],
      [3, 1],
      [2, 2],
      [1, 3],
    ]);
    n > 0;
    n--
  )
    parts.push([word('GET'), b(rng.pick(GET_PATTERNS))]);
  if (rng.chance(0.3)) parts.push([word(rng.pick(['ASC', 'DESC']))]);
  if (alpha) parts.push([word('ALPHA')]);
  if (rng.chance(ro ? 0.03 : 0.3)) {
    store = rng.chance(0.9) ? DST : LIST;
    parts.push([word('STORE'), store]);
  }
  // A stray BY would take the next word as a constant pattern: not for a hashtable set.
  if (rng.chance(0.03))
    parts.push([b(rng.pick(hashSet ? ['FOO', 'LIMIT'] : ['FOO', 'LIMIT', 'BY', 'GET', 'STORE']))]);
  if (rng.chance(0.03)) parts.push([word('LIMIT'), b(rng.pick(['x', '1.5', ''])), b('1')]);
  for (let i = parts.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [parts[i], parts[j]] = [parts[j], parts[i]];
  }
  const argv = [b(ro ? 'SORT_RO' : 'SORT'), src, ...parts.flat()];
  const gets = parts.filter((p) => p[0].toString().toLowerCase() === 'get').length;
  // A hashtable set sorted by nothing comes out in its hash table's order.
  let check: Check | undefined;
  if (dontsort && hashSet && store === null && !inScript)
    check = limit ? sameLength : unordered(Math.max(gets, 1));
  return { argv, src, store, check };
}

/** Errno back to 0 on Redis before a SORT (string2d clears it; XX on no key adds nothing). */
const CLEAR_ERRNO = [b('zadd'), b('__errno'), b('XX'), b('0'), b('m')];

function sortStep(g: GenState): Step {
  const inScript = g.rng.chance(0.1);
  const call = sortCall(g, inScript);
  const keys = [call.src, ...(call.store === null ? [] : [call.store])];
  const argv = inScript ? [b('EVAL'), b('return redis.call(unpack(ARGV))'), b('0'), ...call.argv] : call.argv;
  return step(argv, keys, { pre: [CLEAR_ERRNO], check: call.check });
}

/** TTL: the states (-1, -2) exactly; a countdown only as positive on both. */
const ttlCheck: Check = (redis, cairn) => {
  if (redis.equals(cairn)) return null;
  const r = parseReply(redis);
  const c = parseReply(cairn);
  return r.t === 'int' && c.t === 'int' && r.v > 0n && c.v > 0n ? null : 'TTLs differ';
};

function inspect(g: GenState): Step {
  const rng = g.rng;
  const k = rng.chance(0.8) ? DST : LIST;
  return rng.weighted<() => Step>([
    [4, () => step([b('lrange'), k, b('0'), b('-1')], [k])],
    [1, () => step([b('type'), k], [k])],
    [1, () => step([b('ttl'), k], [], { check: ttlCheck })],
    [1, () => step([b('set'), DST, b('old'), b('EX'), b('100')], [DST])],
    [1, () => step([b('hset'), DST, b('f'), b('v')], [DST])],
    [0.5, () => step([b('set'), HASH, b('x')], [])],
    [0.5, () => step([b('del'), HASH], [])],
    [0.5, () => step([b('hset'), HASH, b('f'), b('v')], [])],
    [0.5, () => step([b('set'), STRING, b('1')], [])],
  ])();
}

export const sortFamily: Family = {
  name: 'sort',
  next(g: GenState): Step {
    if (!setup.has(g)) {
      setup.add(g);
      pending.set(g, setupSteps());
    }
    const queued = pending.get(g);
    if (queued !== undefined && queued.length > 0) return queued.shift() as Step;
    return g.rng.weighted<() => Step>([
      [5, () => mutateSource(g)],
      [3, () => mutateWeights(g)],
      [10, () => sortStep(g)],
      [2, () => inspect(g)],
    ])();
  },
};
