/**
 * The server's life: config -> keyspace -> (restore) -> doors -> background tasks -> signals ->
 * shutdown. Shutdown runs in a fixed order: stop accepting on every door, drain in-flight
 * work within `shutdown-timeout`, then force-close, stop timers, and resolve `done`.
 */

import type { Logger } from 'pino';
import type { Door } from '../commands/context.js';
import { createCommandTable } from '../commands/index.js';
import { ErrorReply, NO_REPLY, OK, type Reply, SimpleReply } from '../commands/reply.js';
import type { ConfigStore } from '../config/store.js';
import type { Keyspace } from '../engine/types.js';
import { Errors } from '../errors.js';
import { metricsFor } from '../observability/metrics.js';
import type { SnapshotFunctions } from '../persistence/service.js';
import { createPersistence } from '../persistence/setup.js';
import { finalSnapshot, importAtStart, restoreAtStart } from '../persistence/startup.js';
import type { DoorHandle, DoorHost, DoorOptions } from '../protocols/door.js';
import { IdleGc } from './idle-gc.js';
import { MemoryReclaim } from './memory-reclaim.js';
import { ServerState } from './state.js';
import { applyEngineTuning } from './tuning.js';

/** How the lifecycle starts one door; the list lives in doors.ts. */
export interface DoorStarter {
  readonly door: Door;
  /** Config option holding the port; -1 turns the door off. */
  readonly portOption: 'port' | 'http-port' | 'grpc-port';
  /** A second, TLS-only port (RESP's tls-port); the door stays on while either port is on. */
  readonly tlsPortOption?: 'tls-port';
  start(host: DoorHost, opts: DoorOptions): Promise<DoorHandle>;
}

/** Share of each background tick the expiry cycle may use (Redis: 25% + 2% per effort step). */
function expireBudgetMs(config: ConfigStore): number {
  const periodMs = 1000 / config.int('hz');
  const percent = 25 + 2 * (config.int('active-expire-effort') - 1);
  return (periodMs * percent) / 100;
}

export interface RunningServer {
  readonly state: ServerState;
  readonly doors: readonly DoorHandle[];
  /**
   * Begin a graceful shutdown (idempotent); resolves when it has finished. `save`: final
   * snapshot always (true), never (false), or when anything changed (null, the default).
   */
  shutdown(reason: string, save?: boolean | null): Promise<void>;
  /** Resolves with the exit code once the server has shut down. */
  readonly done: Promise<number>;
}

