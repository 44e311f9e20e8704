/**
 * A hash: field -> value, in insertion order (what a listpack gives small hashes in Redis;
 * large ones are `hashtable`, whose order nobody may rely on).
 */
import {
  COLLECTION_OVERHEAD_BYTES,
  type Collection,
  ELEMENT_OVERHEAD_BYTES,
  type EncodingLimits,
} from './collection.js';
import { SerialReader, SerialWriter } from './serial.js';

export class HashValue implements Collection {
  readonly type = 'hash';
  readonly map = new Map<string, string>();
  /** Converted to `hashtable` (one way). */
  big = false;
  private bytes = 0;

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
    if (this.big) return;
    if (this.map.size > limits.hashMaxListpackEntries) {
      this.big = true;
      return;
    }
    for (const [f, v] of this.map)
      if (f.length > limits.hashMaxListpackValue || v.length > limits.hashMaxListpackValue) {
        this.big = true;
        return;
      }
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
    if (old === undefined) {
      this.bytes += field.length + value.length;
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
    return true;
  }

  clone(): HashValue {
    const h = new HashValue();
    for (const [f, v] of this.map) h.set(f, v);
    h.big = this.big;
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
