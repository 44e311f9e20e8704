/**
 * Client tracking and MONITOR sessions for the differential test (runner: tracking-runner.ts).
 * Each step waits for every reply, push and monitor line it causes before the next is sent, so
 * BCAST batches (sent once the server has handled what it read) are the same on both servers.
 */
import type { Mask, TrackingScript, TrackingStep, Who } from './tracking-runner.js';

const words = (c: string | string[]): string[] => (Array.isArray(c) ? c : c.split(' '));

/** `on` sends the commands (several: one pipeline); `expect` says who receives how many replies. */
function step(
  on: Who,
  commands: string | Array<string | string[]>,
  expect: TrackingStep['expect'],
  extra: Partial<TrackingStep> = {},
): TrackingStep {
  const list = typeof commands === 'string' ? [commands] : commands;
  return { on, send: list.map(words), expect, ...extra };
}

export const defaultMode: TrackingScript = {
  name: 'default mode (RESP3 client, RESP2 writer)',
  clients: ['A', 'B'],
  resp3: ['A'],
  steps: [
    step('A', 'CLIENT TRACKING on', { A: 1 }),
    step('A', 'GET k', { A: 1 }),
    step('B', 'SET k v', { B: 1, A: 1 }),
    // Told once: the key is forgotten until read again.
    step('B', 'SET k w', { B: 1 }),
    step('A', 'GET k', { A: 1 }),
    // A key the client changes itself: the invalidation follows the reply.
    step('A', 'SET k x', { A: 2 }),
    step('A', ['GET k', 'SET k 4', 'GET k', 'SET k 5', 'PING'], { A: 7 }),
    // A script's reads are tracked for its caller.
    step('A', [['EVAL', "return redis.call('get', KEYS[1])", '1', 'sk']], { A: 1 }),
    step('B', 'SET sk 1', { B: 1, A: 1 }),
    step('A', 'MGET k k2', { A: 1 }),
    step('B', 'MSET k 1 k2 2', { B: 1, A: 2 }),
    step('A', ['GET k', 'GET k2'], { A: 2 }),
    // Inside a transaction: after the whole EXEC reply.
    step('A', ['MULTI', 'SET k x', 'SET k2 y', 'EXEC'], { A: 6 }),
    step('A', 'GET k', { A: 1 }),
    step('B', 'DEL k', { B: 1, A: 1 }),
    step('B', 'DEL k', { B: 1 }),
    // Flushes tell every tracking client "everything" with a null; SWAPDB tells nothing.
    step('A', 'GET k', { A: 1 }),
    step('B', 'FLUSHALL', { B: 1, A: 1 }),
    step('A', 'FLUSHALL', { A: 2 }),
    step('B', 'FLUSHDB', { B: 1, A: 1 }),
    step('A', 'GET k', { A: 1 }),
    step('B', 'SWAPDB 0 1', { B: 1 }),
    step('B', 'SWAPDB 0 1', { B: 1 }),
    step('A', 'CLIENT TRACKINGINFO', { A: 1 }),
    step('A', 'CLIENT GETREDIR', { A: 1 }),
    // CLIENT REPLY OFF silences replies, not invalidations.
    step('A', 'CLIENT REPLY OFF', {}),
    step('B', 'SET k 6', { B: 1, A: 1 }),
    step('A', 'GET k', {}),
    step('A', 'SET k 7', { A: 1 }),
    step('A', 'CLIENT REPLY ON', { A: 1 }),
    step('A', 'CLIENT TRACKING off', { A: 1 }),
    step('A', 'CLIENT TRACKINGINFO', { A: 1 }),
    step('A', 'GET k', { A: 1 }),
    step('B', 'SET k 8', { B: 1 }),
  ],
};

