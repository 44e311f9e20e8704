/**
 * Loads a snapshot stream into a keyspace. All or nothing: if any check fails on the way (a
 * damaged block, a cut-off tail, a database the server does not have), everything loaded so far
 * is flushed before the error is thrown, so the server never runs on half a snapshot. Keys
 * whose TTL has already run out are skipped.
 */
import { type BulkLoad, bulkLoader } from '../engine/bulk-load.js';
import type { Keyspace } from '../engine/types.js';
import { decodeValue } from '../engine/values/codec.js';
import type { StoredValue } from '../engine/values/collection.js';
import { decodeStream } from './decoder.js';
import { SnapshotError, type SnapshotHeader, type SnapshotTrailer } from './format.js';

export interface LoadResult {
  header: SnapshotHeader;
  trailer: SnapshotTrailer;
  /** Keys stored. */
  keys: number;
  /** Records skipped because their TTL had run out. */
  expired: number;
  durationMs: number;
}

export interface LoadProgress {
  bytes: number;
  /** Total bytes when the store knows it. */
  total: number | null;
  records: number;
}

export async function loadSnapshot(opts: {
  keyspace: Keyspace;
  /** The file or object name, for messages. */
  source: string;
  chunks: AsyncIterable<Buffer>;
  size?: number | null;
  onProgress?: (p: LoadProgress) => void;
  /** Function libraries found in the snapshot (applied once the whole file has loaded). */
  functions?: (payload: Buffer) => void | Promise<void>;
}): Promise<LoadResult> {
  let functions: Buffer | null = null;
  const { keyspace: ks, source } = opts;
  const started = performance.now();
  const now = ks.clock.now();
  let expired = 0;
  let records = 0;
  const bulk = bulkLoader(ks);
  try {
    const { header, trailer } = await decodeStream(
      source,
      opts.chunks,
      {
        header(h) {
          reserveIndexes(ks, bulk, h);
        },
        records(p, b) {
          // Strings go to the bulk loader in runs; other types one by one, in file order.
          let run = 0;
          for (let k = 0; k < b.count; k++) {
            records++;
            const db = b.db[k];
            if (db >= ks.databases)
              throw new SnapshotError(
                source,
                'incompatible',
                `it holds keys of database ${db} but this server has ${ks.databases} databases (raise --databases)`,
              );
            const at = b.expireAt[k];
            if (at !== 0 && at <= now) {
              expired++;
              b.type[k] = SKIPPED;
              continue;
            }
            const type = b.type[k];
            if (type === 0) continue;
            bulk.putStrings(p, b, run, k);
            run = k + 1;
            let v: StoredValue;
            try {
              v = decodeValue(type, p.subarray(b.keyEnd[k], b.valEnd[k]));
            } catch (e) {
              throw new SnapshotError(source, 'corrupt', `record ${records}: ${(e as Error).message}`);
            }
            bulk.put(db, p.subarray(b.keyStart[k], b.keyEnd[k]), v, at);
          }
          bulk.putStrings(p, b, run, b.count);
        },
        functions(payload) {
          functions = payload;
        },
      },
      opts.onProgress && ((bytes) => opts.onProgress?.({ bytes, total: opts.size ?? null, records })),
    );
    if (functions !== null) await opts.functions?.(functions);
    let keys = 0;
    for (let db = 0; db < ks.databases; db++) keys += ks.dbSize(db);
    return { header, trailer, keys, expired, durationMs: performance.now() - started };
  } catch (err) {
    ks.flushAll();
    throw err;
  }
}

/** Type mark of a record the loader drops (its TTL has run out). */
const SKIPPED = 255;
/** Most keys a database's index is sized for up front (larger ones grow as they load). */
const MAX_RESERVE_KEYS = 2 ** 27;

/**
 * Size each database's index for the keys the snapshot holds (header `keysPerDb`, written
 * since it exists), so the load never rehashes. Older snapshots only know the total; their
 * indexes grow as they load.
 */
function reserveIndexes(ks: Keyspace, bulk: BulkLoad, h: SnapshotHeader): void {
  const per = h.keysPerDb;
  if (!Array.isArray(per)) return;
  // A count is a hint, never more than the whole snapshot's count.
  const cap = Math.min(MAX_RESERVE_KEYS, Number.isSafeInteger(h.keysAtStart) ? h.keysAtStart : 0);
  for (const pair of per) {
    if (!Array.isArray(pair)) continue;
    const [db, keys] = pair;
    if (Number.isSafeInteger(db) && db >= 0 && db < ks.databases && Number.isSafeInteger(keys))
      if (keys > 0 && ks.dbSize(db) === 0) bulk.reserve(db, Math.min(keys, cap));
  }
}
