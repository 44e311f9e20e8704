/**
 * A sorted set: member -> node map plus Redis's skiplist (skiplist.ts), ordered by (score,
 * member bytes), so ZADD / ZREM / ZRANK / range seeks are O(log n) at any size.
 *
 * `big` is the encoding Redis would report: small sets are `listpack`, large ones `skiplist`.
 * Cairn keeps one structure for both and reproduces what the encoding changes in replies:
 * - a listpack stores an integral score as an integer, so -0 becomes 0 (`add`);
 * - a listpack answers lex ranges by a linear walk, a skiplist by descending its levels (the
 *   two differ only for members of mixed scores, where Redis leaves the result undefined);
 * - ZSCAN returns a listpack whole, its scores as the listpack holds them.
 *
 * Conversions follow Redis 7.0: a live set turns into a skiplist when a new member would
 * break a limit (`convertForNewMember`, zsetAdd's check) and never back; a set built by a
 * command (ZUNIONSTORE, ZRANGESTORE, a new key) takes the encoding its contents fit when first
 * stored (`fitEncoding`, zsetConvertToListpackIfNeeded).
 */
import {
  COLLECTION_OVERHEAD_BYTES,
  type Collection,
  ELEMENT_OVERHEAD_BYTES,
  type EncodingLimits,
} from './collection.js';
import { SerialReader, SerialWriter } from './serial.js';
import { type NodeRange, SkipList } from './skiplist.js';

export type { NodeRange };

/** Typed-array bytes per node slot and per link slot (skiplist.ts). */
const NODE_SLOT_BYTES = 25;
const LINK_SLOT_BYTES = 8;
/** A set whose skiplist has more than this many slots per member is rebuilt compactly. */
const SPARSE_FACTOR = 4;
const MIN_COMPACT_SLOTS = 1024;

/**
 * Nodes are ids into the skiplist's arrays (0: none); read them with `memberAt`, `scoreAt`,
 * `next`, `prev`. An id is valid until the set next changes.
 */
export class ZSetValue implements Collection {
  readonly type = 'zset';
  /** Encoded as a skiplist (else a listpack). */
  big = false;
  private dict = new Map<string, number>();
  private zsl = new SkipList();
  private bytes = 0;
  /** Already stored in a keyspace (or restored, or copied): its encoding is settled. */
  private placed = false;
  /** Node ids and their seqs in insertion order (ZSCAN); removed ones stay until compaction. */
  private orderIds: number[] = [];
  private orderSeqs: number[] = [];
  private removedInOrder = 0;
  private nextSeq = 1;

  size(): number {
    return this.dict.size;
  }

  memory(): number {
    const slots = this.zsl.score.length * NODE_SLOT_BYTES + this.zsl.fwd.length * LINK_SLOT_BYTES;
    return COLLECTION_OVERHEAD_BYTES + this.bytes + this.dict.size * ELEMENT_OVERHEAD_BYTES + slots;
  }

  encoding(): string {
    return this.big ? 'skiplist' : 'listpack';
  }

  /**
   * The first time a set is stored its encoding is what its contents fit (Redis builds store
   * results as skiplists and converts them if small enough; a new key's adds end the same).
   * Afterwards conversions happen only as members are added (`convertForNewMember`).
   */
  fitEncoding(limits: EncodingLimits): void {
    if (this.placed) return;
    this.placed = true;
    let fits = this.dict.size <= limits.zsetMaxListpackEntries;
    if (fits) {
      for (const m of this.dict.keys()) {
        if (m.length > limits.zsetMaxListpackValue) {
          fits = false;
          break;
        }
      }
    }
    if (fits && this.big) {
      this.big = false;
      const sc = this.zsl.score;
      for (const x of this.dict.values()) if (sc[x] === 0) sc[x] = 0; // -0 as a listpack stores it
    } else if (!fits) {
      this.big = true;
    }
  }

  /** zsetAdd's check before inserting a new member: convert when it would break a limit. */
  convertForNewMember(memberLength: number, limits: EncodingLimits): void {
    if (this.big) return;
    if (this.dict.size + 1 > limits.zsetMaxListpackEntries || memberLength > limits.zsetMaxListpackValue)
      this.big = true;
  }

  has(m: string): boolean {
    return this.dict.has(m);
  }

  score(m: string): number | undefined {
    const x = this.dict.get(m);
    return x === undefined ? undefined : this.zsl.score[x];
  }

  memberAt(x: number): string {
    return this.zsl.member[x];
  }

  scoreAt(x: number): number {
    return this.zsl.score[x];
  }

  next(x: number): number {
    return this.zsl.next(x);
  }

  prev(x: number): number {
    return this.zsl.back[x];
  }

