/**
 * One key as a resource: `/v1/keys/{key}` and its `/ttl` and `/incr`. Each route is a thin
 * mapping onto commands (GET, SET, DEL, PTTL, PEXPIRE, PERSIST, INCRBY; whole collections in
 * keys-typed.ts); keys come from the raw request target, percent-decoded to bytes, never from
 * the router's string decoding.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../commands/context.js';
import type { Reply } from '../../../commands/reply.js';
import { ErrorReply } from '../../../errors.js';
import { peekKind } from '../../typed-value.js';
import type { HttpBridge } from '../bridge.js';
import { decodeText, encodeBytes } from '../bytes.js';
import { pttlAfterGet } from '../read-ttl.js';
import { after, badRequest, conditionFailed, type Done, fail, notFound, unexpected } from '../respond.js';
import {
  errors,
  GetResponse,
  IncrBody,
  IncrResponse,
  KeyParams,
  OkResponse,
  RawBytes,
  type SetBody,
  SetQuery,
  TtlBody,
  TtlResponse,
} from '../schemas.js';
import { AnyGetResponse, type CollectionPutBody, PutBody } from '../schemas-typed.js';
import { JSON_UTF8, keyText, pathKey, ttlOf, wantsRaw } from './key-path.js';
import { readTyped, writeTyped } from './keys-typed.js';

const TAGS = ['keys'];

const GET = Buffer.from('GET');
const SET = Buffer.from('SET');
const DEL = Buffer.from('DEL');
const PTTL = Buffer.from('PTTL');
const PEXPIRE = Buffer.from('PEXPIRE');
const PERSIST = Buffer.from('PERSIST');
const EXISTS = Buffer.from('EXISTS');
const INCRBY = Buffer.from('INCRBY');
const PX = Buffer.from('PX');
const NX = Buffer.from('NX');
const XX = Buffer.from('XX');
const KEEPTTL = Buffer.from('KEEPTTL');

const badKey = badRequest('invalid percent-encoding in key');
const noBody = badRequest(
  'a body is required: JSON {"value": ...} or the raw bytes as application/octet-stream',
);

/** OkResponse `{ok: true}`, serialized once: a write answers the same bytes every time. */
const OK_JSON = '{"ok":true}';

/**
 * A route body for one key. Plain functions of their inputs (no closure per request): these
 * are the door's hot paths.
 */
type KeyHandler = (
  bridge: HttpBridge,
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: CommandContext,
  key: Buffer,
) => Done;

/** Open a session, take the key from the path, run `fn`; or answer why not. */
function onKey(bridge: HttpBridge, req: FastifyRequest, reply: FastifyReply, fn: KeyHandler): Done {
  const c = bridge.begin(req);
  if (c instanceof Promise) return c.then((x) => withKey(bridge, req, reply, fn, x));
  return withKey(bridge, req, reply, fn, c);
}

function withKey(
  bridge: HttpBridge,
  req: FastifyRequest,
  reply: FastifyReply,
  fn: KeyHandler,
  c: CommandContext | ErrorReply,
): Done {
  if (c instanceof ErrorReply) return fail(reply, c);
  const key = pathKey(req);
  if (key === null) return fail(reply, badKey);
  return fn(bridge, req, reply, c, key);
}

// ---- GET: the type (peeked), the value (GET; a collection in keys-typed.ts), its TTL ---------

const readKey: KeyHandler = (bridge, req, reply, ctx, key) => {
  const kind = peekKind(ctx.server.keyspace, ctx.client.db, key);
  if (kind instanceof ErrorReply) return fail(reply, kind);
  if (kind !== 'string') return readTyped(bridge, req, reply, ctx, key, kind);
  const v = bridge.run(ctx, [GET, key]);
  if (v instanceof Promise) return v.then((x) => readTtl(bridge, req, reply, ctx, key, x));
  return readTtl(bridge, req, reply, ctx, key, v);
};

function readTtl(
  bridge: HttpBridge,
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: CommandContext,
  key: Buffer,
  v: Reply,
): Done {
  if (v instanceof ErrorReply) return fail(reply, v);
  if (v === null) return fail(reply, notFound);
  if (!Buffer.isBuffer(v)) return fail(reply, unexpected(v));
  if (wantsRaw(req)) {
    reply.type('application/octet-stream').send(v);
    return;
  }
  const t = pttlAfterGet(bridge, ctx, key);
  if (t instanceof Promise) return t.then((x) => sendValue(req, reply, key, v, x));
  return sendValue(req, reply, key, v, t);
}

