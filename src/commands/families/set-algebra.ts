/**
 * SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE: Redis's
 * sinterGenericCommand and sunionDiffGenericCommand. Every key's type is checked before any
 * work (a missing key is an empty set). Results are built as Redis builds its destination set
 * (an intset until a member or the size says otherwise), which decides both the stored
 * encoding and the reply order: an intset result lists its members in numeric order.
 */
import { bytes } from '../../engine/values/collection.js';
import { SetValue } from '../../engine/values/set.js';
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { type Reply, SetReply } from '../reply.js';
import { type CommandSpec, command, type KeySpec } from '../spec.js';
import { interrupted, optIs } from './lookup.js';
import { lookupReadTyped, storeResult } from './typed.js';

/** Members visited between two cancellation/deadline checks. */
const STEPS_PER_CHECK = 4096;

const numkeysNotPositive = new ErrorReply('ERR', 'ERR numkeys should be greater than 0');
const tooManyKeys = new ErrorReply('ERR', "ERR Number of keys can't be greater than number of args");
const limitNegative = new ErrorReply('ERR', "ERR LIMIT can't be negative");

/**
 * The sets at `keys` (null for a missing key), or WRONGTYPE. *STORE commands read their
 * sources as the others do: Redis 7.0.15 counts them as hits or misses and notifies `keymiss`.
 */
function lookupSets(ctx: CommandContext, keys: Buffer[]): Array<SetValue | null> | ErrorReply {
  const out: Array<SetValue | null> = [];
  for (const k of keys) {
    const s = lookupReadTyped(ctx, k, SetValue);
    if (s instanceof ErrorReply) return s;
    out.push(s);
  }
  return out;
}

/** Members of the smallest set found in every other one; stops after `limit` (0 = none). */
function intersect(ctx: CommandContext, sets: SetValue[], limit: number): string[] | ErrorReply {
  const bySize = [...sets].sort((a, b) => a.size() - b.size());
  const [first, ...rest] = bySize;
  const out: string[] = [];
  let steps = 0;
  for (const m of first.members()) {
    if (rest.every((s) => s === first || s.has(m))) {
      out.push(m);
      if (limit > 0 && out.length >= limit) break;
    }
    if (++steps % STEPS_PER_CHECK === 0) {
      const stop = interrupted(ctx);
      if (stop !== null) return stop;
    }
  }
  return out;
}

/**
 * Redis's choice between its SDIFF algorithms: the first (test each member of the first set
 * against the others) unless half its work exceeds the second's (walk every set once).
 */
function firstDiffAlgorithm(first: SetValue, others: SetValue[]): boolean {
  let one = first.size();
  let two = first.size();
  for (const s of others) {
    one += first.size();
    two += s.size();
  }
  return Math.floor(one / 2) <= two;
}

function sinterGeneric(ctx: CommandContext, keys: Buffer[], dst: Buffer | null): Reply {
  const found = lookupSets(ctx, keys);
  if (found instanceof ErrorReply) return found;
  const sets = found.filter((s): s is SetValue => s !== null);
  const members = sets.length < found.length ? [] : intersect(ctx, sets, 0);
  if (members instanceof ErrorReply) return members;
  if (dst === null) return new SetReply(members.map(bytes));
  const result = new SetValue();
  for (const m of members) result.add(m);
  return storeResult(ctx, dst, result, 's', 'sinterstore');
}

function sunionDiffGeneric(ctx: CommandContext, keys: Buffer[], dst: Buffer | null, diff: boolean): Reply {
  const sets = lookupSets(ctx, keys);
  if (sets instanceof ErrorReply) return sets;
  const result = new SetValue();
  let steps = 0;
  const step = (): ErrorReply | null => (++steps % STEPS_PER_CHECK === 0 ? interrupted(ctx) : null);
  if (!diff) {
    for (const s of sets) {
      if (s === null) continue;
      for (const m of s.values()) {
        result.add(m);
        const stop = step();
        if (stop !== null) return stop;
      }
    }
  } else {
    const [first, ...rest] = sets;
    // The same set subtracted from itself leaves nothing (Redis's "sameset" shortcut).
    if (first !== null && !rest.includes(first)) {
      const others = rest.filter((s): s is SetValue => s !== null);
      if (firstDiffAlgorithm(first, others)) {
        for (const m of first.values()) {
          if (!others.some((s) => s.has(m))) result.add(m);
          const stop = step();
          if (stop !== null) return stop;
        }
      } else {
        // Redis's second algorithm copies the first set, then removes the others' members:
        // the copy's encoding (a hashtable if the first set is large or not all integers)
        // stays with the result.
        for (const m of first.values()) result.add(m);
        result.fitEncoding(ctx.server.keyspace.limits);
        for (const s of others) {
          for (const m of s.values()) {
            result.delete(m);
            const stop = step();
            if (stop !== null) return stop;
          }
          if (result.size() === 0) break;
        }
      }
    }
  }
  if (dst !== null) return storeResult(ctx, dst, result, 's', diff ? 'sdiffstore' : 'sunionstore');
  result.fitEncoding(ctx.server.keyspace.limits);
  return new SetReply(result.members().map(bytes));
}

function sinter(ctx: CommandContext, argv: Buffer[]): Reply {
  return sinterGeneric(ctx, argv.slice(1), null);
}

