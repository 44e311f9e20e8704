/**
 * The reference keyspace: one JS Map per database, keys as latin1 strings (one char per byte,
 * so any byte sequence round-trips). Simple and obviously right: it is the oracle that the
 * off-heap keyspace is tested against, and `--engine map` runs on it.
 */
import { type Clock, systemClock } from './clock.js';
import { createExpireCycle } from './expire-cycle.js';
import { resumableScan } from './map-scan.js';
import { editable, type StringEdit, storedBytes } from './string-patch.js';
import type {
  BeforeChangeListener,
  ChangeKind,
  ChangeListener,
  EngineTuning,
  ExpireCycleStats,
  KeyAccess,
  KeyMeta,
  Keyspace,
  PeekedEntry,
} from './types.js';
import {
  defaultEncodingLimits,
  type EncodingLimits,
  isCollection,
  type StoredValue,
  TYPE_CODES,
} from './values/collection.js';

export interface Entry {
  value: StoredValue;
  /** Bytes of the value as accounted in `bytes` (a collection's size changes in place). */
  mem: number;
  /** Absolute Unix ms; 0 = none. */
  expireAt: number;
  /** Insertion sequence: Map iteration order is insertion order, so seq grows along it. */
  seq: number;
  /** Last access, Unix ms. */
  atime: number;
  freq: number;
  /** A string's bytes were handed out by `get`: patchString edits a copy, never them. */
  lent?: boolean;
  /** A string in Redis's raw encoding (PeekedEntry.raw). */
  raw?: boolean;
}

/** Rough per-entry overhead of a Map entry + Entry object + Buffer, for `usedMemory`. */
const ENTRY_OVERHEAD_BYTES = 160;
const LFU_INIT_VAL = 5;

class Db {
  readonly map = new Map<string, Entry>();
  /** Keys with an expiry: the active cycle walks this with a resumable iterator. */
  readonly expires = new Set<string>();
  expireIter: Iterator<string> | null = null;
}

export class MapKeyspace implements Keyspace {
  readonly name = 'map';
  private dbs: Db[];
  private seq = 0;
  private bytes = 0;
  private listener: ChangeListener | null = null;
  private before: BeforeChangeListener | null = null;
  private readonly tuning: EngineTuning = {
    maxmemoryPolicy: 'noeviction',
    maxmemorySamples: 5,
    lfuLogFactor: 10,
    lfuDecayTime: 1,
  };
  private readonly scans = new Map<string, Iterator<[string, Entry]>>();
  expiryHeld = false;
  readonly limits: EncodingLimits = defaultEncodingLimits();
  readonly activeExpireCycle: (budgetMs: number) => ExpireCycleStats;

  constructor(
    readonly databases = 16,
    readonly clock: Clock = systemClock,
  ) {
    this.dbs = Array.from({ length: databases }, () => new Db());
    this.activeExpireCycle = createExpireCycle({
      databases,
      clock,
      sample: (db, max, onKey) => this.sampleExpires(db, max, onKey),
      expiresCount: (db) => this.dbs[db].expires.size,
    });
  }

  /** Tell the before-change listener (if any) that `key` of `db` is about to change. */
  private willChange(db: number, key: Buffer | string | null): void {
    const b = this.before;
    if (b !== null) b(db, typeof key === 'string' ? Buffer.from(key, 'latin1') : key);
  }

  private emit(db: number, key: Buffer | string | null, kind: ChangeKind): void {
    const l = this.listener;
    if (l !== null) l(db, typeof key === 'string' ? Buffer.from(key, 'latin1') : key, kind);
  }

  /** The live entry for `k`, deleting it first when it has expired. */
  private lookup(db: number, k: string, read = false): Entry | undefined {
    const d = this.dbs[db];
    const e = d.map.get(k);
    if (e !== undefined && e.expireAt !== 0 && e.expireAt <= this.clock.now()) {
      if (read && this.expiryHeld) return undefined;
      this.willChange(db, k);
      this.remove(d, k, e);
      this.emit(db, k, 'expire');
      return undefined;
    }
    return e;
  }

