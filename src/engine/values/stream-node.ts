/**
 * One node of a stream: one listpack, laid out byte for byte as Redis 7.0's t_stream.c lays
 * out the listpacks of its radix tree, kept in one Buffer.
 *
 *   master entry:  count, deleted, master-field-count, field..., 0
 *   each entry:    flags, ms-diff, seq-diff, [field-count, field, value... | value...], lp-count
 *
 * `count` and `deleted` are the live and tombstoned entries; an entry's IDs are differences
 * from the node's master ID (its radix-tree key, the first entry's ID); SAMEFIELDS (flag 2)
 * entries have the master's field names and store only their values; `lp-count` is the number
 * of elements of the entry before it, to walk backwards. Deleting an entry sets its DELETED
 * flag (1) in place; the node goes when no live entry is left. Entries are addressed by the
 * offset of their flags element; finding an ID is a walk through the node, as in Redis.
 *
 * The listpack sits at `base` in `buf`: a Buffer of its own, or a block shared with the
 * stream's other nodes (stream-pack.ts), and offsets handed out are offsets in `buf`. The node
 * being written may have spare room (up to `cap`; grown by doubling up to 4 kB, then by half);
 * `seal()` gives it back when a later node starts, as Redis's lpShrinkToFit does.
 */
import { sameBytes } from '../../util/same-bytes.js';
import { compareIds, type StreamID } from './stream-id.js';
import {
  elementSize,
  isWideInt,
  LP_EOF,
  LP_HEADER_AND_END_BYTES,
  LP_HEADER_BYTES,
  LP_NUMELE_UNKNOWN,
  lpBytesSize,
  lpIntBytes,
  lpStringMaxBytes,
  prevElement,
  putBigInt,
  putBytes,
  putInt,
  readBigInt,
  readBytes,
  readInt,
  readString,
} from './stream-listpack.js';
import type { NodeRoom } from './stream-pack.js';

/** Heap bytes charged per node on top of its listpack bytes (memory()). */
export const NODE_OVERHEAD_BYTES = 200;

export const FLAG_DELETED = 1;
export const FLAG_SAMEFIELDS = 2;

/** Most bytes an integer element takes. */
const INT_MAX_BYTES = 10;
/** Growth doubles up to here, then goes by half the size. */
const DOUBLING_LIMIT = 4096;
/** Spare room a sealed node keeps rather than being copied. */
const SMALL_SPARE_BYTES = 16;
/** ID halves up to here are compared as numbers while seeking. */
const NUMERIC_LIMIT = 2 ** 52;
/** ID halves below this have exact differences as numbers. */
export const SMALL_HALF = 2n ** 52n;

/** What a node is made of (for building one from checked bytes). */
export interface NodeParts {
  /** A Buffer of the node's own, the listpack at 0 and nothing after it. */
  buf: Buffer;
  used: number;
  master: StreamID;
  /** The last entry's ID, when at hand (else read from the bytes on use). */
  lastId: StreamID | null;
  live: number;
  deleted: number;
  /** Offset of the first entry in the listpack. */
  firstOff: number;
  masterCount: number;
}

export class StreamNode {
  /** Holds the listpack at `base`, `used` bytes of it, room for `cap`. */
  private buf: Buffer;
  private base = 0;
  private cap: number;
  private used: number;
  /** The node's radix-tree key: the ID the entries' differences are from. */
  readonly master: StreamID;
  /** The last entry's ID while the node takes entries (null once sealed: decoded on use). */
  private tailLast: StreamID | null;
  /** Entries not deleted (the master entry's `count`). */
  live: number;
  /** Tombstones (the master entry's `deleted`). */
  deleted: number;
  /** Offset of the first entry (after the master entry) from `base`. */
  private firstRel: number;
  private readonly masterCount: number;
  /** The master ID's halves as numbers when below SMALL_HALF (else -1), for numeric differences. */
  private readonly masterMs: number;
  private readonly masterSeq: number;
  /** The master field names while the node takes entries (null once sealed: decoded on use). */
  private mf: Uint8Array[] | null = null;

  constructor(p: NodeParts) {
    this.buf = p.buf;
    this.cap = p.buf.length;
    this.used = p.used;
    this.master = p.master;
    this.masterMs = p.master.ms < SMALL_HALF ? Number(p.master.ms) : -1;
    this.masterSeq = p.master.seq < SMALL_HALF ? Number(p.master.seq) : -1;
    this.tailLast = p.lastId;
    this.live = p.live;
    this.deleted = p.deleted;
    this.firstRel = p.firstOff;
    this.masterCount = p.masterCount;
  }

