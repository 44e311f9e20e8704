/**
 * Values a key can hold besides a string: Redis's collection types. Engines keep a collection
 * object by reference and hand the same object back, so a command changes it in place between
 * `Keyspace.willModify` (before-change hook: snapshots copy the old value) and
 * `Keyspace.modified` (encoding, memory accounting, change event; an empty collection is
 * deleted, as Redis deletes empty keys). Elements are latin1 strings (one char per byte), which
 * round-trip any bytes and compare in byte order with `<`.
 *
 * Encodings follow Redis 7.0's names and one-way conversions: a collection starts compact
 * (listpack, intset) and converts to its large encoding past the configured thresholds, never
 * back. Lists are always `quicklist` in 7.0.
 */

export type CollectionType = 'hash' | 'list' | 'set' | 'zset' | 'stream';
export type ValueType = 'string' | CollectionType;

/**
 * Type codes in snapshots (Redis's RDB object type numbers for the plain encodings; a stream
 * takes RDB_TYPE_STREAM_LISTPACKS's 15).
 */
export const TYPE_CODES = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 15 } as const;

/** Thresholds between the compact and the large encodings (CONFIG SET-able, as in Redis). */
export interface EncodingLimits {
  hashMaxListpackEntries: number;
  /** Bytes. */
  hashMaxListpackValue: number;
  setMaxIntsetEntries: number;
  zsetMaxListpackEntries: number;
  /** Bytes. */
  zsetMaxListpackValue: number;
}

export function defaultEncodingLimits(): EncodingLimits {
  return {
    hashMaxListpackEntries: 128,
    hashMaxListpackValue: 64,
    setMaxIntsetEntries: 512,
    zsetMaxListpackEntries: 128,
    zsetMaxListpackValue: 64,
  };
}

export interface Collection {
  readonly type: CollectionType;
  /** Number of elements (fields, items, members). */
  size(): number;
  /** Bytes attributed to the value (elements plus per-element overhead), kept up to date. */
  memory(): number;
  /** Redis's OBJECT ENCODING name. */
  encoding(): string;
  /** Convert to the large encoding when `limits` are passed (one way, as Redis). */
  fitEncoding(limits: EncodingLimits): void;
  /** A deep copy (COPY, snapshot copy-on-write). */
  clone(): Collection;
  /** The value in the snapshot format of its type (codec.ts reads it back). */
  serialize(): Buffer;
  /** Stays a key when it has no elements (a stream); other collections are deleted then. */
  readonly keepsWhenEmpty?: boolean;
}

/** What a key holds: a string's bytes or a collection. */
export type StoredValue = Buffer | Collection;

export function isCollection(v: StoredValue): v is Collection {
  return !(v instanceof Uint8Array);
}

export function typeOfValue(v: StoredValue): ValueType {
  return v instanceof Uint8Array ? 'string' : v.type;
}

/** Per-element bookkeeping charged on top of element bytes (Map/Set slot, string headers). */
export const ELEMENT_OVERHEAD_BYTES = 48;
/** Fixed cost of a collection object. */
export const COLLECTION_OVERHEAD_BYTES = 96;

/** A latin1 string (one char per byte) from bytes. */
export function str(b: Buffer): string {
  return b.toString('latin1');
}

/** Bytes of a latin1 string. */
export function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
