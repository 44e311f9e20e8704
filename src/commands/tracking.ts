/**
 * Client-side caching (Redis's tracking.c): which clients may hold which keys in a local cache,
 * and the invalidation messages that tell them to drop a key.
 *
 * Default mode: the keys of every read-only command a tracking client runs are remembered in
 * one table, key -> client ids (keys of every database together, as in Redis). When a key
 * changes (any write, expiry, eviction), each client that read it gets one invalidation and the
 * key is forgotten, so it takes another read to be told again. FLUSHDB/FLUSHALL tell every
 * tracking client "everything" (a null) and empty the table.
 *
 * BCAST mode remembers nothing per client: each changed key is noted under every registered
 * prefix it starts with, and the notes are sent, sorted, once the event loop has run everything
 * it read (Redis sends them before it sleeps), one message per prefix per client.
 *
 * Invalidations go to the client itself (RESP3 push `invalidate`), to its REDIRECT client (a
 * RESP3 push, or for a RESP2 client in subscribed mode a `message` on `__redis__:invalidate`),
 * or nowhere (RESP2 without redirect). Delivery and "which client is running a command" belong
 * to the host (observers.ts), which keeps a client's own invalidations behind its reply.
 */
import type { ClientState, ServerApi } from './context.js';
import { PushReply, type Reply } from './reply.js';
import { type CommandSpec, keyIndexes } from './spec.js';

/** A client's CLIENT TRACKING state; `ClientState.tracking` is null while tracking is off. */
export interface TrackingState {
  /** Client id that receives this client's invalidations; 0 = none (the client itself). */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING YES (OPTIN) or NO (OPTOUT) was given for the next command. */
  caching: boolean;
  /** The redirect client is gone (TRACKINGINFO `broken_redirect`, CLIENT LIST flag `R`). */
  brokenRedirect: boolean;
  /** BCAST prefixes as latin1 strings (one char per byte); '' matches every key. */
  prefixes: Set<string>;
}

export interface TrackingOptions {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: readonly Buffer[];
}

/** What the tracking table needs from its host (the command observers). */
export interface TrackingHost {
  /** Send an out-of-band reply, after the current command's reply when `target` runs it. */
  deliver(target: ClientState, reply: Reply): void;
}

/** One BCAST prefix: the clients registered for it and the keys changed since the last send. */
interface Broadcast {
  readonly clients: Set<ClientState>;
  /** Key -> id of the client whose command changed it last (0: expiry, eviction), for NOLOOP. */
  keys: Map<string, number>;
}

const INVALIDATE = Buffer.from('invalidate');
const MESSAGE = Buffer.from('message');
const TRACKING_CHANNEL = Buffer.from('__redis__:invalidate');
const REDIR_BROKEN = Buffer.from('tracking-redir-broken');
/** Keys dropped per call when the table is over `tracking-table-max-keys`, times the calls in a row that ended over it. */
const LIMIT_EFFORT = 100;

export class Tracking {
  /** Clients with tracking on (INFO `tracking_clients`). */
  clients = 0;
  /** Key (latin1) -> ids of the clients that read it. Ids of gone clients are dropped lazily. */
  private readonly table = new Map<string, Set<number>>();
  /** Client ids across the whole table (INFO `tracking_total_items`). */
  private items = 0;
  private readonly prefixTable = new Map<string, Broadcast>();
  private broadcastScheduled = false;
  /** Calls in a row that ended still over the limit (Redis's timeout_counter). */
  private overLimitCalls = 0;

  constructor(
    private readonly server: ServerApi,
    private readonly host: TrackingHost,
  ) {}

  /** Turn tracking on, or change its options (Redis's enableTracking; the caller validated). */
  enable(c: ClientState, opts: TrackingOptions): void {
    let st = c.tracking;
    if (st === null) {
      st = {
        redirect: 0,
        bcast: false,
        optin: false,
        optout: false,
        noloop: false,
        caching: false,
        brokenRedirect: false,
        prefixes: new Set(),
      };
      c.tracking = st;
      this.clients++;
    }
    st.redirect = opts.redirect;
    st.brokenRedirect = false;
    st.bcast = opts.bcast;
    st.optin = opts.optin;
    st.optout = opts.optout;
    st.noloop = opts.noloop;
    if (opts.bcast) {
      if (opts.prefixes.length === 0) this.addPrefix(c, st, '');
      for (const p of opts.prefixes) this.addPrefix(c, st, p.toString('latin1'));
    }
  }

  /** Tracking off (CLIENT TRACKING OFF, RESET, the client closing). Its keys are dropped lazily. */
  disable(c: ClientState): void {
    const st = c.tracking;
    if (st === null) return;
    for (const p of st.prefixes) {
      const bs = this.prefixTable.get(p);
      if (bs === undefined) continue;
      bs.clients.delete(c);
      if (bs.clients.size === 0) this.prefixTable.delete(p);
    }
    c.tracking = null;
    this.clients--;
  }

  private addPrefix(c: ClientState, st: TrackingState, prefix: string): void {
    let bs = this.prefixTable.get(prefix);
    if (bs === undefined) {
      bs = { clients: new Set(), keys: new Map() };
      this.prefixTable.set(prefix, bs);
    }
    bs.clients.add(c);
    st.prefixes.add(prefix);
  }

  /**
   * After a read-only command of a tracking client (not BCAST): remember its keys for it
   * (Redis's trackingRememberKeys), unless OPTIN without CACHING YES or OPTOUT with CACHING NO.
   */
  remember(c: ClientState, spec: CommandSpec, argv: readonly Buffer[]): void {
    const st = c.tracking;
    if (st === null || st.bcast) return;
    if ((st.optin && !st.caching) || (st.optout && st.caching)) return;
    for (const i of keyIndexes(spec, argv)) {
      const key = argv[i].toString('latin1');
      let ids = this.table.get(key);
      if (ids === undefined) {
        ids = new Set();
        this.table.set(key, ids);
      }
      if (!ids.has(c.id)) {
        ids.add(c.id);
        this.items++;
      }
    }
  }

