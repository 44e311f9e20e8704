/**
 * The large representation of a sorted set (zset.ts): the members' bytes in a BigTable
 * (big-table.ts, as large hashes and sets keep theirs) plus Redis's skiplist with spans
 * (skiplist.ts), ordered by (score, member bytes), so adds, removals, ranks and range seeks are
 * O(log n) at any size. The table's entry ids map to skiplist nodes through `nodeOf`, and each
 * node holds its member's entry id, so a member costs its bytes and a few typed-array slots, no
 * JS string or Map entry. A set that Redis would still call a listpack (limits raised past the
 * packed form's size) is kept here too, and its lex ranges are then walked linearly as a
 * listpack's are (`linear`).
 *
 * Nodes are ids into the skiplist's arrays (0: none), valid until the set next changes. ZSCAN
 * walks the table's ids (BigTable.scan): every member present for the whole walk is returned.
 */
import { BigTable } from './big-table.js';
import { hashString } from './big-table-bytes.js';
import { type NodeRange, SkipList } from './skiplist.js';

/** Typed-array bytes per node slot (score, back, level, base, mid), per link slot, per `nodeOf` slot. */
const NODE_SLOT_BYTES = 21;
const LINK_SLOT_BYTES = 8;
const NODE_OF_BYTES = 4;
/** A set whose skiplist has more than this many slots per member is rebuilt compactly. */
const SPARSE_FACTOR = 4;
const MIN_COMPACT_SLOTS = 1024;
const MIN_NODE_OF = 16;

export class SkipZSet {
  private table = new BigTable(false);
  private zsl = new SkipList(this.table);
  /** Skiplist node of each table entry id. */
  private nodeOf = new Int32Array(MIN_NODE_OF);
  /**
   * The member `score` last looked up, its hash and its entry id (-1: absent), so that ZADD's
   * lookup then add costs one table lookup; forgotten at the next add, removal or compaction.
   */
  private seenMember: string | null = null;
  private seenHash = 0;
  private seenId = -1;

  size(): number {
    return this.table.size;
  }

  /** Bytes of the member table, the skiplist's arrays and the entry -> node map. */
  memory(): number {
    const slots = this.zsl.score.length * NODE_SLOT_BYTES + this.zsl.fwd.length * LINK_SLOT_BYTES;
    return this.table.memory() + slots + this.nodeOf.length * NODE_OF_BYTES;
  }

  /** Bytes of the members with their length headers (a size hint for serializing). */
  memberBytes(): number {
    return this.table.liveBytes();
  }

  /** Scores of 0 stored as +0 (a listpack stores an integral score as an integer). */
  normalizeZeros(): void {
    const sc = this.zsl.score;
    for (let x = this.zsl.first(); x !== 0; x = this.zsl.next(x)) if (sc[x] === 0) sc[x] = 0;
  }

  /** Whether every member is at most `max` bytes long. */
  membersFit(max: number): boolean {
    for (const m of this.table.keys()) if (m.length > max) return false;
    return true;
  }

  node(m: string): number {
    const id = this.table.idOf(m, hashString(m));
    return id < 0 ? 0 : this.nodeOf[id];
  }

  score(m: string): number | undefined {
    const h = hashString(m);
    const id = this.table.idOf(m, h);
    this.seenMember = m;
    this.seenHash = h;
    this.seenId = id;
    return id < 0 ? undefined : this.zsl.score[this.nodeOf[id]];
  }

  memberAt(x: number): string {
    return this.zsl.memberOf(x);
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
    let id: number;
    let h: number;
    if (m === this.seenMember) {
      id = this.seenId;
      h = this.seenHash;
    } else {
      h = hashString(m);
      id = this.table.idOf(m, h);
    }
    this.seenMember = null;
    if (id >= 0) {
      const x = this.nodeOf[id];
      if (this.zsl.score[x] !== score) this.zsl.updateScore(x, score);
      return false;
    }
    id = this.table.addNew(m, h);
    if (id >= this.nodeOf.length) {
      const grown = new Int32Array(this.nodeOf.length * 2);
      grown.set(this.nodeOf);
      this.nodeOf = grown;
    }
    this.nodeOf[id] = this.zsl.insert(score, id);
    return true;
  }