  private remove(d: Db, k: string, e: Entry): void {
    d.map.delete(k);
    if (e.expireAt !== 0) d.expires.delete(k);
    this.bytes -= k.length + e.mem + ENTRY_OVERHEAD_BYTES;
  }

  get(db: number, key: Buffer, transient = false): StoredValue | null {
    const e = this.lookup(db, key.toString('latin1'), true);
    if (e === undefined) return null;
    e.atime = this.clock.now();
    e.freq = lfuIncr(e.freq);
    if (!transient) e.lent = true;
    return e.value;
  }

  patchString(db: number, key: Buffer, minLength: number, edit: StringEdit): boolean {
    const e = this.lookup(db, key.toString('latin1'), true);
    if (e === undefined || isCollection(e.value)) return false;
    this.willChange(db, key);
    const v = editable(e.value, minLength, e.lent === true);
    const grew = v.length !== e.value.length;
    const mem = storedBytes(v);
    this.bytes += mem - e.mem;
    Object.assign(e, { value: v, mem, lent: false, atime: this.clock.now(), freq: lfuIncr(e.freq) });
    if (edit(v) || grew) {
      e.raw = true;
      this.emit(db, key, 'set');
    }
    return true;
  }

  set(db: number, key: Buffer, value: StoredValue, expireAtMs = 0, keepTtl = false, raw = false): void {
    const d = this.dbs[db];
    const k = key.toString('latin1');
    const old = this.lookup(db, k);
    this.willChange(db, key);
    let copy: StoredValue;
    if (isCollection(value)) {
      value.fitEncoding(this.limits);
      copy = value;
    } else copy = Buffer.from(value);
    const mem = isCollection(copy) ? copy.memory() : copy.length;
    const now = this.clock.now();
    if (old !== undefined) {
      this.bytes += mem - old.mem;
      old.mem = mem;
      old.value = copy;
      old.atime = now;
      old.freq = lfuIncr(old.freq);
      old.raw = raw;
      if (!keepTtl) this.applyExpire(d, k, old, expireAtMs);
    } else {
      const e: Entry = { value: copy, mem, expireAt: 0, seq: ++this.seq, atime: now, freq: LFU_INIT_VAL };
      if (raw) e.raw = true;
      d.map.set(k, e);
      this.bytes += k.length + mem + ENTRY_OVERHEAD_BYTES;
      this.applyExpire(d, k, e, keepTtl ? 0 : expireAtMs);
    }
    this.emit(db, key, 'set');
  }

  willModify(db: number, key: Buffer): void {
    this.willChange(db, key);
  }

  modified(db: number, key: Buffer): boolean {
    const d = this.dbs[db];
    const k = key.toString('latin1');
    const e = d.map.get(k);
    if (e === undefined || !isCollection(e.value)) return false;
    if (e.value.size() === 0 && e.value.keepsWhenEmpty !== true) {
      this.remove(d, k, e);
      this.emit(db, key, 'del');
      return false;
    }
    e.value.fitEncoding(this.limits);
    const mem = e.value.memory();
    this.bytes += mem - e.mem;
    e.mem = mem;
    this.emit(db, key, 'set');
    return true;
  }

  private applyExpire(d: Db, k: string, e: Entry, at: number): void {
    if (at === e.expireAt) return;
    if (at === 0) d.expires.delete(k);
    else if (e.expireAt === 0) d.expires.add(k);
    e.expireAt = at;
  }

  delete(db: number, key: Buffer): boolean {
    const d = this.dbs[db];
    const k = key.toString('latin1');
    const e = this.lookup(db, k);
    if (e === undefined) return false;
    this.willChange(db, key);
    this.remove(d, k, e);
    this.emit(db, key, 'del');
    return true;
  }

  exists(db: number, key: Buffer): boolean {
    return this.lookup(db, key.toString('latin1'), true) !== undefined;
  }

