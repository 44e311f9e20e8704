/** Sorted-set unit tests: a session whose replies show scores as Redis prints them. */
import { formatDouble } from '../../util/double.js';
import { DoubleReply, NULL_ARRAY, type Reply } from '../reply.js';
import { plain, type Session, session } from './test-helpers.js';

/** Replies with scores readable: a double as `d:<Redis's %.17g text>`. */
export function show(r: Reply): unknown {
  if (r instanceof DoubleReply) return `d:${formatDouble(r.value)}`;
  if (Array.isArray(r)) return r.map(show);
  if (r === NULL_ARRAY) return 'null-array';
  return plain(r);
}

export type ZSession = Session & { z(...args: Array<string | Buffer>): Promise<unknown> };

export function zsession(): ZSession {
  const s = session();
  return Object.assign(s, { z: async (...args: Array<string | Buffer>) => show(await s.raw(...args)) });
}
