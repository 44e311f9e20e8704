/**
 * SORT and SORT_RO (Redis 7.0's sort.c): sort a list, set or sorted set, by its elements or by
 * weights looked up through a BY pattern, return a LIMIT window of it or of values looked up
 * through GET patterns, or STORE that as a list.
 *
 * How Redis 7.0.15 orders, reproduced here:
 * - numeric (the default): each element's score is strtod of the element or of its BY value
 *   (sort-number.ts; any unreadable one fails the command, after every lookup); a missing BY
 *   value scores 0; equal scores fall back to the elements' bytes;
 * - ALPHA: the elements' (or BY values') bytes as C strings (strcoll in the C locale: up to the
 *   first NUL byte), but their full bytes with STORE; with BY, a missing value sorts first;
 *   values that compare equal keep their order (glibc's qsort is a merge sort), except with
 *   BY and a LIMIT, where Redis's partial quicksort places them (sort-pqsort.ts);
 * - DESC reverses the comparison, so equal values are not reversed;
 * - BY with a pattern without `*` (`nosort`) does not sort: a list keeps its order and a sorted
 *   set its rank order (both reversed by DESC, the LIMIT window taken from that order), a set
 *   its iteration order; except a set with STORE or inside a script, which is sorted ALPHA so
 *   the result does not depend on the set's internal order.
 * A sorted set is converted to its skiplist encoding first, as Redis does. BY and GET patterns
 * with a `*` need read access to every key (ACL), else the Redis error for each.
 */
import { bytes } from '../../engine/values/collection.js';
import { ListValue } from '../../engine/values/list.js';
import { SetValue } from '../../engine/values/set.js';
import { ZSetValue } from '../../engine/values/zset.js';
import { ErrorReply, Errors } from '../../errors.js';
import { KEY_READ } from '../../security/acl-user.js';
import { type Compare, pqsort } from '../../util/pqsort.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { countLikeRedis } from './list-ops.js';
import { interrupted, lookupValue, optIs } from './lookup.js';
import { sortScore } from './sort-number.js';
import { compilePattern, hasStar, lookupByPattern, type SortPattern } from './sort-pattern.js';
import { storeResult } from './typed.js';

const badScore = new ErrorReply('ERR', "ERR One or more scores can't be converted into double");
const byDenied = new ErrorReply('ERR', 'ERR BY option of SORT denied due to insufficient ACL permissions.');
const getDenied = new ErrorReply('ERR', 'ERR GET option of SORT denied due to insufficient ACL permissions.');

/** Elements whose BY values are looked up between two cancellation/deadline checks. */
const STEPS_PER_CHECK = 4096;
/** LIMIT arguments past this act as if infinite (no collection is that large). */
const LIMIT_CLAMP = 2 ** 53;

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  /** The last BY pattern; `dontsort` once any BY pattern had no `*`. */
  by: Buffer | null;
  dontsort: boolean;
  gets: SortPattern[];
  store: Buffer | null;
}

interface SortItem {
  /** The element (latin1). */
  readonly obj: string;
  score: number;
  /** What ALPHA compares (the element or its BY value; null: BY found nothing). */
  key: string | null;
}

/**
 * Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess for reads: the user may read every key
 * (`allkeys`, `~*` or `%R~*`), which BY and GET patterns need since their keys are unknown.
 */
function fullKeyReadAccess(ctx: CommandContext): boolean {
  const u = ctx.client.acl;
  if (u.allKeys) return true;
  return u.keys.some((k) => (k.perm & KEY_READ) !== 0 && k.pattern.length === 1 && k.pattern[0] === 0x2a);
}

function clampLimit(v: bigint): number {
  return v > BigInt(LIMIT_CLAMP) ? LIMIT_CLAMP : v < -BigInt(LIMIT_CLAMP) ? -LIMIT_CLAMP : Number(v);
}

