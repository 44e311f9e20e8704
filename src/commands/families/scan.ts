/**
 * KEYS and SCAN: walking the key space with the engine's incremental iterator and Redis's glob
 * patterns. KEYS walks it all in one command, in batches, and gives up when the client goes
 * away or the command's deadline passes; SCAN returns one batch and a cursor.
 */
import { typeOfValue } from '../../engine/values/collection.js';
import { ErrorReply, Errors } from '../../errors.js';
import { globMatch } from '../../util/glob.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { interrupted, optIs } from './lookup.js';

/** Keys fetched from the engine between two cancellation/deadline checks (KEYS, large SCAN COUNT). */
const KEYS_BATCH = 1024;
const SCAN_DEFAULT_COUNT = 10;
const UINT64_MAX = 18446744073709551615n;
const STAR = 42;

const invalidCursor = new ErrorReply('ERR', 'ERR invalid cursor');

function matchesAll(pattern: Buffer): boolean {
  return pattern.length === 1 && pattern[0] === STAR;
}

function keys(ctx: CommandContext, argv: Buffer[]): Reply {
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const pattern = argv[1];
  const all = matchesAll(pattern);
  const out: Buffer[] = [];
  const batch: Buffer[] = [];
  let cursor = 0;
  do {
    batch.length = 0;
    cursor = ks.scan(db, cursor, KEYS_BATCH, batch);
    for (const k of batch) if (all || globMatch(pattern, k)) out.push(k);
    const stop = interrupted(ctx);
    if (stop !== null) return stop;
  } while (cursor !== 0);
  return out;
}

/**
 * Redis's parseScanCursorOrReply reads the cursor with strtoul: no leading space, an optional
 * sign (a negative cursor wraps around 2^64), digits up to the first NUL, at most 2^64 - 1.
 * An empty cursor reads as 0.
 */
export function parseScanCursor(arg: Buffer): bigint | null {
  const z = arg.indexOf(0);
  const s = (z < 0 ? arg : arg.subarray(0, z)).toString('latin1');
  if (s.length === 0) return 0n;
  const m = /^([+-]?)([0-9]+)$/.exec(s);
  if (m === null) return null;
  const v = BigInt(m[2]);
  if (v > UINT64_MAX) return null;
  return m[1] === '-' && v !== 0n ? UINT64_MAX + 1n - v : v;
}

interface ScanOptions {
  count: number;
  pattern: Buffer | null;
  /** TYPE filter: a type name as TYPE answers it (compared case-insensitively, as Redis). */
  typeName: string | null;
}

function parseScanOptions(argv: Buffer[]): ScanOptions | ErrorReply {
  const o: ScanOptions = { count: SCAN_DEFAULT_COUNT, pattern: null, typeName: null };
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i];
    const hasValue = i + 1 < argv.length;
    if (optIs(opt, 'count') && hasValue) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) return Errors.notInteger;
      if (n < 1n) return Errors.syntax;
      o.count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
    } else if (optIs(opt, 'match') && hasValue) {
      o.pattern = matchesAll(argv[i + 1]) ? null : argv[i + 1];
    } else if (optIs(opt, 'type') && hasValue) {
      o.typeName = argv[i + 1].toString('latin1').toLowerCase();
    } else return Errors.syntax;
  }
  return o;
}

function scan(ctx: CommandContext, argv: Buffer[]): Reply {
  const cursor = parseScanCursor(argv[1]);
  if (cursor === null) return invalidCursor;
  const o = parseScanOptions(argv);
  if (o instanceof ErrorReply) return o;
  // A large COUNT is walked in batches, so a huge one still honours cancellation and deadline.
  const ks = ctx.server.keyspace;
  const found: Buffer[] = [];
  let next = Number(cursor);
  for (let remaining = o.count; ; ) {
    const batch = Math.min(remaining, KEYS_BATCH);
    // Expired keys too: each one met is deleted below, as Redis's scan does (and propagates).
    next = ks.scan(ctx.client.db, next, batch, found, true);
    remaining -= batch;
    if (remaining <= 0 || next === 0) break;
    const stop = interrupted(ctx);
    if (stop !== null) return stop;
  }
  let keys = found;
  if (o.pattern !== null) {
    const p = o.pattern;
    keys = keys.filter((k) => globMatch(p, k));
  }
  // A key past its TTL that matched the pattern is deleted now (Redis's expireIfNeeded).
  const db = ctx.client.db;
  keys = keys.filter((k) => ks.exists(db, k));
  if (o.typeName !== null) {
    const t = o.typeName;
    keys = keys.filter((k) => {
      const e = ks.peekEntry(db, k);
      return (e === null ? 'none' : typeOfValue(e.value)) === t;
    });
  }
  return [Buffer.from(String(next), 'latin1'), keys];
}

export const scanCommands: readonly CommandSpec[] = [
  command({
    name: 'keys',
    arity: 2,
    flags: ['readonly', 'dangerous'],
    group: 'generic',
    summary: 'Find all keys matching the given pattern',
    since: '1.0.0',
    complexity:
      'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
    syntax: 'pattern',
    handler: keys,
  }),
  command({
    name: 'scan',
    arity: -2,
    flags: ['readonly'],
    group: 'generic',
    summary: 'Incrementally iterate the keys space',
    since: '2.8.0',
    complexity:
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    syntax: 'cursor [MATCH pattern] [COUNT count] [TYPE type]',
    handler: scan,
  }),
];
