/**
 * A stream (Redis 7.0's t_stream.c): entries with IDs in increasing order, kept in nodes that
 * are Redis's listpacks byte for byte (stream-node.ts), ordered by their master ID as Redis's
 * radix tree orders them, plus consumer groups (stream-groups.ts). Finding an ID is a binary
 * search over the nodes' master IDs, then a walk inside one node, as in Redis.
 *
 * The node structure is reproduced because it is observable: approximate trimming (`~`)
 * removes only whole nodes, XDEL leaves tombstones until a node empties, and XINFO reports the
 * tree's size. A new node starts when the tail node holds `stream-node-max-entries` entries
 * (live or deleted) or its listpack would reach `stream-node-max-bytes`.
 *
 * Unlike other collections an empty stream stays a key (XDEL and XTRIM can empty it, XGROUP
 * CREATE MKSTREAM makes one): `keepsWhenEmpty`.
 */
import {
  COLLECTION_OVERHEAD_BYTES,
  type Collection,
  ELEMENT_OVERHEAD_BYTES,
  type EncodingLimits,
} from './collection.js';
import { ConsumerGroup } from './stream-groups.js';
import { compareIds, incrId, isZeroId, MAX_ID, type StreamID, UINT64_MAX, ZERO_ID } from './stream-id.js';
import { readString } from './stream-listpack.js';
import { SMALL_HALF, StreamNode } from './stream-node.js';
import { lastNodeAtOrBefore } from './stream-node-read.js';
import { NodePacker } from './stream-pack.js';
import { raxNodeCount } from './stream-rax.js';
import { deserializeStream, serializeStream } from './stream-serial.js';

/** The last clock reading autoId saw, and it as a bigint. */
let clockMs = -1;
let clockMsBig = 0n;
/** The node limits tailFull last saw, and their max entries as a number. */
let lastLimits: NodeLimits | null = null;
let lastMaxEntries = 0;

/** A new node gets room for the previous node's size plus 1/16 and this many bytes. */
const NODE_ROOM_MARGIN = 32;

/** Redis refuses entries whose fields and values add up past this (STREAM_LISTPACK_MAX_SIZE). */
export const STREAM_LISTPACK_MAX_SIZE = 1 << 30;

export interface StreamEntry {
  readonly id: StreamID;
  /** Field, value, field, value... (latin1 strings). */
  readonly fields: readonly string[];
}

/** When a node is full (stream-node-max-entries, stream-node-max-bytes; 0 = no limit). */
export interface NodeLimits {
  maxEntries: bigint;
  maxBytes: number;
}

export interface TrimArgs {
  strategy: 'maxlen' | 'minid';
  maxlen: number;
  minid: StreamID;
  /** `~`: remove whole nodes only. */
  approx: boolean;
  /** At most this many entries removed; 0 = no limit (negative: nothing, as in Redis). */
  limit: number;
}

export class StreamValue implements Collection {
  readonly type = 'stream';
  readonly keepsWhenEmpty = true;
  nodes: StreamNode[] = [];
  /** Live entries. */
  length = 0;
  lastId: StreamID = ZERO_ID;
  /** First live entry when the stream was last trimmed or emptied (recorded-first-entry-id). */
  firstId: StreamID = ZERO_ID;
  maxDeletedId: StreamID = ZERO_ID;
  /** Entries ever added (a uint64). */
  entriesAdded = 0n;
  groups = new Map<string, ConsumerGroup>();
  /** Sum of the nodes' heapBytes, kept as nodes change (memory() runs after every change). */
  private nodeBytes = 0;
  /** The ID autoId made last, and its halves as numbers (-1 when large). */
  private autoMade: StreamID | null = null;
  private autoMs = -1;
  private autoSeq = -1;
  /** Shared blocks for the nodes' bytes, once the stream is large. */
  private readonly packer = new NodePacker(() => this.nodeBytes);

  size(): number {
    return this.length;
  }

  memory(): number {
    let m = COLLECTION_OVERHEAD_BYTES + this.nodeBytes;
    if (this.groups.size === 0) return m; // (asked after every change: no iterator then)
    for (const g of this.groups.values()) m += g.memory();
    return m + this.groups.size * ELEMENT_OVERHEAD_BYTES;
  }

  /** Take in a node built elsewhere (a snapshot being read). */
  pushNode(node: StreamNode): void {
    node.seal(this.packer);
    this.nodes.push(node);
    this.nodeBytes += node.heapBytes;
    this.length += node.live;
  }

  encoding(): string {
    return 'stream';
  }

