/**
 * The HTTP door's schemas, declared once with TypeBox: Fastify validates requests with them,
 * serializes responses with them (fast-json-stringify), handlers take their types from them
 * (`Static<>`), and @fastify/swagger turns them into the served OpenAPI document.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';

export const EncodingSchema = Type.Union([Type.Literal('utf8'), Type.Literal('base64')], {
  description: 'How a string carries bytes: UTF-8 text, or base64 for bytes that are not valid UTF-8.',
});

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({
        description: 'Stable code from the shared error table, e.g. `not_found`, `wrong_type`.',
      }),
      message: Type.String(),
    }),
  },
  { $id: 'Error', description: 'The one error shape of the resource API.' },
);

const errorRef = Type.Ref('Error');

/** Error responses every route may give, plus the ones listed. */
export function errors(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = { 400: errorRef, 401: errorRef, 503: errorRef };
  for (const s of statuses) out[s] = errorRef;
  return out;
}

export const KeyParams = Type.Object({
  key: Type.String({
    description:
      'The key, percent-encoded: any byte sequence is reachable (`/` in a key is `%2F`, a byte 0xFF is `%FF`).',
  }),
});
export type KeyParams = Static<typeof KeyParams>;

export const ConditionSchema = Type.Union([Type.Literal('if-absent'), Type.Literal('if-present')], {
  description: '`if-absent` stores only a new key (SET NX), `if-present` only an existing one (SET XX).',
});

const TtlMs = Type.Integer({ minimum: 1, description: 'Time to live, milliseconds.' });

export const SetBody = Type.Object(
  {
    type: Type.Optional(Type.Literal('string', { description: 'A string (the default).' })),
    value: Type.String(),
    ttl_ms: Type.Optional(TtlMs),
    condition: Type.Optional(ConditionSchema),
    keep_ttl: Type.Optional(Type.Boolean({ description: 'Keep the key’s current expiry (SET KEEPTTL).' })),
    encoding: Type.Optional(EncodingSchema),
  },
  { additionalProperties: false, title: 'StringPut' },
);
export type SetBody = Static<typeof SetBody>;

/** Options of a raw (`application/octet-stream`) PUT, which has no JSON body to hold them. */
export const SetQuery = Type.Object({
  ttl_ms: Type.Optional(TtlMs),
  condition: Type.Optional(ConditionSchema),
  keep_ttl: Type.Optional(Type.Boolean()),
});
export type SetQuery = Static<typeof SetQuery>;

/**
 * Raw bytes. Untyped for validation (the body is a Buffer, not a string); the document types it
 * `string`/`binary` (see docs.ts) so that tools and the UI offer a file or byte body.
 */
export const RawBytes = Type.Unsafe<Buffer>({
  contentMediaType: 'application/octet-stream',
  description: 'The raw bytes.',
});

export const OkResponse = Type.Object({ ok: Type.Boolean() });

export const GetResponse = Type.Object(
  {
    key: Type.String(),
    key_encoding: Type.Optional(EncodingSchema),
    type: Type.Literal('string'),
    value: Type.String(),
    encoding: EncodingSchema,
    ttl_ms: Type.Union([Type.Integer(), Type.Null()], {
      description: 'Milliseconds left; null when it never expires.',
    }),
  },
  { title: 'StringGet' },
);

export const TtlResponse = Type.Object({
  ttl_ms: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Milliseconds left; null when it never expires.',
  }),
});

export const TtlBody = Type.Object({ ttl_ms: TtlMs }, { additionalProperties: false });
export type TtlBody = Static<typeof TtlBody>;

