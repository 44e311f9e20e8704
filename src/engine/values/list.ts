/**
 * A list: a ring buffer of items, O(1) at both ends and by index. Redis 7.0 reports every list
 * as `quicklist` (listpack lists came in 7.2).
 */
import { COLLECTION_OVERHEAD_BYTES, type Collection, ELEMENT_OVERHEAD_BYTES } from './collection.js';
import { SerialReader, SerialWriter } from './serial.js';

const MIN_CAPACITY = 8;

export class ListValue implements Collection {
  readonly type = 'list';
  private buf: (string | undefined)[] = new Array(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  private head = 0;
  private len = 0;
  private bytes = 0;

  size(): number {
    return this.len;
  }

  memory(): number {
    return COLLECTION_OVERHEAD_BYTES + this.bytes + this.len * ELEMENT_OVERHEAD_BYTES;
  }

  encoding(): string {
    return 'quicklist';
  }

  fitEncoding(): void {}

  /** Item at `i` (0-based from the head; the caller checks bounds). */
  at(i: number): string {
    return this.buf[(this.head + i) & this.mask] as string;
  }

  setAt(i: number, v: string): void {
    const j = (this.head + i) & this.mask;
    this.bytes += v.length - (this.buf[j] as string).length;
    this.buf[j] = v;
  }

  private grow(): void {
    if (this.len < this.buf.length) return;
    const next: (string | undefined)[] = new Array(this.buf.length * 2);
    for (let i = 0; i < this.len; i++) next[i] = this.at(i);
    this.buf = next;
    this.mask = next.length - 1;
    this.head = 0;
  }

  private shrink(): void {
    if (this.buf.length <= MIN_CAPACITY || this.len * 4 > this.buf.length) return;
    const next: (string | undefined)[] = new Array(this.buf.length >>> 1);
    for (let i = 0; i < this.len; i++) next[i] = this.at(i);
    this.buf = next;
    this.mask = next.length - 1;
    this.head = 0;
  }

  pushHead(v: string): void {
    this.grow();
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = v;
    this.len++;
    this.bytes += v.length;
  }

  pushTail(v: string): void {
    this.grow();
    this.buf[(this.head + this.len) & this.mask] = v;
    this.len++;
    this.bytes += v.length;
  }

  popHead(): string | undefined {
    if (this.len === 0) return undefined;
    const v = this.buf[this.head] as string;
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.len--;
    this.bytes -= v.length;
    this.shrink();
    return v;
  }

  popTail(): string | undefined {
    if (this.len === 0) return undefined;
    const j = (this.head + this.len - 1) & this.mask;
    const v = this.buf[j] as string;
    this.buf[j] = undefined;
    this.len--;
    this.bytes -= v.length;
    this.shrink();
    return v;
  }

  /** Insert `v` so that it ends up at index `i` (0..len). */
  insertAt(i: number, v: string): void {
    if (i === 0) {
      this.pushHead(v);
      return;
    }
    this.pushTail(v);
    if (i === this.len - 1) return;
    for (let k = this.len - 1; k > i; k--) this.buf[(this.head + k) & this.mask] = this.at(k - 1);
    this.buf[(this.head + i) & this.mask] = v;
  }

  /** Remove the item at index `i`. */
  removeAt(i: number): void {
    const v = this.at(i);
    for (let k = i; k < this.len - 1; k++) this.buf[(this.head + k) & this.mask] = this.at(k + 1);
    this.buf[(this.head + this.len - 1) & this.mask] = undefined;
    this.len--;
    this.bytes -= v.length;
    this.shrink();
  }

  /**
   * Remove up to `limit` items equal to `v` (0 = every one), scanning from the head, or from
   * the tail when `fromTail` (LREM with a negative count). One pass: O(len). Returns how many.
   */
  removeMatching(v: string, limit: number, fromTail: boolean): number {
    const n = this.len;
    const keep: string[] = [];
    let removed = 0;
    for (let k = 0; k < n; k++) {
      const i = fromTail ? n - 1 - k : k;
      const item = this.at(i);
      if (item === v && (limit === 0 || removed < limit)) removed++;
      else keep.push(item);
    }
    if (removed === 0) return 0;
    if (fromTail) keep.reverse();
    this.clear();
    for (const item of keep) this.pushTail(item);
    return removed;
  }

  /** Keep only items start..end (inclusive, already clamped, start <= end) or none. */
  trim(start: number, end: number): void {
    const keep: string[] = [];
    for (let i = start; i <= end && i < this.len; i++) keep.push(this.at(i));
    this.clear();
    for (const v of keep) this.pushTail(v);
  }

  clear(): void {
    this.buf = new Array(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.head = 0;
    this.len = 0;
    this.bytes = 0;
  }

  /** Items start..end inclusive (clamped by the caller). */
  range(start: number, end: number): string[] {
    const out: string[] = [];
    for (let i = start; i <= end; i++) out.push(this.at(i));
    return out;
  }

  clone(): ListValue {
    const l = new ListValue();
    for (let i = 0; i < this.len; i++) l.pushTail(this.at(i));
    return l;
  }

  serialize(): Buffer {
    const w = new SerialWriter(this.bytes + this.len * 4 + 8);
    w.u8(0).u32(this.len);
    for (let i = 0; i < this.len; i++) w.str(this.at(i));
    return w.done();
  }

  static deserialize(buf: Buffer): ListValue {
    const r = new SerialReader(buf);
    const l = new ListValue();
    r.u8();
    for (let n = r.u32(); n > 0; n--) l.pushTail(r.str());
    r.end();
    return l;
  }
}
