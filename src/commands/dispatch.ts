/**
 * The dispatcher: the one place where shared policy runs, driven by each spec's flags, before
 * any handler (Redis's processCommand). Handlers never re-check arity, auth, transactions,
 * loading or out-of-memory.
 */
import { ErrorReply, Errors } from '../errors.js';
import { LatencyHistogram } from '../observability/latency-histogram.js';
import { type Denial, deniedChannel } from '../security/acl.js';
import { KEY_READ, KEY_WRITE } from '../security/acl-user.js';
import { blockingDenied } from './blocking.js';
import type { CommandContext, Door } from './context.js';
import { clientInfoLine } from './families/client-info.js';
import { makeRoom } from './memory-limit.js';
import {
  type CommandTable,
  F_ALLOW_BUSY,
  F_ALWAYS_TIME,
  F_DANGEROUS,
  F_DENYOOM,
  F_LOADING,
  F_NO_MULTI,
  F_NO_QUEUE,
  F_NOAUTH,
  F_PUBSUB_CONTEXT,
  F_SKIP_SLOWLOG,
  F_WRITE,
  type TableEntry,
} from './registry.js';
import { replicaRefusal } from './replication/role.js';
import { QUEUED, type Reply } from './reply.js';
import { keyIndexes } from './spec.js';

/** Redis caps the echoed arguments of an unknown command at 128 characters. */
const UNKNOWN_ARGS_MAX_CHARS = 128;
const MAX_NAME_BYTES = 64;
/** ASCII names this long or shorter pack into one exact integer (7 x 7 bits and the length < 2^53). */
const SHORT_NAME_BYTES = 7;

/**
 * Optional per-command observation (metrics): called after each executed command. `weight` is
 * how many calls this timing stands for (0: not timed, `ms` is 0); see LATENCY_SAMPLE.
 */
export type CommandObserver = (
  entry: TableEntry,
  door: Door,
  ms: number,
  failed: boolean,
  weight: number,
) => void;

/**
 * Two clock reads cost about 130 ns, more than a whole GET on the keyspace, so a busy
 * single-key command (or a fast keyless one such as PING) is timed once every LATENCY_SAMPLE
 * calls and that timing is weighted; its first LATENCY_EXACT_CALLS calls are all timed. Every
 * other command (KEYS, MGET, FLUSHALL, CONFIG, ...: the ones that can be slow) is timed on every
 * call. Call counts stay exact; INFO commandstats `usec` and latencystats are unbiased
 * estimates, and SLOWLOG sees every slow call of the always-timed commands and 1 in
 * LATENCY_SAMPLE of the others.
 */
const LATENCY_SAMPLE = 16;
const LATENCY_EXACT_CALLS = 1024;

export class Dispatcher {
  /** Set by the lifecycle when metrics are on. */
  observer: CommandObserver | null = null;
  /** Exact spelling as sent -> entry, so `GET`, `get`, `Get` each lowercase once. */
  private readonly byExactName = new Map<string, TableEntry>();
  /** The same for names of up to SHORT_NAME_BYTES, keyed by length and bytes as one number. */
  private readonly byShortName = new Map<number, TableEntry>();
  private lastShortCode = -1;
  private lastShortEntry: TableEntry | null = null;
  /** Handlers running (EXEC and scripts run commands inside their own). */
  private depth = 0;

  constructor(readonly table: CommandTable) {}

