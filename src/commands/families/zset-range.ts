/**
 * Sorted-set ranges: ZRANGE (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES) and its older spellings
 * ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX, and ZRANGESTORE. One
 * generic function reproduces Redis's zrangeGenericCommand: its option rules, error order and
 * walking of the set.
 */
import { type NodeRange, ZSetValue } from '../../engine/values/zset.js';
import { ErrorReply, Errors } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { interrupted, optIs } from './lookup.js';
import { lookupReadTyped, storeResult } from './typed.js';
import {
  notFloatRange,
  notLexRange,
  parseLexRange,
  parseLong,
  parseScoreRange,
  rankRange,
  ScoredReply,
} from './zset-args.js';

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'forward' | 'reverse';

/** Members emitted between two cancellation/deadline checks. */
const CHECK_EVERY = 4096;

const limitNeedsBy = new ErrorReply(
  'ERR',
  'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
);
const withScoresByLex = new ErrorReply(
  'ERR',
  'ERR syntax error, WITHSCORES not supported in combination with BYLEX',
);

/** Where a range's members go: the client's reply, or a new set for ZRANGESTORE. */
interface Sink {
  /** The number of members to come, when known (a rank range). */
  begin(length: number): void;
  emit(member: string, score: number): void;
  /** Emitted so far. */
  readonly count: number;
}

class StoreSink implements Sink {
  readonly z = new ZSetValue();
  count = 0;
  constructor(private readonly ctx: CommandContext) {}
  /** zsetTypeCreate(length, 0): a set known to outgrow a listpack starts as a skiplist. */
  begin(length: number): void {
    if (length > this.ctx.server.keyspace.limits.zsetMaxListpackEntries) this.z.big = true;
  }
  emit(member: string, score: number): void {
    // zrangeResultEmitCBufferForStore: zsetAdd into a listpack that converts as it grows.
    this.z.convertForNewMember(member.length, this.ctx.server.keyspace.limits);
    this.z.add(member, score);
    this.count++;
  }
}

class ClientSink implements Sink {
  readonly reply: ScoredReply;
  constructor(ctx: CommandContext, withScores: boolean) {
    this.reply = new ScoredReply(ctx, withScores);
  }
  begin(): void {}
  emit(member: string, score: number): void {
    this.reply.push(member, score);
  }
  get count(): number {
    return this.reply.length;
  }
}

/** Walk `count` (or, when negative, all) members from `x` while `inRange`, into the sink. */
function walk(
  ctx: CommandContext,
  z: ZSetValue,
  x: number,
  offset: number,
  limit: number,
  rev: boolean,
  inRange: (x: number) => boolean,
  sink: Sink,
): ErrorReply | null {
  // A negative offset walks off the end of the set in Redis: nothing is returned.
  if (offset < 0) return null;
  for (; x !== 0 && offset > 0; offset--) x = rev ? z.prev(x) : z.next(x);
  for (let n = 0; x !== 0 && n !== limit; n++) {
    if (!inRange(x)) break;
    sink.emit(z.memberAt(x), z.scoreAt(x));
    x = rev ? z.prev(x) : z.next(x);
    if ((n + 1) % CHECK_EVERY === 0) {
      const stop = interrupted(ctx);
      if (stop !== null) return stop;
    }
  }
  return null;
}

/** genericZrangebyrankCommand: ranks sanitized as Redis does (negative from the end). */
function byRank(ctx: CommandContext, z: ZSetValue, start: number, end: number, rev: boolean, sink: Sink) {
  const r = rankRange(start, end, z.size());
  if (r === null) return null;
  const [first, last] = r;
  sink.begin(last - first + 1);
  const x = z.at(rev ? z.size() - 1 - first : first);
  return walk(ctx, z, x, 0, last - first + 1, rev, () => true, sink);
}

/** genericZrangebyscoreCommand / genericZrangebylexCommand. */
function byInterval(
  ctx: CommandContext,
  z: ZSetValue,
  r: NodeRange,
  lex: boolean,
  offset: number,
  limit: number,
  rev: boolean,
  sink: Sink,
) {
  if (!lex && offset > 0 && offset >= z.size()) return null;
  const x = rev ? z.lastInRange(r, lex) : z.firstInRange(r, lex);
  const inRange = rev ? (n: number) => z.gteMin(r, n) : (n: number) => z.lteMax(r, n);
  return walk(ctx, z, x, offset, limit, rev, inRange, sink);
}

/**
 * zrangeGenericCommand. `keyAt` is the source key's index; the options after `keyAt + 2` are
 * parsed first (LIMIT's numbers included), then conflicts, then the range, then the key.
 */
