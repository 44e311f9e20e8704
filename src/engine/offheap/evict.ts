/**
 * Eviction under maxmemory, as Redis's evict.c does it: approximated LRU/LFU/TTL by sampling
 * `maxmemory-samples` keys per database into a small pool kept sorted by "idle" score, then
 * evicting the best candidate that still exists. The pool remembers good candidates across
 * calls, which brings the approximation close to true LRU. Random policies pick random keys.
 */
import type { OffHeapKeyspace } from './keyspace.js';
import { NIL } from './layout.js';

/** Candidates kept between rounds (Redis: EVPOOL_SIZE). */
const POOL_SIZE = 16;

export class Evictor {
  /** Sorted by ascending idle score: the best victim is at the highest filled index. */
  private readonly idle = new Float64Array(POOL_SIZE);
  private readonly keys: Array<Buffer | null> = new Array(POOL_SIZE).fill(null);
  private readonly dbOf = new Int32Array(POOL_SIZE);
  private readonly sampled: number[] = [];
  /** Round-robin start for the random policies (Redis: static next_db). */
  private nextDb = 0;

  constructor(private readonly ks: OffHeapKeyspace) {}

  /** Forget pooled candidates (their database was flushed or swapped). */
  clear(): void {
    this.keys.fill(null);
  }

  makeRoom(maxBytes: number): boolean {
    const ks = this.ks;
    if (ks.usedMemory() <= maxBytes) return true;
    const policy = ks.tuning.maxmemoryPolicy;
    if (policy === 'noeviction') return false;
    const volatile = policy.startsWith('volatile-');
    const random = policy.endsWith('-random');
    while (ks.usedMemory() > maxBytes) {
      const ok = random ? this.evictRandom(volatile) : this.evictFromPool(volatile);
      if (!ok) return false;
    }
    return true;
  }

  private evictRandom(volatile: boolean): boolean {
    const ks = this.ks;
    for (let i = 0; i < ks.databases; i++) {
      const db = (this.nextDb + i) % ks.databases;
      const d = ks.dbs[db];
      const ref = volatile ? d.ttl.random() : d.dict.randomRef();
      if (ref === NIL) continue;
      this.nextDb = (db + 1) % ks.databases;
      return ks.deleteAs(db, ks.entries.copyKey(ref), 'evict');
    }
    return false;
  }

  private evictFromPool(volatile: boolean): boolean {
    const ks = this.ks;
    for (;;) {
      let total = 0;
      for (let db = 0; db < ks.databases; db++) {
        const d = ks.dbs[db];
        const size = volatile ? d.ttl.len : d.dict.size;
        if (size === 0) continue;
        total += size;
        this.populate(db, volatile);
      }
      if (total === 0) return false;
      for (let k = POOL_SIZE - 1; k >= 0; k--) {
        const key = this.keys[k];
        if (key === null) continue;
        const db = this.dbOf[k];
        this.remove(k);
        // The candidate may be gone (deleted, or a key sampled twice): try the next best.
        if (ks.deleteAs(db, key, 'evict', volatile)) return true;
      }
    }
  }

  /** Sample keys of `db` and merge them into the pool by idle score (Redis: evictionPoolPopulate). */
  private populate(db: number, volatile: boolean): void {
    const ks = this.ks;
    const d = ks.dbs[db];
    const e = ks.entries;
    const out = this.sampled;
    out.length = 0;
    const samples = ks.tuning.maxmemorySamples;
    if (volatile) {
      for (let i = 0; i < samples && d.ttl.len > 0; i++) out.push(d.ttl.random());
    } else {
      d.dict.sample(samples, out);
    }
    const policy = ks.tuning.maxmemoryPolicy;
    const now = ks.clock.now();
    for (const ref of out) {
      let score: number;
      if (policy === 'volatile-ttl') score = -e.expireAt(ref);
      else if (policy.endsWith('-lfu')) score = 255 - ks.lfuCounter(ref, now);
      else score = ks.idleMs(ref, now);
      this.insert(db, ref, score);
    }
  }

  private insert(db: number, ref: number, score: number): void {
    const keys = this.keys;
    const idle = this.idle;
    let k = 0;
    while (k < POOL_SIZE && keys[k] !== null && idle[k] < score) k++;
    // Worse than every candidate of a full pool.
    if (k === 0 && keys[POOL_SIZE - 1] !== null) return;
    if (k < POOL_SIZE && keys[k] === null) {
      // Empty slot: insert here.
    } else if (keys[POOL_SIZE - 1] === null) {
      // Free space on the right: shift right from k.
      for (let j = POOL_SIZE - 1; j > k; j--) this.copySlot(j - 1, j);
    } else {
      // Pool full: drop the worst (leftmost) and shift left, inserting at k - 1.
      k--;
      for (let j = 0; j < k; j++) this.copySlot(j + 1, j);
    }
    keys[k] = this.ks.entries.copyKey(ref);
    idle[k] = score;
    this.dbOf[k] = db;
  }

  private copySlot(from: number, to: number): void {
    this.keys[to] = this.keys[from];
    this.idle[to] = this.idle[from];
    this.dbOf[to] = this.dbOf[from];
  }

  /** Take slot k out, closing the gap (keeps filled slots contiguous from the left). */
  private remove(k: number): void {
    for (let j = k; j < POOL_SIZE - 1; j++) this.copySlot(j + 1, j);
    this.keys[POOL_SIZE - 1] = null;
  }
}
