/**
 * The pending entries lists: XPENDING (summary, and the extended form with IDLE and a
 * consumer), XCLAIM and XAUTOCLAIM, as Redis 7.0's xpendingCommand, xclaimCommand and
 * xautoclaimCommand. Idle times are the server clock's now minus the last delivery time.
 *
 * A claim of an entry that no longer exists in the stream drops it from the PEL instead (and
 * XAUTOCLAIM lists such IDs in its third reply).
 */
import { str } from '../../engine/values/collection.js';
import { StreamValue } from '../../engine/values/stream.js';
import type { Consumer, ConsumerGroup, Nack } from '../../engine/values/stream-groups.js';
import {
  compareIds,
  decrId,
  formatId,
  incrId,
  type StreamID,
  ZERO_ID,
} from '../../engine/values/stream-id.js';
import { ErrorReply, Errors } from '../../errors.js';
import { intReply, parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { GroupFeed } from '../replication/stream-forms.js';
import { NULL_ARRAY, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { optIs } from './lookup.js';
import {
  consumerFor,
  cText,
  entryReply,
  idReply,
  intervalId,
  invalidEnd,
  invalidStart,
  parseId,
  strictId,
} from './stream-args.js';
import { beginChange, endChange, lookupReadTyped } from './typed.js';

/** XAUTOCLAIM examines at most COUNT * this many PEL entries. */
const ATTEMPTS_FACTOR = 10n;
/** LONG_MAX / 16: XAUTOCLAIM's largest COUNT. */
const AUTOCLAIM_MAX_COUNT = 9223372036854775807n / 16n;

const countPositive = new ErrorReply('ERR', 'ERR COUNT must be > 0');

function noGroup(key: Buffer, group: Buffer): ErrorReply {
  return new ErrorReply('ERR', `NOGROUP No such key '${cText(key)}' or consumer group '${cText(group)}'`);
}

/** The stream and group for a read-side lookup, or NOGROUP. */
function streamAndGroup(
  ctx: CommandContext,
  argv: Buffer[],
): { s: StreamValue; g: ConsumerGroup } | ErrorReply {
  const s = lookupReadTyped(ctx, argv[1], StreamValue);
  if (s instanceof ErrorReply) return s;
  const g = s?.groups.get(str(argv[2]));
  if (s === null || g === undefined) return noGroup(argv[1], argv[2]);
  return { s, g };
}

/** XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
function xpending(ctx: CommandContext, argv: Buffer[]): Reply {
  const argc = argv.length;
  if (argc !== 3 && (argc < 6 || argc > 9)) return Errors.syntax;
  let start = ZERO_ID;
  let end = ZERO_ID;
  let count = 0n;
  let minIdle = 0n;
  let consumerName: Buffer | null = null;
  if (argc >= 6) {
    let at = 3;
    if (optIs(argv[3], 'idle')) {
      const n = parseInt64(argv[4]);
      if (n === null) return Errors.notInteger;
      minIdle = n;
      if (argc < 8) return Errors.syntax;
      at += 2;
    }
    const n = parseInt64(argv[at + 2]);
    if (n === null) return Errors.notInteger;
    count = n < 0n ? 0n : n;
    const s0 = intervalId(argv[at], 0n);
    if (s0 instanceof ErrorReply) return s0;
    const s1 = s0.exclusive ? incrId(s0.id) : s0.id;
    if (s1 === null) return invalidStart;
    start = s1;
    const e0 = intervalId(argv[at + 1], 0xffffffffffffffffn);
    if (e0 instanceof ErrorReply) return e0;
    const e1 = e0.exclusive ? decrId(e0.id) : e0.id;
    if (e1 === null) return invalidEnd;
    end = e1;
    if (at + 3 < argc) consumerName = argv[at + 3];
  }
  const sg = streamAndGroup(ctx, argv);
  if (sg instanceof ErrorReply) return sg;
  const { g } = sg;
  if (argc === 3) return pendingSummary(g);
  let walk: IterableIterator<Nack>;
  if (consumerName !== null) {
    const c = g.consumer(str(consumerName));
    if (c === undefined) return [];
    walk = g.consumerPendingFrom(c, start);
  } else walk = g.pendingFrom(start);
  const now = ctx.server.clock.now();
  const out: Reply[] = [];
  for (const nack of walk) {
    if (count === 0n || compareIds(nack.id, end) > 0) break;
    const idle = now - nack.deliveryTime;
    if (minIdle !== 0n && BigInt(idle) < minIdle) continue;
    count--;
    out.push([
      idReply(nack.id),
      Buffer.from((nack.consumer as Consumer).name, 'latin1'),
      Math.max(0, idle),
      intReply(nack.deliveryCount),
    ]);
  }
  return out;
}

/** XPENDING key group: [count, first, last, [[consumer, count], ...]]. */
function pendingSummary(g: ConsumerGroup): Reply {
  const first = g.pel.first();
  const last = g.pel.last();
  if (first === undefined || last === undefined) return [0, null, null, NULL_ARRAY];
  const consumers: Reply[] = [];
  for (const c of g.sortedConsumers()) {
    if (c.pel.size === 0) continue;
    consumers.push([Buffer.from(c.name, 'latin1'), Buffer.from(String(c.pel.size))]);
  }
  return [g.pel.size, idReply(first), idReply(last), consumers];
}

/** The entry claimed, as XCLAIM and XAUTOCLAIM reply it: the entry, or just its ID. */
function claimedReply(s: StreamValue, id: StreamID, justId: boolean): Reply {
  if (justId) return idReply(id);
  const e = s.entry(id);
  return e === null ? null : entryReply(e);
}

/** XCLAIM key group consumer min-idle-time id [id ...] [options] */
function xclaim(ctx: CommandContext, argv: Buffer[]): Reply {
  const sg = streamAndGroup(ctx, argv);
  if (sg instanceof ErrorReply) return sg;
  const { s, g } = sg;
  const minIdle0 = parseInt64(argv[4]);
  if (minIdle0 === null) return new ErrorReply('ERR', 'ERR Invalid min-idle-time argument for XCLAIM');
  const minIdle = minIdle0 < 0n ? 0n : minIdle0;
  const ids: StreamID[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const p = parseId(argv[j], { strict: true, missingSeq: 0n });
    if (p === null) break;
    ids.push(p.id);
  }
  const now = ctx.server.clock.now();
  let deliveryTime: bigint | null = null;
  let retryCount = -1n;
  let force = false;
  let justId = false;
  let lastId = ZERO_ID;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j];
    if (optIs(opt, 'force')) force = true;
    else if (optIs(opt, 'justid')) justId = true;
    else if (optIs(opt, 'idle') && more > 0) {
      const n = parseInt64(argv[++j]);
      if (n === null) return new ErrorReply('ERR', 'ERR Invalid IDLE option argument for XCLAIM');
      deliveryTime = BigInt(now) - n;
    } else if (optIs(opt, 'time') && more > 0) {
      const n = parseInt64(argv[++j]);
      if (n === null) return new ErrorReply('ERR', 'ERR Invalid TIME option argument for XCLAIM');
      deliveryTime = n;
    } else if (optIs(opt, 'retrycount') && more > 0) {
      const n = parseInt64(argv[++j]);
      if (n === null) return new ErrorReply('ERR', 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
      retryCount = n;
    } else if (optIs(opt, 'lastid') && more > 0) {
      const id = strictId(argv[++j]);
      if (id instanceof ErrorReply) return id;
      lastId = id;
    } else {
      return new ErrorReply('ERR', `ERR Unrecognized XCLAIM option '${cText(opt)}'`);
    }
  }
  // -1 (or no IDLE/TIME) means now; a time in the future or before the epoch is now too.
  let when = now;
  if (deliveryTime !== null && deliveryTime !== -1n && deliveryTime >= 0n && deliveryTime <= BigInt(now))
    when = Number(deliveryTime);
  const key = argv[1];
  const name = str(argv[3]);
  return ctx.server.blockedKeys.quietly(() => {
    beginChange(ctx, key);
    // Replicas get one XCLAIM per entry claimed or dropped, else the moved last ID.
    const feed = GroupFeed.start(ctx, key, argv[2]);
    let lastIdMoved = false;
    if (compareIds(lastId, g.lastId) > 0) {
      g.lastId = lastId;
      lastIdMoved = true;
    }
    let consumer: Consumer | null = null;
    const out: Reply[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const nack = g.pending(id);
      if (s.entry(id) === null) {
        if (nack !== undefined) {
          feed?.claim(g, argv[5 + i], nack);
          lastIdMoved = false;
          g.ack(id);
        }
        continue;
      }
      if (nack === undefined && !force) continue;
      if (nack !== undefined && minIdle !== 0n && BigInt(now - nack.deliveryTime) < minIdle) continue;
      consumer ??= consumerFor(ctx, key, g, name);
      // FORCE: an entry not pending is created (count 1), then claimed as any other.
      if (nack === undefined) g.addPending(id, now, 1n, consumer);
      g.update(id, when, retryCount >= 0n ? retryCount : justId ? null : 'incr', consumer);
      out.push(claimedReply(s, id, justId));
      feed?.claim(g, argv[5 + i], g.pending(id) as Nack);
      lastIdMoved = false;
    }
    if (lastIdMoved) feed?.groupId(g);
    endChange(ctx, key);
    return out;
  });
}

/** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
function xautoclaim(ctx: CommandContext, argv: Buffer[]): Reply {
  const minIdle0 = parseInt64(argv[4]);
  if (minIdle0 === null) return new ErrorReply('ERR', 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  const minIdle = minIdle0 < 0n ? 0n : minIdle0;
  const s0 = intervalId(argv[5], 0n);
  if (s0 instanceof ErrorReply) return s0;
  const start = s0.exclusive ? incrId(s0.id) : s0.id;
  if (start === null) return invalidStart;
  let count = 100n;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (optIs(argv[j], 'count') && more > 0) {
      const n = parseInt64(argv[j + 1]);
      if (n === null || n < 1n || n > AUTOCLAIM_MAX_COUNT) return countPositive;
      count = n;
      j++;
    } else if (optIs(argv[j], 'justid')) justId = true;
    else return Errors.syntax;
  }
  const sg = streamAndGroup(ctx, argv);
  if (sg instanceof ErrorReply) return sg;
  const { s, g } = sg;
  const key = argv[1];
  const name = str(argv[3]);
  const now = ctx.server.clock.now();
  return ctx.server.blockedKeys.quietly(() => {
    beginChange(ctx, key);
    const feed = GroupFeed.start(ctx, key, argv[2]);
    let attempts = count * ATTEMPTS_FACTOR;
    const claimed: Reply[] = [];
    const deleted: Reply[] = [];
    let consumer: Consumer | null = null;
    const walk = g.pendingFrom(start);
    let next = walk.next();
    // Walk the PEL from start: COUNT entries claimed or dropped, at most COUNT * 10 looked at.
    for (; attempts > 0n && count > 0n && !next.done; next = walk.next()) {
      attempts--;
      const nack = next.value;
      const id = nack.id;
      if (s.entry(id) === null) {
        feed?.claim(g, formatId(id), nack);
        g.ack(id);
        deleted.push(idReply(id));
        count--;
        continue;
      }
      if (minIdle !== 0n && BigInt(now - nack.deliveryTime) < minIdle) continue;
      consumer ??= consumerFor(ctx, key, g, name);
      g.update(id, now, justId ? null : 'incr', consumer);
      claimed.push(claimedReply(s, id, justId));
      feed?.claim(g, formatId(id), g.pending(id) as Nack);
      count--;
    }
    endChange(ctx, key);
    // The cursor: the PEL entry after the last one looked at, 0-0 at the end.
    return [idReply(next.done ? ZERO_ID : next.value.id), claimed, deleted];
  });
}

const PENDING = { group: 'stream', firstKey: 1, lastKey: 1, step: 1 } as const;

export const streamPendingCommands: readonly CommandSpec[] = [
  command({
    ...PENDING,
    name: 'xpending',
    arity: -3,
    flags: ['readonly'],
    summary:
      'Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.',
    since: '5.0.0',
    complexity:
      'O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.',
    syntax: 'key group [[IDLE min-idle-time] start end count [consumer]]',
    handler: xpending,
  }),
  command({
    ...PENDING,
    name: 'xclaim',
    arity: -6,
    flags: ['write', 'fast'],
    summary:
      'Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.',
    since: '5.0.0',
    complexity: 'O(log N) with N being the number of messages in the PEL of the consumer group.',
    syntax:
      'key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]',
    handler: xclaim,
  }),
  command({
    ...PENDING,
    name: 'xautoclaim',
    arity: -6,
    flags: ['write', 'fast'],
    summary:
      'Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.',
    since: '6.2.0',
    complexity: 'O(1) if COUNT is small.',
    syntax: 'key group consumer min-idle-time start [COUNT count] [JUSTID]',
    handler: xautoclaim,
  }),
];
