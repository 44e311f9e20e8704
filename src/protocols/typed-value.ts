/**
 * A whole key of any type, read through the command table, for the doors that answer a value
 * as one document (HTTP `GET /v1/keys/{key}`, gRPC `Get`): TYPE, then GET or the collection's
 * read command (HGETALL, LRANGE 0 -1, SMEMBERS, ZRANGE 0 -1 WITHSCORES). TYPE goes first, not
 * a GET that may fail: a WRONGTYPE would count as a failed call and an error reply in INFO and
 * the metrics for every read of a collection. The commands are synchronous, so nothing runs
 * between them. Replies are taken in either protocol's shapes (a RESP2 session gets flat
 * arrays, a RESP3 one maps, sets and pairs).
 */
import { DoubleReply, MapReply, type Reply, SetReply, SimpleReply } from '../commands/reply.js';
import type { Keyspace } from '../engine/types.js';
import { typeName } from '../engine/values/codec.js';
import { ErrorReply, Errors } from '../errors.js';
import { type StreamEntryValue, streamEntriesOf, streamReadArgv } from './typed-stream.js';

export type CollectionKind = 'hash' | 'list' | 'set' | 'zset' | 'stream';
export type ValueKind = 'string' | CollectionKind;

export type WholeValue =
  | { type: 'string'; value: Buffer }
  | { type: 'hash'; fields: Array<[Buffer, Buffer]> }
  | { type: 'list'; items: Buffer[] }
  | { type: 'set'; members: Buffer[] }
  | { type: 'zset'; members: Array<[Buffer, number]> }
  | { type: 'stream'; entries: StreamEntryValue[] };

/** Run one command for the caller's session. */
export type RunCommand = (argv: Buffer[]) => Reply | Promise<Reply>;
/** What a read gives: the value, null for a missing key, or the error to answer. */
export type ReadResult = WholeValue | null | ErrorReply;

const word = (s: string) => Buffer.from(s, 'latin1');
const GET = word('GET');
const TYPE = word('TYPE');
const HGETALL = word('HGETALL');
const LRANGE = word('LRANGE');
const SMEMBERS = word('SMEMBERS');
const ZRANGE = word('ZRANGE');
const WITHSCORES = word('WITHSCORES');
const ZERO = word('0');
const MINUS_ONE = word('-1');

/**
 * Continue with `r` now, or when it settles: no promise for the usual synchronous reply. Not
 * named `then`: a module exporting `then` is a thenable, which `await import()` would call.
 */
export function chain<T>(r: Reply | Promise<Reply>, fn: (r: Reply) => T | Promise<T>): T | Promise<T> {
  return r instanceof Promise ? r.then(fn) : fn(r);
}

const malformed = (what: string) => new ErrorReply('INTERNAL', `ERR unexpected reply to ${what}`);

/** The command that reads a collection whole. */
export function readArgv(type: CollectionKind, key: Buffer): Buffer[] {
  switch (type) {
    case 'hash':
      return [HGETALL, key];
    case 'list':
      return [LRANGE, key, ZERO, MINUS_ONE];
    case 'set':
      return [SMEMBERS, key];
    case 'zset':
      return [ZRANGE, key, ZERO, MINUS_ONE, WITHSCORES];
    case 'stream':
      return streamReadArgv(key);
  }
}

export function isCollectionKind(s: string): s is CollectionKind {
  return s === 'hash' || s === 'list' || s === 'set' || s === 'zset' || s === 'stream';
}

/** TYPE's reply as a kind: `none` for a missing key; a type this module cannot read is WRONGTYPE. */
export function kindOf(r: Reply): ValueKind | 'none' | ErrorReply {
  if (r instanceof ErrorReply) return r;
  if (!(r instanceof SimpleReply)) return malformed('TYPE');
  const t = r.value;
  if (t === 'none' || t === 'string' || isCollectionKind(t)) return t;
  return Errors.wrongType;
}

/** GET's reply as a read. */
export function fromGetReply(r: Reply): ReadResult {
  if (Buffer.isBuffer(r)) return { type: 'string', value: r };
  if (r === null || r instanceof ErrorReply) return r;
  return malformed('GET');
}

/**
 * The type of the key at `db`, looked up in the keyspace without a command (no stats, no access
 * time); the read command that follows runs every check (auth, ACL, loading). A missing key is
 * read with GET, so an unauthenticated or refused caller learns nothing from the peek.
 */
