/**
 * What a command handler can see: the calling client's session and the server's services.
 * The server layer implements `ServerApi`; commands only depend on these interfaces, so the
 * command layer never imports a door or the lifecycle code.
 */
import type { ConfigStore } from '../config/store.js';
import type { Clock } from '../engine/clock.js';
import type { ChangeListener, Keyspace } from '../engine/types.js';
import type { LatencyMonitor } from '../observability/latency-monitor.js';
import type { SlowLog } from '../observability/slowlog.js';
import type { ScriptEngine } from '../scripting/engine.js';
import type { Acl } from '../security/acl.js';
import type { AclUser } from '../security/acl-user.js';
import type { BlockedKeys } from './blocked-keys.js';
import type { CollectionScans } from './families/collection-scan.js';
import type { CommandObservers } from './observers.js';
import type { ClientPause } from './pause.js';
import type { PubSubApi, PubSubSubscriber } from './pubsub/types.js';
import type { CommandStats, CommandTable, TableEntry } from './registry.js';
import type { ReplicaFeeds } from './replication/feed.js';
import type { Propagation } from './replication/propagate.js';
import type { Reply } from './reply.js';
import type { CommandSpec } from './spec.js';
import type { TrackingState } from './tracking.js';

export type Door = 'resp' | 'http' | 'grpc';

/**
 * Per-client session state. One per RESP connection; one per HTTP request or gRPC call. A client
 * is a pub/sub subscriber (`pubsub` non-null while it holds a subscription; `deliver` pushes).
 */
export interface ClientState extends PubSubSubscriber {
  readonly id: number;
  readonly door: Door;
  /** Remote and local address as `ip:port`. */
  readonly addr: string;
  readonly laddr: string;
  readonly createdAt: number;
  db: number;
  resp: 2 | 3;
  name: string;
  libName: string;
  libVer: string;
  authenticated: boolean;
  /** Name of the ACL user this client runs as (`acl.name`). */
  readonly user: string;
  /** The ACL user itself (its permissions change in place with ACL SETUSER). */
  acl: AclUser;
  /**
   * Credentials were presented (AUTH, HELLO AUTH, an Authorization header, gRPC metadata).
   * HTTP and gRPC requests without them never reach admin commands, even as an open default user.
   */
  credentialed: boolean;
  /** Queued commands while in MULTI; null outside a transaction. */
  multi: Buffer[][] | null;
  /** A queued command was rejected: EXEC answers EXECABORT. */
  multiError: boolean;
  /** Keys this client WATCHes (db + key), managed by the WatchRegistry. */
  watching: Set<string> | null;
  /** A watched key changed: EXEC answers the null array. */
  watchDirty: boolean;
  replyMode: 'on' | 'off' | 'skip';
  noEvict: boolean;
  /** Inside a blocking command (BLPOP, WAIT, ...): CLIENT LIST flag `b`. */
  blocked: boolean;
  /**
   * Set by EXEC while it runs a queued command: pub/sub messages delivered to this client meanwhile
   * are kept here, and EXEC writes them inside its reply, before that command's reply, where
   * Redis 7.0 writes them. Null otherwise (messages are pushed at once).
   */
  execPushes: Reply[] | null;
  lastInteraction: number;
  lastCommand: string;
  /** CLIENT TRACKING state; null while tracking is off (see tracking.ts). */
  tracking: TrackingState | null;
  /** Replies to this client may hold BulkStringsReply (set by the RESP door, whose encoder writes it). */
  rawBulks?: boolean;
  /** In MONITOR mode (CLIENT LIST flag `O`). */
  monitor: boolean;
  /** A replica: it sent SYNC/PSYNC and is fed the replication stream (CLIENT LIST flag `S`). */
  replica: boolean;
  /**
   * Out-of-band replies this client's own command caused (an invalidation of a key it changed,
   * its own MONITOR line): the door writes them right after that command's reply, as Redis
   * orders them. Null when none (see observers.ts).
   */
  deferredPushes: Reply[] | null;
  /** Close the client's connection after pending replies are written (QUIT, CLIENT KILL). */
  close(): void;
  /** Figures for CLIENT LIST / CLIENT INFO (query buffer, output buffer). */
  bufferStats(): { qbuf: number; qbufFree?: number; rbs?: number; rbp?: number; obl: number; omem: number };
  /**
   * Send an out-of-band reply now (a pub/sub message, a tracking invalidation, a MONITOR line),
   * between or during ordinary replies. False when this client cannot receive one (a plain HTTP
   * request or unary gRPC call) or is gone.
   */
  push(reply: Reply): boolean;
}

