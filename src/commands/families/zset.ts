/**
 * The sorted-set family's single-member side: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK
 * ZREVRANK ZCOUNT ZLEXCOUNT. Ranges, range removals, set operations, pops and ZSCAN live in
 * their own files and join the exported table at the bottom.
 */
import { str } from '../../engine/values/collection.js';
import { ZSetValue } from '../../engine/values/zset.js';
import { ErrorReply, Errors } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { notify, notifyChanged } from './keyspace-events.js';
import { optIs } from './lookup.js';
import { beginChange, endChange, lookupReadTyped, lookupWriteTyped, storeCreated } from './typed.js';
import {
  nanScore,
  notFloatRange,
  notLexRange,
  parseLexRange,
  parseScore,
  parseScoreRange,
  scoreReply,
} from './zset-args.js';
import { zsetPopCommands } from './zset-pop.js';
import { zsetRangeCommands } from './zset-range.js';
import { zsetRemoveRangeCommands } from './zset-remrange.js';
import { zsetScanCommands } from './zset-scan.js';
import { zsetSetOpCommands } from './zset-setops.js';

const xxAndNx = new ErrorReply('ERR', 'ERR XX and NX options at the same time are not compatible');
const gtLtNx = new ErrorReply('ERR', 'ERR GT, LT, and/or NX options at the same time are not compatible');
const incrPairs = new ErrorReply('ERR', 'ERR INCR option supports a single increment-element pair');

/**
 * Redis's zaddGenericCommand (ZADD, and ZINCRBY as ZADD INCR): options, then every score is
 * parsed before anything changes, then each pair goes through zsetAdd's rules. A new key is
 * created with the encoding its first member allows and converts as members are added.
 */
function zaddGeneric(ctx: CommandContext, argv: Buffer[], incrCommand: boolean): Reply {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = incrCommand;
  let at = 2;
  for (; at < argv.length; at++) {
    const o = argv[at];
    // Every option starts with a letter; a score usually does not.
    const c = o.length > 0 ? o[0] | 0x20 : 0;
    if (c < 0x61 || c > 0x7a) break;
    if (optIs(o, 'nx')) nx = true;
    else if (optIs(o, 'xx')) xx = true;
    else if (optIs(o, 'ch')) ch = true;
    else if (optIs(o, 'incr')) incr = true;
    else if (optIs(o, 'gt')) gt = true;
    else if (optIs(o, 'lt')) lt = true;
    else break;
  }
  const elements = argv.length - at;
  if (elements === 0 || elements % 2 !== 0) return Errors.syntax;
  if (nx && xx) return xxAndNx;
  if ((gt && nx) || (lt && nx) || (gt && lt)) return gtLtNx;
  if (incr && elements > 2) return incrPairs;
  const scores: number[] = [];
  for (let j = at; j < argv.length; j += 2) {
    const s = parseScore(argv[j]);
    if (s === null) return Errors.notFloat;
    scores.push(s);
  }

  const key = argv[1];
  const found = lookupWriteTyped(ctx, key, ZSetValue);
  if (found instanceof ErrorReply) return found;
  if (found === null && xx) return incr ? null : 0;
  const limits = ctx.server.keyspace.limits;
  let z = found;
  if (z === null) {
    z = new ZSetValue();
    if (limits.zsetMaxListpackEntries === 0 || limits.zsetMaxListpackValue < argv[at + 1].length)
      z.big = true;
  }
  let added = 0;
  let updated = 0;
  let processed = 0;
  let changing = false;
  let reply = 0;
  const change = () => {
    if (!changing && found !== null) beginChange(ctx, key);
    changing = true;
  };
  let error: ErrorReply | null = null;
  for (let j = 0; j < scores.length; j++) {
    const m = str(argv[at + 1 + 2 * j]);
    let score = scores[j];
    const cur = z.score(m);
    if (cur !== undefined) {
      if (nx) continue;
      if (incr) {
        score += cur;
        if (Number.isNaN(score)) {
          error = nanScore;
          break;
        }
      }
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      reply = score;
      processed++;
      if (score !== cur) {
        change();
        z.add(m, score);
        updated++;
      }
    } else if (!xx) {
      change();
      z.convertForNewMember(m.length, limits);
      z.add(m, score);
      reply = score;
      added++;
      processed++;
    }
  }
  if (changing) {
    if (found === null) storeCreated(ctx, key, z);
    else endChange(ctx, key);
    notify(ctx, 'z', incr ? 'zincr' : 'zadd', key);
  }
  if (error !== null) return error;
  if (incr) return processed > 0 ? scoreReply(reply) : null;
  return ch ? added + updated : added;
}

function zadd(ctx: CommandContext, argv: Buffer[]): Reply {
  return zaddGeneric(ctx, argv, false);
}

function zincrby(ctx: CommandContext, argv: Buffer[]): Reply {
  return zaddGeneric(ctx, argv, true);
}

function zrem(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[1];
  const z = lookupWriteTyped(ctx, key, ZSetValue);
  if (z === null || z instanceof ErrorReply) return z ?? 0;
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    const m = str(argv[j]);
    if (!z.has(m)) continue;
    if (deleted === 0) beginChange(ctx, key);
    z.delete(m);
    deleted++;
    if (z.size() === 0) break;
  }
  if (deleted > 0) notifyChanged(ctx, 'z', 'zrem', key, endChange(ctx, key));
  return deleted;
}

function zcard(ctx: CommandContext, argv: Buffer[]): Reply {
  const z = lookupReadTyped(ctx, argv[1], ZSetValue);
  if (z === null || z instanceof ErrorReply) return z ?? 0;
  return z.size();
}

