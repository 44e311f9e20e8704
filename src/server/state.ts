/**
 * The running server's shared state: implements `ServerApi` (what command handlers see) and
 * `DoorHost` (what doors use to open clients and run commands). Owns no sockets and no timers;
 * the lifecycle (lifecycle.ts) wires those.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { BlockedKeys } from '../commands/blocked-keys.js';
import type {
  ClientState,
  CommandContext,
  InfoSection,
  NotifyClass,
  PubSubApi,
  ServerApi,
  ServerStats,
} from '../commands/context.js';
import { Dispatcher } from '../commands/dispatch.js';
import { CollectionScans } from '../commands/families/collection-scan.js';
import type { CommandTable } from '../commands/registry.js';
import { ErrorReply, type Reply } from '../commands/reply.js';
import type { CommandSpec } from '../commands/spec.js';
import type { ConfigStore } from '../config/store.js';
import type { Clock } from '../engine/clock.js';
import type { Keyspace } from '../engine/types.js';
import { SlowLog } from '../observability/slowlog.js';
import type { ClientInit, DoorHost } from '../protocols/door.js';
import type { Acl } from '../security/acl.js';
import { createAcl } from '../security/setup.js';
import { Clients } from './clients.js';
import { EventHub } from './events.js';
import { createStats } from './stats.js';
import { Watches } from './watch.js';

export const CAIRN_VERSION = '0.1.0';

export interface ServerHooks {
  shutdown(opts: { save: boolean | null; now: boolean; force: boolean }): Promise<Reply>;
  save(background: boolean): Promise<Reply>;
  lastSave(): number;
}

export class ServerState implements ServerApi, DoorHost {
  readonly clients = new Clients();
  readonly watches = new Watches();
  readonly events: EventHub;
  readonly blockedKeys: BlockedKeys;
  readonly stats: ServerStats;
  readonly dispatcher: Dispatcher;
  readonly commands: ReadonlyMap<string, CommandSpec>;
  readonly acl: Acl;
  readonly slowlog: SlowLog;
  readonly startedAt: number;
  readonly runId = randomBytes(20).toString('hex');
  readonly version = CAIRN_VERSION;
  readonly ports = { resp: 0, http: 0, grpc: 0, tlsResp: 0 };
  readonly infoSections = new Map<string, InfoSection>();
  readonly collectionScans = new CollectionScans();
  /** Replaced by the pub/sub hub. */
  readonly pubsub: PubSubApi = { publish: () => 0 };
  loading = false;
  closing = false;
  dirty = 0;
  activeExpire = true;

  /** Keyspace notifications: none until notify-keyspace-events is implemented. */
  notify(_type: NotifyClass, _event: string, _key: Buffer, _db: number): void {}
  hooks: ServerHooks;

  constructor(
    readonly keyspace: Keyspace,
    readonly config: ConfigStore,
    readonly table: CommandTable,
    readonly logger: Logger,
    readonly clock: Clock = keyspace.clock,
  ) {
    this.startedAt = clock.now();
    this.stats = createStats(table);
    this.acl = createAcl(table, config);
    this.slowlog = new SlowLog(config.int('slowlog-max-len'));
    config.onChange((name, value) => {
      if (name === 'slowlog-max-len') this.slowlog.trim(Number(value));
    });
    this.dispatcher = new Dispatcher(table);
    this.commands = table.specs;
    this.events = new EventHub(keyspace);
    this.events.subscribe(this.watches.onChange);
    this.blockedKeys = new BlockedKeys(keyspace);
    this.events.subscribe(this.blockedKeys.onChange);
    this.events.subscribe((_db, _key, kind) => {
      // Like Redis's server.dirty: real changes only, not writes that changed nothing.
      if (kind === 'expire') this.stats.expiredKeys++;
      else if (kind === 'evict') this.stats.evictedKeys++;
      else this.dirty++;
    });
    const startedAt = this.startedAt;
    this.hooks = {
      shutdown: async () => new ErrorReply('ERR', 'ERR shutdown is not available in this process'),
      save: async () => new ErrorReply('ERR', 'ERR snapshots are not available in this build'),
      lastSave: () => startedAt,
    };
  }

  // ---- ServerApi -------------------------------------------------------------------------

  lastSave(): number {
    return this.hooks.lastSave();
  }

  shutdown(opts: { save: boolean | null; now: boolean; force: boolean }): Promise<Reply> {
    return this.hooks.shutdown(opts);
  }

  save(background: boolean): Promise<Reply> {
    return this.hooks.save(background);
  }

  execute(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
    return this.dispatcher.execute(ctx, argv);
  }

  // ---- DoorHost --------------------------------------------------------------------------

  get server(): ServerApi {
    return this;
  }

  private newClient(init: ClientInit): ClientState {
    return this.clients.create(init, this.clock.now(), this.acl.defaultUser);
  }

  openClient(init: ClientInit): ClientState | null {
    if (this.clients.count(init.door) >= this.config.int('maxclients')) {
      this.stats.rejectedConnections++;
      return null;
    }
    const c = this.newClient(init);
    this.clients.add(c);
    this.stats.totalConnections++;
    return c;
  }

  ephemeralClient(init: ClientInit): ClientState {
    return this.newClient(init);
  }

  closeClient(client: ClientState): void {
    this.watches.unwatchAll(client);
    client.multi = null;
    this.clients.remove(client);
  }

  context(client: ClientState, signal: AbortSignal | null = null, deadlineMs = 0): CommandContext {
    return { client, server: this, signal, deadline: deadlineMs };
  }
}
