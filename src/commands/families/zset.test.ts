import { describe, expect, it } from 'vitest';
import { DoubleReply } from '../reply.js';
import { zsession } from './zset-test-helpers.js';

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

describe('ZADD', () => {
  it('adds, updates and counts like Redis', async () => {
    const s = zsession();
    expect(await s.z('ZADD', 'z', '10', 'a', '20', 'b', '30', 'c')).toBe(3);
    expect(await s.z('ZADD', 'z', '5', 'x', '20', 'b', '31', 'c')).toBe(1);
    expect(await s.z('ZRANGE', 'z', '0', '-1', 'WITHSCORES')).toEqual([
      'x',
      'd:5',
      'a',
      'd:10',
      'b',
      'd:20',
      'c',
      'd:31',
    ]);
    expect(await s.z('ZADD', 'z', 'CH', '1', 'a', '20', 'b', '7', 'n')).toBe(2);
    expect(await s.z('ZADD', 'z', 'NX', '100', 'a', '3', 'm')).toBe(1);
    expect(await s.z('ZSCORE', 'z', 'a')).toBe('d:1');
    expect(await s.z('ZADD', 'z', 'XX', 'CH', '2', 'a', '9', 'nope')).toBe(1);
    expect(await s.z('ZSCORE', 'z', 'nope')).toBeNull();
    expect(await s.z('ZADD', 'z', 'GT', 'CH', '1', 'a', '50', 'b')).toBe(1);
    expect(await s.z('ZADD', 'z', 'LT', 'CH', '60', 'b', '-1', 'c')).toBe(1);
    expect(await s.z('ZMSCORE', 'z', 'a', 'b', 'c', 'zz')).toEqual(['d:2', 'd:50', 'd:-1', null]);
  });

  it('reports option conflicts and bad input in Redis order, changing nothing', async () => {
    const s = zsession();
    await s.run('SET', 'str', 'x');
    expect(await s.z('ZADD', 'z', 'NX', 'XX', '1', 'a')).toBe(
      '-ERR XX and NX options at the same time are not compatible',
    );
    expect(await s.z('ZADD', 'z', 'GT', 'LT', '1', 'a')).toBe(
      '-ERR GT, LT, and/or NX options at the same time are not compatible',
    );
    expect(await s.z('ZADD', 'z', 'GT', 'NX', '1', 'a')).toBe(
      '-ERR GT, LT, and/or NX options at the same time are not compatible',
    );
    expect(await s.z('ZADD', 'z', 'INCR', '1', 'a', '2', 'b')).toBe(
      '-ERR INCR option supports a single increment-element pair',
    );
    expect(await s.z('ZADD', 'z', '1', 'a', '2')).toBe('-ERR syntax error');
    expect(await s.z('ZADD', 'z', 'NX', 'XX')).toBe('-ERR syntax error');
    expect(await s.z('ZADD', 'z', '10', 'a', '20', 'b', '30.badscore', 'c')).toBe(
      '-ERR value is not a valid float',
    );
    expect(await s.z('ZADD', 'z', 'nan', 'a')).toBe('-ERR value is not a valid float');
    expect(await s.z('EXISTS', 'z')).toBe(0);
    expect(await s.z('ZADD', 'str', 'abc', 'a')).toBe('-ERR value is not a valid float');
    expect(await s.z('ZADD', 'str', '1', 'a')).toBe(WRONGTYPE);
    expect(await s.z('ZINCRBY', 'z', 'nx', '5')).toBe('-ERR syntax error');
  });

  it('parses scores as string2d does', async () => {
    const s = zsession();
    for (const bad of [
      ' 1',
      '1 ',
      '1e400',
      '-1e400',
      '1e-400',
      '',
      'inf1',
      '0x',
      '1e',
      '.',
      'nan',
      '1\x00',
    ]) {
      expect(await s.z('ZADD', 'z', bad, 'm'), bad).toBe('-ERR value is not a valid float');
    }
    const good: Array<[string, string]> = [
      ['0x1p-3', 'd:0.125'],
      ['+inf', 'd:inf'],
      ['-Infinity', 'd:-inf'],
      ['0e-400', 'd:0'],
      ['5e-324', 'd:4.9406564584124654e-324'],
      ['.5', 'd:0.5'],
      ['5.', 'd:5'],
      ['0.1', 'd:0.10000000000000001'],
      ['1e17', 'd:1e+17'],
    ];
    for (const [arg, want] of good) {
      await s.z('ZADD', 'z', arg, 'm');
      expect(await s.z('ZSCORE', 'z', 'm'), arg).toBe(want);
    }
  });

  it('INCR / ZINCRBY: new score, null when not applied, NaN refused', async () => {
    const s = zsession();
    expect(await s.z('ZADD', 'z', 'XX', 'INCR', '1', 'a')).toBeNull();
    expect(await s.z('EXISTS', 'z')).toBe(0);
    expect(await s.z('ZINCRBY', 'z', '1.5', 'a')).toBe('d:1.5');
    expect(await s.z('ZADD', 'z', 'INCR', '2', 'a')).toBe('d:3.5');
    expect(await s.z('ZADD', 'z', 'NX', 'INCR', '2', 'a')).toBeNull();
    expect(await s.z('ZADD', 'z', 'GT', 'INCR', '-1', 'a')).toBeNull();
    expect(await s.z('ZINCRBY', 'z', '+inf', 'a')).toBe('d:inf');
    expect(await s.z('ZINCRBY', 'z', '-inf', 'a')).toBe('-ERR resulting score is not a number (NaN)');
    expect(await s.z('ZSCORE', 'z', 'a')).toBe('d:inf');
    expect(await s.z('ZINCRBY', 'z', '1e308', 'b')).toBe('d:1e+308');
    expect(await s.z('ZINCRBY', 'z', '1e308', 'b')).toBe('d:inf');
  });

  it('keeps -0 on a skiplist and stores 0 in a listpack, as Redis does', async () => {
    const s = zsession();
    await s.z('ZADD', 'lp', '-0', 'a');
    expect(await s.z('ZSCORE', 'lp', 'a')).toBe('d:0');
    await s.run('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
    await s.z('ZADD', 'sl', '-0', 'a');
    expect(await s.z('OBJECT', 'ENCODING', 'sl')).toBe('skiplist');
    expect(await s.z('ZSCORE', 'sl', 'a')).toBe('d:-0');
    expect(await s.z('ZADD', 'sl', '0', 'a')).toBe(0);
    expect(await s.z('ZSCORE', 'sl', 'a')).toBe('d:-0');
  });

  it('converts to a skiplist past the limits, never back', async () => {
    const s = zsession();
    await s.run('CONFIG', 'SET', 'zset-max-listpack-entries', '3');
    await s.run('CONFIG', 'SET', 'zset-max-listpack-value', '4');
    await s.z('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    expect(await s.z('OBJECT', 'ENCODING', 'z')).toBe('listpack');
    await s.z('ZADD', 'z', '4', 'd');
    expect(await s.z('OBJECT', 'ENCODING', 'z')).toBe('skiplist');
    await s.z('ZREM', 'z', 'a', 'b', 'c');
    expect(await s.z('OBJECT', 'ENCODING', 'z')).toBe('skiplist');
    await s.z('ZADD', 'long', '1', 'abcde');
    expect(await s.z('OBJECT', 'ENCODING', 'long')).toBe('skiplist');
    await s.z('ZADD', 'short', '1', 'abcd');
    await s.z('ZADD', 'short', '1', 'abcde');
    expect(await s.z('OBJECT', 'ENCODING', 'short')).toBe('skiplist');
    // Lowering a limit does not convert a set until a member is added.
    await s.z('ZADD', 'keep', '1', 'a', '2', 'b');
    await s.run('CONFIG', 'SET', 'zset-max-listpack-entries', '1');
    await s.z('ZADD', 'keep', '5', 'a');
    await s.z('ZREM', 'keep', 'b');
    expect(await s.z('OBJECT', 'ENCODING', 'keep')).toBe('listpack');
  });
});

describe('ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK', () => {
  it('removes members and the key with the last one', async () => {
    const s = zsession();
    await s.z('ZADD', 'z', '10', 'a', '20', 'b', '30', 'c');
    expect(await s.z('ZREM', 'z', 'x', 'y', 'a', 'b', 'k')).toBe(2);
    expect(await s.z('ZCARD', 'z')).toBe(1);
    expect(await s.z('ZREM', 'z', 'c', 'd', 'e')).toBe(1);
    expect(await s.z('EXISTS', 'z')).toBe(0);
    expect(await s.z('ZREM', 'z', 'c')).toBe(0);
    expect(await s.z('ZCARD', 'z')).toBe(0);
  });

  it('ranks from both ends; missing members and keys are null', async () => {
    const s = zsession();
    await s.z('ZADD', 'z', '10', 'x', '20', 'y', '30', 'z');
    expect(await s.z('ZRANK', 'z', 'x')).toBe(0);
    expect(await s.z('ZRANK', 'z', 'z')).toBe(2);
    expect(await s.z('ZREVRANK', 'z', 'x')).toBe(2);
    expect(await s.z('ZRANK', 'z', 'foo')).toBeNull();
    expect(await s.z('ZRANK', 'nokey', 'x')).toBeNull();
    expect(await s.z('ZSCORE', 'nokey', 'x')).toBeNull();
    expect(await s.z('ZMSCORE', 'nokey', 'x', 'y')).toEqual([null, null]);
  });

  it('answers WRONGTYPE for another type', async () => {
    const s = zsession();
    await s.run('SET', 'str', 'x');
    for (const cmd of [
      ['ZREM', 'str', 'a'],
      ['ZCARD', 'str'],
      ['ZSCORE', 'str', 'a'],
      ['ZMSCORE', 'str', 'a'],
      ['ZRANK', 'str', 'a'],
      ['ZREVRANK', 'str', 'a'],
      ['ZINCRBY', 'str', '1', 'a'],
      ['ZCOUNT', 'str', '0', '1'],
      ['ZLEXCOUNT', 'str', '-', '+'],
    ]) {
      expect(await s.z(...cmd), cmd.join(' ')).toBe(WRONGTYPE);
    }
  });

  it('renders scores as RESP3 doubles', async () => {
    const s = zsession();
    s.client.resp = 3;
    await s.z('ZADD', 'z', '1.5', 'a');
    const r = await s.raw('ZSCORE', 'z', 'a');
    expect(r).toBeInstanceOf(DoubleReply);
    expect((r as DoubleReply).value).toBe(1.5);
  });
});

describe('ZCOUNT / ZLEXCOUNT', () => {
  it('counts score ranges with exclusive ends and infinities', async () => {
    const s = zsession();
    await s.z('ZADD', 'z', '-inf', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'f', '+inf', 'g');
    expect(await s.z('ZCOUNT', 'z', '0', '3')).toBe(3);
    expect(await s.z('ZCOUNT', 'z', '(0', '(3')).toBe(2);
    expect(await s.z('ZCOUNT', 'z', '-inf', '+inf')).toBe(7);
    expect(await s.z('ZCOUNT', 'z', '(-inf', '(+inf')).toBe(5);
    expect(await s.z('ZCOUNT', 'z', '3', '1')).toBe(0);
    expect(await s.z('ZCOUNT', 'z', '(2', '2')).toBe(0);
    expect(await s.z('ZCOUNT', 'z', '2.4', '2.6')).toBe(0);
    expect(await s.z('ZCOUNT', 'z', '(', '+inf')).toBe(6);
    expect(await s.z('ZCOUNT', 'z', ' 1', '1e400')).toBe(6);
    expect(await s.z('ZCOUNT', 'z', Buffer.from('2\x00junk'), '3')).toBe(2);
    for (const bad of ['str', 'nan', '1 ', '  ', '[1']) {
      expect(await s.z('ZCOUNT', 'z', bad, '1'), bad).toBe('-ERR min or max is not a float');
    }
    expect(await s.z('ZCOUNT', 'nokey', 'x', '1')).toBe('-ERR min or max is not a float');
    expect(await s.z('ZCOUNT', 'nokey', '0', '1')).toBe(0);
  });

  it('counts lex ranges', async () => {
    const s = zsession();
    await s.z('ZADD', 'z', '0', 'alpha', '0', 'bar', '0', 'cool', '0', 'down', '0', 'elephant', '0', 'foo');
    expect(await s.z('ZLEXCOUNT', 'z', '-', '+')).toBe(6);
    expect(await s.z('ZLEXCOUNT', 'z', '[bar', '[down')).toBe(3);
    expect(await s.z('ZLEXCOUNT', 'z', '(bar', '(down')).toBe(1);
    expect(await s.z('ZLEXCOUNT', 'z', '+', '-')).toBe(0);
    expect(await s.z('ZLEXCOUNT', 'z', '-', '-')).toBe(0);
    expect(await s.z('ZLEXCOUNT', 'z', Buffer.from('-\x00x'), '+')).toBe(6);
    for (const bad of ['foo', '', '+x', '-a', '1']) {
      expect(await s.z('ZLEXCOUNT', 'z', bad, '+'), bad).toBe('-ERR min or max not valid string range item');
    }
    await s.run('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
    await s.z('ZADD', 'big', '0', 'alpha', '0', 'bar', '0', 'cool', '0', 'down');
    expect(await s.z('ZLEXCOUNT', 'big', '[b', '(d')).toBe(2);
  });
});
