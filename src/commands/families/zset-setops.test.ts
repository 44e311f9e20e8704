import { describe, expect, it } from 'vitest';
import { type ZSession, zsession } from './zset-test-helpers.js';

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

async function abc(s: ZSession): Promise<void> {
  await s.z('ZADD', 'za', '1', 'a', '2', 'b', '3', 'c');
  await s.z('ZADD', 'zb', '1', 'b', '2', 'c', '3', 'd');
}

describe('ZUNION / ZUNIONSTORE', () => {
  it('sums by default, with weights and aggregates', async () => {
    const s = zsession();
    await abc(s);
    expect(await s.z('ZUNIONSTORE', 'zc', '2', 'za', 'zb')).toBe(4);
    expect(await s.z('ZRANGE', 'zc', '0', '-1', 'WITHSCORES')).toEqual([
      'a',
      'd:1',
      'b',
      'd:3',
      'd',
      'd:3',
      'c',
      'd:5',
    ]);
    expect(await s.z('ZUNION', '2', 'za', 'zb', 'WEIGHTS', '2', '3', 'WITHSCORES')).toEqual([
      'a',
      'd:2',
      'b',
      'd:7',
      'd',
      'd:9',
      'c',
      'd:12',
    ]);
    expect(await s.z('ZUNION', '2', 'za', 'zb', 'AGGREGATE', 'MIN', 'WITHSCORES')).toEqual([
      'a',
      'd:1',
      'b',
      'd:1',
      'c',
      'd:2',
      'd',
      'd:3',
    ]);
    expect(await s.z('ZUNION', '2', 'za', 'zb', 'aggregate', 'max')).toEqual(['a', 'b', 'c', 'd']);
    expect(await s.z('ZUNION', '3', 'za', 'nokey', 'zb')).toEqual(['a', 'b', 'd', 'c']);
  });

  it('takes plain sets with score 1', async () => {
    const s = zsession();
    await abc(s);
    await s.z('SADD', 'seta', 'a', 'b', 'c');
    expect(await s.z('ZUNIONSTORE', 'zc', '2', 'seta', 'zb', 'WEIGHTS', '2', '3')).toBe(4);
    expect(await s.z('ZRANGE', 'zc', '0', '-1', 'WITHSCORES')).toEqual([
      'a',
      'd:2',
      'b',
      'd:5',
      'c',
      'd:8',
      'd',
      'd:9',
    ]);
    expect(await s.z('ZINTER', '2', 'seta', 'za', 'WITHSCORES')).toEqual([
      'a',
      'd:2',
      'b',
      'd:3',
      'c',
      'd:4',
    ]);
  });

  it('handles infinities: inf + -inf is 0, a NaN product is 0', async () => {
    const s = zsession();
    await s.z('ZADD', 'zi', '+inf', 'x', '-inf', 'y');
    await s.z('ZADD', 'zj', '-inf', 'x', '+inf', 'y', '0', 'z');
    expect(await s.z('ZUNION', '2', 'zi', 'zj', 'WITHSCORES')).toEqual(['x', 'd:0', 'y', 'd:0', 'z', 'd:0']);
    expect(await s.z('ZUNION', '1', 'zi', 'WEIGHTS', '0', 'WITHSCORES')).toEqual(['x', 'd:0', 'y', 'd:0']);
    await s.z('ZADD', 'big', '1e308', 'm');
    expect(await s.z('ZUNION', '2', 'big', 'big', 'WITHSCORES')).toEqual(['m', 'd:inf']);
  });

  it('stores nothing for an empty result and deletes the destination', async () => {
    const s = zsession();
    await s.z('SET', 'dst', 'x');
    expect(await s.z('ZUNIONSTORE', 'dst', '1', 'nokey')).toBe(0);
    expect(await s.z('EXISTS', 'dst')).toBe(0);
  });

  it('checks numkeys, keys and options in Redis order', async () => {
    const s = zsession();
    await abc(s);
    await s.z('SET', 'str', 'x');
    expect(await s.z('ZUNION', '0', 'za')).toBe("-ERR at least 1 input key is needed for 'zunion' command");
    expect(await s.z('ZUNIONSTORE', 'd', '-1', 'za')).toBe(
      "-ERR at least 1 input key is needed for 'zunionstore' command",
    );
    expect(await s.z('ZUNION', 'x', 'za')).toBe('-ERR value is not an integer or out of range');
    expect(await s.z('ZUNION', '3', 'za', 'zb')).toBe('-ERR syntax error');
    expect(await s.z('ZUNION', '9223372036854775807', 'za')).toBe('-ERR syntax error');
    expect(await s.z('ZUNION', '2', 'za', 'str', 'WEIGHTS', 'x')).toBe(WRONGTYPE);
    expect(await s.z('ZUNION', '1', 'za', 'WEIGHTS')).toBe('-ERR syntax error');
    expect(await s.z('ZUNION', '1', 'za', 'WEIGHTS', 'x')).toBe('-ERR weight value is not a float');
    expect(await s.z('ZUNION', '1', 'za', 'AGGREGATE', 'avg')).toBe('-ERR syntax error');
    expect(await s.z('ZUNION', '1', 'za', 'AGGREGATE')).toBe('-ERR syntax error');
    expect(await s.z('ZUNIONSTORE', 'd', '1', 'za', 'WITHSCORES')).toBe('-ERR syntax error');
    expect(await s.z('ZDIFF', '1', 'za', 'WEIGHTS', '1')).toBe('-ERR syntax error');
  });

  it('answers RESP3 WITHSCORES as pairs', async () => {
    const s = zsession();
    s.client.resp = 3;
    await abc(s);
    expect(await s.z('ZINTER', '2', 'za', 'zb', 'WITHSCORES')).toEqual([
      ['b', 'd:3'],
      ['c', 'd:5'],
    ]);
  });
});

