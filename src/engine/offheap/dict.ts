/**
 * One database's hash index: Redis's dict, on typed arrays. Buckets are Uint32Array slots
 * holding the ref of the first entry; entries chain through their `next` word in the arena.
 *
 * Growth and shrinking are incremental: a second table is allocated and every operation moves
 * a bucket or so across (plus a time-budgeted background step), so no single call pays for
 * rehashing millions of keys. SCAN uses Redis's reverse-binary cursor, which visits every
 * bucket of the smaller table and all its expansions in the larger one, so a key present for
 * the whole scan is returned even while the tables grow, shrink or rehash between calls.
 */
import type { Entries } from './entries.js';
import { bytesEqual } from './hash.js';
import {
  F_EXTERNAL,
  F_PREFIX,
  F_TTL,
  HEADER_BYTES,
  NIL,
  refChunk,
  refOffset,
  TTL_SLOT_BYTES,
  W_LENS,
  W_META,
  W_NEXT,
} from './layout.js';

/** Buckets of a new table (Redis: DICT_HT_INITIAL_SIZE). */
const INITIAL_BUCKETS = 4;
/** Over maxmemory, grow anyway past this load factor (Redis: HASHTABLE_MAX_LOAD_FACTOR). */
const MAX_LOAD_FACTOR = 1.618;
/** Shrink when fewer than this percent of buckets are used (Redis: HASHTABLE_MIN_FILL). */
const MIN_FILL_PERCENT = 10;
/** Empty buckets a rehash step may skip per bucket it should move (Redis: 10). */
const EMPTY_VISITS_PER_STEP = 10;
const EMPTY = new Uint32Array(0);

/**
 * Memory of the index structures, shared by every database's dict and TTL set: their bytes
 * (for usedMemory), and whether a table may grow (Redis's dictExpandAllowed: not past
 * maxmemory, unless the load factor is getting too high).
 */
export class IndexBytes {
  bytes = 0;
  /** maxmemory as the last makeRoom saw it (0: none). */
  limit = 0;
  usedMemory: () => number = () => 0;

  mayGrow(moreBytes: number): boolean {
    return this.limit === 0 || this.usedMemory() + moreBytes <= this.limit;
  }
}

export class Dict {
  t0 = EMPTY;
  t1 = EMPTY;
  mask0 = 0;
  mask1 = 0;
  used0 = 0;
  used1 = 0;
  /** Next t0 bucket to move; -1 when not rehashing. */
  rehashIdx = -1;
  /** Where the last successful find/locate found its entry: table, bucket, predecessor. */
  private foundTable = 0;
  private foundBucket = 0;
  private foundPrev = NIL;

  constructor(
    private readonly e: Entries,
    private readonly mem: IndexBytes,
  ) {}

  get size(): number {
    return this.used0 + this.used1;
  }

  private next(ref: number): number {
    return this.e.arena.u32[refChunk(ref)][(refOffset(ref) >>> 2) + W_NEXT];
  }

  private setNext(ref: number, v: number): void {
    this.e.arena.u32[refChunk(ref)][(refOffset(ref) >>> 2) + W_NEXT] = v;
  }

  /**
   * The entry holding `key` (hash `h`), or NIL. Remembers where it was for removeFound. The
   * walk reads the chunk views once and compares plain inline keys (no prefix, not external)
   * here; the other key forms go through Entries.keyEquals.
   */
  find(key: Buffer, h: number): number {
    let t = this.t0;
    if (t.length === 0) return NIL;
    const e = this.e;
    const u32s = e.arena.u32;
    const u8s = e.arena.u8;
    const len = key.length;
    for (let table = 0; table < 2; table++) {
      const b = h & (table === 0 ? this.mask0 : this.mask1);
      let prev = NIL;
      let ref = t[b];
      while (ref !== NIL) {
        const c = refChunk(ref);
        const o = refOffset(ref);
        const u32 = u32s[c];
        const w = o >>> 2;
        const flags = u32[w + W_META] >>> 24;
        if (
          (flags & (F_EXTERNAL | F_PREFIX)) === 0
            ? (u32[w + W_LENS] & 0xffff) === len &&
              bytesEqual(
                u8s[c],
                o + ((flags & F_TTL) === 0 ? HEADER_BYTES : HEADER_BYTES + TTL_SLOT_BYTES),
                key,
                len,
              )
            : e.keyEquals(ref, key)
        ) {
          this.foundTable = table;
          this.foundBucket = b;
          this.foundPrev = prev;
          return ref;
        }
        prev = ref;
        ref = u32[w + W_NEXT];
      }
      if (this.rehashIdx < 0) return NIL;
      t = this.t1;
    }
    return NIL;
  }

