/**
 * The blocking sorted-set pops: BZPOPMIN BZPOPMAX BZMPOP. They pop through ZSetValue's
 * popMin/popMax between beginChange/endChange like ZPOPMIN, and block like the list pops
 * (blocked-keys.ts). Replies, as Redis 7.0's genericZpopCommand:
 *   BZPOPMIN / BZPOPMAX: [key, member, score]
 *   BZMPOP:              [key, [[member, score], ...]]
 * scores as doubles (RESP3 `,`; RESP2 bulk strings printed as %.17g).
 */
import { bytes } from '../../engine/values/collection.js';
import { ZSetValue } from '../../engine/values/zset.js';
import { ErrorReply, Errors } from '../../errors.js';
import { blockingDenied } from '../blocking.js';
import type { CommandContext } from '../context.js';
import type { PropArg } from '../replication/propagate.js';
import { alsoPropagate, propagateAs, propagating } from '../replication/rewrites.js';
import { DoubleReply, NULL_ARRAY, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { parseBlockTimeout } from './block-timeout.js';
import { notifyChanged } from './keyspace-events.js';
import { countLikeRedis, parseMpopArgs } from './list-ops.js';
import { optIs } from './lookup.js';
import { beginChange, endChange, lookupWriteTyped } from './typed.js';

function pop(
  ctx: CommandContext,
  key: Buffer,
  z: ZSetValue,
  min: boolean,
  count: number,
): Array<[string, number]> {
  beginChange(ctx, key);
  const out = min ? z.popMin(count) : z.popMax(count);
  notifyChanged(ctx, 'z', min ? 'zpopmin' : 'zpopmax', key, endChange(ctx, key));
  countLikeRedis(ctx, out.length, 1);
  return out;
}

/**
 * Replicated as ZPOPMIN / ZPOPMAX key [count]: the command's rewritten form when it did not
 * block, a command of its own when it was served later (Redis's alsoPropagate).
 */
function replicate(ctx: CommandContext, served: boolean, argv: PropArg[]): void {
  if (served) alsoPropagate(ctx, argv);
  else propagateAs(ctx, argv);
}

/** BZPOPMIN / BZPOPMAX's reply: [key, member, score]. */
function popFlat(ctx: CommandContext, key: Buffer, z: ZSetValue, min: boolean, served: boolean): Reply {
  const [[member, score]] = pop(ctx, key, z, min, 1);
  if (propagating(ctx)) replicate(ctx, served, [min ? 'ZPOPMIN' : 'ZPOPMAX', key]);
  return [Buffer.from(key), bytes(member), new DoubleReply(score)];
}

/** BZMPOP's reply: [key, [[member, score], ...]]. */
function popNested(
  ctx: CommandContext,
  key: Buffer,
  z: ZSetValue,
  min: boolean,
  count: number,
  served: boolean,
): Reply {
  const n = Math.min(count, z.size());
  const items = pop(ctx, key, z, min, count).map(([m, s]): Reply => [bytes(m), new DoubleReply(s)]);
  if (propagating(ctx)) replicate(ctx, served, [min ? 'ZPOPMIN' : 'ZPOPMAX', key, String(n)]);
  return [Buffer.from(key), items];
}

/** The first non-empty sorted set among `keys`; WRONGTYPE stops at that key. */
function firstZSet(ctx: CommandContext, keys: readonly Buffer[]): [Buffer, ZSetValue] | ErrorReply | null {
  for (const key of keys) {
    const z = lookupWriteTyped(ctx, key, ZSetValue);
    if (z === null) continue;
    if (z instanceof ErrorReply) return z;
    if (z.size() === 0) continue;
    return [key, z];
  }
  return null;
}

function servedZSet(ctx: CommandContext, key: Buffer): ZSetValue {
  return lookupWriteTyped(ctx, key, ZSetValue) as ZSetValue;
}

/** BZPOPMIN / BZPOPMAX key [key ...] timeout */
function bzpop(ctx: CommandContext, argv: Buffer[], min: boolean): Reply | Promise<Reply> {
  const timeoutMs = parseBlockTimeout(argv[argv.length - 1]);
  if (timeoutMs instanceof ErrorReply) return timeoutMs;
  const keys = argv.slice(1, -1);
  const found = firstZSet(ctx, keys);
  if (found instanceof ErrorReply) return found;
  if (found !== null) return popFlat(ctx, found[0], found[1], min, false);
  if (blockingDenied()) return NULL_ARRAY;
  return ctx.server.blockedKeys.block(ctx, {
    keys,
    type: ZSetValue,
    timeoutMs,
    timeoutReply: NULL_ARRAY,
    serve: (key) => popFlat(ctx, key, servedZSet(ctx, key), min, true),
  });
}

/** Redis's zmpop where: MIN or MAX (strcasecmp). */
function parseMinMax(arg: Buffer): boolean | ErrorReply {
  if (optIs(arg, 'min')) return true;
  if (optIs(arg, 'max')) return false;
  return Errors.syntax;
}

/** BZMPOP timeout numkeys key [key ...] <MIN | MAX> [COUNT count] */
function bzmpop(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  const a = parseMpopArgs(argv, 2, parseMinMax);
  if (a instanceof ErrorReply) return a;
  const timeoutMs = parseBlockTimeout(argv[1]);
  if (timeoutMs instanceof ErrorReply) return timeoutMs;
  const found = firstZSet(ctx, a.keys);
  if (found instanceof ErrorReply) return found;
  if (found !== null) return popNested(ctx, found[0], found[1], a.first, a.count, false);
  if (blockingDenied()) return NULL_ARRAY;
  return ctx.server.blockedKeys.block(ctx, {
    keys: a.keys,
    type: ZSetValue,
    timeoutMs,
    timeoutReply: NULL_ARRAY,
    serve: (key) => popNested(ctx, key, servedZSet(ctx, key), a.first, a.count, true),
  });
}

const ZSET = { group: 'sorted-set' } as const;
const BZPOP_COMPLEXITY = 'O(log(N)) with N being the number of elements in the sorted set.';

export const zsetBlockingCommands: readonly CommandSpec[] = [
  command({
    ...ZSET,
    name: 'bzpopmin',
    arity: -3,
    flags: ['write', 'no-script', 'blocking', 'fast'],
    firstKey: 1,
    lastKey: -2,
    step: 1,
    summary:
      'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available',
    since: '5.0.0',
    complexity: BZPOP_COMPLEXITY,
    syntax: 'key [key ...] timeout',
    handler: (ctx, argv) => bzpop(ctx, argv, true),
  }),
  command({
    ...ZSET,
    name: 'bzpopmax',
    arity: -3,
    flags: ['write', 'no-script', 'blocking', 'fast'],
    firstKey: 1,
    lastKey: -2,
    step: 1,
    summary:
      'Remove and return the member with the highest score from one or more sorted sets, or block until one is available',
    since: '5.0.0',
    complexity: BZPOP_COMPLEXITY,
    syntax: 'key [key ...] timeout',
    handler: (ctx, argv) => bzpop(ctx, argv, false),
  }),
  command({
    ...ZSET,
    name: 'bzmpop',
    arity: -5,
    flags: ['write', 'blocking'],
    keySpecs: [
      {
        begin: { index: 2 },
        find: { keynum: { keynumIdx: 0, firstKey: 1, step: 1 } },
        flags: ['RW', 'access', 'delete'],
      },
    ],
    summary: 'Remove and return members with scores in a sorted set or block until one is available',
    since: '7.0.0',
    complexity:
      'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
    syntax: 'timeout numkeys key [key ...] <MIN | MAX> [COUNT count]',
    handler: bzmpop,
  }),
];