export const bcastMode: TrackingScript = {
  name: 'BCAST with prefixes and NOLOOP',
  clients: ['A', 'B', 'C'],
  resp3: ['A', 'C'],
  steps: [
    step('A', 'CLIENT TRACKING on BCAST PREFIX user: PREFIX obj:', { A: 1 }),
    step('C', 'CLIENT TRACKING on BCAST NOLOOP', { C: 1 }),
    step('B', 'MSET user:2 x obj:1 y user:1 z other q', { B: 1, A: 2, C: 1 }),
    step('B', ['SET user:9 1', 'SET user:3 1', 'DEL user:3', 'DEL nokey'], { B: 4, A: 1, C: 1 }),
    // NOLOOP: C is not told of its own change.
    step('C', 'SET user:5 1', { C: 1, A: 1 }),
    step('A', 'SET obj:2 1', { A: 2, C: 1 }),
    step('A', 'FLUSHDB', { A: 2, C: 1 }),
    step('A', 'CLIENT TRACKINGINFO', { A: 1 }),
    step('C', 'CLIENT TRACKINGINFO', { C: 1 }),
    step('C', 'CLIENT TRACKING on BCAST PREFIX x', { C: 1 }),
    step('C', 'CLIENT TRACKINGINFO', { C: 1 }),
    step('B', 'SET xyz 1', { B: 1, A: 0, C: 1 }),
  ],
};

export const optInOut: TrackingScript = {
  name: 'OPTIN with CLIENT CACHING YES, OPTOUT with CLIENT CACHING NO, NOLOOP',
  clients: ['A', 'B'],
  resp3: ['A'],
  steps: [
    step('A', 'CLIENT TRACKING on OPTIN', { A: 1 }),
    step('A', 'GET o1', { A: 1 }),
    step('B', 'SET o1 x', { B: 1 }),
    step('A', ['CLIENT CACHING yes', 'GET o1', 'GET o2'], { A: 3 }),
    step('B', 'MSET o1 y o2 y', { B: 1, A: 1 }),
    step('A', ['CLIENT CACHING yes', 'MULTI', 'GET o1', 'GET o2', 'EXEC'], { A: 5 }),
    step('B', 'MSET o1 y o2 y', { B: 1, A: 2 }),
    step('A', ['MULTI', 'CLIENT CACHING yes', 'GET o1', 'EXEC', 'GET o2'], { A: 5 }),
    step('B', 'MSET o1 y o2 y', { B: 1, A: 1 }),
    step('A', 'CLIENT TRACKING off', { A: 1 }),
    step('A', ['CLIENT TRACKING on OPTOUT', 'GET o1', 'CLIENT CACHING no', 'GET o2'], { A: 4 }),
    step('B', 'MSET o1 y o2 y', { B: 1, A: 1 }),
    step('A', 'CLIENT TRACKING off', { A: 1 }),
    step('A', ['CLIENT TRACKING on NOLOOP', 'GET n1', 'SET n1 v', 'GET n1'], { A: 4 }),
    step('B', 'SET n1 z', { B: 1, A: 1 }),
    // NOLOOP does not hold back a flush.
    step('A', ['GET n1', 'FLUSHALL'], { A: 3 }),
  ],
};

