/**
 * What the list differential test sends (see test/differential-list.test.ts for how):
 *
 * - `listStep`: one random command over a small key pool, so keys collide: every list command
 *   with valid, edge and invalid arguments (int64 edges, bad words, WRONGTYPE keys holding a
 *   string, hash, set or sorted set), the blocking forms with data or a short timeout, and
 *   MULTI/EXEC bodies where blocking commands must answer at once. Lists are ordered and
 *   nothing here is random on the server, so every reply is compared byte for byte.
 * - `blockingScenario`: clients that block in a known order on empty keys, then one write of
 *   commands from another client that wakes some of them (pushes, LMOVE, RENAME, SWAPDB,
 *   MULTI/EXEC, ZADD); each blocked client's reply bytes and the keys afterwards are compared.
 *   Short timeouts are exercised by `listStep`, where no other client can race them.
 */
import type { Rng } from '../random.js';

export const b = (s: string): Buffer => Buffer.from(s, 'latin1');

export interface ListStep {
  argv: Buffer[];
  /** Keys whose OBJECT ENCODING (and TYPE) is compared after the step. */
  keys: Buffer[];
}

export interface Scenario {
  /** Sent first, by the pushing client, replies compared. */
  setup: Buffer[][];
  /** One connection each, blocked in this order. */
  waiters: Buffer[][];
  /** Sent in one write by the pushing client once every waiter is blocked. */
  pushes: Buffer[][];
  /** State probes afterwards (LRANGE, ZRANGE ... WITHSCORES, TYPE). */
  probes: Buffer[][];
}

export interface Options {
  /** Cairn has the sorted-set family (ZADD): sorted-set keys and the BZ* pops take part. */
  zsets: boolean;
}

const LIST_KEYS = ['l1', 'l2', 'l3', 'bin\x00key'];
const OTHER_KEYS = ['str', 'h1', 's1', 'z1', 'z2'];
const VALUES = ['a', 'b', 'c', 'a', '1', '-1', '', 'x'.repeat(70), '\x00\xff\r\n', '3.5'];
const INDEXES = ['0', '1', '2', '-1', '-2', '5', '-7', '100', '-100'];
const BAD_INTS = ['abc', '1.5', '', '9223372036854775808', ' 1', '0x10'];
const INT_EDGES = ['9223372036854775807', '-9223372036854775808'];
const TIMEOUTS_BAD = ['-1', 'abc', 'inf', '-inf', 'nan', '1e300', '-0.5', '0x7FFFFFFFFFFFFF'];

function key(rng: Rng): string {
  return rng.chance(0.8) ? rng.pick(LIST_KEYS) : rng.pick(OTHER_KEYS);
}

function value(rng: Rng): string {
  return rng.chance(0.05) ? rng.bytes(rng.range(1, 8)).toString('latin1') : rng.pick(VALUES);
}

function index(rng: Rng): string {
  return rng.weighted<() => string>([
    [8, () => rng.pick(INDEXES)],
    [1, () => rng.pick(INT_EDGES)],
    [1, () => rng.pick(BAD_INTS)],
  ])();
}

function count(rng: Rng): string {
  return rng.weighted<() => string>([
    [6, () => String(rng.range(0, 6))],
    [1, () => rng.pick(['-1', '100', ...INT_EDGES])],
    [1, () => rng.pick(BAD_INTS)],
  ])();
}

function end(rng: Rng): string {
  return rng.weighted<() => string>([
    [10, () => rng.pick(['LEFT', 'RIGHT', 'left', 'Right'])],
    [1, () => rng.pick(['UP', 'left\x00x', ''])],
  ])();
}

function validEnd(rng: Rng): string {
  return rng.pick(['LEFT', 'RIGHT']);
}

/** A blocking command's timeout: short (it may block), or invalid. */
function timeout(rng: Rng): string {
  return rng.chance(0.9) ? rng.pick(['0.01', '0.02', '0.005']) : rng.pick(TIMEOUTS_BAD);
}

function values(rng: Rng, min: number, max: number): string[] {
  return Array.from({ length: rng.range(min, max) }, () => value(rng));
}

function keys(rng: Rng, min: number, max: number): string[] {
  return Array.from({ length: rng.range(min, max) }, () => key(rng));
}

/** numkeys key... <where> [COUNT n] for LMPOP / BLMPOP / BZMPOP, sometimes malformed. */
function mpopTail(rng: Rng, words: string[]): string[] {
  const ks = keys(rng, 1, 3);
  const numkeys = rng.weighted<() => string>([
    [10, () => String(ks.length)],
    [1, () => rng.pick(['0', '-1', 'x', String(ks.length + 3), '9223372036854775807'])],
  ])();
  const out = [numkeys, ...ks, rng.chance(0.95) ? rng.pick(words) : 'NOPE'];
  if (rng.chance(0.5))
    out.push('COUNT', rng.chance(0.9) ? String(rng.range(1, 5)) : rng.pick(['0', '-2', 'x']));
  if (rng.chance(0.05)) out.push(rng.pick(['COUNT', 'foo']));
  return out;
}

