/**
 * Sorted-set algebra: ZUNION ZINTER ZDIFF, their STORE forms, and ZINTERCARD, as Redis's
 * zunionInterDiffGenericCommand: keys looked up (and type-checked) before the options are
 * read, plain sets accepted with score 1, inputs taken smallest first for UNION / INTER (a
 * stable order, so float sums add up in Redis's order), NaN products and sums turned into 0.
 */
import { SetValue } from '../../engine/values/set.js';
import { ZSetValue } from '../../engine/values/zset.js';
import { ErrorReply, Errors } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command, type KeySpec } from '../spec.js';
import { interrupted, lookupValue, optIs } from './lookup.js';
import { storeResult } from './typed.js';
import { parseLong, parseLongInRange, parseScore, ScoredReply } from './zset-args.js';

type Op = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

/** Elements handled between two cancellation/deadline checks. */
const CHECK_EVERY = 4096;
const LONG_MAX = 9223372036854775807n;

const weightNotFloat = new ErrorReply('ERR', 'ERR weight value is not a float');
const limitNegative = new ErrorReply('ERR', "ERR LIMIT can't be negative");
const needsKey = (cmd: string) =>
  new ErrorReply('ERR', `ERR at least 1 input key is needed for '${cmd}' command`);

/** One input: a sorted set, a plain set (every score 1), or a missing key (empty). */
interface Source {
  readonly value: ZSetValue | SetValue | null;
  weight: number;
}

function sourceSize(s: Source): number {
  return s.value === null ? 0 : s.value.size();
}

/** The members of a source with their scores (unweighted). */
function* elements(s: Source): Iterable<[string, number]> {
  const v = s.value;
  if (v instanceof ZSetValue) yield* v.entries();
  else if (v !== null) for (const m of v.values()) yield [m, 1];
}

/** A member's score in a source (unweighted), or undefined when absent. */
function scoreIn(s: Source, m: string): number | undefined {
  const v = s.value;
  if (v instanceof ZSetValue) return v.score(m);
  if (v?.has(m)) return 1;
  return undefined;
}

/** zunionInterAggregate: a SUM of +inf and -inf is 0, as Redis keeps it. */
function aggregate(target: number, val: number, how: Aggregate): number {
  if (how === 'sum') {
    const sum = target + val;
    return Number.isNaN(sum) ? 0 : sum;
  }
  // C's comparisons, not Math.min/max: a NaN weight product or a -0 must not win.
  // biome-ignore lint/complexity/useMathMinMax: see above
  if (how === 'min') return val < target ? val : target;
  // biome-ignore lint/complexity/useMathMinMax: see above
  return val > target ? val : target;
}

/** score * weight, with NaN (0 * inf) taken as 0. */
function weighted(score: number, weight: number): number {
  const v = score * weight;
  return Number.isNaN(v) ? 0 : v;
}

interface Options {
  how: Aggregate;
  withScores: boolean;
  limit: number;
}

function parseOptions(
  argv: Buffer[],
  from: number,
  sources: Source[],
  op: Op,
  store: boolean,
  cardOnly: boolean,
): Options | ErrorReply {
  const o: Options = { how: 'sum', withScores: false, limit: 0 };
  for (let j = from; j < argv.length; ) {
    const remaining = argv.length - j;
    const word = argv[j];
    if (op !== 'diff' && !cardOnly && remaining >= sources.length + 1 && optIs(word, 'weights')) {
      j++;
      for (const s of sources) {
        const w = parseScore(argv[j++]);
        if (w === null) return weightNotFloat;
        s.weight = w;
      }
    } else if (op !== 'diff' && !cardOnly && remaining >= 2 && optIs(word, 'aggregate')) {
      const how = argv[j + 1];
      if (optIs(how, 'sum')) o.how = 'sum';
      else if (optIs(how, 'min')) o.how = 'min';
      else if (optIs(how, 'max')) o.how = 'max';
      else return Errors.syntax;
      j += 2;
    } else if (!store && !cardOnly && optIs(word, 'withscores')) {
      o.withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && optIs(word, 'limit')) {
      const n = parseLongInRange(argv[j + 1], 0n, LONG_MAX, limitNegative);
      if (n instanceof ErrorReply) return n;
      o.limit = n;
      j += 2;
    } else return Errors.syntax;
  }
  return o;
}

