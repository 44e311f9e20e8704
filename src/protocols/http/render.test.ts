import { describe, expect, it } from 'vitest';
import {
  BooleanReply,
  DoubleReply,
  ErrorReply,
  MapReply,
  NULL_ARRAY,
  OK,
  PONG,
  SetReply,
  VerbatimReply,
} from '../../commands/reply.js';
import { Errors } from '../../errors.js';
import { errorBody, replyJson, resultJson } from './render.js';

describe('replyJson (RESP2 shapes, as Upstash)', () => {
  it('renders every reply kind', () => {
    expect(replyJson(Buffer.from('héllo'), false)).toBe('"héllo"');
    expect(replyJson(null, false)).toBe('null');
    expect(replyJson(NULL_ARRAY, false)).toBe('null');
    expect(replyJson(42, false)).toBe('42');
    expect(replyJson(-(2n ** 63n), false)).toBe('-9223372036854775808');
    expect(replyJson([Buffer.from('a'), null, 1, [2]], false)).toBe('["a",null,1,[2]]');
    expect(replyJson(OK, false)).toBe('"OK"');
    expect(replyJson(PONG, false)).toBe('"PONG"');
    expect(replyJson(new DoubleReply(1.5), false)).toBe('"1.5"');
    expect(replyJson(new DoubleReply(Number.POSITIVE_INFINITY), false)).toBe('"inf"');
    expect(replyJson(new BooleanReply(true), false)).toBe('1');
    expect(replyJson(new MapReply([[Buffer.from('k'), 1]]), false)).toBe('["k",1]');
    expect(replyJson(new SetReply([Buffer.from('x')]), false)).toBe('["x"]');
    expect(replyJson(new VerbatimReply('txt', 'info'), false)).toBe('"info"');
    expect(
      replyJson(
        ['\n"quote"'].map((s) => Buffer.from(s)),
        false,
      ),
    ).toBe('["\\n\\"quote\\""]');
  });

  it('base64-encodes every string but OK', () => {
    expect(replyJson(Buffer.from([0xff, 0]), true)).toBe('"/wA="');
    expect(replyJson(OK, true)).toBe('"OK"');
    expect(replyJson(PONG, true)).toBe('"UE9ORw=="');
    expect(replyJson([Buffer.from('a'), 3], true)).toBe('["YQ==",3]');
  });

  it('wraps results and errors', () => {
    expect(resultJson(Buffer.from('v'), false)).toBe('{"result":"v"}');
    expect(resultJson(Errors.wrongType, false)).toBe(
      '{"error":"WRONGTYPE Operation against a key holding the wrong kind of value"}',
    );
    expect(replyJson([new ErrorReply('ERR', 'ERR x')], false)).toBe('[{"error":"ERR x"}]');
  });
});

describe('errorBody', () => {
  it('takes code and message from the shared table, without the RESP prefix', () => {
    expect(errorBody(Errors.wrongType)).toEqual({
      error: { code: 'wrong_type', message: 'Operation against a key holding the wrong kind of value' },
    });
    expect(errorBody(Errors.oom).error.code).toBe('out_of_memory');
  });
});
