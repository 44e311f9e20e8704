/**
 * A set of members. Redis keeps a set of integers as an `intset` (sorted by value) while it is
 * small, else a `hashtable`; SMEMBERS of an intset lists members in numeric order, which
 * `members()` reproduces.
 */
import {
  COLLECTION_OVERHEAD_BYTES,
  type Collection,
  ELEMENT_OVERHEAD_BYTES,
  type EncodingLimits,
} from './collection.js';
import { POOL_MIN_ELEMENTS, RandomPool, walkToRandom } from './random-pool.js';
import { SerialReader, SerialWriter } from './serial.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Redis's string2ll: the canonical decimal form of an int64 (no +, no leading zeros, no -0). */
export function isInt64String(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1; // "0" only; "-0" and leading zeros are not canonical
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  if (n < 19) return true;
  const v = BigInt(s);
  return v >= INT64_MIN && v <= INT64_MAX;
}

export class SetValue implements Collection {
  readonly type = 'set';
  readonly set = new Set<string>();
  /** Still an intset: every member is an int64 in canonical form. */
  intset = true;
  private bytes = 0;
  /** Members again, for O(1) random picks; built by the first pick on a large set. */
  private pool: RandomPool | null = null;

  size(): number {
    return this.set.size;
  }

  memory(): number {
    return COLLECTION_OVERHEAD_BYTES + this.bytes + this.set.size * ELEMENT_OVERHEAD_BYTES;
  }

  encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  fitEncoding(limits: EncodingLimits): void {
    if (this.intset && this.set.size > limits.setMaxIntsetEntries) this.intset = false;
  }

  has(m: string): boolean {
    return this.set.has(m);
  }

  /** True when the member is new. */
  add(m: string): boolean {
    if (this.set.has(m)) return false;
    if (this.intset && !isInt64String(m)) this.intset = false;
    this.set.add(m);
    this.bytes += m.length;
    this.pool?.add(m);
    return true;
  }

  delete(m: string): boolean {
    if (!this.set.delete(m)) return false;
    this.bytes -= m.length;
    this.pool?.delete(m);
    return true;
  }

  /** A member chosen uniformly at random; the set must not be empty. */
  randomMember(): string {
    if (this.set.size < POOL_MIN_ELEMENTS) return walkToRandom(this.set, this.set.size);
    this.pool ??= new RandomPool(this.set);
    return this.pool.pick();
  }

  /** Members in Redis's order where it is defined (an intset's numeric order). */
  members(): string[] {
    const out = [...this.set];
    if (this.intset) out.sort(compareInt64Strings);
    return out;
  }

  clone(): SetValue {
    const s = new SetValue();
    for (const m of this.set) s.add(m);
    s.intset = this.intset;
    return s;
  }

  serialize(): Buffer {
    const w = new SerialWriter(this.bytes + this.set.size * 4 + 8);
    w.u8(this.intset ? 0 : 1).u32(this.set.size);
    for (const m of this.set) w.str(m);
    return w.done();
  }

  static deserialize(buf: Buffer): SetValue {
    const r = new SerialReader(buf);
    const s = new SetValue();
    r.u8(); // the encoding follows the content (see HashValue.deserialize)
    for (let n = r.u32(); n > 0; n--) s.add(r.str());
    r.end();
    return s;
  }
}

/** Numeric order of two canonical int64 strings. */
export function compareInt64Strings(a: string, b: string): number {
  if (a.length < 16 && b.length < 16) return Number(a) - Number(b);
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
