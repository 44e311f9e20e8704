/**
 * For the families' unit tests: one client on an in-process test server (real dispatcher,
 * manual clock), and replies flattened into plain values that read well in assertions:
 * bulk -> string, `+OK` -> '+OK', errors -> '-ERR ...', maps -> { map: [[k, v], ...] }.
 */
import { createTestServer, type TestServer, type TestServerOptions } from '../../server/testing.js';
import type { ClientState } from '../context.js';
import { ErrorReply, MapReply, type Reply, SimpleReply } from '../reply.js';

export type Plain =
  | string
  | number
  | bigint
  | null
  | Plain[]
  | { map: Array<[Plain, Plain]> }
  | { other: Reply };

export function plain(r: Reply): Plain {
  if (r === null) return null;
  if (Buffer.isBuffer(r)) return r.toString('utf8');
  if (typeof r === 'number' || typeof r === 'bigint') return r;
  if (r instanceof SimpleReply) return `+${r.value}`;
  if (r instanceof ErrorReply) return `-${r.message}`;
  if (Array.isArray(r)) return r.map(plain);
  if (r instanceof MapReply) return { map: r.entries.map(([k, v]) => [plain(k), plain(v)]) };
  return { other: r };
}

export interface Session {
  t: TestServer;
  client: ClientState;
  /** Run a command; the reply as returned by the dispatcher. */
  raw(...args: Array<string | Buffer>): Promise<Reply>;
  /** Run a command; the reply flattened by `plain`. */
  run(...args: Array<string | Buffer>): Promise<Plain>;
}

export function session(opts: TestServerOptions = {}): Session {
  const t = createTestServer(opts);
  const client = t.client();
  return {
    t,
    client,
    raw: (...args) => t.run(client, ...args),
    run: async (...args) => plain(await t.run(client, ...args)),
  };
}