/** Every client known to the server, for CLIENT LIST / KILL and INFO clients. */
export interface ClientRegistry {
  list(): Iterable<ClientState>;
  get(id: number): ClientState | undefined;
  count(door?: Door): number;
}

/** WATCH bookkeeping: a change to a watched key marks every watcher dirty. */
export interface WatchRegistry {
  /** `stale`: the key is logically expired but not yet deleted (Redis's watchedKey.expired). */
  watch(client: ClientState, db: number, key: Buffer, stale?: boolean): void;
  unwatchAll(client: ClientState): void;
  /** Before FLUSHDB/FLUSHALL/SWAPDB: fail the watches of keys that exist in `db` (or `other`). */
  touchDb(keyspace: Keyspace, db: number, other?: number | null): void;
}

/** Counters reported by INFO stats and reset by CONFIG RESETSTAT. */
export interface ServerStats {
  totalCommands: number;
  totalConnections: number;
  rejectedConnections: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  evictedKeys: number;
  netInputBytes: number;
  netOutputBytes: number;
  errorReplies: number;
  /** Values UNLINK and asynchronous flushes dropped that Redis frees in the background (INFO). */
  lazyfreedObjects: number;
  /** Per command (`get`, `client|list`): calls, microseconds, failed calls. */
  commands: Map<string, CommandStats>;
  /** Commands executed per door. */
  commandsByDoor: Record<Door, number>;
  errors: Map<string, number>;
  reset(): void;
}

/**
 * Fan-out of keyspace changes (the engine has one listener slot). Subscribers: WATCH, gRPC
 * Watch streams, snapshots, stats. Listeners run synchronously on the writer's path: keep
 * them cheap and never call back into the keyspace.
 */
export interface KeyspaceEvents {
  subscribe(listener: ChangeListener): () => void;
}

/**
 * Keyspace notification classes (`notify-keyspace-events` letters): g generic, $ string, l list,
 * s set, h hash, z sorted set, x expired, e evicted, t stream, m key miss, n new key.
 */
export type NotifyClass = 'g' | '$' | 'l' | 's' | 'h' | 'z' | 'x' | 'e' | 't' | 'm' | 'n';

/**
 * Hears a keyspace notification as a command reports it (`hset`, `del`, `rename_from`, ...),
 * whatever `notify-keyspace-events` publishes. Runs on the writer's path: keep it cheap.
 */
export type NotifyListener = (event: string, key: Buffer, db: number) => void;

/** Pub/sub shared by every door: the hub's API and its subscribers (see pubsub/types.ts). */
export type {
  PubSubApi,
  PubSubMessage,
  PubSubSubscriber,
  SubKind,
  Subscriptions,
} from './pubsub/types.js';

/** Extra INFO sections contributed by other layers (persistence, doors). */
export type InfoSection = () => Array<[string, string | number]>;