  /** Cheap test for the keyspace listener: nothing can be invalidated. */
  get idle(): boolean {
    return this.table.size === 0 && this.prefixTable.size === 0;
  }

  /**
   * A key changed (Redis's trackingInvalidateKey): note it for the BCAST prefixes it matches,
   * and tell every client that read it, except a NOLOOP client that changed it itself; then
   * forget it. `modifier` is the id of the client whose command changed it (0: expiry,
   * eviction; a script's commands count as its caller's, which has the same id).
   */
  invalidateKey(key: string, modifier: number, bcast = true): void {
    if (bcast && this.prefixTable.size > 0) this.noteForBroadcast(key, modifier);
    const ids = this.table.get(key);
    if (ids === undefined) return;
    const clients = this.server.clients;
    let keys: Reply[] | null = null;
    for (const id of ids) {
      const target = clients.get(id);
      const st = target?.tracking;
      // A client that switched to BCAST since it read the key is not told in default mode.
      if (target === undefined || st == null || st.bcast) continue;
      if (st.noloop && target.id === modifier) continue;
      keys ??= [Buffer.from(key, 'latin1')];
      this.send(target, keys);
    }
    this.items -= ids.size;
    this.table.delete(key);
  }

  /**
   * A database was flushed (FLUSHDB, FLUSHALL): every tracking client is told "all keys" with a
   * null, once per command, and the table is emptied (Redis's trackingInvalidateKeysOnFlush).
   */
  invalidateAll(): void {
    if (this.clients > 0) {
      for (const c of this.server.clients.list()) if (c.tracking !== null) this.send(c, null);
    }
    this.table.clear();
    this.items = 0;
  }

  /**
   * Redis's sendTrackingMessage: to the client in RESP3, to its redirect client in RESP3 or,
   * for a RESP2 redirect client in subscribed mode, as a `__redis__:invalidate` message. A
   * redirect client that is gone is reported to a RESP3 client instead (tracking-redir-broken).
   */
  private send(c: ClientState, keys: Reply[] | null): void {
    const st = c.tracking!;
    let target = c;
    if (st.redirect !== 0) {
      const redir = this.server.clients.get(st.redirect);
      if (redir === undefined) {
        st.brokenRedirect = true;
        if (c.resp === 3) this.host.deliver(c, new PushReply([REDIR_BROKEN, st.redirect]));
        return;
      }
      target = redir;
    }
    if (target.resp === 3) this.host.deliver(target, new PushReply([INVALIDATE, keys]));
    else if (st.redirect !== 0 && target.pubsub !== null)
      this.host.deliver(target, new PushReply([MESSAGE, TRACKING_CHANNEL, keys]));
  }

  // ---- BCAST --------------------------------------------------------------------------------

  private noteForBroadcast(key: string, modifier: number): void {
    let noted = false;
    for (const [prefix, bs] of this.prefixTable) {
      if (!key.startsWith(prefix)) continue;
      bs.keys.set(key, modifier);
      noted = true;
    }
    if (noted && !this.broadcastScheduled) {
      this.broadcastScheduled = true;
      setImmediate(this.broadcast);
    }
  }

  /**
   * Send the keys noted under each prefix to its clients (Redis's
   * trackingBroadcastInvalidationMessages): prefixes and keys in byte order, a NOLOOP client
   * without the keys it changed itself (nothing when that leaves none).
   */
  readonly broadcast = (): void => {
    this.broadcastScheduled = false;
    const prefixes = [...this.prefixTable.keys()].sort(byteOrder);
    for (const prefix of prefixes) {
      const bs = this.prefixTable.get(prefix)!;
      if (bs.keys.size === 0) continue;
      const noted = bs.keys;
      bs.keys = new Map();
      const names = [...noted.keys()].sort(byteOrder);
      const all = names.map((k) => Buffer.from(k, 'latin1'));
      for (const c of bs.clients) {
        if (c.tracking === null) continue;
        if (!c.tracking.noloop) {
          this.send(c, all);
          continue;
        }
        const mine: Reply[] = [];
        for (let i = 0; i < names.length; i++) if (noted.get(names[i]) !== c.id) mine.push(all[i]);
        if (mine.length > 0) this.send(c, mine);
      }
    }
  };

  // ---- bounds and figures -------------------------------------------------------------------

  /**
   * Keep the table within `tracking-table-max-keys` (Redis's trackingLimitUsedSlots): over it,
   * keys are invalidated and forgotten as if changed, oldest first, with an effort that grows
   * while the table stays over the limit from one call to the next.
   */
  limit(): void {
    const max = this.server.config.int('tracking-table-max-keys');
    if (max === 0 || this.table.size <= max) {
      this.overLimitCalls = 0;
      return;
    }
    let effort = LIMIT_EFFORT * (this.overLimitCalls + 1);
    for (const key of this.table.keys()) {
      if (effort-- === 0) break;
      this.invalidateKey(key, 0, false);
      if (this.table.size <= max) {
        this.overLimitCalls = 0;
        return;
      }
    }
    this.overLimitCalls++;
  }

  /** INFO stats `tracking_total_keys`, `tracking_total_items`, `tracking_total_prefixes`. */
  figures(): { keys: number; items: number; prefixes: number } {
    return { keys: this.table.size, items: this.items, prefixes: this.prefixTable.size };
  }
}

/** Latin1 strings compare char by char as their bytes do (memcmp order, as Redis's radix tree). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
