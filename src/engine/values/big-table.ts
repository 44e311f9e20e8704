/**
 * The large form of hashes and sets: a hash table whose entries live in large byte blocks, so a
 * million fields cost a few dozen Buffers and typed arrays, not a million strings and Map slots
 * (less memory than Redis's dict, and nothing per element for the garbage collector to trace).
 *
 * - Entries are `[len][key]` (sets) or `[len][key][len][value]` (hashes), lengths as in
 *   packed.ts, appended to the tail block (blocks grow from 1 KiB to 64 KiB; an entry of 16 KiB
 *   or more gets a block of its own). A block whose bytes are at least half dead (deleted or
 *   rewritten entries) has its live entries copied to the tail and is dropped.
 * - Each entry has a dense id 0..size-1; typed-array pages hold its block reference and its
 *   hash. Deleting moves the last id into the hole, so ids stay dense: a uniform random pick is
 *   one random id (HRANDFIELD, SRANDMEMBER, SPOP), and iteration walks ids in insertion order
 *   until the first delete.
 * - An open-addressing index (linear probing, id+1 per slot) finds a key's id; the stored hash
 *   skips most byte comparisons. It grows and shrinks by incremental rehash: every write moves
 *   a few dozen slots of the old index, so no write pays for millions of moves.
 * - `scan()` walks ids downwards, so every key present for the whole walk is returned even when
 *   keys are added or deleted between steps (a delete moves the last id, already walked or not,
 *   to a lower one: a key can come twice, never be missed), as Redis's SCAN guarantees.
 *
 * Lookups hash the latin1 string and compare bytes in place; reads build one string.
 */
import {
  compareEntries,
  copyBlock,
  equalsAt,
  hashBytes,
  hashString,
  headerSize,
  pow2AtLeast,
  readLength,
  writeAt,
  writeLength,
} from './big-table-bytes.js';
import { SlotIndex } from './big-table-index.js';

const PAGE_BITS = 14;
const PAGE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE - 1;
/** A reference is block * SPAN + offset (shared blocks are at most SPAN bytes). */
const SPAN = 65536;
const MIN_BLOCK = 1024;
const MAX_BLOCK = SPAN;
/** An entry this large gets a block of its own. */
const OWN_BLOCK_MIN = 16384;
/** The table object, its arrays and each Buffer's object (estimates). */
const TABLE_OBJECT_BYTES = 320;
const BLOCK_OBJECT_BYTES = 96;
/** The index is sized ahead for at most this many entries; it grows past them as they come. */
const MAX_HINT = 1 << 20;
/** Per id: its reference (f64) and hash (u32). */
const ID_BYTES = 12;

export class BigTable extends SlotIndex {
  private n = 0;
  private refs: Float64Array[];
  private hashes: Uint32Array[];
  private blocks: (Buffer | null)[] = [];
  /** Bytes written into each block; dead bytes of each. */
  private used: number[] = [];
  private dead: number[] = [];
  private freeIds: number[] = [];
  private tail = -1;
  private tailSize = MIN_BLOCK / 2;
  /** Tails replaced since the last settle (checked for reclaiming then). */
  private retired: number[] = [];
  private blockBytes = 0;
  private live = 0;
  /** Where the last alloc put its bytes. */
  private allocBuf: Buffer = Buffer.alloc(0);
  private allocOff = 0;

  constructor(
    readonly withValues: boolean,
    sizeHint = 0,
  ) {
    // A hint read from untrusted bytes (a snapshot's count) sizes the index only up to a bound.
    super(Math.min(sizeHint, MAX_HINT));
    const cap = Math.min(PAGE, pow2AtLeast(Math.max(16, sizeHint)));
    this.refs = [new Float64Array(cap)];
    this.hashes = [new Uint32Array(cap)];
  }

  get size(): number {
    return this.n;
  }

  /** Bytes held: blocks, pages, index. */
  memory(): number {
    const pages = (this.refs.length === 1 ? this.refs[0].length : this.refs.length * PAGE) * ID_BYTES;
    const index = this.indexBytes();
    const blocks = this.blockBytes + (this.blocks.length - this.freeIds.length) * BLOCK_OBJECT_BYTES;
    return TABLE_OBJECT_BYTES + pages + index + blocks;
  }

