/**
 * A sorted set, ordered by (score, member bytes).
 *
 * `big` is the encoding Redis would report: small sets are `listpack`, large ones `skiplist`.
 * A listpack set is kept packed in one string (zset-packed.ts), as Redis keeps it in one
 * listpack, and walked as Redis walks it; a skiplist set is a table of member bytes plus
 * Redis's skiplist (zset-skip.ts), O(log n) at any size. A listpack set past PACKED_MAX_MEMBERS or
 * PACKED_MAX_CHARS (only when the limits are raised) is kept in the large form too. What the
 * encoding changes in replies is reproduced:
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
import { COLLECTION_OVERHEAD_BYTES, type Collection, type EncodingLimits } from './collection.js';
import { SerialReader, SerialWriter } from './serial.js';
import type { NodeRange } from './skiplist.js';
import * as P from './zset-packed.js';
import { SkipZSet } from './zset-skip.js';

export type { NodeRange };

/** A packed set moves to the large form past this many members... */
const PACKED_MAX_MEMBERS = 256;
/** ...or this many chars (each write copies the string). */
const PACKED_MAX_CHARS = 16 * 1024;
/** Fixed cost of a packed set: the object and the string's header. */
const PACKED_OVERHEAD_BYTES = 64;

/** `state` bits. */
const BIG = 1;
/** Already stored in a keyspace (or restored, or copied): its encoding is settled. */
const PLACED = 2;

/**
 * Nodes are ids (0: none); read them with `memberAt`, `scoreAt`, `next`, `prev`. An id is valid
 * until the set next changes. A packed set's ids are entry offsets plus one.
 */
export class ZSetValue implements Collection {
  readonly type = 'zset';
  private state = 0;
  /** The entries, packed (listpack sets); null in the large form. */
  private packed: string | null = '';
  /** Members of the packed form. */
  private count = 0;
  private skip: SkipZSet | null = null;

  /** Encoded as a skiplist (else a listpack); setting it moves the set to the large form. */
  get big(): boolean {
    return (this.state & BIG) !== 0;
  }

  set big(v: boolean) {
    if (v) {
      this.state |= BIG;
      this.unpack();
    } else this.state &= ~BIG;
  }

  size(): number {
    return this.packed !== null ? this.count : (this.skip as SkipZSet).size();
  }

  memory(): number {
    if (this.packed !== null) return PACKED_OVERHEAD_BYTES + this.packed.length;
    return COLLECTION_OVERHEAD_BYTES + (this.skip as SkipZSet).memory();
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
    if (this.state & PLACED) return;
    this.state |= PLACED;
    const n = this.size();
    let fits = n <= limits.zsetMaxListpackEntries;
    if (fits) {
      if (this.packed !== null) {
        for (const m of this.members()) {
          if (m.length > limits.zsetMaxListpackValue) {
            fits = false;
            break;
          }
        }
      } else fits = (this.skip as SkipZSet).membersFit(limits.zsetMaxListpackValue);
    }
    if (!fits) {
      this.big = true;
      return;
    }
    const wasBig = this.big;
    this.state &= ~BIG;
    if (this.packed !== null) {
      // -0 as a listpack stores it.
      if (wasBig) this.packed = P.packEntries(this.normalized(this.entries()));
    } else if (n <= PACKED_MAX_MEMBERS) {
      this.packed = P.packEntries(this.normalized(this.entries()));
      this.count = n;
      this.skip = null;
      if (this.packed.length > PACKED_MAX_CHARS) this.unpack();
    } else (this.skip as SkipZSet).normalizeZeros();
  }

  private *normalized(entries: Iterable<[string, number]>): Generator<[string, number]> {
    for (const [m, s] of entries) yield [m, s === 0 ? 0 : s];
  }

  /** zsetAdd's check before inserting a new member: convert when it would break a limit. */
  convertForNewMember(memberLength: number, limits: EncodingLimits): void {
    if (this.big) return;
    if (this.size() + 1 > limits.zsetMaxListpackEntries || memberLength > limits.zsetMaxListpackValue)
      this.big = true;
  }

  has(m: string): boolean {
    return this.packed !== null ? P.find(this.packed, m) >= 0 : (this.skip as SkipZSet).node(m) !== 0;
  }

  score(m: string): number | undefined {
    if (this.packed === null) return (this.skip as SkipZSet).score(m);
    const p = P.find(this.packed, m);
    return p < 0 ? undefined : P.scoreAt(this.packed, p);
  }

  memberAt(x: number): string {
    return this.packed !== null ? P.memberAt(this.packed, x - 1) : (this.skip as SkipZSet).memberAt(x);
  }

  scoreAt(x: number): number {
    return this.packed !== null ? P.scoreAt(this.packed, x - 1) : (this.skip as SkipZSet).scoreAt(x);
  }

