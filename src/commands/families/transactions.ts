/**
 * MULTI / EXEC / DISCARD / WATCH / UNWATCH. Queuing happens in the dispatcher (it sees every
 * command first); EXEC replays the queue through the dispatcher with queuing off, so each
 * queued command gets exactly the checks it would get outside a transaction. Nothing can
 * interleave: commands are synchronous and EXEC refuses nothing mid-way.
 */
import { ErrorReply, Errors } from '../../errors.js';
import { withBlockingDenied } from '../blocking.js';
import type { CommandContext } from '../context.js';
import { makeRoom } from '../memory-limit.js';
import { F_DENYOOM } from '../registry.js';
import { NULL_ARRAY, OK, type Reply, SequenceReply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';

function multi(ctx: CommandContext): Reply {
  const c = ctx.client;
  if (c.multi !== null) return new ErrorReply('ERR', 'ERR MULTI calls can not be nested');
  c.multi = [];
  c.multiError = false;
  return OK;
}

function discard(ctx: CommandContext): Reply {
  const c = ctx.client;
  if (c.multi === null) return new ErrorReply('ERR', 'ERR DISCARD without MULTI');
  c.multi = null;
  c.multiError = false;
  ctx.server.watches.unwatchAll(c);
  return OK;
}

const execAbortOom = new ErrorReply(
  'EXECABORT',
  `EXECABORT Transaction discarded because of: ${Errors.oom.message}`,
);

/**
 * Redis refuses EXEC as a whole (not command by command) when memory is over `maxmemory` and
 * a queued command may use more; queued commands are then not checked one by one.
 */
function queueOutOfMemory(ctx: CommandContext, queue: Buffer[][]): boolean {
  const max = ctx.server.config.int('maxmemory');
  if (max === 0) return false;
  const entries = ctx.server.table.entries;
  const denyoom = queue.some(
    (argv) => ((entries.get(argv[0].toString('latin1').toLowerCase())?.flagBits ?? 0) & F_DENYOOM) !== 0,
  );
  return denyoom && !makeRoom(ctx.server, max);
}

/** Watched keys that expired since WATCH count as modified (Redis >= 6.0.9): probe them. */
function probeWatchedExpiry(ctx: CommandContext): void {
  const c = ctx.client;
  if (c.watching === null || c.watchDirty) return;
  for (const id of c.watching) {
    const sep = id.indexOf('\0');
    // exists() applies lazy expiry, whose change event marks this client dirty.
    ctx.server.keyspace.exists(Number(id.slice(0, sep)), Buffer.from(id.slice(sep + 1), 'latin1'));
  }
}

/** Whether a queued command may need the Lua VM (EVAL*, FCALL*, FUNCTION, SCRIPT). */
function needsScripting(queue: Buffer[][]): boolean {
  for (const argv of queue) {
    const name = argv[0].toString('latin1').toLowerCase();
    if (name.startsWith('eval') || name.startsWith('fcall') || name === 'function' || name === 'script')
      return true;
  }
  return false;
}

function exec(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  const c = ctx.client;
  const queue = c.multi;
  if (queue === null) return new ErrorReply('ERR', 'ERR EXEC without MULTI');
  // The Lua VM starts on first use, which a replaying EXEC cannot wait for: start it first,
  // then run EXEC again through the dispatcher (the client is still in MULTI meanwhile).
  const scripting = ctx.server.scripting;
  if (!scripting.ready && !c.multiError && needsScripting(queue)) {
    const copy = argv.map((a) => Buffer.from(a));
    return scripting.startThen(
      () => ctx.server.execute(ctx, copy),
      (err: Error) => {
        c.multi = null;
        ctx.server.watches.unwatchAll(c);
        return new ErrorReply(
          'ERR',
          `EXECABORT Transaction discarded because of: scripting unavailable: ${err.message}`,
        );
      },
    );
  }
  c.multi = null;
  if (c.multiError) {
    c.multiError = false;
    ctx.server.watches.unwatchAll(c);
    return Errors.execAbort;
  }
  if (queueOutOfMemory(ctx, queue)) {
    ctx.server.watches.unwatchAll(c);
    return execAbortOom;
  }
  probeWatchedExpiry(ctx);
  if (c.watchDirty) {
    ctx.server.watches.unwatchAll(c);
    return NULL_ARRAY;
  }
  ctx.server.watches.unwatchAll(c);
  const replies: Reply[] = [];
  // Commands that may wait answer at once here (WAIT) or are flagged no-multi (SAVE), so a
  // promise here is a table bug.
  // Messages this client receives while a queued command runs (it publishes to its own
  // channel, a keyspace notification) go inside the array, before that command's reply.
  const pushed: Reply[] = [];
  // One time for the whole transaction: no key expires half-way through it (Redis's call()).
  const clock = ctx.server.clock;
  clock.hold?.();
  try {
    execQueue(ctx, queue, replies, pushed);
  } finally {
    clock.release?.();
  }
  return replies;
}

function execQueue(ctx: CommandContext, queue: Buffer[][], replies: Reply[], pushed: Reply[]): void {
  const c = ctx.client;
  withBlockingDenied(() => {
    for (const argv of queue) {
      c.execPushes = pushed;
      let r: Reply | Promise<Reply>;
      try {
        r = ctx.server.execute(ctx, argv);
      } finally {
        c.execPushes = null;
      }
      if (r instanceof Promise) r = new ErrorReply('ERR', 'ERR command cannot run inside MULTI');
      if (pushed.length === 0) replies.push(r);
      else {
        replies.push(new SequenceReply([...pushed, r]));
        pushed.length = 0;
      }
    }
  });
}

function watch(ctx: CommandContext, argv: Buffer[]): Reply {
  const c = ctx.client;
  if (c.multi !== null) return new ErrorReply('ERR', 'ERR WATCH inside MULTI is not allowed');
  const ks = ctx.server.keyspace;
  const now = ctx.server.clock.now();
  for (let i = 1; i < argv.length; i++) {
    // Redis remembers a key already expired but not yet deleted (see server/watch.ts).
    const e = ks.peekEntry(c.db, argv[i]);
    ctx.server.watches.watch(c, c.db, argv[i], e !== null && e.expireAt !== 0 && e.expireAt <= now);
  }
  return OK;
}

function unwatch(ctx: CommandContext): Reply {
  ctx.server.watches.unwatchAll(ctx.client);
  return OK;
}

const TX = { group: 'transactions', since: '1.2.0' } as const;

export const transactionCommands: readonly CommandSpec[] = [
  command({
    ...TX,
    name: 'multi',
    arity: 1,
    flags: ['no-queue', 'loading', 'stale', 'fast', 'allow-busy', 'no-script'],
    summary: 'Starts a transaction.',
    complexity: 'O(1)',
    syntax: '',
    handler: multi,
  }),
  command({
    ...TX,
    name: 'exec',
    arity: 1,
    flags: ['no-queue', 'loading', 'stale', 'skip-slowlog', 'no-script'],
    summary: 'Executes all commands in a transaction.',
    complexity: 'Depends on commands in the transaction',
    syntax: '',
    handler: exec,
  }),
  command({
    ...TX,
    name: 'discard',
    arity: 1,
    flags: ['no-queue', 'loading', 'stale', 'fast', 'allow-busy', 'no-script'],
    summary: 'Discards a transaction.',
    since: '2.0.0',
    complexity: 'O(N), when N is the number of queued commands',
    syntax: '',
    handler: discard,
  }),
  command({
    ...TX,
    name: 'watch',
    arity: -2,
    flags: ['no-queue', 'loading', 'stale', 'fast', 'allow-busy', 'no-script'],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    summary: 'Monitors changes to keys to determine the execution of a transaction.',
    since: '2.2.0',
    complexity: 'O(1) for every key.',
    syntax: 'key [key ...]',
    handler: watch,
  }),
  command({
    ...TX,
    name: 'unwatch',
    arity: 1,
    // Queued inside MULTI like any command (Redis queues all but EXEC, DISCARD, MULTI, WATCH,
    // QUIT and RESET).
    flags: ['loading', 'stale', 'fast', 'allow-busy', 'no-script'],
    summary: 'Forgets about watched keys of a transaction.',
    since: '2.2.0',
    complexity: 'O(1)',
    syntax: '',
    handler: unwatch,
  }),
];
