/**
 * Replica feeds: the connections that sent SYNC or PSYNC. Once a connection has its RDB image
 * it is a replica (CLIENT LIST flag S, INFO replication `slaveN:`), and every write the server
 * propagates (propagate.ts) reaches it as RESP commands, as Redis 7.0's replicationFeedSlaves
 * writes them:
 *
 * - one stream for every replica: `SELECT <db>` goes out when a command's database differs from
 *   the last one sent (the first command after a new replica attached always selects);
 * - a unit of several commands inside `MULTI` ... `EXEC`, the MULTI in the first command's
 *   database;
 * - `ping` every `repl-ping-replica-period` seconds while a replica is attached, in whatever
 *   database was last selected.
 *
 * Each replica's pending output is bounded by the `replica` class of client-output-buffer-limit
 * (the RESP door drops a replica past it). `master_repl_offset` counts the bytes fed.
 */
import type { ConfigStore } from '../../config/store.js';
import type { ClientState, KeyspaceEvents } from '../context.js';
import { RawReply } from '../reply.js';
import { encodeCommand, type PropagatedOp, Propagation } from './propagate.js';
import type { MasterLink } from './role.js';

const MULTI_WIRE = encodeCommand(['MULTI']);
const EXEC_WIRE = encodeCommand(['EXEC']);
const PING_WIRE = encodeCommand(['ping']);
/** Redis's replicationCron period. */
const CRON_MS = 1000;
const MS_PER_S = 1000;

interface Feed {
  readonly client: ClientState;
  /** What the replica announced with REPLCONF listening-port / ip-address. */
  readonly announced: Announced;
  /** Largest offset it acknowledged (REPLCONF ACK). */
  ackOffset: number;
  /** Unix ms of its last acknowledgement, or of its coming online (INFO `lag`). */
  ackTime: number;
}

interface Announced {
  port: number;
  ip: string | null;
}

/** What the feeds need from the server. */
export interface FeedHost {
  readonly config: ConfigStore;
  readonly events: KeyspaceEvents;
  readonly clock: { now(): number };
}

