/**
 * Setting and removing a key's TTL in the off-heap keyspace. An entry without a TTL has no
 * expiry word in its block, so the first TTL relays the entry out (relayout.ts) before it
 * joins the database's TTL set; removing it leaves the word in place (a later TTL reuses it).
 */
import type { OffHeapKeyspace } from './keyspace.js';
import { F_TTL, NIL } from './layout.js';
import { relayout } from './relayout.js';

/** EXPIRE family / SET's TTL on an existing key: 0 removes it. False when the key is missing. */
export function setExpireTime(ks: OffHeapKeyspace, db: number, key: Buffer, expireAtMs: number): boolean {
  const d = ks.dbs[db];
  const e = ks.entries;
  let ref = ks.lookup(db, key, ks.clock.now());
  if (ref === NIL) return false;
  ks.announce(db, key);
  const oldAt = e.expireAt(ref);
  if (expireAtMs !== oldAt) {
    if (expireAtMs === 0) {
      ks.removeTtl(d, e.ttlIndex(ref));
      e.setExpireAt(ref, 0);
    } else {
      if ((e.flags(ref) & F_TTL) === 0) ref = relayout(ks, d, ref, true);
      if (oldAt === 0) e.setTtlIndex(ref, d.ttl.add(ref));
      e.setExpireAt(ref, expireAtMs);
    }
  }
  ks.emitKey(db, key, 'set');
  return true;
}

/** PERSIST: false when the key is missing or has no TTL. */
export function persist(ks: OffHeapKeyspace, db: number, key: Buffer): boolean {
  const e = ks.entries;
  const ref = ks.lookup(db, key, ks.clock.now());
  if (ref === NIL || e.expireAt(ref) === 0) return false;
  ks.announce(db, key);
  ks.removeTtl(ks.dbs[db], e.ttlIndex(ref));
  e.setExpireAt(ref, 0);
  ks.emitKey(db, key, 'set');
  return true;
}

/**
 * Keyspace.expireTimeAfterRead: the entry the latest lookup found (a `get` of the same key just
 * before) while nothing was freed since, as objects-change.ts reuses it; else `expireTime`.
 */
export function expireTimeAfterRead(ks: OffHeapKeyspace, db: number, key: Buffer): number {
  const ref = ks.lastRef;
  if (ref !== NIL && ks.lastDb === db && ks.lastFrees === ks.arena.frees && ks.entries.keyEquals(ref, key)) {
    const at = ks.entries.expireAt(ref);
    if (at === 0) return -1;
    // Expired since: expireTime's lookup removes it, as any read would.
    if (at > ks.clock.now()) return at;
  }
  return ks.expireTime(db, key);
}
