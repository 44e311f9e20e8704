/**
 * MONITOR: the connection receives a line for every command run by anyone from now on (see
 * src/commands/monitor.ts for the format and what is left out). RESET or closing ends it.
 */
import { ErrorReply } from '../../errors.js';
import { blockingDenied } from '../blocking.js';
import type { CommandContext } from '../context.js';
import { NO_REPLY, OK, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';

/** Inside EXEC a client expects one reply per command (Redis's CLIENT_DENY_BLOCKING). */
const denyBlocking = new ErrorReply('ERR', "ERR MONITOR isn't allowed for DENY BLOCKING client");

function monitor(ctx: CommandContext): Reply {
  if (blockingDenied()) return denyBlocking;
  // Already monitoring: Redis ignores the command without a reply.
  if (ctx.client.monitor) return NO_REPLY;
  ctx.server.observers.startMonitor(ctx.client);
  return OK;
}

export const monitorCommands: readonly CommandSpec[] = [
  command({
    group: 'server',
    name: 'monitor',
    arity: 1,
    flags: ['admin', 'no-script', 'loading', 'stale', 'nohttp', 'nogrpc'],
    summary: 'Listens for all requests received by the server in real-time.',
    since: '1.0.0',
    syntax: '',
    handler: monitor,
  }),
];
