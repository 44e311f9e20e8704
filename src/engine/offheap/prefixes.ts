/**
 * Key prefix compression. Keyspaces often name keys `tenant:42:region:eu:session:<id>`: many
 * keys, few distinct prefixes. A prefix up to a key's last delimiter, once seen often enough,
 * is stored here once (refcounted) and entries keep a 2-byte id instead of its bytes
 * (layout.ts, F_PREFIX). Lookups still hash and compare the full key: the prefix bytes are
 * compared from this table, the suffix from the arena.
 *
 * Admission is by sightings, so prefixes that are really unique per key (`user:<id>:`) never
 * take a table slot; the candidate counts are bounded and simply start over when full.
 */
import { bytesEqual, hashBytes } from './hash.js';

/** Shorter prefixes save too little to pay for the indirection. */
export const MIN_PREFIX_BYTES = 16;
/** Longest prefix considered, and how far from the end of a key a delimiter is looked for. */
const MAX_PREFIX_BYTES = 1024;
const MAX_SUFFIX_SCAN_BYTES = 128;
/** Sightings of a candidate prefix before it is interned. */
const ADMIT_SIGHTINGS = 4;
/** Candidate prefixes counted at once; the counts restart when this many are pending. */
const MAX_CANDIDATES = 4096;
/** Ids are 16 bits; 0 means "no prefix". */
const MAX_PREFIXES = 0xffff;
/** Bookkeeping charged per interned prefix: its Buffer object and map entries. */
export const PREFIX_OVERHEAD_BYTES = 96;
/** Prefix hashes use their own seed, so they do not mirror key hashes. */
const PREFIX_SEED_MIX = 0x9e3779b9;

const COLON = 0x3a;
const SLASH = 0x2f;
const PIPE = 0x7c;
const EMPTY = Buffer.alloc(0);

export class Prefixes {
  /** Interned prefix bytes and reference counts, by id (id 0 unused). */
  readonly bytes: Buffer[] = [EMPTY];
  readonly refs: number[] = [0];
  private readonly hashes: number[] = [0];
  private readonly byHash = new Map<number, number>();
  private readonly sightings = new Map<number, number>();
  private readonly freeIds: number[] = [];
  /** Bytes charged to the table (usedMemory). */
  memory = 0;
  enabled = true;

  constructor(private readonly seed: number) {}

  /** Length of `key`'s candidate prefix (through its last delimiter), or 0 when it has none. */
  split(key: Buffer): number {
    const n = key.length;
    if (!this.enabled || n <= MIN_PREFIX_BYTES) return 0;
    const stop = Math.max(MIN_PREFIX_BYTES - 1, n - MAX_SUFFIX_SCAN_BYTES);
    for (let i = n - 1; i >= stop; i--) {
      const c = key[i];
      if (c === COLON || c === SLASH || c === PIPE) return i + 1 <= MAX_PREFIX_BYTES ? i + 1 : 0;
    }
    return 0;
  }

  /**
   * The id of `key[0..plen)`, taking a reference, or 0 when the prefix is not interned (yet):
   * not seen often enough, a hash collision with another prefix, or the table is full.
   */
  acquire(key: Buffer, plen: number): number {
    const h = hashBytes(key, 0, plen, this.seed ^ PREFIX_SEED_MIX);
    const id = this.byHash.get(h);
    if (id !== undefined) {
      const p = this.bytes[id];
      if (p.length !== plen || !bytesEqual(p, 0, key, plen)) return 0;
      this.refs[id]++;
      return id;
    }
    const seen = (this.sightings.get(h) ?? 0) + 1;
    if (seen < ADMIT_SIGHTINGS) {
      if (this.sightings.size >= MAX_CANDIDATES) this.sightings.clear();
      this.sightings.set(h, seen);
      return 0;
    }
    this.sightings.delete(h);
    const fresh = this.freeIds.pop() ?? (this.bytes.length <= MAX_PREFIXES ? this.bytes.length : 0);
    if (fresh === 0) return 0;
    this.bytes[fresh] = Buffer.from(key.subarray(0, plen));
    this.refs[fresh] = 1;
    this.hashes[fresh] = h;
    this.byHash.set(h, fresh);
    this.memory += plen + PREFIX_OVERHEAD_BYTES;
    return fresh;
  }

  /** Drop one reference; the prefix goes when the last entry using it does. */
  release(id: number): void {
    if (--this.refs[id] > 0) return;
    this.memory -= this.bytes[id].length + PREFIX_OVERHEAD_BYTES;
    this.byHash.delete(this.hashes[id]);
    this.bytes[id] = EMPTY;
    this.freeIds.push(id);
  }

  count(): number {
    return this.byHash.size;
  }

  clear(): void {
    this.bytes.length = 1;
    this.refs.length = 1;
    this.hashes.length = 1;
    this.byHash.clear();
    this.sightings.clear();
    this.freeIds.length = 0;
    this.memory = 0;
  }
}
