/**
 * Pub/sub over Server-Sent Events, two ways onto the same hub:
 *
 * - `GET /v1/subscribe?channel=a&pattern=news.*&keyspace=user:*` for browsers (EventSource):
 *   named events (`subscribe`, `psubscribe`, `ssubscribe` confirmations; `message`,
 *   `pmessage`, `smessage`) whose data is JSON, strings as UTF-8 text or base64 as the rest of
 *   the HTTP API gives them (`?encoding=base64` for every string);
 * - `POST /subscribe/<channel>`, `/psubscribe/<pattern>` (and `/ssubscribe/<shard channel>`),
 *   Upstash's REST form, which `@upstash/redis`'s `subscribe()` / `psubscribe()` read:
 *   `data: subscribe,<channel>,<count>`, `data: message,<channel>,<message>`,
 *   `data: pmessage,<pattern>,<channel>,<message>`, the message as its raw bytes (a message
 *   with line breaks is sent as several `data:` lines, which that client cannot join).
 *
 * Either way the subscriptions are SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE run through the
 * dispatcher (../../subscriptions.ts): the same authentication and ACL channel rules as RESP,
 * a refusal answered (401, 403) before the stream starts. The stream's client is the
 * connection's (CLIENT LIST shows it with `sub=`, CLIENT KILL ends it); closing the stream
 * unsubscribes it. Bounds and heartbeats: ../sse.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext, PubSubMessage } from '../../../commands/context.js';
import { ErrorReply, Errors } from '../../../errors.js';
import {
  type Confirmation,
  nothingToSubscribe,
  subscribeAll,
  subscriptionCommands,
} from '../../subscriptions.js';
import type { HttpBridge } from '../bridge.js';
import { encodeBytes, queryValues, rawSegments } from '../bytes.js';
import { badRequest, type Done, type ErrorShape, fail, failIn, withSession } from '../respond.js';
import { CommandError, errors } from '../schemas.js';
import { eventStream, SubscribeQuery } from '../schemas-sse.js';
import { SseStream, sseEvent } from '../sse.js';

/** How a stream renders confirmations and messages. */
interface Format {
  confirmation(c: Confirmation): Buffer;
  message(msg: PubSubMessage): Buffer;
}

/** A string field of the JSON events: text when valid UTF-8 (unless base64 is asked for). */
function text(b: Buffer, base64: boolean): { text: string; encoding: 'utf8' | 'base64' } {
  return base64 ? { text: b.toString('base64'), encoding: 'base64' } : encodeBytes(b);
}

/** Cairn's events: named, JSON data; `<name>_encoding` appears when a name is base64. */
export function jsonFormat(base64: boolean): Format {
  const named = (out: Record<string, unknown>, field: string, b: Buffer) => {
    const t = text(b, base64);
    out[field] = t.text;
    if (t.encoding === 'base64') out[`${field}_encoding`] = 'base64';
  };
  return {
    confirmation(c) {
      const out: Record<string, unknown> = {};
      named(out, c.verb === 'psubscribe' ? 'pattern' : 'channel', c.name);
      out.count = c.count;
      return sseEvent(JSON.stringify(out), c.verb);
    },
    message(msg) {
      const out: Record<string, unknown> = {};
      if (msg.pattern !== null) named(out, 'pattern', msg.pattern);
      named(out, 'channel', msg.channel);
      const m = text(msg.message, base64);
      out.message = m.text;
      out.encoding = m.encoding;
      return sseEvent(JSON.stringify(out), msg.kind);
    },
  };
}

const COMMA = Buffer.from(',');

/** Upstash's lines: `kind,name[,channel],payload`, raw bytes. */
export const upstashFormat: Format = {
  confirmation(c) {
    return sseEvent(Buffer.concat([Buffer.from(`${c.verb},`), c.name, Buffer.from(`,${c.count}`)]));
  },
  message(msg) {
    const head = Buffer.from(`${msg.kind},`);
    const parts =
      msg.pattern === null
        ? [head, msg.channel, COMMA, msg.message]
        : [head, msg.pattern, COMMA, msg.channel, COMMA, msg.message];
    return sseEvent(Buffer.concat(parts));
  },
};

/**
 * Subscribe the connection's client with `cmds` and turn the response into the stream, or
 * answer the refusal (in `shape`) with nothing subscribed.
 */
export function openPubSubStream(
  bridge: HttpBridge,
  req: FastifyRequest,
  reply: FastifyReply,
  session: CommandContext,
  cmds: Buffer[][],
  format: Format,
  shape: ErrorShape,
): Done {
  let stream: SseStream | null = null;
  const sub = bridge.streamClient(req, session.client, (msg) => stream?.send(format.message(msg)));
  const confirmed = subscribeAll(bridge.host, bridge.host.context(sub.client), cmds);
  if (confirmed instanceof ErrorReply) {
    sub.release();
    return failIn(shape, reply, confirmed);
  }
  reply.hijack();
  stream = new SseStream(reply.raw, bridge.sse, sub.client.id);
  stream.onClose(sub.release);
  stream.open();
  for (const c of confirmed) stream.send(format.confirmation(c));
}

