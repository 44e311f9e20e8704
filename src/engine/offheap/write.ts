/**
 * The write path of SET: a new entry (with its key prefix interned when worth it), or a new
 * value for an existing one, rewritten in place when the block size class allows and moved to
 * a new block otherwise. TTL set membership and prefix references follow the entry.
 */
import type { StoredValue } from './entries.js';
import type { Db, OffHeapKeyspace } from './keyspace.js';
import { entryBytes, F_TTL, isInline } from './layout.js';

/** Store a key that is not in `d` yet (`h`: its hash). */
export function insertEntry(
  ks: OffHeapKeyspace,
  d: Db,
  key: Buffer,
  h: number,
  sv: StoredValue,
  now: number,
  at: number,
): void {
  const e = ks.entries;
  const vlen = sv.bytes.length;
  const ttl = at !== 0;
  const pid = prefixFor(ks, key, vlen, ttl);
  let nref: number;
  try {
    nref = ks.arena.alloc(entryBytes(e.storedKeyLen(key, pid), vlen, ttl));
  } catch (err) {
    if (pid !== 0) e.prefixes.release(pid);
    throw err;
  }
  const ti = ttl ? d.ttl.add(nref) : 0;
  e.write(nref, key, pid, sv, ttl, ks.newClock(now), at, ti);
  d.dict.insert(nref, h);
}

/** The prefix id a new key is stored with (a reference taken), or 0. */
function prefixFor(ks: OffHeapKeyspace, key: Buffer, vlen: number, ttl: boolean): number {
  const prefixes = ks.entries.prefixes;
  const plen = prefixes.split(key);
  if (plen === 0) return 0;
  const pid = prefixes.acquire(key, plen);
  if (pid === 0 || isInline(ks.entries.storedKeyLen(key, pid), vlen, ttl)) return pid;
  // Going external anyway: the key is stored whole there.
  prefixes.release(pid);
  return 0;
}

/** Replace the value of the live entry `ref` (just found in `d`). */
export function overwriteEntry(
  ks: OffHeapKeyspace,
  d: Db,
  ref: number,
  key: Buffer,
  sv: StoredValue,
  now: number,
  expireAtMs: number,
  keepTtl: boolean,
): void {
  const e = ks.entries;
  const vlen = sv.bytes.length;
  const hadSlot = (e.flags(ref) & F_TTL) !== 0;
  const oldAt = e.expireAt(ref);
  const at = keepTtl ? oldAt : expireAtMs;
  ks.touchRef(ref, now);
  const clock = e.clock(ref);
  const oldSize = e.blockSize(ref);
  // The key keeps its prefix id (and the reference) unless the entry has to go external.
  let pid = e.prefixId(ref);
  const klen = e.storedKeyLen(key, pid);
  let slot = at !== 0;
  let size = entryBytes(klen, vlen, slot);
  // A TTL slot that is no longer needed stays when dropping it would not shrink the block.
  if (!slot && hadSlot && entryBytes(klen, vlen, true) === oldSize) {
    slot = true;
    size = oldSize;
  }
  const dropPid = pid !== 0 && !isInline(klen, vlen, slot) ? pid : 0;
  if (dropPid !== 0) pid = 0;
  let ti = oldAt !== 0 ? e.ttlIndex(ref) : 0;
  if (size === oldSize && slot === hadSlot) {
    e.dropExternal(ref);
    if (oldAt !== 0 && at === 0) ks.removeTtl(d, ti);
    else if (oldAt === 0 && at !== 0) ti = d.ttl.add(ref);
    e.write(ref, key, pid, sv, slot, clock, at, ti);
    if (dropPid !== 0) e.prefixes.release(dropPid);
    return;
  }
  const nref = ks.arena.alloc(size);
  if (oldAt !== 0 && at !== 0) d.ttl.arr[ti] = nref;
  else if (oldAt !== 0) ks.removeTtl(d, ti);
  else if (at !== 0) ti = d.ttl.add(nref);
  e.write(nref, key, pid, sv, slot, clock, at, ti);
  d.dict.replaceFound(ref, nref);
  e.dropExternal(ref);
  if (dropPid !== 0) e.prefixes.release(dropPid);
  ks.arena.free(ref, oldSize);
}