  /**
   * A node holding its first entry, fields and values `fv[from..]` (streamAppendItem's new
   * listpack), with room for `capacity` bytes (the previous node's size is a good guess), taken
   * from `room` when it has some.
   */
  static create(id: StreamID, fv: readonly Uint8Array[], from: number, capacity = 0, room?: NodeRoom) {
    const n = (fv.length - from) / 2;
    let first = LP_HEADER_AND_END_BYTES + 4 * INT_MAX_BYTES + 3 * 2 + INT_MAX_BYTES;
    for (let i = from; i < fv.length; i++) first += lpStringMaxBytes(fv[i].length);
    const at = capacity >= first && room !== undefined ? room.place(capacity) : -1;
    const inBlock = at >= 0 && room?.block != null;
    const cap = inBlock ? capacity : Math.max(first, capacity);
    const buf = inBlock && room?.block ? room.block : Buffer.allocUnsafeSlow(cap);
    const base = inBlock ? at : 0;
    let off = putInt(buf, base + LP_HEADER_BYTES, 1);
    off = putInt(buf, off, 0);
    off = putInt(buf, off, n);
    const mf: Uint8Array[] = [];
    for (let i = from; i < fv.length; i += 2) {
      // A copy: the caller's bytes may be a view of a buffer that is reused.
      mf.push(Buffer.from(fv[i]));
      off = putBytes(buf, off, fv[i]);
    }
    off = putInt(buf, off, 0);
    const firstOff = off - base;
    off = putInt(buf, off, FLAG_SAMEFIELDS);
    off = putInt(buf, off, 0);
    off = putInt(buf, off, 0);
    for (let i = from + 1; i < fv.length; i += 2) off = putBytes(buf, off, fv[i]);
    off = putInt(buf, off, n + 3);
    buf[off] = LP_EOF;
    const used = off + 1 - base;
    buf.writeUInt32LE(used, base);
    buf.writeUInt16LE(Math.min(2 * n + 8, LP_NUMELE_UNKNOWN), base + 4);
    const node = new StreamNode({
      buf,
      used,
      master: id,
      lastId: id,
      live: 1,
      deleted: 0,
      firstOff,
      masterCount: n,
    });
    node.base = base;
    node.cap = cap;
    node.mf = mf;
    return node;
  }

  /** The last entry's ID (live or deleted). */
  get lastId(): StreamID {
    return this.tailLast ?? this.idAt(this.last());
  }

  /** Entries in the node, live or deleted. */
  get entries(): number {
    return this.live + this.deleted;
  }

  /** The listpack's size (lpBytes). */
  lpBytes(): number {
    return this.used;
  }

  /** Heap bytes charged for this node (memory()). */
  get heapBytes(): number {
    return this.used + NODE_OVERHEAD_BYTES;
  }

  /** The listpack's bytes, as a view (valid until the node changes). */
  listpack(): Buffer {
    return this.buf.subarray(this.base, this.base + this.used);
  }

  masterFields(): string[] {
    return this.masterFieldsAs(readString);
  }

  /** The master entry's field names, each read by `read` (readString: strings, readBytes: Buffers). */
  masterFieldsAs<T>(read: (buf: Buffer, off: number) => T): T[] {
    const buf = this.buf;
    let off = this.base + LP_HEADER_BYTES;
    for (let i = 0; i < 3; i++) off += elementSize(buf, off); // count, deleted, field count
    const out: T[] = [];
    for (let i = 0; i < this.masterCount; i++) {
      out.push(read(buf, off));
      off += elementSize(buf, off);
    }
    return out;
  }

  /** Make room for `extra` more bytes (in a Buffer of the node's own when it moves). */
  private room(extra: number): void {
    const need = this.used + extra;
    const cap = this.cap;
    if (need <= cap) return;
    const grown = cap < DOUBLING_LIMIT ? Math.min(cap * 2, DOUBLING_LIMIT) : cap + (cap >>> 1);
    // A sealed node (a counter grew) moves to exactly its size.
    const size = this.tailLast === null ? need : Math.max(need, grown);
    this.moveTo(Buffer.allocUnsafeSlow(size), 0, size);
  }

  /** Move the listpack to `base` in `buf`, with room for `cap` bytes there. */
  private moveTo(buf: Buffer, base: number, cap: number): void {
    this.buf.copy(buf, base, this.base, this.base + this.used);
    this.buf = buf;
    this.base = base;
    this.cap = cap;
  }

