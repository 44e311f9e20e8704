import { describe, expect, it } from 'vitest';
import { plain, session } from './test-helpers.js';

const BAD_SCORE = "-ERR One or more scores can't be converted into double";
const SYNTAX = '-ERR syntax error';
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

describe('SORT ordering', () => {
  it('sorts numerically by default, by bytes on equal scores, ALPHA as strings, DESC reversed', async () => {
    const s = session();
    await s.run('RPUSH', 'l', '10', '2', '1.5', '-3', '02', '2.0', 'inf', '0x10');
    expect(await s.run('SORT', 'l')).toEqual(['-3', '1.5', '02', '2', '2.0', '10', '0x10', 'inf']);
    expect(await s.run('SORT', 'l', 'DESC')).toEqual(['inf', '0x10', '10', '2.0', '2', '02', '1.5', '-3']);
    expect(await s.run('SORT', 'l', 'ALPHA')).toEqual(['-3', '02', '0x10', '1.5', '10', '2', '2.0', 'inf']);
    expect(await s.run('SORT', 'l', 'LIMIT', '1', '3')).toEqual(['1.5', '02', '2']);
    expect(await s.run('SORT', 'l', 'LIMIT', '6', '100')).toEqual(['0x10', 'inf']);
    expect(await s.run('SORT', 'l', 'LIMIT', '-5', '2')).toEqual(['-3', '1.5']);
    expect(await s.run('SORT', 'l', 'LIMIT', '2', '0')).toEqual([]);
    expect(await s.run('SORT', 'l', 'LIMIT', '2', '-1')).toEqual(['02', '2', '2.0', '10', '0x10', 'inf']);
    expect(await s.run('SORT', 'nokey')).toEqual([]);
  });

  it('fails on a value that is not a double, after reading them all', async () => {
    const s = session();
    await s.run('SADD', 'st', '1', '2', 'x');
    expect(await s.run('SORT', 'st')).toBe(BAD_SCORE);
    expect(await s.run('SORT', 'st', 'ALPHA')).toEqual(['1', '2', 'x']);
    for (const bad of ['nan', '1e400', '1e-310', ' ', '1 ', '1e', '0x']) {
      await s.run('DEL', 'l');
      await s.run('RPUSH', 'l', '1', bad);
      expect(await s.run('SORT', 'l'), bad).toBe(BAD_SCORE);
    }
    await s.run('DEL', 'l');
    await s.run('RPUSH', 'l', '5', '', ' 3', '0x1p-1074', '-inf');
    expect(await s.run('SORT', 'l')).toEqual(['-inf', '', '0x1p-1074', ' 3', '5']);
  });

  it('compares ALPHA values as C strings, but whole bytes with STORE', async () => {
    const s = session();
    const items = ['a\0b', 'a\0a', 'a\0c', 'a'];
    await s.run('RPUSH', 'l', ...items);
    expect(await s.run('SORT', 'l', 'ALPHA')).toEqual(items);
    expect(await s.run('SORT', 'l', 'ALPHA', 'DESC')).toEqual(items);
    expect(await s.run('SORT', 'l', 'ALPHA', 'STORE', 'd')).toBe(4);
    expect(await s.run('LRANGE', 'd', '0', '-1')).toEqual(['a', 'a\0a', 'a\0b', 'a\0c']);
  });
});

