/**
 * The off-heap keyspace: keys and values live in an arena of ArrayBuffer chunks (arena.ts,
 * layout.ts), indexed per database by an incrementally rehashed dict (dict.ts). The JS heap
 * holds a handful of typed arrays per database instead of an object per key, so memory per key
 * stays below Redis's and the garbage collector has nothing to walk.
 *
 * Same observable behaviour as MapKeyspace (the oracle of the differential tests): lazy expiry
 * on access, the shared active expiry policy (expire-cycle.ts) over a TTL set per database,
 * change events with fresh key copies. Eviction (evict.ts) follows Redis's sampled pool;
 * defragmentation (defrag.ts) runs in small steps from the background cycle.
 */
import { type Clock, systemClock } from '../clock.js';
import { createExpireCycle } from '../expire-cycle.js';
import type {
  BeforeChangeListener,
  ChangeKind,
  ChangeListener,
  EngineTuning,
  ExpireCycleStats,
  KeyMeta,
  Keyspace,
  PeekedEntry,
} from '../types.js';
import { Arena } from './arena.js';
import { Defragmenter, type DefragStats } from './defrag.js';
import { Dict, IndexBytes } from './dict.js';
import { Entries, EXTERNAL_OVERHEAD_BYTES } from './entries.js';
import { Evictor } from './evict.js';
import { hashBytes, randomSeed } from './hash.js';
import { entryBytes, F_EXTERNAL, F_TTL, headerBytes, NIL, refChunk, refOffset, W_ATIME, W_META } from './layout.js';
import { LFU_INIT_VAL, lfuDecayed, lfuLogIncr, lfuMinutes, lfuPack, lruSeconds } from './lfu.js';
import { relayout } from './relayout.js';
import { TtlSet } from './ttl-set.js';

/** Default for values offered to LZ4, bytes (config `compression-threshold`). */
export const DEFAULT_COMPRESSION_THRESHOLD_BYTES = 1024;
/** Background work (rehash, defrag) per activeExpireCycle call, ms (Redis: 1 ms per cron). */
const BACKGROUND_STEP_MS = 1;
/** Buckets moved per background rehash batch between clock checks. */
const REHASH_BATCH_BUCKETS = 100;

export class Db {
  constructor(
    readonly dict: Dict,
    readonly ttl: TtlSet,
  ) {}
}

export interface OffHeapOptions {
  /** Hash seed (tests fix it; random by default). */
  seed?: number;
}

export class OffHeapKeyspace implements Keyspace {
  readonly name = 'offheap';
  readonly arena = new Arena();
  readonly entries: Entries;
  readonly index = new IndexBytes();
  dbs: Db[];
  readonly seed: number;
  listener: ChangeListener | null = null;
  before: BeforeChangeListener | null = null;
  readonly tuning: EngineTuning = {
    maxmemoryPolicy: 'noeviction',
    maxmemorySamples: 5,
    lfuLogFactor: 10,
    lfuDecayTime: 1,
  };
  readonly activeExpireCycle: (budgetMs: number) => ExpireCycleStats;
  private readonly expireCycle: (budgetMs: number) => ExpireCycleStats;
  private readonly evictor: Evictor;
  readonly defrag: Defragmenter;
  private scanOut: Buffer[] = [];
  private scanNow = 0;
  private scanAll = false;

  constructor(
    readonly databases = 16,
    readonly clock: Clock = systemClock,
    opts: OffHeapOptions = {},
  ) {
    this.seed = opts.seed ?? randomSeed();
    this.entries = new Entries(this.arena, this.seed);
    this.entries.compressionThreshold = DEFAULT_COMPRESSION_THRESHOLD_BYTES;
    this.dbs = Array.from({ length: databases }, () => this.newDb());
    this.expireCycle = createExpireCycle({
      databases,
      clock,
      sample: (db, max, onKey) => this.sampleExpires(db, max, onKey),
      expiresCount: (db) => this.dbs[db].ttl.len,
    });
    this.activeExpireCycle = (budgetMs) => {
      const stats = this.expireCycle(budgetMs);
      this.backgroundStep(BACKGROUND_STEP_MS);
      return stats;
    };
    this.evictor = new Evictor(this);
    this.defrag = new Defragmenter(this);
  }