  /**
   * The node takes no more entries: drop the caches kept for appending, and its spare room. In
   * a packed stream (`room`) the bytes stay where they are when they were the last room taken
   * in the block (the spare goes back), else they move into the block; otherwise they move to
   * a Buffer of their exact size unless the spare room is small.
   */
  seal(room?: NodeRoom): void {
    this.mf = null;
    this.tailLast = null;
    if (room?.shrink(this.buf, this.base, this.cap, this.used)) {
      this.cap = this.used;
      return;
    }
    const at = room === undefined ? -1 : room.place(this.used);
    if (at >= 0 && room?.block) this.moveTo(room.block, at, this.used);
    else if (this.cap - this.used > SMALL_SPARE_BYTES)
      this.moveTo(Buffer.allocUnsafeSlow(this.used), 0, this.used);
  }

  /**
   * Append an entry (its ID above every ID in the node), its fields and values `fv[from..]`;
   * `ms`, `seq`: the ID's halves as numbers when below SMALL_HALF (exact differences), else -1.
   */
  push(id: StreamID, fv: readonly Uint8Array[], from: number, ms = -1, seq = -1): void {
    const n = (fv.length - from) / 2;
    // The tail node keeps its master fields at hand while it takes entries.
    this.mf ??= this.masterFieldsAs(readBytes);
    const m = this.mf;
    let same = fv.length - from === this.masterCount * 2;
    for (let i = 0; same && i < m.length; i++) same = sameBytes(fv[from + i * 2], m[i]);
    const small = ms >= 0 && seq >= 0 && this.masterMs >= 0 && this.masterSeq >= 0;
    const msd = small ? ms - this.masterMs : BigInt.asIntN(64, id.ms - this.master.ms);
    const seqd = small ? seq - this.masterSeq : BigInt.asIntN(64, id.seq - this.master.seq);
    const lpCount = same ? n + 3 : 2 * n + 4;
    // The entry's exact size, so that a guessed capacity is not outgrown for nothing.
    let extra = 2 + lpIntBytes(msd) + lpIntBytes(seqd) + lpIntBytes(lpCount) + (same ? 0 : lpIntBytes(n));
    const step = same ? 2 : 1;
    for (let i = same ? from + 1 : from; i < fv.length; i += step) extra += lpBytesSize(fv[i]);
    this.room(extra);
    const buf = this.buf;
    const base = this.base;
    let off = base + this.used - 1;
    off = putInt(buf, off, same ? FLAG_SAMEFIELDS : 0);
    off = typeof msd === 'number' ? putInt(buf, off, msd) : putBigInt(buf, off, msd);
    off = typeof seqd === 'number' ? putInt(buf, off, seqd) : putBigInt(buf, off, seqd);
    if (!same) off = putInt(buf, off, n);
    for (let i = same ? from + 1 : from; i < fv.length; i += step) off = putBytes(buf, off, fv[i]);
    off = putInt(buf, off, lpCount);
    buf[off] = LP_EOF;
    this.used = off + 1 - base;
    const numele = buf.readUInt16LE(base + 4);
    if (numele !== LP_NUMELE_UNKNOWN)
      buf.writeUInt16LE(Math.min(numele + (same ? n + 4 : 2 * n + 5), LP_NUMELE_UNKNOWN), base + 4);
    this.tailLast = id;
    this.setCounts(this.live + 1, this.deleted);
  }

  /** Rewrite the master entry's count and deleted (lpReplaceInteger: the rest may shift). */
  setCounts(live: number, deleted: number): void {
    let at = this.base + LP_HEADER_BYTES;
    const old = elementSize(this.buf, at);
    const oldBytes = old + elementSize(this.buf, at + old);
    const diff = lpIntBytes(live) + lpIntBytes(deleted) - oldBytes;
    if (diff !== 0) {
      if (diff > 0) this.room(diff);
      at = this.base + LP_HEADER_BYTES;
      this.buf.copyWithin(at + oldBytes + diff, at + oldBytes, this.base + this.used);
      this.used += diff;
      this.firstRel += diff;
    }
    const buf = this.buf;
    putInt(buf, putInt(buf, at, live), deleted);
    buf.writeUInt32LE(this.used, this.base);
    this.live = live;
    this.deleted = deleted;
  }

  // ---- walking ---------------------------------------------------------------------------

  /** Offset of the first entry (a node has at least one). */
  first(): number {
    return this.base + this.firstRel;
  }

  /** Offset just past the last entry (the end byte). */
  end(): number {
    return this.base + this.used - 1;
  }

  /** Offset of the entry after the one at `off` (end() after the last). */
  next(off: number): number {
    const buf = this.buf;
    const flags = buf[off];
    let p = off + 2;
    p += elementSize(buf, p);
    p += elementSize(buf, p);
    let k: number;
    if ((flags & FLAG_SAMEFIELDS) !== 0) k = this.masterCount;
    else {
      k = readInt(buf, p) * 2;
      p += elementSize(buf, p);
    }
    for (; k > 0; k--) p += elementSize(buf, p);
    return p + elementSize(buf, p);
  }

