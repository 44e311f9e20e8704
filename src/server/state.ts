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
  NotifyListener,
  PubSubApi,
  ServerApi,
  ServerStats,
} from '../commands/context.js';
import { Dispatcher } from '../commands/dispatch.js';
import { CollectionScans } from '../commands/families/collection-scan.js';
import { CommandObservers } from '../commands/observers.js';
import { ClientPause } from '../commands/pause.js';
import { PubSubHub } from '../commands/pubsub/hub.js';
import type { CommandTable, TableEntry } from '../commands/registry.js';
import { ReplicaFeeds } from '../commands/replication/feed.js';
import type { Propagation } from '../commands/replication/propagate.js';
import { ErrorReply, type Reply } from '../commands/reply.js';
import type { CommandSpec } from '../commands/spec.js';
import type { ConfigStore } from '../config/store.js';
import type { Clock } from '../engine/clock.js';
import type { Keyspace } from '../engine/types.js';
import { LatencyMonitor } from '../observability/latency-monitor.js';
import { SlowLog } from '../observability/slowlog.js';
import type { ClientInit, DoorHost } from '../protocols/door.js';
import { ScriptEngine } from '../scripting/engine.js';
import type { Acl } from '../security/acl.js';
import { createAcl } from '../security/setup.js';
import { Clients } from './clients.js';
import { EventHub } from './events.js';
import { KeyspaceNotifier } from './notify.js';
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
  readonly observers: CommandObservers;
  readonly replicas: ReplicaFeeds;
  readonly propagation: Propagation;
  readonly stats: ServerStats;
  readonly dispatcher: Dispatcher;
  readonly commands: ReadonlyMap<string, CommandSpec>;
  readonly acl: Acl;
  readonly slowlog: SlowLog;
  readonly latency = new LatencyMonitor();
  rebindResp: ((bind: string, port: number) => Promise<number>) | null = null;
  readonly pause: ClientPause = new ClientPause(this);
  readonly startedAt: number;
  readonly runId = randomBytes(20).toString('hex');
  readonly version = CAIRN_VERSION;
  readonly ports = { resp: 0, http: 0, grpc: 0, tlsResp: 0 };
  readonly infoSections = new Map<string, InfoSection>();
  readonly collectionScans = new CollectionScans();
  readonly scripting: ScriptEngine;
  /** Channels, patterns and shard channels of every subscriber, on every door. */
  readonly pubsub: PubSubApi = new PubSubHub((err, sub) =>
    this.logger.error({ err, client: sub.id }, 'pub/sub delivery failed'),
  );
  loading = false;
  closing = false;
  dirty = 0;
  activeExpire = true;
  pauseCron = false;
  readonly replyBuffer = { peakResetMs: 5000, resizing: true };

  readonly notifier: KeyspaceNotifier;

  /** Keyspace notifications (notify.ts): a no-op unless notify-keyspace-events enables `type`. */
  notify(type: NotifyClass, event: string, key: Buffer, db: number): void {
    this.notifier.notify(type, event, key, db);
  }

  notifies(type: NotifyClass): boolean {
    return this.notifier.enabled(type);
  }

  onNotify(listener: NotifyListener): () => void {
    return this.notifier.listen(listener);
  }
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
    this.scripting = new ScriptEngine(this, (level, msg) => {
      if (level === 'warning') logger.warn(msg);
      else if (level === 'notice') logger.info(msg);
      else logger.debug(msg);
    });
    this.events = new EventHub(keyspace);
    this.events.subscribe(this.watches.onChange);
    this.blockedKeys = new BlockedKeys(keyspace);
    this.observers = new CommandObservers(this, this.events);
    this.replicas = new ReplicaFeeds(this);
    this.propagation = this.replicas.propagation;
    this.events.subscribe(this.blockedKeys.onChange);
    this.notifier = new KeyspaceNotifier(this, config, this.events);
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

  execute(ctx: CommandContext, argv: Buffer[], resolved?: TableEntry): Reply | Promise<Reply> {
    return this.dispatcher.execute(ctx, argv, resolved);
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
    this.pubsub.unsubscribeAll(client);
    this.observers.clientReset(client);
    if (client.replica) this.replicas.detach(client);
    client.multi = null;
    this.clients.remove(client);
  }

  context(client: ClientState, signal: AbortSignal | null = null, deadlineMs = 0): CommandContext {
    return { client, server: this, signal, deadline: deadlineMs };
  }
}
