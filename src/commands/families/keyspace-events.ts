/**
 * Keyspace notifications from command handlers, as Redis's notifyKeyspaceEvent calls: each
 * handler reports what it did to a key, in Redis's order, after the change. The server decides
 * whether anything is published (`notify-keyspace-events`); when nothing is, a call costs one
 * integer test. `expired` and `evicted` are not reported here: the server derives them from
 * the engine's own removals.
 *
 * Event names are Redis 7.0's: `set`, `incrby`, `del`, `rename_from`, `lpush`, `hset`, ...
 */
import type { CommandContext, NotifyClass } from '../context.js';

/** Redis's notifyKeyspaceEvent(type, event, key, c->db->id). */
export function notify(ctx: CommandContext, type: NotifyClass, event: string, key: Buffer): void {
  ctx.server.notify(type, event, key, ctx.client.db);
}

/** Class g (generic): `del`, `expire`, `persist`, `rename_from`, `copy_to`, ... */
export function notifyGeneric(ctx: CommandContext, event: string, key: Buffer): void {
  ctx.server.notify('g', event, key, ctx.client.db);
}

/**
 * Before a write that adds `key` when it is missing (Redis's dbAdd fires `new`): true when the
 * key is missing and `new` is published, so the caller reports it with `notifyNew` once the
 * key exists. Checks existence only while `new` is published. The check applies lazy expiry,
 * as Redis's lookupKeyWrite before dbAdd does.
 */
export function willCreate(ctx: CommandContext, key: Buffer): boolean {
  return ctx.server.notifies('n') && !ctx.server.keyspace.exists(ctx.client.db, key);
}

/** Class n: `key` was added to the keyspace. */
export function notifyNew(ctx: CommandContext, key: Buffer): void {
  ctx.server.notify('n', 'new', key, ctx.client.db);
}

/** Class m: a read lookup found no `key` (Redis's lookupKeyRead miss). */
export function notifyMiss(ctx: CommandContext, key: Buffer): void {
  ctx.server.notify('m', 'keymiss', key, ctx.client.db);
}

/**
 * After a collection changed in place (`endChange` answered `kept`): the command's event, then
 * `del` when the change emptied and so deleted the key, as every Redis write command does.
 */
export function notifyChanged(
  ctx: CommandContext,
  type: NotifyClass,
  event: string,
  key: Buffer,
  kept: boolean,
): void {
  const db = ctx.client.db;
  ctx.server.notify(type, event, key, db);
  if (!kept) ctx.server.notify('g', 'del', key, db);
}