function lposOptions(rng: Rng): string[] {
  const out: string[] = [];
  const n = rng.range(0, 3);
  for (let i = 0; i < n; i++) {
    out.push(
      ...rng.weighted<() => string[]>([
        [3, () => ['RANK', rng.pick(['1', '2', '-1', '-2', '3', '0', 'x', ...INT_EDGES])]],
        [3, () => ['COUNT', rng.pick(['0', '1', '2', '-1', 'x'])]],
        [3, () => ['MAXLEN', rng.pick(['0', '1', '3', '-1', 'x'])]],
        [1, () => [rng.pick(['RANK', 'FOO'])]],
      ])(),
    );
  }
  return out;
}

type Make = (rng: Rng, o: Options) => string[];

const LIST_COMMANDS: ReadonlyArray<readonly [number, Make]> = [
  [8, (r) => ['RPUSH', key(r), ...values(r, 1, 4)]],
  [6, (r) => ['LPUSH', key(r), ...values(r, 1, 4)]],
  [2, (r) => [r.pick(['LPUSHX', 'RPUSHX']), key(r), ...values(r, 1, 2)]],
  [4, (r) => [r.pick(['LPOP', 'RPOP']), key(r)]],
  [3, (r) => [r.pick(['LPOP', 'RPOP']), key(r), count(r)]],
  [1, (r) => ['LPOP', key(r), '1', '2']],
  [2, (r) => ['LLEN', key(r)]],
  [4, (r) => ['LRANGE', key(r), index(r), index(r)]],
  [3, (r) => ['LINDEX', key(r), index(r)]],
  [3, (r) => ['LSET', key(r), index(r), value(r)]],
  [3, (r) => ['LINSERT', key(r), r.pick(['BEFORE', 'AFTER', 'after', 'middle']), value(r), value(r)]],
  [3, (r) => ['LREM', key(r), r.pick(['0', '1', '-1', '2', '-2', 'x', ...INT_EDGES]), value(r)]],
  [3, (r) => ['LTRIM', key(r), index(r), index(r)]],
  [4, (r) => ['LPOS', key(r), value(r), ...lposOptions(r)]],
  [3, (r) => ['LMOVE', key(r), key(r), end(r), end(r)]],
  [2, (r) => ['RPOPLPUSH', key(r), key(r)]],
  [3, (r) => ['LMPOP', ...mpopTail(r, ['LEFT', 'RIGHT', 'left'])]],
  [3, (r) => [r.pick(['BLPOP', 'BRPOP']), ...keys(r, 1, 3), timeout(r)]],
  [2, (r) => ['BLMOVE', key(r), key(r), end(r), end(r), timeout(r)]],
  [1, (r) => ['BRPOPLPUSH', key(r), key(r), timeout(r)]],
  [2, (r) => ['BLMPOP', timeout(r), ...mpopTail(r, ['LEFT', 'RIGHT'])]],
  [
    2,
    (r, o) => (o.zsets ? [r.pick(['BZPOPMIN', 'BZPOPMAX']), ...keys(r, 1, 3), timeout(r)] : ['LLEN', key(r)]),
  ],
  [1, (r, o) => (o.zsets ? ['BZMPOP', timeout(r), ...mpopTail(r, ['MIN', 'MAX', 'min'])] : ['LLEN', key(r)])],
  // Other types on the shared keys, so list commands meet WRONGTYPE and vice versa.
  [1, (r) => ['SET', r.pick([...OTHER_KEYS, ...LIST_KEYS]), value(r)]],
  [1, (r) => ['HSET', 'h1', value(r), value(r)]],
  [1, (r) => ['SADD', 's1', value(r)]],
  [
    2,
    (r, o) =>
      o.zsets ? ['ZADD', r.pick(['z1', 'z2', 'l3']), String(r.range(-3, 9)), value(r)] : ['DEL', 'z1'],
  ],
  [2, (r) => ['DEL', ...keys(r, 1, 2)]],
  [1, (r) => ['RENAME', key(r), key(r)]],
  [1, (r) => ['TYPE', key(r)]],
];

function draw(rng: Rng, o: Options): string[] {
  return rng.weighted(LIST_COMMANDS)(rng, o);
}

/** One random step; about one in 25 is a MULTI/EXEC of a few commands (sent as one step each). */
export function listSteps(rng: Rng, o: Options): ListStep[] {
  const one = (argv: string[]): ListStep => ({
    argv: argv.map(b),
    keys: argv
      .slice(1)
      .filter((a) => LIST_KEYS.includes(a) || OTHER_KEYS.includes(a))
      .map(b),
  });
  if (!rng.chance(0.04)) return [one(draw(rng, o))];
  const body = Array.from({ length: rng.range(1, 4) }, () => draw(rng, o));
  return [one(['MULTI']), ...body.map(one), one(['EXEC'])];
}

