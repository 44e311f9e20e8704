/**
 * The off-heap keyspace: keys and values live in an arena of ArrayBuffer chunks (arena.ts,
 * layout.ts), indexed per database by an incrementally rehashed dict (dict.ts), so the JS heap
 * holds a few typed arrays per database instead of an object per key. Behaves as MapKeyspace
 * (the differential tests' oracle): lazy expiry on access, shared active expiry over a TTL set
 * per database, change events with fresh key copies, Redis's sampled eviction pool (evict.ts).
 */
import { type Clock, systemClock } from '../clock.js';
import { createExpireCycle } from '../expire-cycle.js';
import type { StringEdit } from '../string-patch.js';
import type {
  BeforeChangeListener,
  ChangeKind,
  ChangeListener,
  EngineMemoryStats,
  EngineTuning,
  ExpireCycleStats,
  KeyAccess,
  KeyMeta,
  Keyspace,
  PeekedEntry,
} from '../types.js';
import {
  defaultEncodingLimits,
  type EncodingLimits,
  isCollection,
  type StoredValue,
  TYPE_CODES,
} from '../values/collection.js';
import { Arena } from './arena.js';
import { backgroundStep, Defragmenter } from './defrag.js';
import { Dict, IndexBytes } from './dict.js';
import { Entries } from './entries.js';
import { Evictor } from './evict.js';
import { expireTimeAfterRead, persist, setExpireTime } from './expiry-ops.js';
import { flushAll, flushDb, swapDb } from './flush.js';
import { hashBytes, randomSeed } from './hash.js';
import { peekEntry, randomKey, sampleExpires, scanEntries, scanKeys } from './iterate.js';
import { NIL } from './layout.js';
import {
  accessClock,
  elapsedMinutes,
  LFU_INIT_VAL,
  lfuClock,
  lfuDecayed,
  lfuLogIncr,
  lfuMinutes,
  lruClock,
  lruIdleMs,
} from './lfu.js';
import { keyMemoryUsage, memoryStats, purge } from './memory-stats.js';
import { collectionModified } from './objects-change.js';
import { patchString, rawView } from './patch.js';
import { overwritePlain, prefetchKeys, readStored } from './plain.js';
import { TtlSet } from './ttl-set.js';
import { insertEntry, overwriteEntry } from './write.js';

/** Default for values offered to LZ4, bytes (config `compression-threshold`). */
export const DEFAULT_COMPRESSION_THRESHOLD_BYTES = 1024;
/** Background work (rehash, defrag) per activeExpireCycle call, ms (Redis: 1 ms per cron). */
const BACKGROUND_STEP_MS = 1;

export class Db {
  constructor(
    readonly dict: Dict,
    readonly ttl: TtlSet,
  ) {}
}

export interface OffHeapOptions {
  /** Hash seed (tests fix it; random by default). */
  seed?: number;
  /** Store long shared key prefixes once (prefixes.ts). Default on. */
  prefixCompression?: boolean;
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
  readonly evictor: Evictor;
  readonly defrag: Defragmenter;
  /** An LFU policy is in force: entry clocks hold LFU counters (see lfu.ts). */
  private lfuMode = false;
  /** The last lookup's key hash, entry, db and arena free count (objects-change.ts reuses them). */
  lastHash = 0;
  lastRef = NIL;
  lastDb = -1;
  lastFrees = -1;
  /** CLIENT PAUSE: reads see an expired key as missing, but nothing deletes it meanwhile. */
  expiryHeld = false;
  readonly limits: EncodingLimits = defaultEncodingLimits();
  readonly expireTimeAfterRead = (db: number, key: Buffer): number => expireTimeAfterRead(this, db, key);
  readonly prefetch = (db: number, keys: Buffer[], from: number, step: number): void =>
    prefetchKeys(this, db, keys, from, step);