  next(x: number): number {
    const s = this.packed;
    if (s === null) return (this.skip as SkipZSet).next(x);
    const p = P.nextEntry(s, x - 1);
    return p < s.length ? p + 1 : 0;
  }

  prev(x: number): number {
    return this.packed !== null ? P.prevEntry(this.packed, x - 1) + 1 : (this.skip as SkipZSet).prev(x);
  }

  first(): number {
    if (this.packed === null) return (this.skip as SkipZSet).first();
    return this.packed.length > 0 ? 1 : 0;
  }

  last(): number {
    return this.packed !== null ? P.lastEntry(this.packed) + 1 : (this.skip as SkipZSet).last();
  }

  /**
   * Add a member or change its score (a score equal to the current one, -0 and 0 alike, is no
   * change). True when the member is new. No encoding check: see `convertForNewMember`.
   */
  add(m: string, score: number): boolean {
    if (score === 0 && !this.big) score = 0;
    if (this.packed === null) return (this.skip as SkipZSet).add(m, score);
    let s = this.packed;
    const p = P.find(s, m);
    if (p >= 0) {
      if (P.scoreAt(s, p) === score) return false;
      s = P.spliceEntry(s, p, P.nextEntry(s, p), null);
    }
    const at = P.insertPosition(s, score, m);
    this.packed = P.spliceEntry(s, at, at, m, score);
    if (p >= 0) return false;
    this.count++;
    if (this.count > PACKED_MAX_MEMBERS || this.packed.length > PACKED_MAX_CHARS) this.unpack();
    return true;
  }

  delete(m: string): boolean {
    const s = this.packed;
    if (s === null) return (this.skip as SkipZSet).delete(m);
    const p = P.find(s, m);
    if (p < 0) return false;
    this.packed = P.spliceEntry(s, p, P.nextEntry(s, p), null);
    this.count--;
    return true;
  }

  /** 0-based rank (lowest score first, or highest first with `rev`), -1 when absent. */
  rank(m: string, rev = false): number {
    let r: number;
    if (this.packed !== null) {
      const p = P.find(this.packed, m);
      if (p < 0) return -1;
      r = P.rankOfEntry(this.packed, p);
    } else {
      const x = (this.skip as SkipZSet).node(m);
      if (x === 0) return -1;
      r = (this.skip as SkipZSet).rankOfNode(x);
    }
    return rev ? this.size() - 1 - r : r;
  }

  /** 0-based rank of a node of this set. */
  rankOfNode(x: number): number {
    return this.packed !== null ? P.rankOfEntry(this.packed, x - 1) : (this.skip as SkipZSet).rankOfNode(x);
  }

  /** The node at a 0-based rank (from the lowest score), or 0. */
  at(rank: number): number {
    const s = this.packed;
    if (s === null) return (this.skip as SkipZSet).at(rank);
    if (rank < 0 || rank >= this.count) return 0;
    return (rank === this.count - 1 ? P.lastEntry(s) : P.entryAtRank(s, rank)) + 1;
  }

  /**
   * The first node in a range, or 0. A skiplist is descended; a listpack is walked from the
   * head (zzlFirstInRange, zzlFirstInLexRange), which differs for a lex range over mixed scores.
   */
  firstInRange(r: NodeRange, lex: boolean): number {
    if (this.packed !== null) return P.firstInRange(this.packed, r) + 1;
    return (this.skip as SkipZSet).firstInRange(r, lex && !this.big);
  }

  /** The last node in a range, or 0 (a listpack is walked from the tail). */
  lastInRange(r: NodeRange, lex: boolean): number {
    if (this.packed !== null) return P.lastInRange(this.packed, r) + 1;
    return (this.skip as SkipZSet).lastInRange(r, lex && !this.big);
  }

  /** Whether node `x` lies at or below the range's max. */
  lteMax(r: NodeRange, x: number): boolean {
    return r.lteMax(this.scoreAt(x), this.memberAt(x));
  }

  /** Whether node `x` lies at or above the range's min. */
  gteMin(r: NodeRange, x: number): boolean {
    return r.gteMin(this.scoreAt(x), this.memberAt(x));
  }

  /** Whether `deleteRange` would remove anything (so a no-op is not reported as a change). */
  rangeHasDeletions(r: NodeRange, lex: boolean): boolean {
    if (this.packed === null) return (this.skip as SkipZSet).rangeHasDeletions(r, lex && !this.big);
    return P.firstInRange(this.packed, r) >= 0;
  }

  /** ZREMRANGEBYSCORE / ZREMRANGEBYLEX: remove the nodes in range; the count removed. */
  deleteRange(r: NodeRange, lex: boolean): number {
    const s = this.packed;
    if (s === null) return (this.skip as SkipZSet).deleteRange(r, lex && !this.big);
    const from = P.firstInRange(s, r);
    if (from < 0) return 0;
    let to = from;
    let removed = 0;
    for (; to < s.length && r.lteMax(P.scoreAt(s, to), P.memberAt(s, to)); removed++) to = P.nextEntry(s, to);
    this.packed = P.spliceEntry(s, from, to, null);
    this.count -= removed;
    return removed;
  }

