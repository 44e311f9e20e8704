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
 *
 * A large stream has a node per 100 entries, so what a node holds on the JS heap counts per
 * entry: the listpack's header and master entry are the only record of its size and its live
 * and deleted counts, the master ID is kept as two numbers (a StreamID of bigints only when a
 * half does not fit one), and what only the node being written needs sits in a `Tail` that
 * sealing drops. About 110 bytes of heap a node instead of 230.
 */
import { sameBytes } from '../../util/same-bytes.js';
import type { StreamID } from './stream-id.js';
import {
  elementSize,
  LP_EOF,
  LP_HEADER_AND_END_BYTES,
  LP_HEADER_BYTES,
  LP_NUMELE_UNKNOWN,
  lpBytesSize,
  lpIntBytes,
  lpStringMaxBytes,
  putBigInt,
  putBytes,
  putInt,
  readBytes,
} from './stream-listpack.js';
import { FLAG_DELETED, FLAG_SAMEFIELDS, NodeReader, SMALL_HALF } from './stream-node-read.js';
import type { NodeRoom } from './stream-pack.js';

export {
  FLAG_DELETED,
  FLAG_SAMEFIELDS,
  NODE_OVERHEAD_BYTES,
  type NodeParts,
  SMALL_HALF,
} from './stream-node-read.js';

/** Most bytes an integer element takes. */
const INT_MAX_BYTES = 10;

/** Growth doubles up to here, then goes by half the size. */
const DOUBLING_LIMIT = 4096;

/** Spare room a sealed node keeps rather than being copied. */
const SMALL_SPARE_BYTES = 16;

export class StreamNode extends NodeReader {
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
    buf.writeUInt32LE(off + 1 - base, base);
    buf.writeUInt16LE(Math.min(2 * n + 8, LP_NUMELE_UNKNOWN), base + 4);
    const node = new StreamNode({ buf, master: id, lastId: id, firstOff, masterCount: n }, base, cap);
    if (node.tail !== null) node.tail.mf = mf;
    return node;
  }

  /** Make room for `extra` more bytes (in a Buffer of the node's own when it moves). */
  private room(extra: number): void {
    const need = this.used + extra;
    const cap = this.cap;
    if (need <= cap) return;
    const grown = cap < DOUBLING_LIMIT ? Math.min(cap * 2, DOUBLING_LIMIT) : cap + (cap >>> 1);
    // A sealed node (a counter grew) moves to exactly its size.
    const size = this.tail === null ? need : Math.max(need, grown);
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
    const cap = this.cap;
    const used = this.used;
    this.tail = null;
    if (room?.shrink(this.buf, this.base, cap, used)) {
      this.cap = used;
      return;
    }
    const at = room === undefined ? -1 : room.place(used);
    if (at >= 0 && room?.block) this.moveTo(room.block, at, used);
    else if (cap - used > SMALL_SPARE_BYTES) this.moveTo(Buffer.allocUnsafeSlow(used), 0, used);
  }

  /**
   * Append an entry (its ID above every ID in the node), its fields and values `fv[from..]`;
   * `ms`, `seq`: the ID's halves as numbers when below SMALL_HALF (exact differences), else -1.
   */
  push(id: StreamID, fv: readonly Uint8Array[], from: number, ms = -1, seq = -1): void {
    const n = (fv.length - from) / 2;
    // The tail node keeps its master fields at hand while it takes entries.
    // A sealed node taking entries again (the last node of a loaded stream) has no spare room.
    this.tail ??= { last: id, mf: null };
    const tail = this.tail;
    tail.mf ??= this.masterFieldsAs(readBytes);
    const m = tail.mf;
    let same = fv.length - from === this.masterCount * 2;
    for (let i = 0; same && i < m.length; i++) same = sameBytes(fv[from + i * 2], m[i]);
    if (ms < 0 && id.ms < SMALL_HALF && id.seq < SMALL_HALF) {
      ms = Number(id.ms);
      seq = Number(id.seq);
    }
    const master = ms >= 0 && seq >= 0 && this.bigMaster === null ? null : this.master;
    const msd = master === null ? ms - this.masterMs : BigInt.asIntN(64, id.ms - master.ms);
    const seqd = master === null ? seq - this.masterSeq : BigInt.asIntN(64, id.seq - master.seq);
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
    buf.writeUInt32LE(off + 1 - base, base);
    const numele = buf.readUInt16LE(base + 4);
    if (numele !== LP_NUMELE_UNKNOWN)
      buf.writeUInt16LE(Math.min(numele + (same ? n + 4 : 2 * n + 5), LP_NUMELE_UNKNOWN), base + 4);
    tail.last = id;
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
      const used = this.used;
      at = this.base + LP_HEADER_BYTES;
      this.buf.copyWithin(at + oldBytes + diff, at + oldBytes, this.base + used);
      this.buf.writeUInt32LE(used + diff, this.base);
      this.firstRel += diff;
    }
    const buf = this.buf;
    putInt(buf, putInt(buf, at, live), deleted);
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
    const used = this.used;
    const buf = Buffer.allocUnsafeSlow(used);
    this.buf.copy(buf, 0, this.base, this.base + used);
    const lastId = this.tail?.last ?? null;
    return new StreamNode({
      buf,
      master: this.master,
      lastId,
      firstOff: this.firstRel,
      masterCount: this.masterCount,
    });
  }
}