  /** Bytes of the live entries (headers included). */
  liveBytes(): number {
    return this.live;
  }

  has(key: string): boolean {
    return this.find(key, hashString(key)) >= 0;
  }

  get(key: string): string | undefined {
    const id = this.find(key, hashString(key));
    return id < 0 ? undefined : this.valueAt(id);
  }

  /** Adds `key` (with `value` for a hash) or replaces its value; true when the key is new. */
  set(key: string, value = ''): boolean {
    const h = hashString(key);
    this.step();
    const id = this.find(key, h);
    if (id >= 0) {
      if (this.withValues) this.replaceValue(id, key, value);
      return false;
    }
    this.addNew(key, h, value);
    return true;
  }

  /** The id of `key` (`h`: its hashString), or -1. */
  idOf(key: string, h: number): number {
    return this.find(key, h);
  }

  /** Adds `key`, known absent (`h`: its hashString); its id (the last). */
  addNew(key: string, h: number, value = ''): number {
    this.makeRoom(this.n);
    const nid = this.n;
    this.ensureIds(nid + 1);
    const ref = this.write(key, value);
    this.refs[nid >>> PAGE_BITS][nid & PAGE_MASK] = ref;
    this.hashes[nid >>> PAGE_BITS][nid & PAGE_MASK] = h;
    this.n++;
    this.insertSlot(nid, h);
    this.settle();
    return nid;
  }

  /** True when `key` was there. */
  delete(key: string): boolean {
    const h = hashString(key);
    this.step();
    const id = this.removeKey(key, h);
    if (id < 0) return false;
    this.drop(id);
    return true;
  }

  /** Deletes entry `id`; the id whose entry moved into `id` (the last one), or -1 when none did. */
  deleteAt(id: number): number {
    this.step();
    this.removeId(id, this.hashOf(id));
    return this.drop(id);
  }

  /** Byte order of the keys of entries `a` and `b` (memcmp, then length). */
  compareKeys(a: number, b: number): number {
    const ra = this.refOf(a);
    const rb = this.refOf(b);
    const ka = Math.floor(ra / SPAN);
    const kb = Math.floor(rb / SPAN);
    const blocks = this.blocks as Buffer[];
    return compareEntries(blocks[ka], ra - ka * SPAN, blocks[kb], rb - kb * SPAN);
  }

  /** Frees entry `id`, its slot already removed; the last id moves into it (returned, or -1). */
  private drop(id: number): number {
    const ref = this.refOf(id);
    const size = this.entrySize(ref);
    const last = this.n - 1;
    if (id !== last) {
      const lastRef = this.refOf(last);
      const lastHash = this.hashOf(last);
      this.relink(last, id, lastHash);
      this.refs[id >>> PAGE_BITS][id & PAGE_MASK] = lastRef;
      this.hashes[id >>> PAGE_BITS][id & PAGE_MASK] = lastHash;
    }
    this.n = last;
    this.dropPages();
    this.markDead(ref, size);
    this.maybeShrink(this.n);
    this.settle();
    return id !== last ? last : -1;
  }

  /** Keys in id order (insertion order until the first delete). */
  *keys(): Generator<string> {
    for (let i = 0; i < this.n; i++) yield this.keyAt(i);
  }

  /** Values in id order. */
  *values(): Generator<string> {
    for (let i = 0; i < this.n; i++) yield this.valueAt(i);
  }

  /** [key, value] in id order. */
  *entries(): Generator<[string, string]> {
    for (let i = 0; i < this.n; i++) yield [this.keyAt(i), this.valueAt(i)];
  }

  /** Every key present for the whole walk at least once, whatever changes between steps. */
  *scan(): Generator<string> {
    let c = this.n;
    for (;;) {
      if (c > this.n) c = this.n;
      if (c === 0) return;
      c--;
      yield this.keyAt(c);
    }
  }

  /** A key chosen uniformly at random (the table is not empty); moves a rehash on, as Redis's dictGetRandomKey. */
  random(): string {
    this.step();
    return this.keyAt(Math.floor(Math.random() * this.n));
  }

