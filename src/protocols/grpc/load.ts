/**
 * Admission of gRPC calls, checked by the gate before a call's command runs:
 *
 * - load shedding: while the server's pressure gauge says so (the `shed-*` options, the same
 *   definition the HTTP door uses), unary calls and new streams answer RESOURCE_EXHAUSTED with
 *   the reason, and the trailer `grpc-retry-pushback-ms` (`shed-retry-after-seconds`), which
 *   grpc-js clients with retries configured honour;
 * - `maxclients`: unary calls and Scan streams in flight plus Watch streams (listed clients) are
 *   at most `maxclients` per server; past it, RESOURCE_EXHAUSTED "max number of clients reached".
 *   (grpc-max-concurrent-streams bounds one connection; this bounds all of them together.)
 *
 * Calls that finish synchronously never overlap, so `inflight` counts the ones that wait: WAIT,
 * SAVE, a Scan between pages.
 */
import { ErrorReply } from '../../errors.js';
import { type Pressure, shedMessage } from '../../observability/pressure.js';
import type { DoorHost } from '../door.js';
import { RetryableReply } from './status.js';

const MS_PER_S = 1000;

export const tooManyClients = new ErrorReply('TOO_LARGE', 'ERR max number of clients reached');

export class CallLoad {
  /** Unary calls and Scan streams admitted and not finished. */
  inflight = 0;
  /** The last shed reply, reused while the reason and the pushback stay the same. */
  private shedReply: RetryableReply | null = null;

  constructor(
    private readonly host: DoorHost,
    private readonly pressure: Pressure | null,
  ) {}

  /** Why a new call must be refused, or null to admit it. */
  refuse(): ErrorReply | null {
    const p = this.pressure;
    if (p !== null) {
      const reason = p.underPressure();
      if (reason !== null) {
        p.shed++;
        return this.shed(reason, p.retryAfterSeconds * MS_PER_S);
      }
    }
    const server = this.host.server;
    if (this.inflight + server.clients.count('grpc') >= server.config.int('maxclients')) {
      server.stats.rejectedConnections++;
      return tooManyClients;
    }
    return null;
  }

  private shed(reason: string, pushbackMs: number): RetryableReply {
    const message = shedMessage(reason);
    const last = this.shedReply;
    if (last !== null && last.message === message && last.retryAfterMs === pushbackMs) return last;
    this.shedReply = new RetryableReply('OVERLOADED', message, pushbackMs);
    return this.shedReply;
  }
}
