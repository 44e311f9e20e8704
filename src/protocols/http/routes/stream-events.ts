/**
 * `GET /v1/streams/{key}/events`: a Redis stream's entries as Server-Sent Events, tailed with
 * `XREAD COUNT n BLOCK 0 STREAMS key <last id>` through the dispatcher (the caller's ACL key
 * rules, WRONGTYPE, ... as for XREAD itself). Each entry is one event whose `id:` is the entry
 * ID, so an EventSource that reconnects sends `Last-Event-ID` and resumes right after the last
 * entry it saw: nothing missed, nothing twice (as long as the entries were not trimmed away).
 *
 * The first read does not block, so a refusal (401, 403, 409 WRONGTYPE, a malformed ID) is
 * answered before the stream starts. The next read waits for entries; it is cancelled when the
 * connection goes. A reader that does not keep up is not buffered for: the next XREAD waits
 * until the socket has taken the last batch.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../commands/context.js';
import type { Reply } from '../../../commands/reply.js';
import { ErrorReply } from '../../../errors.js';
import type { HttpBridge } from '../bridge.js';
import { encodeList, segmentAt } from '../bytes.js';
import { after, badRequest, type Done, fail, withSession } from '../respond.js';
import { errors, KeyParams } from '../schemas.js';
import { eventStream, StreamEventsQuery } from '../schemas-sse.js';
import { SseStream, sseEvent } from '../sse.js';

const PREFIX = '/v1/streams/';
const DEFAULT_COUNT = 100;
const XREAD = Buffer.from('XREAD');
const COUNT = Buffer.from('COUNT');
const BLOCK = Buffer.from('BLOCK');
const FOREVER = Buffer.from('0');
const STREAMS = Buffer.from('STREAMS');

const DESCRIPTION =
  'Server-Sent Events: each entry of the stream at `key` as one event, its `id:` the entry ID and its data ' +
  '`{"id", "fields": [[field, value], ...], "encoding"}` (fields in order; strings UTF-8, or all base64 when one is ' +
  'not valid UTF-8 or `encoding=base64`). Tailed with XREAD BLOCK, so the same ACL key rules apply. A ' +
  'reconnecting EventSource sends `Last-Event-ID` and resumes after that entry. Comment lines (`:`) are ' +
  'heartbeats (`http-sse-heartbeat-ms`). When a later read fails (the key was replaced by another type), an ' +
  '`error` event `{"error"}` carries the error and the stream ends.';

/** The entries of one XREAD reply (RESP2 shape: [[key, [[id, [f, v, ...]], ...]]]), or null. */
function entriesOf(r: Reply): Array<[Buffer, Buffer[]]> | null {
  if (!Array.isArray(r) || r.length === 0) return null;
  const perKey = r[0];
  if (!Array.isArray(perKey) || !Array.isArray(perKey[1])) return null;
  const out: Array<[Buffer, Buffer[]]> = [];
  for (const e of perKey[1]) {
    if (!Array.isArray(e) || !Buffer.isBuffer(e[0]) || !Array.isArray(e[1])) continue;
    out.push([e[0], e[1].filter((x): x is Buffer => Buffer.isBuffer(x))]);
  }
  return out;
}

function entryEvent(id: Buffer, fields: Buffer[], base64: boolean): Buffer {
  const enc = base64
    ? { items: fields.map((f) => f.toString('base64')), encoding: 'base64' as const }
    : encodeList(fields);
  const pairs: Array<[string | null, string | null]> = [];
  for (let i = 0; i + 1 < enc.items.length; i += 2) pairs.push([enc.items[i], enc.items[i + 1]]);
  const idText = id.toString('latin1');
  return sseEvent(JSON.stringify({ id: idText, fields: pairs, encoding: enc.encoding }), undefined, idText);
}

