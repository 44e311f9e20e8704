/**
 * List operations shared by the list commands and their blocking forms (a served BLPOP pops
 * exactly as LPOP does): each goes through beginChange/endChange, so WATCH, snapshots and
 * blocked clients see it, and an emptied list is deleted, as Redis deletes it.
 */
import { bytes, str } from '../../engine/values/collection.js';
import { ListValue } from '../../engine/values/list.js';
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { notify, notifyChanged } from './keyspace-events.js';
import { optIs } from './lookup.js';
import { beginChange, endChange, storeCreated } from './typed.js';

/**
 * Redis counts list changes in `dirty` (INFO rdb_changes_since_last_save) per element pushed,
 * popped or removed, and an LMOVE once; the keyspace counts one per key it changed. After a
 * command that made `events` key changes and Redis would count `redis`, make up the difference.
 */
export function countLikeRedis(ctx: CommandContext, redis: number, events: number): void {
  ctx.server.dirty += redis - events;
}

/** The pop event (`lpop` / `rpop`), then `del` when the list was emptied and deleted. */
function notifyPopped(ctx: CommandContext, key: Buffer, head: boolean, kept: boolean): void {
  notifyChanged(ctx, 'l', head ? 'lpop' : 'rpop', key, kept);
}

/** Remove and return one item from an existing (non-empty) list. */
export function popOne(ctx: CommandContext, key: Buffer, l: ListValue, head: boolean): Buffer {
  beginChange(ctx, key);
  const v = (head ? l.popHead() : l.popTail()) as string;
  notifyPopped(ctx, key, head, endChange(ctx, key));
  return bytes(v);
}

/** Remove up to `count` items from one end, in the order they were popped (LPOP key count). */
export function popMany(
  ctx: CommandContext,
  key: Buffer,
  l: ListValue,
  head: boolean,
  count: number,
): Buffer[] {
  const n = Math.min(count, l.size());
  const out: Buffer[] = new Array(n);
  beginChange(ctx, key);
  for (let i = 0; i < n; i++) out[i] = bytes((head ? l.popHead() : l.popTail()) as string);
  notifyPopped(ctx, key, head, endChange(ctx, key));
  countLikeRedis(ctx, n, 1);
  return out;
}

/**
 * Push items one by one at the head or tail, creating the list when `l` is null (`new`), then
 * the `lpush` / `rpush` event.
 */
export function pushItems(
  ctx: CommandContext,
  key: Buffer,
  l: ListValue | null,
  items: readonly Buffer[],
  head: boolean,
): number {
  const target = l ?? new ListValue();
  if (l !== null) beginChange(ctx, key);
  for (const item of items) {
    if (head) target.pushHead(str(item));
    else target.pushTail(str(item));
  }
  if (l !== null) endChange(ctx, key);
  else storeCreated(ctx, key, target);
  notify(ctx, 'l', head ? 'lpush' : 'rpush', key);
  countLikeRedis(ctx, items.length, 1);
  return target.size();
}

/**
 * LMOVE's work once both keys are checked: pop from `src`, push to `dst` (created when `d` is
 * null), reply the item. Same key: pop and push on one object, so a one-item list survives.
 * Notified as Redis does: the push to `dst` first, then the pop from `src` (and its `del`).
 */
export function moveOne(
  ctx: CommandContext,
  src: Buffer,
  s: ListValue,
  dst: Buffer,
  d: ListValue | null,
  fromHead: boolean,
  toHead: boolean,
): Buffer {
  beginChange(ctx, src);
  const v = (fromHead ? s.popHead() : s.popTail()) as string;
  if (d === s) {
    if (toHead) s.pushHead(v);
    else s.pushTail(v);
    endChange(ctx, src);
    notify(ctx, 'l', toHead ? 'lpush' : 'rpush', dst);
    notifyPopped(ctx, src, fromHead, true);
    return bytes(v);
  }
  const item = bytes(v);
  pushItems(ctx, dst, d, [item], toHead);
  notifyPopped(ctx, src, fromHead, endChange(ctx, src));
  countLikeRedis(ctx, 1, 2);
  return item;
}

/** Redis's getListPositionFromObjectOrReply: LEFT (head, true) or RIGHT (tail, false). */
export function parseListEnd(arg: Buffer): boolean | ErrorReply {
  if (optIs(arg, 'left')) return true;
  if (optIs(arg, 'right')) return false;
  return Errors.syntax;
}

const numkeysError = new ErrorReply('ERR', 'ERR numkeys should be greater than 0');
const countError = new ErrorReply('ERR', 'ERR count should be greater than 0');

export interface MpopArgs {
  keys: Buffer[];
  /** LEFT / MIN. */
  first: boolean;
  count: number;
}

/**
 * `numkeys key [key ...] <where> [COUNT count]` from `numkeysIdx` (LMPOP, BLMPOP, BZMPOP), as
 * Redis's lmpopGenericCommand / zmpopGenericCommand check it, in that order.
 */
export function parseMpopArgs(
  argv: Buffer[],
  numkeysIdx: number,
  parseWhere: (arg: Buffer) => boolean | ErrorReply,
): MpopArgs | ErrorReply {
  const numkeys = parseInt64(argv[numkeysIdx]);
  if (numkeys === null || numkeys < 1n) return numkeysError;
  if (numkeys >= BigInt(argv.length - numkeysIdx - 1)) return Errors.syntax;
  const whereIdx = numkeysIdx + Number(numkeys) + 1;
  const first = parseWhere(argv[whereIdx]);
  if (first instanceof ErrorReply) return first;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && optIs(argv[j], 'count') && j + 1 < argv.length) {
      const c = parseInt64(argv[++j]);
      if (c === null || c < 1n) return countError;
      count = Number(c);
    } else return Errors.syntax;
  }
  return { keys: argv.slice(numkeysIdx + 1, whereIdx), first, count: count === -1 ? 1 : count };
}

/** LMPOP's reply for one list: [key, [items...]]. */
export function popManyWithKey(
  ctx: CommandContext,
  key: Buffer,
  l: ListValue,
  head: boolean,
  count: number,
): Reply {
  return [Buffer.from(key), popMany(ctx, key, l, head, count)];
}