  /** Find the entry (command, or subcommand of a container) for argv, or the error to reply. */
  resolve(argv: Buffer[]): TableEntry | ErrorReply {
    const raw = argv[0];
    const n = raw.length;
    let entry: TableEntry | undefined;
    // Most names (GET, SET, HSET, LPUSH, PUBLISH, ...) are short: look them up by their bytes
    // packed into one number (7 bits each: command names are ASCII), without making a string.
    let code = n;
    let bits = n <= SHORT_NAME_BYTES ? 0 : 128;
    if (bits === 0) {
      for (let i = 0; i < n; i++) {
        const c = raw[i];
        code = code * 128 + (c & 127);
        bits |= c;
      }
    }
    if (bits < 128) {
      // A pipeline mostly repeats one command: the last short name found skips the Map.
      entry = code === this.lastShortCode ? this.lastShortEntry! : this.byShortName.get(code);
      if (entry === undefined) {
        entry = this.table.entries.get(raw.toString('latin1').toLowerCase());
        if (entry === undefined) return unknownCommand(argv);
        if (this.byShortName.size < 4096) this.byShortName.set(code, entry);
      }
      this.lastShortCode = code;
      this.lastShortEntry = entry;
    } else {
      const exact = n <= MAX_NAME_BYTES ? raw.toString('latin1') : '';
      entry = this.byExactName.get(exact);
      if (entry === undefined) {
        entry = this.table.entries.get(exact.toLowerCase());
        if (entry === undefined) return unknownCommand(argv);
        if (this.byExactName.size < 4096) this.byExactName.set(exact, entry);
      }
    }
    if (entry.subs !== null) {
      if (argv.length >= 2) {
        const sub = entry.subs.get(argv[1].toString('latin1').toLowerCase());
        if (sub === undefined) {
          return Errors.unknownSubcommand(
            sanitize(argv[1].toString('utf8'), 128),
            entry.fullName.toUpperCase(),
          );
        }
        entry = sub;
      } else if (entry.spec.handler === undefined) {
        // Only a container with a handler of its own (COMMAND) runs without a subcommand.
        return Errors.wrongArity(entry.fullName);
      }
    }
    const arity = entry.spec.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity)
      return Errors.wrongArity(entry.fullName);
    return entry;
  }

  /**
   * Run one command with every check. Returns the reply (a promise only for waiting commands).
   * `resolved`: what resolve(argv) returned, when the caller resolved already (scripts do).
   */
  execute(ctx: CommandContext, argv: Buffer[], resolved?: TableEntry): Reply | Promise<Reply> {
    const client = ctx.client;
    const server = ctx.server;
    // The Lua VM is starting for a script that arrived first: wait for it, as in Redis nothing
    // is read while that script runs (ScriptEngine.startThen).
    const gate = server.scripting.gate;
    if (gate !== null && ctx.fromScript !== true && !blockingDenied()) {
      const copy = argv.map((a) => Buffer.from(a));
      return gate.then(() => this.execute(ctx, copy, resolved));
    }
    const entry = resolved ?? this.resolve(argv);
    if (entry instanceof ErrorReply) {
      if (client.multi !== null) client.multiError = true;
      return this.fail(ctx, entry);
    }
    const flags = entry.flagBits;
    if (!client.authenticated && (flags & F_NOAUTH) === 0) return this.reject(ctx, entry, Errors.noAuth);
    if (!client.acl.unrestricted) {
      const denied = server.acl.check(client.acl, entry, argv);
      if (denied !== null) return this.deny(ctx, entry, argv, denied);
    }
    if ((flags & F_DANGEROUS) !== 0 && !client.credentialed && client.door !== 'resp')
      return this.reject(ctx, entry, adminNeedsCredentials(entry));
    // RESP2 subscribed mode: only the (un)subscribe commands, PING, QUIT and RESET (RESP3 has no
    // limit). A top-level check, as in Redis: commands EXEC or a script runs are not refused.
    if (client.pubsub !== null && client.resp === 2 && (flags & F_PUBSUB_CONTEXT) === 0 && !blockingDenied())
      return this.reject(ctx, entry, subscribedMode(entry));
    // A script past busy-reply-threshold: only allow-busy commands run (the script's own go on).
    const busy = server.scripting.busy;
    if (busy !== null && (flags & F_ALLOW_BUSY) === 0 && ctx.fromScript !== true)
      return this.reject(ctx, entry, busy);
    // Out of memory, checked before queuing as Redis does: inside MULTI every command but
    // EXEC/DISCARD/QUIT/RESET is refused (a queue must not grow without bound) and the
    // transaction fails. Scripts check once when they start; EXEC checks its queue (transactions.ts).
    if (ctx.fromScript !== true && !blockingDenied()) {
      const max = server.config.int('maxmemory');
      const queuing = client.multi !== null && (flags & F_NO_QUEUE) === 0;
      // Every command evicts down to maxmemory first (Redis's performEvictions in processCommand);
      // only those that may grow memory are refused when that fails.
      if (max > 0 && !makeRoom(server, max) && ((flags & F_DENYOOM) !== 0 || queuing)) {
        if (queuing) client.multiError = true;
        return this.reject(ctx, entry, Errors.oom);
      }
      // min-replicas-to-write: Cairn's replicas never acknowledge, so a positive value refuses writes.
      if (server.config.int('min-replicas-to-write') > 0 && this.writes(entry, client.multi))
        return this.reject(ctx, entry, noReplicas);
      // A replica (REPLICAOF): READONLY for writes, MASTERDOWN without `stale` (replication/role.ts).
      if (server.replicas.following !== null) {
        const writes = this.writes(entry, client.multi);
        const refused = replicaRefusal(server.config, entry, client.multi, writes, (a) => this.resolve(a));
        if (refused !== null) return this.reject(ctx, entry, refused);
      }
    }
    // CLIENT PAUSE: the command waits for the pause to end, then goes through here again.
    // Commands of EXEC or a script run (the pause starts after them).
    if (server.pause.type !== 'off' && ctx.fromScript !== true && !blockingDenied()) {
      if (server.pause.holds(client, entry, argv)) {
        const copy = argv.map((a) => Buffer.from(a));
        return server.pause.hold(ctx, () => this.execute(ctx, copy));
      }
    }
    // Redis's processCommand keeps the tracking table within tracking-table-max-keys before
    // each command, queued ones included.
    if (server.observers.active && ctx.fromScript !== true && server.observers.tracking.clients > 0)
      server.observers.tracking.limit();
    if (client.multi !== null && (flags & F_NO_QUEUE) === 0) {
      if ((flags & F_NO_MULTI) !== 0) {
        client.multiError = true;
        return this.reject(ctx, entry, new ErrorReply('ERR', 'ERR Command not allowed inside a transaction'));
      }
      // The parser may hand out views into its input buffer: queued arguments must be copied.
      client.multi.push(argv.map((a) => Buffer.from(a)));
      return QUEUED;
    }
    if (server.loading && (flags & F_LOADING) === 0) return this.reject(ctx, entry, Errors.loading);
    // Client tracking and MONITOR (observers.ts): one property read unless a client uses them.
    const observers = server.observers;
    const observed = observers.active;
    if (observed) {
      const refused = observers.before(ctx, entry, argv);
      if (refused !== null) return this.reject(ctx, entry, refused);
    }
    server.stats.totalCommands++;
    server.stats.commandsByDoor[client.door]++;
    client.lastCommand = entry.fullName;
    const stats = entry.stats;
    const n = stats.calls;
    const weight =
      n < LATENCY_EXACT_CALLS || (flags & F_ALWAYS_TIME) !== 0
        ? 1
        : (n & (LATENCY_SAMPLE - 1)) === 0
          ? LATENCY_SAMPLE
          : 0;
    const t0 = weight === 0 ? 0 : performance.now();
    let reply: Reply | Promise<Reply>;
    // Replication (replication/propagate.ts): one property read unless a replica is attached.
    const propagation = server.propagation;
    const feeding = propagation.active;
    if (feeding) propagation.begin(server.dirty, entry);
    this.depth++;
    try {
      reply = entry.spec.handler!(ctx, argv);
    } catch (err) {
      // A handler threw: that is a bug, but one client's bug must not take the server down.
      reply = new ErrorReply(
        'INTERNAL',
        `ERR internal error in '${entry.fullName}': ${(err as Error).message}`,
      );
    }
    // Between top-level commands no handler holds a value object: the engine may settle them.
    if (--this.depth === 0) server.keyspace.settle?.();
    if (feeding) propagation.end(client.db, entry, argv, reply, server.dirty);
    stats.calls++;
    let ms = 0;
    if (weight !== 0) {
      ms = performance.now() - t0;
      const us = ms * 1000;
      stats.usec += us * weight;
      if (stats.hist === null) stats.hist = new LatencyHistogram();
      stats.hist.record(us, weight);
      // The latency monitor's command events (Redis's call(): fast-command for fast commands).
      const spike = server.config.int('latency-monitor-threshold');
      if (spike > 0 && ms >= spike)
        server.latency.addIfNeeded(
          entry.spec.flags.includes('fast') ? 'fast-command' : 'command',
          ms,
          spike,
          server.clock.now(),
        );
      const slower = server.config.int('slowlog-log-slower-than');
      if (slower >= 0 && us >= slower && (flags & F_SKIP_SLOWLOG) === 0) {
        const log = () =>
          server.slowlog.add(
            entry.fullName,
            argv,
            Math.round(us),
            server.clock.now(),
            client.addr,
            client.name,
          );
        // A command that waits (a blocked BLPOP) is logged when it is answered, as Redis logs
        // a blocked command when it is unblocked.
        if (reply instanceof Promise) reply.then(log, () => undefined);
        else log();
      }
    }
    let failed = false;
    if (reply instanceof ErrorReply) {
      failed = true;
      stats.failed++;
      if (!reply.statsCounted) this.countError(ctx, reply);
    }
    if (this.observer !== null) this.observer(entry, client.door, ms, failed, weight);
    if (observed) observers.after(ctx, entry, argv);
    // Serve clients blocked on keys this command made ready, before anything else runs (inside
    // EXEC, once the whole transaction is done).
    if (server.blockedKeys.pending && !blockingDenied()) server.blockedKeys.serveReady();
    return reply;
  }

  /** A write command, or an EXEC whose queue holds one (Redis's is_write_command). */
  private writes(entry: TableEntry, queue: Buffer[][] | null): boolean {
    if ((entry.flagBits & F_WRITE) !== 0) return true;
    if (entry.fullName !== 'exec' || queue === null) return false;
    return queue.some((argv) => {
      const e = this.resolve(argv);
      return !(e instanceof ErrorReply) && (e.flagBits & F_WRITE) !== 0;
    });
  }

  /** An ACL refusal: NOPERM, an ACL LOG entry, and a transaction that will not run. */
  private deny(ctx: CommandContext, entry: TableEntry, argv: Buffer[], denied: Denial): ErrorReply {
    const client = ctx.client;
    const server = ctx.server;
    const inMulti = client.multi !== null;
    if (inMulti) client.multiError = true;
    let object = entry.fullName;
    if (denied === 'key') {
      const perm = entry.spec.flags.includes('write') ? 'write' : 'read';
      for (const i of keyIndexes(entry.spec, argv)) {
        if (!client.acl.canAccessKey(argv[i], perm === 'write' ? KEY_WRITE : KEY_READ)) {
          object = argv[i].toString('utf8');
          break;
        }
      }
    } else if (denied === 'channel') {
      const i = deniedChannel(client.acl, entry.spec, argv);
      if (i >= 0) object = argv[i].toString('utf8');
    }
    const now = server.clock.now();
    server.acl.record(
      {
        reason: denied,
        context: inMulti ? 'multi' : 'toplevel',
        object,
        username: client.user,
        clientInfo: clientInfoLine(client, now),
      },
      now,
    );
    return this.reject(
      ctx,
      entry,
      denied === 'command'
        ? new ErrorReply(
            'NOPERM',
            `NOPERM this user has no permissions to run the '${entry.fullName}' command`,
          )
        : denied === 'key'
          ? noPermKeys
          : noPermChannels,
    );
  }

  /**
   * Redis's rejectCommand: a refused command fails the client's transaction; a refused EXEC
   * discards it and answers EXECABORT with the reason.
   */
  private reject(ctx: CommandContext, entry: TableEntry, err: ErrorReply): ErrorReply {
    entry.stats.rejected++;
    const client = ctx.client;
    if (client.multi !== null) {
      if (entry.fullName === 'exec') {
        client.multi = null;
        client.multiError = false;
        ctx.server.watches.unwatchAll(client);
        return this.fail(
          ctx,
          new ErrorReply('EXECABORT', `EXECABORT Transaction discarded because of: ${err.message}`),
        );
      }
      client.multiError = true;
    }
    return this.fail(ctx, err);
  }

  private fail(ctx: CommandContext, err: ErrorReply): ErrorReply {
    this.countError(ctx, err);
    return err;
  }

  private countError(ctx: CommandContext, err: ErrorReply): void {
    const stats = ctx.server.stats;
    stats.errorReplies++;
    const sp = err.message.indexOf(' ');
    const prefix = sp < 0 ? err.message : err.message.slice(0, sp);
    stats.errors.set(prefix, (stats.errors.get(prefix) ?? 0) + 1);
  }
}

