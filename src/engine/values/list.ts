/**
 * A list. Redis 7.0 reports every list as `quicklist` (listpack lists came in 7.2), whose nodes
 * are packed listpacks; here a small list is packed the same way in one string (packed.ts) and
 * walked from the nearer cached position, and a list past PACKED_MAX_ITEMS items or
 * PACKED_MAX_CHARS becomes a ring buffer of items: O(1) at both ends and by index. CLEAR and
 * trimming to a small list pack it again.
 */
import { COLLECTION_OVERHEAD_BYTES, type Collection, ELEMENT_OVERHEAD_BYTES } from './collection.js';
import { append, elementAt, elementEnd, lengthAt, prepend, splice } from './packed.js';
import { SerialReader, SerialWriter } from './serial.js';

const MIN_CAPACITY = 8;
const PACKED_MAX_ITEMS = 128;
/** Redis's default list-max-listpack-size -2: 8 kB per node. */
const PACKED_MAX_CHARS = 8 * 1024;
/** Fixed cost of a packed list: the object and the string's header. */
const PACKED_OVERHEAD_BYTES = 64;

export class ListValue implements Collection {
  readonly type = 'list';
  /** Items packed (small lists); null once the list is a ring buffer. */
  private packed: string | null = '';
  /** A walk position in `packed`: item `cacheIdx` starts at char `cachePos`. */
  private cacheIdx = 0;
  private cachePos = 0;
  private buf: (string | undefined)[] = [];
  private mask = 0;
  private head = 0;
  private len = 0;
  private bytes = 0;

  size(): number {
    return this.len;
  }

  memory(): number {
    if (this.packed !== null) return PACKED_OVERHEAD_BYTES + this.packed.length;
    return COLLECTION_OVERHEAD_BYTES + this.bytes + this.len * ELEMENT_OVERHEAD_BYTES;
  }

  encoding(): string {
    return 'quicklist';
  }

  fitEncoding(): void {}

  /** Where item `i` starts in the packed string (0 <= i <= len). */
  private pos(i: number): number {
    const s = this.packed as string;
    let k = 0;
    let p = 0;
    if (i >= this.cacheIdx) {
      k = this.cacheIdx;
      p = this.cachePos;
    }
    for (; k < i; k++) p = elementEnd(s, p);
    this.cacheIdx = i;
    this.cachePos = p;
    return p;
  }

  private setPacked(s: string): void {
    this.packed = s;
    this.cacheIdx = 0;
    this.cachePos = 0;
    if (this.len > PACKED_MAX_ITEMS || s.length > PACKED_MAX_CHARS) this.unpack();
  }

  /** From packed to the ring buffer (one way, until the list is cleared or trimmed small). */
  private unpack(): void {
    const s = this.packed as string;
    let cap = MIN_CAPACITY;
    while (cap < this.len * 2) cap *= 2;
    const next: (string | undefined)[] = new Array(cap);
    let i = 0;
    for (let p = 0; p < s.length; p = elementEnd(s, p)) next[i++] = elementAt(s, p);
    this.buf = next;
    this.mask = cap - 1;
    this.head = 0;
    this.packed = null;
  }

  /** Item at `i` (0-based from the head; the caller checks bounds). */
  at(i: number): string {
    if (this.packed !== null) return elementAt(this.packed, this.pos(i));
    return this.buf[(this.head + i) & this.mask] as string;
  }

  setAt(i: number, v: string): void {
    if (this.packed !== null) {
      const s = this.packed;
      const p = this.pos(i);
      this.bytes += v.length - lengthAt(s, p);
      this.setPacked(splice(s, p, elementEnd(s, p), v));
      return;
    }
    const j = (this.head + i) & this.mask;
    this.bytes += v.length - (this.buf[j] as string).length;
    this.buf[j] = v;
  }

  private grow(): void {
    const old = this.buf;
    if (this.len < old.length) return;
    // Full: the items run from head to the end, then from 0 to head.
    const next: (string | undefined)[] = new Array(old.length * 2);
    let k = 0;
    for (let i = this.head; i < old.length; i++) next[k++] = old[i];
    for (let i = 0; i < this.head; i++) next[k++] = old[i];
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
    if (this.packed !== null) {
      this.len++;
      this.bytes += v.length;
      this.setPacked(prepend(this.packed, v));
      return;
    }
    this.grow();
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = v;
    this.len++;
    this.bytes += v.length;
  }

  pushTail(v: string): void {
    if (this.packed !== null) {
      this.len++;
      this.bytes += v.length;
      this.setPacked(append(this.packed, v));
      return;
    }
    this.grow();
    this.buf[(this.head + this.len) & this.mask] = v;
    this.len++;
    this.bytes += v.length;
  }

  popHead(): string | undefined {
    if (this.len === 0) return undefined;
    if (this.packed !== null) return this.removePacked(0);
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
    if (this.packed !== null) return this.removePacked(this.len - 1);
    const j = (this.head + this.len - 1) & this.mask;
    const v = this.buf[j] as string;
    this.buf[j] = undefined;
    this.len--;
    this.bytes -= v.length;
    this.shrink();
    return v;
  }

  private removePacked(i: number): string {
    const s = this.packed as string;
    const p = this.pos(i);
    const v = elementAt(s, p);
    this.len--;
    this.bytes -= v.length;
    this.setPacked(splice(s, p, elementEnd(s, p)));
    return v;
  }

  /** Insert `v` so that it ends up at index `i` (0..len). */
  insertAt(i: number, v: string): void {
    if (this.packed !== null) {
      const p = this.pos(i);
      this.len++;
      this.bytes += v.length;
      this.setPacked(splice(this.packed, p, p, v));
      return;
    }
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
    if (this.packed !== null) {
      this.removePacked(i);
      return;
    }
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
    const items = this.range(0, this.len - 1);
    if (fromTail) items.reverse();
    const keep: string[] = [];
    let removed = 0;
    for (const item of items) {
      if (item === v && (limit === 0 || removed < limit)) removed++;
      else keep.push(item);
    }
    if (removed === 0) return 0;
    if (fromTail) keep.reverse();
    this.refill(keep);
    return removed;
  }

  /** Keep only items start..end (inclusive, already clamped, start <= end) or none. */
  trim(start: number, end: number): void {
    this.refill(this.range(start, Math.min(end, this.len - 1)));
  }

  /** Hold exactly `items`, packed again when they are few. */
  private refill(items: string[]): void {
    this.clear();
    if (items.length <= PACKED_MAX_ITEMS) {
      for (const v of items) this.bytes += v.length;
      this.len = items.length;
      this.setPacked(append('', ...items));
    } else for (const v of items) this.pushTail(v);
  }

  clear(): void {
    this.packed = '';
    this.cacheIdx = 0;
    this.cachePos = 0;
    this.buf = [];
    this.mask = 0;
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

  /** The packed string when the list may rest as it alone (compact.ts), else null. */
  compactForm(): string | null {
    return this.packed;
  }

  /** A packed list of `n` items from its `compactForm()`. */
  static fromCompact(s: string, n: number): ListValue {
    const l = new ListValue();
    l.packed = s;
    l.len = n;
    for (let p = 0; p < s.length; p = elementEnd(s, p)) l.bytes += lengthAt(s, p);
    return l;
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
