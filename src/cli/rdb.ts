/**
 * Moving data between Redis and Cairn, offline, with the server's own configuration flags:
 * - `cairn import FILE [options]` reads a Redis RDB file (Redis up to 7.0) and saves it as a
 *   Cairn snapshot in the configured store (`--dir`, `--snapshot-store`), which the next
 *   `cairn` start loads. All or nothing: nothing is saved when any record cannot be read.
 * - `cairn export --rdb FILE [options]` writes the latest snapshot in the configured store as
 *   an RDB file that redis-server 7.0 loads (`--dir` / `--dbfilename` there).
 * Neither opens a port. Exit code 0 on success, 1 on an error (printed to stderr), 2 on usage.
 */
import type { Logger } from 'pino';
import { REDIS_COMPAT_VERSION } from '../commands/families/redis-compat.js';
import { createCommandTable } from '../commands/index.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { ConfigStore } from '../config/store.js';
import { createKeyspace, type EngineName } from '../engine/create.js';
import { createLogger } from '../observability/logger.js';
import { exportRdb } from '../persistence/rdb/file-save.js';
import { importRdb } from '../persistence/rdb/import.js';
import type { PersistenceService } from '../persistence/service.js';
import { createPersistence } from '../persistence/setup.js';
import { decodeDump } from '../scripting/dump.js';
import { ServerState } from '../server/state.js';
import { applyEngineTuning } from '../server/tuning.js';

const USAGE = 'usage: cairn import FILE [server options]\n       cairn export --rdb FILE [server options]';

interface Out {
  write(s: string): unknown;
}

interface Offline {
  state: ServerState;
  persistence: PersistenceService;
  config: ConfigStore;
  logger: Logger;
}

/** The server's state without doors: keyspace, Lua VM (for function libraries), the store. */
async function offline(args: string[], err: Out): Promise<Offline | number> {
  let config: ConfigStore;
  try {
    config = new ConfigStore(loadConfig(args).values);
  } catch (e) {
    if (e instanceof ConfigError || (e as Error).message.startsWith('config ')) {
      err.write(`cairn: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
  const logger = createLogger(config.get('loglevel'));
  const keyspace = createKeyspace(config.get('engine') as EngineName, config.int('databases'));
  applyEngineTuning(config, keyspace);
  const state = new ServerState(keyspace, config, createCommandTable(), logger);
  await state.scripting.init();
  const persistence = await createPersistence({
    config,
    keyspace,
    logger,
    counter: state,
    cairnVersion: state.version,
    functions: state.scripting.snapshotFunctions,
  });
  if (persistence === null) {
    err.write('cairn: --snapshot-store is none: there is no store to import into or export from\n');
    return 1;
  }
  return { state, persistence, config, logger };
}

export async function importCommand(argv: string[], out: Out, err: Out): Promise<number> {
  const [file, ...rest] = argv;
  if (file === undefined || file.startsWith('-')) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  const o = await offline(rest, err);
  if (typeof o === 'number') return o;
  try {
    const r = await importRdb({
      keyspace: o.state.keyspace,
      path: file,
      limits: o.state.keyspace.limits,
      logger: o.logger,
      restoreFunctions: o.state.scripting.snapshotFunctions.restore,
    });
    const saved = await o.persistence.save('import');
    if (!saved.ok) {
      err.write(`cairn import: the file was read but the snapshot failed: ${saved.error}\n`);
      return 1;
    }
    out.write(
      `imported ${r.keys} keys (${r.expired} already expired, skipped) and ${r.libraries} function libraries from ${file} into ${saved.info.name}\n`,
    );
    return 0;
  } catch (e) {
    err.write(`cairn import: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await o.persistence.close(true);
  }
}

export async function exportCommand(argv: string[], out: Out, err: Out): Promise<number> {
  const at = argv.indexOf('--rdb');
  const file = at === -1 ? undefined : argv[at + 1];
  if (file === undefined || file.startsWith('-')) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  const o = await offline([...argv.slice(0, at), ...argv.slice(at + 2)], err);
  if (typeof o === 'number') return o;
  try {
    const loaded = await o.persistence.restore();
    if (loaded === null) {
      err.write(`cairn export: the store (${o.persistence.store.location}) holds no snapshot\n`);
      return 1;
    }
    const dump = o.state.scripting.snapshotFunctions.dump();
    const r = await exportRdb({
      keyspace: o.state.keyspace,
      path: file,
      redisVersion: REDIS_COMPAT_VERSION,
      libraries: dump === null ? [] : (decodeDump(dump) ?? []),
      encode: {
        listMaxListpackSize: o.config.int('list-max-listpack-size'),
        listCompressDepth: o.config.int('list-compress-depth'),
      },
    });
    out.write(`exported ${r.keys} keys (${r.bytes} bytes) to ${file}\n`);
    return 0;
  } catch (e) {
    err.write(`cairn export: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await o.persistence.close(true);
  }
}