describe('ZINTER / ZINTERSTORE / ZINTERCARD', () => {
  it('intersects with weights and aggregates', async () => {
    const s = zsession();
    await abc(s);
    expect(await s.z('ZINTERSTORE', 'zc', '2', 'za', 'zb')).toBe(2);
    expect(await s.z('ZRANGE', 'zc', '0', '-1', 'WITHSCORES')).toEqual(['b', 'd:3', 'c', 'd:5']);
    expect(
      await s.z('ZINTER', '2', 'za', 'zb', 'WEIGHTS', '2', '3', 'AGGREGATE', 'MAX', 'WITHSCORES'),
    ).toEqual(['b', 'd:4', 'c', 'd:6']);
    expect(await s.z('ZINTER', '2', 'za', 'za', 'WITHSCORES')).toEqual(['a', 'd:2', 'b', 'd:4', 'c', 'd:6']);
    expect(await s.z('ZINTER', '2', 'za', 'nokey')).toEqual([]);
    expect(await s.z('ZINTERSTORE', 'zc', '2', 'za', 'nokey')).toBe(0);
    expect(await s.z('EXISTS', 'zc')).toBe(0);
  });

  it('counts with an optional LIMIT', async () => {
    const s = zsession();
    await abc(s);
    expect(await s.z('ZINTERCARD', '2', 'za', 'zb')).toBe(2);
    expect(await s.z('ZINTERCARD', '2', 'za', 'zb', 'LIMIT', '1')).toBe(1);
    expect(await s.z('ZINTERCARD', '2', 'za', 'zb', 'LIMIT', '0')).toBe(2);
    expect(await s.z('ZINTERCARD', '1', 'za', 'LIMIT', '-1')).toBe("-ERR LIMIT can't be negative");
    expect(await s.z('ZINTERCARD', '1', 'za', 'LIMIT', 'x')).toBe("-ERR LIMIT can't be negative");
    expect(await s.z('ZINTERCARD', '0', 'za')).toBe(
      "-ERR at least 1 input key is needed for 'zintercard' command",
    );
    expect(await s.z('ZINTERCARD', '1', 'za', 'WITHSCORES')).toBe('-ERR syntax error');
    expect(await s.z('ZINTERCARD', '1', 'za', 'WEIGHTS', '1')).toBe('-ERR syntax error');
  });
});

describe('ZDIFF / ZDIFFSTORE', () => {
  it('keeps members of the first set found in no other', async () => {
    const s = zsession();
    await abc(s);
    expect(await s.z('ZDIFF', '2', 'za', 'zb', 'WITHSCORES')).toEqual(['a', 'd:1']);
    expect(await s.z('ZDIFF', '1', 'za')).toEqual(['a', 'b', 'c']);
    expect(await s.z('ZDIFF', '2', 'za', 'za')).toEqual([]);
    expect(await s.z('ZDIFF', '2', 'nokey', 'za')).toEqual([]);
    expect(await s.z('ZDIFFSTORE', 'zc', '2', 'zb', 'za')).toBe(1);
    expect(await s.z('ZRANGE', 'zc', '0', '-1', 'WITHSCORES')).toEqual(['d', 'd:3']);
  });

  it('stores results in the encoding they fit', async () => {
    const s = zsession();
    await s.run('CONFIG', 'SET', 'zset-max-listpack-entries', '2');
    await abc(s);
    await s.z('ZDIFFSTORE', 'small', '2', 'za', 'zb');
    expect(await s.z('OBJECT', 'ENCODING', 'small')).toBe('listpack');
    await s.z('ZUNIONSTORE', 'large', '2', 'za', 'zb');
    expect(await s.z('OBJECT', 'ENCODING', 'large')).toBe('skiplist');
  });
});
