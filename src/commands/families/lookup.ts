/**
 * Key lookups and argument rules shared by the string, key and expiry families, named after
 * the Redis functions whose behaviour they reproduce.
 *
 * Redis counts `keyspace_hits` / `keyspace_misses` for read lookups only (lookupKeyRead*), never
 * for the lookups a write command makes (lookupKeyWrite): the helpers here make that choice
 * visible at each call site.
 */
import type { StoredValue } from '../../engine/values/collection.js';
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';

/** Redis's lookupKeyRead: the value of any type (LRU/LFU touched), counted as a hit or miss. */
export function lookupValue(ctx: CommandContext, key: Buffer): StoredValue | null {
  const v = ctx.server.keyspace.get(ctx.client.db, key);
  countLookup(ctx, v !== null, key);
  return v;
}

/** A string read (lookupKeyRead + checkType): the bytes, null when missing, else WRONGTYPE. */
export function lookupRead(ctx: CommandContext, key: Buffer): Buffer | null | ErrorReply {
  const v = ctx.server.keyspace.get(ctx.client.db, key);
  countLookup(ctx, v !== null, key);
  return v === null || v instanceof Uint8Array ? (v as Buffer | null) : Errors.wrongType;
}

/** A string about to be written from its old value (lookupKeyWrite + checkType): not counted. */
export function lookupWriteString(ctx: CommandContext, key: Buffer): Buffer | null | ErrorReply {
  const v = ctx.server.keyspace.get(ctx.client.db, key);
  return v === null || v instanceof Uint8Array ? (v as Buffer | null) : Errors.wrongType;
}

/**
 * Redis's lookupKeyReadWithFlags(LOOKUP_NOTOUCH): existence only, counted, access time kept;
 * a miss notifies `keymiss` unless `notifyMiss` is false (OBJECT's LOOKUP_NONOTIFY).
 */
export function existsRead(ctx: CommandContext, key: Buffer, notifyMiss = true): boolean {
  const found = ctx.server.keyspace.exists(ctx.client.db, key);
  countLookup(ctx, found, notifyMiss ? key : undefined);
  return found;
}

/**
 * The value without updating its access time, for introspection (OBJECT): Redis's
 * LOOKUP_NOTOUCH | LOOKUP_NONOTIFY (a miss is counted, not notified; TYPE passes
 * `notifyMiss`, as its lookup is LOOKUP_NOTOUCH only). `exists` applies lazy expiry first,
 * since `peekEntry` does not.
 */
export function peekRead(ctx: CommandContext, key: Buffer, notifyMiss = false): StoredValue | null {
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const v = ks.exists(db, key) ? (ks.peekEntry(db, key)?.value ?? null) : null;
  countLookup(ctx, v !== null, notifyMiss ? key : undefined);
  return v;
}

/**
 * Count a read lookup as a hit or a miss; a miss of `key` is also a `keymiss` notification
 * (Redis's lookupKey without LOOKUP_NONOTIFY: pass no key for the lookups that have it).
 */
export function countLookup(ctx: CommandContext, hit: boolean, key?: Buffer): void {
  if (hit) ctx.server.stats.keyspaceHits++;
  else {
    ctx.server.stats.keyspaceMisses++;
    if (key !== undefined) ctx.server.notify('m', 'keymiss', key, ctx.client.db);
  }
}

/**
 * A private copy of a value about to be replied after the key is written or deleted in the
 * same command (GETSET, SET ... GET, GETDEL): the engine contract lets an engine reuse the
 * bytes it handed out once the key changes.
 */
export function own(v: Buffer): Buffer {
  return Buffer.from(v);
}

const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

const int32OutOfRange = new ErrorReply(
  'ERR',
  'ERR value is out of range, value must between -2147483648 and 2147483647',
);

/**
 * Redis's getIntFromObjectOrReply: an int64 within int32, else `value is not an integer or out
 * of range` / `value is out of range, ...`, or `msg` for both when given (SWAPDB does).
 */
export function parseInt32OrReply(arg: Buffer, msg?: ErrorReply): number | ErrorReply {
  const v = parseInt64(arg);
  if (v === null) return msg ?? Errors.notInteger;
  if (v < INT32_MIN || v > INT32_MAX) return msg ?? int32OutOfRange;
  return Number(v);
}

/** Redis's selectDb bounds: a database index the server has, else `DB index is out of range`. */
export function parseDbIndexOrReply(ctx: CommandContext, arg: Buffer): number | ErrorReply {
  const id = parseInt32OrReply(arg);
  if (typeof id !== 'number') return id;
  if (id < 0 || id >= ctx.server.keyspace.databases) return Errors.dbIndexOutOfRange;
  return id;
}

export const sameObject = new ErrorReply('ERR', 'ERR source and destination objects are the same');

/** Length of an argument as C sees it: up to the first NUL byte. */
function cLength(b: Uint8Array): number {
  const z = b.indexOf(0);
  return z < 0 ? b.length : z;
}

/**
 * Redis compares option words as C strings (strcasecmp, or char by char up to '\0'), so bytes
 * after a NUL are not seen: `EX\0junk` is EX. Matching that keeps replies identical.
 */
export function optIs(b: Uint8Array, lowerWord: string): boolean {
  if (cLength(b) !== lowerWord.length) return false;
  for (let i = 0; i < lowerWord.length; i++) {
    let c = b[i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lowerWord.charCodeAt(i)) return false;
  }
  return true;
}

/** An argument echoed in an error with `%s`: cut at the first NUL, as C prints it. */
export function cString(b: Buffer): string {
  return b.subarray(0, cLength(b)).toString('utf8');
}

/**
 * For long-running commands (KEYS, LCS): the reply to give up with when the client went away
 * or the command's deadline passed, else null. Cheap enough to call every few thousand steps.
 */
export function interrupted(ctx: CommandContext): ErrorReply | null {
  if (ctx.signal?.aborted) return Errors.cancelled;
  if (ctx.deadline !== 0 && ctx.server.clock.now() > ctx.deadline) return Errors.timeout;
  return null;
}
