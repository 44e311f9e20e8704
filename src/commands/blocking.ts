/**
 * What commands that wait (WAIT, the blocking pops) share: Redis's CLIENT_DENY_BLOCKING, set
 * while EXEC replays a transaction (a waiting command answers at once there, since EXEC cannot
 * wait), and the number of clients waiting right now (INFO clients `blocked_clients`).
 */
import type { ServerApi } from './context.js';

/** Non-zero while EXEC replays its queue; EXEC is synchronous, so one counter serves all. */
let denied = 0;

/** Run `fn` (a transaction's replay) with waiting commands answering at once. */
export function withBlockingDenied<T>(fn: () => T): T {
  denied++;
  try {
    return fn();
  } finally {
    denied--;
  }
}

export function blockingDenied(): boolean {
  return denied > 0;
}

const blocked = new WeakMap<ServerApi, number>();

/** Clients of this server inside a waiting command. */
export function blockedClients(server: ServerApi): number {
  return blocked.get(server) ?? 0;
}

/** A waiting command starts (+1) or ends (-1). */
export function countBlocked(server: ServerApi, delta: 1 | -1): void {
  blocked.set(server, blockedClients(server) + delta);
}