  /** ZREMRANGEBYRANK with 0-based, in-range, ordered ranks; the count removed. */
  deleteRangeByRank(start: number, end: number): number {
    const s = this.packed;
    if (s === null) return (this.skip as SkipZSet).deleteRangeByRank(start, end);
    const from = P.entryAtRank(s, start);
    let to = from;
    for (let i = start; i <= end; i++) to = P.nextEntry(s, to);
    this.packed = P.spliceEntry(s, from, to, null);
    this.count -= end - start + 1;
    return end - start + 1;
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
    const s = this.packed;
    if (s === null) return (this.skip as SkipZSet).pop(count, max);
    const out: Array<[string, number]> = [];
    if (s.length === 0 || count <= 0) return out;
    let p = max ? P.lastEntry(s) : 0;
    let cut = p;
    for (; p >= 0 && p < s.length && out.length < count; p = max ? P.prevEntry(s, p) : P.nextEntry(s, p)) {
      out.push([P.memberAt(s, p), P.scoreAt(s, p)]);
      cut = max ? p : P.nextEntry(s, p);
    }
    this.packed = max ? P.spliceEntry(s, cut, s.length, null) : P.spliceEntry(s, 0, cut, null);
    this.count -= out.length;
    return out;
  }

  /** Members in order (lowest score first). */
  *members(): IterableIterator<string> {
    for (let x = this.first(); x !== 0; x = this.next(x)) yield this.memberAt(x);
  }

  /** Members with scores in order (lowest first). */
  *entries(): IterableIterator<[string, number]> {
    for (let x = this.first(); x !== 0; x = this.next(x)) yield [this.memberAt(x), this.scoreAt(x)];
  }

  /**
   * Members for ZSCAN, live: a large set's member table is walked (BigTable.scan), so a member
   * present for the whole walk is yielded at least once whatever changes between steps (twice
   * at most), as Redis's SCAN guarantees. A packed set (which ZSCAN returns whole) gives its
   * members in order, as they are when the walk starts.
   */
  *liveMembers(): Generator<string> {
    if (this.packed === null) yield* (this.skip as SkipZSet).liveMembers();
    else yield* [...this.members()];
  }

  /** The packed string when the set may rest as it alone (compact.ts), else null. */
  compactForm(): string | null {
    return this.state === PLACED ? this.packed : null;
  }

  /** A stored listpack set of `n` members from its `compactForm()`. */
  static fromCompact(s: string, n: number): ZSetValue {
    const z = new ZSetValue();
    z.state = PLACED;
    z.packed = s;
    z.count = n;
    return z;
  }

  clone(): ZSetValue {
    const z = new ZSetValue();
    z.state = this.state | PLACED;
    if (this.packed !== null) {
      z.packed = this.packed;
      z.count = this.count;
      return z;
    }
    z.packed = null;
    z.skip = (this.skip as SkipZSet).clone();
    return z;
  }

  serialize(): Buffer {
    const n = this.size();
    if (this.packed === null) {
      const skip = this.skip as SkipZSet;
      // Straight off the skiplist: a snapshot of a large set walks millions of nodes.
      const w = new SerialWriter(skip.memberBytes() + n * 12 + 8);
      w.u8(this.big ? 1 : 0).u32(n);
      for (let x = skip.first(); x !== 0; x = skip.next(x)) w.str(skip.memberAt(x)).f64(skip.scoreAt(x));
      return w.done();
    }
    let bytes = 0;
    for (const m of this.members()) bytes += m.length;
    const w = new SerialWriter(bytes + n * 12 + 8);
    w.u8(this.big ? 1 : 0).u32(n);
    for (const [m, s] of this.entries()) w.str(m).f64(s);
    return w.done();
  }

  static deserialize(buf: Buffer): ZSetValue {
    const r = new SerialReader(buf);
    const z = new ZSetValue();
    // As Redis's loader does, the encoding is chosen again from the content when the value is
    // stored (fitEncoding): marked a skiplist (so -0 is kept until then), packed while small.
    r.u8();
    const n = r.u32();
    if (n > PACKED_MAX_MEMBERS) z.unpack();
    z.state |= BIG;
    for (let i = n; i > 0; i--) z.add(r.str(), r.f64());
    r.end();
    return z;
  }

  /** From packed to the large form. */
  private unpack(): void {
    if (this.packed === null) return;
    const skip = new SkipZSet();
    const s = this.packed;
    for (let p = 0; p < s.length; p = P.nextEntry(s, p)) skip.add(P.memberAt(s, p), P.scoreAt(s, p));
    this.skip = skip;
    this.packed = null;
    this.count = 0;
  }
}
