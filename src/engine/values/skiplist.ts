/**
 * Redis's sorted-set skiplist (t_zset.c): nodes ordered by (score, member bytes), a backward
 * link on level 0, and per-level spans counting the nodes each link skips, so rank lookups and
 * rank-based seeks cost O(log n) like inserts and deletes. Duplicate scores are allowed; a
 * member appears once (the caller's member -> node map guarantees it).
 *
 * Nodes live in typed arrays indexed by a node id rather than as JS objects: a search hops
 * through one compact Int32Array instead of chasing heap pointers, which is many times faster
 * on a set of a million members and leaves the garbage collector little to trace. Id 0 is the
 * header; as a link it means "none". A node holds its member's id in a `MemberKeys` table, not
 * the member: the bytes are read only to order members of equal score and for lex ranges.
 *
 * Range searches take a `NodeRange` (score or lex bounds) and descend the levels exactly as
 * zslFirstInRange / zslLastInRange / zslDeleteRangeBy* do, so a non-monotonic predicate (a lex
 * range over members of mixed scores, whose result Redis leaves undefined) behaves as Redis's
 * own skiplist would.
 */

/** ZSKIPLIST_MAXLEVEL: enough for 2^64 elements at P = 1/4. */
export const SKIPLIST_MAX_LEVEL = 32;
/** ZSKIPLIST_P: the chance a node reaches the next level. */
const SKIPLIST_P = 0.25;
const HEADER = 0;
/** Node slots and link slots a new list starts with (arrays double as they fill). */
const INITIAL_NODES = 8;
const INITIAL_LINKS = 64;

/**
 * A score or lex interval; `empty` when nothing can lie in it whatever the set holds.
 * `byMember`: the tests read the member (else they are given '').
 */
export interface NodeRange {
  readonly empty: boolean;
  readonly byMember: boolean;
  gteMin(score: number, member: string): boolean;
  lteMax(score: number, member: string): boolean;
}

/** Where a list's members are: ids into a table of member bytes (zset-skip.ts: a BigTable). */
export interface MemberKeys {
  /** Byte order of members `a` and `b` (negative, 0, positive). */
  compareKeys(a: number, b: number): number;
  keyAt(id: number): string;
}

function randomLevel(): number {
  let level = 1;
  while (level < SKIPLIST_MAX_LEVEL && Math.random() < SKIPLIST_P) level++;
  return level;
}

export class SkipList {
  // Per node id:
  score = new Float64Array(INITIAL_NODES);
  /** The member's id in `keys`. */
  mid = new Int32Array(INITIAL_NODES);
  /** Previous node on level 0 (0: none). */
  back = new Int32Array(INITIAL_NODES);
  level = new Uint8Array(INITIAL_NODES);
  /** Where the node's links start in `fwd` / `span`. */
  private base = new Int32Array(INITIAL_NODES);
  // Per link (node base + level):
  fwd = new Int32Array(INITIAL_LINKS);
  private span = new Int32Array(INITIAL_LINKS);

  private nextId = 1;
  private freeIds: number[] = [];
  private linkTop = SKIPLIST_MAX_LEVEL;
  /** Freed link blocks by level, reused for nodes of the same level. */
  private freeLinks: number[][] = Array.from({ length: SKIPLIST_MAX_LEVEL + 1 }, () => []);

  tail = 0;
  length = 0;
  /** Levels in use (the highest level of any node). */
  levels = 1;
  // Scratch arrays reused by every operation, as Redis's on-stack update[] / rank[].
  private readonly update = new Int32Array(SKIPLIST_MAX_LEVEL);
  private readonly rank = new Float64Array(SKIPLIST_MAX_LEVEL);

  constructor(private readonly keys: MemberKeys) {
    this.level[HEADER] = SKIPLIST_MAX_LEVEL;
  }

  /** A copy of this list whose member ids refer to `keys` (a copy of this list's table). */
  clone(keys: MemberKeys): SkipList {
    const c = new SkipList(keys);
    c.score = this.score.slice();
    c.mid = this.mid.slice();
    c.back = this.back.slice();
    c.level = this.level.slice();
    c.base = this.base.slice();
    c.fwd = this.fwd.slice();
    c.span = this.span.slice();
    c.nextId = this.nextId;
    c.freeIds = this.freeIds.slice();
    c.linkTop = this.linkTop;
    c.freeLinks = this.freeLinks.map((l) => l.slice());
    c.tail = this.tail;
    c.length = this.length;
    c.levels = this.levels;
    return c;
  }

  /** The member of node `x`. */
  memberOf(x: number): string {
    return this.keys.keyAt(this.mid[x]);
  }

  /** Node slots allocated (for memory accounting). */
  capacity(): number {
    return this.score.length + this.fwd.length;
  }

  first(): number {
    return this.fwd[this.base[HEADER]];
  }

  next(x: number): number {
    return this.fwd[this.base[x]];
  }

