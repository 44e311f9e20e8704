/**
 * Arguments and replies shared by the stream commands, read exactly as Redis 7.0's t_stream.c
 * reads them:
 *
 * - IDs (streamGenericParseIDOrReply): `-` and `+` (unless strict), `<ms>` (the missing
 *   sequence supplied), `<ms>-<seq>`, and `<ms>-*` where the caller allows it. Each half goes
 *   through string2ull: Redis's strict integer form first, else C's strtoull, which takes
 *   leading white space, a sign (a minus wraps around), leading zeros, and stops at a NUL
 *   byte. An argument longer than 127 bytes is never an ID.
 * - Interval ends (streamParseIntervalIDOrReply): a leading `(` makes the end exclusive.
 */
import { bytes } from '../../engine/values/collection.js';
import type { StreamEntry, StreamValue } from '../../engine/values/stream.js';
import type { Consumer, ConsumerGroup } from '../../engine/values/stream-groups.js';
import { formatId, MAX_ID, type StreamID, UINT64_MAX, ZERO_ID } from '../../engine/values/stream-id.js';
import { readBytes } from '../../engine/values/stream-listpack.js';
import { ErrorReply } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { notify } from './keyspace-events.js';

export const invalidId = new ErrorReply('ERR', 'ERR Invalid stream ID specified as stream command argument');
export const invalidStart = new ErrorReply('ERR', 'ERR invalid start ID for the interval');
export const invalidEnd = new ErrorReply('ERR', 'ERR invalid end ID for the interval');

/** Longest ID argument Redis copies into its 128-byte buffer. */
const MAX_ID_ARG_BYTES = 127;
const UINT64_LIMIT = UINT64_MAX + 1n;

function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Redis's string2ull on a C string (bytes up to the first NUL); null when it fails. */
export function string2ull(b: Uint8Array): bigint | null {
  const strict = parseInt64(b);
  if (strict !== null) return strict < 0n ? null : strict;
  // strtoull(s, &end, 10) must consume the whole, non-empty string.
  const n = b.length;
  if (n === 0) return null;
  let i = 0;
  while (i < n && isCSpace(b[i])) i++;
  let neg = false;
  if (i < n && (b[i] === 0x2b || b[i] === 0x2d)) {
    neg = b[i] === 0x2d;
    i++;
  }
  const digits = i;
  let v = 0n;
  let small = 0;
  for (; i < n && b[i] >= 0x30 && b[i] <= 0x39; i++) {
    if (i - digits < 15) small = small * 10 + (b[i] - 0x30);
    else {
      if (i - digits === 15) v = BigInt(small);
      v = v * 10n + BigInt(b[i] - 0x30);
      if (v >= UINT64_LIMIT) return null; // ERANGE
    }
  }
  if (i === digits || i !== n) return null;
  if (i - digits <= 15) v = BigInt(small);
  return neg ? (UINT64_LIMIT - v) % UINT64_LIMIT : v;
}

export interface ParsedId {
  id: StreamID;
  /** False for `<ms>-*`: the sequence is to be chosen. */
  seqGiven: boolean;
}

export interface IdOptions {
  /** `-` and `+` are not IDs here. */
  strict: boolean;
  /** Sequence for an `<ms>` alone. */
  missingSeq: bigint;
  /** `<ms>-*` is allowed (XADD). */
  allowAutoSeq?: boolean;
}

/** streamGenericParseIDOrReply: the ID, or null when `arg` is not one. */
export function parseId(arg: Uint8Array, o: IdOptions): ParsedId | null {
  if (arg.length > MAX_ID_ARG_BYTES) return null;
  const nul = arg.indexOf(0);
  const s = nul < 0 ? arg : arg.subarray(0, nul);
  if (s.length === 1 && (s[0] === 0x2d || s[0] === 0x2b)) {
    if (o.strict) return null;
    return { id: s[0] === 0x2d ? ZERO_ID : MAX_ID, seqGiven: true };
  }
  const dash = s.indexOf(0x2d);
  const ms = string2ull(dash < 0 ? s : s.subarray(0, dash));
  if (ms === null) return null;
  if (dash < 0) return { id: { ms, seq: o.missingSeq }, seqGiven: true };
  const tail = s.subarray(dash + 1);
  if (o.allowAutoSeq && tail.length === 1 && tail[0] === 0x2a)
    return { id: { ms, seq: 0n }, seqGiven: false };
  const seq = string2ull(tail);
  return seq === null ? null : { id: { ms, seq }, seqGiven: true };
}

