/**
 * The HTTP door's fast path: its two hottest requests, `GET /v1/keys/{key}` on a string key and
 * `POST /v1/kv` with a JSON body, answered straight from node:http, before Fastify routes them.
 * Fastify's per-request machinery (router, Request and Reply objects, hook chains, reply
 * serialization) costs more than the command itself; these requests get the same answers
 * without it.
 *
 * Same answers, byte for byte, because the same parts run: the door's session (bridge.begin:
 * Authorization header, maxclients, shutdown), the command table through the dispatcher (GET,
 * PTTL, SET: ACL, stats, slowlog, keyspace events, CLIENT PAUSE), the route's body validator
 * (compiled by the app's own validator compiler) and the resource API's error bodies.
 * Everything the fast path does not do itself, it leaves to Fastify, deciding before it reads
 * anything: the door not accepting, load shedding, protected mode, keys with escapes or other
 * bytes the router decodes, a query string, `Accept: application/octet-stream`, a collection or
 * other non-string key (peeked, read-only), a body that is not plainly sized JSON. A test
 * (test/http-fast-path.test.ts) sends the same requests with the fast path on and off and
 * compares status, headers and bodies.
 *
 * A new onRequest hook or an option that changes these two routes must be mirrored here (or
 * make `handles` decline).
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { CommandContext, ServerApi } from '../../commands/context.js';
import type { Reply } from '../../commands/reply.js';
import { ErrorReply } from '../../errors.js';
import type { Pressure } from '../../observability/pressure.js';
import { refusedByProtectedMode } from '../../security/protected-mode.js';
import { peekKind } from '../typed-value.js';
import type { HttpBridge } from './bridge.js';
import { encodeBytes, textBytes } from './bytes.js';
import { errorBody } from './render.js';
import { badRequest, eachErrorHeader, notFound, unexpected } from './respond.js';
import { JSON_UTF8, KEYS_PREFIX, ttlOf } from './routes/key-path.js';
import { setArgv } from './routes/keys.js';
import { KvPostBody } from './schemas.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A compiled body validator: true, or false with Ajv's `errors`. */
export interface BodyValidator {
  (data: unknown): boolean;
  errors?: Array<{ instancePath?: string; message?: string }> | null;
}

const GET = Buffer.from('GET');
const PTTL = Buffer.from('PTTL');
const KV_PATH = '/v1/kv';
const OK_JSON = '{"ok":true}';
const notUnicode = badRequest('key and value must be valid Unicode');
const internal = new ErrorReply('INTERNAL', 'ERR internal error');

/**
 * Path characters the router passes through unchanged (RFC 3986 unreserved and sub-delims,
 * `:` and `@`): a key made only of these is its own JSON text. `%`, `/`, `?`, `#` and every
 * other byte go to Fastify.
 */
const PLAIN = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@")
  PLAIN[c.charCodeAt(0)] = 1;

function plainSegment(url: string, start: number): boolean {
  if (url.length === start) return false;
  for (let i = start; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c >= 128 || PLAIN[c] === 0) return false;
  }
  return true;
}