  /** Find the bucket position of a known entry (hash `h`). False when it is not in this dict. */
  locate(target: number, h: number): boolean {
    if (this.t0.length === 0) return false;
    let t = this.t0;
    for (let table = 0; table < 2; table++) {
      const b = h & (table === 0 ? this.mask0 : this.mask1);
      let prev = NIL;
      let ref = t[b];
      while (ref !== NIL) {
        if (ref === target) {
          this.foundTable = table;
          this.foundBucket = b;
          this.foundPrev = prev;
          return true;
        }
        prev = ref;
        ref = this.next(ref);
      }
      if (this.rehashIdx < 0) return false;
      t = this.t1;
    }
    return false;
  }

  /** Add a new entry (the caller checked the key is absent). */
  insert(ref: number, h: number): void {
    if (this.t0.length === 0) this.allocT0(INITIAL_BUCKETS);
    if (this.rehashIdx >= 0) {
      const b = h & this.mask1;
      this.setNext(ref, this.t1[b]);
      this.t1[b] = ref;
      this.used1++;
      return;
    }
    const b = h & this.mask0;
    this.setNext(ref, this.t0[b]);
    this.t0[b] = ref;
    const n = ++this.used0;
    if (
      n >= this.t0.length &&
      (n >= this.t0.length * MAX_LOAD_FACTOR || this.mem.mayGrow(this.t0.length * 8))
    )
      this.resize(n * 2);
  }

  /** Unlink the entry the last find/locate returned. */
  removeFound(ref: number): void {
    const nx = this.next(ref);
    if (this.foundPrev !== NIL) this.setNext(this.foundPrev, nx);
    else if (this.foundTable === 0) this.t0[this.foundBucket] = nx;
    else this.t1[this.foundBucket] = nx;
    if (this.foundTable === 0) this.used0--;
    else this.used1--;
    // An empty database holds no table at all (so eviction can bring usedMemory to 0).
    if (this.used0 + this.used1 === 0) {
      this.clear();
      return;
    }
    if (
      this.rehashIdx < 0 &&
      this.t0.length > INITIAL_BUCKETS &&
      this.used0 * 100 < this.t0.length * MIN_FILL_PERCENT
    )
      this.resize(this.used0);
  }

  /** Put `nref` where the last find/locate found `ref` (the entry moved to a new block). */
  replaceFound(ref: number, nref: number): void {
    this.setNext(nref, this.next(ref));
    if (this.foundPrev !== NIL) this.setNext(this.foundPrev, nref);
    else if (this.foundTable === 0) this.t0[this.foundBucket] = nref;
    else this.t1[this.foundBucket] = nref;
  }

  private allocT0(buckets: number): void {
    this.t0 = new Uint32Array(buckets);
    this.mask0 = buckets - 1;
    this.mem.bytes += buckets * 4;
  }

  /** Size an empty index for `keys` keys (Redis's dictExpand): no rehashing while they arrive. */
  expand(keys: number): void {
    if (this.size === 0 && this.rehashIdx === -1 && keys > this.t0.length) this.resize(keys);
  }

  /** Start moving to a table of the next power of two >= `want` buckets. */
  private resize(want: number): void {
    let n = INITIAL_BUCKETS;
    while (n < want) n *= 2;
    if (n === this.t0.length) return;
    this.t1 = new Uint32Array(n);
    this.mask1 = n - 1;
    this.mem.bytes += n * 4;
    this.rehashIdx = 0;
    if (this.used0 === 0) this.finishRehash();
  }

  private finishRehash(): void {
    this.mem.bytes -= this.t0.length * 4;
    this.t0 = this.t1;
    this.mask0 = this.mask1;
    this.used0 = this.used1;
    this.t1 = EMPTY;
    this.mask1 = 0;
    this.used1 = 0;
    this.rehashIdx = -1;
  }

  /** Move up to `n` buckets to the new table (Redis's _dictRehash). True while more remain. */
  rehashStep(n: number): boolean {
    if (this.rehashIdx < 0) return false;
    const e = this.e;
    const t0 = this.t0;
    const t1 = this.t1;
    const mask1 = this.mask1;
    let emptyVisits = n * EMPTY_VISITS_PER_STEP;
    while (n-- > 0 && this.used0 !== 0) {
      while (t0[this.rehashIdx] === NIL) {
        this.rehashIdx++;
        if (--emptyVisits === 0) return true;
      }
      let ref = t0[this.rehashIdx];
      while (ref !== NIL) {
        const nx = this.next(ref);
        const b = e.hashOf(ref) & mask1;
        this.setNext(ref, t1[b]);
        t1[b] = ref;
        this.used0--;
        this.used1++;
        ref = nx;
      }
      t0[this.rehashIdx++] = NIL;
    }
    if (this.used0 === 0) {
      this.finishRehash();
      return false;
    }
    return true;
  }