  typeOf(db: number, key: Buffer): number {
    const v = this.lookup(db, key.toString('latin1'), true)?.value;
    return v === undefined ? -1 : isCollection(v) ? TYPE_CODES[v.type] : TYPE_CODES.string;
  }

  expireTime(db: number, key: Buffer): number {
    const e = this.lookup(db, key.toString('latin1'), true);
    if (e === undefined) return -2;
    return e.expireAt === 0 ? -1 : e.expireAt;
  }

  setExpireTime(db: number, key: Buffer, expireAtMs: number): boolean {
    const k = key.toString('latin1');
    const e = this.lookup(db, k);
    if (e === undefined) return false;
    this.willChange(db, key);
    this.applyExpire(this.dbs[db], k, e, expireAtMs);
    this.emit(db, key, 'set');
    return true;
  }

  persist(db: number, key: Buffer): boolean {
    const k = key.toString('latin1');
    const e = this.lookup(db, k);
    if (e === undefined || e.expireAt === 0) return false;
    this.willChange(db, key);
    this.applyExpire(this.dbs[db], k, e, 0);
    this.emit(db, key, 'set');
    return true;
  }

  touch(db: number, key: Buffer): boolean {
    const e = this.lookup(db, key.toString('latin1'), true);
    if (e === undefined) return false;
    e.atime = this.clock.now();
    e.freq = lfuIncr(e.freq);
    return true;
  }

  setAccess(db: number, key: Buffer, access: KeyAccess): boolean {
    const e = this.lookup(db, key.toString('latin1'), true);
    if (e === undefined) return false;
    const lfu = this.tuning.maxmemoryPolicy.endsWith('-lfu');
    if (lfu && access.freq !== undefined) e.freq = access.freq;
    if (!lfu && access.idleMs !== undefined) e.atime = this.clock.now() - access.idleMs;
    return true;
  }

  meta(db: number, key: Buffer): KeyMeta | null {
    const e = this.lookup(db, key.toString('latin1'), true);
    if (e === undefined) return null;
    return { idleMs: Math.max(0, this.clock.now() - e.atime), freq: e.freq };
  }

  dbSize(db: number): number {
    return this.dbs[db].map.size;
  }

  expiresCount(db: number): number {
    return this.dbs[db].expires.size;
  }

  flushDb(db: number): void {
    this.willChange(db, null);
    const d = this.dbs[db];
    for (const [k, e] of d.map) this.bytes -= k.length + e.mem + ENTRY_OVERHEAD_BYTES;
    // clear() rather than a new Map: saved SCAN iterators over this db then simply end.
    d.map.clear();
    d.expires.clear();
    d.expireIter = null;
    this.emit(db, null, 'flush');
  }

  flushAll(): void {
    for (let i = 0; i < this.databases; i++) this.flushDb(i);
  }

  swapDb(a: number, b: number): void {
    this.willChange(a, null);
    if (b !== a) this.willChange(b, null);
    const t = this.dbs[a];
    this.dbs[a] = this.dbs[b];
    this.dbs[b] = t;
    this.scans.clear();
    this.emit(a, null, 'flush');
    this.emit(b, null, 'flush');
  }

  /**
   * The cursor is the insertion sequence of the last key returned. Map iteration follows
   * insertion order and an overwrite keeps a key's place, so "every key with seq > cursor" is
   * exactly the rest of the iteration. Live iterators are kept for fast resume; an unknown
   * cursor resumes by skipping entries with seq <= cursor.
   */
  scan(db: number, cursor: number, count: number, out: Buffer[], includeExpired = false): number {
    return this.scanWith(db, cursor, count, includeExpired, (k) => {
      out.push(Buffer.from(k, 'latin1'));
    });
  }

  scanEntries(
    db: number,
    cursor: number,
    count: number,
    visit: (key: Buffer | string, value: StoredValue, expireAt: number) => void,
  ): number {
    // Keys are latin1 strings here already: hand them over as they are.
    return this.scanWith(db, cursor, count, true, (k, e) => visit(k, e.value, e.expireAt));
  }

