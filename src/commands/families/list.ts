/**
 * The list family: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM
 * LTRIM here; LPOS, LMOVE / RPOPLPUSH / LMPOP and the blocking pops in their own files, joined
 * into the exported table at the bottom. Each handler checks its arguments and the key in the
 * order Redis 7.0's t_list.c does, since that order decides which error a bad call gets.
 */
import { bytes, str } from '../../engine/values/collection.js';
import { ListValue } from '../../engine/values/list.js';
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { bulkStringsFor, NULL_ARRAY, OK, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { notify, notifyChanged } from './keyspace-events.js';
import { listBlockingCommands } from './list-blocking.js';
import { listMoveCommands } from './list-move.js';
import { countLikeRedis, popMany, popOne, pushItems } from './list-ops.js';
import { listPosCommand } from './list-pos.js';
import { interrupted, optIs } from './lookup.js';
import { beginChange, endChange, lookupReadTyped, lookupWriteTyped } from './typed.js';

const indexOutOfRange = new ErrorReply('ERR', 'ERR index out of range');
const notPositive = new ErrorReply('ERR', 'ERR value is out of range, must be positive');
/** LRANGE checks for a cancelled client every this many items. */
const RANGE_CHECK_EVERY = 4096;

/** Redis's getLongFromObjectOrReply for an index: a JS number (list lengths are far below 2^53). */
function parseIndex(arg: Buffer): number | ErrorReply {
  const v = parseInt64(arg);
  return v === null ? Errors.notInteger : Number(v);
}

function push(ctx: CommandContext, argv: Buffer[], head: boolean, onlyIfExists: boolean): Reply {
  const key = argv[1];
  const l = lookupWriteTyped(ctx, key, ListValue);
  if (l instanceof ErrorReply) return l;
  if (l === null && onlyIfExists) return 0;
  return pushItems(ctx, key, l, argv.slice(2), head);
}

/** LPOP / RPOP key [count]: a bulk without count, an array with one (null array when missing). */
function pop(ctx: CommandContext, argv: Buffer[], head: boolean): Reply {
  if (argv.length > 3) return Errors.wrongArity(head ? 'lpop' : 'rpop');
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const c = parseInt64(argv[2]);
    if (c === null || c < 0n) return notPositive;
    count = Number(c);
  }
  const key = argv[1];
  const l = lookupWriteTyped(ctx, key, ListValue);
  if (l === null) return hasCount ? NULL_ARRAY : null;
  if (l instanceof ErrorReply) return l;
  if (!hasCount) return popOne(ctx, key, l, head);
  if (count === 0) return [];
  return popMany(ctx, key, l, head, count);
}

function llen(ctx: CommandContext, argv: Buffer[]): Reply {
  const l = lookupReadTyped(ctx, argv[1], ListValue);
  if (l === null) return 0;
  if (l instanceof ErrorReply) return l;
  return l.size();
}

/** Redis's addListRangeReply bounds: [start, end] clamped, or null when the range is empty. */
function clampRange(start: number, end: number, len: number): [number, number] | null {
  let s = start < 0 ? len + start : start;
  let e = end < 0 ? len + end : end;
  if (s < 0) s = 0;
  if (s > e || s >= len) return null;
  if (e >= len) e = len - 1;
  return [s, e];
}

function lrange(ctx: CommandContext, argv: Buffer[]): Reply {
  const start = parseIndex(argv[2]);
  if (start instanceof ErrorReply) return start;
  const end = parseIndex(argv[3]);
  if (end instanceof ErrorReply) return end;
  const l = lookupReadTyped(ctx, argv[1], ListValue);
  if (l === null) return [];
  if (l instanceof ErrorReply) return l;
  const r = clampRange(start, end, l.size());
  if (r === null) return [];
  const items: string[] = new Array(r[1] - r[0] + 1);
  for (let i = r[0], k = 0; i <= r[1]; i++, k++) {
    if (k % RANGE_CHECK_EVERY === RANGE_CHECK_EVERY - 1) {
      const stop = interrupted(ctx);
      if (stop !== null) return stop;
    }
    items[k] = l.at(i);
  }
  return bulkStringsFor(ctx.client, items);
}

function lindex(ctx: CommandContext, argv: Buffer[]): Reply {
  const l = lookupReadTyped(ctx, argv[1], ListValue);
  if (l === null) return null;
  if (l instanceof ErrorReply) return l;
  const index = parseIndex(argv[2]);
  if (index instanceof ErrorReply) return index;
  const i = index < 0 ? l.size() + index : index;
  return i >= 0 && i < l.size() ? bytes(l.at(i)) : null;
}

function lset(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[1];
  const l = lookupWriteTyped(ctx, key, ListValue);
  if (l === null) return Errors.noSuchKey;
  if (l instanceof ErrorReply) return l;
  const index = parseIndex(argv[2]);
  if (index instanceof ErrorReply) return index;
  const i = index < 0 ? l.size() + index : index;
  if (i < 0 || i >= l.size()) return indexOutOfRange;
  beginChange(ctx, key);
  l.setAt(i, str(argv[3]));
  endChange(ctx, key);
  notify(ctx, 'l', 'lset', key);
  return OK;
}

function linsert(ctx: CommandContext, argv: Buffer[]): Reply {
  let after: boolean;
  if (optIs(argv[2], 'after')) after = true;
  else if (optIs(argv[2], 'before')) after = false;
  else return Errors.syntax;
  const key = argv[1];
  const l = lookupWriteTyped(ctx, key, ListValue);
  if (l === null) return 0;
  if (l instanceof ErrorReply) return l;
  const pivot = str(argv[3]);
  const n = l.size();
  for (let i = 0; i < n; i++) {
    if (l.at(i) !== pivot) continue;
    beginChange(ctx, key);
    l.insertAt(after ? i + 1 : i, str(argv[4]));
    endChange(ctx, key);
    notify(ctx, 'l', 'linsert', key);
    return l.size();
  }
  return -1;
}

