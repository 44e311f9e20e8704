/**
 * An in-process server for unit tests of commands and doors: the real command table and
 * dispatcher over a keyspace with a manual clock. No sockets unless a test starts a door.
 */
import { pino } from 'pino';
import type { ClientState } from '../commands/context.js';
import { createCommandTable } from '../commands/index.js';
import type { Reply } from '../commands/reply.js';
import { ConfigStore } from '../config/store.js';
import { ManualClock } from '../engine/clock.js';
import { MapKeyspace } from '../engine/map-keyspace.js';
import type { Keyspace } from '../engine/types.js';
import type { ClientInit } from '../protocols/door.js';
import { ServerState } from './state.js';
import { applyEngineTuning } from './tuning.js';

export interface TestServerOptions {
  clock?: ManualClock;
  config?: Record<string, string>;
  /** Build the keyspace (defaults to the Map keyspace on the test clock). */
  keyspace?: (clock: ManualClock, databases: number) => Keyspace;
}

export interface TestServer {
  server: ServerState;
  /** The same object, as a DoorHost for door tests. */
  host: ServerState;
  clock: ManualClock;
  keyspace: Keyspace;
  client(init?: Partial<ClientInit>): ClientState;
  run(client: ClientState, ...args: Array<string | Buffer>): Promise<Reply>;
  close(): void;
}

export function createTestServer(opts: TestServerOptions = {}): TestServer {
  const clock = opts.clock ?? new ManualClock();
  const config = new ConfigStore(opts.config ?? {});
  const databases = config.int('databases');
  const keyspace = opts.keyspace ? opts.keyspace(clock, databases) : new MapKeyspace(databases, clock);
  const server = new ServerState(keyspace, config, createCommandTable(), pino({ level: 'silent' }), clock);
  const stopTuning = applyEngineTuning(config, keyspace);
  return {
    server,
    host: server,
    clock,
    keyspace,
    client(init = {}) {
      const c = server.openClient({
        door: 'resp',
        addr: '127.0.0.1:50000',
        laddr: '127.0.0.1:6379',
        close: () => server.closeClient(c!),
        ...init,
      });
      if (c === null) throw new Error('maxclients reached');
      return c;
    },
    async run(client, ...args) {
      const argv = args.map((a) => (typeof a === 'string' ? Buffer.from(a) : a));
      return await server.execute(server.context(client), argv);
    },
    close() {
      stopTuning();
    },
  };
}
