/**
 * SRANDMEMBER and SPOP: Redis's count cases. SRANDMEMBER with a count replies an array (a
 * negative count allows repeats; a count at least the size returns the whole set in its
 * order); SPOP with a count replies a set (RESP3 `~`), and popping at least the whole set
 * returns every member (as SUNION would list them) and deletes the key.
 */
import { bytes } from '../../engine/values/collection.js';
import { SetValue } from '../../engine/values/set.js';
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { alsoPropagate, preventPropagation, propagateAs, propagating } from '../replication/rewrites.js';
import { type Reply, SetReply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import {
  countOutOfRange,
  distinctPicks,
  parseRandomCount,
  picksWithRepeats,
  RANDOM_REPEATS_MAX,
  toBuffers,
} from './collection-random.js';
import { notify, notifyChanged, notifyGeneric } from './keyspace-events.js';
import { beginChange, endChange, lookupReadTyped, lookupWriteTyped } from './typed.js';

/** Redis's SPOP_MOVE_STRATEGY_MUL: when count is this many times what remains, rebuild the rest. */
const SPOP_MOVE_STRATEGY_MUL = 5;

const notPositive = new ErrorReply('ERR', 'ERR value is out of range, must be positive');

function srandmemberWithCount(ctx: CommandContext, argv: Buffer[]): Reply {
  const l = parseRandomCount(argv[2]);
  if (l instanceof ErrorReply) return l;
  const s = lookupReadTyped(ctx, argv[1], SetValue);
  if (s === null) return [];
  if (s instanceof ErrorReply) return s;
  if (l === 0n) return [];
  const size = s.size();
  const pick = () => s.randomMember();
  if (l < 0n) {
    if (-l > BigInt(RANDOM_REPEATS_MAX)) return countOutOfRange;
    const picks = picksWithRepeats(ctx, Number(-l), pick);
    return picks instanceof ErrorReply ? picks : toBuffers(picks, bytes);
  }
  if (l >= BigInt(size)) return s.members().map(bytes);
  return distinctPicks(size, Number(l), () => s.values(), pick).map(bytes);
}

function srandmember(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length === 3) return srandmemberWithCount(ctx, argv);
  if (argv.length > 3) return Errors.syntax;
  const s = lookupReadTyped(ctx, argv[1], SetValue);
  if (s === null || s instanceof ErrorReply) return s;
  return bytes(s.randomMember());
}

function spopWithCount(ctx: CommandContext, argv: Buffer[]): Reply {
  // getPositiveLongFromObjectOrReply: one message for "not a number" and "negative".
  const l = parseInt64(argv[2]);
  if (l === null || l < 0n) return notPositive;
  const key = argv[1];
  const s = lookupWriteTyped(ctx, key, SetValue);
  if (s === null) return new SetReply([]);
  if (s instanceof ErrorReply) return s;
  if (l === 0n) return new SetReply([]);
  const size = s.size();
  // Redis notifies `spop` before taking anything, then `del` when the whole set goes.
  notify(ctx, 's', 'spop', key);
  if (l >= BigInt(size)) {
    // Redis answers with SUNION of the one key: a new set, so an all-integer hashtable set
    // small enough to be an intset comes out in numeric order.
    const all = new SetValue();
    for (const m of s.values()) all.add(m);
    all.fitEncoding(ctx.server.keyspace.limits);
    ctx.server.keyspace.delete(ctx.client.db, key);
    notifyGeneric(ctx, 'del', key);
    if (propagating(ctx)) propagateAs(ctx, ['DEL', key]);
    return new SetReply(all.members().map(bytes));
  }
  const count = Number(l);
  const remaining = size - count;
  const pick = () => s.randomMember();
  if (remaining * SPOP_MOVE_STRATEGY_MUL <= count) {
    // Redis's "few remain" case: the members that stay move to a new set, whose encoding
    // starts over from them (an all-integer rest becomes an intset again); the key keeps its TTL.
    const kept = new SetValue();
    for (const m of distinctPicks(size, remaining, () => s.values(), pick)) kept.add(m);
    const popped: Buffer[] = [];
    for (const m of s.values()) if (!kept.has(m)) popped.push(bytes(m));
    ctx.server.keyspace.set(ctx.client.db, key, kept, 0, true);
    replicateSrems(ctx, key, popped);
    return new SetReply(popped);
  }
  const picks = distinctPicks(size, count, () => s.values(), pick);
  beginChange(ctx, key);
  for (const m of picks) s.delete(m);
  endChange(ctx, key);
  const out = picks.map(bytes);
  replicateSrems(ctx, key, out);
  return new SetReply(out);
}

function spop(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length === 3) return spopWithCount(ctx, argv);
  if (argv.length > 3) return Errors.syntax;
  const key = argv[1];
  const s = lookupWriteTyped(ctx, key, SetValue);
  if (s === null || s instanceof ErrorReply) return s;
  const m = s.randomMember();
  beginChange(ctx, key);
  s.delete(m);
  notifyChanged(ctx, 's', 'spop', key, endChange(ctx, key));
  const out = bytes(m);
  // Replicated as SREM key member.
  if (propagating(ctx)) propagateAs(ctx, ['SREM', key, out]);
  return out;
}

/** SPOP key count that leaves members: replicated as one SREM per popped member, not itself. */
function replicateSrems(ctx: CommandContext, key: Buffer, popped: readonly Buffer[]): void {
  if (!propagating(ctx)) return;
  for (const m of popped) alsoPropagate(ctx, ['SREM', key, m]);
  preventPropagation(ctx);
}

const SET = { group: 'set', firstKey: 1, lastKey: 1, step: 1 } as const;

export const setRandCommands: readonly CommandSpec[] = [
  command({
    ...SET,
    name: 'srandmember',
    arity: -2,
    flags: ['readonly'],
    summary: 'Get one or multiple random members from a set',
    since: '1.0.0',
    complexity:
      'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.',
    syntax: 'key [count]',
    handler: srandmember,
  }),
  command({
    ...SET,
    name: 'spop',
    arity: -2,
    flags: ['write', 'fast'],
    summary: 'Remove and return one or multiple random members from a set',
    since: '1.0.0',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.',
    syntax: 'key [count]',
    handler: spop,
  }),
];
