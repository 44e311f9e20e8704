/**
 * The stream family's entry side: XADD XRANGE XREVRANGE XLEN XDEL XTRIM XSETID, as Redis 7.0's
 * t_stream.c answers them. Reading (XREAD, XREADGROUP), consumer groups (XGROUP, XACK,
 * XPENDING, XCLAIM, XAUTOCLAIM) and XINFO live in their own files and join the exported table
 * at the bottom.
 *
 * Auto-generated IDs take their time from the server's clock (`ctx.server.clock`), so tests
 * that move the clock get predictable IDs.
 */
import { type NodeLimits, STREAM_LISTPACK_MAX_SIZE, StreamValue } from '../../engine/values/stream.js';
import {
  compareIds,
  decrId,
  incrId,
  isZeroId,
  MAX_ID,
  type StreamID,
  ZERO_ID,
} from '../../engine/values/stream-id.js';
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { unchanged } from '../replication/rewrites.js';
import { replicateXadd, replicateXtrim, type TrimSite } from '../replication/stream-forms.js';
import { NULL_ARRAY, OK, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { notify, notifyNew, willCreate } from './keyspace-events.js';
import { optIs } from './lookup.js';
import { idReply, intervalId, invalidEnd, invalidStart, rangeReply, strictId } from './stream-args.js';
import { streamGroupCommands } from './stream-groups.js';
import { streamInfoCommands } from './stream-info.js';
import { streamReadCommands } from './stream-read.js';
import { type AddTrimArgs, parseAddTrimArgs } from './stream-trim.js';
import { beginChange, endChange, lookupReadTyped, lookupWriteTyped, storeNew } from './typed.js';

const zeroId = new ErrorReply('ERR', 'ERR The ID specified in XADD must be greater than 0-0');
const exhausted = new ErrorReply(
  'ERR',
  'ERR The stream has exhausted the last possible ID, unable to add more items',
);
const notAbove = new ErrorReply(
  'ERR',
  'ERR The ID specified in XADD is equal or smaller than the target stream top item',
);
const tooLarge = new ErrorReply('ERR', 'ERR Elements are too large to be stored');
const setIdBelowGivenDeleted = new ErrorReply(
  'ERR',
  'ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id',
);
const setIdBelowTop = new ErrorReply(
  'ERR',
  'ERR The ID specified in XSETID is smaller than the target stream top item',
);
const addedBelowLength = new ErrorReply(
  'ERR',
  'ERR The entries_added specified in XSETID is smaller than the target stream length',
);
const addedNegative = new ErrorReply('ERR', 'ERR entries_added must be positive');

/** The limits nodeLimits last made, and the config text they were made from. */
let lastLimits: NodeLimits = { maxEntries: 0n, maxBytes: 0 };
let lastMaxEntriesText = '';

/** stream-node-max-entries and stream-node-max-bytes as they are now. */
export function nodeLimits(ctx: CommandContext): NodeLimits {
  const config = ctx.server.config;
  const maxEntries = config.get('stream-node-max-entries');
  const maxBytes = config.int('stream-node-max-bytes');
  // Every XADD asks: the same limits are handed out again while the config is unchanged.
  if (maxEntries !== lastMaxEntriesText || maxBytes !== lastLimits.maxBytes) {
    lastLimits = { maxEntries: BigInt(maxEntries), maxBytes };
    lastMaxEntriesText = maxEntries;
  }
  return lastLimits;
}

/** XADD key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value ... */
function xadd(ctx: CommandContext, argv: Buffer[]): Reply {
  const limits = nodeLimits(ctx);
  const a = parseAddTrimArgs(argv, true, limits.maxEntries);
  if (a instanceof ErrorReply) return a;
  const fieldPos = a.next + 1;
  const pairs = argv.length - fieldPos;
  if (pairs < 2 || pairs % 2 === 1) return Errors.wrongArity('xadd');
  if (a.id?.seqGiven && isZeroId(a.id.id)) return zeroId;
  const key = argv[1];
  const found = lookupWriteTyped(ctx, key, StreamValue);
  if (found instanceof ErrorReply) return found;
  if (found === null && a.noMkStream) return null;
  const created = found === null;
  const announceNew = created && willCreate(ctx, key);
  const s = found ?? new StreamValue();
  if (compareIds(s.lastId, MAX_ID) === 0) return exhausted;
  let id: StreamID | null;
  if (a.id === null) id = s.autoId(ctx.server.clock.now());
  else id = a.id.seqGiven ? a.id.id : s.autoSeqId(a.id.id.ms);
  // `<ms>-*` with no sequence left in that ms is refused as not above the top item. (Redis
  // 7.0 fails there without setting errno, so its reply depends on a stale errno.)
  if (id === null || compareIds(id, s.lastId) <= 0) return notAbove;
  let total = 0;
  for (let i = fieldPos; i < argv.length; i++) total += argv[i].length;
  if (total > STREAM_LISTPACK_MAX_SIZE) {
    // Redis has created the (empty) stream by then, and keeps it.
    if (created) storeNew(ctx, key, s);
    return tooLarge;
  }
  if (!created) beginChange(ctx, key);
  s.addBytes(id, argv, fieldPos, limits);
  const trimmed = a.trim === null ? 0 : s.trim(a.trim);
  if (created) storeNew(ctx, key, s);
  else endChange(ctx, key);
  if (announceNew) notifyNew(ctx, key);
  notify(ctx, 't', 'xadd', key);
  if (trimmed > 0) notify(ctx, 't', 'xtrim', key);
  replicateXadd(ctx, argv, s, trimSite(a), a.next, id, a.id?.seqGiven === true);
  return idReply(id);
}

/** XRANGE key start end [COUNT count] / XREVRANGE key end start [COUNT count] */
function xrange(ctx: CommandContext, argv: Buffer[], rev: boolean): Reply {
  const s0 = intervalId(rev ? argv[3] : argv[2], 0n);
  if (s0 instanceof ErrorReply) return s0;
  const start = s0.exclusive ? incrId(s0.id) : s0.id;
  if (start === null) return invalidStart;
  const e0 = intervalId(rev ? argv[2] : argv[3], MAX_ID.seq);
  if (e0 instanceof ErrorReply) return e0;
  const end = e0.exclusive ? decrId(e0.id) : e0.id;
  if (end === null) return invalidEnd;
  let count = -1n;
  for (let j = 4; j < argv.length; j++) {
    if (optIs(argv[j], 'count') && argv.length - j - 1 >= 1) {
      const n = parseInt64(argv[j + 1]);
      if (n === null) return Errors.notInteger;
      count = n < 0n ? 0n : n;
      j++;
    } else return Errors.syntax;
  }
  const s = lookupReadTyped(ctx, argv[1], StreamValue);
  if (s === null || s instanceof ErrorReply) return s ?? [];
  if (count === 0n) return NULL_ARRAY;
  return rangeReply(s, start, end, rev, count === -1n ? 0 : Number(count));
}

function xlen(ctx: CommandContext, argv: Buffer[]): Reply {
  const s = lookupReadTyped(ctx, argv[1], StreamValue);
  if (s === null || s instanceof ErrorReply) return s ?? 0;
  return s.length;
}

/** XDEL key id [id ...]: every ID is checked before any is deleted. */
function xdel(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[1];
  const s = lookupWriteTyped(ctx, key, StreamValue);
  if (s === null || s instanceof ErrorReply) return s ?? 0;
  const ids: StreamID[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = strictId(argv[j]);
    if (id instanceof ErrorReply) return id;
    ids.push(id);
  }
  // Like the other changes but XADD's, a deletion wakes no blocked reader (Redis signals none).
  const deleted = ctx.server.blockedKeys.quietly(() => {
    beginChange(ctx, key);
    const n = s.deleteIds(ids);
    endChange(ctx, key);
    return n;
  });
  if (deleted > 0) notify(ctx, 't', 'xdel', key);
  else unchanged(ctx);
  return deleted;
}

/** XTRIM key <MAXLEN | MINID> [= | ~] threshold [LIMIT count] */
function xtrim(ctx: CommandContext, argv: Buffer[]): Reply {
  const a = parseAddTrimArgs(argv, false, nodeLimits(ctx).maxEntries);
  if (a instanceof ErrorReply) return a;
  const key = argv[1];
  const s = lookupWriteTyped(ctx, key, StreamValue);
  if (s === null || s instanceof ErrorReply) return s ?? 0;
  const trim = a.trim;
  const deleted = ctx.server.blockedKeys.quietly(() => {
    beginChange(ctx, key);
    const n = trim === null ? 0 : s.trim(trim);
    endChange(ctx, key);
    return n;
  });
  if (deleted > 0) notify(ctx, 't', 'xtrim', key);
  else unchanged(ctx);
  const site = trimSite(a);
  if (site !== null) replicateXtrim(ctx, argv, s, site);
  return deleted;
}

/** Where XADD's / XTRIM's trim is in argv, for the form replicas get. */
function trimSite(a: AddTrimArgs): TrimSite | null {
  return a.trim === null
    ? null
    : { thresholdAt: a.thresholdAt, approx: a.trim.approx, strategy: a.trim.strategy };
}

/** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
function xsetid(ctx: CommandContext, argv: Buffer[]): Reply {
  const id = strictId(argv[2]);
  if (id instanceof ErrorReply) return id;
  let entriesAdded = -1n;
  let maxDeleted: StreamID = ZERO_ID;
  for (let i = 3; i < argv.length; ) {
    const more = argv.length - 1 - i;
    if (optIs(argv[i], 'entriesadded') && more > 0) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) return Errors.notInteger;
      if (n < 0n) return addedNegative;
      entriesAdded = n;
    } else if (optIs(argv[i], 'maxdeletedid') && more > 0) {
      const d = strictId(argv[i + 1]);
      if (d instanceof ErrorReply) return d;
      if (compareIds(id, d) < 0) return setIdBelowGivenDeleted;
      maxDeleted = d;
    } else return Errors.syntax;
    i += 2;
  }
  const key = argv[1];
  const s = lookupWriteTyped(ctx, key, StreamValue);
  if (s === null) return Errors.noSuchKey;
  if (s instanceof ErrorReply) return s;
  if (s.length > 0) {
    const top = s.lastLiveId() ?? ZERO_ID;
    if (compareIds(id, top) < 0) return setIdBelowTop;
    if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) return addedBelowLength;
  }
  ctx.server.blockedKeys.quietly(() => {
    beginChange(ctx, key);
    s.lastId = id;
    if (entriesAdded !== -1n) s.entriesAdded = entriesAdded;
    if (!isZeroId(maxDeleted)) s.maxDeletedId = maxDeleted;
    endChange(ctx, key);
  });
  notify(ctx, 't', 'xsetid', key);
  return OK;
}

const STREAM = { group: 'stream', firstKey: 1, lastKey: 1, step: 1 } as const;

export const streamCommands: readonly CommandSpec[] = [
  command({
    ...STREAM,
    name: 'xadd',
    arity: -5,
    flags: ['write', 'denyoom', 'fast'],
    summary: 'Appends a new entry to a stream',
    since: '5.0.0',
    complexity:
      'O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.',
    syntax:
      'key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]',
    handler: xadd,
  }),
  command({
    ...STREAM,
    name: 'xrange',
    arity: -4,
    flags: ['readonly'],
    summary: 'Return a range of elements in a stream, with IDs matching the specified IDs interval',
    since: '5.0.0',
    complexity:
      'O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
    syntax: 'key start end [COUNT count]',
    handler: (ctx, argv) => xrange(ctx, argv, false),
  }),
  command({
    ...STREAM,
    name: 'xrevrange',
    arity: -4,
    flags: ['readonly'],
    summary:
      'Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE',
    since: '5.0.0',
    complexity:
      'O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
    syntax: 'key end start [COUNT count]',
    handler: (ctx, argv) => xrange(ctx, argv, true),
  }),
  command({
    ...STREAM,
    name: 'xlen',
    arity: 2,
    flags: ['readonly', 'fast'],
    summary: 'Return the number of entries in a stream',
    since: '5.0.0',
    complexity: 'O(1)',
    syntax: 'key',
    handler: xlen,
  }),
  command({
    ...STREAM,
    name: 'xdel',
    arity: -3,
    flags: ['write', 'fast'],
    summary:
      'Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.',
    since: '5.0.0',
    complexity: 'O(1) for each single item to delete in the stream, regardless of the stream size.',
    syntax: 'key id [id ...]',
    handler: xdel,
  }),
  command({
    ...STREAM,
    name: 'xtrim',
    arity: -4,
    flags: ['write'],
    summary: "Trims the stream to (approximately if '~' is passed) a certain size",
    since: '5.0.0',
    complexity:
      'O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.',
    syntax: 'key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]',
    handler: xtrim,
  }),
  command({
    ...STREAM,
    name: 'xsetid',
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    summary: 'An internal command for replicating stream values',
    since: '5.0.0',
    complexity: 'O(1)',
    syntax: 'key last-id [ENTRIESADDED entries_added] [MAXDELETEDID max_deleted_entry_id]',
    handler: xsetid,
  }),
  ...streamReadCommands,
  ...streamGroupCommands,
  ...streamInfoCommands,
];
