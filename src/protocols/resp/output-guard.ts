/**
 * A RESP client's output buffer limits (Redis's getClientType and
 * checkClientOutputBufferLimits): which class of `client-output-buffer-limit` applies, and
 * whether the output held for the client is past its hard limit, or past its soft limit for
 * longer than the class allows.
 */
import type { ClientState } from '../../commands/context.js';
import type { DoorLimits, OutputLimits } from './limits.js';

/**
 * The client's output class: `replica` once it sent SYNC/PSYNC, `pubsub` while it holds a
 * subscription. A monitor gets the `pubsub` bounds too (Redis leaves it in `normal`, unbounded
 * by default): one that does not read must not grow the server's memory.
 */
export function outputLimitsFor(limits: DoorLimits, client: ClientState): OutputLimits {
  if (client.replica) return limits.replicaOutput;
  return client.pubsub === null && !client.monitor ? limits.output : limits.pubsubOutput;
}

/** The soft-limit timer of one connection. */
export class OutputGuard {
  /** When output first went past the soft limit (clock ms), 0 while under it. */
  private softSince = 0;

  /** Output is known to be under every limit. */
  clear(): void {
    this.softSince = 0;
  }

  /** Which limit `used` bytes break ('hard', 'soft' once held too long), or '' for none. */
  check(lim: OutputLimits, used: number, clock: { now(): number }): '' | 'hard' | 'soft' {
    if (lim.hardBytes > 0 && used > lim.hardBytes) return 'hard';
    if (lim.softBytes > 0 && used > lim.softBytes) {
      const t = clock.now();
      if (this.softSince === 0) this.softSince = t;
      else if (t - this.softSince > lim.softMs) return 'soft';
      return '';
    }
    this.softSince = 0;
    return '';
  }
}
