/**
 * CLIENT UNBLOCK client-id [TIMEOUT | ERROR]: end another client's blocking command now, as
 * if its timeout had passed (the default) or with `-UNBLOCKED client unblocked via CLIENT
 * UNBLOCK`. 1 when that client was blocked, else 0. Checks in Redis 7.0's order: the reason
 * word, then the id.
 */
import { ErrorReply } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { optIs } from './lookup.js';
import { oneLine } from './redis-compat.js';

const badReason = new ErrorReply('ERR', 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
const notInteger = new ErrorReply('ERR', 'ERR value is not an integer or out of range');

export function clientUnblock(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length > 4) {
    return new ErrorReply(
      'ERR',
      `ERR unknown subcommand or wrong number of arguments for '${oneLine(argv[1].toString('utf8'))}'. Try CLIENT HELP.`,
    );
  }
  let error = false;
  if (argv.length === 4) {
    if (optIs(argv[3], 'error')) error = true;
    else if (!optIs(argv[3], 'timeout')) return badReason;
  }
  const id = parseInt64(argv[2]);
  if (id === null) return notInteger;
  if (id <= 0n || id > BigInt(Number.MAX_SAFE_INTEGER)) return 0;
  return ctx.server.blockedKeys.unblock(Number(id), error) ? 1 : 0;
}
