/**
 * The HTTP door's fast path: its three hottest requests, `GET /v1/keys/{key}` on a string key,
 * `PUT /v1/keys/{key}` and `POST /v1/kv` with a JSON body, answered straight from node:http,
 * before Fastify routes them. Fastify's per-request machinery (router, Request and Reply
 * objects, hook chains, reply serialization) costs more than the command itself; these
 * requests get the same answers without it.
 *
 * Same answers, byte for byte, because the same parts run: the door's session (bridge.begin:
 * Authorization header, maxclients, shutdown), the command table through the dispatcher (GET
 * with the TTL read after it (./read-ttl.ts), SET, a collection PUT's transaction: ACL, stats,
 * slowlog, keyspace events, CLIENT PAUSE), the routes' body validators (compiled by the app's
 * own validator compiler) and the resource API's error bodies. The writes are in ./fast-write.ts, the answers in
 * ./fast-answer.ts. Everything the fast path does not do itself, it leaves to Fastify,
 * deciding before it reads anything: the door not accepting, load shedding, protected mode,
 * keys with escapes or other bytes the router decodes, a query string, `Accept:
 * application/octet-stream`, a collection or other non-string key on GET (peeked, read-only),
 * a body that is not plainly sized JSON. A test (test/http-fast-path.test.ts) sends the same
 * requests with the fast path on and off and compares status, headers and bodies.
 *
 * A new onRequest hook or an option that changes these routes must be mirrored here (or make
 * `take` decline).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { CommandContext, ServerApi } from '../../commands/context.js';
import type { Reply } from '../../commands/reply.js';
import { ErrorReply } from '../../errors.js';
import type { Pressure } from '../../observability/pressure.js';
import { peekKind } from '../typed-value.js';
import type { HttpBridge } from './bridge.js';
import { encodeBytes } from './bytes.js';
import { fail, send } from './fast-answer.js';
import { type BodyValidator, FastWrites } from './fast-write.js';
import { pttlAfterGet } from './read-ttl.js';
import { notFound, unexpected } from './respond.js';
import { JSON_UTF8, KEYS_PREFIX, ttlOf } from './routes/key-path.js';
import { KvPostBody } from './schemas.js';
import { PutBody } from './schemas-typed.js';

export type { BodyValidator } from './fast-write.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

const GET = Buffer.from('GET');
const KV_PATH = '/v1/kv';
const KEY_ROUTE = '/v1/keys/:key';
const internal = new ErrorReply('INTERNAL', 'ERR internal error');

/**
 * Path characters the router passes through unchanged (RFC 3986 unreserved and sub-delims,
 * `:` and `@`): a key made only of these is its own JSON text. `%`, `/`, `?`, `#` and every
 * other byte go to Fastify.
 */
const PLAIN = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@")
  PLAIN[c.charCodeAt(0)] = 1;

/** A plain segment's bytes (one per character), read in the same pass that checks it; else null. */
function plainKey(url: string, start: number): Buffer | null {
  const n = url.length - start;
  if (n <= 0) return null;
  const key = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    const c = url.charCodeAt(start + i);
    if (c >= 128 || PLAIN[c] === 0) return null;
    key[i] = c;
  }
  return key;
}

/** A Content-Length of plain digits within `limit`, or -1. */
function bodyLength(req: IncomingMessage, limit: number): number {
  const h = req.headers['content-length'];
  if (h === undefined || req.headers['transfer-encoding'] !== undefined || !/^[0-9]{1,15}$/.test(h))
    return -1;
  const n = Number(h);
  return n > 0 && n <= limit ? n : -1;
}

/** A JSON body the fast path reads itself: exactly `application/json`, plainly sized. */
function jsonBodyLength(req: IncomingMessage, limit: number): number {
  return req.headers['content-type'] === 'application/json' ? bodyLength(req, limit) : -1;
}

export class FastPath {
  /** Requests answered here (INFO http `http_fast_path_requests`). */
  served = 0;
  private readonly server: ServerApi;
  private readonly writes: FastWrites;

