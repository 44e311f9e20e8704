/**
 * Clients blocked on keys (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX,
 * BZMPOP, XREAD, XREADGROUP): Redis's blocking_keys, ready_keys and handleClientsBlockedOnKeys,
 * one registry per server. A stream waiter is served only once its stream has entries past
 * its ID (`ready`), and an XREADGROUP waiter ends with an error when its key goes (`gone`).
 *
 * - A waiter waits on one or more keys of one database, in FIFO order per key.
 * - The keyspace change listener only marks a waited-on key ready (a list or sorted set was
 *   created there, or its database was swapped or flushed); it never serves from inside the
 *   change, where the writer is still half-way through its command.
 * - The dispatcher calls `serveReady` after each top-level command or EXEC (scripts later), and
 *   so serves what that command made ready before the next command runs, from any door. For
 *   each ready key, waiters whose type matches are served in the order they blocked while the
 *   key holds data: each re-runs its pop atomically through the engine (so WATCH, keyspace
 *   events and snapshots see it), and its promise resolves with the reply. A pop that pushes
 *   (BLMOVE) may make another key ready: the loop serves it too, as Redis does.
 * - A waiter also ends on its timeout, its context (the client going away, the request's
 *   deadline), CLIENT UNBLOCK, or shutdown.
 *
 * Every blocked client, on keys or not (WAIT), is registered by client id for CLIENT UNBLOCK
 * and counted in INFO `blocked_clients`.
 */
import type { ChangeKind, Keyspace } from '../engine/types.js';
import type { Collection } from '../engine/values/collection.js';
import { ErrorReply, Errors } from '../errors.js';
import { countBlocked } from './blocking.js';
import type { ClientState, CommandContext, ServerApi } from './context.js';
import type { Reply } from './reply.js';

/** setTimeout's largest delay; longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

export const unblockedError = new ErrorReply('UNBLOCKED', 'UNBLOCKED client unblocked via CLIENT UNBLOCK');

type CollectionClass = abstract new (...args: never[]) => Collection;

/** A blocked client as CLIENT UNBLOCK and shutdown see it. */
export interface Unblockable {
  /** CLIENT UNBLOCK id [TIMEOUT]: answer as if the timeout had passed. */
  timeout(): void;
  /** CLIENT UNBLOCK id ERROR, shutdown: answer this error. */
  fail(err: ErrorReply): void;
}

/** What a blocking command asks for. */
export interface BlockRequest {
  /** The keys to wait on (duplicates are fine), in the client's current database. */
  keys: readonly Buffer[];
  /** The waiter is served only when a key holds a value of this class. */
  type: CollectionClass;
  /** Milliseconds; 0 waits for ever. */
  timeoutMs: number;
  /** The reply when the timeout passes (Redis: the null array). */
  timeoutReply: Reply;
  /** Pop from `key`, which holds a non-empty value of `type`, and build the reply. */
  serve(key: Buffer): Reply;
  /**
   * Whether `value` (of `type`) at `key` can serve the waiter now; absent: any value of `type`
   * can (a non-empty list or sorted set). Streams wait for entries past an ID.
   */
  ready?(key: Buffer, value: Collection): boolean;
  /**
   * The reply that ends the wait when `key` is deleted or comes to hold another type (XREADGROUP
   * answers an error then); absent: the waiter keeps waiting.
   */
  gone?(key: Buffer): Reply;
}

interface Waiter {
  readonly req: BlockRequest;
  readonly ids: readonly string[];
  done: boolean;
  finish(reply: Reply): void;
  /** Run the serving pop as the waiting client's own command (what it causes follows its reply). */
  run<T>(fn: () => T): T;
}

interface KeyWaiters {
  readonly db: number;
  /** A private copy: argv may be a view into a parser's buffer. */
  readonly key: Buffer;
  readonly waiters: Set<Waiter>;
}

function keyId(db: number, key: Buffer): string {
  return `${db}\0${key.toString('latin1')}`;
}

function abortReply(signal: AbortSignal): ErrorReply {
  return (signal.reason as Error | undefined)?.name === 'TimeoutError' ? Errors.timeout : Errors.cancelled;
}

/**
 * An error a waiter ends with (WRONGTYPE when served, UNBLOCKED) counts as the dispatcher
 * counts the errors it returns, as Redis's updateStatsOnUnblock does: failed_calls of the
 * command, total_error_replies, errorstats. A client that went away is told nothing.
 */
