/**
 * Sorted-set pops and random members: ZPOPMIN ZPOPMAX ZMPOP (Redis's genericZpopCommand and
 * its reply shapes) and ZRANDMEMBER (zrandmemberWithCountCommand's cases).
 */
import { ZSetValue } from '../../engine/values/zset.js';
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { propagateAs, propagating } from '../replication/rewrites.js';
import { NULL_ARRAY, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { notifyChanged } from './keyspace-events.js';
import { interrupted, optIs } from './lookup.js';
import { beginChange, endChange, lookupReadTyped, lookupWriteTyped } from './typed.js';
import { parseLongInRange, ScoredReply, scoreReply } from './zset-args.js';

const LONG_MAX = 9223372036854775807n;
/** -LONG_MAX/2 .. LONG_MAX/2: ZRANDMEMBER's count with WITHSCORES (the reply holds 2 per member). */
const HALF_LONG_MAX = 4611686018427387903n;
/**
 * Most members one ZRANDMEMBER may return. Redis has no bound and would build the reply until
 * memory runs out; Cairn refuses such a count with Redis's range error instead.
 */
const RANDMEMBER_MAX = 1 << 24;
/** Members emitted between two cancellation/deadline checks. */
const CHECK_EVERY = 4096;

const notPositive = new ErrorReply('ERR', 'ERR value is out of range, must be positive');
const numkeysNotPositive = new ErrorReply('ERR', 'ERR numkeys should be greater than 0');
const countNotPositive = new ErrorReply('ERR', 'ERR count should be greater than 0');
const outOfRange = new ErrorReply('ERR', 'ERR value is out of range');
const randCountRange = new ErrorReply(
  'ERR',
  'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
);

/**
 * genericZpopCommand: the first existing key (a wrong type stops the search), up to `count`
 * members (-1: one, in a flat reply). `withKey` adds the key and nests the pairs (ZMPOP).
 */
function zpopGeneric(
  ctx: CommandContext,
  keys: Buffer[],
  max: boolean,
  count: number,
  nested: boolean,
  withKey: boolean,
): Reply {
  let key: Buffer | null = null;
  let z: ZSetValue | null = null;
  for (const k of keys) {
    const v = lookupWriteTyped(ctx, k, ZSetValue);
    if (v instanceof ErrorReply) return v;
    if (v === null) continue;
    key = k;
    z = v;
    break;
  }
  if (z === null || key === null) return withKey ? NULL_ARRAY : [];
  if (count === 0) return [];
  // ZMPOP is replicated as ZPOPMIN / ZPOPMAX key <number popped>.
  if (withKey && propagating(ctx))
    propagateAs(ctx, [max ? 'ZPOPMAX' : 'ZPOPMIN', key, String(Math.min(count, z.size()))]);
  beginChange(ctx, key);
  const popped = max ? z.popMax(count < 0 ? 1 : count) : z.popMin(count < 0 ? 1 : count);
  notifyChanged(ctx, 'z', max ? 'zpopmax' : 'zpopmin', key, endChange(ctx, key));
  const items: Reply[] = [];
  for (const [m, s] of popped) {
    const member = Buffer.from(m, 'latin1');
    if (nested) items.push([member, scoreReply(s)]);
    else items.push(member, scoreReply(s));
  }
  return withKey ? [Buffer.from(key), items] : items;
}

function zpopMinMax(ctx: CommandContext, argv: Buffer[], max: boolean): Reply {
  if (argv.length > 3) return Errors.syntax;
  let count = -1;
  if (argv.length === 3) {
    const n = parseLongInRange(argv[2], 0n, LONG_MAX, notPositive);
    if (n instanceof ErrorReply) return n;
    count = n;
  }
  // RESP3 nests [member, score] pairs when a count was given.
  return zpopGeneric(ctx, [argv[1]], max, count, ctx.client.resp === 3 && count !== -1, false);
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] */
function zmpop(ctx: CommandContext, argv: Buffer[]): Reply {
  const numkeys = parseLongInRange(argv[1], 1n, LONG_MAX, numkeysNotPositive);
  if (numkeys instanceof ErrorReply) return numkeys;
  const whereAt = 1 + numkeys + 1;
  if (whereAt >= argv.length) return Errors.syntax;
  let max: boolean;
  if (optIs(argv[whereAt], 'min')) max = false;
  else if (optIs(argv[whereAt], 'max')) max = true;
  else return Errors.syntax;
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && optIs(argv[j], 'count') && j + 1 < argv.length) {
      const n = parseLongInRange(argv[++j], 1n, LONG_MAX, countNotPositive);
      if (n instanceof ErrorReply) return n;
      count = n;
    } else return Errors.syntax;
  }
  return zpopGeneric(ctx, argv.slice(2, 2 + numkeys), max, count === -1 ? 1 : count, true, true);
}

function randomInt(n: number): number {
  return Math.floor(Math.random() * n);
}