export const IncrBody = Type.Object(
  {
    by: Type.Optional(
      Type.Union([Type.Integer(), Type.String({ pattern: '^-?[0-9]{1,20}$' })], {
        description: 'Increment (default 1); a string for 64-bit values beyond 2^53.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type IncrBody = Static<typeof IncrBody>;

export const IncrResponse = Type.Object({ value: Type.Integer({ description: 'The new value (64-bit).' }) });

export const ListQuery = Type.Object({
  prefix: Type.Optional(Type.String({ description: 'Only keys starting with these bytes.' })),
  match: Type.Optional(Type.String({ description: 'Redis glob pattern (after the prefix).' })),
  cursor: Type.Optional(
    Type.String({ pattern: '^[0-9]{1,20}$', description: 'From the previous page; 0 or absent to start.' }),
  ),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 10_000, description: 'Keys to look at per page (SCAN COUNT).' }),
  ),
  key: Type.Optional(
    Type.Array(Type.String(), { description: 'Fetch these keys instead (MGET): `?key=a&key=b`.' }),
  ),
});
export type ListQuery = Static<typeof ListQuery>;

export const ListResponse = Type.Object({
  keys: Type.Array(Type.String()),
  encoding: EncodingSchema,
  cursor: Type.String({ description: '"0" when the listing is complete.' }),
});

export const MgetBody = Type.Object(
  {
    keys: Type.Array(Type.String(), { minItems: 1 }),
    encoding: Type.Optional(EncodingSchema),
  },
  { additionalProperties: false },
);
export type MgetBody = Static<typeof MgetBody>;

export const MgetResponse = Type.Object({
  values: Type.Array(Type.Union([Type.String(), Type.Null()]), { description: 'null for a missing key.' }),
  encoding: EncodingSchema,
});

export const KvPostBody = Type.Object(
  {
    key: Type.String(),
    value: Type.String(),
    ttl_ms: Type.Optional(TtlMs),
  },
  { additionalProperties: false, description: 'The original service’s body.' },
);
export type KvPostBody = Static<typeof KvPostBody>;

export const KvPutBody = Type.Record(Type.String(), Type.String(), {
  minProperties: 1,
  description: 'The original brief’s body: `{"<key>": "<value>", ...}`, stored all at once (MSET).',
});
export type KvPutBody = Static<typeof KvPutBody>;

export const KvPutResponse = Type.Object({ ok: Type.Boolean(), count: Type.Integer() });

// ---- command API (Upstash REST compatible) -----------------------------------------------

export const Arg = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
export const CommandBody = Type.Array(Arg, {
  minItems: 1,
  description: 'One command as an array: `["SET", "k", "v"]`.',
});
export type CommandBody = Static<typeof CommandBody>;

export const BatchBody = Type.Array(CommandBody, { minItems: 1, description: 'Commands, each an array.' });
export type BatchBody = Static<typeof BatchBody>;

export const CommandResultSchema = Type.Object(
  {
    result: Type.Optional(
      Type.Unknown({
        description:
          'The reply: string, integer, null or array (RESP2 shapes); with RESP3 also objects (maps), numbers ' +
          '(doubles) and booleans.',
      }),
    ),
    error: Type.Optional(Type.String({ description: 'The error, worded as Redis does.' })),
  },
  { $id: 'CommandResult', description: 'One command’s answer.' },
);
export const CommandResult = Type.Ref('CommandResult');

export const CommandError = Type.Object({ error: Type.String() });

const ProtocolVersion = Type.Union([Type.Literal('2'), Type.Literal('3')], {
  description:
    '`3`: answer in RESP3 shapes (maps as objects, doubles as numbers, booleans, nested pairs) and run the ' +
    'commands as for a RESP3 client. `2` (the default): RESP2 shapes, as Upstash answers.',
});

export const ProtocolHeaders = Type.Object({ 'cairn-protocol': Type.Optional(ProtocolVersion) });

export const ProtocolQuery = Type.Object({ resp: Type.Optional(ProtocolVersion) });
export type ProtocolQuery = Static<typeof ProtocolQuery>;

export const PathParams = Type.Object({
  command: Type.String({ description: 'Command name, e.g. `get`.' }),
  '*': Type.Optional(Type.String({ description: 'Arguments as path segments, each percent-encoded.' })),
});
export type PathParams = Static<typeof PathParams>;

/** Schemas referenced by `$id`; added to the app once, named in the OpenAPI components. */
export const SHARED_SCHEMAS = [ErrorSchema, CommandResultSchema];

// ---- operations ----------------------------------------------------------------------------

export const HealthResponse = Type.Object({ status: Type.String(), uptime_ms: Type.Integer() });

export const ReadyResponse = Type.Object({
  ready: Type.Boolean(),
  loading: Type.Boolean(),
  closing: Type.Boolean(),
  keys: Type.Integer(),
  overloaded: Type.Optional(
    Type.String({ description: 'Why requests are being shed (shed-* options); absent when they are not.' }),
  ),
});
