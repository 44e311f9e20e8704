/**
 * The server's life: config -> keyspace -> (restore) -> doors -> background tasks -> signals ->
 * shutdown. Shutdown runs in a fixed order: stop accepting on every door, drain in-flight
 * work within `shutdown-timeout`, then force-close, stop timers, and resolve `done`.
 */
import type { Logger } from 'pino';
import type { Door } from '../commands/context.js';
import { createCommandTable } from '../commands/index.js';
import { NO_REPLY, type Reply } from '../commands/reply.js';
import type { ConfigStore } from '../config/store.js';
import type { Keyspace } from '../engine/types.js';
import type { DoorHandle, DoorHost, DoorOptions } from '../protocols/door.js';
import { ServerState } from './state.js';
import { applyEngineTuning } from './tuning.js';

/** How the lifecycle starts one door; the list lives in doors.ts. */
export interface DoorStarter {
  readonly door: Door;
  /** Config option holding the port; -1 turns the door off (RESP cannot be turned off). */
  readonly portOption: 'port' | 'http-port' | 'grpc-port';
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
  /** Begin a graceful shutdown (idempotent); resolves when it has finished. */
  shutdown(reason: string): Promise<void>;
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
  const stopTuning = applyEngineTuning(config, keyspace);

  // Background tasks: the active expiry cycle, re-armed when `hz` changes.
  let cron: NodeJS.Timeout | null = null;
  const armCron = () => {
    if (cron !== null) clearInterval(cron);
    cron = setInterval(() => keyspace.activeExpireCycle(expireBudgetMs(config)), 1000 / config.int('hz'));
    cron.unref();
  };
  armCron();
  const stopConfigWatch = config.onChange((name) => {
    if (name === 'hz') armCron();
  });

  const handles: DoorHandle[] = [];
  const bind = config.get('bind');
  try {
    for (const d of opts.doors) {
      const port = config.int(d.portOption);
      if (port < 0) {
        logger.info({ door: d.door }, 'door disabled');
        continue;
      }
      const h = await d.start(state, { host: bind, port });
      handles.push(h);
      state.ports[d.door] = h.port;
      logger.info(
        { door: d.door, host: h.host, port: h.port },
        `${d.door} door listening on ${h.host}:${h.port}`,
      );
    }
  } catch (err) {
    for (const h of handles) await h.close(0);
    if (cron !== null) clearInterval(cron);
    throw err;
  }

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => {
    resolveDone = r;
  });
  let shutdownPromise: Promise<void> | null = null;

  const shutdown = (reason: string): Promise<void> => {
    if (shutdownPromise !== null) return shutdownPromise;
    shutdownPromise = (async () => {
      state.closing = true;
      const graceMs = config.int('shutdown-timeout') * 1000;
      logger.info({ reason, graceMs }, 'shutting down: no new connections, draining');
      await Promise.all(handles.map((h) => h.stopAccepting()));
      await Promise.all(handles.map((h) => h.close(graceMs)));
      if (cron !== null) clearInterval(cron);
      stopConfigWatch();
      stopTuning();
      logger.info('shutdown complete');
      resolveDone(0);
    })();
    return shutdownPromise;
  };

  state.hooks.shutdown = async (o): Promise<Reply> => {
    // The caller's connection closes as part of the shutdown: like Redis, no reply on success.
    logger.warn({ ...o }, 'SHUTDOWN requested by a client');
    setImmediate(() => void shutdown('SHUTDOWN command'));
    return NO_REPLY;
  };

  logger.info({ ports: state.ports, engine: keyspace.name }, 'ready to accept connections');
  return { state, doors: handles, shutdown, done };
}
