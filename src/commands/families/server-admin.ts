/**
 * TIME, LASTSAVE, SAVE, BGSAVE, SHUTDOWN, WAIT (wait.ts). Snapshots and shutdown belong to the
 * lifecycle; these handlers parse the arguments as Redis does and hand over to `server.save`
 * and `server.shutdown`.
 */
import { ErrorReply, Errors } from '../../errors.js';
import { argIs } from '../args.js';
import type { CommandContext } from '../context.js';
import { bulk, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { wait } from './wait.js';

const MS_PER_S = 1000;
const US_PER_MS = 1000;

const noShutdownInProgress = new ErrorReply('ERR', 'ERR No shutdown in progress.');

/** [unix seconds, microseconds] as bulk strings. */
function time(ctx: CommandContext): Reply {
  const ms = ctx.server.clock.now();
  const secs = Math.floor(ms / MS_PER_S);
  return [bulk(String(secs)), bulk(String(Math.floor((ms - secs * MS_PER_S) * US_PER_MS)))];
}

function lastsave(ctx: CommandContext): Reply {
  return Math.floor(ctx.server.lastSave() / MS_PER_S);
}

function save(ctx: CommandContext): Promise<Reply> {
  return ctx.server.save(false);
}

/** BGSAVE [SCHEDULE]: Cairn's snapshots never block, so SCHEDULE simply starts one. */
function bgsave(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  if (argv.length > 2 || (argv.length === 2 && !argIs(argv[1], 'schedule'))) return Errors.syntax;
  return ctx.server.save(true);
}

/**
 * SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]. `save` is null when neither was given (save
 * only if snapshots are configured). Cairn's shutdown cannot be called back, so ABORT always
 * finds nothing to abort.
 */
function shutdown(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  let nosave = false;
  let saveFlag = false;
  let now = false;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (argIs(a, 'nosave')) nosave = true;
    else if (argIs(a, 'save')) saveFlag = true;
    else if (argIs(a, 'now')) now = true;
    else if (argIs(a, 'force')) force = true;
    else if (argIs(a, 'abort')) abort = true;
    else return Errors.syntax;
  }
  if ((abort && (nosave || saveFlag || now || force)) || (nosave && saveFlag)) return Errors.syntax;
  if (abort) return noShutdownInProgress;
  return ctx.server.shutdown({ save: saveFlag ? true : nosave ? false : null, now, force });
}

const SRV = { group: 'server' } as const;

export const adminCommands: readonly CommandSpec[] = [
  command({
    ...SRV,
    name: 'time',
    arity: 1,
    flags: ['loading', 'stale', 'fast'],
    summary: 'Returns the server time.',
    since: '2.6.0',
    complexity: 'O(1)',
    syntax: '',
    handler: time,
  }),
  command({
    ...SRV,
    name: 'lastsave',
    arity: 1,
    flags: ['loading', 'stale', 'fast', 'dangerous'],
    categories: ['admin'],
    summary: 'Returns the Unix timestamp of the last successful save to disk.',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: '',
    handler: lastsave,
  }),
  command({
    ...SRV,
    name: 'save',
    arity: 1,
    // no-multi: the reply waits for the snapshot, which EXEC cannot wait for.
    flags: ['admin', 'no-script', 'no-multi'],
    summary: 'Synchronously saves the database(s) to disk.',
    since: '1.0.0',
    complexity: 'O(N) where N is the total number of keys in all databases',
    syntax: '',
    handler: save,
  }),
  command({
    ...SRV,
    name: 'bgsave',
    arity: -1,
    flags: ['admin', 'no-script', 'no-multi'],
    summary: 'Asynchronously saves the database(s) to disk.',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: '[SCHEDULE]',
    handler: bgsave,
  }),
  command({
    ...SRV,
    name: 'shutdown',
    arity: -1,
    flags: ['admin', 'no-script', 'loading', 'stale', 'no-multi', 'allow-busy'],
    summary: 'Synchronously saves the database(s) to disk and shuts down the server.',
    since: '1.0.0',
    complexity:
      'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)',
    syntax: '[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]',
    handler: shutdown,
  }),
  command({
    name: 'wait',
    group: 'generic',
    arity: 3,
    flags: ['no-script'],
    categories: ['connection'],
    summary:
      'Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.',
    since: '3.0.0',
    complexity: 'O(1)',
    syntax: 'numreplicas timeout',
    handler: wait,
  }),
];