function lrem(ctx: CommandContext, argv: Buffer[]): Reply {
  const count = parseInt64(argv[2]);
  if (count === null) return Errors.notInteger;
  const key = argv[1];
  const l = lookupWriteTyped(ctx, key, ListValue);
  if (l === null) return 0;
  if (l instanceof ErrorReply) return l;
  const v = str(argv[3]);
  let any = false;
  for (let i = 0; i < l.size() && !any; i++) any = l.at(i) === v;
  if (!any) return 0;
  beginChange(ctx, key);
  const removed = l.removeMatching(v, Number(count < 0n ? -count : count), count < 0n);
  notifyChanged(ctx, 'l', 'lrem', key, endChange(ctx, key));
  countLikeRedis(ctx, removed, 1);
  return removed;
}

/** LTRIM always signals the key, even when nothing goes (Redis's signalModifiedKey). */
function ltrim(ctx: CommandContext, argv: Buffer[]): Reply {
  const start = parseIndex(argv[2]);
  if (start instanceof ErrorReply) return start;
  const end = parseIndex(argv[3]);
  if (end instanceof ErrorReply) return end;
  const key = argv[1];
  const l = lookupWriteTyped(ctx, key, ListValue);
  if (l === null) return OK;
  if (l instanceof ErrorReply) return l;
  const before = l.size();
  const r = clampRange(start, end, before);
  beginChange(ctx, key);
  if (r === null) l.clear();
  else if (r[0] > 0 || r[1] < before - 1) l.trim(r[0], r[1]);
  notifyChanged(ctx, 'l', 'ltrim', key, endChange(ctx, key));
  countLikeRedis(ctx, before - l.size(), 1);
  return OK;
}

const LIST = { group: 'list' } as const;
const PUSH_COMPLEXITY =
  'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.';

const basicCommands: readonly CommandSpec[] = [
  command({
    ...LIST,
    name: 'lpush',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Prepend one or multiple elements to a list',
    since: '1.0.0',
    complexity: PUSH_COMPLEXITY,
    syntax: 'key element [element ...]',
    handler: (ctx, argv) => push(ctx, argv, true, false),
  }),
  command({
    ...LIST,
    name: 'rpush',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Append one or multiple elements to a list',
    since: '1.0.0',
    complexity: PUSH_COMPLEXITY,
    syntax: 'key element [element ...]',
    handler: (ctx, argv) => push(ctx, argv, false, false),
  }),
  command({
    ...LIST,
    name: 'lpushx',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Prepend an element to a list, only if the list exists',
    since: '2.2.0',
    complexity: PUSH_COMPLEXITY,
    syntax: 'key element [element ...]',
    handler: (ctx, argv) => push(ctx, argv, true, true),
  }),
  command({
    ...LIST,
    name: 'rpushx',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Append an element to a list, only if the list exists',
    since: '2.2.0',
    complexity: PUSH_COMPLEXITY,
    syntax: 'key element [element ...]',
    handler: (ctx, argv) => push(ctx, argv, false, true),
  }),
  command({
    ...LIST,
    name: 'lpop',
    arity: -2,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Remove and get the first elements in a list',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of elements returned',
    syntax: 'key [count]',
    handler: (ctx, argv) => pop(ctx, argv, true),
  }),
  command({
    ...LIST,
    name: 'rpop',
    arity: -2,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Remove and get the last elements in a list',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of elements returned',
    syntax: 'key [count]',
    handler: (ctx, argv) => pop(ctx, argv, false),
  }),
  command({
    ...LIST,
    name: 'llen',
    arity: 2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Get the length of a list',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key',
    handler: llen,
  }),
  command({
    ...LIST,
    name: 'lrange',
    arity: 4,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Get a range of elements from a list',
    since: '1.0.0',
    complexity:
      'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
    syntax: 'key start stop',
    handler: lrange,
  }),
  command({
    ...LIST,
    name: 'lindex',
    arity: 3,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Get an element from a list by its index',
    since: '1.0.0',
    complexity:
      'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).',
    syntax: 'key index',
    handler: lindex,
  }),
  command({
    ...LIST,
    name: 'lset',
    arity: 4,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Set the value of an element in a list by its index',
    since: '1.0.0',
    complexity:
      'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).',
    syntax: 'key index element',
    handler: lset,
  }),
  command({
    ...LIST,
    name: 'linsert',
    arity: 5,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Insert an element before or after another element in a list',
    since: '2.2.0',
    complexity:
      'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).',
    syntax: 'key <BEFORE | AFTER> pivot element',
    handler: linsert,
  }),
  command({
    ...LIST,
    name: 'lrem',
    arity: 4,
    flags: ['write'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Remove elements from a list',
    since: '1.0.0',
    complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.',
    syntax: 'key count element',
    handler: lrem,
  }),
  command({
    ...LIST,
    name: 'ltrim',
    arity: 4,
    flags: ['write'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Trim a list to the specified range',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of elements to be removed by the operation.',
    syntax: 'key start stop',
    handler: ltrim,
  }),
];

export const listCommands: readonly CommandSpec[] = [
  ...basicCommands,
  listPosCommand,
  ...listMoveCommands,
  ...listBlockingCommands,
];
