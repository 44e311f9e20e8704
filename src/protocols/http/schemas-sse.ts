/**
 * Schemas of the Server-Sent-Events routes (pub/sub and stream tails). The events themselves
 * are text, not JSON responses: the document lists them as `text/event-stream` with the event
 * shapes in the descriptions.
 */
import { type Static, Type } from '@sinclair/typebox';
import { EncodingSchema } from './schemas.js';

const Names = (what: string) =>
  Type.Optional(Type.Array(Type.String(), { description: `${what}; repeat the parameter for several.` }));

export const SubscribeQuery = Type.Object({
  channel: Names('A channel (SUBSCRIBE)'),
  pattern: Names('A glob pattern (PSUBSCRIBE), e.g. `news.*`'),
  shard: Names('A shard channel (SSUBSCRIBE)'),
  keyspace: Names(
    'A key glob: keyspace notifications of the matching keys of `db` (the pattern `__keyspace@<db>__:<glob>`, ' +
      'message: the event name). Sent only while `notify-keyspace-events` enables them (e.g. `KA`)',
  ),
  keyevent: Names(
    'An event-name glob (`expired`, `h*`): keyevent notifications of `db` (the pattern ' +
      '`__keyevent@<db>__:<glob>`, message: the key). Sent only while `notify-keyspace-events` enables them (e.g. `EA`)',
  ),
  db: Type.Optional(
    Type.Integer({ minimum: 0, description: 'The database of `keyspace` and `keyevent` (default 0).' }),
  ),
  encoding: Type.Optional(EncodingSchema),
});
export type SubscribeQuery = Static<typeof SubscribeQuery>;

export const StreamEventsQuery = Type.Object({
  from: Type.Optional(
    Type.String({
      description:
        'Where to start: `$` (the default) for new entries only, `0` for the whole stream, or an entry ID to ' +
        'start after. A `Last-Event-ID` header (sent by a reconnecting EventSource) takes precedence.',
    }),
  ),
  count: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 10_000,
      description: 'Entries read at a time (XREAD COUNT; default 100).',
    }),
  ),
  encoding: Type.Optional(EncodingSchema),
});
export type StreamEventsQuery = Static<typeof StreamEventsQuery>;

/** A `text/event-stream` 200 response for the document. */
export function eventStream(description: string) {
  return {
    description,
    content: { 'text/event-stream': { schema: Type.String({ description: 'Server-Sent Events.' }) } },
  };
}
