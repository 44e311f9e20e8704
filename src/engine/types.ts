/**
 * The keyspace contract every engine implements (the Map reference keyspace, the off-heap one).
 * Synchronous, byte-oriented, protocol-free. Keys and values are Buffers; an engine copies the
 * bytes it keeps, so callers may pass views into a parser's input buffer. Buffers an engine
 * returns are the caller's to read but never to mutate.
 *
 * Expiry times are absolute Unix milliseconds; 0 means "no expiry". Every read applies lazy
 * expiry (an expired key is deleted on access and reported as missing), and
 * `activeExpireCycle` removes expired keys nobody reads.
 */
import type { Clock } from './clock.js';
import type { StringEdit } from './string-patch.js';
import type { EncodingLimits, StoredValue } from './values/collection.js';

export type { EncodingLimits, StoredValue };

/** What happened to a key. `flush` is a whole database (key is null). */
export type ChangeKind = 'set' | 'del' | 'expire' | 'evict' | 'flush';

/**
 * Called synchronously after every change, from every door and from background expiry and
 * eviction. Used by WATCH, gRPC Watch, snapshots and stats. Must be cheap and must not call
 * back into the keyspace. `key` is valid only during the call (it may be a view into a
 * request's buffer or into the engine's memory): a listener that keeps it copies it.
 */
export type ChangeListener = (db: number, key: Buffer | null, kind: ChangeKind) => void;

/**
 * Called synchronously BEFORE a key is changed in any way: created or overwritten, deleted,
 * given another expiry time, removed by lazy or active expiry, evicted; with key null before a
 * whole database is flushed or swapped (once per database). The keyspace still holds the old
 * state, so the listener may read it with `peekEntry` and `scan` (never mutate). Used by the
 * snapshot's copy-on-write tracker to keep the value a key had when the snapshot started.
 */
export type BeforeChangeListener = (db: number, key: Buffer | null) => void;

/** A stored entry as it is, for snapshots. */
export interface PeekedEntry {
  /** A string's bytes, or the live collection object (serialize it to keep a copy). */
  value: StoredValue;
  /** Absolute Unix ms; 0 = none. May already be in the past (not removed yet). */
  expireAt: number;
  /**
   * A string in Redis's raw encoding whatever its length (OBJECT ENCODING): stored with
   * Keyspace.set's `raw`, or edited by patchString since its last plain write. Absent: false.
   */
  raw?: boolean;
}

/** Result of one active expiry cycle. */
export interface ExpireCycleStats {
  /** Keys with a TTL looked at. */
  sampled: number;
  /** Keys removed because they had expired. */
  expired: number;
  /** True when the cycle stopped because its time budget ran out. */
  timedOut: boolean;
}

/** Access metadata kept per key (OBJECT IDLETIME / FREQ). */
export interface KeyMeta {
  idleMs: number;
  /** LFU counter (logarithmic), 0..255. */
  freq: number;
}

/**
 * Access metadata to set (RESTORE's IDLETIME / FREQ): `idleMs` backdates the last access under
 * LRU policies, `freq` sets the LFU counter under LFU policies; the one the policy does not
 * track is ignored, as Redis's objectSetLRUOrLFU does.
 */
export interface KeyAccess {
  idleMs?: number;
  freq?: number;
}

/** Eviction and LFU tuning, changeable at run time (CONFIG SET). */
export interface EngineTuning {
  maxmemoryPolicy:
    | 'noeviction'
    | 'allkeys-lru'
    | 'allkeys-lfu'
    | 'allkeys-random'
    | 'volatile-lru'
    | 'volatile-lfu'
    | 'volatile-random'
    | 'volatile-ttl';
  maxmemorySamples: number;
  lfuLogFactor: number;
  /** Minutes. */
  lfuDecayTime: number;
  /** Values of at least this many bytes are stored compressed when that saves space; 0 = off. */
  compressionThreshold?: number;
  /** Store long key prefixes shared by many keys once (engines that can). */
  keyPrefixCompression?: boolean;
}