  delete(m: string): boolean {
    const id = this.table.idOf(m, hashString(m));
    if (id < 0) return false;
    const x = this.nodeOf[id];
    // The skiplist reads the member's bytes to find its place: delete there first.
    this.zsl.delete(x);
    this.dropEntry(id);
    this.compactIfSparse();
    return true;
  }

  /** Drop an unlinked node's member from the table (the skiplist frees the node). */
  private readonly forget = (x: number): void => {
    this.dropEntry(this.zsl.mid[x]);
  };

  /** Delete table entry `id`; the entry that moves into it keeps its node. */
  private dropEntry(id: number): void {
    this.seenMember = null;
    const moved = this.table.deleteAt(id);
    if (moved >= 0) {
      const y = this.nodeOf[moved];
      this.nodeOf[id] = y;
      this.zsl.mid[y] = id;
    }
  }

  /** A copy (COPY, copy-on-write snapshots): the arrays and blocks copied as they are. */
  clone(): SkipZSet {
    const c = new SkipZSet();
    c.table = this.table.clone();
    c.zsl = this.zsl.clone(c.table);
    c.nodeOf = this.nodeOf.slice();
    return c;
  }

  /** After removals: rebuild a skiplist much larger than its contents. */
  private compactIfSparse(): void {
    const n = this.table.size;
    if (this.nodeOf.length > MIN_NODE_OF && this.nodeOf.length > n * SPARSE_FACTOR) {
      this.nodeOf = this.nodeOf.slice(0, Math.max(MIN_NODE_OF, n * 2));
    }
    const slots = this.zsl.score.length;
    if (slots <= MIN_COMPACT_SLOTS || slots <= n * SPARSE_FACTOR) return;
    this.seenMember = null;
    const old = this.zsl;
    const zsl = new SkipList(this.table);
    // From the tail: each insert lands at the head, O(1) instead of O(log n).
    for (let x = old.tail; x !== 0; x = old.back[x]) {
      const id = old.mid[x];
      this.nodeOf[id] = zsl.insert(old.score[x], id);
    }
    this.zsl = zsl;
  }

  /** 0-based rank of a node of this set. */
  rankOfNode(x: number): number {
    return this.zsl.rankOf(x) - 1;
  }

  /** The node at a 0-based rank (from the lowest score), or 0. */
  at(rank: number): number {
    const n = this.table.size;
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
      if (zsl.gteMin(r, x)) return zsl.lteMax(r, x) ? x : 0;
    }
    return 0;
  }

  /** The last node in a range, or 0; `linear`: walked from the tail. */
  lastInRange(r: NodeRange, linear: boolean): number {
    const zsl = this.zsl;
    if (!linear) return zsl.lastInRange(r);
    if (!zsl.touches(r)) return 0;
    for (let x = zsl.tail; x !== 0; x = zsl.back[x]) {
      if (zsl.lteMax(r, x)) return zsl.gteMin(r, x) ? x : 0;
    }
    return 0;
  }

  lteMax(r: NodeRange, x: number): boolean {
    return this.zsl.lteMax(r, x);
  }

  gteMin(r: NodeRange, x: number): boolean {
    return this.zsl.gteMin(r, x);
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
        this.zsl.delete(x);
        this.forget(x);
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
      out.push([zsl.memberOf(x), zsl.score[x]]);
      zsl.delete(x);
      this.forget(x);
    }
    this.compactIfSparse();
    return out;
  }

  /** Every member present for the whole walk at least once, whatever changes between steps. */
  liveMembers(): Generator<string> {
    return this.table.scan();
  }
}