  private newDb(): Db {
    return new Db(new Dict(this.entries, this.index), new TtlSet(this.index));
  }

  hash(key: Buffer): number {
    return hashBytes(key, 0, key.length, this.seed);
  }

  /** Tell the before-change listener that `key` (null: the whole db) is about to change. */
  willChange(db: number, key: Buffer | null): void {
    const b = this.before;
    if (b !== null) b(db, key);
  }

  emitKey(db: number, key: Buffer, kind: ChangeKind): void {
    const l = this.listener;
    if (l !== null) l(db, Buffer.from(key), kind);
  }

  /** The live entry for `key`, deleting it first when expired (the dict remembers where). */
  private lookup(db: number, key: Buffer, now: number): number {
    const dict = this.dbs[db].dict;
    if (dict.rehashIdx >= 0) dict.rehashStep(1);
    const ref = dict.find(key, this.hash(key));
    if (ref === NIL || !this.isExpired(ref, now)) return ref;
    if (this.before !== null) {
      this.before(db, key);
      dict.find(key, this.hash(key));
    }
    this.removeFound(db, ref);
    this.emitKey(db, key, 'expire');
    return NIL;
  }

  isExpired(ref: number, now: number): boolean {
    const at = this.entries.expireAt(ref);
    return at !== 0 && at <= now;
  }

  /** Remove the entry the dict just found or located: index, TTL set, block. */
  removeFound(db: number, ref: number): void {
    const d = this.dbs[db];
    const e = this.entries;
    d.dict.removeFound(ref);
    if (e.expireAt(ref) !== 0) this.removeTtl(d, e.ttlIndex(ref));
    const size = e.blockSize(ref);
    e.dropExternal(ref);
    this.arena.free(ref, size);
  }

  /**
   * Before-change notice for a key the dict has just found. The listener may read the keyspace
   * (peekEntry, scan), which moves the dict's "found" position, so find it again afterwards.
   */
  private announce(db: number, key: Buffer): void {
    const b = this.before;
    if (b === null) return;
    b(db, key);
    this.dbs[db].dict.find(key, this.hash(key));
  }

  private removeTtl(d: Db, i: number): void {
    const moved = d.ttl.removeAt(i);
    if (moved !== NIL) this.entries.setTtlIndex(moved, i);
  }

  /** Record an access: LRU clock and LFU counter (decayed, then incremented). */
  private touchRef(ref: number, now: number): void {
    const u32 = this.arena.u32[refChunk(ref)];
    const w = refOffset(ref) >>> 2;
    const m = u32[w + W_META];
    const nowMin = lfuMinutes(now);
    let counter = lfuDecayed(m & 0xff, (m >>> 8) & 0xffff, nowMin, this.tuning.lfuDecayTime);
    counter = lfuLogIncr(counter, this.tuning.lfuLogFactor);
    u32[w + W_META] = ((m & 0xff000000) | lfuPack(counter, nowMin)) >>> 0;
    u32[w + W_ATIME] = lruSeconds(now);
  }

  /** Decayed LFU counter without touching (OBJECT FREQ, eviction). */
  lfuCounter(ref: number, now: number): number {
    const m = this.arena.u32[refChunk(ref)][(refOffset(ref) >>> 2) + W_META];
    return lfuDecayed(m & 0xff, (m >>> 8) & 0xffff, lfuMinutes(now), this.tuning.lfuDecayTime);
  }

  /** Milliseconds since the last access (LRU clock resolution: 1 s). */
  idleMs(ref: number, now: number): number {
    const atime = this.arena.u32[refChunk(ref)][(refOffset(ref) >>> 2) + W_ATIME];
    return Math.max(0, now - atime * 1000);
  }

  get(db: number, key: Buffer): Buffer | null {
    const now = this.clock.now();
    const ref = this.lookup(db, key, now);
    if (ref === NIL) return null;
    this.touchRef(ref, now);
    return this.entries.readValue(ref);
  }