  clone(): BigTable {
    const c = new BigTable(this.withValues);
    c.n = this.n;
    c.refs = this.refs.map((p) => p.slice());
    c.hashes = this.hashes.map((p) => p.slice());
    c.blocks = this.blocks.map((b) => (b === null ? null : copyBlock(b)));
    c.used = [...this.used];
    c.dead = [...this.dead];
    c.freeIds = [...this.freeIds];
    c.tail = this.tail;
    c.tailSize = this.tailSize;
    c.blockBytes = this.blockBytes;
    c.live = this.live;
    c.slots = this.slots.slice();
    c.mask = this.mask;
    c.old = this.old === null ? null : this.old.slice();
    c.oldMask = this.oldMask;
    c.movePos = this.movePos;
    return c;
  }

  // --- entries ---

  protected refOf(id: number): number {
    return this.refs[id >>> PAGE_BITS][id & PAGE_MASK];
  }

  protected hashOf(id: number): number {
    return this.hashes[id >>> PAGE_BITS][id & PAGE_MASK];
  }

  /** The key of entry `id`. */
  keyAt(id: number): string {
    const ref = this.refOf(id);
    const b = Math.floor(ref / SPAN);
    const buf = this.blocks[b] as Buffer;
    const off = ref - b * SPAN;
    const len = readLength(buf, off);
    const from = off + headerSize(len);
    return buf.toString('latin1', from, from + len);
  }

  private valueAt(id: number): string {
    if (!this.withValues) return '';
    const ref = this.refOf(id);
    const b = Math.floor(ref / SPAN);
    const buf = this.blocks[b] as Buffer;
    const off = ref - b * SPAN;
    const klen = readLength(buf, off);
    const v = off + headerSize(klen) + klen;
    const len = readLength(buf, v);
    const from = v + headerSize(len);
    return buf.toString('latin1', from, from + len);
  }

  /** Bytes of the entry at `ref`. */
  private entrySize(ref: number): number {
    const b = Math.floor(ref / SPAN);
    const buf = this.blocks[b] as Buffer;
    const off = ref - b * SPAN;
    const klen = readLength(buf, off);
    let end = off + headerSize(klen) + klen;
    if (this.withValues) {
      const vlen = readLength(buf, end);
      end += headerSize(vlen) + vlen;
    }
    return end - off;
  }

  protected matches(id: number, key: string, h: number): boolean {
    if (this.hashOf(id) !== h) return false;
    const ref = this.refOf(id);
    const b = Math.floor(ref / SPAN);
    const buf = this.blocks[b] as Buffer;
    const off = ref - b * SPAN;
    const len = readLength(buf, off);
    return len === key.length && equalsAt(buf, off + headerSize(len), key);
  }

  private replaceValue(id: number, key: string, value: string): void {
    const ref = this.refOf(id);
    const b = Math.floor(ref / SPAN);
    const buf = this.blocks[b] as Buffer;
    const off = ref - b * SPAN;
    const klen = readLength(buf, off);
    const v = off + headerSize(klen) + klen;
    const vlen = readLength(buf, v);
    if (headerSize(vlen) + vlen === headerSize(value.length) + value.length) {
      writeAt(buf, writeLength(buf, v, value.length), value);
      return;
    }
    const size = v + headerSize(vlen) + vlen - off;
    this.refs[id >>> PAGE_BITS][id & PAGE_MASK] = this.write(key, value);
    this.markDead(ref, size);
    this.settle();
  }

  /** Appends an entry; returns its reference. */
  private write(key: string, value: string): number {
    const kl = key.length;
    const vl = value.length;
    const size = headerSize(kl) + kl + (this.withValues ? headerSize(vl) + vl : 0);
    const ref = this.alloc(size);
    const buf = this.allocBuf;
    const p = writeAt(buf, writeLength(buf, this.allocOff, kl), key);
    if (this.withValues) writeAt(buf, writeLength(buf, p, vl), value);
    return ref;
  }

  // --- blocks ---

