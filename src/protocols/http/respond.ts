/**
 * Small helpers the routes share: run with a session, chain replies that are usually plain
 * values but sometimes promises (without paying for async/await on the hot path), and answer
 * errors in the resource API's shape or the command API's.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../commands/context.js';
import type { Reply } from '../../commands/reply.js';
import { ErrorReply } from '../../errors.js';
import type { HttpBridge } from './bridge.js';
import { errorBody } from './render.js';

/** What a handler returns: nothing when it answered synchronously, else a promise of that. */
export type Done = void | Promise<void>;

export type ErrorShape = 'resource' | 'command';

export const notFound = new ErrorReply('NOT_FOUND', 'ERR no such key');
export const conditionFailed = new ErrorReply('CONDITION_FAILED', 'ERR condition not met');

export function badRequest(message: string): ErrorReply {
  return new ErrorReply('ERR', `ERR ${message}`);
}

/** A reply a route did not expect from its command: a bug in the mapping. */
export function unexpected(r: Reply): ErrorReply {
  return new ErrorReply('INTERNAL', `ERR unexpected reply ${String(r)}`);
}

/** The headers an error answer carries, for whoever writes it (a reply, the fast path). */
export function eachErrorHeader(
  err: ErrorReply,
  set: (name: string, value: string | string[]) => void,
): void {
  // One challenge per header line: browsers read only the first challenge of a line, and they
  // answer Basic (with the prompt) but not Bearer.
  if (err.http === 401) set('www-authenticate', ['Bearer realm="cairn"', 'Basic realm="cairn"']);
  if (err.kind === 'UNAVAILABLE' || err.kind === 'LOADING') set('retry-after', '1');
  // Shutting down or over maxclients: this connection should go; the client retries elsewhere.
  if (err.kind === 'UNAVAILABLE') set('connection', 'close');
}

function errorHeaders(reply: FastifyReply, err: ErrorReply): void {
  if (err.http === 401 || err.kind === 'UNAVAILABLE' || err.kind === 'LOADING')
    eachErrorHeader(err, (name, value) => reply.header(name, value));
}

/** Answer an error in the resource API's shape, with the table's HTTP status. */
export function fail(reply: FastifyReply, err: ErrorReply): void {
  errorHeaders(reply, err);
  reply.code(err.http).send(errorBody(err));
}

/** The command API's error body (`{"error": "ERR ..."}`), as Upstash answers. */
export function commandErrorBody(err: ErrorReply): string {
  return `{"error":${JSON.stringify(err.message)}}`;
}

/** Answer an error in the command API's shape, as Upstash does. */
export function failCommand(reply: FastifyReply, err: ErrorReply): void {
  errorHeaders(reply, err);
  reply.code(err.http).type('application/json').send(commandErrorBody(err));
}

export function failIn(shape: ErrorShape, reply: FastifyReply, err: ErrorReply): void {
  if (shape === 'command') failCommand(reply, err);
  else fail(reply, err);
}

/** Continue with `r` now, or when it settles. */
export function after(r: Reply | Promise<Reply>, fn: (r: Reply) => Done): Done {
  return r instanceof Promise ? r.then(fn) : fn(r);
}

/** Run `fn` with an authenticated session for this request, or answer why not. */
export function withSession(
  bridge: HttpBridge,
  req: FastifyRequest,
  reply: FastifyReply,
  shape: ErrorShape,
  fn: (ctx: CommandContext) => Done,
): Done {
  const c = bridge.begin(req);
  if (c instanceof Promise) {
    return c.then((x) => (x instanceof ErrorReply ? failIn(shape, reply, x) : fn(x)));
  }
  if (c instanceof ErrorReply) return failIn(shape, reply, c);
  return fn(c);
}
