/**
 * A hash: field -> value, in insertion order (what a listpack gives small hashes in Redis;
 * large ones are `hashtable`, whose order nobody may rely on).
 *
 * A small hash is kept packed in one string (packed.ts: field, value, field, value, ...), as
 * Redis keeps it in one listpack; past PACKED_MAX_FIELDS fields or PACKED_MAX_CHARS, or once it
 * converts to `hashtable`, it is a BigTable (big-table.ts: entries in byte blocks, no object per
 * field; insertion order until the first delete). The encoding reported follows Redis's rule, not the
 * representation: a listpack hash converts when a write brings a field or value longer than
 * hash-max-listpack-value or more fields than hash-max-listpack-entries (only the lengths written
 * count, so lowering the limit later does not convert a hash until such a write; COPY keeps the
 * encoding).
 */
import { BigTable } from './big-table.js';
import type { IndexStats } from './big-table-index.js';
import { COLLECTION_OVERHEAD_BYTES, type Collection, type EncodingLimits } from './collection.js';
import { append, elementAt, elementEnd, elementEquals, splice } from './packed.js';
import { walkToRandom } from './random-pool.js';
import { SerialReader, SerialWriter } from './serial.js';

/** A packed hash becomes a BigTable past this many fields (linear lookups stay short)... */
const PACKED_MAX_FIELDS = 256;
/** ...or this many chars (each write copies the string). */
const PACKED_MAX_CHARS = 16 * 1024;
/** Fixed cost of a packed hash: the object and the string's header. */
const PACKED_OVERHEAD_BYTES = 64;

export class HashValue implements Collection {
  readonly type = 'hash';
  /** Fields and values packed (small hashes); null once the hash is a BigTable. */
  private packed: string | null = '';
  private count = 0;
  private map: BigTable | null = null;
  /** Converted to `hashtable` (one way). */
  big = false;
  /** Longest field or value written since the last fit (bytes). */
  private pendingMaxLength = 0;

  size(): number {
    return this.map === null ? this.count : this.map.size;
  }

  memory(): number {
    if (this.packed !== null) return PACKED_OVERHEAD_BYTES + this.packed.length;
    return COLLECTION_OVERHEAD_BYTES + (this.map as BigTable).memory();
  }

  encoding(): string {
    return this.big ? 'hashtable' : 'listpack';
  }

  /** The figures of a `hashtable` hash's index (DEBUG HTSTATS-KEY), or null for a listpack. */
  indexStats(): IndexStats[] | null {
    if (!this.big) return null;
    if (this.map !== null) return this.map.indexStats();
    // Packed: searched linearly, one slot whose chain holds every field.
    return [
      { size: 1, elements: this.count, slots: 1, maxRun: this.count, runs: new Map([[this.count, 1]]) },
    ];
  }

  fitEncoding(limits: EncodingLimits): void {
    const longest = this.pendingMaxLength;
    this.pendingMaxLength = 0;
    if (this.big) return;
    if (this.size() > limits.hashMaxListpackEntries || longest > limits.hashMaxListpackValue) {
      this.big = true;
      this.unpack();
    }
  }

  get(field: string): string | undefined {
    if (this.map !== null) return this.map.get(field);
    const s = this.packed as string;
    const p = find(s, field);
    return p < 0 ? undefined : elementAt(s, elementEnd(s, p));
  }

  has(field: string): boolean {
    return this.map !== null ? this.map.has(field) : find(this.packed as string, field) >= 0;
  }

  /** True when the field is new. */
  set(field: string, value: string): boolean {
    this.pendingMaxLength = Math.max(this.pendingMaxLength, field.length, value.length);
    if (this.map === null) return this.setPacked(field, value);
    return this.map.set(field, value);
  }

  private setPacked(field: string, value: string): boolean {
    const s = this.packed as string;
    const p = find(s, field);
    if (p >= 0) {
      const v = elementEnd(s, p);
      this.packed = splice(s, v, elementEnd(s, v), value);
      return false;
    }
    this.packed = append(s, field, value);
    this.count++;
    if (this.count > PACKED_MAX_FIELDS || this.packed.length > PACKED_MAX_CHARS) this.unpack();
    return true;
  }