function countFailure(server: ServerApi, command: string, err: ErrorReply): void {
  const stats = server.stats;
  const entry = stats.commands.get(command);
  if (entry !== undefined) entry.failed++;
  stats.errorReplies++;
  const sp = err.message.indexOf(' ');
  const prefix = sp < 0 ? err.message : err.message.slice(0, sp);
  stats.errors.set(prefix, (stats.errors.get(prefix) ?? 0) + 1);
}

export class BlockedKeys {
  /** Some waited-on key changed since the last serve: the dispatcher's one cheap check. */
  pending = false;
  private readonly byKey = new Map<string, KeyWaiters>();
  private ready = new Map<string, KeyWaiters>();
  private readonly byClient = new Map<number, Unblockable>();
  /** The handles of clients blocked on keys (not WAIT). */
  private readonly onKeys = new WeakSet<Unblockable>();
  private serving = false;
  private scheduled = false;
  /** Changes made now wake nobody (quietly). */
  private quiet = false;
  /** Blocked clients with a timeout (INFO clients `clients_in_timeout_table`). */
  timed = 0;

  constructor(private readonly keyspace: Keyspace) {}

  /** Keyspace change listener: marks waited-on keys ready. One size check when nobody waits. */
  readonly onChange = (db: number, key: Buffer | null, kind: ChangeKind): void => {
    if (this.byKey.size === 0) return;
    if (key === null) {
      // FLUSHDB / SWAPDB: every waited-on key of the database may hold something new.
      if (kind !== 'flush') return;
      for (const [id, kw] of this.byKey) if (kw.db === db) this.markReady(id, kw);
      return;
    }
    // A deletion wakes waiters that end when their key goes (XREADGROUP).
    if (this.quiet && kind === 'set') return;
    const id = keyId(db, key);
    const kw = this.byKey.get(id);
    if (kw !== undefined) this.markReady(id, kw);
  };

  /**
   * Run `fn`, whose changes to keys wake no waiter: the stream commands Redis does not signal
   * (XSETID, XGROUP SETID, XACK, XCLAIM, ...) change a key without making its waiters ready.
   */
  quietly<T>(fn: () => T): T {
    const was = this.quiet;
    this.quiet = true;
    try {
      return fn();
    } finally {
      this.quiet = was;
    }
  }

