/**
 * Stream IDs kept sorted and packed (what Redis's radix trees give its pending entries lists):
 * each entry is `stride` uint32 words, the ID first (ms high, ms low, seq high, seq low) then
 * the owner's payload words, in chunks of at most CHUNK_MAX entries held in one Uint32Array
 * each. An entry costs its words and no object of its own.
 *
 * A chunk's entries sit between `start` and `end`, so removing at either end of a chunk moves
 * nothing; an entry inserted after every other starts a new chunk when the last is full (IDs
 * mostly arrive in order: chunks stay full), one inserted elsewhere splits a full chunk.
 *
 * Access goes through a cursor (`ci`, `ei`) set by `locate` / `seek`; it holds until the set
 * changes (`version` counts changes, so a walk can tell it must seek again).
 */
import type { StreamID } from './stream-id.js';

/** Words an ID takes. */
export const ID_WORDS = 4;
/** Most entries a chunk holds. */
const CHUNK_MAX = 128;
/** Entries a new chunk has room for. */
const CHUNK_MIN = 4;
const TWO32 = 4294967296;
const SAFE_HI = 0x200000; // hi * 2^32 + lo stays exact below this
const U32_BIG = 0xffffffffn;
const SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** Write the uint64 `v` as two words (high, low) at `w[i]`. */
export function putU64(w: Uint32Array, i: number, v: bigint): void {
  if (v <= U32_BIG) {
    w[i] = 0;
    w[i + 1] = Number(v);
  } else if (v <= SAFE_BIG) {
    const n = Number(v);
    w[i] = Math.floor(n / TWO32);
    w[i + 1] = n >>> 0;
  } else {
    w[i] = Number(v >> 32n);
    w[i + 1] = Number(v & U32_BIG);
  }
}

