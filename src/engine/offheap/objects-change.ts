/** Keyspace.modified for the off-heap engine: a collection changed in place (objects.ts). */
import type { OffHeapKeyspace } from './keyspace.js';
import { NIL } from './layout.js';

/**
 * Fit the collection's encoding, charge its memory again and report the change; an empty
 * collection is removed instead (a `del` change). False when the key was removed or holds no
 * collection.
 */
export function collectionModified(ks: OffHeapKeyspace, db: number, key: Buffer): boolean {
  const e = ks.entries;
  // The command's own lookup usually just found it: reuse that while nothing was freed since.
  const last = ks.lastRef;
  const ref =
    last !== NIL && ks.lastDb === db && ks.lastFrees === ks.arena.frees && e.keyEquals(last, key)
      ? last
      : ks.dbs[db].dict.find(key, ks.hash(key));
  if (ref === NIL) return false;
  const obj = e.objectAt(ref);
  if (obj === null) return false;
  if (obj.size() === 0 && obj.keepsWhenEmpty !== true) {
    // removeFound needs the dict's position of the entry.
    ks.dbs[db].dict.find(key, ks.hash(key));
    ks.removeFound(db, ref);
    ks.emitKey(db, key, 'del');
    return false;
  }
  obj.fitEncoding(ks.limits);
  e.objs.recharge(e.objectId(ref));
  ks.emitKey(db, key, 'set');
  return true;
}
