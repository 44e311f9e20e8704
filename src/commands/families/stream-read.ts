/**
 * XREAD and XREADGROUP (Redis 7.0's xreadCommand), and how a blocked one is served.
 *
 * - XREAD returns, per stream, the entries after the ID given (`$`: the stream's last ID).
 * - XREADGROUP with `>` delivers entries after the group's last-delivered ID, moving it on and
 *   adding them to the PEL of the group and the consumer (unless NOACK); with an ID it replays
 *   the consumer's own pending entries after that ID (a deleted entry comes back as
 *   `[id, nil]`).
 * - Replies: RESP2 an array of [key, entries] pairs, RESP3 a map key -> entries; a null array
 *   when nothing is served and there is no BLOCK.
 * - BLOCK ms (0: for ever) waits on every key (blocked-keys.ts) until an entry arrives past
 *   the ID (a served waiter gets at most COUNT entries, 1000 by default). Inside MULTI it
 *   answers the null array at once. A waiting XREADGROUP ends with an error when its key goes
 *   or its group is destroyed.
 */
import { str } from '../../engine/values/collection.js';
import { StreamValue } from '../../engine/values/stream.js';
import type { Consumer, ConsumerGroup, Nack } from '../../engine/values/stream-groups.js';
import {
  compareIds,
  formatId,
  incrId,
  MAX_ID,
  type StreamID,
  ZERO_ID,
} from '../../engine/values/stream-id.js';
import { readBytes } from '../../engine/values/stream-listpack.js';
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import { blockingDenied } from '../blocking.js';
import type { CommandContext } from '../context.js';
import { GroupFeed } from '../replication/stream-forms.js';
import { MapReply, NULL_ARRAY, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { optIs } from './lookup.js';
import {
  consumerFor,
  cText,
  entryBytesReply,
  entryReply,
  idReply,
  rangeReply,
  strictId,
} from './stream-args.js';
import { beginChange, endChange, lookupReadTyped } from './typed.js';

/** Entries a blocked reader gets when it gave no COUNT (XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000;

const unbalanced = new ErrorReply(
  'ERR',
  "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
);
const groupOnlyXreadgroup = new ErrorReply(
  'ERR',
  'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.',
);
const noackOnlyXreadgroup = new ErrorReply(
  'ERR',
  'ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.',
);
const missingGroup = new ErrorReply('ERR', 'ERR Missing GROUP option for XREADGROUP');
const dollarInGroup = new ErrorReply(
  'ERR',
  'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
);
const gtWithoutGroup = new ErrorReply(
  'ERR',
  'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
);
const timeoutNotInteger = new ErrorReply('ERR', 'ERR timeout is not an integer or out of range');
const timeoutNegative = new ErrorReply('ERR', 'ERR timeout is negative');
const keyGone = new ErrorReply('UNBLOCKED', 'UNBLOCKED the stream key no longer exists');
const groupGone = new ErrorReply(
  'ERR',
  'NOGROUP the consumer group this client was blocked on no longer exists',
);

function noGroup(key: Buffer, group: Buffer): ErrorReply {
  return new ErrorReply(
    'ERR',
    `NOGROUP No such key '${cText(key)}' or consumer group '${cText(group)}' in XREADGROUP with GROUP option`,
  );
}

/** An argument equal to `s` as C's strcmp sees it (up to a NUL byte). */
function cIs(b: Buffer, c: number): boolean {
  return b.length > 0 && b[0] === c && (b.length === 1 || b[1] === 0);
}

/**
 * Deliver the entries after `start` to a group's consumer (streamReplyWithRange with a group):
 * the group's last ID and read counter follow, and each entry joins the PELs unless NOACK
 * (an entry already pending elsewhere moves to this consumer, its count reset to 1).
 */
function deliverNew(
  ctx: CommandContext,
  s: StreamValue,
  g: ConsumerGroup,
  c: Consumer,
  start: StreamID,
  count: number,
  noack: boolean,
  feed: GroupFeed | null = null,
): Reply[] {
  const now = ctx.server.clock.now();
  const out: Reply[] = [];
  for (const e of s.rangeAs(start, MAX_ID, false, count, readBytes)) {
    s.advanceGroup(g, e.id);
    out.push(entryBytesReply(e));
    if (noack) continue;
    g.deliver(e.id, now, c);
    // Replicas get each delivery as an XCLAIM (with the group's last ID).
    if (feed !== null) feed.claim(g, formatId(e.id), g.pending(e.id) as Nack);
  }
  // NOACK moved the group without claims: its last ID goes out on its own.
  if (feed !== null && noack && out.length > 0) feed.groupId(g);
  return out;
}

/** Replay the consumer's pending entries from `start` (streamReplyWithRangeFromConsumerPEL). */
function deliverHistory(
  ctx: CommandContext,
  s: StreamValue,
  g: ConsumerGroup,
  c: Consumer,
  start: StreamID,
  count: number,
): Reply[] {
  const now = ctx.server.clock.now();
  const out: Reply[] = [];
  for (const id of c.pel.idsFrom(start)) {
    if (count !== 0 && out.length >= count) break;
    const e = s.entry(id);
    if (e === null) {
      out.push([idReply(id), NULL_ARRAY]);
      continue;
    }
    out.push(entryReply(e));
    g.update(id, now, 'incr', c);
  }
  return out;
}

function readReply(ctx: CommandContext, served: Array<[Buffer, Reply[]]>): Reply {
  if (ctx.client.resp === 3) return new MapReply(served.map(([k, es]) => [Buffer.from(k), es]));
  return served.map(([k, es]) => [Buffer.from(k), es]);
}

interface ReadArgs {
  timeoutMs: number;
  count: number;
  noack: boolean;
  group: Buffer | null;
  consumer: Buffer | null;
  keys: Buffer[];
  idArgs: Buffer[];
}

function parseReadArgs(ctx: CommandContext, argv: Buffer[], xreadgroup: boolean): ReadArgs | ErrorReply {
  let timeoutMs = -1;
  let count = 0n;
  let streamsAt = 0;
  let noack = false;
  let group: Buffer | null = null;
  let consumer: Buffer | null = null;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = argv[i];
    if (optIs(o, 'block') && more > 0) {
      // A script may not wait (Redis says so rather than answering as a timeout would).
      if (ctx.fromScript === true)
        return new ErrorReply(
          'ERR',
          `ERR ${cText(argv[0])} command is not allowed with BLOCK option from scripts`,
        );
      i++;
      const t = parseInt64(argv[i]);
      if (t === null) return timeoutNotInteger;
      if (t < 0n) return timeoutNegative;
      timeoutMs = Number(t);
    } else if (optIs(o, 'count') && more > 0) {
      i++;
      const n = parseInt64(argv[i]);
      if (n === null) return Errors.notInteger;
      count = n < 0n ? 0n : n;
    } else if (optIs(o, 'streams') && more > 0) {
      streamsAt = i + 1;
      if ((argv.length - streamsAt) % 2 !== 0) return unbalanced;
      break;
    } else if (optIs(o, 'group') && more >= 2) {
      if (!xreadgroup) return groupOnlyXreadgroup;
      group = argv[i + 1];
      consumer = argv[i + 2];
      i += 2;
    } else if (optIs(o, 'noack')) {
      if (!xreadgroup) return noackOnlyXreadgroup;
      noack = true;
    } else return Errors.syntax;
  }
  if (streamsAt === 0) return Errors.syntax;
  if (xreadgroup && group === null) return missingGroup;
  const n = (argv.length - streamsAt) / 2;
  return {
    timeoutMs,
    count: Number(count),
    noack,
    group,
    consumer,
    keys: argv.slice(streamsAt, streamsAt + n),
    idArgs: argv.slice(streamsAt + n),
  };
}

