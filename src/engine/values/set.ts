/**
 * A set of members. Redis keeps a set of integers as an `intset` (sorted by value) while it is
 * small, else a `hashtable`; SMEMBERS of an intset lists members in numeric order, which
 * `members()` reproduces.
 *
 * Three forms, as small as the content allows: an intset is packed into one string of
 * fixed-width integers (set-ints.ts); a small `hashtable` set is packed into one string of
 * length-prefixed members in insertion order (packed.ts), which Redis 7.0 has no encoding for
 * but costs a fraction of a JS Set; past PACKED_MAX_MEMBERS members or PACKED_MAX_CHARS (or
 * PACKED_MAX_INTS for an intset with raised limits) the members are a BigTable (big-table.ts:
 * members in byte blocks, no object per member). OBJECT ENCODING follows Redis's rule whatever
 * the form.
 */
import { BigTable } from './big-table.js';
import type { IndexStats } from './big-table-index.js';
import { COLLECTION_OVERHEAD_BYTES, type Collection, type EncodingLimits } from './collection.js';
import { append, elementEnd, elementEquals, elements, splice } from './packed.js';
import { walkToRandom } from './random-pool.js';
import { SerialReader, SerialWriter } from './serial.js';
import { decodeInt, encodeInt, intWidth, search, spliceChars, widen } from './set-ints.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A packed hashtable set becomes a BigTable past this many members (linear lookups stay short)... */
const PACKED_MAX_MEMBERS = 128;
/** ...or this many chars (each write copies the string). */
const PACKED_MAX_CHARS = 8 * 1024;
/** A packed intset becomes a BigTable past this many members (set-max-intset-entries raised). */
const PACKED_MAX_INTS = 4096;
/** Fixed cost of a packed set: the object and the string's header. */
const PACKED_OVERHEAD_BYTES = 64;

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

// `form`: which of the three forms holds the members.
const INTS = 0;
const STRS = 1;
const SET = 2;

export class SetValue implements Collection {
  readonly type = 'set';
  /** Still an intset: every member is an int64 in canonical form. */
  intset = true;
  private form = INTS;
  /** INTS: bytes per member; STRS: the member count. */
  private n = 2;
  private data: string | BigTable = '';

  size(): number {
    if (this.form === INTS) return (this.data as string).length / this.n;
    return this.form === STRS ? this.n : (this.data as BigTable).size;
  }

  memory(): number {
    if (this.form !== SET) return PACKED_OVERHEAD_BYTES + (this.data as string).length;
    return COLLECTION_OVERHEAD_BYTES + (this.data as BigTable).memory();
  }

  encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  /**
   * The figures of a `hashtable` set's index (DEBUG HTSTATS-KEY), or null for an intset. A
   * packed one is searched linearly: one slot whose chain holds every member.
   */
  indexStats(): IndexStats[] | null {
    if (this.intset) return null;
    if (this.form === SET) return (this.data as BigTable).indexStats();
    const n = this.size();
    return [{ size: 1, elements: n, slots: 1, maxRun: n, runs: new Map([[n, 1]]) }];
  }

  fitEncoding(limits: EncodingLimits): void {
    if (this.intset && this.size() > limits.setMaxIntsetEntries) this.toHashtable();
  }

  has(m: string): boolean {
    if (this.form === SET) return (this.data as BigTable).has(m);
    if (this.form === STRS) return findPacked(this.data as string, m) >= 0;
    if (!isInt64String(m)) return false;
    const w = intWidth(m);
    return w <= this.n && search(this.data as string, encodeInt(m, this.n), this.n) >= 0;
  }

  /** True when the member is new. */
  add(m: string): boolean {
    if (this.form === INTS) {
      if (isInt64String(m)) return this.addInt(m);
      this.toHashtable();
    }
    if (this.form === STRS) {
      const s = this.data as string;
      if (findPacked(s, m) >= 0) return false;
      this.data = append(s, m);
      this.n++;
      if (this.n > PACKED_MAX_MEMBERS || (this.data as string).length > PACKED_MAX_CHARS) this.toSet();
      return true;
    }
    // A non-integer is new to an intset held as a BigTable.
    if (this.intset && !isInt64String(m)) this.toHashtable();
    return (this.data as BigTable).set(m);
  }

  private addInt(m: string): boolean {
    const w = intWidth(m);
    if (w > this.n) {
      this.data = widen(this.data as string, this.n, w);
      this.n = w;
    }
    const s = this.data as string;
    const probe = encodeInt(m, this.n);
    const i = search(s, probe, this.n);
    if (i >= 0) return false;
    const at = (-i - 1) * this.n;
    this.data = spliceChars(s, at, at, probe);
    if (this.size() > PACKED_MAX_INTS) this.toSet();
    return true;
  }

