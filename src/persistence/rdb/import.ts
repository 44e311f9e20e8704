/**
 * Importing a Redis RDB file into a keyspace, all or nothing: every key goes into the database
 * it was in, with its TTL (keys already expired are skipped, as Redis skips them when loading
 * as a master); function libraries are applied once the whole file has been read. On any error
 * the keyspace is flushed before the error is thrown, so nothing half-imported is ever served.
 */
import type { Logger } from 'pino';
import type { Keyspace } from '../../engine/types.js';
import type { EncodingLimits } from '../../engine/values/collection.js';
import { encodeDump } from '../../scripting/dump.js';
import { loadProgressReporter } from '../progress.js';
import { RdbFileError, readRdbFile } from './file-load.js';

export interface RdbImportResult {
  keys: number;
  expired: number;
  libraries: number;
  version: number;
  bytes: number;
  durationMs: number;
}

export async function importRdb(opts: {
  keyspace: Keyspace;
  path: string;
  limits: EncodingLimits;
  logger: Logger;
  /** Replace the function libraries with a FUNCTION DUMP payload; throws when one does not load. */
  restoreFunctions?: (payload: Buffer) => void | Promise<void>;
}): Promise<RdbImportResult> {
  const { keyspace: ks, path, logger } = opts;
  const started = performance.now();
  const now = ks.clock.now();
  const libraries: Buffer[] = [];
  let expired = 0;
  let keys = 0;
  const progress = loadProgressReporter(logger, path, 'RDB file');
  logger.info({ source: path }, `importing RDB file ${path}`);
  try {
    const r = await readRdbFile(
      path,
      {
        record(rec) {
          if (rec.db >= ks.databases)
            throw new Error(
              `it holds keys of database ${rec.db} but this server has ${ks.databases} databases (raise --databases)`,
            );
          if (rec.expireAt !== 0 && rec.expireAt <= now) {
            expired++;
            return;
          }
          const before = ks.dbSize(rec.db);
          ks.set(rec.db, rec.key, rec.value, rec.expireAt);
          if (ks.dbSize(rec.db) === before) throw new Error('the key appears twice in the file');
          if (rec.idleSeconds >= 0 || rec.freq >= 0)
            ks.setAccess?.(rec.db, rec.key, {
              idleMs: rec.idleSeconds >= 0 ? rec.idleSeconds * 1000 : undefined,
              freq: rec.freq >= 0 ? rec.freq : undefined,
            });
          keys++;
        },
        resize(db, n) {
          if (db < ks.databases && ks.dbSize(db) === 0) ks.reserve?.(db, n);
        },
        functionLibrary(code) {
          libraries.push(code);
        },
      },
      {
        limits: opts.limits,
        onProgress: (p) => progress.update({ bytes: p.bytes, total: p.total, records: p.records }),
      },
    );
    if (libraries.length > 0) {
      if (opts.restoreFunctions === undefined)
        throw new RdbFileError(`${path} holds function libraries, which cannot be imported here`);
      try {
        await opts.restoreFunctions(encodeDump(libraries));
      } catch (e) {
        throw new RdbFileError(`cannot import the function libraries of ${path}: ${(e as Error).message}`);
      }
    }
    const durationMs = performance.now() - started;
    logger.info(
      { source: path, keys, expired, libraries: libraries.length, ms: Math.round(durationMs) },
      `RDB file imported: ${keys} keys (${expired} already expired), ${libraries.length} function libraries in ${Math.round(durationMs)} ms`,
    );
    return { keys, expired, libraries: libraries.length, version: r.version, bytes: r.bytes, durationMs };
  } catch (err) {
    ks.flushAll();
    throw err;
  } finally {
    progress.done();
  }
}