const SUBSCRIBE_DESCRIPTION =
  'Server-Sent Events for `EventSource`: one named event per subscription confirmation (`subscribe`, ' +
  '`psubscribe`, `ssubscribe`, data `{"channel"|"pattern", "count"}`), then one per message: `message` ' +
  '`{"channel", "message", "encoding"}`, `pmessage` `{"pattern", "channel", "message", "encoding"}`, ' +
  '`smessage`. A string that is not valid UTF-8 is base64 and says so (`encoding`, `channel_encoding`, ' +
  '`pattern_encoding`); `encoding=base64` makes every string base64. Comment lines (`:`) are heartbeats ' +
  '(`http-sse-heartbeat-ms`). The same ACL channel rules as SUBSCRIBE apply: a refused channel answers 403 ' +
  'before the stream starts. A reader that falls behind past the `pubsub` class of ' +
  '`client-output-buffer-limit` is disconnected.';

const UPSTASH_DESCRIPTION = (verb: string, kind: string) =>
  `Upstash REST's ${verb.toUpperCase()} as used by @upstash/redis: each path segment is one ${kind}, ` +
  `percent-encoded. Server-Sent Events with \`data: ${verb},<name>,<count>\` per ${kind}, then ` +
  (verb === 'psubscribe'
    ? '`data: pmessage,<pattern>,<channel>,<message>`'
    : `\`data: ${verb === 'ssubscribe' ? 'smessage' : 'message'},<channel>,<message>\``) +
  ' per message, the message as its raw bytes. The body, if any, is ignored.';

const UPSTASH_VERBS = [
  { verb: 'subscribe', kind: 'channel', operationId: 'upstashSubscribe' },
  { verb: 'psubscribe', kind: 'pattern', operationId: 'upstashPsubscribe' },
  { verb: 'ssubscribe', kind: 'shard channel', operationId: 'upstashSsubscribe' },
] as const;

const VERB_ARGV = {
  subscribe: Buffer.from('SUBSCRIBE'),
  psubscribe: Buffer.from('PSUBSCRIBE'),
  ssubscribe: Buffer.from('SSUBSCRIBE'),
};

const TAGS = ['events'];

const badQuery = badRequest('invalid percent-encoding in the query string');

export function subscribeRoutes(app: FastifyInstance, bridge: HttpBridge): void {
  app.get<{ Querystring: SubscribeQuery }>(
    '/v1/subscribe',
    {
      schema: {
        tags: TAGS,
        operationId: 'subscribe',
        summary: 'Receive pub/sub messages as Server-Sent Events',
        description: SUBSCRIBE_DESCRIPTION,
        querystring: SubscribeQuery,
        response: { 200: eventStream('The event stream.'), ...errors(403) },
      },
    },
    (req, reply) =>
      withSession(bridge, req, reply, 'resource', (session) => {
        const url = req.originalUrl;
        const [channels, patterns, shards, keyspace, keyevent] = [
          'channel',
          'pattern',
          'shard',
          'keyspace',
          'keyevent',
        ].map((name) => queryValues(url, name));
        if (
          channels === null ||
          patterns === null ||
          shards === null ||
          keyspace === null ||
          keyevent === null
        )
          return fail(reply, badQuery);
        const db = req.query.db ?? 0;
        if (db >= bridge.host.server.keyspace.databases) return fail(reply, Errors.dbIndexOutOfRange);
        const cmds = subscriptionCommands({ channels, patterns, shards, keyspace, keyevent, db });
        if (cmds.length === 0)
          return fail(reply, nothingToSubscribe('channel, pattern, shard, keyspace or keyevent parameter'));
        const format = jsonFormat(req.query.encoding === 'base64');
        return openPubSubStream(bridge, req, reply, session, cmds, format, 'resource');
      }),
  );

  // Upstash's path form takes any body (its client posts `[]`) and ignores it.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    for (const { verb, kind, operationId } of UPSTASH_VERBS) {
      scope.post(
        `/${verb}/*`,
        {
          schema: {
            tags: TAGS,
            operationId,
            summary: `${verb.toUpperCase()} as a Server-Sent-Events stream (Upstash REST compatible)`,
            description: UPSTASH_DESCRIPTION(verb, kind),
            response: {
              200: eventStream('The event stream.'),
              400: CommandError,
              401: CommandError,
              403: CommandError,
              503: CommandError,
            },
          },
        },
        (req, reply) =>
          withSession(bridge, req, reply, 'command', (session) => {
            const names = rawSegments(req.originalUrl, 1);
            if (names === null)
              return failIn('command', reply, badRequest('invalid percent-encoding in path'));
            if (names.length === 0) return failIn('command', reply, Errors.wrongArity(verb));
            const cmds = [[VERB_ARGV[verb], ...names]];
            return openPubSubStream(bridge, req, reply, session, cmds, upstashFormat, 'command');
          }),
      );
    }
  });
}
