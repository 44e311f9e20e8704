/**
 * WAIT numreplicas timeout. Cairn has no replicas, so it answers as a Redis primary without any
 * does: 0 at once when no acknowledgement is asked for (numreplicas <= 0) or inside EXEC, and
 * otherwise 0 once `timeout` milliseconds have passed (0 = wait for ever).
 *
 * While it waits it honours the command's context, like every command that waits: the client
 * going away (`ctx.signal`: the RESP connection closing, the HTTP connection closing, the gRPC
 * call cancelled) ends it with `ERR command cancelled`, and the request's deadline
 * (`ctx.deadline`, or a signal aborted with a TimeoutError: the HTTP request timeout, the gRPC
 * deadline) with `ERR command deadline exceeded`. Nothing is left behind: timer and listener
 * go, and `blocked_clients` drops.
 */
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import { blockingDenied, countBlocked } from '../blocking.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';

/** setTimeout's largest delay; longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

const timeoutNotInteger = new ErrorReply('ERR', 'ERR timeout is not an integer or out of range');
const timeoutNegative = new ErrorReply('ERR', 'ERR timeout is negative');

function abortReply(signal: AbortSignal): ErrorReply {
  return (signal.reason as Error | undefined)?.name === 'TimeoutError' ? Errors.timeout : Errors.cancelled;
}

export function wait(ctx: CommandContext, argv: Buffer[]): Reply | Promise<Reply> {
  const numreplicas = parseInt64(argv[1]);
  if (numreplicas === null) return Errors.notInteger;
  const timeout = parseInt64(argv[2]);
  if (timeout === null) return timeoutNotInteger;
  if (timeout < 0n) return timeoutNegative;
  // No replica ever acknowledges: the answer is 0, at once only when that is enough.
  if (numreplicas <= 0n || blockingDenied()) return 0;
  return block(ctx, timeout === 0n ? Number.POSITIVE_INFINITY : Number(timeout));
}

/** Wait `waitMs` (Infinity: until the context ends it), then answer 0. */
function block(ctx: CommandContext, waitMs: number): Reply | Promise<Reply> {
  const signal = ctx.signal;
  if (signal?.aborted) return abortReply(signal);
  const deadlineMs = ctx.deadline === 0 ? Number.POSITIVE_INFINITY : ctx.deadline - ctx.server.clock.now();
  if (deadlineMs <= 0) return Errors.timeout;
  const ms = Math.min(waitMs, deadlineMs);
  const answer: Reply = waitMs <= deadlineMs ? 0 : Errors.timeout;
  const server = ctx.server;
  countBlocked(server, 1);
  return new Promise<Reply>((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    let done = false;
    const finish = (r: Reply): void => {
      if (done) return;
      done = true;
      unregister();
      if (timer !== null) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      countBlocked(server, -1);
      resolve(r);
    };
    const onAbort = (): void => finish(abortReply(signal!));
    // CLIENT UNBLOCK: as if the timeout had passed (no replica acknowledged), or the error.
    const unregister = server.blockedKeys.register(ctx.client, { timeout: () => finish(0), fail: finish });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (ms === Number.POSITIVE_INFINITY) return;
    const end = Date.now() + ms;
    const arm = (): void => {
      const left = end - Date.now();
      if (left <= 0) {
        finish(answer);
        return;
      }
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      timer.unref();
    };
    arm();
  });
}