/**
 * ZRANDMEMBER key count [WITHSCORES]: a negative count repeats members; a count at least the
 * set's size returns it whole, highest first (Redis walks the set from its tail); otherwise
 * distinct members in no particular order.
 */
function zrandmemberWithCount(ctx: CommandContext, z: ZSetValue, l: number, withScores: boolean): Reply {
  const out = new ScoredReply(ctx, withScores);
  const size = z.size();
  const emit = (x: number) => out.push(z.memberAt(x), z.scoreAt(x));
  const unique = l >= 0;
  const count = Math.abs(l);
  if (count === 0) return [];
  // A listpack set finds a rank by walking, as Redis's does: list its nodes once instead.
  const nodes = !z.big || count > size ? rankedNodes(z) : null;
  const atRank = (r: number) => (nodes !== null ? nodes[r] : z.at(r));
  if (!unique || count === 1) {
    for (let i = 0; i < count; i++) {
      emit(atRank(randomInt(size)));
      if ((i + 1) % CHECK_EVERY === 0) {
        const stop = interrupted(ctx);
        if (stop !== null) return stop;
      }
    }
    return out.out;
  }
  if (count >= size) {
    for (let x = z.last(); x !== 0; x = z.prev(x)) emit(x);
    return out.out;
  }
  // Distinct ranks: drop random ones from all of them when most are wanted, else draw new ones.
  const picked = new Set<number>();
  if (count * 3 > size) {
    const ranks = Array.from({ length: size }, (_, i) => i);
    for (let left = size; left > count; left--) {
      const i = randomInt(left);
      ranks[i] = ranks[left - 1];
    }
    for (let i = 0; i < count; i++) picked.add(ranks[i]);
  } else {
    while (picked.size < count) picked.add(randomInt(size));
  }
  for (const r of picked) emit(atRank(r));
  return out.out;
}

/** The set's node ids by rank. */
function rankedNodes(z: ZSetValue): number[] {
  const nodes: number[] = [];
  for (let x = z.first(); x !== 0; x = z.next(x)) nodes.push(x);
  return nodes;
}

function zrandmember(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length >= 3) {
    const n = parseInt64(argv[2]);
    if (n === null) return Errors.notInteger;
    if (n < -LONG_MAX) return randCountRange;
    if (argv.length > 4 || (argv.length === 4 && !optIs(argv[3], 'withscores'))) return Errors.syntax;
    const withScores = argv.length === 4;
    if (withScores && (n < -HALF_LONG_MAX || n > HALF_LONG_MAX)) return outOfRange;
    const z = lookupReadTyped(ctx, argv[1], ZSetValue);
    if (z === null || z instanceof ErrorReply) return z ?? [];
    if (n < -BigInt(RANDMEMBER_MAX)) return outOfRange;
    // A positive count past the set's size returns the set: any larger count acts the same.
    const l = n > BigInt(z.size()) ? z.size() + 1 : Number(n);
    return zrandmemberWithCount(ctx, z, l, withScores);
  }
  const z = lookupReadTyped(ctx, argv[1], ZSetValue);
  if (z === null || z instanceof ErrorReply) return z;
  return Buffer.from(z.memberAt(z.at(randomInt(z.size()))), 'latin1');
}

const ZSET = { group: 'sorted-set' } as const;
const ONE_KEY = { firstKey: 1, lastKey: 1, step: 1 } as const;
const POP_COMPLEXITY =
  'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.';

export const zsetPopCommands: readonly CommandSpec[] = [
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zpopmin',
    arity: -2,
    flags: ['write', 'fast'],
    summary: 'Remove and return members with the lowest scores in a sorted set',
    since: '5.0.0',
    complexity: POP_COMPLEXITY,
    syntax: 'key [count]',
    handler: (ctx, argv) => zpopMinMax(ctx, argv, false),
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zpopmax',
    arity: -2,
    flags: ['write', 'fast'],
    summary: 'Remove and return members with the highest scores in a sorted set',
    since: '5.0.0',
    complexity: POP_COMPLEXITY,
    syntax: 'key [count]',
    handler: (ctx, argv) => zpopMinMax(ctx, argv, true),
  }),
  command({
    ...ZSET,
    keySpecs: [
      {
        begin: { index: 1 },
        find: { keynum: { keynumIdx: 0, firstKey: 1, step: 1 } },
        flags: ['RW', 'access', 'delete'],
      },
    ],
    name: 'zmpop',
    arity: -4,
    flags: ['write'],
    summary: 'Remove and return members with scores in a sorted set',
    since: '7.0.0',
    complexity:
      'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
    syntax: 'numkeys key [key ...] <MIN | MAX> [COUNT count]',
    handler: zmpop,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zrandmember',
    arity: -2,
    flags: ['readonly'],
    summary: 'Get one or multiple random elements from a sorted set',
    since: '6.2.0',
    complexity: 'O(N) where N is the number of elements returned',
    syntax: 'key [count [WITHSCORES]]',
    handler: zrandmember,
  }),
];