/** Where a new stream starts: Last-Event-ID (a reconnect), else `from`, else `$`. */
function startId(req: FastifyRequest<{ Querystring: StreamEventsQuery }>): Buffer {
  const last = req.headers['last-event-id'];
  if (typeof last === 'string' && last !== '') return Buffer.from(last, 'latin1');
  return Buffer.from(req.query.from ?? '$', 'utf8');
}

class StreamTail {
  private lastId: Buffer;

  constructor(
    private readonly bridge: HttpBridge,
    private readonly ctx: CommandContext,
    private readonly stream: SseStream,
    private readonly key: Buffer,
    private readonly count: Buffer,
    private readonly base64: boolean,
    from: Buffer,
  ) {
    this.lastId = from;
  }

  /** Write the entries of one read; false when the socket asked to wait. */
  write(r: Reply): boolean {
    let ok = true;
    for (const [id, fields] of entriesOf(r) ?? []) {
      ok = this.stream.send(entryEvent(id, fields, this.base64));
      this.lastId = id;
    }
    return ok;
  }

  /** The next blocking read, once the socket has taken what was written. */
  readonly next = (): void => {
    if (this.stream.ended) return;
    const argv = [XREAD, COUNT, this.count, BLOCK, FOREVER, STREAMS, this.key, this.lastId];
    after(this.bridge.host.execute(this.ctx, argv), this.served);
  };

  private readonly served = (r: Reply): void => {
    if (this.stream.ended) return;
    // The connection went (the wait was cancelled): nothing more to read for.
    if (this.ctx.signal?.aborted === true) {
      this.stream.end();
      return;
    }
    if (r instanceof ErrorReply) {
      this.stream.send(sseEvent(JSON.stringify({ error: r.message }), 'error'));
      this.stream.end();
      return;
    }
    if (this.write(r)) setImmediate(this.next);
    else this.stream.waitDrain(this.next);
  };
}

export function streamEventRoutes(app: FastifyInstance, bridge: HttpBridge): void {
  app.get<{ Params: KeyParams; Querystring: StreamEventsQuery }>(
    `${PREFIX}:key/events`,
    {
      schema: {
        tags: ['events'],
        operationId: 'streamEvents',
        summary: 'Tail a stream as Server-Sent Events (resumable with Last-Event-ID)',
        description: DESCRIPTION,
        params: KeyParams,
        querystring: StreamEventsQuery,
        headers: {
          type: 'object',
          properties: {
            'last-event-id': {
              type: 'string',
              description: 'Resume after this entry ID (EventSource sends it).',
            },
          },
        },
        response: { 200: eventStream('The event stream.'), ...errors(403, 409) },
      },
    },
    (req, reply: FastifyReply): Done =>
      withSession(bridge, req, reply, 'resource', (session) => {
        const url = req.originalUrl;
        const key = segmentAt(url, url.indexOf(PREFIX) + PREFIX.length);
        if (key === null) return fail(reply, badRequest('invalid percent-encoding in key'));
        const count = Buffer.from(String(req.query.count ?? DEFAULT_COUNT));
        const from = startId(req);
        // The connection's client, listed (CLIENT LIST shows the XREAD waiting), no deadline:
        // the wait lasts until an entry comes or the connection goes.
        const sub = bridge.streamClient(req, session.client, null);
        const ctx = bridge.host.context(sub.client, sub.signal, 0);
        // The first read answers at once: entries after `from`, or an error to refuse with.
        return after(bridge.host.execute(ctx, [XREAD, COUNT, count, STREAMS, key, from]), (r) => {
          if (r instanceof ErrorReply) {
            sub.release();
            return fail(reply, r);
          }
          reply.hijack();
          const stream = new SseStream(reply.raw, bridge.sse, sub.client.id);
          stream.onClose(sub.release);
          stream.open();
          const tail = new StreamTail(bridge, ctx, stream, key, count, req.query.encoding === 'base64', from);
          if (tail.write(r)) tail.next();
          else stream.waitDrain(tail.next);
        });
      }),
  );
}
