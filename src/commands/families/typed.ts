/**
 * Lookups of collection values for the hash, list, set and sorted-set families, named after
 * the Redis functions they reproduce (lookupKeyReadOrReply + checkType, lookupKeyWrite).
 *
 * A write changes the collection object in place:
 *
 *   const h = lookupWriteTyped(ctx, key, HashValue);   // WRONGTYPE | null | the object
 *   ...
 *   beginChange(ctx, key);          // before the first mutation (snapshot copy-on-write)
 *   h.set(field, value);
 *   endChange(ctx, key);            // encoding, memory, change event; deletes it when empty
 *
 * or, for a key that does not exist yet, fills a new object and hands it to `storeCreated` (which
 * also notifies `new`) or `storeNew`.
 */
import type { Collection } from '../../engine/values/collection.js';
import { ErrorReply, Errors } from '../../errors.js';
import type { CommandContext, NotifyClass } from '../context.js';
import { notify, notifyGeneric, notifyNew, willCreate } from './keyspace-events.js';
import { countLookup } from './lookup.js';

type CollectionClass<T extends Collection> = abstract new (...args: never[]) => T;

/** lookupKeyRead + checkType: the collection, null when missing (counted), else WRONGTYPE. */
export function lookupReadTyped<T extends Collection>(
  ctx: CommandContext,
  key: Buffer,
  cls: CollectionClass<T>,
): T | null | ErrorReply {
  const v = ctx.server.keyspace.get(ctx.client.db, key);
  countLookup(ctx, v !== null, key);
  if (v === null) return null;
  return v instanceof cls ? v : Errors.wrongType;
}

/** lookupKeyWrite + checkType: as lookupReadTyped, not counted as a hit or miss. */
export function lookupWriteTyped<T extends Collection>(
  ctx: CommandContext,
  key: Buffer,
  cls: CollectionClass<T>,
): T | null | ErrorReply {
  const v = ctx.server.keyspace.get(ctx.client.db, key);
  if (v === null) return null;
  return v instanceof cls ? v : Errors.wrongType;
}

/** The existing collection at `key` is about to change in place. */
export function beginChange(ctx: CommandContext, key: Buffer): void {
  ctx.server.keyspace.willModify(ctx.client.db, key);
}

/** The collection at `key` changed in place; false when it became empty and was deleted. */
export function endChange(ctx: CommandContext, key: Buffer): boolean {
  return ctx.server.keyspace.modified(ctx.client.db, key);
}

/** Store a new, non-empty collection under `key` (no TTL), replacing whatever was there. */
export function storeNew(ctx: CommandContext, key: Buffer, obj: Collection): void {
  ctx.server.keyspace.set(ctx.client.db, key, obj);
}

/**
 * `storeNew` where a write lookup found nothing, reported as Redis's dbAdd reports it: a `new`
 * notification.
 */
export function storeCreated(ctx: CommandContext, key: Buffer, obj: Collection): void {
  ctx.server.keyspace.set(ctx.client.db, key, obj);
  notifyNew(ctx, key);
}

/**
 * Store the result of a *STORE command (SINTERSTORE, ZUNIONSTORE, ...) and notify as Redis
 * does: a non-empty result is stored (`new` when the key was missing, then `event`); an empty
 * one deletes the destination (`del` when there was one). Returns the result's size.
 */
export function storeResult(
  ctx: CommandContext,
  key: Buffer,
  obj: Collection,
  type: NotifyClass,
  event: string,
): number {
  const n = obj.size();
  if (n === 0) {
    if (ctx.server.keyspace.delete(ctx.client.db, key)) notifyGeneric(ctx, 'del', key);
    return 0;
  }
  const created = willCreate(ctx, key);
  ctx.server.keyspace.set(ctx.client.db, key, obj);
  if (created) notifyNew(ctx, key);
  notify(ctx, type, event, key);
  return n;
}

export { ErrorReply };
