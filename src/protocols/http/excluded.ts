/**
 * Commands the HTTP door does not run, and why. Every HTTP request gets a fresh client session
 * that ends with the response, so commands whose whole point is connection state make no
 * sense here (or would mislead: CLIENT SETNAME on a session that is gone a millisecond later).
 * Everything else in the command table is reachable through the command API (`POST /`).
 * Commands flagged `nohttp` in their spec are refused too. A test checks that every command is
 * either reachable or listed, and that every name here exists in the table.
 */

import type { CommandTable } from '../../commands/registry.js';
import { ErrorReply } from '../../errors.js';

export interface Exclusion {
  readonly reason: string;
  /**
   * Allowed inside `/pipeline` and `/multi-exec`, where one session lives for the whole batch
   * (SELECT there picks the database for the commands after it).
   */
  readonly inBatch?: true;
}

/** Keyed by the table's full name: `quit`, or `client|reply` for a subcommand. */
export const HTTP_EXCLUDED: Readonly<Record<string, Exclusion>> = {
  multi: { reason: 'use POST /multi-exec for a transaction' },
  exec: { reason: 'use POST /multi-exec for a transaction' },
  discard: { reason: 'use POST /multi-exec for a transaction' },
  watch: { reason: 'WATCH needs a session that outlives one request' },
  unwatch: { reason: 'WATCH needs a session that outlives one request' },
  select: {
    reason: 'a request is its own session: use SELECT inside /pipeline or /multi-exec',
    inBatch: true,
  },
  quit: { reason: 'an HTTP request ends by itself' },
  reset: { reason: 'it resets a connection session; HTTP sessions last one request' },
  hello: { reason: 'it negotiates the RESP protocol; HTTP speaks JSON' },
  auth: { reason: 'send credentials in the Authorization header (Bearer token or Basic)' },
  shutdown: { reason: 'stop the server with a signal (SIGTERM), not over HTTP' },
  'client|reply': { reason: 'HTTP always answers' },
  'client|setname': { reason: 'it names a session that ends with the request' },
  'client|setinfo': { reason: 'it describes a session that ends with the request' },
  'client|no-evict': { reason: 'it flags a session that ends with the request' },
  subscribe: {
    reason: 'stream messages with GET /v1/subscribe or POST /subscribe/<channel> (Server-Sent Events)',
  },
  psubscribe: {
    reason:
      'stream messages with GET /v1/subscribe?pattern= or POST /psubscribe/<pattern> (Server-Sent Events)',
  },
  ssubscribe: {
    reason:
      'stream messages with GET /v1/subscribe?shard= or POST /ssubscribe/<channel> (Server-Sent Events)',
  },
  unsubscribe: { reason: 'close the Server-Sent-Events stream' },
  punsubscribe: { reason: 'close the Server-Sent-Events stream' },
  sunsubscribe: { reason: 'close the Server-Sent-Events stream' },
};

/** Why a command is refused over HTTP, computed once per table. */
export class HttpExclusions {
  /** Full name -> exclusion, including specs flagged `nohttp`. */
  readonly byName = new Map<string, Exclusion>();
  private readonly containers = new Set<string>();

  constructor(table: CommandTable) {
    for (const [name, ex] of Object.entries(HTTP_EXCLUDED)) this.byName.set(name, ex);
    for (const e of table.all()) {
      if (e.spec.flags.includes('nohttp') && !this.byName.has(e.fullName)) {
        this.byName.set(e.fullName, { reason: 'it is connection-scoped' });
      }
    }
    for (const name of this.byName.keys()) {
      const bar = name.indexOf('|');
      if (bar > 0) this.containers.add(name.slice(0, bar));
    }
  }

  /** The refusal for argv, or null when the command may run. `batch`: inside /pipeline or /multi-exec. */
  check(argv: readonly Buffer[], batch: boolean): ErrorReply | null {
    if (argv.length === 0) return null;
    let name = argv[0].length <= 64 ? argv[0].toString('latin1').toLowerCase() : '';
    if (argv.length > 1 && this.containers.has(name)) {
      name = `${name}|${argv[1].length <= 64 ? argv[1].toString('latin1').toLowerCase() : ''}`;
    }
    const ex = this.byName.get(name);
    if (ex === undefined || (batch && ex.inBatch)) return null;
    return new ErrorReply('ERR', `ERR '${name.replace('|', ' ')}' is not available over HTTP: ${ex.reason}`);
  }
}
