/**
 * A whole value as the JSON of `GET /v1/keys/{key}`: a string as text, a hash as an object, a
 * list or a set as an array, a sorted set as `[{member, score}]`, a stream as
 * `[{id, fields: [[field, value], ...]}]`. Strings that are all valid
 * UTF-8 are text; otherwise every one of them is base64 and `encoding` says so, as MGET does.
 */
import { isUtf8 } from 'node:buffer';
import type { StreamEntryValue } from '../../typed-stream.js';
import type { WholeValue } from '../../typed-value.js';
import type { Encoding } from '../bytes.js';

export type Score = number | 'inf' | '-inf';
export type BodyValue =
  | string
  | Record<string, string>
  | string[]
  | Array<{ member: string; score: Score }>
  | Array<{ id: string; fields: Array<[string, string]> }>;

/** JSON has no infinity: Redis's spellings stand in. */
export function scoreJson(n: number): Score {
  if (n === Number.POSITIVE_INFINITY) return 'inf';
  if (n === Number.NEGATIVE_INFINITY) return '-inf';
  return n;
}

function allUtf8(bufs: Iterable<Buffer>): boolean {
  for (const b of bufs) if (!isUtf8(b)) return false;
  return true;
}

function* hashStrings(fields: Array<[Buffer, Buffer]>): Iterable<Buffer> {
  for (const [f, v] of fields) {
    yield f;
    yield v;
  }
}

function* zsetStrings(members: Array<[Buffer, number]>): Iterable<Buffer> {
  for (const [m] of members) yield m;
}

function* streamStrings(entries: StreamEntryValue[]): Iterable<Buffer> {
  for (const e of entries) yield* hashStrings(e.fields);
}

export function collectionBody(v: WholeValue): { value: BodyValue; encoding: Encoding } {
  let utf8: boolean;
  switch (v.type) {
    case 'string':
      utf8 = isUtf8(v.value);
      break;
    case 'hash':
      utf8 = allUtf8(hashStrings(v.fields));
      break;
    case 'list':
      utf8 = allUtf8(v.items);
      break;
    case 'set':
      utf8 = allUtf8(v.members);
      break;
    case 'zset':
      utf8 = allUtf8(zsetStrings(v.members));
      break;
    case 'stream':
      utf8 = allUtf8(streamStrings(v.entries));
      break;
  }
  const enc: BufferEncoding = utf8 ? 'utf8' : 'base64';
  const encoding: Encoding = utf8 ? 'utf8' : 'base64';
  switch (v.type) {
    case 'string':
      return { value: v.value.toString(enc), encoding };
    case 'hash': {
      // No prototype: a field named `__proto__` is an ordinary own property.
      const obj: Record<string, string> = Object.create(null);
      for (const [f, x] of v.fields) obj[f.toString(enc)] = x.toString(enc);
      return { value: obj, encoding };
    }
    case 'list':
      return { value: v.items.map((b) => b.toString(enc)), encoding };
    case 'set':
      return { value: v.members.map((b) => b.toString(enc)), encoding };
    case 'zset':
      return {
        value: v.members.map(([m, s]) => ({ member: m.toString(enc), score: scoreJson(s) })),
        encoding,
      };
    case 'stream':
      return {
        value: v.entries.map((e) => ({
          id: e.id,
          fields: e.fields.map(([f, x]): [string, string] => [f.toString(enc), x.toString(enc)]),
        })),
        encoding,
      };
  }
}