export const redirection: TrackingScript = {
  name: 'REDIRECT: RESP2 subscribed target, broken redirect',
  clients: ['R', 'A', 'B', 'C'],
  resp3: ['C'],
  steps: [
    step('R', 'SUBSCRIBE foo', { R: 1 }),
    step('A', 'CLIENT TRACKING on REDIRECT {R}', { A: 1 }),
    step('A', 'GET k', { A: 1 }),
    // Subscribed to anything: the message comes on __redis__:invalidate.
    step('B', 'SET k 1', { B: 1, R: 1 }),
    step('R', 'SUBSCRIBE __redis__:invalidate', { R: 1 }),
    step('A', 'GET k', { A: 1 }),
    step('B', 'SET k 2', { B: 1, R: 1 }),
    step('A', 'FLUSHALL', { A: 1, R: 1 }),
    step('A', 'CLIENT GETREDIR', { A: 1 }, { ids: true }),
    step('R', 'UNSUBSCRIBE foo', { R: 1 }),
    step('R', 'UNSUBSCRIBE __redis__:invalidate', { R: 1 }),
    // Not subscribed, RESP2: nothing can be sent.
    step('A', 'GET k', { A: 1 }),
    step('B', 'SET k 3', { B: 1 }),
    // RESP2 without redirect: tracked, never told.
    step('A', 'CLIENT TRACKING on', { A: 1 }),
    step('A', 'GET k', { A: 1 }),
    step('B', 'SET k 4', { B: 1 }),
    step('A', 'CLIENT TRACKINGINFO', { A: 1 }),
    // The redirect client goes away: a RESP3 client is told at its next invalidation.
    step('C', 'CLIENT TRACKING on REDIRECT {R}', { C: 1 }),
    step('C', 'GET k', { C: 1 }),
    step('R', 'QUIT', { R: 1 }, { closes: 'R' }),
    step('B', 'SET k 5', { B: 1, C: 1 }, { ids: true }),
    step('C', 'CLIENT TRACKINGINFO', { C: 1 }, { ids: true }),
    step('C', 'GET k', { C: 1 }),
    step('B', 'FLUSHALL', { B: 1, C: 1 }, { ids: true }),
  ],
};

const e = (cmd: string): TrackingStep => step('A', cmd, { A: 1 });

export const trackingErrors: TrackingScript = {
  name: 'CLIENT TRACKING / CACHING argument errors',
  clients: ['A', 'B'],
  resp3: [],
  steps: [
    e('CLIENT TRACKING on REDIRECT 999999'),
    e('CLIENT TRACKING on REDIRECT 0'),
    e('CLIENT TRACKING on REDIRECT -5'),
    e('CLIENT TRACKING on REDIRECT abc'),
    e('CLIENT TRACKING on REDIRECT'),
    e('CLIENT TRACKING off REDIRECT 999999'),
    e('CLIENT TRACKING maybe'),
    e('CLIENT TRACKING on foo'),
    e('CLIENT TRACKING off foo'),
    e('CLIENT TRACKING'),
    e('CLIENT TRACKING on PREFIX a'),
    e('CLIENT TRACKING on BCAST OPTIN'),
    e('CLIENT TRACKING on BCAST OPTIN OPTOUT'),
    e('CLIENT TRACKING on OPTIN OPTOUT'),
    e('CLIENT TRACKING on BCAST PREFIX ab PREFIX a'),
    e('CLIENT TRACKING on BCAST PREFIX a PREFIX ab'),
    e('CLIENT TRACKING on BCAST PREFIX a PREFIX a'),
    e('CLIENT CACHING yes'),
    e('CLIENT CACHING'),
    e('CLIENT GETREDIR x'),
    e('CLIENT TRACKINGINFO x'),
    e('CLIENT TRACKING on REDIRECT {B} REDIRECT {B}'),
    e('CLIENT TRACKING on BCAST PREFIX a'),
    e('CLIENT TRACKING on BCAST PREFIX ab'),
    e('CLIENT TRACKING on BCAST PREFIX b PREFIX a'),
    e('CLIENT TRACKING on'),
    e('CLIENT TRACKING on BCAST NOLOOP'),
    e('CLIENT TRACKINGINFO'),
    e('CLIENT TRACKING off'),
    e('CLIENT TRACKING on OPTIN'),
    e('CLIENT CACHING no'),
    e('CLIENT CACHING maybe'),
    e('CLIENT CACHING yes'),
    e('CLIENT TRACKINGINFO'),
    e('CLIENT TRACKING on OPTOUT'),
    e('CLIENT TRACKING on'),
    e('CLIENT TRACKINGINFO'),
    e('CLIENT TRACKING off'),
    e('CLIENT TRACKING on OPTOUT'),
    e('CLIENT CACHING yes'),
    e('CLIENT CACHING no'),
    e('CLIENT TRACKINGINFO'),
    step('A', 'CLIENT TRACKING on REDIRECT {B}', { A: 1 }),
    step('A', 'CLIENT GETREDIR', { A: 1 }, { ids: true }),
    step('A', 'RESET', { A: 1 }),
    e('CLIENT GETREDIR'),
  ],
};

