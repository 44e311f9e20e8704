/**
 * The two moments the lifecycle hands to persistence: loading the latest snapshot before any
 * door opens, and the final snapshot after the doors have drained.
 */
import type { Logger } from 'pino';
import type { Keyspace } from '../engine/types.js';
import { SnapshotError } from './format.js';
import type { PersistenceService } from './service.js';

export class SnapshotLoadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SnapshotLoadError';
  }
}

/**
 * Load the latest snapshot. A snapshot that cannot be loaded (corrupt, cut off, newer format,
 * store unreachable) stops the start with a message naming it and the problem, unless
 * `onError` is `start-empty`: then the server starts with an empty keyspace (the loader never
 * leaves half a snapshot behind).
 */
export async function restoreAtStart(
  service: PersistenceService,
  onError: string,
  logger: Logger,
): Promise<void> {
  try {
    await service.restore();
  } catch (err) {
    const what =
      err instanceof SnapshotError
        ? err.message
        : `cannot load a snapshot from ${service.store.kind} store ${service.store.location}: ${(err as Error).message}`;
    if (onError === 'start-empty') {
      logger.error({ err }, `${what}; starting with an empty dataset (--snapshot-on-error start-empty)`);
      return;
    }
    const fix = err instanceof SnapshotError ? 'move the snapshot away' : 'make the store reachable';
    logger.fatal(
      { err },
      `${what}; refusing to start (${fix}, or pass --snapshot-on-error start-empty to start empty)`,
    );
    throw new SnapshotLoadError(what, { cause: err });
  }
}

/**
 * The snapshot taken at shutdown. `save`: true (SHUTDOWN SAVE) always saves, false (NOSAVE)
 * never, null (a signal, plain SHUTDOWN) saves when anything changed since the last snapshot.
 * Resolves false when a wanted snapshot failed.
 */
export async function finalSnapshot(
  service: PersistenceService,
  save: boolean | null,
  dirty: number,
  logger: Logger,
): Promise<boolean> {
  await service.settle();
  if (save === false) {
    logger.info('shutdown without a final snapshot (NOSAVE)');
    return true;
  }
  if (save === null && dirty === 0 && service.hasSnapshot) {
    logger.info('no changes since the last snapshot: no final snapshot needed');
    return true;
  }
  const r = await service.save('shutdown');
  if (!r.ok) logger.error({ error: r.error }, `final snapshot failed: ${r.error}`);
  return r.ok;
}

/**
 * `--import-rdb FILE`: load a Redis RDB file into the (empty) keyspace, with its function
 * libraries. A file that cannot be read stops the start with a message naming the first record
 * that failed; the keyspace is left empty (the import is all or nothing).
 */
export async function importAtStart(
  keyspace: Keyspace,
  restoreFunctions: (payload: Buffer) => void | Promise<void>,
  path: string,
  logger: Logger,
): Promise<void> {
  const { importRdb } = await import('./rdb/import.js');
  try {
    await importRdb({ keyspace, path, limits: keyspace.limits, logger, restoreFunctions });
  } catch (err) {
    logger.fatal({ err }, `${(err as Error).message}; refusing to start`);
    throw new SnapshotLoadError((err as Error).message, { cause: err });
  }
}
