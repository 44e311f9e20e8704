/**
 * Counters on string values: INCR DECR INCRBY DECRBY (int64, refusing to overflow) and
 * INCRBYFLOAT (80-bit long double, see long-double.ts). A counter keeps its key's expiry, as
 * Redis overwrites the value in place.
 */
import { ErrorReply, Errors } from '../../errors.js';
import { intReply, parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { propagateAs, propagating } from '../replication/rewrites.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { INT64_MAX, INT64_MIN } from './expire-time.js';
import { notify, notifyNew } from './keyspace-events.js';
import { addLongDouble, formatLongDouble, parseLongDouble } from './long-double.js';
import { lookupWriteString } from './lookup.js';

const decrementOverflow = new ErrorReply('ERR', 'ERR decrement would overflow');
const ZERO = parseLongDouble(Buffer.from('0'))!;

/** Redis's incrDecrCommand: a missing key counts from 0; the value must be a strict int64. */
function incrDecr(ctx: CommandContext, key: Buffer, incr: bigint): Reply {
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const old = lookupWriteString(ctx, key);
  if (old instanceof ErrorReply) return old;
  const value = old === null ? 0n : parseInt64(old);
  if (value === null) return Errors.notInteger;
  const sum = value + incr;
  if (sum > INT64_MAX || sum < INT64_MIN) return Errors.overflow;
  ks.set(db, key, Buffer.from(sum.toString(), 'latin1'), 0, true);
  if (old === null) notifyNew(ctx, key);
  notify(ctx, '$', 'incrby', key);
  return intReply(sum);
}

function incrby(ctx: CommandContext, argv: Buffer[]): Reply {
  const incr = parseInt64(argv[2]);
  if (incr === null) return Errors.notInteger;
  return incrDecr(ctx, argv[1], incr);
}

function decrby(ctx: CommandContext, argv: Buffer[]): Reply {
  const decr = parseInt64(argv[2]);
  if (decr === null) return Errors.notInteger;
  // -INT64_MIN does not fit an int64: Redis refuses it before trying.
  if (decr === INT64_MIN) return decrementOverflow;
  return incrDecr(ctx, argv[1], -decr);
}

/**
 * Redis's incrbyfloatCommand: the stored value is parsed before the increment (so a bad value
 * is reported first), and a sum that is not finite is refused without writing.
 */
function incrbyfloat(ctx: CommandContext, argv: Buffer[]): Reply {
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const old = lookupWriteString(ctx, argv[1]);
  if (old instanceof ErrorReply) return old;
  const value = old === null ? ZERO : parseLongDouble(old);
  if (value === null) return Errors.notFloat;
  const incr = parseLongDouble(argv[2]);
  if (incr === null) return Errors.notFloat;
  const sum = addLongDouble(value, incr);
  if (sum.kind !== 'finite') return Errors.incrFloatNaN;
  const out = Buffer.from(formatLongDouble(sum), 'latin1');
  ks.set(db, argv[1], out, 0, true);
  if (old === null) notifyNew(ctx, argv[1]);
  notify(ctx, '$', 'incrbyfloat', argv[1]);
  // Replicated as the value it produced, so float formatting cannot differ on a replica.
  if (propagating(ctx)) propagateAs(ctx, ['SET', argv[1], out, 'KEEPTTL']);
  return out;
}

const NUMERIC = { group: 'string', firstKey: 1, lastKey: 1, step: 1 } as const;
const FLAGS = ['write', 'denyoom', 'fast'] as const;

export const stringNumericCommands: readonly CommandSpec[] = [
  command({
    ...NUMERIC,
    name: 'incr',
    arity: 2,
    flags: FLAGS,
    summary: 'Increment the integer value of a key by one',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key',
    handler: (ctx, argv) => incrDecr(ctx, argv[1], 1n),
  }),
  command({
    ...NUMERIC,
    name: 'decr',
    arity: 2,
    flags: FLAGS,
    summary: 'Decrement the integer value of a key by one',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key',
    handler: (ctx, argv) => incrDecr(ctx, argv[1], -1n),
  }),
  command({
    ...NUMERIC,
    name: 'incrby',
    arity: 3,
    flags: FLAGS,
    summary: 'Increment the integer value of a key by the given amount',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key increment',
    handler: incrby,
  }),
  command({
    ...NUMERIC,
    name: 'decrby',
    arity: 3,
    flags: FLAGS,
    summary: 'Decrement the integer value of a key by the given number',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key decrement',
    handler: decrby,
  }),
  command({
    ...NUMERIC,
    name: 'incrbyfloat',
    arity: 3,
    flags: FLAGS,
    summary: 'Increment the float value of a key by the given amount',
    since: '2.6.0',
    complexity: 'O(1)',
    syntax: 'key increment',
    handler: incrbyfloat,
  }),
];