function zrangeGeneric(
  ctx: CommandContext,
  argv: Buffer[],
  keyAt: number,
  store: boolean,
  type0: RangeType,
  dir0: Direction,
): Reply {
  let type = type0;
  let dir = dir0;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = keyAt + 3; j < argv.length; j++) {
    const o = argv[j];
    const left = argv.length - j - 1;
    if (!store && optIs(o, 'withscores')) withScores = true;
    else if (optIs(o, 'limit') && left >= 2) {
      const off = parseLong(argv[j + 1]);
      if (off instanceof ErrorReply) return off;
      const lim = parseLong(argv[j + 2]);
      if (lim instanceof ErrorReply) return lim;
      offset = off;
      limit = lim;
      j += 2;
    } else if (dir === 'auto' && optIs(o, 'rev')) dir = 'reverse';
    else if (type === 'auto' && optIs(o, 'bylex')) type = 'lex';
    else if (type === 'auto' && optIs(o, 'byscore')) type = 'score';
    else return Errors.syntax;
  }
  if (type === 'auto') type = 'rank';
  const rev = dir === 'reverse';
  if (limit !== -1 && type === 'rank') return limitNeedsBy;
  if (withScores && type === 'lex') return withScoresByLex;
  let minAt = keyAt + 1;
  let maxAt = keyAt + 2;
  if (rev && type !== 'rank') [minAt, maxAt] = [maxAt, minAt];

  let start = 0;
  let end = 0;
  let range: NodeRange | null = null;
  if (type === 'rank') {
    const s = parseLong(argv[minAt]);
    if (s instanceof ErrorReply) return s;
    const e = parseLong(argv[maxAt]);
    if (e instanceof ErrorReply) return e;
    start = s;
    end = e;
  } else if (type === 'score') {
    range = parseScoreRange(argv[minAt], argv[maxAt]);
    if (range === null) return notFloatRange;
  } else {
    range = parseLexRange(argv[minAt], argv[maxAt]);
    if (range === null) return notLexRange;
  }

  const z = lookupReadTyped(ctx, argv[keyAt], ZSetValue);
  if (z instanceof ErrorReply) return z;
  const sink: Sink = store ? new StoreSink(ctx) : new ClientSink(ctx, withScores);
  if (z !== null) {
    const stop =
      range === null
        ? byRank(ctx, z, start, end, rev, sink)
        : byInterval(ctx, z, range, type === 'lex', offset, limit, rev, sink);
    if (stop !== null) return stop;
  }
  if (sink instanceof StoreSink) return storeResult(ctx, argv[1], sink.z, 'z', 'zrangestore');
  return (sink as ClientSink).reply.out;
}

function zrange(ctx: CommandContext, argv: Buffer[]): Reply {
  return zrangeGeneric(ctx, argv, 1, false, 'auto', 'auto');
}

function zrangestore(ctx: CommandContext, argv: Buffer[]): Reply {
  return zrangeGeneric(ctx, argv, 2, true, 'auto', 'auto');
}

function zrevrange(ctx: CommandContext, argv: Buffer[]): Reply {
  return zrangeGeneric(ctx, argv, 1, false, 'rank', 'reverse');
}

function zrangebyscore(ctx: CommandContext, argv: Buffer[]): Reply {
  return zrangeGeneric(ctx, argv, 1, false, 'score', 'forward');
}

function zrevrangebyscore(ctx: CommandContext, argv: Buffer[]): Reply {
  return zrangeGeneric(ctx, argv, 1, false, 'score', 'reverse');
}

function zrangebylex(ctx: CommandContext, argv: Buffer[]): Reply {
  return zrangeGeneric(ctx, argv, 1, false, 'lex', 'forward');
}

function zrevrangebylex(ctx: CommandContext, argv: Buffer[]): Reply {
  return zrangeGeneric(ctx, argv, 1, false, 'lex', 'reverse');
}

const ZSET = { group: 'sorted-set' } as const;
const ONE_KEY = { firstKey: 1, lastKey: 1, step: 1 } as const;
const READ_RANGE =
  'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements';
const LIMITED =
  ' If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).';

export const zsetRangeCommands: readonly CommandSpec[] = [
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zrange',
    arity: -4,
    flags: ['readonly'],
    summary: 'Return a range of members in a sorted set',
    since: '1.2.0',
    complexity: `${READ_RANGE} returned.`,
    syntax: 'key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]',
    handler: zrange,
  }),
  command({
    ...ZSET,
    firstKey: 1,
    lastKey: 2,
    step: 1,
    keySpecs: [
      { begin: { index: 1 }, find: { range: { lastKey: 0, step: 1, limit: 0 } }, flags: ['OW', 'update'] },
      { begin: { index: 2 }, find: { range: { lastKey: 0, step: 1, limit: 0 } }, flags: ['RO', 'access'] },
    ],
    name: 'zrangestore',
    arity: -5,
    flags: ['write', 'denyoom'],
    summary: 'Store a range of members from sorted set into another key',
    since: '6.2.0',
    complexity: `${READ_RANGE} stored into the destination key.`,
    syntax: 'dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]',
    handler: zrangestore,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zrangebyscore',
    arity: -4,
    flags: ['readonly'],
    summary: 'Return a range of members in a sorted set, by score',
    since: '1.0.5',
    complexity: `${READ_RANGE} being returned.${LIMITED}`,
    syntax: 'key min max [WITHSCORES] [LIMIT offset count]',
    handler: zrangebyscore,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zrevrangebyscore',
    arity: -4,
    flags: ['readonly'],
    summary: 'Return a range of members in a sorted set, by score, with scores ordered from high to low',
    since: '2.2.0',
    complexity: `${READ_RANGE} being returned.${LIMITED}`,
    syntax: 'key max min [WITHSCORES] [LIMIT offset count]',
    handler: zrevrangebyscore,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zrangebylex',
    arity: -4,
    flags: ['readonly'],
    summary: 'Return a range of members in a sorted set, by lexicographical range',
    since: '2.8.9',
    complexity: `${READ_RANGE} being returned.${LIMITED}`,
    syntax: 'key min max [LIMIT offset count]',
    handler: zrangebylex,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zrevrangebylex',
    arity: -4,
    flags: ['readonly'],
    summary:
      'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.',
    since: '2.8.9',
    complexity: `${READ_RANGE} being returned.${LIMITED}`,
    syntax: 'key max min [LIMIT offset count]',
    handler: zrevrangebylex,
  }),
  command({
    ...ZSET,
    ...ONE_KEY,
    name: 'zrevrange',
    arity: -4,
    flags: ['readonly'],
    summary: 'Return a range of members in a sorted set, by index, with scores ordered from high to low',
    since: '1.2.0',
    complexity: `${READ_RANGE} returned.`,
    syntax: 'key start stop [WITHSCORES]',
    handler: zrevrange,
  }),
];
