/**
 * The large representation of a sorted set (zset.ts): member -> node map plus Redis's skiplist
 * with spans (skiplist.ts), ordered by (score, member bytes), so adds, removals, ranks and range
 * seeks are O(log n) at any size; and the insertion order ZSCAN walks. A set that Redis would
 * still call a listpack (limits raised past the packed form's size) is kept here too, and its
 * lex ranges are then walked linearly as a listpack's are (`linear`).
 *
 * Nodes are ids into the skiplist's arrays (0: none), valid until the set next changes.
 */
import { ELEMENT_OVERHEAD_BYTES } from './collection.js';
import { type NodeRange, SkipList } from './skiplist.js';

/** Typed-array bytes per node slot and per link slot (skiplist.ts). */
const NODE_SLOT_BYTES = 25;
const LINK_SLOT_BYTES = 8;
/** A set whose skiplist has more than this many slots per member is rebuilt compactly. */
const SPARSE_FACTOR = 4;
const MIN_COMPACT_SLOTS = 1024;

export class SkipZSet {
  private dict = new Map<string, number>();
  private zsl = new SkipList();
  private bytes = 0;
  /** Node ids and their seqs in insertion order (ZSCAN); removed ones stay until compaction. */
  private orderIds: number[] = [];
  private orderSeqs: number[] = [];
  private removedInOrder = 0;
  private nextSeq = 1;
  /**
   * The member `score` last looked up and its node (0: absent), so that ZADD's lookup then add
   * costs one map lookup; forgotten at the next add, removal or compaction.
   */
  private seenMember: string | null = null;
  private seenNode = 0;

  size(): number {
    return this.dict.size;
  }

  /** Bytes of members, per-member bookkeeping and the skiplist's arrays. */
  memory(): number {
    const slots = this.zsl.score.length * NODE_SLOT_BYTES + this.zsl.fwd.length * LINK_SLOT_BYTES;
    return this.bytes + this.dict.size * ELEMENT_OVERHEAD_BYTES + slots;
  }

  /** Bytes of the members themselves. */
  memberBytes(): number {
    return this.bytes;
  }

  /** Scores of 0 stored as +0 (a listpack stores an integral score as an integer). */
  normalizeZeros(): void {
    const sc = this.zsl.score;
    for (const x of this.dict.values()) if (sc[x] === 0) sc[x] = 0;
  }

  /** Whether every member is at most `max` bytes long. */
  membersFit(max: number): boolean {
    for (const m of this.dict.keys()) if (m.length > max) return false;
    return true;
  }

  node(m: string): number {
    return this.dict.get(m) ?? 0;
  }

  score(m: string): number | undefined {
    const x = this.dict.get(m);
    this.seenMember = m;
    this.seenNode = x ?? 0;
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

  /** Add a member or change its score; true when the member is new. */
  add(m: string, score: number): boolean {
    let x: number | undefined;
    if (m === this.seenMember) x = this.seenNode === 0 ? undefined : this.seenNode;
    else x = this.dict.get(m);
    this.seenMember = null;
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
    this.seenMember = null;
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
    this.seenMember = null;
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

  /** The first node in a range, or 0; `linear`: walked from the head (a listpack's lex range). */
  firstInRange(r: NodeRange, linear: boolean): number {
    const zsl = this.zsl;
    if (!linear) return zsl.firstInRange(r);
    if (!zsl.touches(r)) return 0;
    for (let x = zsl.first(); x !== 0; x = zsl.next(x)) {
      if (r.gteMin(zsl.score[x], zsl.member[x])) return r.lteMax(zsl.score[x], zsl.member[x]) ? x : 0;
    }
    return 0;
  }

  /** The last node in a range, or 0; `linear`: walked from the tail. */
  lastInRange(r: NodeRange, linear: boolean): number {
    const zsl = this.zsl;
    if (!linear) return zsl.lastInRange(r);
    if (!zsl.touches(r)) return 0;
    for (let x = zsl.tail; x !== 0; x = zsl.back[x]) {
      if (r.lteMax(zsl.score[x], zsl.member[x])) return r.gteMin(zsl.score[x], zsl.member[x]) ? x : 0;
    }
    return 0;
  }

  lteMax(r: NodeRange, x: number): boolean {
    return r.lteMax(this.zsl.score[x], this.zsl.member[x]);
  }

  gteMin(r: NodeRange, x: number): boolean {
    return r.gteMin(this.zsl.score[x], this.zsl.member[x]);
  }

  rangeHasDeletions(r: NodeRange, linear: boolean): boolean {
    const x = linear ? this.firstInRange(r, true) : this.zsl.deletionStart(r);
    return x !== 0 && this.lteMax(r, x);
  }

  deleteRange(r: NodeRange, linear: boolean): number {
    let removed = 0;
    if (!linear) removed = this.zsl.deleteRange(r, this.forget);
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

  /** 0-based, in-range, ordered ranks; the count removed. */
  deleteRangeByRank(start: number, end: number): number {
    const removed = this.zsl.deleteRangeByRank(start + 1, end + 1, this.forget);
    this.compactIfSparse();
    return removed;
  }

  pop(count: number, max: boolean): Array<[string, number]> {
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

  /** Members in insertion order, live (see ZSetValue.liveMembers). */
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
}
