/**
 * Reading one stream node (stream-node.ts): its listpack's size and counts, the master ID and
 * fields, and walking its entries both ways, finding an ID and decoding IDs and fields.
 * StreamNode adds what writes the node.
 */
import { compareIds, type StreamID } from './stream-id.js';
import {
  elementSize,
  isWideInt,
  LP_HEADER_BYTES,
  prevElement,
  readBigInt,
  readInt,
  readString,
} from './stream-listpack.js';

/** Heap bytes charged per node on top of its listpack bytes (memory()). */
export const NODE_OVERHEAD_BYTES = 200;

export const FLAG_DELETED = 1;

export const FLAG_SAMEFIELDS = 2;

/** ID halves up to here are compared as numbers while seeking. */
const NUMERIC_LIMIT = 2 ** 52;

/** ID halves below this have exact differences as numbers. */
export const SMALL_HALF = 2n ** 52n;

/** What a node is made of (for building one from checked bytes). */
export interface NodeParts {
  /** The listpack (its header gives its size, its master entry the counts). */
  buf: Buffer;
  master: StreamID;
  /** The last entry's ID while the node takes entries; null: sealed (read from the bytes on use). */
  lastId: StreamID | null;
  /** Offset of the first entry in the listpack. */
  firstOff: number;
  masterCount: number;
}

/** What the node being written keeps at hand (dropped when it is sealed). */
export interface Tail {
  /** The last entry's ID. */
  last: StreamID;
  /** The master field names, once an append needed them. */
  mf: Uint8Array[] | null;
}

export class NodeReader {
  /** Holds the listpack at `base`; the listpack's header gives its size (`used`). */
  protected buf: Buffer;
  protected base: number;
  /** Bytes at `base` the listpack may grow into without moving. */
  protected cap: number;
  /** Offset of the first entry (after the master entry) from `base`. */
  protected firstRel: number;
  protected readonly masterCount: number;
  /** The master ID's halves as numbers when both are below SMALL_HALF (else -1: see bigMaster). */
  protected readonly masterMs: number;
  protected readonly masterSeq: number;
  protected readonly bigMaster: StreamID | null;
  /** The last ID and master fields while the node takes entries (null once sealed). */
  protected tail: Tail | null;

  /** A node on `p.buf` at `base`, `cap` bytes of room there (the listpack's size when sealed). */
  constructor(p: NodeParts, base = 0, cap = p.buf.length) {
    this.buf = p.buf;
    this.base = base;
    this.cap = cap;
    this.firstRel = p.firstOff;
    this.masterCount = p.masterCount;
    const small = p.master.ms < SMALL_HALF && p.master.seq < SMALL_HALF;
    this.masterMs = small ? Number(p.master.ms) : -1;
    this.masterSeq = small ? Number(p.master.seq) : -1;
    this.bigMaster = small ? null : p.master;
    this.tail = p.lastId === null ? null : { last: p.lastId, mf: null };
  }

  /** The node's radix-tree key: the ID the entries' differences are from. */
  get master(): StreamID {
    return this.bigMaster ?? { ms: BigInt(this.masterMs), seq: BigInt(this.masterSeq) };
  }

  /**
   * compareIds(master, id); `ms`, `seq`: id's halves as numbers when both are below SMALL_HALF
   * (else -1). Numbers compare without making bigints.
   */
  compareMaster(id: StreamID, ms: number, seq: number): number {
    if (this.bigMaster !== null || ms < 0) return compareIds(this.master, id);
    if (this.masterMs !== ms) return this.masterMs < ms ? -1 : 1;
    if (this.masterSeq !== seq) return this.masterSeq < seq ? -1 : 1;
    return 0;
  }

  /** The listpack's size (its header's total bytes). */
  protected get used(): number {
    const b = this.buf;
    const at = this.base;
    return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000;
  }

  /** Entries not deleted (the master entry's `count`). */
  get live(): number {
    return readInt(this.buf, this.base + LP_HEADER_BYTES);
  }

  /** Tombstones (the master entry's `deleted`). */
  get deleted(): number {
    const at = this.base + LP_HEADER_BYTES;
    return readInt(this.buf, at + elementSize(this.buf, at));
  }

  /** The last entry's ID (live or deleted). */
  get lastId(): StreamID {
    return this.tail?.last ?? this.idAt(this.last());
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
    if (this.bigMaster === null && !isWideInt(buf, p) && !isWideInt(buf, q)) {
      // Below 2^53: exact as numbers. A negative sum wrapped around 2^64 (below, as bigints).
      const ms = this.masterMs + readInt(buf, p);
      const seq = this.masterSeq + readInt(buf, q);
      if (ms >= 0 && seq >= 0) return { ms: BigInt(ms), seq: BigInt(seq) };
    }
    const master = this.master;
    return {
      ms: BigInt.asUintN(64, master.ms + readBigInt(buf, p)),
      seq: BigInt.asUintN(64, master.seq + readBigInt(buf, q)),
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
    // With a small master and a small ID everything below is numbers (no bigint made).
    const small = this.bigMaster === null && id.ms < SMALL_HALF && id.seq < SMALL_HALF;
    const idMs = small ? Number(id.ms) : -1;
    const tSeq = Number(id.seq);
    if (this.compareMaster(id, idMs, tSeq) >= 0) return this.first();
    const end = this.end();
    if (compareIds(id, this.lastId) > 0) return end;
    const buf = this.buf;
    let numeric = true;
    let dMs = idMs - this.masterMs;
    let mSeq = this.masterSeq;
    if (!small) {
      const master = this.master;
      const dms = id.ms - master.ms;
      numeric = dms <= NUMERIC_LIMIT && master.seq <= NUMERIC_LIMIT && id.seq <= NUMERIC_LIMIT;
      dMs = Number(dms);
      mSeq = Number(master.seq);
    }
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
}

/** Index of the last of `nodes` (ascending) whose master ID is <= `id` (-1 when none). */
export function lastNodeAtOrBefore(nodes: readonly NodeReader[], id: StreamID): number {
  const small = id.ms < SMALL_HALF && id.seq < SMALL_HALF;
  const ms = small ? Number(id.ms) : -1;
  const seq = small ? Number(id.seq) : -1;
  let lo = 0;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (nodes[mid].compareMaster(id, ms, seq) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
