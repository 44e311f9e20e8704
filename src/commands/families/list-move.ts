/**
 * LMOVE, RPOPLPUSH and LMPOP (the non-blocking forms; list-blocking.ts builds on the same
 * functions). Redis checks the source, then the destination's type, before popping anything.
 */
import { ListValue } from '../../engine/values/list.js';
import { ErrorReply } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { propagateAs, propagating } from '../replication/rewrites.js';
import { NULL_ARRAY, type Reply } from '../reply.js';
import { type CommandSpec, command, type KeySpec } from '../spec.js';
import { moveOne, parseListEnd, parseMpopArgs, popManyWithKey } from './list-ops.js';
import { lookupWriteTyped } from './typed.js';

/** Redis's lmoveGenericCommand: null when the source is missing. */
export function lmoveGeneric(
  ctx: CommandContext,
  src: Buffer,
  dst: Buffer,
  fromHead: boolean,
  toHead: boolean,
): Reply {
  const s = lookupWriteTyped(ctx, src, ListValue);
  if (s === null || s instanceof ErrorReply) return s;
  const d = lookupWriteTyped(ctx, dst, ListValue);
  if (d instanceof ErrorReply) return d;
  return moveOne(ctx, src, s, dst, d, fromHead, toHead);
}

function lmove(ctx: CommandContext, argv: Buffer[]): Reply {
  const from = parseListEnd(argv[3]);
  if (from instanceof ErrorReply) return from;
  const to = parseListEnd(argv[4]);
  if (to instanceof ErrorReply) return to;
  return lmoveGeneric(ctx, argv[1], argv[2], from, to);
}

/**
 * The first non-empty list among `keys` (WRONGTYPE stops the search at that key), or null
 * when every key is missing.
 */
export function firstList(
  ctx: CommandContext,
  keys: readonly Buffer[],
): [Buffer, ListValue] | ErrorReply | null {
  for (const key of keys) {
    const l = lookupWriteTyped(ctx, key, ListValue);
    if (l === null) continue;
    if (l instanceof ErrorReply) return l;
    return [key, l];
  }
  return null;
}

function lmpop(ctx: CommandContext, argv: Buffer[]): Reply {
  const a = parseMpopArgs(argv, 1, parseListEnd);
  if (a instanceof ErrorReply) return a;
  const found = firstList(ctx, a.keys);
  if (found === null) return NULL_ARRAY;
  if (found instanceof ErrorReply) return found;
  // Replicated as LPOP / RPOP key <number popped>.
  if (propagating(ctx))
    propagateAs(ctx, [a.first ? 'LPOP' : 'RPOP', found[0], String(Math.min(a.count, found[1].size()))]);
  return popManyWithKey(ctx, found[0], found[1], a.first, a.count);
}

/** Key specs of the two-key moves: the source is popped, the destination pushed. */
export const MOVE_KEY_SPECS: readonly KeySpec[] = [
  {
    begin: { index: 1 },
    find: { range: { lastKey: 0, step: 1, limit: 0 } },
    flags: ['RW', 'access', 'delete'],
  },
  { begin: { index: 2 }, find: { range: { lastKey: 0, step: 1, limit: 0 } }, flags: ['RW', 'insert'] },
];

export const listMoveCommands: readonly CommandSpec[] = [
  command({
    group: 'list',
    name: 'lmove',
    arity: 5,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    keySpecs: MOVE_KEY_SPECS,
    summary: 'Pop an element from a list, push it to another list and return it',
    since: '6.2.0',
    complexity: 'O(1)',
    syntax: 'source destination <LEFT | RIGHT> <LEFT | RIGHT>',
    handler: lmove,
  }),
  command({
    group: 'list',
    name: 'rpoplpush',
    arity: 3,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    keySpecs: MOVE_KEY_SPECS,
    summary: 'Remove the last element in a list, prepend it to another list and return it',
    since: '1.2.0',
    complexity: 'O(1)',
    syntax: 'source destination',
    handler: (ctx, argv) => lmoveGeneric(ctx, argv[1], argv[2], false, true),
  }),
  command({
    group: 'list',
    name: 'lmpop',
    arity: -4,
    flags: ['write'],
    keySpecs: [
      {
        begin: { index: 1 },
        find: { keynum: { keynumIdx: 0, firstKey: 1, step: 1 } },
        flags: ['RW', 'access', 'delete'],
      },
    ],
    summary: 'Pop elements from a list',
    since: '7.0.0',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
    syntax: 'numkeys key [key ...] <LEFT | RIGHT> [COUNT count]',
    handler: lmpop,
  }),
];