/** A Content-Length of plain digits within `limit`, or -1. */
function bodyLength(req: IncomingMessage, limit: number): number {
  const h = req.headers['content-length'];
  if (h === undefined || req.headers['transfer-encoding'] !== undefined || !/^[0-9]{1,15}$/.test(h))
    return -1;
  const n = Number(h);
  return n > 0 && n <= limit ? n : -1;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': JSON_UTF8, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The resource API's error answer, as respond.ts `fail` gives it. */
function fail(res: ServerResponse, err: ErrorReply): undefined {
  eachErrorHeader(err, (name, value) => res.setHeader(name, value));
  send(res, err.http, JSON.stringify(errorBody(err)));
}

export class FastPath {
  /** Requests answered here (INFO http `http_fast_path_requests`). */
  served = 0;
  private readonly server: ServerApi;

  constructor(
    private readonly bridge: HttpBridge,
    private readonly pressure: Pressure,
    private readonly bodyLimit: number,
    private readonly validateKv: BodyValidator,
    /** What the app does with everything else (Fastify's router). */
    private readonly fallback: RequestHandler,
  ) {
    this.server = bridge.host.server;
  }

  /** A bug: logged and answered 500, as the app's error handler does. */
  private internalError(err: unknown, res: ServerResponse): void {
    this.bridge.host.logger.error({ err, url: res.req.url }, 'http: internal error');
    if (!res.headersSent) fail(res, internal);
  }

  /** The door's request listener. */
  readonly handle: RequestHandler = (req, res) => {
    let taken = false;
    try {
      taken = this.take(req, res);
    } catch (err) {
      this.internalError(err, res);
      return;
    }
    if (!taken) this.fallback(req, res);
  };

  /** Answer the request here (true), or decline without having touched it (false). */
  private take(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.method;
    const url = req.url ?? '';
    const get = method === 'GET' && url.startsWith(KEYS_PREFIX);
    if (!get && !(method === 'POST' && url === KV_PATH)) return false;
    const server = this.server;
    const socket = req.socket as Socket;
    if (!this.bridge.accepting || server.closing || !this.bridge.tracks(socket)) return false;
    if (this.pressure.underPressure() !== null) return false;
    if (refusedByProtectedMode(server, socket.remoteAddress)) return false;
    if (get) {
      if (!plainSegment(url, KEYS_PREFIX.length)) return false;
      if (req.headers.accept?.includes('application/octet-stream') === true) return false;
      // Sessions start on database 0: a collection (or another type) is the router's.
      const text = url.slice(KEYS_PREFIX.length);
      const key = Buffer.from(text, 'latin1');
      if (peekKind(server.keyspace, 0, key) !== 'string') return false;
      this.served++;
      this.readString(req, res, text, key);
      return true;
    }
    if (req.headers['content-type'] !== 'application/json') return false;
    const length = bodyLength(req, this.bodyLimit);
    if (length < 0) return false;
    this.served++;
    this.readBody(req, res, length);
    return true;
  }

  // ---- GET /v1/keys/{key}: GET and PTTL, as routes/keys.ts readKey for a string -------------

  private readString(req: IncomingMessage, res: ServerResponse, text: string, key: Buffer): void {
    const c = this.bridge.beginOn(req.socket as Socket, req.headers.authorization);
    if (c instanceof Promise) {
      c.then((x) => this.readWith(res, text, key, x)).catch((err) => this.internalError(err, res));
    } else {
      this.readWith(res, text, key, c);
    }
  }

  private readWith(
    res: ServerResponse,
    text: string,
    key: Buffer,
    c: CommandContext | ErrorReply,
  ): undefined {
    if (c instanceof ErrorReply) return fail(res, c);
    const v = this.bridge.run(c, [GET, key]);
    if (v instanceof Promise)
      v.then((x) => this.readTtl(res, c, text, key, x)).catch((err) => this.internalError(err, res));
    else this.readTtl(res, c, text, key, v);
  }

  private readTtl(res: ServerResponse, ctx: CommandContext, text: string, key: Buffer, v: Reply): undefined {
    if (v instanceof ErrorReply) return fail(res, v);
    if (v === null) return fail(res, notFound);
    if (!Buffer.isBuffer(v)) return fail(res, unexpected(v));
    const t = this.bridge.run(ctx, [PTTL, key]);
    if (t instanceof Promise)
      t.then((x) => sendValue(res, text, v, x)).catch((err) => this.internalError(err, res));
    else sendValue(res, text, v, t);
  }

  // ---- POST /v1/kv: the body, the route's validator, SET --------------------------------------

  private readBody(req: IncomingMessage, res: ServerResponse, length: number): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    // A request cut short is answered by no one: its socket is gone.
    req.on('error', () => undefined);
    req.on('end', () => {
      try {
        const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
        this.writeKv(req, res, body);
      } catch (err) {
        this.internalError(err, res);
      }
    });
  }

  private writeKv(req: IncomingMessage, res: ServerResponse, raw: Buffer): undefined {
    // As app.ts jsonParser; Fastify closes the connection after a body it could not parse.
    let body: unknown;
    let refused: ErrorReply | null = null;
    if (!isUtf8(raw)) refused = badRequest('request body is not valid UTF-8');
    else {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        refused = badRequest(`malformed JSON: ${(e as Error).message}`);
      }
    }
    if (refused !== null) {
      res.setHeader('connection', 'close');
      return fail(res, refused);
    }
    // Then Fastify's validation, answered through app.ts frameworkError.
    if (!this.validateKv(body)) return fail(res, badRequest(validationMessage(this.validateKv)));
    const kv = body as KvPostBody;
    const c = this.bridge.beginOn(req.socket as Socket, req.headers.authorization);
    if (c instanceof Promise) {
      c.then((x) => this.setWith(res, kv, x)).catch((err) => this.internalError(err, res));
    } else {
      this.setWith(res, kv, c);
    }
  }

  private setWith(res: ServerResponse, body: KvPostBody, c: CommandContext | ErrorReply): undefined {
    if (c instanceof ErrorReply) return fail(res, c);
    const key = textBytes(body.key);
    const value = textBytes(body.value);
    if (key === null || value === null) return fail(res, notUnicode);
    const argv = setArgv(key, value, { ttl_ms: body.ttl_ms });
    if (argv instanceof ErrorReply) return fail(res, argv);
    const r = this.bridge.run(c, argv);
    if (r instanceof Promise) r.then((x) => wrote(res, x)).catch((err) => this.internalError(err, res));
    else wrote(res, r);
  }
}

