/**
 * Builds the persistence service from the configuration: the store (`snapshot-store`), the
 * schedule settings (read afresh on every check, so CONFIG SET applies at once).
 */
import type { Logger } from 'pino';
import type { ConfigStore } from '../config/store.js';
import type { Keyspace } from '../engine/types.js';
import { DirStore } from './dir-store.js';
import {
  type DirtyCounter,
  PersistenceService,
  type PersistenceSettings,
  parseSavePoints,
  type SnapshotFunctions,
} from './service.js';
import type { SnapshotStore } from './store.js';

export interface StoreWithInfo {
  store: SnapshotStore;
  info?: () => Array<[string, string | number]>;
}

/** Open the configured store; null when persistence is off (`--snapshot-store none`). */
export async function openConfiguredStore(
  config: ConfigStore,
  logger: Logger,
): Promise<StoreWithInfo | null> {
  const kind = config.get('snapshot-store');
  if (kind === 'none') return null;
  if (kind === 'postgres') {
    const url = config.get('snapshot-postgres-url');
    if (url === '') throw new Error('--snapshot-store postgres needs --snapshot-postgres-url');
    const { PostgresStore } = await import('./postgres-store.js');
    const { BreakerStore } = await import('./breaker.js');
    const store = new BreakerStore(new PostgresStore(url), {
      resetTimeoutMs: config.int('snapshot-breaker-reset-ms'),
      logger,
    });
    return { store, info: () => store.info() };
  }
  return { store: await DirStore.open(config.get('dir'), config.get('dbfilename')) };
}

export function settingsFrom(config: ConfigStore, logger: Logger): () => PersistenceSettings {
  let warned = '';
  return () => {
    const raw = config.get('save');
    let savePoints = parseSavePoints(raw);
    if (savePoints === null) {
      if (warned !== raw)
        logger.warn({ save: raw }, 'ignoring malformed "save" (want "<seconds> <changes> ...")');
      warned = raw;
      savePoints = [];
    }
    return {
      intervalS: config.int('snapshot-interval'),
      savePoints,
      keep: config.int('snapshot-keep'),
      timeoutMs: config.int('snapshot-timeout') * 1000,
      compress: config.get('snapshot-compression') === 'lz4',
    };
  };
}

export async function createPersistence(opts: {
  config: ConfigStore;
  keyspace: Keyspace;
  logger: Logger;
  counter: DirtyCounter;
  cairnVersion: string;
  functions?: SnapshotFunctions;
}): Promise<PersistenceService | null> {
  const opened = await openConfiguredStore(opts.config, opts.logger);
  if (opened === null) return null;
  return new PersistenceService({
    keyspace: opts.keyspace,
    store: opened.store,
    logger: opts.logger,
    settings: settingsFrom(opts.config, opts.logger),
    counter: opts.counter,
    cairnVersion: opts.cairnVersion,
    storeInfo: opened.info,
    functions: opts.functions,
  });
}