function sendValue(req: FastifyRequest, reply: FastifyReply, key: Buffer, v: Buffer, t: Reply): Done {
  const ttl = ttlOf(t);
  if (ttl instanceof ErrorReply) return fail(reply, ttl);
  const k = keyText(req, key);
  const val = encodeBytes(v);
  const body =
    k.encoding === 'utf8'
      ? { key: k.text, type: 'string', value: val.text, encoding: val.encoding, ttl_ms: ttl }
      : {
          key: k.text,
          key_encoding: k.encoding,
          type: 'string',
          value: val.text,
          encoding: val.encoding,
          ttl_ms: ttl,
        };
  // The route also answers raw bytes, so Fastify would look the serializer up by media type on
  // every reply; take the schema's compiled serializer directly instead.
  reply.type(JSON_UTF8).send(reply.serializeInput(body, GetResponse));
}

// ---- PUT: SET with the options (a collection in keys-typed.ts) ------------------------------

const writeKey: KeyHandler = (bridge, req, reply, ctx, key) => {
  const body = req.body as SetBody | CollectionPutBody | Buffer | undefined | null;
  let argv: Buffer[] | ErrorReply;
  if (Buffer.isBuffer(body)) {
    argv = setArgv(key, body, req.query as SetQuery);
  } else if (body === null || typeof body !== 'object') {
    return fail(reply, noBody);
  } else if (isCollectionBody(body)) {
    return writeTyped(bridge, reply, ctx, key, body);
  } else {
    const value = decodeText(body.value, body.encoding);
    if (value === null) return fail(reply, badRequest(`value is not valid ${body.encoding ?? 'text'}`));
    argv = setArgv(key, value, body);
  }
  if (argv instanceof ErrorReply) return fail(reply, argv);
  const r = bridge.run(ctx, argv);
  if (r instanceof Promise) return r.then((x) => wrote(reply, x));
  return wrote(reply, r);
};

export function isCollectionBody(b: SetBody | CollectionPutBody): b is CollectionPutBody {
  return b.type !== undefined && b.type !== 'string';
}

function wrote(reply: FastifyReply, r: Reply): Done {
  if (r instanceof ErrorReply) return fail(reply, r);
  if (r === null) return fail(reply, conditionFailed);
  reply.type(JSON_UTF8).send(OK_JSON);
}

// ---- DELETE: DEL ----------------------------------------------------------------------------

const deleteKey: KeyHandler = (bridge, _req, reply, ctx, key) => {
  const r = bridge.run(ctx, [DEL, key]);
  if (r instanceof Promise) return r.then((x) => deleted(reply, x));
  return deleted(reply, r);
};

function deleted(reply: FastifyReply, r: Reply): Done {
  if (r instanceof ErrorReply) return fail(reply, r);
  if (r === 0) return fail(reply, notFound);
  reply.code(204).send();
}

interface SetOptions {
  ttl_ms?: number;
  condition?: 'if-absent' | 'if-present';
  keep_ttl?: boolean;
}

/** SET argv for a value and the options shared by the JSON and raw forms. */
export function setArgv(key: Buffer, value: Buffer, o: SetOptions): Buffer[] | ErrorReply {
  const argv = [SET, key, value];
  if (o.ttl_ms !== undefined) {
    if (o.keep_ttl) return badRequest('ttl_ms and keep_ttl cannot be combined');
    argv.push(PX, Buffer.from(String(o.ttl_ms)));
  }
  if (o.condition === 'if-absent') argv.push(NX);
  else if (o.condition === 'if-present') argv.push(XX);
  if (o.keep_ttl) argv.push(KEEPTTL);
  return argv;
}

