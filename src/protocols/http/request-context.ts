/**
 * An HTTP request's command context. Its signal aborts when the connection closes (the client
 * went away, or Node closed it for a timeout) or when the request's deadline
 * (`http-request-timeout-ms`) passes, whichever comes first; a passed deadline aborts with a
 * `TimeoutError` reason, so a waiting command can answer 504 rather than "cancelled".
 *
 * The combined signal is made on first use: most commands finish at once and never look at it,
 * and a timer per request would cost every GET (as the gRPC door found for its calls).
 */
import type { ClientState, CommandContext, ServerApi } from '../../commands/context.js';

/** setTimeout's largest delay; a later deadline is as good as none for one request. */
const MAX_TIMER_MS = 2_147_483_647;

export class RequestContext implements CommandContext {
  private combined: AbortSignal | null = null;

  constructor(
    readonly client: ClientState,
    readonly server: ServerApi,
    private readonly connection: AbortSignal | null,
    readonly deadline: number,
  ) {}

  get signal(): AbortSignal | null {
    if (this.deadline === 0) return this.connection;
    if (this.combined === null) {
      const left = this.deadline - this.server.clock.now();
      const timeout =
        left > 0
          ? AbortSignal.timeout(Math.min(left, MAX_TIMER_MS))
          : AbortSignal.abort(new DOMException('the request deadline has passed', 'TimeoutError'));
      this.combined = this.connection === null ? timeout : AbortSignal.any([this.connection, timeout]);
    }
    return this.combined;
  }
}