function zscore(ctx: CommandContext, argv: Buffer[]): Reply {
  const z = lookupReadTyped(ctx, argv[1], ZSetValue);
  if (z === null || z instanceof ErrorReply) return z;
  const s = z.score(str(argv[2]));
  return s === undefined ? null : scoreReply(s);
}

function zmscore(ctx: CommandContext, argv: Buffer[]): Reply {
  const z = lookupReadTyped(ctx, argv[1], ZSetValue);
  if (z instanceof ErrorReply) return z;
  const out: Reply[] = [];
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(str(argv[j]));
    out.push(s === undefined ? null : scoreReply(s));
  }
  return out;
}

function zrankGeneric(ctx: CommandContext, argv: Buffer[], rev: boolean): Reply {
  const z = lookupReadTyped(ctx, argv[1], ZSetValue);
  if (z === null || z instanceof ErrorReply) return z;
  const r = z.rank(str(argv[2]), rev);
  return r < 0 ? null : r;
}

function zrank(ctx: CommandContext, argv: Buffer[]): Reply {
  return zrankGeneric(ctx, argv, false);
}

function zrevrank(ctx: CommandContext, argv: Buffer[]): Reply {
  return zrankGeneric(ctx, argv, true);
}

/** ZCOUNT: from the ranks of the first and last members in range. */
function zcount(ctx: CommandContext, argv: Buffer[]): Reply {
  const r = parseScoreRange(argv[2], argv[3]);
  if (r === null) return notFloatRange;
  const z = lookupReadTyped(ctx, argv[1], ZSetValue);
  if (z === null || z instanceof ErrorReply) return z ?? 0;
  const first = z.firstInRange(r, false);
  if (first === 0) return 0;
  return z.rankOfNode(z.lastInRange(r, false)) - z.rankOfNode(first) + 1;
}

/**
 * ZLEXCOUNT: a listpack is counted by walking from the first member in range, a skiplist from
 * the ranks of the first and last (zlexcountCommand), which differ only for mixed scores.
 */
function zlexcount(ctx: CommandContext, argv: Buffer[]): Reply {
  const r = parseLexRange(argv[2], argv[3]);
  if (r === null) return notLexRange;
  const z = lookupReadTyped(ctx, argv[1], ZSetValue);
  if (z === null || z instanceof ErrorReply) return z ?? 0;
  const first = z.firstInRange(r, true);
  if (first === 0) return 0;
  if (!z.big) {
    let count = 0;
    for (let x = first; x !== 0 && z.lteMax(r, x); x = z.next(x)) count++;
    return count;
  }
  const len = z.size();
  let count = len - z.rankOfNode(first);
  const last = z.lastInRange(r, true);
  if (last !== 0) count -= len - 1 - z.rankOfNode(last);
  return count;
}

const ZSET = { group: 'sorted-set' } as const;
const ONE_KEY = { firstKey: 1, lastKey: 1, step: 1 } as const;

const zsetMemberCommands: readonly CommandSpec[] = [
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zadd',
    arity: -4,
    flags: ['write', 'denyoom', 'fast'],
    summary: 'Add one or more members to a sorted set, or update its score if it already exists',
    since: '1.2.0',
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    syntax: 'key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]',
    handler: zadd,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zincrby',
    arity: 4,
    flags: ['write', 'denyoom', 'fast'],
    summary: 'Increment the score of a member in a sorted set',
    since: '1.2.0',
    complexity: 'O(log(N)) where N is the number of elements in the sorted set.',
    syntax: 'key increment member',
    handler: zincrby,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zrem',
    arity: -3,
    flags: ['write', 'fast'],
    summary: 'Remove one or more members from a sorted set',
    since: '1.2.0',
    complexity:
      'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
    syntax: 'key member [member ...]',
    handler: zrem,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zcard',
    arity: 2,
    flags: ['readonly', 'fast'],
    summary: 'Get the number of members in a sorted set',
    since: '1.2.0',
    complexity: 'O(1)',
    syntax: 'key',
    handler: zcard,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zscore',
    arity: 3,
    flags: ['readonly', 'fast'],
    summary: 'Get the score associated with the given member in a sorted set',
    since: '1.2.0',
    complexity: 'O(1)',
    syntax: 'key member',
    handler: zscore,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zmscore',
    arity: -3,
    flags: ['readonly', 'fast'],
    summary: 'Get the score associated with the given members in a sorted set',
    since: '6.2.0',
    complexity: 'O(N) where N is the number of members being requested.',
    syntax: 'key member [member ...]',
    handler: zmscore,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zrank',
    arity: 3,
    flags: ['readonly', 'fast'],
    summary: 'Determine the index of a member in a sorted set',
    since: '2.0.0',
    complexity: 'O(log(N))',
    syntax: 'key member',
    handler: zrank,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zrevrank',
    arity: 3,
    flags: ['readonly', 'fast'],
    summary: 'Determine the index of a member in a sorted set, with scores ordered from high to low',
    since: '2.0.0',
    complexity: 'O(log(N))',
    syntax: 'key member',
    handler: zrevrank,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zcount',
    arity: 4,
    flags: ['readonly', 'fast'],
    summary: 'Count the members in a sorted set with scores within the given values',
    since: '2.0.0',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    syntax: 'key min max',
    handler: zcount,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zlexcount',
    arity: 4,
    flags: ['readonly', 'fast'],
    summary: 'Count the number of members in a sorted set between a given lexicographical range',
    since: '2.8.9',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    syntax: 'key min max',
    handler: zlexcount,
  }),
];

export const zsetCommands: readonly CommandSpec[] = [
  ...zsetMemberCommands,
  ...zsetRangeCommands,
  ...zsetRemoveRangeCommands,
  ...zsetSetOpCommands,
  ...zsetPopCommands,
  ...zsetScanCommands,
];