/** Memory figures an engine reports (MEMORY STATS / DOCTOR, INFO memory). */
export interface EngineMemoryStats {
  /** Bytes of keys, values and per-key headers in use (what usedMemory counts, less indexes). */
  datasetBytes: number;
  /** Bytes of index structures: hash tables, TTL sets. */
  indexBytes: number;
  /**
   * Bytes the engine has allocated outside the JS heap (ArrayBuffers), in use or not. Process
   * `external` memory includes them; INFO counts usedMemory() in their place.
   */
  allocatedBytes: number;
  /** Allocated bytes not in use: free blocks, holes, unused chunk space. */
  fragmentationBytes: number;
  /**
   * Bytes of the dataset held in the JS heap or in Buffers outside `allocatedBytes` (collection
   * values, shared key prefixes): process memory already includes them, so INFO counts them once.
   */
  heapBytes?: number;
  /** Per database with keys: bytes of its main index and of its TTL index. */
  dbs: Array<{ db: number; mainBytes: number; expiresBytes: number }>;
  /** Engine-specific figures (MEMORY STATS shows them after Redis's fields). */
  extra: Array<[string, number | string]>;
}

export interface Keyspace {
  /** Number of databases (SELECT 0..databases-1). */
  readonly databases: number;
  readonly clock: Clock;
  /** Engine name for INFO and OBJECT ENCODING decisions (`map`, `offheap`). */
  readonly name: string;

  /**
   * The value at `key` (lazy expiry, access time touched): a string's bytes, or the collection
   * object itself, which a command may change in place between `willModify` and `modified`.
   * With `transient` the caller reads a string at once and keeps nothing (the bitmap commands):
   * the engine may then hand out a view of its stored bytes instead of a copy.
   */
  get(db: number, key: Buffer, transient?: boolean): StoredValue | null;
  /**
   * Edit the string at `key` in place (SETBIT, BITFIELD): zero-pad it to at least `minLength`
   * bytes, then `edit` changes its bytes during the call and says whether it changed any. As
   * `set` with keepTtl: before-change listener, access time, memory accounting, and one `set`
   * change event when the value grew or `edit` changed it. Bytes `get` handed out are never
   * changed under their holder. False, doing nothing, when `key` holds no string. Optional:
   * callers fall back to `get` + `set`.
   */
  patchString?(db: number, key: Buffer, minLength: number, edit: StringEdit): boolean;
  /**
   * Store `value` under `key`, replacing whatever it held. A string's bytes are copied; a
   * collection is kept by reference (the caller hands it over). `expireAtMs` 0 means no
   * expiry; with `keepTtl` an existing key keeps its expiry time and `expireAtMs` is ignored.
   * With `raw` a string is stored as is, never compressed: a bitmap a command creates
   * (SETBIT, BITFIELD) is then edited in place, and its full size counts toward maxmemory.
   */
  set(
    db: number,
    key: Buffer,
    value: StoredValue,
    expireAtMs?: number,
    keepTtl?: boolean,
    raw?: boolean,
  ): void;
  /**
   * The collection at `key` (live, returned by `get`) is about to be changed in place: runs the
   * before-change listener, so a snapshot in progress keeps its old value.
   */
  willModify(db: number, key: Buffer): void;
  /**
   * The collection at `key` was changed in place: its encoding is fitted to `limits`, memory
   * is accounted again and a `set` change is reported; an empty collection is deleted instead
   * (a `del` change), as Redis never keeps empty collections. Returns false when deleted.
   */
  modified(db: number, key: Buffer): boolean;
  /** Thresholds between compact and large collection encodings (CONFIG SET changes them). */
  readonly limits: EncodingLimits;
  delete(db: number, key: Buffer): boolean;
  exists(db: number, key: Buffer): boolean;
  /** The value's type code (values/collection.ts TYPE_CODES), -1 when missing; touches nothing. */
  typeOf(db: number, key: Buffer): number;
  /** Unix ms expiry; -1 when the key has none, -2 when the key does not exist. */
  expireTime(db: number, key: Buffer): number;
  /**
   * `expireTime` right after a read of the same key (`get`, `typeOf`): an engine may reuse the
   * entry that read found rather than look the key up again, so that a value and its expiry
   * cost one lookup. Optional: callers fall back to `expireTime`.
   */
  expireTimeAfterRead?(db: number, key: Buffer): number;
  /** Set an absolute expiry (ms > 0) on an existing key. False when the key does not exist. */
  setExpireTime(db: number, key: Buffer, expireAtMs: number): boolean;
  /** Remove the expiry. True when there was one. */
  persist(db: number, key: Buffer): boolean;
  /** Update access metadata as a read would. False when the key does not exist. */
  touch(db: number, key: Buffer): boolean;
  /** Access metadata without updating it; null when the key does not exist. */
  meta(db: number, key: Buffer): KeyMeta | null;
  /** Set access metadata (see KeyAccess); false when the key does not exist. Optional. */
  setAccess?(db: number, key: Buffer, access: KeyAccess): boolean;