  /**
   * One SCAN step (Redis's dictScan): visit the bucket(s) the cursor names, return the next
   * cursor (0 when done). The cursor counts in reversed bits, so that after the table doubles
   * or halves, the buckets still to visit are exactly the expansions of the ones not yet seen.
   */
  scan(v: number, visit: (ref: number) => void): number {
    if (this.size === 0) return 0;
    if (this.rehashIdx < 0) {
      const m0 = this.mask0;
      this.visitChain(this.t0[v & m0], visit);
      return nextCursor(v, m0);
    }
    let ts = this.t0;
    let tl = this.t1;
    let ms = this.mask0;
    let ml = this.mask1;
    if (ts.length > tl.length) {
      ts = this.t1;
      tl = this.t0;
      ms = this.mask1;
      ml = this.mask0;
    }
    this.visitChain(ts[v & ms], visit);
    // Then every bucket of the larger table that expands the smaller table's bucket.
    do {
      this.visitChain(tl[v & ml], visit);
      v = nextCursor(v, ml);
    } while ((v & (ms ^ ml)) !== 0);
    return v;
  }

  private visitChain(ref: number, visit: (ref: number) => void): void {
    while (ref !== NIL) {
      const nx = this.next(ref);
      visit(ref);
      ref = nx;
    }
  }

  /** Every entry (flush). */
  forEach(visit: (ref: number) => void): void {
    for (let i = 0; i < this.t0.length; i++) this.visitChain(this.t0[i], visit);
    for (let i = 0; i < this.t1.length; i++) this.visitChain(this.t1[i], visit);
  }

  /**
   * Up to `count` entries from a random stretch of buckets (Redis's dictGetSomeKeys): cheap,
   * not uniform, good enough for eviction sampling. Pushes refs to `out`; returns how many.
   */
  sample(count: number, out: number[]): number {
    const size = this.size;
    if (size === 0) return 0;
    if (count > size) count = size;
    const tables = this.rehashIdx >= 0 ? 2 : 1;
    const maxMask = tables === 2 && this.mask1 > this.mask0 ? this.mask1 : this.mask0;
    let maxSteps = count * 10;
    let i = (Math.random() * (maxMask + 1)) >>> 0;
    let emptyLen = 0;
    let stored = 0;
    while (stored < count && maxSteps-- > 0) {
      for (let j = 0; j < tables; j++) {
        const t = j === 0 ? this.t0 : this.t1;
        // t0 buckets below rehashIdx are empty: moved already.
        if (tables === 2 && j === 0 && i < this.rehashIdx) {
          if (i >= this.t1.length) i = this.rehashIdx;
          else continue;
        }
        if (i >= t.length) continue;
        let ref = t[i];
        if (ref === NIL) {
          emptyLen++;
          if (emptyLen >= 5 && emptyLen > count) {
            i = (Math.random() * (maxMask + 1)) >>> 0;
            emptyLen = 0;
          }
          continue;
        }
        emptyLen = 0;
        while (ref !== NIL) {
          out.push(ref);
          if (++stored === count) return stored;
          ref = this.next(ref);
        }
      }
      i = (i + 1) & maxMask;
    }
    return stored;
  }

  /** A random entry (NIL when empty): a random non-empty bucket, then a random chain link. */
  randomRef(): number {
    if (this.size === 0) return NIL;
    let ref = NIL;
    while (ref === NIL) {
      if (this.rehashIdx >= 0) {
        const span = this.t0.length + this.t1.length - this.rehashIdx;
        const i = this.rehashIdx + Math.floor(Math.random() * span);
        ref = i >= this.t0.length ? this.t1[i - this.t0.length] : this.t0[i];
      } else {
        ref = this.t0[(Math.random() * this.t0.length) >>> 0];
      }
    }
    let len = 0;
    for (let r = ref; r !== NIL; r = this.next(r)) len++;
    for (let k = Math.floor(Math.random() * len); k > 0; k--) ref = this.next(ref);
    return ref;
  }

  /** Drop every bucket (the caller freed the entries). */
  clear(): void {
    this.mem.bytes -= (this.t0.length + this.t1.length) * 4;
    this.t0 = EMPTY;
    this.t1 = EMPTY;
    this.mask0 = 0;
    this.mask1 = 0;
    this.used0 = 0;
    this.used1 = 0;
    this.rehashIdx = -1;
  }
}

/** 32-bit bit reversal. */
function rev32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/** Increment the masked cursor's reversed bits (Redis: v |= ~m; rev; v++; rev). */
function nextCursor(v: number, mask: number): number {
  v = (v | ~mask) >>> 0;
  v = rev32(v);
  v = (v + 1) >>> 0;
  return rev32(v);
}