  fitEncoding(_limits: EncodingLimits): void {}

  // ---- adding ----------------------------------------------------------------------------

  /** The ID `*` gives at `nowMs` (streamNextID); null once the last possible ID is used. */
  autoId(nowMs: number): StreamID | null {
    if (nowMs !== clockMs) {
      clockMs = nowMs;
      clockMsBig = BigInt(nowMs);
    }
    const ms = clockMsBig;
    const id = ms > this.lastId.ms ? { ms, seq: 0n } : incrId(this.lastId);
    this.autoMade = id;
    const small = id !== null && id.ms < SMALL_HALF && id.seq < SMALL_HALF;
    this.autoMs = small ? (id.ms === ms ? nowMs : Number(id.ms)) : -1;
    this.autoSeq = small ? (id.seq === 0n ? 0 : Number(id.seq)) : -1;
    return id;
  }

  /**
   * The ID `<ms>-*` gives: the next sequence after the top item's in the same ms, else seq 0;
   * null when that ms has no sequence left.
   */
  autoSeqId(ms: bigint): StreamID | null {
    if (ms !== this.lastId.ms) return { ms, seq: 0n };
    return this.lastId.seq === UINT64_MAX ? null : { ms, seq: this.lastId.seq + 1n };
  }

  /** Append an entry (fields and values as latin1 strings); false when `id` is not above the top item. */
  add(id: StreamID, fieldValues: readonly string[], limits: NodeLimits): boolean {
    const fv = fieldValues.map((f) => Buffer.from(f, 'latin1'));
    return this.addBytes(id, fv, 0, limits);
  }

  /** add() with the fields and values given as bytes, `fv[from..]`. */
  addBytes(id: StreamID, fv: readonly Uint8Array[], from: number, limits: NodeLimits): boolean {
    if (compareIds(id, this.lastId) <= 0) return false;
    const tail = this.nodes[this.nodes.length - 1];
    if (tail !== undefined && !this.tailFull(tail, fv, from, limits)) {
      const before = tail.heapBytes;
      const auto = id === this.autoMade;
      tail.push(id, fv, from, auto ? this.autoMs : -1, auto ? this.autoSeq : -1);
      this.nodeBytes += tail.heapBytes - before;
    } else {
      // A new node will likely take about what the last one took.
      tail?.seal(this.packer);
      const guess = tail === undefined ? 0 : tail.lpBytes() + (tail.lpBytes() >>> 4) + NODE_ROOM_MARGIN;
      const node = StreamNode.create(id, fv, from, guess, this.packer);
      this.nodes.push(node);
      this.nodeBytes += node.heapBytes;
    }
    this.length++;
    this.entriesAdded = BigInt.asUintN(64, this.entriesAdded + 1n);
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
    return true;
  }

  private tailFull(tail: StreamNode, fv: readonly Uint8Array[], from: number, limits: NodeLimits): boolean {
    let maxBytes = limits.maxBytes;
    if (maxBytes === 0 || maxBytes > STREAM_LISTPACK_MAX_SIZE) maxBytes = STREAM_LISTPACK_MAX_SIZE;
    let elementBytes = 0;
    for (let i = from; i < fv.length; i++) elementBytes += fv[i].length;
    if (tail.lpBytes() + elementBytes >= maxBytes) return true;
    if (limits !== lastLimits) {
      lastLimits = limits;
      // Exact where it matters: a node never holds 2^53 entries.
      lastMaxEntries = Number(limits.maxEntries);
    }
    return lastMaxEntries > 0 && tail.entries >= lastMaxEntries;
  }

  // ---- reading ---------------------------------------------------------------------------

  /** Index of the last node whose master ID is <= `id` (-1 when none). */
  private nodeAtOrBefore(id: StreamID): number {
    return lastNodeAtOrBefore(this.nodes, id);
  }

  /**
   * Live entries with start <= ID <= end, ascending (or descending with `rev`), at most
   * `count` of them (0: all).
   */
  range(start: StreamID, end: StreamID, rev: boolean, count: number): StreamEntry[] {
    return this.rangeAs(start, end, rev, count, readString);
  }

