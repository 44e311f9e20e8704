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
 * or, for a key that does not exist yet, fills a new object and hands it to `storeNew`.
 */
import type { Collection } from '../../engine/values/collection.js';
import { ErrorReply, Errors } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { countLookup } from './lookup.js';

type CollectionClass<T extends Collection> = abstract new (...args: never[]) => T;

/** lookupKeyRead + checkType: the collection, null when missing (counted), else WRONGTYPE. */
export function lookupReadTyped<T extends Collection>(
  ctx: CommandContext,
  key: Buffer,
  cls: CollectionClass<T>,
): T | null | ErrorReply {
  const v = ctx.server.keyspace.get(ctx.client.db, key);
  countLookup(ctx, v !== null);
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
 * Store the result of a *STORE command (SINTERSTORE, ZUNIONSTORE, ...): an empty result
 * deletes the destination, as Redis does. Returns the result's size.
 */
export function storeResult(ctx: CommandContext, key: Buffer, obj: Collection): number {
  const n = obj.size();
  if (n === 0) ctx.server.keyspace.delete(ctx.client.db, key);
  else ctx.server.keyspace.set(ctx.client.db, key, obj);
  return n;
}

export { ErrorReply };
