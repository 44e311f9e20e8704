/**
 * Loads a snapshot stream into a keyspace. All or nothing: if any check fails on the way (a
 * damaged block, a cut-off tail, a database the server does not have), everything loaded so far
 * is flushed before the error is thrown, so the server never runs on half a snapshot. Keys
 * whose TTL has already run out are skipped.
 */
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
  functions?: (payload: Buffer) => void;
}): Promise<LoadResult> {
  let functions: Buffer | null = null;
  const { keyspace: ks, source } = opts;
  const started = performance.now();
  const now = ks.clock.now();
  let expired = 0;
  let records = 0;
  try {
    const { header, trailer } = await decodeStream(
      source,
      opts.chunks,
      {
        record(db, key, value, expireAt, type) {
          records++;
          if (db >= ks.databases)
            throw new SnapshotError(
              source,
              'incompatible',
              `it holds keys of database ${db} but this server has ${ks.databases} databases (raise --databases)`,
            );
          if (expireAt !== 0 && expireAt <= now) {
            expired++;
            return;
          }
          let v: StoredValue;
          try {
            v = decodeValue(type, value);
          } catch (e) {
            throw new SnapshotError(source, 'corrupt', `record ${records}: ${(e as Error).message}`);
          }
          ks.set(db, key, v, expireAt);
        },
        functions(payload) {
          functions = payload;
        },
      },
      opts.onProgress && ((bytes) => opts.onProgress?.({ bytes, total: opts.size ?? null, records })),
    );
    if (functions !== null) opts.functions?.(functions);
    let keys = 0;
    for (let db = 0; db < ks.databases; db++) keys += ks.dbSize(db);
    return { header, trailer, keys, expired, durationMs: performance.now() - started };
  } catch (err) {
    ks.flushAll();
    throw err;
  }
}