  set(db: number, key: Buffer, value: Buffer, expireAtMs = 0, keepTtl = false): void {
    const now = this.clock.now();
    const d = this.dbs[db];
    const e = this.entries;
    const ref = this.lookup(db, key, now);
    if (this.before !== null) {
      this.before(db, key);
      if (ref !== NIL) d.dict.find(key, this.hash(key));
    }
    const sv = e.encode(value);
    const vlen = sv.bytes.length;
    if (ref === NIL) {
      const at = keepTtl ? 0 : expireAtMs;
      const ttl = at !== 0;
      const nref = this.arena.alloc(entryBytes(key.length, vlen, ttl));
      const ti = ttl ? d.ttl.add(nref) : 0;
      e.write(nref, key, sv, ttl, lfuPack(LFU_INIT_VAL, lfuMinutes(now)), lruSeconds(now), at, ti);
      d.dict.insert(nref, this.hash(key));
    } else {
      this.overwrite(d, ref, key, now, expireAtMs, keepTtl);
    }
    this.emitKey(db, key, 'set');
  }

  /** Replace the value of a live entry, in place when the block size allows. */
  private overwrite(d: Db, ref: number, key: Buffer, now: number, expireAtMs: number, keepTtl: boolean): void {
    const e = this.entries;
    const sv = e.stored;
    const vlen = sv.bytes.length;
    const hadSlot = (e.flags(ref) & F_TTL) !== 0;
    const oldAt = e.expireAt(ref);
    const at = keepTtl ? oldAt : expireAtMs;
    this.touchRef(ref, now);
    const m = this.arena.u32[refChunk(ref)][(refOffset(ref) >>> 2) + W_META];
    const oldSize = e.blockSize(ref);
    let slot = at !== 0;
    let size = entryBytes(key.length, vlen, slot);
    // A TTL slot that is no longer needed stays when dropping it would not shrink the block.
    if (!slot && hadSlot && entryBytes(key.length, vlen, true) === oldSize) {
      slot = true;
      size = oldSize;
    }
    let ti = oldAt !== 0 ? e.ttlIndex(ref) : 0;
    if (size === oldSize && slot === hadSlot) {
      e.dropExternal(ref);
      if (oldAt !== 0 && at === 0) this.removeTtl(d, ti);
      else if (oldAt === 0 && at !== 0) ti = d.ttl.add(ref);
      e.write(ref, key, sv, slot, m, lruSeconds(now), at, ti);
      return;
    }
    const nref = this.arena.alloc(size);
    if (oldAt !== 0 && at !== 0) d.ttl.arr[ti] = nref;
    else if (oldAt !== 0) this.removeTtl(d, ti);
    else if (at !== 0) ti = d.ttl.add(nref);
    e.write(nref, key, sv, slot, m, lruSeconds(now), at, ti);
    d.dict.replaceFound(ref, nref);
    e.dropExternal(ref);
    this.arena.free(ref, oldSize);
  }

  delete(db: number, key: Buffer): boolean {
    const ref = this.lookup(db, key, this.clock.now());
    if (ref === NIL) return false;
    this.announce(db, key);
    this.removeFound(db, ref);
    this.emitKey(db, key, 'del');
    return true;
  }

  /**
   * Delete a key and report it as `kind` (eviction). False when it is gone already, or when
   * `withTtlOnly` and it has no TTL (a volatile-* candidate whose TTL was removed meanwhile).
   */
  deleteAs(db: number, key: Buffer, kind: ChangeKind, withTtlOnly = false): boolean {
    const dict = this.dbs[db].dict;
    const ref = dict.find(key, this.hash(key));
    if (ref === NIL || (withTtlOnly && this.entries.expireAt(ref) === 0)) return false;
    this.announce(db, key);
    this.removeFound(db, ref);
    this.emitKey(db, key, kind);
    return true;
  }

  exists(db: number, key: Buffer): boolean {
    return this.lookup(db, key, this.clock.now()) !== NIL;
  }

  expireTime(db: number, key: Buffer): number {
    const ref = this.lookup(db, key, this.clock.now());
    if (ref === NIL) return -2;
    const at = this.entries.expireAt(ref);
    return at === 0 ? -1 : at;
  }

  setExpireTime(db: number, key: Buffer, expireAtMs: number): boolean {
    const d = this.dbs[db];
    const e = this.entries;
    let ref = this.lookup(db, key, this.clock.now());
    if (ref === NIL) return false;
    this.announce(db, key);
    const oldAt = e.expireAt(ref);
    if (expireAtMs !== oldAt) {
      if (expireAtMs === 0) {
        this.removeTtl(d, e.ttlIndex(ref));
        e.setExpireAt(ref, 0);
      } else {
        if ((e.flags(ref) & F_TTL) === 0) ref = relayout(this, d, ref, true);
        if (oldAt === 0) e.setTtlIndex(ref, d.ttl.add(ref));
        e.setExpireAt(ref, expireAtMs);
      }
    }
    this.emitKey(db, key, 'set');
    return true;
  }

