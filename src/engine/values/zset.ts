/**
 * A sorted set: member -> score, ordered by (score, member bytes). Small sets are `listpack`,
 * large ones `skiplist`, as in Redis.
 *
 * STUB: sorted array; to be replaced by an order-statistic structure (skiplist with spans).
 */
import {
  COLLECTION_OVERHEAD_BYTES,
  type Collection,
  ELEMENT_OVERHEAD_BYTES,
  type EncodingLimits,
} from './collection.js';
import { SerialReader, SerialWriter } from './serial.js';

export class ZSetValue implements Collection {
  readonly type = 'zset';
  readonly scores = new Map<string, number>();
  big = false;
  private bytes = 0;

  size(): number {
    return this.scores.size;
  }

  memory(): number {
    return COLLECTION_OVERHEAD_BYTES + this.bytes + this.scores.size * (ELEMENT_OVERHEAD_BYTES + 16);
  }

  encoding(): string {
    return this.big ? 'skiplist' : 'listpack';
  }

  fitEncoding(limits: EncodingLimits): void {
    if (this.big) return;
    if (this.scores.size > limits.zsetMaxListpackEntries) this.big = true;
    else for (const m of this.scores.keys()) if (m.length > limits.zsetMaxListpackValue) this.big = true;
  }

  score(m: string): number | undefined {
    return this.scores.get(m);
  }

  /** Add or update; true when the member is new. */
  add(m: string, score: number): boolean {
    const had = this.scores.has(m);
    this.scores.set(m, score);
    if (!had) this.bytes += m.length;
    return !had;
  }

  delete(m: string): boolean {
    if (!this.scores.delete(m)) return false;
    this.bytes -= m.length;
    return true;
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
    const all = [...this.scores].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (max) all.reverse();
    const out = all.slice(0, count);
    for (const [m] of out) this.delete(m);
    return out;
  }

  clone(): ZSetValue {
    const z = new ZSetValue();
    for (const [m, s] of this.scores) z.add(m, s);
    z.big = this.big;
    return z;
  }

  serialize(): Buffer {
    const w = new SerialWriter(this.bytes + this.scores.size * 12 + 8);
    w.u8(this.big ? 1 : 0).u32(this.scores.size);
    for (const [m, s] of this.scores) w.str(m).f64(s);
    return w.done();
  }

  static deserialize(buf: Buffer): ZSetValue {
    const r = new SerialReader(buf);
    const z = new ZSetValue();
    z.big = r.u8() === 1;
    for (let n = r.u32(); n > 0; n--) z.add(r.str(), r.f64());
    r.end();
    return z;
  }
}