  dbSize(db: number): number;
  /**
   * Size `db`'s index for `keys` keys at once while it is empty (Redis's dictExpand on an RDB's
   * RESIZEDB), so a bulk load does not rehash as it grows. Optional; a hint only.
   */
  reserve?(db: number, keys: number): void;
  /**
   * A hint before a multi-key command (MSET, MGET) works through `keys[from]`, `keys[from +
   * step]`, ...: bring their index slots into the CPU cache together, so the memory waits of
   * the lookups that follow overlap instead of adding up. Optional; no observable effect.
   */
  prefetch?(db: number, keys: Buffer[], from: number, step: number): void;
  /** Keys with an expiry in `db` (INFO keyspace `expires=`). */
  expiresCount(db: number): number;
  flushDb(db: number): void;
  flushAll(): void;
  swapDb(a: number, b: number): void;

  /**
   * Incremental iteration. Pass 0 to start; returns the next cursor (0 when done) and pushes up
   * to about `count` keys to `out`. A key present for the whole iteration is returned at least
   * once; keys added or removed meanwhile may or may not be. With `includeExpired`, keys whose
   * TTL has passed but that are not removed yet are returned too (snapshots need them: such a
   * key was live at the snapshot instant).
   */
  scan(db: number, cursor: number, count: number, out: Buffer[], includeExpired?: boolean): number;
  /**
   * Snapshot iteration: `scan` with `includeExpired`, handing each key with its stored value and
   * expiry to `visit` (no second lookup). A key may be given as a latin1 string (one char per
   * byte) when that is how the engine holds it, to spare an allocation per key. Optional:
   * snapshots fall back to `scan` + `peekEntry`. `visit` must not change the keyspace; the
   * bytes are valid during the call.
   */
  scanEntries?(
    db: number,
    cursor: number,
    count: number,
    visit: (key: Buffer | string, value: StoredValue, expireAt: number) => void,
  ): number;
  randomKey(db: number): Buffer | null;

  /** Remove expired keys, sampling keys with a TTL, within `budgetMs` of wall time. */
  activeExpireCycle(budgetMs: number): ExpireCycleStats;

  /** Bytes attributed to the dataset (INFO memory `used_memory` contribution). */
  usedMemory(): number;

  /**
   * Evict keys by the configured policy until `usedMemory() <= maxBytes` (each victim reported
   * as an `evict` change). False when that is impossible (noeviction, or nothing evictable).
   */
  makeRoom(maxBytes: number): boolean;
  /**
   * While true (CLIENT PAUSE), lazy expiry deletes nothing: reads see an expired key as missing
   * and it stays stored (and uncounted in expired_keys) until a lookup after the pause.
   */
  expiryHeld?: boolean;
  configure(tuning: Partial<EngineTuning>): void;

  /** Install (or remove, with null) the change listener. */
  setChangeListener(listener: ChangeListener | null): void;

  /**
   * The entry as stored, without lazy expiry and without touching access metadata; null when
   * the key is not stored. The bytes stay valid at least until the key is next changed.
   */
  peekEntry(db: number, key: Buffer): PeekedEntry | null;
  /**
   * Install (or remove, with null) the before-change listener (one slot; snapshots use it).
   * Optional until every engine has it: without it snapshots are not exact (changes made while
   * one runs may show in it).
   */
  setBeforeChangeListener?(listener: BeforeChangeListener | null): void;

  /** MEMORY USAGE: bytes one key costs, overheads included; null when missing. Optional. */
  memoryUsage?(db: number, key: Buffer): number | null;
  /** MEMORY STATS / DOCTOR figures. Optional: the commands estimate without them. */
  memoryStats?(): EngineMemoryStats;
  /** MEMORY PURGE: give unused memory back (compaction) within `budgetMs`. Optional. */
  purge?(budgetMs: number): void;
  /**
   * Called between two commands (none holds a value object then): the engine may put the
   * collections commands took out back into their resting form. Optional.
   */
  settle?(): void;
}
