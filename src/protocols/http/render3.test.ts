import { describe, expect, it } from 'vitest';
import {
  BooleanReply,
  DoubleReply,
  ErrorReply,
  MapReply,
  NULL_ARRAY,
  OK,
  SetReply,
  SimpleReply,
  VerbatimReply,
} from '../../commands/reply.js';
import { replyJson } from './render.js';
import { replyJson3, resultJson3 } from './render3.js';

const b = (s: string) => Buffer.from(s);

describe('replyJson3 (RESP3 shapes as natural JSON)', () => {
  it('renders a map with string keys as an object', () => {
    const m = new MapReply([
      [b('f1'), b('v1')],
      [b('f2'), b('v2')],
    ]);
    expect(JSON.parse(replyJson3(m, false))).toEqual({ f1: 'v1', f2: 'v2' });
    expect(replyJson3(new MapReply([]), false)).toBe('{}');
    // Integer and status keys are still object keys.
    expect(replyJson3(new MapReply([[1, new SimpleReply('x')]]), false)).toBe('{"1":"x"}');
  });

  it('keeps `__proto__` as an ordinary key of the object text', () => {
    const parsed = JSON.parse(replyJson3(new MapReply([[b('__proto__'), b('p')]]), false));
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('renders a map with a non-scalar key as [key, value] pairs', () => {
    const m = new MapReply([[[b('a')], b('v')]]);
    expect(replyJson3(m, false)).toBe('[[["a"],"v"]]');
  });

  it('renders doubles as numbers and the non-finite ones as Redis spells them', () => {
    expect(replyJson3(new DoubleReply(1.5), false)).toBe('1.5');
    expect(replyJson3(new DoubleReply(0.1), false)).toBe('0.1');
    expect(replyJson3(new DoubleReply(1e300), false)).toBe('1e+300');
    expect(replyJson3(new DoubleReply(-0), false)).toBe('-0');
    expect(replyJson3(new DoubleReply(Number.POSITIVE_INFINITY), false)).toBe('"inf"');
    expect(replyJson3(new DoubleReply(Number.NEGATIVE_INFINITY), false)).toBe('"-inf"');
    expect(replyJson3(new DoubleReply(Number.NaN), false)).toBe('"nan"');
  });

  it('renders sets as arrays, booleans as booleans, nested pairs as arrays', () => {
    expect(replyJson3(new SetReply([b('a'), b('b')]), false)).toBe('["a","b"]');
    expect(replyJson3(new BooleanReply(true), false)).toBe('true');
    expect(replyJson3(new BooleanReply(false), false)).toBe('false');
    expect(replyJson3([[b('m'), new DoubleReply(2)]], false)).toBe('[["m",2]]');
    expect(replyJson3(null, false)).toBe('null');
    expect(replyJson3(NULL_ARRAY, false)).toBe('null');
    expect(replyJson3(2n ** 63n - 1n, false)).toBe('9223372036854775807');
    expect(replyJson3(new VerbatimReply('txt', 'hi'), false)).toBe('"hi"');
  });

  it('base64-encodes every string, map keys included, but OK', () => {
    const m = new MapReply([[Buffer.from([0xff]), Buffer.from([0])]]);
    expect(replyJson3(m, true)).toBe('{"/w==":"AA=="}');
    expect(replyJson3(OK, true)).toBe('"OK"');
  });

  it('wraps results and errors as the RESP2 rendering does', () => {
    expect(resultJson3(new MapReply([[b('k'), 1]]), false)).toBe('{"result":{"k":1}}');
    expect(resultJson3(new ErrorReply('ERR', 'ERR x'), false)).toBe('{"error":"ERR x"}');
  });
});

describe('replyJson (RESP2, the default) for typed replies', () => {
  it('answers what a RESP2 client reads: flat maps, %.17g score strings', () => {
    expect(replyJson(new MapReply([[b('f'), b('v')]]), false)).toBe('["f","v"]');
    expect(replyJson(new DoubleReply(0.1), false)).toBe('"0.10000000000000001"');
    expect(replyJson(new DoubleReply(1), false)).toBe('"1"');
    expect(replyJson(new DoubleReply(1.5), false)).toBe('"1.5"');
    expect(replyJson(new DoubleReply(Number.NEGATIVE_INFINITY), false)).toBe('"-inf"');
    expect(replyJson(new SetReply([b('x')]), false)).toBe('["x"]');
  });
});
