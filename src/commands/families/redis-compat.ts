/**
 * Small pieces shared by the connection and server families that exist to look like Redis 7 to
 * clients: the version Cairn reports where a client expects Redis's, the HELP reply shape, and
 * the rule Redis applies to client names and CLIENT SETINFO values.
 */
import { ErrorReply } from '../../errors.js';
import { type Reply, SimpleReply } from '../reply.js';

/**
 * The Redis version Cairn answers to (`INFO server redis_version`, HELLO `version`). Clients
 * gate features on it, so it names the Redis release whose replies Cairn reproduces; Cairn's
 * own version is reported beside it (`cairn_version`).
 */
export const REDIS_COMPAT_VERSION = '7.0.15';

/**
 * Redis's addReplyHelp: a header naming the container as typed (upper-cased), the lines as
 * status replies, and the HELP entry every container ends with.
 */
export function helpReply(container: Buffer, lines: readonly string[]): Reply {
  const out: Reply[] = [
    new SimpleReply(
      `${container.toString('latin1').toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`,
    ),
  ];
  for (const l of lines) out.push(new SimpleReply(l));
  out.push(new SimpleReply('HELP'), new SimpleReply('    Prints this help.'));
  return out;
}

/**
 * Client names, library names and versions must be printable ASCII without spaces ('!'..'~'),
 * so CLIENT LIST lines can always be split on spaces (Redis's validateClientAttr).
 */
export function isValidClientAttr(value: Uint8Array): boolean {
  for (let i = 0; i < value.length; i++) if (value[i] < 0x21 || value[i] > 0x7e) return false;
  return true;
}

export const invalidClientName = new ErrorReply(
  'ERR',
  'ERR Client names cannot contain spaces, newlines or special characters.',
);

/** Redis's addReplyErrorFormat turns newlines of echoed input into spaces. */
export function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}