describe('SORT BY and GET', () => {
  it('sorts by weights in string keys and hash fields; a missing weight is 0', async () => {
    const s = session();
    await s.run('RPUSH', 'l', 'a', 'b', 'c', 'd');
    await s.run('MSET', 'w_a', '3', 'w_b', '1', 'w_c', '-2');
    await s.run('HSET', 'h_a', 'f', '1');
    await s.run('HSET', 'h_b', 'f', '2');
    await s.run('HSET', 'h_d', 'f', '0.5');
    expect(await s.run('SORT', 'l', 'BY', 'w_*')).toEqual(['c', 'd', 'b', 'a']);
    expect(await s.run('SORT', 'l', 'BY', 'h_*->f')).toEqual(['c', 'd', 'a', 'b']);
    expect(await s.run('SORT', 'l', 'BY', 'w_*', 'ALPHA', 'DESC')).toEqual(['a', 'b', 'c', 'd']);
    expect(
      await s.run('SORT', 'l', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*', 'GET', 'h_*->f', 'GET', 'const'),
    ).toEqual(['c', '-2', null, null, 'd', null, '0.5', null, 'b', '1', '2', null, 'a', '3', '1', null]);
    // A hash where a string is expected, and the reverse, read as missing.
    expect(await s.run('SORT', 'l', 'BY', 'nosort', 'GET', 'h_*', 'GET', 'w_*->f')).toEqual(
      Array(8).fill(null),
    );
    await s.run('MSET', 'w_a', 'x');
    expect(await s.run('SORT', 'l', 'BY', 'w_*')).toBe(BAD_SCORE);
  });

  it('reads `->` only after the `*` and only with a field name after it', async () => {
    const s = session();
    await s.run('RPUSH', 'l', 'a');
    await s.run('SET', 'x:a->', '100');
    await s.run('HSET', 'k->y:a', 'f', 'v');
    expect(await s.run('SORT', 'l', 'BY', 'num', 'GET', 'x:*->')).toEqual(['100']);
    expect(await s.run('SORT', 'l', 'ALPHA', 'GET', 'k->y:*->f')).toEqual(['v']);
    expect(await s.run('SORT', 'l', 'ALPHA', 'GET', 'k->y:*->g')).toEqual([null]);
  });

  it('keeps native order with a constant BY, reversed by DESC, windowed by LIMIT', async () => {
    const s = session();
    await s.run('ZADD', 'z', '1', 'a', '5', 'b', '2', 'c', '10', 'd', '3', 'e');
    expect(await s.run('OBJECT', 'ENCODING', 'z')).toBe('listpack');
    expect(await s.run('SORT', 'z', 'BY', 'nosort')).toEqual(['a', 'c', 'e', 'b', 'd']);
    expect(await s.run('OBJECT', 'ENCODING', 'z')).toBe('skiplist');
    expect(await s.run('SORT', 'z', 'BY', 'nosort', 'DESC')).toEqual(['d', 'b', 'e', 'c', 'a']);
    expect(await s.run('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2')).toEqual(['b', 'e']);
    expect(await s.run('SORT', 'z', 'BY', 'nosort', 'LIMIT', '5', '10')).toEqual([]);
    await s.run('RPUSH', 'l', '5', '3', '4', '1', '2');
    expect(await s.run('SORT', 'l', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '3')).toEqual(['1', '4', '3']);
    // Any BY without `*` turns sorting off, even followed by one with `*`.
    expect(await s.run('SORT', 'l', 'BY', 'nosort', 'BY', 'w_*')).toEqual(['5', '3', '4', '1', '2']);
  });

  it('sorts a set with a constant BY when storing or inside a script', async () => {
    const s = session();
    await s.run('SADD', 'st', 'c', 'a', 'b');
    expect(await s.run('SORT', 'st', 'BY', 'nosort', 'STORE', 'd')).toBe(3);
    expect(await s.run('LRANGE', 'd', '0', '-1')).toEqual(['a', 'b', 'c']);
    expect(
      await s.run(
        'EVAL',
        "return redis.call('sort', KEYS[1], 'by', '_', 'get', '#', 'get', '_:*')",
        '1',
        'st',
      ),
    ).toEqual(['a', null, 'b', null, 'c', null]);
    expect(await s.run('EVAL', "return redis.call('sort_ro', KEYS[1], 'by', '_')", '1', 'st')).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});

describe('SORT STORE', () => {
  it('stores a list (GET misses as empty strings), drops the TTL, deletes on an empty result', async () => {
    const s = session();
    await s.run('RPUSH', 'l', '2', '1');
    await s.run('SET', 'dst', 'old', 'EX', '100');
    const dirty = s.t.server.dirty;
    expect(await s.run('SORT', 'l', 'GET', '#', 'GET', 'nope_*', 'STORE', 'dst')).toBe(4);
    expect(s.t.server.dirty - dirty).toBe(4); // one per element stored, as Redis counts
    expect(await s.run('LRANGE', 'dst', '0', '-1')).toEqual(['1', '', '2', '']);
    expect(await s.run('TTL', 'dst')).toBe(-1);
    expect(await s.run('SORT', 'l', 'LIMIT', '5', '5', 'STORE', 'dst')).toBe(0);
    expect(await s.run('EXISTS', 'dst')).toBe(0);
    expect(await s.run('SORT', 'missing', 'STORE', 'dst')).toBe(0);
    expect(await s.run('EXISTS', 'dst')).toBe(0);
    expect(await s.run('SORT', 'l', 'STORE', 'a', 'STORE', 'b')).toBe(2);
    expect(await s.run('EXISTS', 'a', 'b')).toBe(1);
    expect(await s.run('LRANGE', 'b', '0', '-1')).toEqual(['1', '2']);
  });

  it('refuses STORE in SORT_RO, bad options, wrong types', async () => {
    const s = session();
    await s.run('RPUSH', 'l', '1');
    await s.run('HSET', 'h', 'f', 'v');
    expect(await s.run('SORT_RO', 'l', 'STORE', 'd')).toBe(SYNTAX);
    expect(await s.run('SORT_RO', 'l')).toEqual(['1']);
    expect(await s.run('SORT', 'l', 'LIMIT', '1')).toBe(SYNTAX);
    expect(await s.run('SORT', 'l', 'LIMIT', 'x', '1')).toBe('-ERR value is not an integer or out of range');
    expect(await s.run('SORT', 'l', 'STORE')).toBe(SYNTAX);
    expect(await s.run('SORT', 'l', 'GET')).toBe(SYNTAX);
    expect(await s.run('SORT', 'l', 'ALPHAX')).toBe(SYNTAX);
    expect(await s.run('SORT', 'h')).toBe(WRONGTYPE);
    // Options are parsed before the key is looked up.
    expect(await s.run('SORT', 'h', 'BAD')).toBe(SYNTAX);
  });
});

describe('SORT keys and permissions', () => {
  it('declares the sorted key and the last STORE key', async () => {
    const s = session();
    expect(await s.run('COMMAND', 'GETKEYS', 'SORT', 'abc', 'STORE', 'def')).toEqual(['abc', 'def']);
    expect(
      await s.run(
        'COMMAND',
        'GETKEYS',
        'SORT',
        'abc',
        'store',
        'invalid',
        'store',
        'stillbad',
        'store',
        'def',
      ),
    ).toEqual(['abc', 'def']);
    expect(await s.run('COMMAND', 'GETKEYS', 'SORT', 'abc', 'GET', 'store', 'LIMIT', '0', '1')).toEqual([
      'abc',
    ]);
    expect(await s.run('COMMAND', 'GETKEYS', 'SORT_RO', 'abc', 'STORE', 'x')).toEqual(['abc']);
    const info = (await s.run('COMMAND', 'INFO', 'SORT')) as unknown[][];
    expect(info[0].slice(0, 6)).toEqual(['sort', -2, { other: expect.anything() }, 1, 1, 1]);
  });

  it('refuses BY and GET patterns to a user who cannot read every key', async () => {
    const s = session();
    await s.run('RPUSH', 'mylist', '1');
    await s.run('SET', 'v1', '7');
    await s.run('ACL', 'SETUSER', 'u', 'on', 'nopass', '+sort', '~mylist', '~v*');
    const c = s.t.client();
    expect(await s.t.run(c, 'AUTH', 'u', 'x')).toBeDefined();
    const run = async (...a: string[]) => plain(await s.t.run(c, ...a));
    expect(await run('SORT', 'mylist', 'BY', 'v*')).toBe(
      '-ERR BY option of SORT denied due to insufficient ACL permissions.',
    );
    expect(await run('SORT', 'mylist', 'GET', '#')).toBe(
      '-ERR GET option of SORT denied due to insufficient ACL permissions.',
    );
    expect(await run('SORT', 'mylist', 'BY', 'nosort')).toEqual(['1']);
    await s.run('ACL', 'SETUSER', 'u', '%W~*');
    expect(await run('SORT', 'mylist', 'BY', 'v*')).toBe(
      '-ERR BY option of SORT denied due to insufficient ACL permissions.',
    );
    await s.run('ACL', 'SETUSER', 'u', '%R~*');
    expect(await run('SORT', 'mylist', 'BY', 'v*', 'GET', 'v*')).toEqual(['7']);
  });
});