// ---- blocking scenarios -------------------------------------------------------------------

const BKEYS = ['q1', 'q2', 'q3'];
const ZKEYS = ['zq1', 'zq2'];

function waiter(rng: Rng, o: Options, timeoutArg: string): string[] {
  const ks = Array.from({ length: rng.range(1, 3) }, () => rng.pick(BKEYS));
  return rng.weighted<() => string[]>([
    [4, () => [rng.pick(['BLPOP', 'BRPOP']), ...ks, timeoutArg]],
    [2, () => ['BLMOVE', rng.pick(BKEYS), rng.pick(BKEYS), validEnd(rng), validEnd(rng), timeoutArg]],
    [1, () => ['BRPOPLPUSH', rng.pick(BKEYS), rng.pick([...BKEYS, 'str']), timeoutArg]],
    [
      2,
      () => [
        'BLMPOP',
        timeoutArg,
        String(ks.length),
        ...ks,
        rng.pick(['LEFT', 'RIGHT']),
        'COUNT',
        String(rng.range(1, 3)),
      ],
    ],
    [
      o.zsets ? 2 : 0,
      () => [rng.pick(['BZPOPMIN', 'BZPOPMAX']), rng.pick(ZKEYS), rng.pick(ZKEYS), timeoutArg],
    ],
    [o.zsets ? 1 : 0, () => ['BZMPOP', timeoutArg, '2', ...ZKEYS, rng.pick(['MIN', 'MAX']), 'COUNT', '2']],
  ])();
}

/** Pushes that mostly land on keys some waiter waits on (`waited`). */
function push(rng: Rng, o: Options, waited: string[]): string[][] {
  const listWaited = waited.filter((k) => BKEYS.includes(k));
  const zWaited = waited.filter((k) => ZKEYS.includes(k));
  const k = listWaited.length > 0 && rng.chance(0.8) ? rng.pick(listWaited) : rng.pick(BKEYS);
  const zk = zWaited.length > 0 && rng.chance(0.8) ? rng.pick(zWaited) : rng.pick(ZKEYS);
  return rng.weighted<() => string[][]>([
    [5, () => [[rng.pick(['RPUSH', 'LPUSH']), k, ...values(rng, 1, 4)]]],
    [
      2,
      () => [
        ['RPUSH', 'src', 'm1', 'm2'],
        ['LMOVE', 'src', k, 'LEFT', rng.pick(['LEFT', 'RIGHT'])],
      ],
    ],
    [
      1,
      () => [
        ['RPUSH', 'tmp', 'r1', 'r2'],
        ['RENAME', 'tmp', k],
      ],
    ],
    [2, () => [['MULTI'], ['RPUSH', k, 'x1'], ['RPUSH', k, 'x2'], ['LPOP', rng.pick(BKEYS)], ['EXEC']]],
    [1, () => [['MULTI'], ['LPUSH', k, 'gone'], ['DEL', k], ['EXEC']]],
    [
      1,
      () => [
        ['SELECT', '1'],
        ['RPUSH', k, 'db1'],
        ['SWAPDB', '0', '1'],
        ['SELECT', '0'],
      ],
    ],
    [o.zsets ? 3 : 0, () => [['ZADD', zk, '1', 'm1', '2', 'm2', '-1.5', 'm3']]],
    [o.zsets ? 1 : 0, () => [['ZADD', k, '1', 'wrongtype-for-lists']]],
  ])();
}

/**
 * 1 to 3 waiters in a fixed order (FIFO is part of what is compared), 1 to 3 pushes. Waiters
 * block for ever (a timeout would race with the pushes on a busy machine): the runner ends
 * those nobody served with CLIENT UNBLOCK, whose 1 or 0 says which were served.
 */
export function blockingScenario(rng: Rng, o: Options): Scenario {
  const timeoutArg = rng.pick(['0', '0.0']);
  const waiters = Array.from({ length: rng.range(1, 3) }, () => waiter(rng, o, timeoutArg));
  const waited = waiters.flatMap((w) => w.filter((a) => BKEYS.includes(a) || ZKEYS.includes(a)));
  const pushes = Array.from({ length: rng.range(1, 3) }, () => push(rng, o, waited)).flat();
  const all = [...BKEYS, ...(o.zsets ? ZKEYS : []), 'src', 'tmp'];
  const probes = [...BKEYS, 'src'].map((k) => ['LRANGE', k, '0', '-1']);
  if (o.zsets) for (const k of ZKEYS) probes.push(['ZRANGE', k, '0', '-1', 'WITHSCORES']);
  for (const k of all) probes.push(['TYPE', k]);
  return {
    setup: [
      ['SELECT', '1'],
      ['DEL', ...all],
      ['SELECT', '0'],
      ['DEL', ...all],
      ['SET', 'str', 'v'],
    ].map((a) => a.map(b)),
    waiters: waiters.map((a) => a.map(b)),
    pushes: pushes.map((a) => a.map(b)),
    probes: probes.map((a) => a.map(b)),
  };
}
