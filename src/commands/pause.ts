/**
 * CLIENT PAUSE / UNPAUSE (Redis's pauseClients): until the pause ends (its timeout, or CLIENT
 * UNPAUSE), commands of every door wait instead of running: all of them in ALL mode, in WRITE
 * mode those that may change data or reach replicas (Redis's is_may_replicate_command: write
 * commands, PUBLISH, SPUBLISH, PFCOUNT, EVAL/EVALSHA/FCALL unless the script or function is
 * flagged no-writes, and EXEC of a transaction holding one). A waiting client counts in INFO
 * `blocked_clients`; when the pause ends, its command goes through the dispatcher again, in the
 * order the clients arrived. Commands inside EXEC or a script are not held (the pause starts at
 * the end of the transaction), and while paused the background expiry and eviction stand
 * still, as in Redis; lazy expiry hides an expired key without deleting it.
 */
import { Errors } from '../errors.js';
import { countBlocked } from './blocking.js';
import type { ClientState, CommandContext, ServerApi } from './context.js';
import { F_WRITE, type TableEntry } from './registry.js';
import type { Reply } from './reply.js';

export type PauseType = 'off' | 'write' | 'all';

const RANK: Record<PauseType, number> = { off: 0, write: 1, all: 2 };

/** Commands Redis flags may-replicate besides its write commands. */
const MAY_REPLICATE = new Set(['publish', 'spublish', 'pfcount']);

/**
 * PUBLISH, SPUBLISH, PFCOUNT: not write commands, but Redis flags them may-replicate, so
 * CLIENT PAUSE WRITE holds them and read-only scripts may not call them.
 */
export function mayReplicate(fullName: string): boolean {
  return MAY_REPLICATE.has(fullName);
}
const SCRIPTS = new Set(['eval', 'evalsha', 'fcall']);

interface Waiter {
  readonly client: ClientState;
  readonly resume: () => void;
}

/** setTimeout's largest delay; a longer pause re-arms. */
const MAX_TIMER_MS = 2_147_483_647;

export class ClientPause {
  type: PauseType = 'off';
  /** Unix ms the pause ends at. */
  private endMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly waiters: Waiter[] = [];

  constructor(private readonly server: ServerApi) {}

  /** Pause until `endMs` (unix ms); a pause in force keeps its later end and stricter type. */
  pause(endMs: number, type: 'write' | 'all'): void {
    if (RANK[type] > RANK[this.type]) this.type = type;
    this.endMs = Math.max(this.endMs, endMs);
    // Redis's expireIfNeeded: while paused an expired key reads as missing but is not deleted.
    this.server.keyspace.expiryHeld = true;
    this.arm();
  }

  /** CLIENT UNPAUSE, or the pause's end: every held command runs, first come first. */
  unpause(): void {
    if (this.type === 'off') return;
    this.type = 'off';
    this.endMs = 0;
    this.server.keyspace.expiryHeld = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const held = this.waiters.splice(0);
    for (const w of held) w.resume();
  }

  /** True while a pause is in force (one that has run out ends here). */
  active(): boolean {
    if (this.type === 'off') return false;
    if (this.server.clock.now() >= this.endMs) {
      this.unpause();
      return false;
    }
    return true;
  }

  /** Whether `argv` (for `entry`) must wait for the pause to end. */
  holds(client: ClientState, entry: TableEntry, argv: readonly Buffer[]): boolean {
    if (!this.active()) return false;
    if (this.type === 'all') return true;
    if (entry.fullName === 'exec') {
      return (client.multi ?? []).some((q) => {
        const e = this.server.table.entries.get(q[0].toString('latin1').toLowerCase());
        return e !== undefined && this.mayReplicate(e, q);
      });
    }
    return this.mayReplicate(entry, argv);
  }

  private mayReplicate(entry: TableEntry, argv: readonly Buffer[]): boolean {
    const name = entry.fullName;
    if (SCRIPTS.has(name)) {
      return argv.length < 2 || this.server.scripting.mayWrite(name as 'eval' | 'evalsha' | 'fcall', argv[1]);
    }
    return (entry.flagBits & F_WRITE) !== 0 || MAY_REPLICATE.has(name);
  }

  /**
   * Hold the client's command until the pause ends, then run it with `run` (the dispatcher
   * again). The client going away ends the wait.
   */
  hold(ctx: CommandContext, run: () => Reply | Promise<Reply>): Promise<Reply> {
    const client = ctx.client;
    const server = this.server;
    return new Promise<Reply>((resolve) => {
      const signal = ctx.signal;
      let done = false;
      const finish = (): boolean => {
        if (done) return false;
        done = true;
        signal?.removeEventListener('abort', onAbort);
        client.blocked = false;
        countBlocked(server, -1);
        return true;
      };
      const onAbort = (): void => {
        if (!finish()) return;
        const i = this.waiters.findIndex((w) => w.resume === resume);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(Errors.cancelled);
      };
      const resume = (): void => {
        if (!finish()) return;
        try {
          resolve(run());
        } catch (err) {
          resolve(Promise.reject(err));
        }
      };
      this.waiters.push({ client, resume });
      client.blocked = true;
      countBlocked(server, 1);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    const left = this.endMs - this.server.clock.now();
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (!this.active()) return;
        this.arm();
      },
      Math.max(0, Math.min(left, MAX_TIMER_MS)),
    );
    this.timer.unref();
  }
}