const GT = 0x3e;
const DOLLAR = 0x24;

function xreadGeneric(ctx: CommandContext, argv: Buffer[], xreadgroup: boolean): Reply | Promise<Reply> {
  const a = parseReadArgs(ctx, argv, xreadgroup);
  if (a instanceof ErrorReply) return a;
  const groupName = a.group === null ? null : str(a.group);
  const streams: Array<StreamValue | null> = [];
  const groups: Array<ConsumerGroup | null> = [];
  const ids: StreamID[] = [];
  for (let i = 0; i < a.keys.length; i++) {
    const s = lookupReadTyped(ctx, a.keys[i], StreamValue);
    if (s instanceof ErrorReply) return s;
    let g: ConsumerGroup | null = null;
    if (groupName !== null) {
      g = s?.groups.get(groupName) ?? null;
      if (g === null) return noGroup(a.keys[i], a.group as Buffer);
    }
    streams.push(s);
    groups.push(g);
    const arg = a.idArgs[i];
    if (cIs(arg, DOLLAR)) {
      if (xreadgroup) return dollarInGroup;
      ids.push(s?.lastId ?? ZERO_ID);
    } else if (cIs(arg, GT)) {
      if (!xreadgroup) return gtWithoutGroup;
      ids.push(MAX_ID);
    } else {
      const id = strictId(arg);
      if (id instanceof ErrorReply) return id;
      ids.push(id);
    }
  }
  const served: Array<[Buffer, Reply[]]> = [];
  for (let i = 0; i < a.keys.length; i++) {
    const s = streams[i];
    if (s === null) continue;
    const g = groups[i];
    let gt = ids[i];
    let sync = false;
    let history = false;
    if (g !== null) {
      if (compareIds(gt, MAX_ID) !== 0) {
        sync = true;
        history = true;
      } else if (s.length > 0 && compareIds(s.lastLiveId() ?? ZERO_ID, g.lastId) > 0) {
        sync = true;
        gt = g.lastId;
      }
    } else if (s.length > 0 && compareIds(s.lastLiveId() ?? ZERO_ID, gt) > 0) sync = true;
    const key = a.keys[i];
    if (g === null) {
      if (sync) served.push([key, rangeReply(s, incrId(gt) ?? ZERO_ID, MAX_ID, false, a.count)]);
      continue;
    }
    if (!sync) continue;
    // The consumer is created (or seen) only when something is served, as in Redis 7.0.
    ctx.server.blockedKeys.quietly(() => {
      beginChange(ctx, key);
      const name = str(a.consumer as Buffer);
      const feed = GroupFeed.start(ctx, key, a.group as Buffer);
      const fresh = feed !== null && a.noack && g.consumer(name) === undefined;
      const c = consumerFor(ctx, key, g, name);
      if (fresh) feed.consumerCreated(name);
      const start = incrId(gt) ?? ZERO_ID;
      const entries = history
        ? deliverHistory(ctx, s, g, c, start, a.count)
        : deliverNew(ctx, s, g, c, start, a.count, a.noack, feed);
      served.push([key, entries]);
      endChange(ctx, key);
    });
  }
  if (served.length > 0) return readReply(ctx, served);
  if (a.timeoutMs === -1 || blockingDenied()) return NULL_ARRAY;
  return block(ctx, a, ids, groupName);
}