  persist(db: number, key: Buffer): boolean {
    const e = this.entries;
    const ref = this.lookup(db, key, this.clock.now());
    if (ref === NIL || e.expireAt(ref) === 0) return false;
    this.announce(db, key);
    this.removeTtl(this.dbs[db], e.ttlIndex(ref));
    e.setExpireAt(ref, 0);
    this.emitKey(db, key, 'set');
    return true;
  }

  touch(db: number, key: Buffer): boolean {
    const now = this.clock.now();
    const ref = this.lookup(db, key, now);
    if (ref === NIL) return false;
    this.touchRef(ref, now);
    return true;
  }

  meta(db: number, key: Buffer): KeyMeta | null {
    const now = this.clock.now();
    const ref = this.lookup(db, key, now);
    if (ref === NIL) return null;
    return { idleMs: this.idleMs(ref, now), freq: this.lfuCounter(ref, now) };
  }

  dbSize(db: number): number {
    return this.dbs[db].dict.size;
  }

  expiresCount(db: number): number {
    return this.dbs[db].ttl.len;
  }

  flushDb(db: number): void {
    this.willChange(db, null);
    let othersEmpty = true;
    for (let i = 0; i < this.databases && othersEmpty; i++) if (i !== db && this.dbs[i].dict.size > 0) othersEmpty = false;
    if (othersEmpty) this.resetAll();
    else this.freeDb(this.dbs[db]);
    this.listener?.(db, null, 'flush');
  }

  private freeDb(d: Db): void {
    const e = this.entries;
    d.dict.forEach((ref) => {
      const size = e.blockSize(ref);
      e.dropExternal(ref);
      this.arena.free(ref, size);
    });
    d.dict.clear();
    d.ttl.clear();
    this.evictor.clear();
  }

  /** Drop everything at once: the arena goes back to one chunk. */
  private resetAll(): void {
    for (const d of this.dbs) {
      d.dict.clear();
      d.ttl.clear();
    }
    this.arena.reset();
    this.entries.ext.clear();
    this.defrag.reset();
    this.evictor.clear();
  }

  flushAll(): void {
    if (this.before !== null) {
      // Database by database, as the listener expects: empty each index (the arena reset
      // below then drops the entries of all of them at once).
      for (let i = 0; i < this.databases; i++) {
        this.willChange(i, null);
        this.dbs[i].dict.clear();
        this.dbs[i].ttl.clear();
        this.listener?.(i, null, 'flush');
      }
      this.resetAll();
      return;
    }
    this.resetAll();
    for (let i = 0; i < this.databases; i++) this.listener?.(i, null, 'flush');
  }

  swapDb(a: number, b: number): void {
    this.willChange(a, null);
    if (b !== a) this.willChange(b, null);
    const t = this.dbs[a];
    this.dbs[a] = this.dbs[b];
    this.dbs[b] = t;
    this.evictor.clear();
    this.listener?.(a, null, 'flush');
    this.listener?.(b, null, 'flush');
  }

  scan(db: number, cursor: number, count: number, out: Buffer[], includeExpired = false): number {
    const dict = this.dbs[db].dict;
    this.scanOut = out;
    this.scanNow = this.clock.now();
    this.scanAll = includeExpired;
    const want = out.length + count;
    // Like Redis, bound the buckets visited per call so a sparse table cannot stall the caller.
    let steps = Math.max(count, 1) * 10;
    let v = cursor >>> 0;
    do v = dict.scan(v, this.scanVisit);
    while (v !== 0 && out.length < want && --steps > 0);
    return v;
  }

  private readonly scanVisit = (ref: number): void => {
    if (this.scanAll || !this.isExpired(ref, this.scanNow)) this.scanOut.push(this.entries.copyKey(ref));
  };

