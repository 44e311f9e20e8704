/**
 * A small collection at rest as its packed string alone, without the object around it: a
 * listpack hash, a packed list, an intset or a stored listpack sorted set is named by a kind
 * and its element count, and is rebuilt from the two (`expand`) when a command next reads it.
 * The off-heap engine's object table (offheap/objects.ts) keeps collections this way between
 * commands: the object costs 64-96 bytes of heap, a third or more of what a 10-element
 * collection takes.
 */
import type { Collection } from './collection.js';
import { HashValue } from './hash.js';
import { ListValue } from './list.js';
import { SetValue } from './set.js';
import { ZSetValue } from './zset.js';

const HASH = 1;
const LIST = 2;
const INTSET = 3;
const ZSET = 4;
/** `meta` holds the kind above the count's 16 bits. */
const KIND_SHIFT = 16;
const COUNT_MASK = 0xffff;

/** The string `obj` may rest as, or null when it must stay an object. */
export function compactString(obj: Collection): string | null {
  if (obj instanceof HashValue || obj instanceof ListValue || obj instanceof ZSetValue) {
    return obj.compactForm();
  }
  return obj instanceof SetValue ? obj.compactForm() : null;
}

/** Kind and count of `obj`, whose `compactString` is not null; -1 when it must stay an object (empty). */
export function compactMeta(obj: Collection): number {
  const n = obj.size();
  if (n === 0 || n > COUNT_MASK) return -1;
  const kind =
    obj instanceof HashValue
      ? HASH
      : obj instanceof ListValue
        ? LIST
        : obj instanceof SetValue
          ? INTSET
          : ZSET;
  return (kind << KIND_SHIFT) | n;
}

/** The collection `meta` and `s` describe (a new object each time). */
export function expand(meta: number, s: string): Collection {
  const n = meta & COUNT_MASK;
  switch ((meta >>> KIND_SHIFT) & 0xff) {
    case HASH:
      return HashValue.fromCompact(s, n);
    case LIST:
      return ListValue.fromCompact(s, n);
    case INTSET:
      return SetValue.fromCompact(s, n);
    default:
      return ZSetValue.fromCompact(s, n);
  }
}
