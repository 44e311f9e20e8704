/**
 * The set family: SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS SMOVE here; the algebra
 * (set-algebra.ts), SRANDMEMBER/SPOP (set-rand.ts) and SSCAN (set-scan.ts) join the exported
 * table at the bottom. A SetValue stays an intset while every member is a canonical int64 and
 * the set is small, and then lists its members in numeric order, as Redis does.
 */
import { bytes, str } from '../../engine/values/collection.js';
import { SetValue } from '../../engine/values/set.js';
import { ErrorReply } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { type Reply, SetReply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { notify, notifyChanged } from './keyspace-events.js';
import { setAlgebraCommands } from './set-algebra.js';
import { setRandCommands } from './set-rand.js';
import { setScanCommands } from './set-scan.js';
import { beginChange, endChange, lookupReadTyped, lookupWriteTyped, storeCreated } from './typed.js';

/** SADD signals a change only when a member was really added, as Redis. */
function sadd(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[1];
  const s = lookupWriteTyped(ctx, key, SetValue);
  if (s instanceof ErrorReply) return s;
  if (s === null) {
    const n = new SetValue();
    for (let i = 2; i < argv.length; i++) n.add(str(argv[i]));
    storeCreated(ctx, key, n);
    notify(ctx, 's', 'sadd', key);
    return n.size();
  }
  let added = 0;
  for (let i = 2; i < argv.length; i++) {
    const m = str(argv[i]);
    if (s.has(m)) continue;
    if (added === 0) beginChange(ctx, key);
    s.add(m);
    added++;
  }
  if (added > 0) {
    endChange(ctx, key);
    notify(ctx, 's', 'sadd', key);
  }
  return added;
}

function srem(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[1];
  const s = lookupWriteTyped(ctx, key, SetValue);
  if (s === null || s instanceof ErrorReply) return s === null ? 0 : s;
  let deleted = 0;
  for (let i = 2; i < argv.length && s.size() > 0; i++) {
    const m = str(argv[i]);
    if (!s.has(m)) continue;
    if (deleted === 0) beginChange(ctx, key);
    s.delete(m);
    deleted++;
  }
  if (deleted > 0) notifyChanged(ctx, 's', 'srem', key, endChange(ctx, key));
  return deleted;
}

function scard(ctx: CommandContext, argv: Buffer[]): Reply {
  const s = lookupReadTyped(ctx, argv[1], SetValue);
  if (s === null || s instanceof ErrorReply) return s === null ? 0 : s;
  return s.size();
}

function sismember(ctx: CommandContext, argv: Buffer[]): Reply {
  const s = lookupReadTyped(ctx, argv[1], SetValue);
  if (s === null || s instanceof ErrorReply) return s === null ? 0 : s;
  return s.has(str(argv[2])) ? 1 : 0;
}

/** A missing key is an empty set: zeros, not an empty reply. */
function smismember(ctx: CommandContext, argv: Buffer[]): Reply {
  const s = lookupReadTyped(ctx, argv[1], SetValue);
  if (s instanceof ErrorReply) return s;
  const out: Reply[] = new Array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) out[i - 2] = s?.has(str(argv[i])) ? 1 : 0;
  return out;
}

function smembers(ctx: CommandContext, argv: Buffer[]): Reply {
  const s = lookupReadTyped(ctx, argv[1], SetValue);
  if (s instanceof ErrorReply) return s;
  return new SetReply(s === null ? [] : s.members().map(bytes));
}

/**
 * Redis's smoveCommand, check for check: a missing source answers 0 before any type check;
 * moving within one set only reports membership; the source is deleted when emptied and the
 * destination created (intset or not by the member) when missing.
 */
function smove(ctx: CommandContext, argv: Buffer[]): Reply {
  const [, srcKey, dstKey] = argv;
  const src = lookupWriteTyped(ctx, srcKey, SetValue);
  const dst = lookupWriteTyped(ctx, dstKey, SetValue);
  if (src === null) return 0;
  if (src instanceof ErrorReply) return src;
  if (dst instanceof ErrorReply) return dst;
  const m = str(argv[3]);
  if (src === dst) return src.has(m) ? 1 : 0;
  if (!src.has(m)) return 0;
  beginChange(ctx, srcKey);
  src.delete(m);
  notifyChanged(ctx, 's', 'srem', srcKey, endChange(ctx, srcKey));
  if (dst === null) {
    const n = new SetValue();
    n.add(m);
    storeCreated(ctx, dstKey, n);
    notify(ctx, 's', 'sadd', dstKey);
  } else if (!dst.has(m)) {
    beginChange(ctx, dstKey);
    dst.add(m);
    endChange(ctx, dstKey);
    notify(ctx, 's', 'sadd', dstKey);
  }
  return 1;
}

const SET = { group: 'set', firstKey: 1, lastKey: 1, step: 1 } as const;

const setBasicCommands: readonly CommandSpec[] = [
  command({
    ...SET,
    name: 'sadd',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    summary: 'Add one or more members to a set',
    since: '1.0.0',
    complexity:
      'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    syntax: 'key member [member ...]',
    handler: sadd,
  }),
  command({
    ...SET,
    name: 'srem',
    arity: -3,
    flags: ['write', 'fast'],
    summary: 'Remove one or more members from a set',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of members to be removed.',
    syntax: 'key member [member ...]',
    handler: srem,
  }),
  command({
    ...SET,
    name: 'scard',
    arity: 2,
    flags: ['readonly', 'fast'],
    summary: 'Get the number of members in a set',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key',
    handler: scard,
  }),
  command({
    ...SET,
    name: 'sismember',
    arity: 3,
    flags: ['readonly', 'fast'],
    summary: 'Determine if a given value is a member of a set',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key member',
    handler: sismember,
  }),
  command({
    ...SET,
    name: 'smismember',
    arity: -3,
    flags: ['readonly', 'fast'],
    summary: 'Returns the membership associated with the given elements for a set',
    since: '6.2.0',
    complexity: 'O(N) where N is the number of elements being checked for membership',
    syntax: 'key member [member ...]',
    handler: smismember,
  }),
  command({
    ...SET,
    name: 'smembers',
    arity: 2,
    flags: ['readonly'],
    summary: 'Get all the members in a set',
    since: '1.0.0',
    complexity: 'O(N) where N is the set cardinality.',
    syntax: 'key',
    handler: smembers,
  }),
  command({
    ...SET,
    name: 'smove',
    arity: 4,
    flags: ['write', 'fast'],
    lastKey: 2,
    keySpecs: [
      {
        begin: { index: 1 },
        find: { range: { lastKey: 0, step: 1, limit: 0 } },
        flags: ['RW', 'access', 'delete'],
      },
      { begin: { index: 2 }, find: { range: { lastKey: 0, step: 1, limit: 0 } }, flags: ['RW', 'insert'] },
    ],
    summary: 'Move a member from one set to another',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'source destination member',
    handler: smove,
  }),
];

export const setCommands: readonly CommandSpec[] = [
  ...setBasicCommands,
  ...setAlgebraCommands,
  ...setRandCommands,
  ...setScanCommands,
];