  private alloc(size: number): number {
    let b: number;
    if (size >= OWN_BLOCK_MIN) {
      b = this.newBlock(size);
      this.allocOff = 0;
      this.used[b] = size;
    } else {
      b = this.tail;
      if (b < 0 || this.used[b] + size > (this.blocks[b] as Buffer).length) b = this.newTail(size);
      this.allocOff = this.used[b];
      this.used[b] += size;
    }
    this.allocBuf = this.blocks[b] as Buffer;
    this.live += size;
    return b * SPAN + this.allocOff;
  }

  private newTail(size: number): number {
    if (this.tail >= 0) this.retired.push(this.tail);
    let s = Math.min(MAX_BLOCK, Math.max(MIN_BLOCK, this.tailSize * 2));
    while (s < size) s *= 2;
    this.tailSize = s;
    this.tail = this.newBlock(s);
    return this.tail;
  }

  private newBlock(size: number): number {
    const b = this.freeIds.pop() ?? this.blocks.length;
    this.blocks[b] = Buffer.allocUnsafeSlow(size);
    this.used[b] = 0;
    this.dead[b] = 0;
    this.blockBytes += size;
    return b;
  }

  private markDead(ref: number, size: number): void {
    const b = Math.floor(ref / SPAN);
    this.dead[b] += size;
    this.live -= size;
    if (b === this.tail) {
      if (this.dead[b] === this.used[b]) this.used[b] = this.dead[b] = 0;
      return;
    }
    this.reclaim(b);
  }

  /** Drops block `b` when it is at least half dead, its live entries copied to the tail. */
  private reclaim(b: number): void {
    const buf = this.blocks[b];
    if (buf === null || b === this.tail || this.dead[b] * 2 < this.used[b]) return;
    if (this.dead[b] < this.used[b]) this.evacuate(b, buf);
    this.blockBytes -= buf.length;
    this.live -= this.used[b] - this.dead[b];
    this.blocks[b] = null;
    this.used[b] = this.dead[b] = 0;
    this.freeIds.push(b);
  }

  private evacuate(b: number, buf: Buffer): void {
    const end = this.used[b];
    for (let off = 0; off < end; ) {
      const klen = readLength(buf, off);
      const k = off + headerSize(klen);
      let e = k + klen;
      if (this.withValues) {
        const vlen = readLength(buf, e);
        e += headerSize(vlen) + vlen;
      }
      const id = this.idAt(b * SPAN + off, hashBytes(buf, k, klen));
      if (id >= 0) {
        const ref = this.alloc(e - off);
        buf.copy(this.allocBuf, this.allocOff, off, e);
        this.refs[id >>> PAGE_BITS][id & PAGE_MASK] = ref;
      }
      off = e;
    }
  }

  /** Checks the tails replaced by the last write. */
  private settle(): void {
    while (this.retired.length > 0) this.reclaim(this.retired.pop() as number);
  }

  // --- ids ---

  private ensureIds(need: number): void {
    const p0 = this.refs[0];
    if (this.refs.length === 1 && p0.length < PAGE) {
      if (need <= p0.length) return;
      const cap = Math.min(PAGE, p0.length * 2);
      const r = new Float64Array(cap);
      r.set(p0);
      const h = new Uint32Array(cap);
      h.set(this.hashes[0]);
      this.refs[0] = r;
      this.hashes[0] = h;
      return;
    }
    if (need > this.refs.length * PAGE) {
      this.refs.push(new Float64Array(PAGE));
      this.hashes.push(new Uint32Array(PAGE));
    }
  }

  /** Frees the last page once it and half the one before are unused; halves a lone page 1/4 used. */
  private dropPages(): void {
    const pages = this.refs.length;
    if (pages > 1 && this.n <= (pages - 1) * PAGE - PAGE / 2) {
      this.refs.pop();
      this.hashes.pop();
    } else if (pages === 1 && this.refs[0].length > 16 && this.n <= this.refs[0].length / 4) {
      this.refs[0] = this.refs[0].slice(0, this.refs[0].length / 2);
      this.hashes[0] = this.hashes[0].slice(0, this.hashes[0].length / 2);
    }
  }
}
