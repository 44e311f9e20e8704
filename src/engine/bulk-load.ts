/**
 * Restoring a snapshot or an RDB file into an empty, loading keyspace. The off-heap engine has
 * a dedicated writer (offheap/bulk-load.ts); other engines store through `set`.
 */
import { OffHeapBulkLoad } from './offheap/bulk-load.js';
import { OffHeapKeyspace } from './offheap/keyspace.js';
import type { Keyspace, StoredValue } from './types.js';

/**
 * String records laid out in one buffer: record k has key bytes [keyStart[k], keyEnd[k]) and
 * value bytes [keyEnd[k], valEnd[k]); only records with type[k] === 0 are stored.
 */
export interface StringRecords {
  db: Float64Array;
  keyStart: Uint32Array;
  keyEnd: Uint32Array;
  valEnd: Uint32Array;
  expireAt: Float64Array;
  type: Uint8Array;
}

export interface BulkLoad {
  /** Size `db`'s index for `keys` keys while it is empty (a hint). */
  reserve(db: number, keys: number): void;
  /** Store `key` (replacing an earlier record of it) with an absolute expiry (0: none). */
  put(db: number, key: Buffer, value: StoredValue, expireAt: number): void;
  /**
   * `put` for the records `from..to` of `recs` whose type is 0 (databases already checked):
   * the bytes are read where they lie in `buf`, with no allocation per record.
   */
  putStrings(buf: Buffer, recs: StringRecords, from: number, to: number): void;
}

/** A writer for loading into `ks`. */
export function bulkLoader(ks: Keyspace): BulkLoad {
  if (ks instanceof OffHeapKeyspace) return new OffHeapBulkLoad(ks);
  return {
    reserve: (db, keys) => ks.reserve?.(db, keys),
    put: (db, key, value, expireAt) => ks.set(db, key, value, expireAt),
    putStrings(buf, r, from, to) {
      for (let k = from; k < to; k++) {
        if (r.type[k] !== 0) continue;
        const key = buf.subarray(r.keyStart[k], r.keyEnd[k]);
        ks.set(r.db[k], key, buf.subarray(r.keyEnd[k], r.valEnd[k]), r.expireAt[k]);
      }
    },
  };
}
