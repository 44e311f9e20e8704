/**
 * Protocol-neutral replies. Handlers return these; each door renders them (RESP2, RESP3, JSON,
 * protobuf). The common kinds are plain JS values so the hot path allocates nothing extra:
 *
 *   Buffer            bulk string (binary-safe)
 *   null              null (RESP2 `$-1`, RESP3 `_`)
 *   number | bigint   integer (bigint only when outside the safe range)
 *   Reply[]           array
 *
 * The rarer kinds are small classes.
 */
import { ErrorReply } from '../errors.js';

export { ErrorReply };

/** Status reply (`+OK`). Use the shared constants where possible. */
export class SimpleReply {
  constructor(readonly value: string) {}
}

/**
 * RESP3 double (`,3.14`); RESP2 renders it as a bulk string. `text`, when given, is the
 * printed form instead of `%.17g` (GEOPOS coordinates: Redis's addReplyHumanLongDouble).
 */
export class DoubleReply {
  constructor(
    readonly value: number,
    readonly text?: string,
  ) {}
}

/** RESP3 big number (`(12345...`); RESP2 renders it as a bulk string. Only scripts return one. */
export class BigNumberReply {
  constructor(readonly value: string) {}
}

/** RESP3 boolean (`#t`); RESP2 renders it as integer 1/0. */
export class BooleanReply {
  constructor(readonly value: boolean) {}
}

/** RESP3 map (`%`); RESP2 renders it as a flat array of key, value, ... */
export class MapReply {
  constructor(readonly entries: ReadonlyArray<readonly [Reply, Reply]>) {}
}

/** RESP3 set (`~`); RESP2 renders it as an array. */
export class SetReply {
  constructor(readonly items: readonly Reply[]) {}
}

/** RESP3 verbatim string (`=txt:`); RESP2 renders it as a bulk string. */
export class VerbatimReply {
  constructor(
    readonly format: string,
    readonly text: string,
  ) {}
}

/**
 * An out-of-band message (pub/sub message, keyspace notification, tracking invalidation): RESP3
 * push (`>`), RESP2 array. Sent with `ClientState.push`, or returned by the subscribe commands.
 */
export class PushReply {
  constructor(readonly items: readonly Reply[]) {}
}

/**
 * Several top-level replies for one command, written one after another (SUBSCRIBE a b c answers
 * one confirmation per channel). Doors without a stream of replies render it as an array.
 */
export class SequenceReply {
  constructor(readonly replies: readonly Reply[]) {}
}

/**
 * Bytes written to a RESP connection as they are, outside any reply framing: SYNC's RDB
 * payload (`$<len>\r\n<bytes>` with no CRLF after it, as Redis sends it). Other doors render
 * nothing for it (commands that answer one are RESP-only).
 */
export class RawReply {
  constructor(readonly bytes: Buffer) {}
}

/**
 * A reply preceded by RESP3 attributes (`|N` and N key/value pairs: DEBUG PROTOCOL ATTRIB).
 * RESP2 clients and scripts see only the reply, as with Redis.
 */
export class AttributeReply {
  constructor(
    readonly attributes: ReadonlyArray<readonly [Reply, Reply]>,
    readonly reply: Reply,
  ) {}
}

/**
 * An array of bulk strings given as latin1 strings (one char per byte, as collections keep
 * their elements): the RESP encoder writes each straight into its output, with no Buffer per
 * element. Only returned to a client whose `rawBulks` is set (a RESP connection's); handlers
 * give anyone else `bulkStrings(items)`, the same reply as Buffers.
 */
export class BulkStringsReply {
  constructor(readonly items: readonly string[]) {}
}

/** Most chars bulkStrings converts at once (bounds the joined string and the shared buffer). */
const VIEWS_MAX_CHARS = 64 * 1024;

/**
 * Bulk replies for latin1 `items`: their bytes written into a shared buffer a run of items at
 * a time, each reply a view of its part (one conversion per run instead of one per item).
 */
export function bulkStrings(items: readonly string[]): Buffer[] {
  const out: Buffer[] = new Array(items.length);
  for (let from = 0; from < items.length; ) {
    let to = from + 1;
    let chars = items[from].length;
    while (to < items.length && chars + items[to].length <= VIEWS_MAX_CHARS) chars += items[to++].length;
    const all = Buffer.from(to - from === 1 ? items[from] : items.slice(from, to).join(''), 'latin1');
    for (let p = 0; from < to; from++) {
      const end = p + items[from].length;
      out[from] = all.subarray(p, end);
      p = end;
    }
  }
  return out;
}

/** `items` as the reply `client` can take: BulkStringsReply on a RESP connection, else Buffers. */
export function bulkStringsFor(client: { readonly rawBulks?: boolean }, items: readonly string[]): Reply {
  return client.rawBulks === true ? new BulkStringsReply(items) : bulkStrings(items);
}

/** The null array: RESP2 `*-1` (EXEC after a failed WATCH), RESP3 `_`. */
export const NULL_ARRAY: unique symbol = Symbol('null-array');
/** No reply at all (CLIENT REPLY OFF/SKIP, or a command that already closed the client). */
export const NO_REPLY: unique symbol = Symbol('no-reply');

export type Reply =
  | Buffer
  | null
  | number
  | bigint
  | Reply[]
  | SimpleReply
  | ErrorReply
  | DoubleReply
  | BooleanReply
  | BigNumberReply
  | MapReply
  | SetReply
  | VerbatimReply
  | PushReply
  | SequenceReply
  | RawReply
  | AttributeReply
  | BulkStringsReply
  | typeof NULL_ARRAY
  | typeof NO_REPLY;

export const OK = new SimpleReply('OK');
export const QUEUED = new SimpleReply('QUEUED');
export const PONG = new SimpleReply('PONG');

/** A bulk reply from a JS string (UTF-8). */
export function bulk(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

export function isError(r: Reply): r is ErrorReply {
  return r instanceof ErrorReply;
}
