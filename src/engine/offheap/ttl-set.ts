/**
 * The keys of one database that carry a TTL, as a dense array of entry refs. Each such entry
 * stores its index here (layout.ts, TTL slot), so removal is O(1) by moving the last element
 * into the hole. The active expiry cycle walks it with a cursor; volatile-* eviction samples
 * it at random. 4 bytes per key with a TTL, instead of a second hash table as in Redis.
 */
import type { IndexBytes } from './dict.js';
import { NIL } from './layout.js';

const INITIAL_CAPACITY = 16;

export class TtlSet {
  arr = new Uint32Array(0);
  len = 0;
  /** Where the active expiry cycle resumes. */
  cursor = 0;

  constructor(private readonly mem: IndexBytes) {}

  add(ref: number): number {
    if (this.len === this.arr.length) this.realloc(Math.max(INITIAL_CAPACITY, this.arr.length * 2));
    this.arr[this.len] = ref;
    return this.len++;
  }

  /** Remove index `i`; returns the ref moved into `i` (its index must be updated) or NIL. */
  removeAt(i: number): number {
    const last = --this.len;
    let moved = NIL;
    if (i !== last) {
      moved = this.arr[last];
      this.arr[i] = moved;
    }
    if (this.len === 0) this.clear();
    else if (this.arr.length > INITIAL_CAPACITY && this.len * 4 < this.arr.length)
      this.realloc(this.arr.length / 2);
    return moved;
  }

  private realloc(capacity: number): void {
    const next = new Uint32Array(capacity);
    next.set(this.arr.subarray(0, this.len));
    this.mem.bytes += (capacity - this.arr.length) * 4;
    this.arr = next;
  }

  random(): number {
    return this.len === 0 ? NIL : this.arr[(Math.random() * this.len) >>> 0];
  }

  clear(): void {
    this.mem.bytes -= this.arr.length * 4;
    this.arr = new Uint32Array(0);
    this.len = 0;
    this.cursor = 0;
  }
}