export class ReplicaFeeds {
  readonly propagation: Propagation;
  /** In the order they attached (Redis's server.slaves). */
  private readonly feeds = new Map<number, Feed>();
  /** The database the stream last selected; -1 forces a SELECT. */
  private seldb = -1;
  /** Bytes of replication stream produced (INFO master_repl_offset). */
  offset = 0;
  /** master_repl_offset when the first replica attached (the backlog's start); -1 before. */
  private backlogStart = -1;
  /** REPLCONF before SYNC/PSYNC: what a connection said about itself. */
  private readonly announcements = new WeakMap<ClientState, Announced>();
  /** The master REPLICAOF named (role.ts); null while this server is a master. */
  following: MasterLink | null = null;
  private cron: NodeJS.Timeout | null = null;
  private cronLoops = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly host: FeedHost) {
    this.propagation = new Propagation(
      (ops, transaction) => this.send(ops, transaction),
      (expired) =>
        host.config.bool(expired ? 'lazyfree-lazy-expire' : 'lazyfree-lazy-eviction') ? 'UNLINK' : 'DEL',
    );
  }

  get count(): number {
    return this.feeds.size;
  }

  /** The connection got its RDB image: from now on it is fed every propagated write. */
  attach(client: ClientState): void {
    if (client.replica) return;
    client.replica = true;
    const announced = this.announcements.get(client) ?? { port: 0, ip: null };
    this.feeds.set(client.id, { client, announced, ackOffset: 0, ackTime: this.host.clock.now() });
    // Redis resets slaveseldb when a replica starts a full sync: the next command selects.
    this.seldb = -1;
    if (this.backlogStart < 0) this.backlogStart = this.offset;
    if (this.propagation.active) return;
    this.propagation.active = true;
    this.unsubscribe = this.host.events.subscribe(this.propagation.onChange);
    this.cronLoops = 0;
    this.cron = setInterval(this.tick, CRON_MS);
    this.cron.unref();
  }

  /** The replica's connection closed (or could not take more output). */
  detach(client: ClientState): void {
    if (!this.feeds.delete(client.id)) return;
    client.replica = false;
    if (this.feeds.size > 0) return;
    this.propagation.active = false;
    this.propagation.reset();
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.cron !== null) clearInterval(this.cron);
    this.cron = null;
  }

  /** REPLCONF listening-port / ip-address, remembered for INFO and ROLE. */
  announce(client: ClientState, what: Partial<Announced>): void {
    let a = this.announcements.get(client);
    if (a === undefined) {
      a = { port: 0, ip: null };
      this.announcements.set(client, a);
    }
    Object.assign(a, what);
  }

  /** REPLCONF ACK <offset> from a replica. */
  ack(client: ClientState, offset: number): void {
    const f = this.feeds.get(client.id);
    if (f === undefined) return;
    if (offset > f.ackOffset) f.ackOffset = offset;
    f.ackTime = this.host.clock.now();
  }

  /** Stop the ping timer (shutdown). */
  close(): void {
    for (const f of [...this.feeds.values()]) this.detach(f.client);
  }

  /**
   * REPLICAOF host port (null: NO ONE). Becoming a replica disconnects this server's own
   * replicas, as Redis does (they would have to resync with the new history).
   */
  follow(link: MasterLink | null): void {
    this.following = link;
    if (link === null) return;
    for (const f of [...this.feeds.values()]) {
      this.detach(f.client);
      f.client.close();
    }
  }

  /** ROLE's list of replicas: [ip, port, acknowledged offset] each. */
  roleReplicas(): Buffer[][] {
    return [...this.feeds.values()].map((f) => [
      Buffer.from(f.announced.ip ?? ipOf(f.client.addr)),
      Buffer.from(String(f.announced.port)),
      Buffer.from(String(f.ackOffset)),
    ]);
  }

  /** One unit of propagated commands, in order, to every replica. */
  private send(ops: readonly PropagatedOp[], transaction: boolean): void {
    const parts: Buffer[] = [];
    if (transaction) {
      this.select(parts, ops[0].db);
      parts.push(MULTI_WIRE);
    }
    for (const op of ops) {
      this.select(parts, op.db);
      parts.push(op.wire);
    }
    if (transaction) parts.push(EXEC_WIRE);
    this.write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
  }

  private select(parts: Buffer[], db: number): void {
    if (db === this.seldb) return;
    parts.push(encodeCommand(['SELECT', String(db)]));
    this.seldb = db;
  }

  private write(bytes: Buffer): void {
    this.offset += bytes.length;
    const raw = new RawReply(bytes);
    for (const f of this.feeds.values()) if (!f.client.push(raw)) this.detach(f.client);
  }

  /** Redis's replicationCron: a PING every repl-ping-replica-period seconds. */
  private readonly tick = (): void => {
    this.cronLoops++;
    const period = Math.max(1, this.host.config.int('repl-ping-replica-period'));
    if (this.cronLoops % period === 0 && this.feeds.size > 0) this.write(PING_WIRE);
  };

  // ---- INFO replication ----------------------------------------------------------------------

  /** `slaveN:` lines: announced address (else the connection's), acknowledged offset, lag. */
  replicaLines(now: number): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    let i = 0;
    for (const f of this.feeds.values()) {
      const ip = f.announced.ip ?? ipOf(f.client.addr);
      const lag = Math.max(0, Math.floor((now - f.ackTime) / MS_PER_S));
      out.push([
        `slave${i++}`,
        `ip=${ip},port=${f.announced.port},state=online,offset=${f.ackOffset},lag=${lag}`,
      ]);
    }
    return out;
  }

  /** repl_backlog_* fields: the backlog exists once a replica attached (Redis's createReplicationBacklog). */
  backlog(size: number): { active: number; firstByte: number; histlen: number } {
    if (this.backlogStart < 0) return { active: 0, firstByte: 0, histlen: 0 };
    const histlen = Math.min(size, this.offset - this.backlogStart);
    return { active: 1, firstByte: this.offset - histlen + 1, histlen };
  }
}

/** The IP of an `ip:port` / `[ipv6]:port` address. */
function ipOf(addr: string): string {
  return addr.startsWith('[') ? addr.slice(1, addr.lastIndexOf(']')) : addr.slice(0, addr.lastIndexOf(':'));
}