/** INTER: walk the smallest input, keep members found in every other. ZINTERCARD only counts. */
function intersect(
  ctx: CommandContext,
  src: Source[],
  o: Options,
  cardOnly: boolean,
  out: ZSetValue,
): number | ErrorReply {
  let cardinality = 0;
  if (sourceSize(src[0]) === 0) return 0;
  let steps = 0;
  for (const [m, s0] of elements(src[0])) {
    if (++steps % CHECK_EVERY === 0) {
      const stop = interrupted(ctx);
      if (stop !== null) return stop;
    }
    let score = weighted(s0, src[0].weight);
    let j = 1;
    for (; j < src.length; j++) {
      const v = src[j].value === src[0].value ? s0 : scoreIn(src[j], m);
      if (v === undefined) break;
      score = aggregate(score, v * src[j].weight, o.how);
    }
    if (j < src.length) continue;
    if (cardOnly) {
      cardinality++;
      if (o.limit !== 0 && cardinality >= o.limit) break;
    } else out.add(m, score);
  }
  return cardinality;
}

/** UNION: accumulate every input in order, aggregating members seen before. */
function unite(ctx: CommandContext, src: Source[], o: Options, out: ZSetValue): ErrorReply | null {
  const acc = new Map<string, number>();
  let steps = 0;
  for (const s of src) {
    for (const [m, sc] of elements(s)) {
      if (++steps % CHECK_EVERY === 0) {
        const stop = interrupted(ctx);
        if (stop !== null) return stop;
      }
      const score = weighted(sc, s.weight);
      const cur = acc.get(m);
      acc.set(m, cur === undefined ? score : aggregate(cur, score, o.how));
    }
  }
  for (const [m, sc] of acc) out.add(m, sc);
  return null;
}

/** DIFF: members of the first input found in no other, with their first-input scores. */
function subtract(ctx: CommandContext, src: Source[], out: ZSetValue): ErrorReply | null {
  if (sourceSize(src[0]) === 0) return null;
  for (let j = 1; j < src.length; j++) if (src[j].value === src[0].value) return null;
  let steps = 0;
  for (const [m, s0] of elements(src[0])) {
    if (++steps % CHECK_EVERY === 0) {
      const stop = interrupted(ctx);
      if (stop !== null) return stop;
    }
    let found = false;
    for (let j = 1; j < src.length && !found; j++) found = scoreIn(src[j], m) !== undefined;
    if (!found) out.add(m, s0);
  }
  return null;
}

function zsetOp(
  ctx: CommandContext,
  argv: Buffer[],
  name: string,
  dst: Buffer | null,
  numkeysAt: number,
  op: Op,
  cardOnly = false,
): Reply {
  const setnum = parseLong(argv[numkeysAt]);
  if (setnum instanceof ErrorReply) return setnum;
  if (setnum < 1) return needsKey(name);
  if (setnum > argv.length - (numkeysAt + 1)) return Errors.syntax;
  let src: Source[] = [];
  for (let i = 0; i < setnum; i++) {
    const v = lookupValue(ctx, argv[numkeysAt + 1 + i]);
    if (v !== null && !(v instanceof ZSetValue) && !(v instanceof SetValue)) return Errors.wrongType;
    src.push({ value: v, weight: 1 });
  }
  const o = parseOptions(argv, numkeysAt + 1 + setnum, src, op, dst !== null, cardOnly);
  if (o instanceof ErrorReply) return o;
  // Array.prototype.sort is stable, as glibc's qsort (a merge sort) is for these sizes.
  if (op !== 'diff') src = [...src].sort((a, b) => sourceSize(a) - sourceSize(b));

  // The result is built as a skiplist, as Redis builds it; storing fits its encoding.
  const out = new ZSetValue();
  out.big = true;
  let stop: ErrorReply | null = null;
  let cardinality = 0;
  if (op === 'inter') {
    const r = intersect(ctx, src, o, cardOnly, out);
    if (r instanceof ErrorReply) stop = r;
    else cardinality = r;
  } else if (op === 'union') stop = unite(ctx, src, o, out);
  else stop = subtract(ctx, src, out);
  if (stop !== null) return stop;

  if (dst !== null) return storeResult(ctx, dst, out, 'z', name);
  if (cardOnly) return cardinality;
  const reply = new ScoredReply(ctx, o.withScores);
  for (const [m, s] of out.entries()) reply.push(m, s);
  return reply.out;
}

