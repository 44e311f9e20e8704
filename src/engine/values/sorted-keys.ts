/**
 * A map whose string keys are kept in order (what a radix tree gives Redis's stream PELs):
 * O(1) lookups through a Map, ordered walks through the keys held in sorted chunks of at most
 * CHUNK_KEYS, so an insert or delete anywhere moves at most one chunk's keys and the chunk list.
 * Walks go by seeking (`ceiling`, `higher`), so the map may change between two steps.
 */

const CHUNK_KEYS = 128;

/** First index in sorted `a` whose value is >= `key` (a.length when none). */
function lowerBound(a: readonly string[], key: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SortedKeyMap<V> {
  private readonly values = new Map<string, V>();
  private chunks: string[][] = [];

  get size(): number {
    return this.values.size;
  }

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  /** Index of the chunk that holds `key` or where it belongs. */
  private chunkFor(key: string): number {
    const cs = this.chunks;
    let lo = 0;
    let hi = cs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cs[mid];
      if (c[c.length - 1] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Add or replace; true when the key is new. */
  set(key: string, value: V): boolean {
    const isNew = !this.values.has(key);
    this.values.set(key, value);
    if (!isNew) return false;
    const cs = this.chunks;
    if (cs.length === 0) {
      cs.push([key]);
      return true;
    }
    let ci = this.chunkFor(key);
    if (ci === cs.length) ci--; // after every key: the last chunk
    const c = cs[ci];
    c.splice(lowerBound(c, key), 0, key);
    if (c.length > CHUNK_KEYS) cs.splice(ci + 1, 0, c.splice(c.length >>> 1));
    return true;
  }

  delete(key: string): boolean {
    if (!this.values.delete(key)) return false;
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    c.splice(lowerBound(c, key), 1);
    if (c.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  /** The smallest key >= `key`. */
  ceiling(key: string): string | undefined {
    const ci = this.chunkFor(key);
    if (ci === this.chunks.length) return undefined;
    const c = this.chunks[ci];
    return c[lowerBound(c, key)];
  }

  /** The smallest key > `key`. */
  higher(key: string): string | undefined {
    const k = this.ceiling(key);
    return k === key ? this.ceiling(`${key}\0`) : k;
  }

  first(): string | undefined {
    return this.chunks[0]?.[0];
  }

  last(): string | undefined {
    const c = this.chunks[this.chunks.length - 1];
    return c?.[c.length - 1];
  }

  /** Keys in order (a snapshot: safe to change the map while walking it). */
  keys(): string[] {
    return this.chunks.flat();
  }

  /** [key, value] pairs in order, from the first key >= `from` (all when absent). */
  *entriesFrom(from?: string): IterableIterator<[string, V]> {
    let k = from === undefined ? this.first() : this.ceiling(from);
    while (k !== undefined) {
      const v = this.values.get(k);
      if (v !== undefined) yield [k, v];
      k = this.higher(k);
    }
  }
}