export function keyRoutes(app: FastifyInstance, bridge: HttpBridge): void {
  app.get<{ Params: KeyParams }>(
    '/v1/keys/:key',
    {
      schema: {
        tags: TAGS,
        operationId: 'getKey',
        summary: 'Read a key',
        description:
          'The value with its type, encoding and time to live: a string as text, a hash as an object, a list or ' +
          'a set as an array, a sorted set as `[{"member", "score"}]`. With `Accept: application/octet-stream`, ' +
          'a string’s raw bytes (409 `wrong_type` for a collection).',
        params: KeyParams,
        response: {
          200: {
            description: 'The value.',
            content: {
              'application/json': { schema: AnyGetResponse },
              'application/octet-stream': { schema: RawBytes },
            },
          },
          ...errors(404, 409),
        },
      },
    },
    (req, reply) => onKey(bridge, req, reply, readKey),
  );

  app.put<{ Params: KeyParams; Body: SetBody | Buffer; Querystring: SetQuery }>(
    '/v1/keys/:key',
    {
      schema: {
        tags: TAGS,
        operationId: 'putKey',
        summary: 'Write a key',
        description:
          'A JSON body `{"value", "ttl_ms"?, "condition"?, "keep_ttl"?, "encoding"?}`, or the raw bytes with ' +
          '`Content-Type: application/octet-stream` and the options as query parameters. A whole collection with ' +
          '`"type"`: `{"type": "hash", "value": {"f": "v"}}`, `{"type": "list"|"set", "value": ["a"]}`, ' +
          '`{"type": "zset", "value": [{"member": "a", "score": 1}]}`, which replaces the key atomically ' +
          '(MULTI, DEL, HSET/RPUSH/SADD/ZADD, EXEC: the user needs those commands); an empty collection ' +
          'deletes the key. 409 when the condition is not met.',
        params: KeyParams,
        querystring: SetQuery,
        body: {
          content: {
            'application/json': { schema: PutBody },
            'application/octet-stream': { schema: RawBytes },
          },
        },
        response: { 200: OkResponse, ...errors(409, 413, 415, 507) },
      },
    },
    (req, reply) => onKey(bridge, req, reply, writeKey),
  );

  app.delete<{ Params: KeyParams }>(
    '/v1/keys/:key',
    {
      schema: {
        tags: TAGS,
        operationId: 'deleteKey',
        summary: 'Delete a key',
        params: KeyParams,
        response: { 204: { description: 'Deleted.', type: 'null' }, ...errors(404) },
      },
    },
    (req, reply) => onKey(bridge, req, reply, deleteKey),
  );

  app.get<{ Params: KeyParams }>(
    '/v1/keys/:key/ttl',
    {
      schema: {
        tags: TAGS,
        operationId: 'getKeyTtl',
        summary: 'Time to live of a key',
        params: KeyParams,
        response: { 200: TtlResponse, ...errors(404) },
      },
    },
    (req, reply) =>
      onKey(bridge, req, reply, (_bridge, _req, _reply, ctx, key) =>
        after(bridge.run(ctx, [PTTL, key]), (r) => {
          if (r === -2) return fail(reply, notFound);
          const ttl = ttlOf(r);
          if (ttl instanceof ErrorReply) return fail(reply, ttl);
          reply.send({ ttl_ms: ttl });
        }),
      ),
  );

  app.put<{ Params: KeyParams; Body: TtlBody }>(
    '/v1/keys/:key/ttl',
    {
      schema: {
        tags: TAGS,
        operationId: 'putKeyTtl',
        summary: 'Set the time to live of a key',
        params: KeyParams,
        body: TtlBody,
        response: { 200: TtlResponse, ...errors(404) },
      },
    },
    (req, reply) =>
      onKey(bridge, req, reply, (_bridge, _req, _reply, ctx, key) =>
        after(bridge.run(ctx, [PEXPIRE, key, Buffer.from(String(req.body.ttl_ms))]), (r) => {
          if (r instanceof ErrorReply) return fail(reply, r);
          if (r === 0) return fail(reply, notFound);
          reply.send({ ttl_ms: req.body.ttl_ms });
        }),
      ),
  );

  app.delete<{ Params: KeyParams }>(
    '/v1/keys/:key/ttl',
    {
      schema: {
        tags: TAGS,
        operationId: 'deleteKeyTtl',
        summary: 'Make a key persistent (remove its time to live)',
        params: KeyParams,
        response: { 204: { description: 'The key no longer expires.', type: 'null' }, ...errors(404) },
      },
    },
    (req, reply) =>
      onKey(bridge, req, reply, (_bridge, _req, _reply, ctx, key) =>
        after(bridge.run(ctx, [PERSIST, key]), (r) => {
          if (r instanceof ErrorReply) return fail(reply, r);
          if (r === 1) return void reply.code(204).send();
          // PERSIST says 0 both for a missing key and for one without a TTL.
          return after(bridge.run(ctx, [EXISTS, key]), (e) => {
            if (e instanceof ErrorReply) return fail(reply, e);
            if (e === 0) return fail(reply, notFound);
            reply.code(204).send();
          });
        }),
      ),
  );

  app.post<{ Params: KeyParams; Body: IncrBody | undefined }>(
    '/v1/keys/:key/incr',
    {
      schema: {
        tags: TAGS,
        operationId: 'incrKey',
        summary: 'Add to an integer value',
        description: 'INCRBY: a missing key counts as 0. The body is optional (`{"by": 1}`).',
        params: KeyParams,
        // Per media type, so that a request without a body is not validated as one.
        body: { content: { 'application/json': { schema: IncrBody } } },
        response: { 200: IncrResponse, ...errors(409) },
      },
    },
    (req, reply) =>
      onKey(bridge, req, reply, (_bridge, _req, _reply, ctx, key) => {
        const by = req.body?.by ?? 1;
        return after(bridge.run(ctx, [INCRBY, key, Buffer.from(String(by))]), (r) => {
          if (r instanceof ErrorReply) return fail(reply, r);
          if (typeof r !== 'number' && typeof r !== 'bigint') return fail(reply, unexpected(r));
          reply.send({ value: r });
        });
      }),
  );
}