  constructor(
    private readonly bridge: HttpBridge,
    private readonly pressure: Pressure,
    private readonly bodyLimit: number,
    validators: { kv: BodyValidator; put: BodyValidator },
    /** What the app does with everything else (Fastify's router). */
    private readonly fallback: RequestHandler,
  ) {
    this.server = bridge.host.server;
    this.writes = new FastWrites(bridge, validators.kv, validators.put, (err, res) =>
      this.internalError(err, res),
    );
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
    const onKey = (method === 'GET' || method === 'PUT') && url.startsWith(KEYS_PREFIX);
    if (!onKey && !(method === 'POST' && url === KV_PATH)) return false;
    const server = this.server;
    const socket = req.socket as Socket;
    if (!this.bridge.accepting || server.closing || this.pressure.underPressure() !== null) return false;
    // Registered connections only, and protected mode's refusals are the router's.
    if (!this.bridge.trackedAndAllowed(socket)) return false;
    // The key is its path segment's bytes (plain: one byte per character).
    const key = onKey ? plainKey(url, KEYS_PREFIX.length) : null;
    if (onKey && key === null) return false;
    if (method === 'GET') {
      if (req.headers.accept?.includes('application/octet-stream') === true) return false;
      // One instant for the whole read (peek, session, GET, TTL), as a transaction or a script
      // sees one: the key cannot expire between its value and its TTL, and the clock is read once.
      const clock = server.clock;
      clock.hold?.();
      try {
        // Sessions start on database 0: a collection (or another type) is the router's.
        if (peekKind(server.keyspace, 0, key!) !== 'string') return false;
        this.served++;
        this.readString(req, res, url.slice(KEYS_PREFIX.length), key!);
      } finally {
        clock.release?.();
      }
      return true;
    }
    const length = jsonBodyLength(req, this.bodyLimit);
    if (length < 0) return false;
    this.served++;
    this.writes.read(req, res, length, key);
    return true;
  }

  // ---- GET /v1/keys/{key}: GET and its TTL, as routes/keys.ts readKey for a string ----------

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
    const t = pttlAfterGet(this.bridge, ctx, key);
    if (t instanceof Promise)
      t.then((x) => sendValue(res, text, v, x)).catch((err) => this.internalError(err, res));
    else sendValue(res, text, v, t);
  }
}

/**
 * The value as JSON string text when every byte is printable ASCII other than `"` and `\\`
 * (what JSON and the route's serializer write as is), else null.
 */
function plainJson(v: Buffer): string | null {
  for (let i = 0; i < v.length; i++) {
    const b = v[i];
    if (b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c) return null;
  }
  return v.toString('latin1');
}

/**
 * The GetResponse of a string whose key is plain text, in the schema's property order (as the
 * route's compiled serializer writes it).
 */
function sendValue(res: ServerResponse, text: string, v: Buffer, t: Reply): undefined {
  const ttl = ttlOf(t);
  if (ttl instanceof ErrorReply) return fail(res, ttl);
  const plain = plainJson(v);
  if (plain !== null) {
    // All ASCII (the key is plain too): as many bytes as characters.
    const body = `{"key":"${text}","type":"string","value":"${plain}","encoding":"utf8","ttl_ms":${ttl}}`;
    send(res, 200, body, JSON_UTF8, body.length);
    return;
  }
  const val = encodeBytes(v);
  send(
    res,
    200,
    `{"key":"${text}","type":"string","value":${JSON.stringify(val.text)},"encoding":"${val.encoding}","ttl_ms":${ttl}}`,
  );
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
  // The routes' own body schemas (PUT's for its application/json content), compiled as Fastify
  // compiles them, so refusals carry the same text.
  const validators = {
    kv: compile({ schema: KvPostBody, method: 'POST', url: KV_PATH, httpPart: 'body' }) as BodyValidator,
    put: compile({ schema: PutBody, method: 'PUT', url: KEY_ROUTE, httpPart: 'body' }) as BodyValidator,
  };
  const fast = new FastPath(bridge, pressure, bodyLimit, validators, app.routing);
  const server = app.server;
  const listeners = server.listeners('request');
  if (listeners.length !== 1 || listeners[0] !== app.routing)
    throw new Error('the HTTP server does not have the app router as its one request listener');
  server.removeListener('request', app.routing);
  server.on('request', fast.handle);
  return fast;
}