  delete(field: string): boolean {
    if (this.map === null) {
      const s = this.packed as string;
      const p = find(s, field);
      if (p < 0) return false;
      const v = elementEnd(s, p);
      this.packed = splice(s, p, elementEnd(s, v));
      this.count--;
      return true;
    }
    return this.map.delete(field);
  }

  /** Fields in order. */
  *keys(): Generator<string> {
    if (this.map !== null) {
      yield* this.map.keys();
      return;
    }
    const s = this.packed as string;
    for (let p = 0; p < s.length; p = elementEnd(s, elementEnd(s, p))) yield elementAt(s, p);
  }

  /** Values in field order. */
  *values(): Generator<string> {
    if (this.map !== null) {
      yield* this.map.values();
      return;
    }
    const s = this.packed as string;
    for (let p = elementEnd(s, 0); p < s.length; p = elementEnd(s, elementEnd(s, p))) yield elementAt(s, p);
  }

  /** [field, value] pairs in order. */
  *entries(): Generator<[string, string]> {
    if (this.map !== null) {
      yield* this.map.entries();
      return;
    }
    const s = this.packed as string;
    for (let p = 0; p < s.length; ) {
      const v = elementEnd(s, p);
      yield [elementAt(s, p), elementAt(s, v)];
      p = elementEnd(s, v);
    }
  }

  /**
   * Fields for HSCAN: of a large hash, every field present for the whole walk at least once,
   * whatever is written between steps (BigTable.scan); of a packed one, in order.
   */
  scanFields(): Iterator<string> {
    return this.map === null ? this.keys() : this.map.scan();
  }

  /** A field chosen uniformly at random; the hash must not be empty. */
  randomField(): string {
    if (this.map === null) return walkToRandom(this.keys(), this.count);
    return this.map.random();
  }

  /** The packed string when the hash may rest as it alone (compact.ts), else null. */
  compactForm(): string | null {
    return this.packed !== null && !this.big && this.pendingMaxLength === 0 ? this.packed : null;
  }

  /** A packed hash of `n` fields from its `compactForm()`. */
  static fromCompact(s: string, n: number): HashValue {
    const h = new HashValue();
    h.packed = s;
    h.count = n;
    return h;
  }

  clone(): HashValue {
    const h = new HashValue();
    if (this.map === null) {
      h.packed = this.packed;
      h.count = this.count;
    } else {
      h.map = this.map.clone();
      h.packed = null;
    }
    h.big = this.big;
    if (h.big) h.unpack();
    h.pendingMaxLength = 0;
    return h;
  }

  serialize(): Buffer {
    const n = this.size();
    const w = new SerialWriter(
      (this.map === null ? (this.packed as string).length : this.map.liveBytes()) + n * 8 + 8,
    );
    w.u8(this.big ? 1 : 0).u32(n);
    for (const [f, v] of this.entries()) w.str(f).str(v);
    return w.done();
  }

  static deserialize(buf: Buffer): HashValue {
    const r = new SerialReader(buf);
    const h = new HashValue();
    // The encoding follows the content and the limits in force (fitEncoding on store), as
    // Redis picks it again when it loads a value.
    r.u8();
    const n = r.u32();
    if (n > PACKED_MAX_FIELDS) h.unpack(n);
    for (let i = n; i > 0; i--) h.set(r.str(), r.str());
    r.end();
    return h;
  }

  /** From packed to a BigTable (one way); `sizeHint` fields are coming. */
  private unpack(sizeHint = 0): void {
    if (this.map !== null) return;
    const m = new BigTable(true, Math.max(sizeHint, this.count));
    for (const [f, v] of this.entries()) m.set(f, v);
    this.map = m;
    this.packed = null;
    this.count = 0;
  }
}

/** Where the field `field` starts in a packed hash, or -1. */
function find(s: string, field: string): number {
  for (let p = 0; p < s.length; p = elementEnd(s, elementEnd(s, p))) {
    if (elementEquals(s, p, field)) return p;
  }
  return -1;
}
