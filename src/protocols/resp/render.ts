/**
 * Rendering a command's reply into a RESP connection's output buffer under the client's reply
 * mode (CLIENT REPLY ON / OFF / SKIP), with a reply that cannot be encoded answered by an error
 * instead of half-written bytes; and the last words to a client that broke the protocol.
 */

import type { Logger } from 'pino';
import type { ClientState } from '../../commands/context.js';
import { ErrorReply, NO_REPLY, PushReply, type Reply, SequenceReply } from '../../commands/reply.js';
import { type OutputBuffer, writeError, writeReply } from './encoder.js';
import type { ProtocolError } from './parser.js';

export const INTERNAL_ERROR = new ErrorReply('INTERNAL', 'ERR internal error');

/**
 * Write `reply` for `client` unless its reply mode holds it back; true when bytes were written.
 * `wasSkip`: the client's mode was SKIP when the command started.
 */
export function renderReply(
  out: OutputBuffer,
  reply: Reply,
  client: ClientState,
  wasSkip: boolean,
  logger: Logger,
): boolean {
  const mode = client.replyMode;
  if (mode !== 'on') {
    // OFF: nothing. SKIP: neither the command that asked for it nor the next one answer.
    if (mode === 'skip' && wasSkip) client.replyMode = 'on';
    // Except pushes ((un)subscribe confirmations): Redis sends those whatever the reply mode.
    if (!(reply instanceof SequenceReply || reply instanceof PushReply)) return false;
  }
  if (reply === NO_REPLY) return false;
  const mark = out.len;
  try {
    writeReply(out, reply, client.resp);
  } catch (err) {
    out.truncate(mark);
    logger.error({ err, client: client.id }, 'could not render a reply');
    writeError(out, INTERNAL_ERROR.message);
  }
  return true;
}

/**
 * Log a protocol error as Redis does and write its error reply (when the reply mode allows); the
 * caller then closes. `qbuf`: the bytes the client had sent unparsed.
 */
export function answerProtocolError(
  out: OutputBuffer,
  e: ProtocolError,
  client: ClientState,
  qbuf: number,
  logger: Logger,
): void {
  if (e.reply === null) {
    logger.warn(
      { client: client.id, addr: client.addr, qbuf },
      'Closing client that reached max query buffer length',
    );
    return;
  }
  logger.debug({ client: client.id, addr: client.addr, reason: e.reason }, 'Protocol error from client');
  if (client.replyMode === 'on') writeError(out, e.reply);
}