/** The options after the key, in sort.c's order of checks; the first problem is the reply. */
function parseOptions(ctx: CommandContext, argv: Buffer[], readonly: boolean): SortOptions | ErrorReply {
  const o: SortOptions = {
    desc: false,
    alpha: false,
    limitStart: 0,
    limitCount: -1,
    by: null,
    dontsort: false,
    gets: [],
    store: null,
  };
  let fullAccess: boolean | null = null;
  const mayReadAll = () => (fullAccess ??= fullKeyReadAccess(ctx));
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j];
    const left = argv.length - j - 1;
    if (optIs(a, 'asc')) o.desc = false;
    else if (optIs(a, 'desc')) o.desc = true;
    else if (optIs(a, 'alpha')) o.alpha = true;
    else if (optIs(a, 'limit') && left >= 2) {
      const start = parseInt64(argv[j + 1]);
      if (start === null) return Errors.notInteger;
      const count = parseInt64(argv[j + 2]);
      if (count === null) return Errors.notInteger;
      o.limitStart = clampLimit(start);
      o.limitCount = clampLimit(count);
      j += 2;
    } else if (!readonly && optIs(a, 'store') && left >= 1) {
      o.store = argv[++j];
    } else if (optIs(a, 'by') && left >= 1) {
      o.by = argv[++j];
      if (!hasStar(o.by)) o.dontsort = true;
      else if (!mayReadAll()) return byDenied;
    } else if (optIs(a, 'get') && left >= 1) {
      if (!mayReadAll()) return getDenied;
      o.gets.push(compilePattern(argv[++j]));
    } else return Errors.syntax;
  }
  return o;
}

const binary = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
/** A string as C sees it: up to the first NUL byte (strcoll in the C locale). */
const cString = (s: string): string => {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
};

/** sortCompare for these options; ALPHA keys are already cut to C strings where it applies. */
function comparator(o: SortOptions, byPattern: boolean): Compare<SortItem> {
  let cmp: Compare<SortItem>;
  if (!o.alpha) cmp = (a, b) => (a.score > b.score ? 1 : a.score < b.score ? -1 : binary(a.obj, b.obj));
  else if (byPattern)
    cmp = (a, b) => {
      const x = a.key;
      const y = b.key;
      if (x === null || y === null) return x === y ? 0 : x === null ? -1 : 1;
      return binary(x, y);
    };
  else cmp = (a, b) => binary(a.key as string, b.key as string);
  return o.desc ? (a, b) => -cmp(a, b) : cmp;
}

type Sortable = ListValue | SetValue | ZSetValue;

/** Every element, for sorting (a set in its iteration order, a sorted set by rank). */
function allElements(v: Sortable): string[] {
  if (v instanceof ListValue) return v.range(0, v.size() - 1);
  if (v instanceof SetValue) return v.members();
  const out: string[] = [];
  for (let x = v.first(); x !== 0; x = v.next(x)) out.push(v.memberAt(x));
  return out;
}

/** `count` elements of a list or sorted set in native order from `start` (from the end: desc). */
function nativeRange(v: ListValue | ZSetValue, start: number, count: number, desc: boolean): string[] {
  const len = v.size();
  if (v instanceof ListValue) {
    if (!desc) return v.range(start, start + count - 1);
    return v.range(len - start - count, len - start - 1).reverse();
  }
  const out: string[] = [];
  let x = v.at(desc ? len - 1 - start : start);
  for (let i = 0; i < count && x !== 0; i++, x = desc ? v.prev(x) : v.next(x)) out.push(v.memberAt(x));
  return out;
}

/**
 * Scores or ALPHA keys for every item, looking BY values up; false when a score is not a
 * number (every lookup is still made, as Redis makes them); an ErrorReply when interrupted.
 */
function loadWeights(
  ctx: CommandContext,
  items: SortItem[],
  o: SortOptions,
  by: SortPattern | null,
): boolean | ErrorReply {
  const coll = o.store === null;
  let ok = true;
  for (let j = 0; j < items.length; j++) {
    if (j % STEPS_PER_CHECK === STEPS_PER_CHECK - 1) {
      const stop = interrupted(ctx);
      if (stop !== null) return stop;
    }
    const it = items[j];
    const value = by === null ? it.obj : lookupByPattern(ctx, by, it.obj);
    if (o.alpha) it.key = value === null ? null : coll ? cString(value) : value;
    else if (value !== null) {
      const score = sortScore(value);
      if (score === null) ok = false;
      else it.score = score;
    }
  }
  return ok;
}