export interface ServerApi {
  readonly keyspace: Keyspace;
  readonly clock: Clock;
  readonly config: ConfigStore;
  readonly clients: ClientRegistry;
  readonly watches: WatchRegistry;
  readonly events: KeyspaceEvents;
  /** Clients blocked on keys (BLPOP, BZPOPMIN, ...) and every blocked client for CLIENT UNBLOCK. */
  readonly blockedKeys: BlockedKeys;
  /** Client tracking (CLIENT TRACKING) and MONITOR, fed by the dispatcher while active. */
  readonly observers: CommandObservers;
  /** What writes propagate to replicas (recorded only while one is attached). */
  readonly propagation: Propagation;
  /** The connections fed the replication stream (SYNC/PSYNC). */
  readonly replicas: ReplicaFeeds;
  readonly stats: ServerStats;
  /** The command table (for COMMAND and docs). */
  readonly commands: ReadonlyMap<string, CommandSpec>;
  readonly table: CommandTable;
  /** Commands slower than `slowlog-log-slower-than` (SLOWLOG). */
  readonly slowlog: SlowLog;
  /**
   * Move the RESP door's plaintext listeners to `bind` / `port` (CONFIG SET port, bind);
   * resolves with the port bound. Null when no RESP door listens (tests, HTTP-only servers).
   */
  rebindResp: ((bind: string, port: number) => Promise<number>) | null;
  /** CLIENT PAUSE: commands wait while it is in force (see pause.ts). */
  readonly pause: ClientPause;
  /** Latency spikes over latency-monitor-threshold, by event (LATENCY). */
  readonly latency: LatencyMonitor;
  /** Users and permissions, shared by every door. */
  readonly acl: Acl;
  /** Channels, patterns and shard channels of every client on every door. */
  readonly pubsub: PubSubApi;
  /**
   * Keyspace notification (Redis's notifyKeyspaceEvent): published on `__keyspace@<db>__:<key>`
   * and `__keyevent@<db>__:<event>` when `notify-keyspace-events` enables `type`. Cheap when off.
   */
  notify(type: NotifyClass, event: string, key: Buffer, db: number): void;
  /**
   * True when `notify` would publish an event of class `type`: lets a handler skip work only a
   * notification needs (the existence check behind `new`).
   */
  notifies(type: NotifyClass): boolean;
  /**
   * Hear every notification `notify` is given, published or not (gRPC Watch names its events
   * with them). Returns the function that stops listening.
   */
  onNotify(listener: NotifyListener): () => void;
  /** Lua scripts and functions (EVAL, FCALL, SCRIPT, FUNCTION) and the BUSY state. */
  readonly scripting: ScriptEngine;
  /** Live HSCAN/SSCAN/ZSCAN iterations of large collections, by cursor. */
  readonly collectionScans: CollectionScans;
  readonly startedAt: number;
  readonly runId: string;
  readonly version: string;
  /** Ports of the doors actually listening (INFO server). */
  readonly ports: { resp: number; http: number; grpc: number; tlsResp: number };
  /** Dataset is being loaded from a snapshot. */
  readonly loading: boolean;
  /** Shutdown has begun. */
  readonly closing: boolean;
  /** Unix ms of the last successful snapshot (LASTSAVE); the start time when none. */
  lastSave(): number;
  /** Changes since the last snapshot (INFO persistence). */
  dirty: number;
  /** The background expiry cycle runs (DEBUG SET-ACTIVE-EXPIRE 0 turns it off, as in Redis). */
  activeExpire: boolean;
  /** DEBUG PAUSE-CRON 1: the periodic work (active expiry, tracking table limit) is skipped. */
  pauseCron: boolean;
  /** DEBUG REPLYBUFFER: peak reset period (ms, -1 never) and resizing of the modelled reply buffer. */
  readonly replyBuffer: { peakResetMs: number; resizing: boolean };
  /** Named INFO sections beyond the built-in ones. */
  readonly infoSections: Map<string, InfoSection>;
  /** Ask the server to shut down (SHUTDOWN); resolves when the request is accepted. */
  shutdown(opts: { save: boolean | null; now: boolean; force: boolean }): Promise<Reply>;
  /** Take a snapshot now; background=true answers at once (BGSAVE). */
  save(background: boolean): Promise<Reply>;
  /**
   * Run one command for a client (used by EXEC for queued commands). `resolved`: the entry the
   * dispatcher's resolve(argv) gave, when the caller has it already (redis.call from scripts).
   */
  execute(ctx: CommandContext, argv: Buffer[], resolved?: TableEntry): Reply | Promise<Reply>;
}

/** One command invocation's context. Doors may reuse one object per client. */
export interface CommandContext {
  readonly client: ClientState;
  readonly server: ServerApi;
  /** Cancelled when the client goes away or the request is cancelled; null when not cancellable. */
  signal: AbortSignal | null;
  /** Unix ms after which the command should give up; 0 = none. */
  deadline: number;
  /** A command run by a script (redis.call): not refused as BUSY, memory checked at the start. */
  readonly fromScript?: boolean;
}