  /** Node `x` comes before a node of `score` whose member is `mid`: score first, then member bytes. */
  private before(x: number, score: number, mid: number): boolean {
    const s = this.score[x];
    if (s !== score) return s < score;
    const m = this.mid[x];
    return m !== mid && this.keys.compareKeys(m, mid) < 0;
  }

  private allocNode(level: number): number {
    let id = this.freeIds.pop();
    if (id === undefined) {
      id = this.nextId++;
      if (id >= this.score.length) this.growNodes();
    }
    let at = this.freeLinks[level].pop();
    if (at === undefined) {
      at = this.linkTop;
      this.linkTop += level;
      if (this.linkTop > this.fwd.length) this.growLinks();
    }
    this.base[id] = at;
    this.level[id] = level;
    return id;
  }

  private growNodes(): void {
    const n = this.score.length * 2;
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.score = grow(this.score, (k) => new Float64Array(k));
    this.back = grow(this.back, (k) => new Int32Array(k));
    this.level = grow(this.level, (k) => new Uint8Array(k));
    this.base = grow(this.base, (k) => new Int32Array(k));
    this.mid = grow(this.mid, (k) => new Int32Array(k));
  }

  private growLinks(): void {
    const n = Math.max(this.fwd.length * 2, this.linkTop);
    const fwd = new Int32Array(n);
    fwd.set(this.fwd);
    this.fwd = fwd;
    const span = new Int32Array(n);
    span.set(this.span);
    this.span = span;
  }

  private freeNode(x: number): void {
    this.freeLinks[this.level[x]].push(this.base[x]);
    this.freeIds.push(x);
  }

  /** zslInsert: a new node for a member (id `mid` in `keys`) not yet in the list; its id. */
  insert(score: number, mid: number): number {
    const x = this.allocNode(randomLevel());
    this.score[x] = score;
    this.mid[x] = mid;
    this.link(x);
    return x;
  }

  /** Link node `x` (unlinked) at its place for its current score. */
  private link(x: number): void {
    const { update, rank, fwd, span, base } = this;
    const score = this.score[x];
    const mid = this.mid[x];
    let n = HEADER;
    for (let i = this.levels - 1; i >= 0; i--) {
      rank[i] = i === this.levels - 1 ? 0 : rank[i + 1];
      for (let f = fwd[base[n] + i]; f !== 0 && this.before(f, score, mid); f = fwd[base[n] + i]) {
        rank[i] += span[base[n] + i];
        n = f;
      }
      update[i] = n;
    }
    const level = this.level[x];
    if (level > this.levels) {
      for (let i = this.levels; i < level; i++) {
        rank[i] = 0;
        update[i] = HEADER;
        span[base[HEADER] + i] = this.length;
      }
      this.levels = level;
    }
    const bx = base[x];
    for (let i = 0; i < level; i++) {
      const bu = base[update[i]] + i;
      fwd[bx + i] = fwd[bu];
      fwd[bu] = x;
      span[bx + i] = span[bu] - (rank[0] - rank[i]);
      span[bu] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.levels; i++) span[base[update[i]] + i]++;
    this.back[x] = update[0];
    const next = fwd[bx];
    if (next !== 0) this.back[next] = x;
    else this.tail = x;
    this.length++;
  }

  /** Fill `update` with the last node before (score, member `mid`) on each level. */
  private findUpdate(score: number, mid: number): void {
    const { fwd, base } = this;
    let n = HEADER;
    for (let i = this.levels - 1; i >= 0; i--) {
      for (let f = fwd[base[n] + i]; f !== 0 && this.before(f, score, mid); f = fwd[base[n] + i]) n = f;
      this.update[i] = n;
    }
  }

  /** zslDeleteNode: unlink `x`, whose predecessors are in `update`. */
  private unlink(x: number): void {
    const { update, fwd, span, base } = this;
    const bx = base[x];
    for (let i = 0; i < this.levels; i++) {
      const bu = base[update[i]] + i;
      if (fwd[bu] === x) {
        span[bu] += span[bx + i] - 1;
        fwd[bu] = fwd[bx + i];
      } else {
        span[bu] -= 1;
      }
    }
    const next = fwd[bx];
    if (next !== 0) this.back[next] = this.back[x];
    else this.tail = this.back[x];
    const hb = base[HEADER];
    while (this.levels > 1 && fwd[hb + this.levels - 1] === 0) this.levels--;
    this.length--;
  }

  /** zslDelete for a node of the list; its id is free afterwards. */
  delete(x: number): void {
    this.findUpdate(this.score[x], this.mid[x]);
    this.unlink(x);
    this.freeNode(x);
  }

  /**
   * zslUpdateScore: change a node's score. When it stays between its neighbours it is updated
   * in place; otherwise it is unlinked and linked again at its new place (same id).
   */
  updateScore(x: number, score: number): void {
    const prev = this.back[x];
    const next = this.fwd[this.base[x]];
    if ((prev === 0 || this.score[prev] < score) && (next === 0 || this.score[next] > score)) {
      this.score[x] = score;
      return;
    }
    this.findUpdate(this.score[x], this.mid[x]);
    this.unlink(x);
    this.score[x] = score;
    this.link(x);
  }

