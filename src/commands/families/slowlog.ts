/** SLOWLOG GET / LEN / RESET / HELP over the server's SlowLog, worded as Redis 7.0's slowlog.c. */
import { ErrorReply } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { bulk, OK, type Reply } from '../reply.js';
import { type CommandFlag, type CommandSpec, command } from '../spec.js';
import { helpReply, oneLine } from './redis-compat.js';

const SRV = { group: 'server' } as const;
const ADMIN: CommandFlag[] = ['admin', 'loading', 'stale'];
const DEFAULT_COUNT = 10;
const badCount = new ErrorReply('ERR', 'ERR count should be greater than or equal to -1');

function get(ctx: CommandContext, argv: Buffer[]): Reply {
  let count = DEFAULT_COUNT;
  if (argv.length > 3)
    return new ErrorReply(
      'ERR',
      `ERR unknown subcommand or wrong number of arguments for '${oneLine(argv[1].toString('utf8'))}'. Try SLOWLOG HELP.`,
    );
  if (argv.length === 3) {
    const v = parseInt64(argv[2]);
    if (v === null || v < -1n) return badCount;
    count = v > 1_000_000n ? 1_000_000 : Number(v);
  }
  return ctx.server.slowlog
    .get(count)
    .map((e) => [e.id, e.time, e.durationUs, e.args, bulk(e.addr), bulk(e.name)]);
}

const HELP_LINES = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

export const slowlogCommand: CommandSpec = command({
  ...SRV,
  name: 'slowlog',
  arity: -2,
  summary: 'A container for slow log commands.',
  since: '2.2.12',
  complexity: 'Depends on subcommand.',
  subcommands: [
    command({
      ...SRV,
      name: 'get',
      arity: -2,
      flags: ADMIN,
      summary: "Returns the slow log's entries.",
      since: '2.2.12',
      complexity: 'O(N) where N is the number of entries returned',
      syntax: '[count]',
      handler: get,
    }),
    command({
      ...SRV,
      name: 'len',
      arity: 2,
      flags: ADMIN,
      summary: 'Returns the number of entries in the slow log.',
      since: '2.2.12',
      complexity: 'O(1)',
      syntax: '',
      handler: (ctx) => ctx.server.slowlog.length,
    }),
    command({
      ...SRV,
      name: 'reset',
      arity: 2,
      flags: ADMIN,
      summary: 'Clears all entries from the slow log.',
      since: '2.2.12',
      complexity: 'O(N) where N is the number of entries in the slowlog',
      syntax: '',
      handler: (ctx) => {
        ctx.server.slowlog.reset();
        return OK;
      },
    }),
    command({
      ...SRV,
      name: 'help',
      arity: 2,
      flags: ['loading', 'stale'],
      summary: 'Show helpful text about the different subcommands',
      since: '6.2.0',
      complexity: 'O(1)',
      syntax: '',
      handler: (_ctx, argv) => helpReply(argv[0], HELP_LINES),
    }),
  ],
});