export function peekKind(keyspace: Keyspace, db: number, key: Buffer): ValueKind | ErrorReply {
  const code = keyspace.typeOf(db, key);
  if (code <= 0) return 'string';
  const name = typeName(code);
  return isCollectionKind(name) ? name : Errors.wrongType;
}

/** Any key: TYPE (or the keyspace's answer, when `peek` is given), then the read command. */
export function readWhole(
  run: RunCommand,
  key: Buffer,
  peek?: () => ValueKind | ErrorReply,
): ReadResult | Promise<ReadResult> {
  if (peek !== undefined) {
    const kind = peek();
    return kind instanceof ErrorReply ? kind : readAs(run, key, kind);
  }
  return chain(run([TYPE, key]), (t) => {
    const kind = kindOf(t);
    if (kind === 'none') return null;
    if (kind instanceof ErrorReply) return kind;
    return readAs(run, key, kind);
  });
}

/** A key of a known type, whole. */
export function readAs(run: RunCommand, key: Buffer, kind: ValueKind): ReadResult | Promise<ReadResult> {
  if (kind === 'string') return chain(run([GET, key]), fromGetReply);
  return chain(run(readArgv(kind, key)), (r) => collectionOf(kind, r));
}

/** A collection read command's reply as a value (empty reply: the key went away). */
export function collectionOf(type: CollectionKind, r: Reply): ReadResult {
  if (r instanceof ErrorReply) return r;
  switch (type) {
    case 'hash':
      return pairs<[Buffer, Buffer]>(
        r,
        'HGETALL',
        (f, v) => (Buffer.isBuffer(f) && Buffer.isBuffer(v) ? [f, v] : null),
        (fields) => (fields.length === 0 ? null : { type, fields }),
      );
    case 'list':
    case 'set': {
      const items = r instanceof SetReply ? r.items : r;
      if (!Array.isArray(items) || !items.every(Buffer.isBuffer)) return malformed(type);
      if (items.length === 0) return null;
      return type === 'list' ? { type, items: items as Buffer[] } : { type, members: items as Buffer[] };
    }
    case 'zset':
      return pairs<[Buffer, number]>(
        r,
        'ZRANGE',
        (m, s) => {
          const score = scoreOf(s);
          return Buffer.isBuffer(m) && score !== null ? [m, score] : null;
        },
        (members) => (members.length === 0 ? null : { type, members }),
      );
    case 'stream': {
      const entries = streamEntriesOf(r);
      return entries instanceof ErrorReply ? entries : { type, entries };
    }
  }
}

/**
 * Pairs from a map (RESP3 HGETALL), a flat array (RESP2) or an array of two-element arrays
 * (RESP3 ZRANGE WITHSCORES).
 */
function pairs<T>(
  r: Reply,
  what: string,
  pair: (a: Reply, b: Reply) => T | null,
  done: (out: T[]) => ReadResult,
): ReadResult {
  const out: T[] = [];
  if (r instanceof MapReply) {
    for (const [a, b] of r.entries) {
      const p = pair(a, b);
      if (p === null) return malformed(what);
      out.push(p);
    }
    return done(out);
  }
  if (!Array.isArray(r)) return malformed(what);
  const nested = r.length > 0 && Array.isArray(r[0]);
  if (!nested && r.length % 2 !== 0) return malformed(what);
  for (let i = 0; i < r.length; i += nested ? 1 : 2) {
    const e = r[i];
    const p = nested ? (Array.isArray(e) && e.length === 2 ? pair(e[0], e[1]) : null) : pair(e, r[i + 1]);
    if (p === null) return malformed(what);
    out.push(p);
  }
  return done(out);
}

/** A score as a RESP3 double or a RESP2 bulk string (`1.5`, `inf`, `-inf`). */
export function scoreOf(r: Reply): number | null {
  if (r instanceof DoubleReply) return r.value;
  if (!Buffer.isBuffer(r)) return null;
  const s = r.toString('latin1');
  if (s === 'inf' || s === '+inf') return Number.POSITIVE_INFINITY;
  if (s === '-inf') return Number.NEGATIVE_INFINITY;
  const n = Number(s);
  return s.length > 0 && !Number.isNaN(n) ? n : null;
}