  private markReady(id: string, kw: KeyWaiters): void {
    if (!this.ready.has(id)) this.ready.set(id, kw);
    this.pending = true;
    // Every write goes through the dispatcher, which serves after it; this covers any change
    // that does not, once the current synchronous work is over.
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.serveLater);
    }
  }

  private readonly serveLater = (): void => {
    this.scheduled = false;
    if (this.pending) this.serveReady();
  };

  /** Serve the waiters of every ready key (Redis's handleClientsBlockedOnKeys). */
  serveReady(): void {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.ready.size > 0) {
        // Serving may mark keys ready again (BLMOVE's push): they go to a fresh batch.
        const batch = this.ready;
        this.ready = new Map();
        for (const kw of batch.values()) this.serveKey(kw);
      }
    } finally {
      this.serving = false;
      this.pending = this.ready.size > 0;
    }
  }

  private serveKey(kw: KeyWaiters): void {
    for (const w of [...kw.waiters]) {
      if (w.done) continue;
      const v = this.keyspace.get(kw.db, kw.key);
      // A waiter for another type stays blocked (Redis 7.0 skips it the same way), unless it
      // ends when its key goes.
      if (v === null || !(v instanceof w.req.type)) {
        if (w.req.gone !== undefined) w.finish(w.req.gone(kw.key));
        continue;
      }
      if (w.req.ready !== undefined && !w.req.ready(kw.key, v)) continue;
      let reply: Reply;
      try {
        reply = w.run(() => w.req.serve(kw.key));
      } catch (err) {
        reply = new ErrorReply(
          'INTERNAL',
          `ERR internal error serving a blocked client: ${(err as Error).message}`,
        );
      }
      w.finish(reply);
    }
  }

  /**
   * Block the calling client until `req` is served, times out, or its context ends. The
   * caller has checked the keys (none holds data) and that blocking is allowed here.
   */
  block(ctx: CommandContext, req: BlockRequest): Reply | Promise<Reply> {
    const signal = ctx.signal;
    if (signal?.aborted) return abortReply(signal);
    if (ctx.server.closing) return Errors.shuttingDown;
    const now = ctx.server.clock.now();
    const deadlineMs = ctx.deadline === 0 ? Number.POSITIVE_INFINITY : ctx.deadline - now;
    if (deadlineMs <= 0) return Errors.timeout;
    const waitMs = req.timeoutMs === 0 ? Number.POSITIVE_INFINITY : req.timeoutMs;
    const ms = Math.min(waitMs, deadlineMs);
    const expiredReply: Reply = waitMs <= deadlineMs ? req.timeoutReply : Errors.timeout;
    const client = ctx.client;
    const db = client.db;
    const clientId = client.id;
    const command = ctx.client.lastCommand;
    const server = ctx.server;
    const ids: string[] = [];
    for (const key of req.keys) {
      const id = keyId(db, key);
      if (!ids.includes(id)) ids.push(id);
    }
    return new Promise<Reply>((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const timed = ms !== Number.POSITIVE_INFINITY;
      const w: Waiter = {
        req,
        ids,
        done: false,
        finish: (reply) => {
          if (w.done) return;
          w.done = true;
          if (timer !== null) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.remove(w);
          if (this.byClient.get(clientId) === handle) this.byClient.delete(clientId);
          client.blocked = false;
          if (timed) this.timed--;
          countBlocked(server, -1);
          if (reply instanceof ErrorReply && reply !== Errors.cancelled) countFailure(server, command, reply);
          resolve(reply);
        },
        run: (fn) => {
          const go = server.observers.active ? () => server.observers.asClient(client, fn) : fn;
          // The serving pop reaches replicas on its own, as Redis propagates each served client.
          return server.propagation.active ? server.propagation.unit(go) : go();
        },
      };
      const handle: Unblockable = {
        timeout: () => w.finish(req.timeoutReply),
        fail: (err) => w.finish(err),
      };
      const onAbort = (): void => w.finish(abortReply(signal!));
      for (let i = 0; i < ids.length; i++) {
        let kw = this.byKey.get(ids[i]);
        if (kw === undefined) {
          const key = req.keys.find((k) => keyId(db, k) === ids[i])!;
          kw = { db, key: Buffer.from(key), waiters: new Set() };
          this.byKey.set(ids[i], kw);
        }
        kw.waiters.add(w);
      }
      this.byClient.set(clientId, handle);
      this.onKeys.add(handle);
      client.blocked = true;
      countBlocked(server, 1);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (!timed) return;
      this.timed++;
      const end = Date.now() + ms;
      const arm = (): void => {
        const left = end - Date.now();
        if (left <= 0) {
          w.finish(expiredReply);
          return;
        }
        timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
        timer.unref();
      };
      arm();
    });
  }

  private remove(w: Waiter): void {
    for (const id of w.ids) {
      const kw = this.byKey.get(id);
      if (kw === undefined) continue;
      kw.waiters.delete(w);
      if (kw.waiters.size === 0) {
        this.byKey.delete(id);
        this.ready.delete(id);
      }
    }
  }

  /** Register a client blocked on something other than keys (WAIT); returns the unregister. */
  register(client: ClientState, u: Unblockable): () => void {
    const id = client.id;
    this.byClient.set(id, u);
    client.blocked = true;
    return () => {
      client.blocked = false;
      if (this.byClient.get(id) === u) this.byClient.delete(id);
    };
  }

  /** CLIENT UNBLOCK: false when that client is not blocked. */
  unblock(clientId: number, error: boolean): boolean {
    const u = this.byClient.get(clientId);
    if (u === undefined) return false;
    if (error) u.fail(unblockedError);
    else u.timeout();
    return true;
  }

  /**
   * Shutdown: clients blocked on keys answer `err` now, since nothing may ever end their wait
   * and draining would hold for the whole grace period. WAIT, whose wait has its own end, is a
   * command in flight like any other and finishes within the grace period.
   */
  releaseKeyWaiters(err: ErrorReply): void {
    for (const u of [...this.byClient.values()]) if (this.onKeys.has(u)) u.fail(err);
  }

  /** Clients waiting on keys, for tests and INFO. */
  get waitingKeys(): number {
    return this.byKey.size;
  }
}