  /** zslGetRank: 1-based rank of a node of the list. */
  rankOf(x: number): number {
    const { fwd, span, base } = this;
    const score = this.score[x];
    const mid = this.mid[x];
    let rank = 0;
    let n = HEADER;
    for (let i = this.levels - 1; i >= 0; i--) {
      for (
        let f = fwd[base[n] + i];
        f !== 0 && (f === x || this.before(f, score, mid));
        f = fwd[base[n] + i]
      ) {
        rank += span[base[n] + i];
        n = f;
      }
      if (n === x) return rank;
    }
    return 0;
  }

  /** zslGetElementByRank: the node at a 1-based rank, or 0. */
  byRank(rank: number): number {
    const { fwd, span, base } = this;
    let traversed = 0;
    let n = HEADER;
    for (let i = this.levels - 1; i >= 0; i--) {
      for (let f = fwd[base[n] + i]; f !== 0 && traversed + span[base[n] + i] <= rank; f = fwd[base[n] + i]) {
        traversed += span[base[n] + i];
        n = f;
      }
      if (traversed === rank) return n;
    }
    return 0;
  }

  gteMin(r: NodeRange, x: number): boolean {
    return r.gteMin(this.score[x], r.byMember ? this.memberOf(x) : '');
  }

  lteMax(r: NodeRange, x: number): boolean {
    return r.lteMax(this.score[x], r.byMember ? this.memberOf(x) : '');
  }

  /** zslIsInRange / zslIsInLexRange: whether any part of the list can lie in `r`. */
  touches(r: NodeRange): boolean {
    if (r.empty || this.length === 0) return false;
    return this.gteMin(r, this.tail) && this.lteMax(r, this.first());
  }

  /** zslFirstInRange / zslFirstInLexRange: the node, or 0. */
  firstInRange(r: NodeRange): number {
    if (!this.touches(r)) return 0;
    const { fwd, base } = this;
    let n = HEADER;
    for (let i = this.levels - 1; i >= 0; i--) {
      for (let f = fwd[base[n] + i]; f !== 0 && !this.gteMin(r, f); f = fwd[base[n] + i]) n = f;
    }
    const x = fwd[base[n]];
    return x !== 0 && this.lteMax(r, x) ? x : 0;
  }

  /** zslLastInRange / zslLastInLexRange: the node, or 0. */
  lastInRange(r: NodeRange): number {
    if (!this.touches(r)) return 0;
    const { fwd, base } = this;
    let n = HEADER;
    for (let i = this.levels - 1; i >= 0; i--) {
      for (let f = fwd[base[n] + i]; f !== 0 && this.lteMax(r, f); f = fwd[base[n] + i]) n = f;
    }
    return n !== HEADER && this.gteMin(r, n) ? n : 0;
  }

  /** Where zslDeleteRangeBy* would start: the first node its descent finds at or past min. */
  deletionStart(r: NodeRange): number {
    const { fwd, base } = this;
    let n = HEADER;
    for (let i = this.levels - 1; i >= 0; i--) {
      for (let f = fwd[base[n] + i]; f !== 0 && !this.gteMin(r, f); f = fwd[base[n] + i]) n = f;
    }
    return fwd[base[n]];
  }

  /**
   * zslDeleteRangeByScore / ByLex: delete every node from the first at or past min while in
   * range; `onDelete` sees each node before its id is freed.
   */
  deleteRange(r: NodeRange, onDelete: (x: number) => void): number {
    const { fwd, base } = this;
    let n = HEADER;
    for (let i = this.levels - 1; i >= 0; i--) {
      for (let f = fwd[base[n] + i]; f !== 0 && !this.gteMin(r, f); f = fwd[base[n] + i]) n = f;
      this.update[i] = n;
    }
    let removed = 0;
    for (let x = fwd[base[n]]; x !== 0 && this.lteMax(r, x); removed++) {
      const next = fwd[base[x]];
      this.unlink(x);
      onDelete(x);
      this.freeNode(x);
      x = next;
    }
    return removed;
  }

  /** zslDeleteRangeByRank: delete the nodes of 1-based ranks start..end. */
  deleteRangeByRank(start: number, end: number, onDelete: (x: number) => void): number {
    const { fwd, span, base } = this;
    let traversed = 0;
    let n = HEADER;
    for (let i = this.levels - 1; i >= 0; i--) {
      for (let f = fwd[base[n] + i]; f !== 0 && traversed + span[base[n] + i] < start; f = fwd[base[n] + i]) {
        traversed += span[base[n] + i];
        n = f;
      }
      this.update[i] = n;
    }
    traversed++;
    let removed = 0;
    for (let x = fwd[base[n]]; x !== 0 && traversed <= end; traversed++, removed++) {
      const next = fwd[base[x]];
      this.unlink(x);
      onDelete(x);
      this.freeNode(x);
      x = next;
    }
    return removed;
  }
}