export async function startServer(opts: {
  config: ConfigStore;
  logger: Logger;
  keyspace: Keyspace;
  doors: readonly DoorStarter[];
}): Promise<RunningServer> {
  const { config, logger, keyspace } = opts;
  const state = new ServerState(keyspace, config, createCommandTable(), logger);
  // The Lua VM (scripts and functions, about 10 MB of RSS) starts on first use: EVAL, FCALL,
  // FUNCTION and SCRIPT LOAD wait for it (ScriptEngine.whenReady), EXEC before replaying a queue
  // that needs it, and a snapshot or RDB file holding function libraries while it loads.
  const functions: SnapshotFunctions = {
    dump: () => state.scripting.snapshotFunctions.dump(),
    restore: async (payload) => {
      await state.scripting.init();
      state.scripting.snapshotFunctions.restore(payload);
    },
  };
  // Latency histograms per command and door, served by the HTTP door's /metrics.
  state.dispatcher.observer = metricsFor(state).observer;
  const stopTuning = applyEngineTuning(config, keyspace);

  // Persistence: the doors open first and answer LOADING (RESP), 503 on /readyz (HTTP) and
  // NOT_SERVING (gRPC health) until the latest snapshot is in; no client ever sees half the data.
  const persistence = await createPersistence({
    config,
    keyspace,
    logger,
    counter: state,
    cairnVersion: state.version,
    functions,
  });
  state.loading = persistence !== null;

  // Background tasks: the active expiry cycle, re-armed when `hz` changes.
  let cron: NodeJS.Timeout | null = null;
  const idleGc = new IdleGc();
  const armCron = () => {
    if (cron !== null) clearInterval(cron);
    cron = setInterval(() => {
      if (state.pauseCron) return;
      // While clients are paused the dataset stands still: no key expires in the background.
      if (state.activeExpire && !state.pause.active()) {
        const t0 = performance.now();
        keyspace.activeExpireCycle(expireBudgetMs(config));
        const spike = config.int('latency-monitor-threshold');
        if (spike > 0)
          state.latency.addIfNeeded('expire-cycle', performance.now() - t0, spike, state.clock.now());
      }
      // Redis's serverCron: a tracking table over tracking-table-max-keys shrinks even when idle.
      if (state.observers.tracking.clients > 0) state.observers.tracking.limit();
      // Quiet after work that grew the heap: one full collection gives that memory back.
      if (!state.loading) idleGc.tick(state.stats.totalCommands, state.clock.now());
    }, 1000 / config.int('hz'));
    cron.unref();
  };
  armCron();
  // `memory-reclaim yes`: a full GC under maxmemory once short-lived Buffers pile up.
  const reclaim = new MemoryReclaim(config);
  const armReclaim = () => (config.bool('memory-reclaim') ? reclaim.start() : reclaim.stop());
  armReclaim();
  const stopConfigWatch = config.onChange((name) => {
    if (name === 'hz') armCron();
    if (name === 'memory-reclaim') armReclaim();
  });

  const handles: DoorHandle[] = [];
  const bind = config.get('bind');
  try {
    for (const d of opts.doors) {
      const port = config.int(d.portOption);
      const tlsPort = d.tlsPortOption === undefined ? -1 : config.int(d.tlsPortOption);
      if (port < 0 && tlsPort < 0) {
        logger.info({ door: d.door }, 'door disabled');
        continue;
      }
      const h = await d.start(state, { host: bind, port, tlsPort });
      handles.push(h);
      state.ports[d.door] = h.port;
      if (h.tlsPort !== undefined) state.ports.tlsResp = h.tlsPort;
      logger.info(
        { door: d.door, host: h.host, port: h.port, tlsPort: h.tlsPort },
        `${d.door} door listening on ${h.host}:${h.port}${h.tlsPort === undefined ? '' : `, TLS on port ${h.tlsPort}`}`,
      );
    }
  } catch (err) {
    for (const h of handles) await h.close(0);
    if (cron !== null) clearInterval(cron);
    throw err;
  }
  const resp = handles.find((h) => h.door === 'resp');
  if (resp?.rebind !== undefined) {
    const rebind = resp.rebind;
    state.rebindResp = async (host, port) => {
      state.ports.resp = await rebind(host, port);
      return state.ports.resp;
    };
  }

  const importPath = config.get('import-rdb');
  if (importPath !== '') {
    // A Redis RDB file replaces the latest snapshot: loaded all or nothing while the doors
    // answer LOADING, then snapshotted at once (below) so the next start needs the file no more.
    state.loading = true;
    try {
      await importAtStart(keyspace, functions.restore, importPath, logger);
    } catch (err) {
      for (const h of handles) await h.close(0);
      if (cron !== null) clearInterval(cron);
      await persistence?.close(true);
      state.loading = false;
      throw err;
    }
    if (persistence === null) state.loading = false;
  }

  if (persistence !== null) {
    try {
      if (importPath === '') await restoreAtStart(persistence, config.get('snapshot-on-error'), logger);
    } catch (err) {
      for (const h of handles) await h.close(0);
      if (cron !== null) clearInterval(cron);
      await persistence.close(true);
      throw err;
    } finally {
      state.loading = false;
    }
    state.dirty = 0;
    if (importPath !== '') void persistence.save('import-rdb');
    state.hooks.lastSave = () => persistence.lastSave();
    state.hooks.save = async (background) => {
      if (background) {
        if (persistence.inProgress) return new ErrorReply('ERR', 'ERR Background save already in progress');
        void persistence.save('BGSAVE');
        return new SimpleReply('Background saving started');
      }
      const r = await persistence.save('SAVE');
      return r.ok ? OK : new ErrorReply('ERR', `ERR ${r.error}`);
    };
    state.infoSections.set('persistence', () => persistence.info());
    persistence.start();
  }

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => {
    resolveDone = r;
  });
  let shutdownPromise: Promise<void> | null = null;

  const shutdown = (reason: string, save: boolean | null = null): Promise<void> => {
    if (shutdownPromise !== null) return shutdownPromise;
    shutdownPromise = (async () => {
      state.closing = true;
      const graceMs = config.int('shutdown-timeout') * 1000;
      logger.info({ reason, graceMs }, 'shutting down: no new connections, draining');
      await Promise.all(handles.map((h) => h.stopAccepting()));
      // Clients blocked on keys (BLPOP, ...) would hold the drain until the grace period ends.
      state.blockedKeys.releaseKeyWaiters(Errors.shuttingDown);
      await Promise.all(handles.map((h) => h.close(graceMs)));
      if (cron !== null) clearInterval(cron);
      stopConfigWatch();
      reclaim.stop();
      stopTuning();
      let code = 0;
      if (persistence !== null) {
        if (!(await finalSnapshot(persistence, save, state.dirty, logger))) code = 1;
        await persistence.close(true);
      }
      logger.info('shutdown complete');
      resolveDone(code);
    })();
    return shutdownPromise;
  };

  state.hooks.shutdown = async (o): Promise<Reply> => {
    // The caller's connection closes as part of the shutdown: like Redis, no reply on success.
    logger.warn({ ...o }, 'SHUTDOWN requested by a client');
    setImmediate(() => void shutdown('SHUTDOWN command', o.save));
    return NO_REPLY;
  };

  logger.info({ ports: state.ports, engine: keyspace.name }, 'ready to accept connections');
  return { state, doors: handles, shutdown, done };
}
