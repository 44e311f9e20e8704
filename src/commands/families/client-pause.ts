/**
 * CLIENT PAUSE timeout [WRITE | ALL] and CLIENT UNPAUSE (the pause itself: ../pause.ts).
 */
import { ErrorReply } from '../../errors.js';
import { argIs, parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { OK, type Reply } from '../reply.js';
import { type CommandFlag, type CommandSpec, command } from '../spec.js';
import { oneLine } from './redis-compat.js';

const badMode = new ErrorReply('ERR', 'ERR CLIENT PAUSE mode must be WRITE or ALL');
const badTimeout = new ErrorReply('ERR', 'ERR timeout is not an integer or out of range');
const negativeTimeout = new ErrorReply('ERR', 'ERR timeout is negative');

function clientPause(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length > 4) {
    return new ErrorReply(
      'ERR',
      `ERR unknown subcommand or wrong number of arguments for '${oneLine(argv[1].toString('utf8').slice(0, 128))}'. Try CLIENT HELP.`,
    );
  }
  let type: 'write' | 'all' = 'all';
  if (argv.length === 4) {
    if (argIs(argv[3], 'write')) type = 'write';
    else if (!argIs(argv[3], 'all')) return badMode;
  }
  const ms = parseInt64(argv[2]);
  if (ms === null) return badTimeout;
  if (ms < 0n) return negativeTimeout;
  // 0 pauses nothing (Redis: an end time already past); past 2^53 ms is forever anyway.
  if (ms > 0n) {
    const now = ctx.server.clock.now();
    ctx.server.pause.pause(
      ms > BigInt(Number.MAX_SAFE_INTEGER - now) ? Number.MAX_SAFE_INTEGER : now + Number(ms),
      type,
    );
  }
  return OK;
}

function clientUnpause(ctx: CommandContext): Reply {
  ctx.server.pause.unpause();
  return OK;
}

const SUB = { group: 'connection' } as const;
const ADMIN: CommandFlag[] = ['admin', 'no-script', 'loading', 'stale'];

export const clientPauseSubcommands: readonly CommandSpec[] = [
  command({
    ...SUB,
    name: 'pause',
    arity: -3,
    flags: ADMIN,
    summary: 'Stop processing commands from clients for some time',
    since: '2.9.50',
    complexity: 'O(1)',
    syntax: 'timeout [WRITE | ALL]',
    handler: clientPause,
  }),
  command({
    ...SUB,
    name: 'unpause',
    arity: 2,
    flags: ADMIN,
    summary: 'Resume processing of clients that were paused',
    since: '6.2.0',
    complexity: 'O(N) Where N is the number of paused clients',
    syntax: '',
    handler: clientUnpause,
  }),
];

export const PAUSE_HELP = [
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
];
