/**
 * Schemas of whole collections on `/v1/keys/{key}`: a hash is an object, a list or a set an
 * array, a sorted set an array of `{member, score}`. They validate PUT bodies, serialize GET
 * answers and document both in OpenAPI. Strings keep their own schemas (schemas.ts).
 */
import { type Static, Type } from '@sinclair/typebox';
import { ConditionSchema, EncodingSchema, GetResponse, SetBody } from './schemas.js';

const TtlMs = Type.Integer({ minimum: 1, description: 'Time to live, milliseconds.' });

/** JSON has no infinity: Redis's spellings stand in for it. */
export const ScoreSchema = Type.Union(
  [Type.Number(), Type.Literal('inf'), Type.Literal('+inf'), Type.Literal('-inf')],
  { description: 'A score: a number, or `"inf"` / `"-inf"` for the infinities.' },
);

export const ZMemberSchema = Type.Object(
  { member: Type.String(), score: ScoreSchema },
  { additionalProperties: false },
);

const HashValue = Type.Record(Type.String(), Type.String(), { description: 'Field → value.' });
const ListValue = Type.Array(Type.String(), { description: 'Items, head first.' });
const SetValue = Type.Array(Type.String(), {
  description: 'Members (numeric order for a small set of integers, otherwise unspecified).',
});
const ZSetValue = Type.Array(ZMemberSchema, {
  description: 'Members, lowest score first (ties in byte order).',
});

const encoding = Type.Optional(
  Type.Union([Type.Literal('utf8'), Type.Literal('base64')], {
    description: '`base64`: every field, value, item and member is base64 (bytes that are not UTF-8).',
  }),
);

/** The options a PUT of any type takes, as a string's PUT does. */
const writeOptions = {
  ttl_ms: Type.Optional(TtlMs),
  condition: Type.Optional(ConditionSchema),
  keep_ttl: Type.Optional(Type.Boolean({ description: 'Keep the key’s current expiry.' })),
  encoding,
};

export const HashPutBody = Type.Object(
  { type: Type.Literal('hash'), value: HashValue, ...writeOptions },
  { additionalProperties: false, title: 'HashPut' },
);
export const ListPutBody = Type.Object(
  { type: Type.Literal('list'), value: ListValue, ...writeOptions },
  { additionalProperties: false, title: 'ListPut' },
);
export const SetPutBody = Type.Object(
  { type: Type.Literal('set'), value: SetValue, ...writeOptions },
  { additionalProperties: false, title: 'SetPut' },
);
export const ZSetPutBody = Type.Object(
  { type: Type.Literal('zset'), value: ZSetValue, ...writeOptions },
  { additionalProperties: false, title: 'ZSetPut' },
);

export type CollectionPutBody =
  | Static<typeof HashPutBody>
  | Static<typeof ListPutBody>
  | Static<typeof SetPutBody>
  | Static<typeof ZSetPutBody>;

/** Any PUT body: a string (`type` absent or `"string"`) or a whole collection. */
export const PutBody = Type.Union([SetBody, HashPutBody, ListPutBody, SetPutBody, ZSetPutBody], {
  description:
    'A string `{"value", ...}` or a whole collection `{"type": "hash"|"list"|"set"|"zset", "value", ...}`, ' +
    'which replaces the key atomically (an empty collection deletes it, as Redis keeps no empty ones).',
});

const getCommon = {
  key: Type.String(),
  key_encoding: Type.Optional(EncodingSchema),
  encoding: EncodingSchema,
  ttl_ms: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Milliseconds left; null when it never expires.',
  }),
};

export const HashGetResponse = Type.Object(
  { ...getCommon, type: Type.Literal('hash'), value: HashValue },
  { title: 'HashGet' },
);
export const ListGetResponse = Type.Object(
  { ...getCommon, type: Type.Literal('list'), value: ListValue },
  { title: 'ListGet' },
);
export const SetGetResponse = Type.Object(
  { ...getCommon, type: Type.Literal('set'), value: SetValue },
  { title: 'SetGet' },
);
export const ZSetGetResponse = Type.Object(
  { ...getCommon, type: Type.Literal('zset'), value: ZSetValue },
  { title: 'ZSetGet' },
);

const StreamValue = Type.Array(
  Type.Object(
    {
      id: Type.String({ description: '`<ms>-<seq>`' }),
      fields: Type.Array(Type.Tuple([Type.String(), Type.String()]), {
        description: 'Field/value pairs in the order they were added (a field may repeat).',
      }),
    },
    { additionalProperties: false },
  ),
  { description: 'Entries, oldest first (XRANGE key - +). Read-only: a stream cannot be PUT.' },
);

export const StreamGetResponse = Type.Object(
  { ...getCommon, type: Type.Literal('stream'), value: StreamValue },
  { title: 'StreamGet' },
);

/** The answer of `GET /v1/keys/{key}` for any type. */
export const AnyGetResponse = Type.Union(
  [GetResponse, HashGetResponse, ListGetResponse, SetGetResponse, ZSetGetResponse, StreamGetResponse],
  { description: 'The value with its type; `encoding` says whether its strings are UTF-8 or base64.' },
);