  /** range() with each field and value read by `read` (readBytes: Buffers, for replies). */
  rangeAs<T>(
    start: StreamID,
    end: StreamID,
    rev: boolean,
    count: number,
    read: (buf: Buffer, off: number) => T,
  ): Array<{ id: StreamID; fields: T[] }> {
    const out: Array<{ id: StreamID; fields: T[] }> = [];
    if (compareIds(start, end) > 0) return out;
    const ns = this.nodes;
    if (!rev) {
      for (let n = Math.max(0, this.nodeAtOrBefore(start)), seek = true; n < ns.length; n++, seek = false) {
        const node = ns[n];
        const stop = node.end();
        let mf: T[] | undefined;
        for (let off = seek ? node.seek(start) : node.first(); off < stop; off = node.next(off)) {
          if (node.isDeleted(off)) continue;
          const id = node.idAt(off);
          if (compareIds(id, end) > 0) return out;
          mf ??= node.masterFieldsAs(read);
          out.push({ id, fields: node.fieldsAs(off, read, mf) });
          if (out.length === count) return out;
        }
      }
      return out;
    }
    let n = this.nodeAtOrBefore(end);
    if (n < 0) return out;
    let node = ns[n];
    let off = node.seek(end);
    if (off === node.end() || compareIds(node.idAt(off), end) !== 0) off = node.prev(off);
    for (;;) {
      let mf: T[] | undefined;
      for (; off >= 0; off = node.prev(off)) {
        if (node.isDeleted(off)) continue;
        const id = node.idAt(off);
        if (compareIds(id, start) < 0) return out;
        mf ??= node.masterFieldsAs(read);
        out.push({ id, fields: node.fieldsAs(off, read, mf) });
        if (out.length === count) return out;
      }
      if (--n < 0) return out;
      node = ns[n];
      off = node.last();
    }
  }

  /** The node holding `id` and the entry's offset in it (deleted or not), or null. */
  private find(id: StreamID): { n: number; off: number } | null {
    const n = this.nodeAtOrBefore(id);
    if (n < 0) return null;
    const node = this.nodes[n];
    const off = node.seek(id);
    if (off === node.end() || compareIds(node.idAt(off), id) !== 0) return null;
    return { n, off };
  }

  /** The live entry with this ID, or null. */
  entry(id: StreamID): StreamEntry | null {
    const at = this.find(id);
    if (at === null) return null;
    const node = this.nodes[at.n];
    return node.isDeleted(at.off) ? null : { id, fields: node.fieldsAt(at.off) };
  }

  /** The first live ID (streamGetEdgeID skipping tombstones), or null when empty. */
  firstLiveId(): StreamID | null {
    return this.range(ZERO_ID, MAX_ID, false, 1)[0]?.id ?? null;
  }

  /** The last live ID (streamLastValidID), or null when empty. */
  lastLiveId(): StreamID | null {
    return this.range(ZERO_ID, MAX_ID, true, 1)[0]?.id ?? null;
  }

  /** XINFO's radix-tree-nodes. */
  raxNodes(): number {
    return raxNodeCount(this.nodes.map((n) => n.master));
  }

  // ---- deleting --------------------------------------------------------------------------

  /** Delete one live entry (streamDeleteItem); a node left with no live entry goes whole. */
  private deleteOne(id: StreamID): boolean {
    const at = this.find(id);
    if (at === null) return false;
    const node = this.nodes[at.n];
    if (node.isDeleted(at.off)) return false;
    const before = node.heapBytes;
    if (node.live === 1) {
      this.nodes.splice(at.n, 1);
      this.nodeBytes -= before;
    } else {
      node.kill(at.off);
      this.nodeBytes += node.heapBytes - before;
    }
    this.length--;
    return true;
  }

  /** XDEL: delete these IDs; the number deleted. */
  deleteIds(ids: readonly StreamID[]): number {
    let deleted = 0;
    let first = false;
    for (const id of ids) {
      if (!this.deleteOne(id)) continue;
      if (compareIds(id, this.firstId) === 0) first = true;
      if (compareIds(id, this.maxDeletedId) > 0) this.maxDeletedId = id;
      deleted++;
    }
    if (this.nodes.length === 0) this.packer.reset();
    if (deleted > 0) {
      if (this.length === 0) this.firstId = ZERO_ID;
      else if (first) this.firstId = this.firstLiveId() ?? MAX_ID;
    }
    return deleted;
  }