/** streamParseStrictIDOrReply with missing sequence 0: an ID, or the error to reply. */
export function strictId(arg: Uint8Array): StreamID | ErrorReply {
  return parseId(arg, { strict: true, missingSeq: 0n })?.id ?? invalidId;
}

/** streamParseIDOrReply (`-` and `+` allowed). */
export function looseId(arg: Uint8Array, missingSeq: bigint): StreamID | ErrorReply {
  return parseId(arg, { strict: false, missingSeq })?.id ?? invalidId;
}

/**
 * streamParseIntervalIDOrReply: an interval end, exclusive when it starts with `(` (then
 * strict: `(-` is no ID). The caller moves an exclusive end one ID inwards.
 */
export function intervalId(
  arg: Uint8Array,
  missingSeq: bigint,
): { id: StreamID; exclusive: boolean } | ErrorReply {
  if (arg.length > 1 && arg[0] === 0x28) {
    const p = parseId(arg.subarray(1), { strict: true, missingSeq });
    return p === null ? invalidId : { id: p.id, exclusive: true };
  }
  const p = parseId(arg, { strict: false, missingSeq });
  return p === null ? invalidId : { id: p.id, exclusive: false };
}

// ---- replies ------------------------------------------------------------------------------

/** The ms half idReply last wrote, and its digits with the dash. */
let replyMs = -1n;
let replyMsText: Buffer = Buffer.alloc(0);
/** Sequences below this are written digit by digit (exact as numbers). */
const SMALL_SEQ = 2n ** 52n;

/** `ms-seq` as a bulk reply. */
export function idReply(id: StreamID): Buffer {
  // IDs made in the same millisecond share their ms digits: they are formatted once.
  if (id.ms !== replyMs) {
    replyMsText = Buffer.from(`${id.ms}-`, 'latin1');
    replyMs = id.ms;
  }
  if (id.seq >= SMALL_SEQ) return Buffer.from(formatId(id), 'latin1');
  const head = replyMsText;
  let seq = Number(id.seq);
  let digits = 1;
  for (let t = seq; t >= 10; t = Math.floor(t / 10)) digits++;
  const out = Buffer.allocUnsafe(head.length + digits);
  for (let i = 0; i < head.length; i++) out[i] = head[i];
  for (let p = out.length - 1; p >= head.length; p--) {
    const d = Math.floor(seq / 10);
    out[p] = 48 + seq - d * 10;
    seq = d;
  }
  return out;
}

/** One entry as Redis replies it: [id, [field, value, ...]]. */
export function entryReply(e: StreamEntry): Reply {
  return [idReply(e.id), e.fields.map(bytes)];
}

export function entriesReply(es: readonly StreamEntry[]): Reply[] {
  return es.map(entryReply);
}

/** An entry read as Buffers (StreamValue.rangeAs with readBytes), as Redis replies it. */
export function entryBytesReply(e: { id: StreamID; fields: Buffer[] }): Reply {
  return [idReply(e.id), e.fields];
}

/** The entries of StreamValue.range, as Redis replies them (read straight into Buffers). */
export function rangeReply(
  s: StreamValue,
  start: StreamID,
  end: StreamID,
  rev: boolean,
  count: number,
): Reply[] {
  return s.rangeAs(start, end, rev, count, readBytes).map(entryBytesReply);
}

// ---- consumers ------------------------------------------------------------------------------

/** The group's consumer `name`, created when missing (streamCreateConsumer notifies). */
export function consumerFor(ctx: CommandContext, key: Buffer, g: ConsumerGroup, name: string): Consumer {
  const now = ctx.server.clock.now();
  const c = g.consumer(name);
  if (c !== undefined) {
    c.seenTime = now;
    return c;
  }
  const created = g.createConsumer(name, now) as Consumer;
  notify(ctx, 't', 'xgroup-createconsumer', key);
  return created;
}

/** An argument as Redis's %s prints it into an error: up to its first NUL byte. */
export function cText(b: Buffer): string {
  const z = b.indexOf(0);
  return (z < 0 ? b : b.subarray(0, z)).toString('utf8');
}