function sinterstore(ctx: CommandContext, argv: Buffer[]): Reply {
  return sinterGeneric(ctx, argv.slice(2), argv[1]);
}

function sunion(ctx: CommandContext, argv: Buffer[]): Reply {
  return sunionDiffGeneric(ctx, argv.slice(1), null, false);
}

function sunionstore(ctx: CommandContext, argv: Buffer[]): Reply {
  return sunionDiffGeneric(ctx, argv.slice(2), argv[1], false);
}

function sdiff(ctx: CommandContext, argv: Buffer[]): Reply {
  return sunionDiffGeneric(ctx, argv.slice(1), null, true);
}

function sdiffstore(ctx: CommandContext, argv: Buffer[]): Reply {
  return sunionDiffGeneric(ctx, argv.slice(2), argv[1], true);
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit], with Redis's argument errors. */
function sintercard(ctx: CommandContext, argv: Buffer[]): Reply {
  const numkeys = parseInt64(argv[1]);
  if (numkeys === null || numkeys < 1n) return numkeysNotPositive;
  if (numkeys > BigInt(argv.length - 2)) return tooManyKeys;
  const n = Number(numkeys);
  let limit = 0;
  for (let j = 2 + n; j < argv.length; j++) {
    if (optIs(argv[j], 'limit') && j + 1 < argv.length) {
      const l = parseInt64(argv[++j]);
      if (l === null || l < 0n) return limitNegative;
      limit = l > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(l);
    } else return Errors.syntax;
  }
  const found = lookupSets(ctx, argv.slice(2, 2 + n));
  if (found instanceof ErrorReply) return found;
  const sets = found.filter((s): s is SetValue => s !== null);
  if (sets.length < found.length) return 0;
  const members = intersect(ctx, sets, limit);
  return members instanceof ErrorReply ? members : members.length;
}

const SET = { group: 'set' } as const;
const ALL_KEYS = { firstKey: 1, lastKey: -1, step: 1 } as const;
/** Destination then sources, as Redis 7's key specs for the *STORE commands. */
const storeKeys = (destFlags: string[]): { firstKey: 1; lastKey: -1; step: 1; keySpecs: KeySpec[] } => ({
  ...ALL_KEYS,
  keySpecs: [
    { begin: { index: 1 }, find: { range: { lastKey: 0, step: 1, limit: 0 } }, flags: destFlags },
    { begin: { index: 2 }, find: { range: { lastKey: -1, step: 1, limit: 0 } }, flags: ['RO', 'access'] },
  ],
});
const INTER_COMPLEXITY =
  'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.';
const UNION_COMPLEXITY = 'O(N) where N is the total number of elements in all given sets.';

export const setAlgebraCommands: readonly CommandSpec[] = [
  command({
    ...SET,
    ...ALL_KEYS,
    name: 'sinter',
    arity: -2,
    flags: ['readonly'],
    summary: 'Intersect multiple sets',
    since: '1.0.0',
    complexity: INTER_COMPLEXITY,
    syntax: 'key [key ...]',
    handler: sinter,
  }),
  command({
    ...SET,
    name: 'sintercard',
    arity: -3,
    flags: ['readonly'],
    keySpecs: [
      {
        begin: { index: 1 },
        find: { keynum: { keynumIdx: 0, firstKey: 1, step: 1 } },
        flags: ['RO', 'access'],
      },
    ],
    summary: 'Intersect multiple sets and return the cardinality of the result',
    since: '7.0.0',
    complexity: INTER_COMPLEXITY,
    syntax: 'numkeys key [key ...] [LIMIT limit]',
    handler: sintercard,
  }),
  command({
    ...SET,
    ...storeKeys(['RW', 'update']),
    name: 'sinterstore',
    arity: -3,
    flags: ['write', 'denyoom'],
    summary: 'Intersect multiple sets and store the resulting set in a key',
    since: '1.0.0',
    complexity: INTER_COMPLEXITY,
    syntax: 'destination key [key ...]',
    handler: sinterstore,
  }),
  command({
    ...SET,
    ...ALL_KEYS,
    name: 'sunion',
    arity: -2,
    flags: ['readonly'],
    summary: 'Add multiple sets',
    since: '1.0.0',
    complexity: UNION_COMPLEXITY,
    syntax: 'key [key ...]',
    handler: sunion,
  }),
  command({
    ...SET,
    ...storeKeys(['OW', 'update']),
    name: 'sunionstore',
    arity: -3,
    flags: ['write', 'denyoom'],
    summary: 'Add multiple sets and store the resulting set in a key',
    since: '1.0.0',
    complexity: UNION_COMPLEXITY,
    syntax: 'destination key [key ...]',
    handler: sunionstore,
  }),
  command({
    ...SET,
    ...ALL_KEYS,
    name: 'sdiff',
    arity: -2,
    flags: ['readonly'],
    summary: 'Subtract multiple sets',
    since: '1.0.0',
    complexity: UNION_COMPLEXITY,
    syntax: 'key [key ...]',
    handler: sdiff,
  }),
  command({
    ...SET,
    ...storeKeys(['OW', 'update']),
    name: 'sdiffstore',
    arity: -3,
    flags: ['write', 'denyoom'],
    summary: 'Subtract multiple sets and store the resulting set in a key',
    since: '1.0.0',
    complexity: UNION_COMPLEXITY,
    syntax: 'destination key [key ...]',
    handler: sdiffstore,
  }),
];
