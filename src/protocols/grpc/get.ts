/**
 * Get: the value of a key of any type, as TYPE and then GET or the collection's read command
 * (../typed-value.ts), one after another on the call's session; they are synchronous, so no
 * other command interleaves.
 */
import type { handleUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { ErrorReply } from '../../errors.js';
import { type GetRequest, type GetResponse, ValueType } from '../../gen/cairn/v1/cairn_pb.js';
import { peekKind, type ReadResult, readWhole, type WholeValue } from '../typed-value.js';
import { internalStatus, KEY_NOT_FOUND, toStatus } from './status.js';
import { buf, type UnaryDeps } from './unary.js';

const T = 'cairn.v1.GetResponse';
const EMPTY = Buffer.alloc(0);

export const VALUE_TYPE = {
  string: ValueType.STRING,
  hash: ValueType.HASH,
  list: ValueType.LIST,
  set: ValueType.SET,
  zset: ValueType.ZSET,
  stream: ValueType.STREAM,
} as const;

/** A whole value as the Get response message. */
export function getResponse(v: WholeValue): GetResponse {
  switch (v.type) {
    case 'string':
      return { $typeName: T, value: v.value, type: ValueType.STRING, collection: { case: undefined } };
    case 'hash':
      return {
        $typeName: T,
        value: EMPTY,
        type: ValueType.HASH,
        collection: {
          case: 'hash',
          value: {
            $typeName: 'cairn.v1.HashValue',
            fields: v.fields.map(([field, value]) => ({ $typeName: 'cairn.v1.HashField', field, value })),
          },
        },
      };
    case 'list':
      return {
        $typeName: T,
        value: EMPTY,
        type: ValueType.LIST,
        collection: { case: 'list', value: { $typeName: 'cairn.v1.ListValue', items: v.items } },
      };
    case 'set':
      return {
        $typeName: T,
        value: EMPTY,
        type: ValueType.SET,
        collection: { case: 'set', value: { $typeName: 'cairn.v1.SetValue', members: v.members } },
      };
    case 'zset':
      return {
        $typeName: T,
        value: EMPTY,
        type: ValueType.ZSET,
        collection: {
          case: 'zset',
          value: {
            $typeName: 'cairn.v1.SortedSetValue',
            members: v.members.map(([member, score]) => ({
              $typeName: 'cairn.v1.SortedSetMember',
              member,
              score,
            })),
          },
        },
      };
    case 'stream':
      return {
        $typeName: T,
        value: EMPTY,
        type: ValueType.STREAM,
        collection: {
          case: 'stream',
          value: {
            $typeName: 'cairn.v1.StreamValue',
            entries: v.entries.map((e) => ({
              $typeName: 'cairn.v1.StreamEntry',
              id: e.id,
              fields: e.fields.map(([field, value]) => ({ $typeName: 'cairn.v1.HashField', field, value })),
            })),
          },
        },
      };
  }
}

type Callback = sendUnaryData<GetResponse>;

function answer(callback: Callback, r: ReadResult): void {
  if (r === null) callback(toStatus(KEY_NOT_FOUND));
  else if (r instanceof ErrorReply) callback(toStatus(r));
  else callback(null, getResponse(r));
}

export function getHandler(deps: UnaryDeps): handleUnaryCall<GetRequest, GetResponse> {
  const { host, gate } = deps;
  const load = gate.load;
  return (call, callback) => {
    const req = call.request;
    const ctx = gate.open(call, req.db);
    if (ctx instanceof ErrorReply) return callback(toStatus(ctx));
    let r: ReadResult | Promise<ReadResult>;
    try {
      const key = buf(req.key);
      r = readWhole(
        (argv) => host.execute(ctx, argv),
        key,
        () => peekKind(ctx.server.keyspace, ctx.client.db, key),
      );
    } catch (e) {
      return callback(internalStatus(e));
    }
    if (!(r instanceof Promise)) return answer(callback, r);
    // Only a waiting call can overlap others: it counts toward maxclients until it answers.
    load.inflight++;
    r.then(
      (x) => {
        load.inflight--;
        answer(callback, x);
      },
      (e: unknown) => {
        load.inflight--;
        callback(internalStatus(e));
      },
    );
  };
}
