import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  BooleanReply,
  DoubleReply,
  ErrorReply,
  MapReply,
  NO_REPLY,
  NULL_ARRAY,
  OK,
  SetReply,
  VerbatimReply,
} from '../../commands/reply.js';
import { Errors } from '../../errors.js';
import { ReplySchema } from '../../gen/cairn/v1/cairn_pb.js';
import { toPbReply } from './reply.js';

/** Through the wire format and back, so the literals are valid messages. */
const roundTrip = (r: Parameters<typeof toPbReply>[0]) =>
  fromBinary(ReplySchema, toBinary(ReplySchema, toPbReply(r)));

describe('toPbReply', () => {
  it('maps every reply kind to its oneof case', () => {
    expect(roundTrip(Buffer.from([0, 255, 1])).kind).toEqual({
      case: 'bulk',
      value: new Uint8Array([0, 255, 1]),
    });
    expect(roundTrip(null).kind).toEqual({ case: 'null', value: true });
    expect(roundTrip(NULL_ARRAY).kind).toEqual({ case: 'null', value: true });
    expect(roundTrip(NO_REPLY).kind).toEqual({ case: 'null', value: true });
    expect(roundTrip(-42).kind).toEqual({ case: 'integer', value: -42n });
    expect(roundTrip(2n ** 62n).kind).toEqual({ case: 'integer', value: 2n ** 62n });
    expect(roundTrip(OK).kind).toEqual({ case: 'simple', value: 'OK' });
    expect(roundTrip(new DoubleReply(1.5)).kind).toEqual({ case: 'double', value: 1.5 });
    expect(roundTrip(new BooleanReply(true)).kind).toEqual({ case: 'boolean', value: true });
    expect(roundTrip(new VerbatimReply('txt', 'hi')).kind).toMatchObject({
      case: 'verbatim',
      value: { format: 'txt', text: 'hi' },
    });
  });

  it('carries errors nested in arrays with their code', () => {
    const r = roundTrip([OK, Errors.wrongType, new ErrorReply('ERR', 'ERR x')]);
    expect(r.kind.case).toBe('array');
    const items = r.kind.case === 'array' ? r.kind.value.items : [];
    expect(items.map((i) => i.kind.case)).toEqual(['simple', 'error', 'error']);
    expect(items[1].kind.value).toMatchObject({ message: Errors.wrongType.message, code: 'wrong_type' });
  });

  it('nests maps and sets', () => {
    const r = roundTrip(new MapReply([[Buffer.from('k'), new SetReply([1, 2])]]));
    expect(r.kind.case).toBe('map');
    if (r.kind.case !== 'map') return;
    const [e] = r.kind.value.entries;
    expect(e.key?.kind).toEqual({ case: 'bulk', value: new Uint8Array(Buffer.from('k')) });
    expect(e.value?.kind.case).toBe('set');
  });
});
