/**
 * Protocol-neutral replies as the proto `Reply` message (Execute), one oneof case per kind.
 * The null array and "no reply" both become `null`: a single gRPC call always answers.
 */
import {
  BigNumberReply,
  BooleanReply,
  DoubleReply,
  ErrorReply,
  MapReply,
  NO_REPLY,
  NULL_ARRAY,
  PushReply,
  type Reply,
  SequenceReply,
  SetReply,
  SimpleReply,
  VerbatimReply,
} from '../../commands/reply.js';
import type { Reply as PbReply, ReplyMapEntry } from '../../gen/cairn/v1/cairn_pb.js';

const T = 'cairn.v1.Reply';

function list(items: readonly Reply[]): { $typeName: 'cairn.v1.ReplyList'; items: PbReply[] } {
  return { $typeName: 'cairn.v1.ReplyList', items: items.map(toPbReply) };
}

export function toPbReply(r: Reply): PbReply {
  if (r === null || r === NULL_ARRAY || r === NO_REPLY)
    return { $typeName: T, kind: { case: 'null', value: true } };
  if (Buffer.isBuffer(r)) return { $typeName: T, kind: { case: 'bulk', value: r } };
  if (typeof r === 'number') {
    // Integers only; a fractional number would be a handler bug, so keep its value as a double.
    return Number.isInteger(r)
      ? { $typeName: T, kind: { case: 'integer', value: BigInt(r) } }
      : { $typeName: T, kind: { case: 'double', value: r } };
  }
  if (typeof r === 'bigint') return { $typeName: T, kind: { case: 'integer', value: r } };
  if (Array.isArray(r)) return { $typeName: T, kind: { case: 'array', value: list(r) } };
  if (r instanceof SimpleReply) return { $typeName: T, kind: { case: 'simple', value: r.value } };
  if (r instanceof ErrorReply) {
    return {
      $typeName: T,
      kind: { case: 'error', value: { $typeName: 'cairn.v1.ReplyError', message: r.message, code: r.code } },
    };
  }
  if (r instanceof DoubleReply) return { $typeName: T, kind: { case: 'double', value: r.value } };
  if (r instanceof BooleanReply) return { $typeName: T, kind: { case: 'boolean', value: r.value } };
  if (r instanceof MapReply) {
    const entries: ReplyMapEntry[] = r.entries.map(([k, v]) => ({
      $typeName: 'cairn.v1.ReplyMapEntry',
      key: toPbReply(k),
      value: toPbReply(v),
    }));
    return { $typeName: T, kind: { case: 'map', value: { $typeName: 'cairn.v1.ReplyMap', entries } } };
  }
  if (r instanceof SetReply) return { $typeName: T, kind: { case: 'set', value: list(r.items) } };
  if (r instanceof PushReply) return { $typeName: T, kind: { case: 'array', value: list(r.items) } };
  if (r instanceof SequenceReply) return { $typeName: T, kind: { case: 'array', value: list(r.replies) } };
  if (r instanceof BigNumberReply)
    return { $typeName: T, kind: { case: 'bulk', value: Buffer.from(r.value, 'latin1') } };
  if (r instanceof VerbatimReply) {
    return {
      $typeName: T,
      kind: {
        case: 'verbatim',
        value: { $typeName: 'cairn.v1.VerbatimString', format: r.format, text: r.text },
      },
    };
  }
  // Unreachable while Reply is a closed union; answer something a client can see.
  return {
    $typeName: T,
    kind: {
      case: 'error',
      value: { $typeName: 'cairn.v1.ReplyError', message: 'ERR unknown reply kind', code: 'internal' },
    },
  };
}