/** Monitor lines: the time and the client's address (not `lua`) differ between the servers. */
const monitorMask: Mask = (r) =>
  r.replace(/^\+\d+\.\d{6} /, '+<time> ').replace(/^(\+<time> \[\d+) (?!lua\])[^\]]+\]/, '$1 <addr>]');
const mon = (
  on: Who,
  cmd: string | Array<string | string[]>,
  expect: TrackingStep['expect'],
  unchecked?: Who[],
) => step(on, cmd, expect, { mask: monitorMask, unchecked });

export const monitor: TrackingScript = {
  name: 'MONITOR',
  clients: ['M', 'A', 'B'],
  resp3: [],
  steps: [
    mon('M', 'MONITOR', { M: 1 }),
    mon('A', [['SET', 'k', 'v 1"\\\n\t\x01\xff']], { A: 1, M: 1 }),
    mon('A', 'GET k', { A: 1, M: 1 }),
    // Refused before running: not shown.
    mon('A', 'NOSUCH x', { A: 1 }),
    mon('A', 'GET', { A: 1 }),
    // The database is the one the client is in once the command ran.
    mon('A', ['SELECT 2', 'SET a 1', 'SELECT 0'], { A: 3, M: 3 }),
    // MULTI, then the queued commands when EXEC runs them, then EXEC.
    mon('A', ['MULTI', 'SET x 1', 'GET x', 'EXEC'], { A: 4, M: 4 }),
    mon('A', ['MULTI', 'SET x 2', 'NOSUCH', 'EXEC'], { A: 4, M: 2 }),
    mon('A', ['MULTI', 'SET x 2', 'DISCARD'], { A: 3, M: 2 }),
    mon('A', ['WATCH x', 'UNWATCH'], { A: 2, M: 2 }),
    // Passwords are redacted.
    mon('A', 'AUTH u p', { A: 1, M: 1 }),
    mon('A', 'HELLO 2 AUTH default x SETNAME n', { A: 1, M: 1 }, ['A']),
    mon('A', 'HELLO 2', { A: 1, M: 1 }, ['A']),
    // Admin commands are never shown.
    mon('A', ['CONFIG GET maxmemory', 'CLIENT LIST', 'CLIENT ID'], { A: 3, M: 1 }, ['A']),
    mon('A', ['PING', 'ECHO hi'], { A: 2, M: 2 }),
    // A script is shown before the commands it runs, which show as `lua` in the script's database.
    mon(
      'A',
      [
        [
          'EVAL',
          "redis.call('set', KEYS[1], '1'); redis.call('select', '3'); return redis.call('get', KEYS[1])",
          '1',
          'lk',
        ],
      ],
      { A: 1, M: 4 },
    ),
    mon('A', ['MULTI', 'MONITOR', 'EXEC'], { A: 3, M: 2 }),
    // Subscribed clients are shown too.
    mon('B', 'SUBSCRIBE c', { B: 1, M: 1 }),
    mon('B', 'PING', { B: 1, M: 1 }),
    mon('B', 'UNSUBSCRIBE c', { B: 1, M: 1 }),
    // The monitor's own command: its reply, then its line. A monitor does not touch keys.
    mon('M', 'PING', { M: 2 }),
    mon('M', 'GET k', { M: 1 }),
    mon('M', 'PUBLISH c x', { M: 1 }),
    mon('M', 'MONITOR', {}),
    mon('M', 'RESET', { M: 1 }),
    mon('A', 'SET z 1', { A: 1 }),
  ],
};

export const TRACKING_SCRIPTS: readonly TrackingScript[] = [
  defaultMode,
  bcastMode,
  optInOut,
  redirection,
  trackingErrors,
  monitor,
];