  first(): number {
    return this.zsl.first();
  }

  last(): number {
    return this.zsl.tail;
  }

  /**
   * Add a member or change its score (a score equal to the current one, -0 and 0 alike, is no
   * change). True when the member is new. No encoding check: see `convertForNewMember`.
   */
  add(m: string, score: number): boolean {
    if (score === 0 && !this.big) score = 0;
    const x = this.dict.get(m);
    if (x !== undefined) {
      if (this.zsl.score[x] !== score) this.zsl.updateScore(x, score);
      return false;
    }
    const seq = this.nextSeq++;
    const id = this.zsl.insert(score, m, seq);
    this.orderIds.push(id);
    this.orderSeqs.push(seq);
    this.dict.set(m, id);
    this.bytes += m.length;
    return true;
  }

  delete(m: string): boolean {
    const x = this.dict.get(m);
    if (x === undefined) return false;
    this.forget(x);
    this.zsl.delete(x);
    this.compactIfSparse();
    return true;
  }

  /** Drop a node from the map and the scan order (the skiplist frees it). */
  private readonly forget = (x: number): void => {
    const m = this.zsl.member[x];
    this.dict.delete(m);
    this.bytes -= m.length;
    this.removedInOrder++;
  };

  /** After removals: rebuild a skiplist much larger than its contents, and the scan order. */
  private compactIfSparse(): void {
    if (this.removedInOrder > 64 && this.removedInOrder * 2 > this.orderIds.length) {
      const ids: number[] = [];
      const seqs: number[] = [];
      const sq = this.zsl.seq;
      this.orderIds.forEach((x, i) => {
        if (sq[x] === this.orderSeqs[i]) {
          ids.push(x);
          seqs.push(this.orderSeqs[i]);
        }
      });
      this.orderIds = ids;
      this.orderSeqs = seqs;
      this.removedInOrder = 0;
    }
    const slots = this.zsl.score.length;
    if (slots <= MIN_COMPACT_SLOTS || slots <= this.dict.size * SPARSE_FACTOR) return;
    const old = this.zsl;
    const zsl = new SkipList();
    const dict = new Map<string, number>();
    const remap = new Map<number, number>();
    for (let x = old.tail; x !== 0; x = old.back[x]) {
      const id = zsl.insert(old.score[x], old.member[x], old.seq[x]);
      dict.set(old.member[x], id);
      remap.set(x, id);
    }
    this.orderIds = this.orderIds.map((x) => remap.get(x) ?? 0);
    this.zsl = zsl;
    this.dict = dict;
  }

  /** 0-based rank (lowest score first, or highest first with `rev`), -1 when absent. */
  rank(m: string, rev = false): number {
    const x = this.dict.get(m);
    if (x === undefined) return -1;
    const r = this.zsl.rankOf(x);
    return rev ? this.dict.size - r : r - 1;
  }

  /** 0-based rank of a node of this set. */
  rankOfNode(x: number): number {
    return this.zsl.rankOf(x) - 1;
  }

  /** The node at a 0-based rank (from the lowest score), or 0. */
  at(rank: number): number {
    const n = this.dict.size;
    if (rank < 0 || rank >= n) return 0;
    if (rank === 0) return this.zsl.first();
    if (rank === n - 1) return this.zsl.tail;
    return this.zsl.byRank(rank + 1);
  }

  /**
   * The first node in a range, or 0. Score ranges are monotonic, so the skiplist search serves
   * both encodings; a lex range on a listpack is walked from the head (zzlFirstInLexRange).
   */
  firstInRange(r: NodeRange, lex: boolean): number {
    const zsl = this.zsl;
    if (!lex || this.big) return zsl.firstInRange(r);
    if (!zsl.touches(r)) return 0;
    for (let x = zsl.first(); x !== 0; x = zsl.next(x)) {
      if (r.gteMin(zsl.score[x], zsl.member[x])) return r.lteMax(zsl.score[x], zsl.member[x]) ? x : 0;
    }
    return 0;
  }

  /** The last node in a range, or 0 (a listpack lex range is walked from the tail). */
  lastInRange(r: NodeRange, lex: boolean): number {
    const zsl = this.zsl;
    if (!lex || this.big) return zsl.lastInRange(r);
    if (!zsl.touches(r)) return 0;
    for (let x = zsl.tail; x !== 0; x = zsl.back[x]) {
      if (r.lteMax(zsl.score[x], zsl.member[x])) return r.gteMin(zsl.score[x], zsl.member[x]) ? x : 0;
    }
    return 0;
  }

  /** Whether node `x` lies at or below the range's max. */
  lteMax(r: NodeRange, x: number): boolean {
    return r.lteMax(this.zsl.score[x], this.zsl.member[x]);
  }

