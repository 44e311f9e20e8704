/**
 * Walking a database: SCAN (keys), snapshot iteration (keys with values), RANDOMKEY, and the
 * sampler the shared active expiry cycle (expire-cycle.ts) drives over each TTL set; and the
 * peek at one entry as stored.
 */
import type { PeekedEntry } from '../types.js';
import type { StoredValue } from '../values/collection.js';
import type { OffHeapKeyspace } from './keyspace.js';
import { F_RAW, NIL } from './layout.js';

/** Buckets visited per requested key at most, so a sparse table cannot stall one call (Redis: 10). */
const MAX_BUCKETS_PER_KEY = 10;
/** RANDOMKEY gives up after this many expired picks (the Map keyspace does the same). */
const RANDOM_KEY_ATTEMPTS = 100;

export function scanKeys(
  ks: OffHeapKeyspace,
  db: number,
  cursor: number,
  count: number,
  out: Buffer[],
  includeExpired: boolean,
): number {
  const e = ks.entries;
  const now = ks.clock.now();
  const want = out.length + count;
  const visit = (ref: number) => {
    if (includeExpired || !ks.isExpired(ref, now)) out.push(e.copyKey(ref));
  };
  return walk(ks, db, cursor, count, visit, () => out.length >= want);
}

export function scanEntries(
  ks: OffHeapKeyspace,
  db: number,
  cursor: number,
  count: number,
  visit: (key: Buffer, value: StoredValue, expireAt: number) => void,
): number {
  const e = ks.entries;
  let n = 0;
  // Views, not copies: the contract lets them be valid only during the call.
  const each = (ref: number) => {
    visit(e.keyView(ref), e.objectAt(ref) ?? e.valueView(ref), e.expireAt(ref));
    n++;
  };
  return walk(ks, db, cursor, count, each, () => n >= count);
}

function walk(
  ks: OffHeapKeyspace,
  db: number,
  cursor: number,
  count: number,
  visit: (ref: number) => void,
  enough: () => boolean,
): number {
  const dict = ks.dbs[db].dict;
  let steps = Math.max(count, 1) * MAX_BUCKETS_PER_KEY;
  let v = cursor >>> 0;
  do v = dict.scan(v, visit);
  while (v !== 0 && !enough() && --steps > 0);
  return v;
}

export function randomKey(ks: OffHeapKeyspace, db: number): Buffer | null {
  const dict = ks.dbs[db].dict;
  const now = ks.clock.now();
  for (let attempt = 0; attempt < RANDOM_KEY_ATTEMPTS && dict.size > 0; attempt++) {
    const ref = dict.randomRef();
    const key = ks.entries.copyKey(ref);
    if (!ks.isExpired(ref, now)) return key;
    if (ks.expiryHeld) continue;
    ks.willChange(db, key);
    dict.locate(ref, ks.entries.hashOf(ref));
    ks.removeFound(db, ref);
    ks.emitKey(db, key, 'expire');
  }
  return null;
}

/** Visit up to `max` keys with a TTL in `db` from where the last call stopped. */
export function sampleExpires(
  ks: OffHeapKeyspace,
  db: number,
  max: number,
  onKey: (expired: boolean) => void,
): number {
  const d = ks.dbs[db];
  const t = d.ttl;
  const e = ks.entries;
  const now = ks.clock.now();
  let n = 0;
  let wrapped = false;
  while (n < max && t.len > 0) {
    if (t.cursor >= t.len) {
      t.cursor = 0;
      if (wrapped) break;
      wrapped = true;
    }
    const ref = t.arr[t.cursor];
    n++;
    if (e.expireAt(ref) > now) {
      t.cursor++;
      onKey(false);
      continue;
    }
    // Expired: removal moves the last TTL key into this index, so the cursor stays.
    const key = ks.listener !== null || ks.before !== null ? e.copyKey(ref) : null;
    if (key !== null) ks.willChange(db, key);
    d.dict.locate(ref, e.hashOf(ref));
    ks.removeFound(db, ref);
    if (key !== null) ks.listener?.(db, key, 'expire');
    onKey(true);
  }
  return n;
}

/** Keyspace.peekEntry: the entry as stored, without lazy expiry or access updates. */
export function peekEntry(ks: OffHeapKeyspace, db: number, key: Buffer): PeekedEntry | null {
  const ref = ks.dbs[db].dict.find(key, ks.hash(key));
  if (ref === NIL) return null;
  const e = ks.entries;
  const obj = e.objectAt(ref);
  if (obj !== null) return { value: obj, expireAt: e.expireAt(ref) };
  const raw = (e.flags(ref) & F_RAW) !== 0;
  return { value: e.readValue(ref), expireAt: e.expireAt(ref), ...(raw ? { raw } : {}) };
}