  constructor(
    readonly databases = 16,
    readonly clock: Clock = systemClock,
    opts: OffHeapOptions = {},
  ) {
    this.seed = opts.seed ?? randomSeed();
    this.entries = new Entries(this.arena, this.seed);
    this.entries.compressionThreshold = DEFAULT_COMPRESSION_THRESHOLD_BYTES;
    this.entries.prefixes.enabled = opts.prefixCompression ?? true;
    this.dbs = Array.from({ length: databases }, () => this.newDb());
    this.index.usedMemory = () => this.usedMemory();
    this.expireCycle = createExpireCycle({
      databases,
      clock,
      sample: (db, max, onKey) => sampleExpires(this, db, max, onKey),
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

  /** Report a change to the listener (which copies the key if it keeps it). */
  emitKey(db: number, key: Buffer, kind: ChangeKind): void {
    const l = this.listener;
    if (l !== null) l(db, key, kind);
  }

  /** The live entry for `key`, deleting it first when expired (`lastHash`: for an insert next). */
  lookup(db: number, key: Buffer, now: number, read = false): number {
    const dict = this.dbs[db].dict;
    if (dict.rehashIdx >= 0) dict.rehashStep(1);
    const h = this.hash(key);
    this.lastHash = h;
    const ref = dict.find(key, h);
    if (ref === NIL || !this.isExpired(ref, now)) {
      this.lastRef = ref;
      this.lastDb = db;
      this.lastFrees = this.arena.frees;
      return ref;
    }
    if (read && this.expiryHeld) return NIL;
    this.announce(db, key);
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
    e.dropRefs(ref);
    this.arena.free(ref, size);
  }

  /**
   * Before-change notice for a key the dict has just found. The listener may read the keyspace
   * (peekEntry, scan), which moves the dict's "found" position, so find it again afterwards.
   */
  announce(db: number, key: Buffer): void {
    const b = this.before;
    if (b === null) return;
    b(db, key);
    this.dbs[db].dict.find(key, this.hash(key));
  }

  removeTtl(d: Db, i: number): void {
    const moved = d.ttl.removeAt(i);
    if (moved !== NIL) this.entries.setTtlIndex(moved, i);
  }

  /** The access clock of a new key (Redis: createObject). */
  newClock(now: number): number {
    return this.lfuMode ? lfuClock(LFU_INIT_VAL, lfuMinutes(now)) : lruClock(now);
  }

  /** Record an access: the LRU clock, or the LFU counter (decayed, then incremented). */
  touchRef(ref: number, now: number): void {
    const e = this.entries;
    if (!this.lfuMode) {
      e.setClock(ref, lruClock(now));
      return;
    }
    const c = e.clock(ref);
    const nowMin = lfuMinutes(now);
    const counter = lfuDecayed(c & 0xff, c >>> 8, nowMin, this.tuning.lfuDecayTime);
    e.setClock(ref, lfuClock(lfuLogIncr(counter, this.tuning.lfuLogFactor), nowMin));
  }

  /** Decayed LFU counter without touching (OBJECT FREQ, eviction); 0 under LRU policies. */
  lfuCounter(ref: number, now: number): number {
    if (!this.lfuMode) return 0;
    const c = this.entries.clock(ref);
    return lfuDecayed(c & 0xff, c >>> 8, lfuMinutes(now), this.tuning.lfuDecayTime);
  }

  /**
   * Milliseconds since the last access: 1 s resolution under LRU policies; under LFU policies
   * only the decay clock is kept, with a resolution of a minute.
   */
  idleMs(ref: number, now: number): number {
    const c = this.entries.clock(ref);
    if (!this.lfuMode) return lruIdleMs(c, now);
    return elapsedMinutes(c >>> 8, lfuMinutes(now)) * 60_000;
  }

  get(db: number, key: Buffer, transient = false): StoredValue | null {
    const now = this.clock.now();
    const ref = this.lookup(db, key, now, true);
    if (ref === NIL) return null;
    this.touchRef(ref, now);
    const e = this.entries;
    return transient ? (e.objectAt(ref) ?? rawView(this, db, key, ref)) : readStored(this, ref);
  }

  patchString(db: number, key: Buffer, minLength: number, edit: StringEdit): boolean {
    return patchString(this, db, key, minLength, edit);
  }

  set(db: number, key: Buffer, value: StoredValue, expireAtMs = 0, keepTtl = false, raw = false): void {
    const now = this.clock.now();
    const d = this.dbs[db];
    const e = this.entries;
    const ref = this.lookup(db, key, now);
    if (ref !== NIL && this.before === null && overwritePlain(this, ref, value, expireAtMs, raw, now)) {
      this.emitKey(db, key, 'set');
      return;
    }
    const h = this.lastHash;
    if (this.before !== null) {
      this.before(db, key);
      if (ref !== NIL) d.dict.find(key, h);
    }
    let sv: ReturnType<typeof e.encode>;
    if (isCollection(value)) {
      value.fitEncoding(this.limits);
      sv = e.encodeObject(value);
    } else sv = e.encode(value, raw);
    if (ref === NIL) insertEntry(this, d, key, h, sv, now, keepTtl ? 0 : expireAtMs);
    else overwriteEntry(this, d, ref, key, sv, now, expireAtMs, keepTtl);
    this.emitKey(db, key, 'set');
  }

  willModify(db: number, key: Buffer): void {
    this.willChange(db, key);
  }

  modified(db: number, key: Buffer): boolean {
    return collectionModified(this, db, key);
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
    return this.lookup(db, key, this.clock.now(), true) !== NIL;
  }

  typeOf(db: number, key: Buffer): number {
    const ref = this.lookup(db, key, this.clock.now(), true);
    return ref === NIL ? -1 : TYPE_CODES[this.entries.objectAt(ref)?.type ?? 'string'];
  }

  expireTime(db: number, key: Buffer): number {
    const ref = this.lookup(db, key, this.clock.now(), true);
    if (ref === NIL) return -2;
    const at = this.entries.expireAt(ref);
    return at === 0 ? -1 : at;
  }

  setExpireTime(db: number, key: Buffer, expireAtMs: number): boolean {
    return setExpireTime(this, db, key, expireAtMs);
  }

  persist(db: number, key: Buffer): boolean {
    return persist(this, db, key);
  }

  touch(db: number, key: Buffer): boolean {
    const now = this.clock.now();
    const ref = this.lookup(db, key, now, true);
    if (ref === NIL) return false;
    this.touchRef(ref, now);
    return true;
  }

  setAccess(db: number, key: Buffer, access: KeyAccess): boolean {
    const now = this.clock.now();
    const ref = this.lookup(db, key, now, true);
    if (ref === NIL) return false;
    this.entries.setClock(ref, accessClock(this.lfuMode, access, this.entries.clock(ref), now));
    return true;
  }

  meta(db: number, key: Buffer): KeyMeta | null {
    const now = this.clock.now();
    const ref = this.lookup(db, key, now, true);
    if (ref === NIL) return null;
    return { idleMs: this.idleMs(ref, now), freq: this.lfuCounter(ref, now) };
  }

  dbSize(db: number): number {
    return this.dbs[db].dict.size;
  }

  reserve(db: number, keys: number): void {
    this.dbs[db].dict.expand(keys);
  }

  expiresCount(db: number): number {
    return this.dbs[db].ttl.len;
  }

  flushDb(db: number): void {
    flushDb(this, db);
  }

  flushAll(): void {
    flushAll(this);
  }

  swapDb(a: number, b: number): void {
    this.lastRef = NIL;
    swapDb(this, a, b);
  }

  scan(db: number, cursor: number, count: number, out: Buffer[], includeExpired = false): number {
    return scanKeys(this, db, cursor, count, out, includeExpired);
  }

  scanEntries(
    db: number,
    cursor: number,
    count: number,
    visit: (key: Buffer, value: StoredValue, expireAt: number) => void,
  ): number {
    return scanEntries(this, db, cursor, count, visit);
  }

  randomKey(db: number): Buffer | null {
    return randomKey(this, db);
  }

  /** Background upkeep: finish rehashing, then defragment, within `budgetMs`. */
  backgroundStep(budgetMs: number): void {
    backgroundStep(this, budgetMs);
  }

  usedMemory(): number {
    const e = this.entries;
    return this.arena.liveBytes + e.ext.bytes + e.objs.bytes + e.prefixes.memory + this.index.bytes;
  }

  makeRoom(maxBytes: number): boolean {
    this.index.limit = maxBytes;
    return this.evictor.makeRoom(maxBytes);
  }

  configure(tuning: Partial<EngineTuning>): void {
    const { compressionThreshold, keyPrefixCompression, ...rest } = tuning;
    if (keyPrefixCompression !== undefined) this.entries.prefixes.enabled = keyPrefixCompression;
    if (rest.maxmemoryPolicy !== undefined && rest.maxmemoryPolicy !== this.tuning.maxmemoryPolicy)
      this.evictor.clear();
    Object.assign(this.tuning, rest);
    this.lfuMode = this.tuning.maxmemoryPolicy.endsWith('-lfu');
    if (compressionThreshold !== undefined) this.entries.compressionThreshold = compressionThreshold;
  }

  setChangeListener(listener: ChangeListener | null): void {
    this.listener = listener;
  }

  setBeforeChangeListener(listener: BeforeChangeListener | null): void {
    this.before = listener;
  }

  peekEntry(db: number, key: Buffer): PeekedEntry | null {
    return peekEntry(this, db, key);
  }

  memoryUsage(db: number, key: Buffer): number | null {
    return keyMemoryUsage(this, db, key);
  }

  memoryStats(): EngineMemoryStats {
    return { ...memoryStats(this), heapBytes: this.entries.objs.bytes + this.entries.prefixes.memory };
  }

  readonly settle = (): void => this.entries.objs.settle();

  purge(budgetMs: number): void {
    purge(this, budgetMs);
  }
}