function subscribedMode(entry: TableEntry): ErrorReply {
  return new ErrorReply(
    'ERR',
    `ERR Can't execute '${entry.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  );
}

const noReplicas = new ErrorReply('UNAVAILABLE', 'NOREPLICAS Not enough good replicas to write.');

const noPermKeys = new ErrorReply(
  'NOPERM',
  'NOPERM this user has no permissions to access one of the keys used as arguments',
);
const noPermChannels = new ErrorReply(
  'NOPERM',
  'NOPERM this user has no permissions to access one of the channels used as arguments',
);

/**
 * Over HTTP and gRPC, @admin and @dangerous commands need a user who presented a password
 * (never an anonymous request, nor the password-less default user).
 */
function adminNeedsCredentials(entry: TableEntry): ErrorReply {
  return new ErrorReply(
    'NOPERM',
    `NOPERM '${entry.fullName}' is an admin command: over HTTP and gRPC it needs the credentials of a user allowed to run it`,
  );
}

/** Redis replaces newlines in echoed user input so an error stays one line. */
function sanitize(s: string, max: number): string {
  return s.slice(0, max).replace(/[\r\n]/g, ' ');
}

function unknownCommand(argv: Buffer[]): ErrorReply {
  let args = '';
  for (let i = 1; i < argv.length && args.length < UNKNOWN_ARGS_MAX_CHARS; i++) {
    args += `'${argv[i].toString('utf8').slice(0, UNKNOWN_ARGS_MAX_CHARS - args.length)}' `;
  }
  return Errors.unknownCommand(sanitize(argv[0].toString('utf8'), 128), sanitize(args, 1024));
}
