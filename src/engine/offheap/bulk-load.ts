/**
 * Restoring a snapshot into the off-heap keyspace (engine/bulk-load.ts): the same entries `set`
 * would store, without what a live server needs per key and a load does not. No lazy-expiry
 * lookup (the loader drops expired records), no incremental rehash step per key (the index is
 * sized up front from the snapshot's key counts, or rehashed at once when it has to grow), no
 * before-change or change events (nobody can watch a keyspace that is still loading, and Redis
 * sends no notifications for an RDB load either), one clock reading for the whole load.
 *
 * String records come in batches: their keys are hashed and their index buckets (and the first
 * entry of each chain) read in one pass before any is inserted, so the cache misses of a batch
 * overlap instead of being paid one after another; keys and values are copied into reused
 * scratch Buffers rather than given a Buffer view each.
 */
import type { BulkLoad, StringRecords } from '../bulk-load.js';
import { isCollection, type StoredValue } from '../values/collection.js';
import { hashBytes } from './hash.js';
import type { OffHeapKeyspace } from './keyspace.js';
import { NIL, refChunk, refOffset, W_LENS } from './layout.js';
import { insertEntry, overwriteEntry } from './write.js';

/** Buckets moved per rehash call when an index has to grow during a load. */
const REHASH_BATCH_BUCKETS = 1 << 16;
/** Records whose buckets are read ahead together (their cache lines must stay cached). */
const PREFETCH_RECORDS = 256;
/** Keys and values up to this long go through a reused Buffer; longer ones get a view. */
const SCRATCH_MAX_BYTES = 256;

export class OffHeapBulkLoad implements BulkLoad {
  private readonly now: number;
  private readonly hashes = new Uint32Array(PREFETCH_RECORDS);
  private readonly keyBufs: Buffer[] = [];
  private readonly valBufs: Buffer[] = [];
  /** Where the read-ahead loads go, so they are not optimized away. */
  sink = 0;

  constructor(private readonly ks: OffHeapKeyspace) {
    this.now = ks.clock.now();
  }

  reserve(db: number, keys: number): void {
    this.ks.reserve(db, keys);
  }

  put(db: number, key: Buffer, value: StoredValue, expireAt: number): void {
    this.store(db, key, hashBytes(key, 0, key.length, this.ks.seed), value, expireAt);
  }

  putStrings(buf: Buffer, r: StringRecords, from: number, to: number): void {
    const ks = this.ks;
    const seed = ks.seed;
    const hs = this.hashes;
    const u32 = ks.arena.u32;
    for (let s = from; s < to; s += PREFETCH_RECORDS) {
      const e = Math.min(to, s + PREFETCH_RECORDS);
      let acc = 0;
      for (let k = s; k < e; k++) {
        const h = hashBytes(buf, r.keyStart[k], r.keyEnd[k] - r.keyStart[k], seed);
        hs[k - s] = h;
        const dict = ks.dbs[r.db[k]].dict;
        if (dict.t0.length !== 0) acc ^= dict.t0[h & dict.mask0];
      }
      for (let k = s; k < e; k++) {
        const dict = ks.dbs[r.db[k]].dict;
        if (dict.t0.length === 0) continue;
        const ref = dict.t0[hs[k - s] & dict.mask0];
        if (ref !== NIL) acc ^= u32[refChunk(ref)][(refOffset(ref) >>> 2) + W_LENS];
      }
      this.sink = acc;
      for (let k = s; k < e; k++) {
        if (r.type[k] !== 0) continue;
        const key = scratch(this.keyBufs, buf, r.keyStart[k], r.keyEnd[k]);
        const value = scratch(this.valBufs, buf, r.keyEnd[k], r.valEnd[k]);
        this.store(r.db[k], key, hs[k - s], value, r.expireAt[k]);
      }
    }
  }

  private store(db: number, key: Buffer, h: number, value: StoredValue, expireAt: number): void {
    const ks = this.ks;
    const d = ks.dbs[db];
    const dict = d.dict;
    const e = ks.entries;
    const ref = dict.find(key, h);
    let sv: ReturnType<typeof e.encode>;
    if (isCollection(value)) {
      value.fitEncoding(ks.limits);
      sv = e.encodeObject(value);
    } else sv = e.encode(value);
    // A key written twice (changed while the snapshot ran): the later record wins.
    if (ref === NIL) insertEntry(ks, d, key, h, sv, this.now, expireAt);
    else overwriteEntry(ks, d, ref, key, sv, this.now, expireAt, false);
    if (dict.rehashIdx >= 0) while (dict.rehashStep(REHASH_BATCH_BUCKETS));
  }
}

/** Bytes [start, end) of `buf` in a Buffer reused for that length (a view when long). */
function scratch(cache: Buffer[], buf: Buffer, start: number, end: number): Buffer {
  const len = end - start;
  if (len > SCRATCH_MAX_BYTES) return buf.subarray(start, end);
  let out = cache[len];
  if (out === undefined) {
    out = Buffer.allocUnsafe(len);
    cache[len] = out;
  }
  for (let i = 0; i < len; i++) out[i] = buf[start + i];
  return out;
}