const ZSET = { group: 'sorted-set' } as const;
/** ZUNION numkeys key ...: the keys follow the count. */
const NUMKEYS_AT_1: readonly KeySpec[] = [
  { begin: { index: 1 }, find: { keynum: { keynumIdx: 0, firstKey: 1, step: 1 } }, flags: ['RO', 'access'] },
];
/** ZUNIONSTORE destination numkeys key ...: the destination, then the counted keys. */
const STORE_KEYS = {
  firstKey: 1,
  lastKey: 1,
  step: 1,
  keySpecs: [
    { begin: { index: 1 }, find: { range: { lastKey: 0, step: 1, limit: 0 } }, flags: ['OW', 'update'] },
    {
      begin: { index: 2 },
      find: { keynum: { keynumIdx: 0, firstKey: 1, step: 1 } },
      flags: ['RO', 'access'],
    },
  ],
} as const;
const UNION_COMPLEXITY =
  'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.';
const INTER_COMPLEXITY =
  'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.';
const DIFF_COMPLEXITY =
  'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.';
const WEIGHTS = '[WEIGHTS weight [WEIGHTS weight ...]] [AGGREGATE <SUM | MIN | MAX>]';

export const zsetSetOpCommands: readonly CommandSpec[] = [
  command({
    ...ZSET,
    keySpecs: NUMKEYS_AT_1,
    name: 'zunion',
    arity: -3,
    flags: ['readonly'],
    summary: 'Add multiple sorted sets',
    since: '6.2.0',
    complexity: UNION_COMPLEXITY,
    syntax: `numkeys key [key ...] ${WEIGHTS} [WITHSCORES]`,
    handler: (ctx, argv) => zsetOp(ctx, argv, 'zunion', null, 1, 'union'),
  }),
  command({
    ...ZSET,
    keySpecs: NUMKEYS_AT_1,
    name: 'zinter',
    arity: -3,
    flags: ['readonly'],
    summary: 'Intersect multiple sorted sets',
    since: '6.2.0',
    complexity: INTER_COMPLEXITY,
    syntax: `numkeys key [key ...] ${WEIGHTS} [WITHSCORES]`,
    handler: (ctx, argv) => zsetOp(ctx, argv, 'zinter', null, 1, 'inter'),
  }),
  command({
    ...ZSET,
    keySpecs: NUMKEYS_AT_1,
    name: 'zdiff',
    arity: -3,
    flags: ['readonly'],
    summary: 'Subtract multiple sorted sets',
    since: '6.2.0',
    complexity: DIFF_COMPLEXITY,
    syntax: 'numkeys key [key ...] [WITHSCORES]',
    handler: (ctx, argv) => zsetOp(ctx, argv, 'zdiff', null, 1, 'diff'),
  }),
  command({
    ...ZSET,
    ...STORE_KEYS,
    name: 'zunionstore',
    arity: -4,
    flags: ['write', 'denyoom'],
    summary: 'Add multiple sorted sets and store the resulting sorted set in a new key',
    since: '2.0.0',
    complexity: UNION_COMPLEXITY.replace('O(M*log(M))', 'O(M log(M))'),
    syntax: `destination numkeys key [key ...] ${WEIGHTS}`,
    handler: (ctx, argv) => zsetOp(ctx, argv, 'zunionstore', argv[1], 2, 'union'),
  }),
  command({
    ...ZSET,
    ...STORE_KEYS,
    name: 'zinterstore',
    arity: -4,
    flags: ['write', 'denyoom'],
    summary: 'Intersect multiple sorted sets and store the resulting sorted set in a new key',
    since: '2.0.0',
    complexity: INTER_COMPLEXITY,
    syntax: `destination numkeys key [key ...] ${WEIGHTS}`,
    handler: (ctx, argv) => zsetOp(ctx, argv, 'zinterstore', argv[1], 2, 'inter'),
  }),
  command({
    ...ZSET,
    ...STORE_KEYS,
    name: 'zdiffstore',
    arity: -4,
    flags: ['write', 'denyoom'],
    summary: 'Subtract multiple sorted sets and store the resulting sorted set in a new key',
    since: '6.2.0',
    complexity: DIFF_COMPLEXITY,
    syntax: 'destination numkeys key [key ...]',
    handler: (ctx, argv) => zsetOp(ctx, argv, 'zdiffstore', argv[1], 2, 'diff'),
  }),
  command({
    ...ZSET,
    keySpecs: NUMKEYS_AT_1,
    name: 'zintercard',
    arity: -3,
    flags: ['readonly'],
    summary: 'Intersect multiple sorted sets and return the cardinality of the result',
    since: '7.0.0',
    complexity:
      'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
    syntax: 'numkeys key [key ...] [LIMIT limit]',
    handler: (ctx, argv) => zsetOp(ctx, argv, 'zintercard', null, 1, 'inter', true),
  }),
];