/** The uint64 in two words (high, low). */
export function joinU64(hi: number, lo: number): bigint {
  return hi < SAFE_HI ? BigInt(hi * TWO32 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

class Chunk {
  start = 0;
  end = 0;
  constructor(public w: Uint32Array) {}
}

export class PackedIds {
  /** Words per entry (ID_WORDS and the payload). */
  readonly stride: number;
  protected chunks: Chunk[] = [];
  size = 0;
  /** Changes so far (a walk seeks again when it moved). */
  version = 0;
  /** The cursor: chunk index and entry index (in words: ei * stride) inside it. */
  protected ci = 0;
  protected ei = 0;
  /** The ID last located, as words. */
  protected readonly key = new Uint32Array(ID_WORDS);

  constructor(payloadWords = 0) {
    this.stride = ID_WORDS + payloadWords;
  }

  /** Compare the key with the entry at word `at` of `w`: <0, 0, >0 as the key is before/at/after. */
  private cmpKey(w: Uint32Array, at: number): number {
    const k = this.key;
    for (let i = 0; i < ID_WORDS; i++) {
      const d = k[i] - w[at + i];
      if (d !== 0) return d;
    }
    return 0;
  }

  private setKey(id: StreamID): void {
    putU64(this.key, 0, id.ms);
    putU64(this.key, 2, id.seq);
  }

  /**
   * Put the cursor on the first entry >= `id` (> `id` when `after`); true when there is one.
   * `locate` is the same with `after` false and tells whether the entry is `id` itself.
   */
  seek(id: StreamID, after = false): boolean {
    this.setKey(id);
    this.lowerBound(after);
    return this.ci < this.chunks.length;
  }

  /** Cursor on `id` or where it belongs; true when it is there. */
  locate(id: StreamID): boolean {
    this.setKey(id);
    this.lowerBound(false);
    const c = this.chunks[this.ci];
    return c !== undefined && this.cmpKey(c.w, this.ei) === 0;
  }

  /** Cursor on the first entry >= key (> key when `after`), or past the end (ci = chunks.length). */
  private lowerBound(after: boolean): void {
    const cs = this.chunks;
    const s = this.stride;
    const limit = after ? 0 : 1; // the entry qualifies while cmpKey < limit
    let lo = 0;
    let hi = cs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cs[mid];
      if (this.cmpKey(c.w, (c.end - 1) * s) >= limit) lo = mid + 1;
      else hi = mid;
    }
    this.ci = lo;
    if (lo === cs.length) {
      this.ei = 0;
      return;
    }
    const c = cs[lo];
    let a = c.start;
    let b = c.end;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (this.cmpKey(c.w, mid * s) >= limit) a = mid + 1;
      else b = mid;
    }
    this.ei = a * s;
  }

  /** Move the cursor to the next entry; false at the end. */
  step(): boolean {
    const c = this.chunks[this.ci];
    if (c === undefined) return false;
    this.ei += this.stride;
    if (this.ei < c.end * this.stride) return true;
    this.ci++;
    const n = this.chunks[this.ci];
    if (n === undefined) return false;
    this.ei = n.start * this.stride;
    return true;
  }

  /** Cursor on the first entry; false when empty. */
  toFirst(): boolean {
    this.ci = 0;
    const c = this.chunks[0];
    if (c === undefined) return false;
    this.ei = c.start * this.stride;
    return true;
  }

  /** Cursor on the last entry; false when empty. */
  toLast(): boolean {
    this.ci = this.chunks.length - 1;
    const c = this.chunks[this.ci];
    if (c === undefined) return false;
    this.ei = (c.end - 1) * this.stride;
    return true;
  }

  /** The ID at the cursor. */
  idAt(): StreamID {
    const w = this.chunks[this.ci].w;
    const i = this.ei;
    return { ms: joinU64(w[i], w[i + 1]), seq: joinU64(w[i + 2], w[i + 3]) };
  }

  /** Payload word `k` at the cursor. */
  protected word(k: number): number {
    return this.chunks[this.ci].w[this.ei + ID_WORDS + k];
  }

  protected setWord(k: number, v: number): void {
    this.chunks[this.ci].w[this.ei + ID_WORDS + k] = v;
  }

  /** The words at the cursor's chunk and the entry's first word (for payload reads). */
  protected at(): [Uint32Array, number] {
    return [this.chunks[this.ci].w, this.ei];
  }

  has(id: StreamID): boolean {
    return this.locate(id);
  }

  /** Insert `id` (absent); the cursor is left on it. */
  insert(id: StreamID): void {
    if (!this.locate(id)) this.insertAtCursor();
  }

  /** Insert the key last located where the cursor is (locate() said it was absent). */
  protected insertAtCursor(): void {
    const s = this.stride;
    const cs = this.chunks;
    this.size++;
    this.version++;
    if (cs.length === 0) {
      const c = new Chunk(new Uint32Array(CHUNK_MIN * s));
      cs.push(c);
      c.end = 1;
      this.ci = 0;
      this.ei = 0;
      this.write(c);
      return;
    }
    // Past every entry: the last chunk's end.
    if (this.ci === cs.length) {
      this.ci--;
      this.ei = cs[this.ci].end * s;
    }
    let c = cs[this.ci];
    let pos = this.ei / s;
    if (c.end - c.start >= CHUNK_MAX) {
      if (this.ci === cs.length - 1 && pos === c.end) {
        // Appending after a full last chunk: a new chunk, so chunks filled in order stay full.
        // It is made whole at once: growing it would leave the smaller arrays behind as
        // garbage, which the allocator does not always reuse.
        const n = new Chunk(new Uint32Array(CHUNK_MAX * s));
        cs.push(n);
        n.end = 1;
        this.ci++;
        this.ei = 0;
        this.write(n);
        return;
      }
      const half = (c.start + c.end) >>> 1;
      const right = new Chunk(new Uint32Array(CHUNK_MAX * s));
      right.w.set(c.w.subarray(half * s, c.end * s));
      right.end = c.end - half;
      c.end = half;
      cs.splice(this.ci + 1, 0, right);
      if (pos > half) {
        this.ci++;
        c = right;
        pos -= half;
      }
    }
    if (c.end * s >= c.w.length) {
      if (c.start > 0) {
        c.w.copyWithin(0, c.start * s, c.end * s);
        pos -= c.start;
        c.end -= c.start;
        c.start = 0;
      } else {
        const grown = new Uint32Array(Math.min(CHUNK_MAX, 2 * (c.w.length / s)) * s);
        grown.set(c.w.subarray(0, c.end * s));
        c.w = grown;
      }
    }
    c.w.copyWithin((pos + 1) * s, pos * s, c.end * s);
    c.end++;
    this.ei = pos * s;
    this.write(c);
  }

  /** Write the located key at the cursor (its payload zeroed). */
  private write(c: Chunk): void {
    const i = this.ei;
    const w = c.w;
    const k = this.key;
    w[i] = k[0];
    w[i + 1] = k[1];
    w[i + 2] = k[2];
    w[i + 3] = k[3];
    for (let j = ID_WORDS; j < this.stride; j++) w[i + j] = 0;
  }

  /** Remove `id`; false when absent. */
  delete(id: StreamID): boolean {
    if (!this.locate(id)) return false;
    this.removeAtCursor();
    return true;
  }

  /** Remove the entry at the cursor (the cursor then stands where the next entry is). */
  protected removeAtCursor(): void {
    const s = this.stride;
    const c = this.chunks[this.ci];
    const pos = this.ei / s;
    this.size--;
    this.version++;
    if (c.end - c.start === 1) {
      this.chunks.splice(this.ci, 1);
      this.ei = this.chunks[this.ci]?.start ?? 0;
      this.ei *= s;
      return;
    }
    if (pos - c.start < c.end - 1 - pos) {
      c.w.copyWithin((c.start + 1) * s, c.start * s, pos * s);
      c.start++;
      this.ei = (pos + 1) * s;
    } else {
      c.w.copyWithin(pos * s, (pos + 1) * s, c.end * s);
      c.end--;
    }
    if (this.ei >= c.end * s) {
      this.ci++;
      this.ei = (this.chunks[this.ci]?.start ?? 0) * s;
    }
  }

  first(): StreamID | undefined {
    return this.toFirst() ? this.idAt() : undefined;
  }

  last(): StreamID | undefined {
    return this.toLast() ? this.idAt() : undefined;
  }

  /** Every ID in order (a copy: the set may change while the caller walks it). */
  ids(): StreamID[] {
    const out: StreamID[] = [];
    for (let ok = this.toFirst(); ok; ok = this.step()) out.push(this.idAt());
    return out;
  }

  /**
   * IDs in order from the first >= `from` (all when absent). The set may change between two
   * steps: the walk then seeks past the last ID it gave.
   */
  *idsFrom(from?: StreamID): IterableIterator<StreamID> {
    let ok = from === undefined ? this.toFirst() : this.seek(from);
    while (ok) {
      const id = this.idAt();
      const v = this.version;
      yield id;
      ok =
        v === this.version && this.chunks[this.ci] !== undefined ? this.stepAfter(id) : this.seek(id, true);
    }
  }

  /** Step from the cursor, which another walk may have moved: seek past `id` unless it is still on it. */
  private stepAfter(id: StreamID): boolean {
    const c = this.chunks[this.ci];
    if (this.ei >= c.start * this.stride && this.ei < c.end * this.stride) {
      this.setKey(id);
      if (this.cmpKey(c.w, this.ei) === 0) return this.step();
    }
    return this.seek(id, true);
  }

  /** Words of every entry copied into `into` (a clone). */
  protected copyInto(into: PackedIds): void {
    into.chunks = this.chunks.map((c) => {
      const n = new Chunk(c.w.slice(c.start * this.stride, c.end * this.stride));
      n.end = c.end - c.start;
      return n;
    });
    into.size = this.size;
  }

  clone(): PackedIds {
    const p = new PackedIds(this.stride - ID_WORDS);
    this.copyInto(p);
    return p;
  }

  /** Heap bytes the entries' words take (chunk room included). */
  bytes(): number {
    let b = 0;
    for (const c of this.chunks) b += c.w.byteLength + 96;
    return b;
  }
}