  /** Whether node `x` lies at or above the range's min. */
  gteMin(r: NodeRange, x: number): boolean {
    return r.gteMin(this.zsl.score[x], this.zsl.member[x]);
  }

  /** Whether `deleteRange` would remove anything (so a no-op is not reported as a change). */
  rangeHasDeletions(r: NodeRange, lex: boolean): boolean {
    const x = !lex || this.big ? this.zsl.deletionStart(r) : this.firstInRange(r, true);
    return x !== 0 && this.lteMax(r, x);
  }

  /** ZREMRANGEBYSCORE / ZREMRANGEBYLEX: remove the nodes in range; the count removed. */
  deleteRange(r: NodeRange, lex: boolean): number {
    let removed = 0;
    if (!lex || this.big) removed = this.zsl.deleteRange(r, this.forget);
    else {
      for (let x = this.firstInRange(r, true); x !== 0 && this.lteMax(r, x); removed++) {
        const next = this.zsl.next(x);
        this.forget(x);
        this.zsl.delete(x);
        x = next;
      }
    }
    this.compactIfSparse();
    return removed;
  }

  /** ZREMRANGEBYRANK with 0-based, in-range, ordered ranks; the count removed. */
  deleteRangeByRank(start: number, end: number): number {
    const removed = this.zsl.deleteRangeByRank(start + 1, end + 1, this.forget);
    this.compactIfSparse();
    return removed;
  }

  /** Remove and return up to `count` members with the lowest scores, lowest first. */
  popMin(count: number): Array<[string, number]> {
    return this.pop(count, false);
  }

  /** Remove and return up to `count` members with the highest scores, highest first. */
  popMax(count: number): Array<[string, number]> {
    return this.pop(count, true);
  }

  private pop(count: number, max: boolean): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    const zsl = this.zsl;
    for (
      let x = max ? zsl.tail : zsl.first();
      x !== 0 && out.length < count;
      x = max ? zsl.tail : zsl.first()
    ) {
      out.push([zsl.member[x], zsl.score[x]]);
      this.forget(x);
      zsl.delete(x);
    }
    this.compactIfSparse();
    return out;
  }

  /** Members in order (lowest score first). */
  *members(): IterableIterator<string> {
    const zsl = this.zsl;
    for (let x = zsl.first(); x !== 0; x = zsl.next(x)) yield zsl.member[x];
  }

  /** Members with scores in order (lowest first). */
  *entries(): IterableIterator<[string, number]> {
    const zsl = this.zsl;
    for (let x = zsl.first(); x !== 0; x = zsl.next(x)) yield [zsl.member[x], zsl.score[x]];
  }

  /**
   * Members in insertion order, live: members added later are reached, removed ones skipped,
   * a member whose score changes keeps its place; so a member present for the whole walk is
   * yielded exactly once (ZSCAN's guarantee, and stronger).
   */
  *liveMembers(): Generator<string> {
    let seqs = this.orderSeqs;
    let i = 0;
    let last = 0;
    for (;;) {
      if (seqs !== this.orderSeqs) {
        // The order was compacted: find the place again by sequence.
        seqs = this.orderSeqs;
        let hi = seqs.length;
        i = 0;
        while (i < hi) {
          const mid = (i + hi) >>> 1;
          if (seqs[mid] <= last) i = mid + 1;
          else hi = mid;
        }
      }
      if (i >= seqs.length) return;
      const x = this.orderIds[i];
      const seq = seqs[i++];
      if (this.zsl.seq[x] !== seq) continue;
      last = seq;
      yield this.zsl.member[x];
    }
  }

  clone(): ZSetValue {
    const z = new ZSetValue();
    z.big = this.big;
    const zsl = this.zsl;
    // From the tail: each insert lands at the head, O(1) instead of O(log n), as zsetDup does.
    for (let x = zsl.tail; x !== 0; x = zsl.back[x]) z.add(zsl.member[x], zsl.score[x]);
    z.placed = true;
    return z;
  }

  serialize(): Buffer {
    const w = new SerialWriter(this.bytes + this.dict.size * 12 + 8);
    w.u8(this.big ? 1 : 0).u32(this.dict.size);
    for (const [m, s] of this.entries()) w.str(m).f64(s);
    return w.done();
  }

  static deserialize(buf: Buffer): ZSetValue {
    const r = new SerialReader(buf);
    const z = new ZSetValue();
    // As Redis's loader does, the encoding is chosen again from the content when the value is
    // stored (fitEncoding): start as a skiplist so a set that fits becomes a listpack.
    r.u8();
    z.big = true;
    for (let n = r.u32(); n > 0; n--) z.add(r.str(), r.f64());
    r.end();
    return z;
  }
}