function sortGeneric(ctx: CommandContext, argv: Buffer[], readonly: boolean): Reply {
  const o = parseOptions(ctx, argv, readonly);
  if (o instanceof ErrorReply) return o;
  const found = lookupValue(ctx, argv[1]);
  let v: Sortable;
  if (found === null) v = new ListValue();
  else if (found instanceof ListValue || found instanceof SetValue || found instanceof ZSetValue) v = found;
  else return Errors.wrongType;

  let { dontsort, alpha, by } = o;
  // A set has no order of its own: sort it (ALPHA) where the result must be reproducible.
  if (dontsort && v instanceof SetValue && (o.store !== null || ctx.fromScript === true)) {
    dontsort = false;
    alpha = true;
    by = null;
  }
  const opts = { ...o, alpha };
  // zsetConvert(sortval, OBJ_ENCODING_SKIPLIST): SORT leaves a sorted set a skiplist.
  if (v instanceof ZSetValue && !v.big) v.big = true;

  const len = v.size();
  let start = Math.min(Math.max(o.limitStart, 0), len);
  const count = Math.min(Math.max(o.limitCount, -1), len);
  let end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  let items: SortItem[];
  if (dontsort && !(v instanceof SetValue)) {
    // Only the window is read, in native order (reversed by DESC).
    const elements = end >= start ? nativeRange(v, start, end - start + 1, o.desc) : [];
    items = elements.map((obj) => ({ obj, score: 0, key: null }));
    end -= start;
    start = 0;
  } else {
    items = allElements(v).map((obj) => ({ obj, score: 0, key: null }));
  }

  if (!dontsort) {
    const byPattern = by === null ? null : compilePattern(by);
    const ok = loadWeights(ctx, items, opts, byPattern);
    if (ok instanceof ErrorReply) return ok;
    if (!ok) return badScore;
    const cmp = comparator(opts, byPattern !== null);
    if (byPattern !== null && (start !== 0 || end !== items.length - 1)) pqsort(items, cmp, start, end);
    else items.sort(cmp);
  }
  return output(ctx, items, start, end, o);
}

/** The window start..end: the elements or their GET values, as a reply or STOREd as a list. */
function output(ctx: CommandContext, items: SortItem[], start: number, end: number, o: SortOptions): Reply {
  if (o.store === null) {
    const out: Reply[] = [];
    for (let j = start; j <= end; j++) {
      const obj = items[j].obj;
      if (o.gets.length === 0) out.push(bytes(obj));
      for (const g of o.gets) {
        const val = lookupByPattern(ctx, g, obj);
        out.push(val === null ? null : bytes(val));
      }
    }
    return out;
  }
  const list = new ListValue();
  for (let j = start; j <= end; j++) {
    const obj = items[j].obj;
    if (o.gets.length === 0) list.pushTail(obj);
    for (const g of o.gets) list.pushTail(lookupByPattern(ctx, g, obj) ?? '');
  }
  const n = storeResult(ctx, o.store, list, 'l', 'sortstore');
  // Redis counts a stored result in `dirty` per element, the keyspace once per key.
  if (n > 0) countLikeRedis(ctx, n, 1);
  return n;
}

/**
 * Redis's sortGetKeys: the sorted key, and the last STORE's key (options skipped by their
 * argument counts: LIMIT 2, GET and BY 1), for ACL, COMMAND GETKEYS and client tracking.
 */
export function sortGetKeys(argv: readonly Buffer[]): number[] {
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    if (optIs(argv[i], 'limit')) i += 2;
    else if (optIs(argv[i], 'get') || optIs(argv[i], 'by')) i += 1;
    else if (optIs(argv[i], 'store') && i + 1 < argv.length) store = i + 1;
  }
  return store < 0 ? [1] : [1, store];
}

const SORT_DOC = {
  group: 'generic',
  firstKey: 1,
  lastKey: 1,
  step: 1,
  categories: ['set', 'sortedset', 'list'],
  // Redis files SORT under generic but does not put it in @keyspace.
  notCategories: ['keyspace'],
  complexity:
    'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).',
  since: '1.0.0',
} as const;
const SORT_SYNTAX =
  'key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA]';

export const sortCommands: readonly CommandSpec[] = [
  command({
    ...SORT_DOC,
    name: 'sort',
    arity: -2,
    flags: ['write', 'denyoom', 'dangerous'],
    getKeys: sortGetKeys,
    summary: 'Sort the elements in a list, set or sorted set',
    syntax: `${SORT_SYNTAX} [STORE destination]`,
    handler: (ctx, argv) => sortGeneric(ctx, argv, false),
  }),
  command({
    ...SORT_DOC,
    name: 'sort_ro',
    arity: -2,
    flags: ['readonly', 'dangerous'],
    getKeys: () => [1],
    summary: 'Sort the elements in a list, set or sorted set. Read-only variant of SORT.',
    since: '7.0.0',
    syntax: SORT_SYNTAX,
    handler: (ctx, argv) => sortGeneric(ctx, argv, true),
  }),
];