  /** Offset of the entry before the one at `off` (or at end()); -1 before the first. */
  prev(off: number): number {
    if (off <= this.base + this.firstRel) return -1;
    const buf = this.buf;
    let p = prevElement(buf, off);
    for (let k = readInt(buf, p); k > 0; k--) p = prevElement(buf, p);
    return p;
  }

  /** Offset of the last entry. */
  last(): number {
    return this.prev(this.base + this.used - 1);
  }

  isDeleted(off: number): boolean {
    return (this.buf[off] & FLAG_DELETED) !== 0;
  }

  /** The ID of the entry at `off`. */
  idAt(off: number): StreamID {
    const buf = this.buf;
    const p = off + 2;
    const q = p + elementSize(buf, p);
    return {
      ms: BigInt.asUintN(64, this.master.ms + readBigInt(buf, p)),
      seq: BigInt.asUintN(64, this.master.seq + readBigInt(buf, q)),
    };
  }

  /** Field, value, ... of the entry at `off` (`mf`: the master fields, when at hand). */
  fieldsAt(off: number, mf?: readonly string[]): string[] {
    return this.fieldsAs(off, readString, mf ?? null);
  }

  /** fieldsAt with each element read by `read`; `mf`: masterFieldsAs(read), when at hand. */
  fieldsAs<T>(off: number, read: (buf: Buffer, off: number) => T, mf: readonly T[] | null): T[] {
    const buf = this.buf;
    let p = off + 2;
    p += elementSize(buf, p);
    p += elementSize(buf, p);
    const out: T[] = [];
    if ((buf[off] & FLAG_SAMEFIELDS) !== 0) {
      const m = mf ?? this.masterFieldsAs(read);
      for (let i = 0; i < m.length; i++) {
        out.push(m[i], read(buf, p));
        p += elementSize(buf, p);
      }
      return out;
    }
    const k = readInt(buf, p) * 2;
    p += elementSize(buf, p);
    for (let i = 0; i < k; i++) {
      out.push(read(buf, p));
      p += elementSize(buf, p);
    }
    return out;
  }

  /** Offset of the first entry with ID >= `id`, deleted or not (end() when none). */
  seek(id: StreamID): number {
    if (compareIds(id, this.master) <= 0) return this.first();
    const end = this.end();
    if (compareIds(id, this.lastId) > 0) return end;
    const buf = this.buf;
    const dms = id.ms - this.master.ms;
    const numeric = dms <= NUMERIC_LIMIT && this.master.seq <= NUMERIC_LIMIT && id.seq <= NUMERIC_LIMIT;
    const dMs = Number(dms);
    const mSeq = Number(this.master.seq);
    const tSeq = Number(id.seq);
    for (let off = this.first(); off < end; off = this.next(off)) {
      const p = off + 2;
      if (!numeric || isWideInt(buf, p)) {
        if (compareIds(this.idAt(off), id) >= 0) return off;
        continue;
      }
      // ms-diff as a signed number: negative means an ms of 2^63 or more after the master's.
      const msd = readInt(buf, p);
      if (msd < 0 || msd > dMs) return off;
      if (msd < dMs) continue;
      const q = p + elementSize(buf, p);
      if (isWideInt(buf, q)) {
        if (compareIds(this.idAt(off), id) >= 0) return off;
        continue;
      }
      const seq = mSeq + readInt(buf, q);
      if (seq < 0 || seq >= tSeq) return off;
    }
    return end;
  }

  /** Set the DELETED flag of the entry at `off` (counts unchanged); false when it was set. */
  flagDeleted(off: number): boolean {
    const f = this.buf[off];
    if ((f & FLAG_DELETED) !== 0) return false;
    this.buf[off] = f | FLAG_DELETED;
    return true;
  }

  /** Mark the entry at `off` deleted and count it; false when it already was. */
  kill(off: number): boolean {
    if (!this.flagDeleted(off)) return false;
    this.setCounts(this.live - 1, this.deleted + 1);
    return true;
  }

  /** A deep copy, without spare room. */
  clone(): StreamNode {
    const buf = Buffer.allocUnsafeSlow(this.used);
    this.buf.copy(buf, 0, this.base, this.base + this.used);
    return new StreamNode({
      buf,
      used: this.used,
      master: this.master,
      lastId: this.tailLast,
      live: this.live,
      deleted: this.deleted,
      firstOff: this.firstRel,
      masterCount: this.masterCount,
    });
  }
}