  private scanWith(
    db: number,
    cursor: number,
    count: number,
    includeExpired: boolean,
    visit: (k: string, e: Entry) => void,
  ): number {
    return resumableScan(this.dbs[db].map, this.scans, db, cursor, count, {
      includeExpired,
      now: this.clock.now(),
      visit,
    });
  }

  randomKey(db: number): Buffer | null {
    const d = this.dbs[db];
    // A few tries: a random position may land on an expired key, which lookup removes.
    for (let attempt = 0; attempt < 100 && d.map.size > 0; attempt++) {
      let i = Math.floor(Math.random() * d.map.size);
      for (const k of d.map.keys()) {
        if (i-- === 0) {
          if (this.lookup(db, k, true) !== undefined) return Buffer.from(k, 'latin1');
          break;
        }
      }
    }
    return null;
  }

  /** Visit up to `max` keys with a TTL in `db`, resuming where the previous call stopped. */
  private sampleExpires(db: number, max: number, onKey: (expired: boolean) => void): number {
    const d = this.dbs[db];
    if (d.expires.size === 0) return 0;
    const now = this.clock.now();
    let n = 0;
    let wrapped = false;
    while (n < max) {
      if (d.expireIter === null) d.expireIter = d.expires.values();
      const r = d.expireIter.next();
      if (r.done) {
        d.expireIter = null;
        if (wrapped) break;
        wrapped = true;
        continue;
      }
      const k = r.value;
      const e = d.map.get(k);
      n++;
      if (e === undefined) continue;
      const expired = e.expireAt !== 0 && e.expireAt <= now;
      if (expired) {
        this.willChange(db, k);
        this.remove(d, k, e);
        this.emit(db, k, 'expire');
      }
      onKey(expired);
    }
    return n;
  }

  usedMemory(): number {
    return this.bytes;
  }

  /**
   * The reference keyspace evicts simply: the oldest-inserted keys (of those with a TTL for
   * volatile-* policies), whatever the policy. The off-heap keyspace implements Redis's sampled LRU/LFU with an eviction pool.
   */
  makeRoom(maxBytes: number): boolean {
    if (this.bytes <= maxBytes) return true;
    if (this.tuning.maxmemoryPolicy === 'noeviction') return false;
    const volatile = this.tuning.maxmemoryPolicy.startsWith('volatile');
    while (this.bytes > maxBytes) {
      let victim: [number, string] | null = null;
      for (let db = 0; db < this.databases && victim === null; db++) {
        const d = this.dbs[db];
        const first = volatile ? d.expires.values().next() : d.map.keys().next();
        if (!first.done) victim = [db, first.value];
      }
      if (victim === null) return false;
      const [db, k] = victim;
      const d = this.dbs[db];
      this.willChange(db, k);
      this.remove(d, k, d.map.get(k)!);
      this.emit(db, k, 'evict');
    }
    return true;
  }

  configure(tuning: Partial<EngineTuning>): void {
    Object.assign(this.tuning, tuning);
  }

  setChangeListener(listener: ChangeListener | null): void {
    this.listener = listener;
  }

  peekEntry(db: number, key: Buffer): PeekedEntry | null {
    const e = this.dbs[db].map.get(key.toString('latin1'));
    if (e === undefined) return null;
    return { value: e.value, expireAt: e.expireAt, ...(e.raw === true ? { raw: true } : {}) };
  }

  setBeforeChangeListener(listener: BeforeChangeListener | null): void {
    this.before = listener;
  }
}

/** Redis's logarithmic LFU counter increment with lfu-log-factor 10. */
function lfuIncr(counter: number): number {
  if (counter >= 255) return 255;
  const r = Math.random();
  const base = Math.max(0, counter - LFU_INIT_VAL);
  const p = 1 / (base * 10 + 1);
  return r < p ? counter + 1 : counter;
}
