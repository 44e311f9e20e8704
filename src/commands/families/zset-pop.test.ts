import { describe, expect, it } from 'vitest';
import { zsession } from './zset-test-helpers.js';

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

describe('ZPOPMIN / ZPOPMAX', () => {
  it('pops from either end, flat in RESP2', async () => {
    const s = zsession();
    await s.z('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    expect(await s.z('ZPOPMIN', 'z')).toEqual(['a', 'd:1']);
    expect(await s.z('ZPOPMAX', 'z', '2')).toEqual(['d', 'd:4', 'c', 'd:3']);
    expect(await s.z('ZPOPMIN', 'z', '0')).toEqual([]);
    expect(await s.z('ZPOPMIN', 'z', '10')).toEqual(['b', 'd:2']);
    expect(await s.z('EXISTS', 'z')).toBe(0);
    expect(await s.z('ZPOPMIN', 'z')).toEqual([]);
    expect(await s.z('ZPOPMIN', 'z', '-1')).toBe('-ERR value is out of range, must be positive');
    expect(await s.z('ZPOPMIN', 'z', 'x')).toBe('-ERR value is out of range, must be positive');
    expect(await s.z('ZPOPMIN', 'z', '1', '2')).toBe('-ERR syntax error');
    await s.z('SET', 'str', 'x');
    expect(await s.z('ZPOPMAX', 'str')).toBe(WRONGTYPE);
  });

  it('nests pairs in RESP3 only when a count is given', async () => {
    const s = zsession();
    s.client.resp = 3;
    await s.z('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    expect(await s.z('ZPOPMIN', 'z')).toEqual(['a', 'd:1']);
    expect(await s.z('ZPOPMIN', 'z', '1')).toEqual([['b', 'd:2']]);
  });
});

describe('ZMPOP', () => {
  it('pops from the first non-empty key, naming it', async () => {
    const s = zsession();
    await s.z('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    expect(await s.z('ZMPOP', '2', 'nokey', 'z', 'MAX', 'COUNT', '2')).toEqual([
      'z',
      [
        ['c', 'd:3'],
        ['b', 'd:2'],
      ],
    ]);
    expect(await s.z('ZMPOP', '1', 'z', 'min')).toEqual(['z', [['a', 'd:1']]]);
    expect(await s.z('ZMPOP', '1', 'z', 'MIN')).toBe('null-array');
  });

  it('checks its arguments as Redis does', async () => {
    const s = zsession();
    await s.z('ZADD', 'z', '1', 'a');
    await s.z('SET', 'str', 'x');
    expect(await s.z('ZMPOP', '0', 'z', 'MIN')).toBe('-ERR numkeys should be greater than 0');
    expect(await s.z('ZMPOP', 'x', 'z', 'MIN')).toBe('-ERR numkeys should be greater than 0');
    expect(await s.z('ZMPOP', '2', 'z', 'MIN')).toBe('-ERR syntax error');
    expect(await s.z('ZMPOP', '1', 'z', 'FOO')).toBe('-ERR syntax error');
    expect(await s.z('ZMPOP', '1', 'z', 'MIN', 'COUNT', '0')).toBe('-ERR count should be greater than 0');
    expect(await s.z('ZMPOP', '1', 'z', 'MIN', 'COUNT', '1', 'COUNT', '1')).toBe('-ERR syntax error');
    expect(await s.z('ZMPOP', '1', 'z', 'MIN', 'COUNT')).toBe('-ERR syntax error');
    expect(await s.z('ZMPOP', '2', 'nokey', 'str', 'MIN')).toBe(WRONGTYPE);
  });
});

describe('ZRANDMEMBER', () => {
  it('returns random members: distinct for a positive count, repeated for a negative one', async () => {
    const s = zsession();
    await s.z('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
    const all = ['a', 'b', 'c', 'd', 'e'];
    expect(all).toContain(await s.z('ZRANDMEMBER', 'z'));
    for (const n of ['1', '2', '4']) {
      const got = (await s.z('ZRANDMEMBER', 'z', n)) as string[];
      expect(got).toHaveLength(Number(n));
      expect(new Set(got).size).toBe(got.length);
      for (const m of got) expect(all).toContain(m);
    }
    expect(await s.z('ZRANDMEMBER', 'z', '10')).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(await s.z('ZRANDMEMBER', 'z', '5', 'WITHSCORES')).toEqual([
      'e',
      'd:5',
      'd',
      'd:4',
      'c',
      'd:3',
      'b',
      'd:2',
      'a',
      'd:1',
    ]);
    const rep = (await s.z('ZRANDMEMBER', 'z', '-20', 'WITHSCORES')) as string[];
    expect(rep).toHaveLength(40);
    for (let i = 0; i < rep.length; i += 2) expect(rep[i + 1]).toBe(`d:${all.indexOf(rep[i]) + 1}`);
    expect(await s.z('ZRANDMEMBER', 'z', '0')).toEqual([]);
    expect(await s.z('ZRANDMEMBER', 'nokey')).toBeNull();
    expect(await s.z('ZRANDMEMBER', 'nokey', '3')).toEqual([]);
  });

  it('nests pairs in RESP3', async () => {
    const s = zsession();
    s.client.resp = 3;
    await s.z('ZADD', 'z', '1', 'a');
    expect(await s.z('ZRANDMEMBER', 'z', '1', 'WITHSCORES')).toEqual([['a', 'd:1']]);
  });

  it('checks the count as Redis 7.0 does', async () => {
    const s = zsession();
    await s.z('ZADD', 'z', '1', 'a');
    expect(await s.z('ZRANDMEMBER', 'z', 'x')).toBe('-ERR value is not an integer or out of range');
    expect(await s.z('ZRANDMEMBER', 'z', '-9223372036854775808')).toBe(
      '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
    );
    expect(await s.z('ZRANDMEMBER', 'nokey', '4611686018427387904', 'WITHSCORES')).toBe(
      '-ERR value is out of range',
    );
    expect(await s.z('ZRANDMEMBER', 'z', '1', 'WITHSCORE')).toBe('-ERR syntax error');
    expect(await s.z('ZRANDMEMBER', 'z', '1', 'WITHSCORES', 'x')).toBe('-ERR syntax error');
    expect(await s.z('ZRANDMEMBER', 'z', '9223372036854775807')).toEqual(['a']);
  });
});

describe('ZSCAN', () => {
  it('returns a listpack whole, scores as the listpack holds them', async () => {
    const s = zsession();
    await s.z('ZADD', 'z', '1', 'a', '0.1', 'b', '1e17', 'c', 'inf', 'd', '-0', 'e');
    expect(await s.z('ZSCAN', 'z', '0')).toEqual([
      '0',
      ['e', '0', 'b', '0.10000000000000001', 'a', '1', 'c', '100000000000000000', 'd', 'inf'],
    ]);
    expect(await s.z('ZSCAN', 'z', '0', 'MATCH', '[ab]')).toEqual([
      '0',
      ['b', '0.10000000000000001', 'a', '1'],
    ]);
    expect(await s.z('ZSCAN', 'nokey', '0', 'COUNT', '0')).toEqual(['0', []]);
    expect(await s.z('ZSCAN', 'z', '0', 'COUNT', '0')).toBe('-ERR syntax error');
    expect(await s.z('ZSCAN', 'z', 'x')).toBe('-ERR invalid cursor');
    expect(await s.z('ZSCAN', 'z', '0', 'TYPE', 'zset')).toBe('-ERR syntax error');
  });

  it('walks a skiplist with cursors, every member once', async () => {
    const s = zsession();
    await s.run('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
    const args: string[] = [];
    for (let i = 0; i < 100; i++) args.push(String(i / 4), `m${i}`);
    await s.z('ZADD', 'z', ...args);
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = (await s.z('ZSCAN', 'z', cursor, 'COUNT', '7')) as [string, string[]];
      for (let i = 0; i < items.length; i += 2) {
        expect(seen.has(items[i])).toBe(false);
        seen.set(items[i], items[i + 1]);
      }
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(seen.size).toBe(100);
    expect(calls).toBeGreaterThan(10);
    expect(seen.get('m1')).toBe('0.25');
    expect(seen.get('m40')).toBe('10');
  });
});