/** Wait for entries past each key's ID (the first one given for a key named twice). */
function block(
  ctx: CommandContext,
  a: ReadArgs,
  ids: StreamID[],
  groupName: string | null,
): Promise<Reply> | Reply {
  const count = a.count === 0 ? BLOCKED_DEFAULT_COUNT : a.count;
  const after = new Map<string, StreamID>();
  a.keys.forEach((k, i) => {
    const name = k.toString('latin1');
    if (!after.has(name)) after.set(name, ids[i]);
  });
  const consumerName = a.consumer === null ? '' : str(a.consumer);
  const noack = a.noack;
  const served = (key: Buffer, entries: Reply[]): Reply => readReply(ctx, [[key, entries]]);
  if (groupName === null) {
    return ctx.server.blockedKeys.block(ctx, {
      keys: a.keys,
      type: StreamValue,
      timeoutMs: a.timeoutMs,
      timeoutReply: NULL_ARRAY,
      ready: (key, v) =>
        compareIds((v as StreamValue).lastId, after.get(key.toString('latin1')) ?? MAX_ID) > 0,
      serve: (key) => {
        const s = ctx.server.keyspace.get(ctx.client.db, key) as StreamValue;
        const from = incrId(after.get(key.toString('latin1')) ?? MAX_ID) ?? ZERO_ID;
        return served(key, rangeReply(s, from, MAX_ID, false, count));
      },
    });
  }
  return ctx.server.blockedKeys.block(ctx, {
    keys: a.keys,
    type: StreamValue,
    timeoutMs: a.timeoutMs,
    timeoutReply: NULL_ARRAY,
    ready: (_key, v) => {
      const g = (v as StreamValue).groups.get(groupName);
      return g === undefined || compareIds((v as StreamValue).lastId, g.lastId) > 0;
    },
    serve: (key) => {
      const s = ctx.server.keyspace.get(ctx.client.db, key) as StreamValue;
      const g = s.groups.get(groupName);
      if (g === undefined) return groupGone;
      beginChange(ctx, key);
      const feed = GroupFeed.start(ctx, key, a.group as Buffer);
      const fresh = feed !== null && noack && g.consumer(consumerName) === undefined;
      const c = consumerFor(ctx, key, g, consumerName);
      if (fresh) feed.consumerCreated(consumerName);
      const entries = deliverNew(ctx, s, g, c, incrId(g.lastId) ?? ZERO_ID, count, noack, feed);
      endChange(ctx, key);
      return served(key, entries);
    },
    gone: () => keyGone,
  });
}

const READ = {
  group: 'stream',
  keySpecs: [
    {
      begin: { keyword: 'STREAMS', startFrom: 1 },
      find: { range: { lastKey: -1, step: 1, limit: 2 } },
      flags: ['RO', 'access'],
    },
  ],
} as const;

export const streamReadCommands: readonly CommandSpec[] = [
  command({
    ...READ,
    name: 'xread',
    arity: -4,
    flags: ['readonly', 'blocking'],
    summary:
      'Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.',
    since: '5.0.0',
    complexity:
      'For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.',
    syntax: '[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]',
    handler: (ctx, argv) => xreadGeneric(ctx, argv, false),
  }),
  command({
    ...READ,
    keySpecs: [{ ...READ.keySpecs[0], begin: { keyword: 'STREAMS', startFrom: 4 } }],
    name: 'xreadgroup',
    arity: -7,
    flags: ['write', 'blocking'],
    summary:
      'Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.',
    since: '5.0.0',
    complexity:
      'For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.',
    syntax:
      'GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]',
    handler: (ctx, argv) => xreadGeneric(ctx, argv, true),
  }),
];