  /**
   * Trim from the head (streamTrim): whole nodes while they can go, then, unless approximate,
   * entries of the next node marked deleted. The number of entries removed.
   */
  trim(t: TrimArgs): number {
    const maxlen = t.strategy === 'maxlen';
    let deleted = 0;
    let gone = 0;
    for (; gone < this.nodes.length; gone++) {
      if (maxlen && this.length <= t.maxlen) break;
      const node = this.nodes[gone];
      const entries = node.live;
      if (t.limit !== 0 && deleted + entries > t.limit) break;
      const whole = maxlen ? this.length - entries >= t.maxlen : compareIds(node.lastId, t.minid) < 0;
      if (whole) {
        this.length -= entries;
        this.nodeBytes -= node.heapBytes;
        deleted += entries;
        continue;
      }
      if (t.approx) break;
      const before = node.heapBytes;
      let marked = 0;
      for (let off = node.first(), stop = node.end(); off < stop; off = node.next(off)) {
        if (maxlen ? this.length <= t.maxlen : compareIds(node.idAt(off), t.minid) >= 0) break;
        if (node.flagDeleted(off)) {
          this.length--;
          marked++;
        }
      }
      deleted += marked;
      if (marked > 0) node.setCounts(node.live - marked, node.deleted + marked);
      this.nodeBytes += node.heapBytes - before;
      break;
    }
    if (gone > 0) this.nodes.splice(0, gone);
    if (this.nodes.length === 0) this.packer.reset();
    if (this.length === 0) this.firstId = ZERO_ID;
    else if (deleted > 0) this.firstId = this.firstLiveId() ?? MAX_ID;
    return deleted;
  }

  // ---- the read counter ------------------------------------------------------------------

  /** Whether a tombstone may lie in [start, end] (streamRangeHasTombstones). */
  hasTombstonesIn(start: StreamID | null, end: StreamID | null): boolean {
    const md = this.maxDeletedId;
    if (this.length === 0 || isZeroId(md)) return false;
    if (compareIds(this.firstId, md) > 0) return false;
    return compareIds(start ?? ZERO_ID, md) <= 0 && compareIds(md, end ?? MAX_ID) <= 0;
  }

  /**
   * How many entries were added up to and including `id`, when that can be known
   * (streamEstimateDistanceFromFirstEverEntry); -1 otherwise.
   */
  entriesReadAt(id: StreamID): bigint {
    if (this.entriesAdded === 0n) return 0n;
    const cmpLast = compareIds(id, this.lastId);
    if (this.length === 0 && cmpLast < 1) return this.entriesAdded;
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return -1n;
    const cmpFirst = compareIds(id, this.firstId);
    if (isZeroId(this.maxDeletedId) || compareIds(this.maxDeletedId, this.firstId) < 0) {
      if (cmpFirst < 0) return this.entriesAdded - BigInt(this.length);
      if (cmpFirst === 0) return this.entriesAdded - BigInt(this.length) + 1n;
    }
    return -1n;
  }

  /** The group's lag, or null when it cannot be known (streamReplyWithCGLag). */
  lag(g: ConsumerGroup): bigint | null {
    if (this.entriesAdded === 0n) return 0n;
    if (g.entriesRead !== -1n && !this.hasTombstonesIn(g.lastId, null))
      return BigInt.asIntN(64, this.entriesAdded - g.entriesRead);
    const read = this.entriesReadAt(g.lastId);
    return read === -1n ? null : BigInt.asIntN(64, this.entriesAdded - read);
  }

  // ---- groups ----------------------------------------------------------------------------

  /** A new group; null when the name is taken. */
  createGroup(name: string, lastId: StreamID, entriesRead: bigint): ConsumerGroup | null {
    if (this.groups.has(name)) return null;
    const g = new ConsumerGroup(name, lastId, entriesRead);
    this.groups.set(name, g);
    return g;
  }

  /**
   * An entry with `id` was delivered to group `g`: move its last-delivered ID forward and keep
   * its read counter when it can be known (streamReplyWithRange's bookkeeping).
   */
  advanceGroup(g: ConsumerGroup, id: StreamID): void {
    if (compareIds(id, g.lastId) <= 0) return;
    if (g.entriesRead !== -1n && !this.hasTombstonesIn(id, null))
      g.entriesRead = BigInt.asIntN(64, g.entriesRead + 1n);
    else if (this.entriesAdded !== 0n) g.entriesRead = this.entriesReadAt(id);
    g.lastId = id;
  }

  /** Groups in name (byte) order. */
  sortedGroups(): ConsumerGroup[] {
    return [...this.groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ---- copies ----------------------------------------------------------------------------

  clone(): StreamValue {
    const s = new StreamValue();
    for (const n of this.nodes) s.pushNode(n.clone());
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    for (const [name, g] of this.groups) s.groups.set(name, g.clone());
    return s;
  }

  serialize(): Buffer {
    return serializeStream(this);
  }

  static deserialize(buf: Buffer): StreamValue {
    return deserializeStream(buf, new StreamValue());
  }
}
