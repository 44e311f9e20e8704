/**
 * HSCAN / SSCAN / ZSCAN: Redis's scanGenericCommand for a collection.
 *
 * A compact collection (listpack, intset) is returned whole, in its encoding's order, with
 * cursor 0, whatever cursor was passed (Redis does exactly that). A large one is walked with a
 * live JS iterator: Map and Set iterators see later inserts and skip deleted entries, so every
 * element present for the whole iteration is returned at least once, which is Redis's
 * guarantee (hashes and sets walk their BigTable's ids downwards for the same guarantee,
 * big-table.ts). Between calls the iterator waits in a per-server registry under the cursor handed
 * to the client; the registry is keyed by the collection object itself (a WeakMap), so a
 * deleted collection takes its iterators with it. A cursor the registry does not know (too
 * old, from another key, made up) starts the iteration again: duplicates, never misses.
 */
import { bytes } from '../../engine/values/collection.js';
import { ErrorReply, Errors } from '../../errors.js';
import { globMatch } from '../../util/glob.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { interrupted, optIs } from './lookup.js';
import { parseScanCursor } from './scan.js';

const DEFAULT_COUNT = 10;
/** Live iterations kept per collection; resuming an older one starts it again. */
const LIVE_SCANS_PER_COLLECTION = 16;
/** Elements visited between two cancellation/deadline checks (a huge COUNT). */
const VISITS_PER_CHECK = 4096;
const STAR = 42;

const invalidCursor = new ErrorReply('ERR', 'ERR invalid cursor');

export interface CollectionScanOptions {
  count: number;
  /** MATCH pattern; null when absent or `*`. */
  pattern: Buffer | null;
}

/**
 * The options after the cursor (argv[3] on), with SCAN's errors: a COUNT that is not an
 * integer, COUNT < 1 (syntax error), an unknown word or a missing value (syntax error). TYPE
 * is SCAN's alone.
 */
export function parseCollectionScanOptions(argv: Buffer[], from = 3): CollectionScanOptions | ErrorReply {
  const o: CollectionScanOptions = { count: DEFAULT_COUNT, pattern: null };
  for (let i = from; i < argv.length; i += 2) {
    const hasValue = i + 1 < argv.length;
    if (optIs(argv[i], 'count') && hasValue) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) return Errors.notInteger;
      if (n < 1n) return Errors.syntax;
      o.count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
    } else if (optIs(argv[i], 'match') && hasValue) {
      const p = argv[i + 1];
      o.pattern = p.length === 1 && p[0] === STAR ? null : p;
    } else return Errors.syntax;
  }
  return o;
}

interface LiveScan {
  readonly it: Iterator<string>;
  /** Read ahead to learn whether the iteration ended; returned first on resume if still there. */
  pending: string | null;
}

/** Live collection iterations of one server, by collection object and cursor. */
export class CollectionScans {
  private readonly live = new WeakMap<object, Map<number, LiveScan>>();
  private nextCursor = 1;

  /** The iteration `cursor` names on `obj`, removed from the registry; undefined if unknown. */
  take(obj: object, cursor: bigint): LiveScan | undefined {
    const scans = this.live.get(obj);
    if (scans === undefined || cursor > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    const id = Number(cursor);
    const scan = scans.get(id);
    if (scan !== undefined) scans.delete(id);
    return scan;
  }

  /** Keep `scan` for a later call; returns the cursor naming it (never 0). */
  keep(obj: object, scan: LiveScan): number {
    let scans = this.live.get(obj);
    if (scans === undefined) {
      scans = new Map();
      this.live.set(obj, scans);
    }
    if (scans.size >= LIVE_SCANS_PER_COLLECTION) {
      const oldest = scans.keys().next().value;
      if (oldest !== undefined) scans.delete(oldest);
    }
    const id = this.nextCursor++;
    scans.set(id, scan);
    return id;
  }
}

/** How the scan sees one collection. Elements are latin1 strings (fields, members). */
export interface ScanTarget {
  /** Listpack / intset: returned whole with cursor 0. */
  readonly compact: boolean;
  /** Compact: every element in the encoding's order. Large: a live iterator. */
  elements(): Iterator<string>;
  /** Still present (an element read ahead at the previous call may be gone since). */
  has(e: string): boolean;
  /** Push an element's reply items: the member, or field and value, or member and score. */
  emit(e: string, out: Reply[]): void;
}

const ZERO = Buffer.from('0');

/** Redis's shared.emptyscan: the reply for a missing key. */
export function emptyScan(): Reply {
  return [ZERO, []];
}

/** One SCAN step over `target` (the collection `obj`) from `cursor`. */
export function scanCollection(
  ctx: CommandContext,
  obj: object,
  cursor: bigint,
  o: CollectionScanOptions,
  target: ScanTarget,
): Reply {
  const out: Reply[] = [];
  const visit = (e: string) => {
    if (o.pattern === null || globMatch(o.pattern, bytes(e))) target.emit(e, out);
  };
  if (target.compact) {
    const it = target.elements();
    for (let r = it.next(); !r.done; r = it.next()) visit(r.value);
    return [ZERO, out];
  }
  const registry = ctx.server.collectionScans;
  const scan = (cursor === 0n ? undefined : registry.take(obj, cursor)) ?? {
    it: target.elements(),
    pending: null,
  };
  let visited = 0;
  if (scan.pending !== null) {
    const e = scan.pending;
    scan.pending = null;
    if (target.has(e)) visit(e);
    visited++;
  }
  for (; visited < o.count; visited++) {
    const r = scan.it.next();
    if (r.done) return [ZERO, out];
    visit(r.value);
    if (visited % VISITS_PER_CHECK === VISITS_PER_CHECK - 1) {
      const stop = interrupted(ctx);
      if (stop !== null) return stop;
    }
  }
  const ahead = scan.it.next();
  if (ahead.done) return [ZERO, out];
  scan.pending = ahead.value;
  return [Buffer.from(String(registry.keep(obj, scan)), 'latin1'), out];
}

/**
 * A whole xSCAN command: cursor (checked first), key lookup (missing: an empty scan; another
 * type: WRONGTYPE), then the options, in Redis's order.
 */
export function collectionScanCommand<T extends object>(
  ctx: CommandContext,
  argv: Buffer[],
  lookup: (ctx: CommandContext, key: Buffer) => T | null | ErrorReply,
  target: (obj: T) => ScanTarget,
): Reply {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) return invalidCursor;
  const obj = lookup(ctx, argv[1]);
  if (obj === null) return emptyScan();
  if (obj instanceof ErrorReply) return obj;
  const o = parseCollectionScanOptions(argv);
  if (o instanceof ErrorReply) return o;
  return scanCollection(ctx, obj, cursor, o, target(obj));
}
