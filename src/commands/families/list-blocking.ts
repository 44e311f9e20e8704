/**
 * The blocking list pops: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP. Each first tries what its
 * non-blocking form would do; when every key is missing it blocks (blocked-keys.ts), unless
 * blocking is denied (inside MULTI/EXEC), where it answers at once as a timeout would.
 *
 * A served BLMOVE checks its destination again when it is served: a destination that became
 * another type by then fails the client with WRONGTYPE and pops nothing, as Redis 7.0 does.
 *
 * Replicas never see a blocking form: a pop that did not block goes out as LPOP / RPOP [count],
 * LMOVE or RPOPLPUSH, and a served one as the same command of its own.
 */
import { ListValue } from '../../engine/values/list.js';
import { ErrorReply } from '../../errors.js';
import { blockingDenied } from '../blocking.js';
import type { CommandContext } from '../context.js';
import type { PropArg } from '../replication/propagate.js';
import { alsoPropagate, propagateAs, propagating } from '../replication/rewrites.js';
import { NULL_ARRAY, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { parseBlockTimeout } from './block-timeout.js';
import { firstList, lmoveGeneric, MOVE_KEY_SPECS } from './list-move.js';
import { moveOne, parseListEnd, parseMpopArgs, popManyWithKey, popOne } from './list-ops.js';
import { lookupWriteTyped } from './typed.js';

/** The served list at `key`: the registry only serves a key that holds a non-empty list. */
function servedList(ctx: CommandContext, key: Buffer): ListValue {
  return lookupWriteTyped(ctx, key, ListValue) as ListValue;
}

function popWithKey(ctx: CommandContext, key: Buffer, l: ListValue, head: boolean, served: boolean): Reply {
  const reply = [Buffer.from(key), popOne(ctx, key, l, head)];
  // Replicated as the non-blocking pop: LPOP / RPOP key.
  if (propagating(ctx)) replicate(ctx, served, [head ? 'LPOP' : 'RPOP', key]);
  return reply;
}

/**
 * What a blocking command propagates: its rewritten form when it did not block (Redis's
 * rewriteClientCommandVector), a command of its own when it was served later (alsoPropagate).
 */
function replicate(ctx: CommandContext, served: boolean, argv: PropArg[]): void {
  if (served) alsoPropagate(ctx, argv);
  else propagateAs(ctx, argv);
}

/** BLMPOP's reply, replicated as LPOP / RPOP key <number popped>. */
function mpopWithKey(
  ctx: CommandContext,
  key: Buffer,
  l: ListValue,
  head: boolean,
  count: number,
  served: boolean,
): Reply {
  const n = Math.min(count, l.size());
  const reply = popManyWithKey(ctx, key, l, head, count);
  if (propagating(ctx)) replicate(ctx, served, [head ? 'LPOP' : 'RPOP', key, String(n)]);
  return reply;
}

/** BLPOP / BRPOP key [key ...] timeout */
function bpop(ctx: CommandContext, argv: Buffer[], head: boolean): Reply | Promise<Reply> {
  const timeoutMs = parseBlockTimeout(argv[argv.length - 1]);
  if (timeoutMs instanceof ErrorReply) return timeoutMs;
  const keys = argv.slice(1, -1);
  const found = firstList(ctx, keys);
  if (found instanceof ErrorReply) return found;
  if (found !== null) return popWithKey(ctx, found[0], found[1], head, false);
  if (blockingDenied()) return NULL_ARRAY;
  return ctx.server.blockedKeys.block(ctx, {
    keys,
    type: ListValue,
    timeoutMs,
    timeoutReply: NULL_ARRAY,
    serve: (key) => popWithKey(ctx, key, servedList(ctx, key), head, true),
  });
}

/** BLMOVE / BRPOPLPUSH once the arguments are read. */
function bmove(
  ctx: CommandContext,
  argv: Buffer[],
  fromHead: boolean,
  toHead: boolean,
  timeoutMs: number,
): Reply | Promise<Reply> {
  const src = argv[1];
  const dst = argv[2];
  const rpoplpush = argv.length === 4;
  const s = lookupWriteTyped(ctx, src, ListValue);
  if (s instanceof ErrorReply) return s;
  if (s !== null) {
    // Replicated as LMOVE (the same arguments) or RPOPLPUSH.
    if (propagating(ctx))
      propagateAs(ctx, rpoplpush ? ['RPOPLPUSH', src, dst] : ['LMOVE', ...argv.slice(1, 5)]);
    return lmoveGeneric(ctx, src, dst, fromHead, toHead);
  }
  if (blockingDenied()) return null;
  const dstKey = Buffer.from(dst);
  return ctx.server.blockedKeys.block(ctx, {
    keys: [src],
    type: ListValue,
    timeoutMs,
    timeoutReply: NULL_ARRAY,
    serve: (key) => {
      const d = lookupWriteTyped(ctx, dstKey, ListValue);
      if (d instanceof ErrorReply) return d;
      if (propagating(ctx))
        alsoPropagate(
          ctx,
          rpoplpush
            ? ['RPOPLPUSH', key, dstKey]
            : ['LMOVE', key, dstKey, fromHead ? 'left' : 'right', toHead ? 'left' : 'right'],
        );
      return moveOne(ctx, key, servedList(ctx, key), dstKey, d, fromHead, toHead);
    },
  });
}

function blmove(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  const from = parseListEnd(argv[3]);
  if (from instanceof ErrorReply) return from;
  const to = parseListEnd(argv[4]);
  if (to instanceof ErrorReply) return to;
  const timeoutMs = parseBlockTimeout(argv[5]);
  if (timeoutMs instanceof ErrorReply) return timeoutMs;
  return bmove(ctx, argv, from, to, timeoutMs);
}

function brpoplpush(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  const timeoutMs = parseBlockTimeout(argv[3]);
  if (timeoutMs instanceof ErrorReply) return timeoutMs;
  return bmove(ctx, argv, false, true, timeoutMs);
}

/** BLMPOP timeout numkeys key [key ...] <LEFT | RIGHT> [COUNT count] */
function blmpop(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  const a = parseMpopArgs(argv, 2, parseListEnd);
  if (a instanceof ErrorReply) return a;
  const timeoutMs = parseBlockTimeout(argv[1]);
  if (timeoutMs instanceof ErrorReply) return timeoutMs;
  const found = firstList(ctx, a.keys);
  if (found instanceof ErrorReply) return found;
  if (found !== null) return mpopWithKey(ctx, found[0], found[1], a.first, a.count, false);
  if (blockingDenied()) return NULL_ARRAY;
  return ctx.server.blockedKeys.block(ctx, {
    keys: a.keys,
    type: ListValue,
    timeoutMs,
    timeoutReply: NULL_ARRAY,
    serve: (key) => mpopWithKey(ctx, key, servedList(ctx, key), a.first, a.count, true),
  });
}

const BLOCKING = { group: 'list', flags: ['write', 'no-script', 'blocking'] } as const;

export const listBlockingCommands: readonly CommandSpec[] = [
  command({
    ...BLOCKING,
    name: 'blpop',
    arity: -3,
    firstKey: 1,
    lastKey: -2,
    step: 1,
    summary: 'Remove and get the first element in a list, or block until one is available',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of provided keys.',
    syntax: 'key [key ...] timeout',
    handler: (ctx, argv) => bpop(ctx, argv, true),
  }),
  command({
    ...BLOCKING,
    name: 'brpop',
    arity: -3,
    firstKey: 1,
    lastKey: -2,
    step: 1,
    summary: 'Remove and get the last element in a list, or block until one is available',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of provided keys.',
    syntax: 'key [key ...] timeout',
    handler: (ctx, argv) => bpop(ctx, argv, false),
  }),
  command({
    ...BLOCKING,
    name: 'blmove',
    arity: 6,
    flags: ['write', 'denyoom', 'no-script', 'blocking'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    keySpecs: MOVE_KEY_SPECS,
    summary:
      'Pop an element from a list, push it to another list and return it; or block until one is available',
    since: '6.2.0',
    complexity: 'O(1)',
    syntax: 'source destination <LEFT | RIGHT> <LEFT | RIGHT> timeout',
    handler: blmove,
  }),
  command({
    ...BLOCKING,
    name: 'brpoplpush',
    arity: 4,
    flags: ['write', 'denyoom', 'no-script', 'blocking'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    keySpecs: MOVE_KEY_SPECS,
    summary:
      'Pop an element from a list, push it to another list and return it; or block until one is available',
    since: '2.2.0',
    complexity: 'O(1)',
    syntax: 'source destination timeout',
    handler: brpoplpush,
  }),
  command({
    ...BLOCKING,
    name: 'blmpop',
    arity: -5,
    flags: ['write', 'blocking'],
    keySpecs: [
      {
        begin: { index: 2 },
        find: { keynum: { keynumIdx: 0, firstKey: 1, step: 1 } },
        flags: ['RW', 'access', 'delete'],
      },
    ],
    summary: 'Pop elements from a list, or block until one is available',
    since: '7.0.0',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
    syntax: 'timeout numkeys key [key ...] <LEFT | RIGHT> [COUNT count]',
    handler: blmpop,
  }),
];