  delete(m: string): boolean {
    if (this.form === INTS) {
      if (!isInt64String(m) || intWidth(m) > this.n) return false;
      const s = this.data as string;
      const i = search(s, encodeInt(m, this.n), this.n);
      if (i < 0) return false;
      this.data = spliceChars(s, i * this.n, (i + 1) * this.n, '');
      return true;
    }
    if (this.form === STRS) {
      const s = this.data as string;
      const p = findPacked(s, m);
      if (p < 0) return false;
      this.data = splice(s, p, elementEnd(s, p));
      this.n--;
      return true;
    }
    return (this.data as BigTable).delete(m);
  }

  /** A member chosen uniformly at random; the set must not be empty. */
  randomMember(): string {
    const n = this.size();
    if (this.form === INTS) return decodeInt(this.data as string, Math.floor(Math.random() * n), this.n);
    if (this.form === STRS) return walkToRandom(this.values(), n);
    return (this.data as BigTable).random();
  }

  /**
   * Members for SSCAN of a hashtable set: of a large one, every member present for the whole
   * walk at least once, whatever is written between steps (BigTable.scan); of a packed one, in
   * order. (An intset is returned whole, sorted: `members()`.)
   */
  scanMembers(): Iterator<string> {
    return this.form === SET ? (this.data as BigTable).scan() : this.values();
  }

  /** Members in Redis's order where it is defined (an intset's numeric order). */
  members(): string[] {
    if (this.form === SET) {
      const out = [...(this.data as BigTable).keys()];
      if (this.intset) out.sort(compareInt64Strings);
      return out;
    }
    return [...this.values()];
  }

  /**
   * Every member once (a packed intset's in numeric order, others in insertion order, a
   * BigTable's until its first delete). A packed form is walked as it was when the walk began;
   * a BigTable must not change during the walk (SSCAN uses `scanMembers()`).
   */
  values(): IterableIterator<string> {
    if (this.form === SET) return (this.data as BigTable).keys();
    if (this.form === STRS) return elements(this.data as string);
    return intMembers(this.data as string, this.n);
  }

  /**
   * The packed string when the set may rest as it alone (compact.ts): intsets only (a small
   * hashtable set keeps its object, which SSCAN's live iterations are keyed by).
   */
  compactForm(): string | null {
    return this.form === INTS ? (this.data as string) : null;
  }

  /** An intset of `n` members from its `compactForm()`. */
  static fromCompact(s: string, n: number): SetValue {
    const set = new SetValue();
    set.n = s.length / n;
    set.data = s;
    return set;
  }

  clone(): SetValue {
    const s = new SetValue();
    s.intset = this.intset;
    s.form = this.form;
    s.n = this.n;
    s.data = this.form === SET ? (this.data as BigTable).clone() : this.data;
    return s;
  }

  serialize(): Buffer {
    const n = this.size();
    const w = new SerialWriter(
      (this.form === SET ? (this.data as BigTable).liveBytes() : this.memory()) + n * 4 + 8,
    );
    w.u8(this.intset ? 0 : 1).u32(n);
    for (const m of this.values()) w.str(m);
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

  /**
   * No longer an intset (one way): packed members while small, else a Set. The members keep
   * the intset's numeric order as the first of their insertion order, as Redis's conversion
   * inserts them, whichever form held them.
   */
  private toHashtable(): void {
    this.intset = false;
    if (this.form === SET) {
      const sorted = [...(this.data as BigTable).keys()].sort(compareInt64Strings);
      const table = new BigTable(false, sorted.length);
      for (const m of sorted) table.set(m);
      this.data = table;
      return;
    }
    if (this.form !== INTS) return;
    const n = this.size();
    if (n > PACKED_MAX_MEMBERS) {
      this.toSet();
      return;
    }
    const ints = [...this.values()];
    this.form = STRS;
    this.n = n;
    this.data = append('', ...ints);
    if ((this.data as string).length > PACKED_MAX_CHARS) this.toSet();
  }

  /** From a packed form to a BigTable (one way). */
  private toSet(): void {
    if (this.form === SET) return;
    const table = new BigTable(false, this.size());
    for (const m of this.values()) table.set(m);
    this.form = SET;
    this.data = table;
    this.n = 0;
  }
}

/** Where member `m` starts in a packed member list, or -1. */
function findPacked(s: string, m: string): number {
  for (let p = 0; p < s.length; p = elementEnd(s, p)) if (elementEquals(s, p, m)) return p;
  return -1;
}

function* intMembers(s: string, w: number): Generator<string> {
  const n = s.length / w;
  for (let i = 0; i < n; i++) yield decodeInt(s, i, w);
}

/** Numeric order of two canonical int64 strings. */
export function compareInt64Strings(a: string, b: string): number {
  if (a.length < 16 && b.length < 16) return Number(a) - Number(b);
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