  randomKey(db: number): Buffer | null {
    const dict = this.dbs[db].dict;
    const now = this.clock.now();
    for (let attempt = 0; attempt < 100 && dict.size > 0; attempt++) {
      const ref = dict.randomRef();
      const key = this.entries.copyKey(ref);
      if (!this.isExpired(ref, now)) return key;
      this.willChange(db, key);
      dict.locate(ref, this.entries.hashOf(ref));
      this.removeFound(db, ref);
      this.emitKey(db, key, 'expire');
    }
    return null;
  }

  /** Visit up to `max` keys with a TTL in `db` from where the last call stopped. */
  private sampleExpires(db: number, max: number, onKey: (expired: boolean) => void): number {
    const d = this.dbs[db];
    const t = d.ttl;
    const e = this.entries;
    const now = this.clock.now();
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
      const at = e.expireAt(ref);
      if (at > now) {
        t.cursor++;
        onKey(false);
        continue;
      }
      // Expired: removal moves the last TTL key into this index, so the cursor stays.
      const key = this.listener !== null || this.before !== null ? e.copyKey(ref) : null;
      if (key !== null) this.willChange(db, key);
      d.dict.locate(ref, e.hashOf(ref));
      this.removeFound(db, ref);
      if (key !== null) this.listener?.(db, key, 'expire');
      onKey(true);
    }
    return n;
  }

  /** Background upkeep: finish rehashing, then defragment, within `budgetMs`. */
  backgroundStep(budgetMs: number): void {
    const start = performance.now();
    for (const d of this.dbs) {
      while (d.dict.rehashStep(REHASH_BATCH_BUCKETS)) if (performance.now() - start > budgetMs) return;
    }
    const left = budgetMs - (performance.now() - start);
    if (left > 0 && this.defrag.needed()) this.defrag.step(left);
  }

  usedMemory(): number {
    return this.arena.liveBytes + this.entries.ext.bytes + this.index.bytes;
  }

  makeRoom(maxBytes: number): boolean {
    return this.evictor.makeRoom(maxBytes);
  }

  configure(tuning: Partial<EngineTuning> & { compressionThreshold?: number }): void {
    const { compressionThreshold, ...rest } = tuning;
    if (rest.maxmemoryPolicy !== undefined && rest.maxmemoryPolicy !== this.tuning.maxmemoryPolicy) this.evictor.clear();
    Object.assign(this.tuning, rest);
    if (compressionThreshold !== undefined) this.entries.compressionThreshold = compressionThreshold;
  }

  setChangeListener(listener: ChangeListener | null): void {
    this.listener = listener;
  }

  setBeforeChangeListener(listener: BeforeChangeListener | null): void {
    this.before = listener;
  }

  peekEntry(db: number, key: Buffer): PeekedEntry | null {
    const ref = this.dbs[db].dict.find(key, this.hash(key));
    if (ref === NIL) return null;
    return { value: this.entries.readValue(ref), expireAt: this.entries.expireAt(ref) };
  }

  scanEntries(
    db: number,
    cursor: number,
    count: number,
    visit: (key: Buffer, value: Buffer, expireAt: number) => void,
  ): number {
    const dict = this.dbs[db].dict;
    const e = this.entries;
    let n = 0;
    const each = (ref: number) => {
      visit(e.copyKey(ref), e.readValue(ref), e.expireAt(ref));
      n++;
    };
    let steps = Math.max(count, 1) * 10;
    let v = cursor >>> 0;
    do v = dict.scan(v, each);
    while (v !== 0 && n < count && --steps > 0);
    return v;
  }

  /** Bytes one key costs: its block, external bytes, and its share of the index (MEMORY USAGE). */
  keyMemoryUsage(db: number, key: Buffer): number | null {
    const ref = this.lookup(db, key, this.clock.now());
    if (ref === NIL) return null;
    const e = this.entries;
    let bytes = e.blockSize(ref);
    if ((e.flags(ref) & F_EXTERNAL) !== 0) bytes += e.keyLen(ref) + e.storedValueLen(ref) + EXTERNAL_OVERHEAD_BYTES;
    // One bucket slot per key at load factor 1, plus a TTL set slot.
    return bytes + 4 + (e.expireAt(ref) !== 0 ? 4 : 0);
  }

  defragStats(): DefragStats {
    return this.defrag.stats();
  }

  /** Header bytes of an entry with or without a TTL slot (MEMORY STATS). */
  static headerBytes(ttl: boolean): number {
    return headerBytes(ttl);
  }
}
