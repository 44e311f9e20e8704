/**
 * A hash: field -> value, in insertion order (what a listpack gives small hashes in Redis;
 * large ones are `hashtable`, whose order nobody may rely on).
 *
 * As in Redis, a listpack hash converts when a write brings a field or value longer than
 * hash-max-listpack-value: only the lengths written count, so lowering the limit later does
 * not convert a hash until such a write (and COPY keeps the encoding).
 */
import {
  COLLECTION_OVERHEAD_BYTES,
  type Collection,
  ELEMENT_OVERHEAD_BYTES,
  type EncodingLimits,
} from './collection.js';
import { POOL_MIN_ELEMENTS, RandomPool, walkToRandom } from './random-pool.js';
import { SerialReader, SerialWriter } from './serial.js';

export class HashValue implements Collection {
  readonly type = 'hash';
  readonly map = new Map<string, string>();
  /** Converted to `hashtable` (one way). */
  big = false;
  private bytes = 0;
  /** Longest field or value written since the last fit (bytes). */
  private pendingMaxLength = 0;
  /** Fields again, for O(1) random picks; built by the first pick on a large hash. */
  private pool: RandomPool | null = null;

  size(): number {
    return this.map.size;
  }

  memory(): number {
    return COLLECTION_OVERHEAD_BYTES + this.bytes + this.map.size * ELEMENT_OVERHEAD_BYTES;
  }

  encoding(): string {
    return this.big ? 'hashtable' : 'listpack';
  }

  fitEncoding(limits: EncodingLimits): void {
    const longest = this.pendingMaxLength;
    this.pendingMaxLength = 0;
    if (this.big) return;
    if (this.map.size > limits.hashMaxListpackEntries || longest > limits.hashMaxListpackValue)
      this.big = true;
  }

  get(field: string): string | undefined {
    return this.map.get(field);
  }

  has(field: string): boolean {
    return this.map.has(field);
  }

  /** True when the field is new. */
  set(field: string, value: string): boolean {
    const old = this.map.get(field);
    this.map.set(field, value);
    this.pendingMaxLength = Math.max(this.pendingMaxLength, field.length, value.length);
    if (old === undefined) {
      this.bytes += field.length + value.length;
      this.pool?.add(field);
      return true;
    }
    this.bytes += value.length - old.length;
    return false;
  }

  delete(field: string): boolean {
    const old = this.map.get(field);
    if (old === undefined) return false;
    this.map.delete(field);
    this.bytes -= field.length + old.length;
    this.pool?.delete(field);
    return true;
  }

  /** A field chosen uniformly at random; the hash must not be empty. */
  randomField(): string {
    if (this.map.size < POOL_MIN_ELEMENTS) return walkToRandom(this.map.keys(), this.map.size);
    this.pool ??= new RandomPool(this.map.keys());
    return this.pool.pick();
  }

  clone(): HashValue {
    const h = new HashValue();
    for (const [f, v] of this.map) h.set(f, v);
    h.big = this.big;
    h.pendingMaxLength = 0;
    return h;
  }

  serialize(): Buffer {
    const w = new SerialWriter(this.bytes + this.map.size * 8 + 8);
    w.u8(this.big ? 1 : 0).u32(this.map.size);
    for (const [f, v] of this.map) w.str(f).str(v);
    return w.done();
  }

  static deserialize(buf: Buffer): HashValue {
    const r = new SerialReader(buf);
    const h = new HashValue();
    // The encoding follows the content and the limits in force (fitEncoding on store), as
    // Redis picks it again when it loads a value.
    r.u8();
    for (let n = r.u32(); n > 0; n--) h.set(r.str(), r.str());
    r.end();
    return h;
  }
}
