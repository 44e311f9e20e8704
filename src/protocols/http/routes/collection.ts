/**
 * Many keys at once: the paged listing (SCAN), MGET by query or body, and the original
 * service's two bodies on `/v1/kv` (SET one key; MSET an object of keys).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CommandContext } from '../../../commands/context.js';
import { ErrorReply } from '../../../errors.js';
import type { HttpBridge } from '../bridge.js';
import { decodeText, encodeList, queryValues, textBytes } from '../bytes.js';
import { after, badRequest, type Done, fail, unexpected, withSession } from '../respond.js';
import {
  errors,
  KvPostBody,
  KvPutBody,
  KvPutResponse,
  ListQuery,
  ListResponse,
  MgetBody,
  MgetResponse,
  OkResponse,
} from '../schemas.js';
import { setArgv } from './keys.js';

const TAGS = ['keys'];
const SCAN = Buffer.from('SCAN');
const MATCH = Buffer.from('MATCH');
const COUNT = Buffer.from('COUNT');
const MGET = Buffer.from('MGET');
const MSET = Buffer.from('MSET');
const DEFAULT_PAGE_KEYS = 100;

const badQuery = badRequest('invalid percent-encoding in query string');

/** Glob-escape a literal prefix (`*`, `?`, `[`, `]`, `\` match themselves). */
export function escapeGlob(b: Buffer): Buffer {
  const out: number[] = [];
  for (const c of b) {
    if (c === 0x2a || c === 0x3f || c === 0x5b || c === 0x5d || c === 0x5c) out.push(0x5c);
    out.push(c);
  }
  return Buffer.from(out);
}

function mget(bridge: HttpBridge, ctx: CommandContext, reply: FastifyReply, keys: Buffer[]): Done {
  return after(bridge.run(ctx, [MGET, ...keys]), (r) => {
    if (r instanceof ErrorReply) return fail(reply, r);
    if (!Array.isArray(r)) return fail(reply, unexpected(r));
    const { items, encoding } = encodeList(r as Array<Buffer | null>);
    reply.send({ values: items, encoding });
  });
}

export function collectionRoutes(app: FastifyInstance, bridge: HttpBridge): void {
  app.get<{ Querystring: ListQuery }>(
    '/v1/keys',
    {
      schema: {
        tags: TAGS,
        operationId: 'listKeys',
        summary: 'List keys, or fetch several',
        description:
          'A page of keys (SCAN): pass the returned `cursor` back until it is "0"; a page may hold fewer keys ' +
          'than `limit`, even none, before the end. With `?key=a&key=b` instead: their values (MGET). Keys ' +
          'are base64 as a whole list when any of them is not valid UTF-8.',
        querystring: ListQuery,
        response: {
          200: {
            description: 'A page of keys, or with `key=` the values.',
            content: { 'application/json': { schema: { anyOf: [ListResponse, MgetResponse] } } },
          },
          ...errors(),
        },
      },
    },
    (req, reply) =>
      withSession(bridge, req, reply, 'resource', (ctx) => {
        // Bytes from the raw query: the framework's parse is text, and keys are bytes.
        const url = req.originalUrl;
        const keys = queryValues(url, 'key');
        if (keys === null) return fail(reply, badQuery);
        const q = req.query;
        if (keys.length > 0) {
          if (q.prefix !== undefined || q.match !== undefined || q.cursor !== undefined) {
            return fail(
              reply,
              badRequest('key= fetches keys; it does not combine with prefix, match or cursor'),
            );
          }
          return mget(bridge, ctx, reply, keys);
        }
        const prefix = queryValues(url, 'prefix');
        const match = queryValues(url, 'match');
        if (prefix === null || match === null) return fail(reply, badQuery);
        const argv = [SCAN, Buffer.from(q.cursor ?? '0')];
        if (prefix.length > 0 || match.length > 0) {
          const head = prefix.length > 0 ? escapeGlob(prefix[0]) : Buffer.alloc(0);
          argv.push(MATCH, Buffer.concat([head, match.length > 0 ? match[0] : Buffer.from('*')]));
        }
        argv.push(COUNT, Buffer.from(String(q.limit ?? DEFAULT_PAGE_KEYS)));
        return after(bridge.run(ctx, argv), (r) => {
          if (r instanceof ErrorReply) return fail(reply, r);
          if (!Array.isArray(r) || r.length !== 2 || !Buffer.isBuffer(r[0]) || !Array.isArray(r[1])) {
            return fail(reply, unexpected(r));
          }
          const { items, encoding } = encodeList(r[1] as Buffer[]);
          reply.send({ keys: items, encoding, cursor: r[0].toString('latin1') });
        });
      }),
  );

  app.post<{ Body: MgetBody }>(
    '/v1/mget',
    {
      schema: {
        tags: TAGS,
        operationId: 'mgetKeys',
        summary: 'Fetch several keys (MGET)',
        description: 'For more keys than fit in a query string. `encoding: base64` when the keys are base64.',
        body: MgetBody,
        response: { 200: MgetResponse, ...errors(413, 415) },
      },
    },
    (req, reply) =>
      withSession(bridge, req, reply, 'resource', (ctx) => {
        const keys: Buffer[] = [];
        for (const k of req.body.keys) {
          const b = decodeText(k, req.body.encoding);
          if (b === null) return fail(reply, badRequest(`key is not valid ${req.body.encoding ?? 'text'}`));
          keys.push(b);
        }
        return mget(bridge, ctx, reply, keys);
      }),
  );

  app.post<{ Body: KvPostBody }>(
    '/v1/kv',
    {
      schema: {
        tags: ['kv'],
        operationId: 'postKv',
        summary: 'Write one key: {"key", "value"}',
        description: 'The original service’s Set body, with an optional `ttl_ms`.',
        body: KvPostBody,
        response: { 200: OkResponse, ...errors(413, 415, 507) },
      },
    },
    (req, reply) =>
      withSession(bridge, req, reply, 'resource', (ctx) => {
        const key = textBytes(req.body.key);
        const value = textBytes(req.body.value);
        if (key === null || value === null)
          return fail(reply, badRequest('key and value must be valid Unicode'));
        const argv = setArgv(key, value, { ttl_ms: req.body.ttl_ms });
        if (argv instanceof ErrorReply) return fail(reply, argv);
        return after(bridge.run(ctx, argv), (r) => {
          if (r instanceof ErrorReply) return fail(reply, r);
          reply.send({ ok: true });
        });
      }),
  );

  app.put<{ Body: KvPutBody }>(
    '/v1/kv',
    {
      schema: {
        tags: ['kv'],
        operationId: 'putKv',
        summary: 'Write many keys at once: {"<key>": "<value>", ...}',
        description: 'The original brief’s body, stored in one step (MSET): all keys or none.',
        body: KvPutBody,
        response: { 200: KvPutResponse, ...errors(413, 415, 507) },
      },
    },
    (req, reply) =>
      withSession(bridge, req, reply, 'resource', (ctx) => {
        // Own keys only; JSON.parse makes `__proto__` an ordinary own property, stored as a key.
        const argv: Buffer[] = [MSET];
        for (const k of Object.keys(req.body)) {
          const key = textBytes(k);
          const value = textBytes(req.body[k]);
          if (key === null || value === null)
            return fail(reply, badRequest('keys and values must be valid Unicode'));
          argv.push(key, value);
        }
        return after(bridge.run(ctx, argv), (r) => {
          if (r instanceof ErrorReply) return fail(reply, r);
          reply.send({ ok: true, count: (argv.length - 1) / 2 });
        });
      }),
  );
}