function wrote(res: ServerResponse, r: Reply): undefined {
  if (r instanceof ErrorReply) return fail(res, r);
  send(res, 200, OK_JSON);
}

/**
 * The GetResponse of a string whose key is plain text, in the schema's property order (as the
 * route's compiled serializer writes it).
 */
function sendValue(res: ServerResponse, text: string, v: Buffer, t: Reply): undefined {
  const ttl = ttlOf(t);
  if (ttl instanceof ErrorReply) return fail(res, ttl);
  const val = encodeBytes(v);
  send(
    res,
    200,
    `{"key":"${text}","type":"string","value":${JSON.stringify(val.text)},"encoding":"${val.encoding}","ttl_ms":${ttl}}`,
  );
}

/** Fastify's default schema error text for a body (`body/ttl_ms must be >= 1`). */
function validationMessage(v: BodyValidator): string {
  return (v.errors ?? []).map((e) => `body${e.instancePath ?? ''} ${e.message}`).join(', ');
}

/**
 * Put the fast path in front of the app's router on its server (Fastify made the server with
 * the router as its one 'request' listener). Call after `app.ready()`. The returned `handle` is
 * also what extra servers (other `bind` addresses) call.
 */
export function installFastPath(
  app: FastifyInstance,
  bridge: HttpBridge,
  pressure: Pressure,
  bodyLimit: number,
): FastPath {
  const compile = app.validatorCompiler;
  if (compile === undefined) throw new Error('the HTTP app has no validator compiler');
  const validate = compile({ schema: KvPostBody, method: 'POST', url: KV_PATH, httpPart: 'body' });
  const fast = new FastPath(bridge, pressure, bodyLimit, validate as BodyValidator, app.routing);
  const server = app.server;
  const listeners = server.listeners('request');
  if (listeners.length !== 1 || listeners[0] !== app.routing)
    throw new Error('the HTTP server does not have the app router as its one request listener');
  server.removeListener('request', app.routing);
  server.on('request', fast.handle);
  return fast;
}
