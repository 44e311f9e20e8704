import { describe, expect, it } from 'vitest';
import { type ZSession, zsession } from './zset-test-helpers.js';

async function defaultSet(s: ZSession, key = 'z'): Promise<void> {
  await s.z('DEL', key);
  await s.z('ZADD', key, '-inf', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'f', '+inf', 'g');
}

describe('ZRANGE by rank / ZREVRANGE', () => {
  for (const big of [false, true]) {
    it(`slices by index from both ends (${big ? 'skiplist' : 'listpack'})`, async () => {
      const s = zsession();
      if (big) await s.run('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
      await s.z('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
      const r = (a: string, b: string) => s.z('ZRANGE', 'z', a, b);
      expect(await r('0', '-1')).toEqual(['a', 'b', 'c', 'd']);
      expect(await r('1', '-2')).toEqual(['b', 'c']);
      expect(await r('-2', '-1')).toEqual(['c', 'd']);
      expect(await r('-5', '1')).toEqual(['a', 'b']);
      expect(await r('5', '-1')).toEqual([]);
      expect(await r('0', '5')).toEqual(['a', 'b', 'c', 'd']);
      expect(await r('1', '-5')).toEqual([]);
      expect(await s.z('ZREVRANGE', 'z', '0', '-2')).toEqual(['d', 'c', 'b']);
      expect(await s.z('ZREVRANGE', 'z', '-5', '1', 'WITHSCORES')).toEqual(['d', 'd:4', 'c', 'd:3']);
      expect(await s.z('ZRANGE', 'z', '0', '1', 'REV')).toEqual(['d', 'c']);
      expect(await s.z('ZRANGE', 'nokey', '0', '-1')).toEqual([]);
    });
  }

  it('nests [member, score] pairs in RESP3', async () => {
    const s = zsession();
    s.client.resp = 3;
    await s.z('ZADD', 'z', '1', 'a', '2.5', 'b');
    expect(await s.z('ZRANGE', 'z', '0', '-1', 'WITHSCORES')).toEqual([
      ['a', 'd:1'],
      ['b', 'd:2.5'],
    ]);
    expect(await s.z('ZRANGE', 'z', '0', '-1')).toEqual(['a', 'b']);
  });

  it('checks options as zrangeGenericCommand does', async () => {
    const s = zsession();
    await s.z('ZADD', 'z', '1', 'a');
    expect(await s.z('ZRANGE', 'z', '0', '-1', 'LIMIT', '0', '1')).toBe(
      '-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
    );
    // LIMIT 0 -1 is "no limit": accepted even by rank.
    expect(await s.z('ZRANGE', 'z', '0', '-1', 'LIMIT', '0', '-1')).toEqual(['a']);
    expect(await s.z('ZRANGE', 'z', '-', '+', 'BYLEX', 'WITHSCORES')).toBe(
      '-ERR syntax error, WITHSCORES not supported in combination with BYLEX',
    );
    expect(await s.z('ZRANGE', 'z', '0', '1', 'BYSCORE', 'BYLEX')).toBe('-ERR syntax error');
    expect(await s.z('ZRANGE', 'z', '0', '1', 'REV', 'REV')).toBe('-ERR syntax error');
    expect(await s.z('ZRANGE', 'z', '0', '1', 'LIMIT', '1')).toBe('-ERR syntax error');
    expect(await s.z('ZRANGE', 'z', '0', '1', 'BYSCORE', 'LIMIT', 'x', '1')).toBe(
      '-ERR value is not an integer or out of range',
    );
    expect(await s.z('ZRANGE', 'z', 'a', '1')).toBe('-ERR value is not an integer or out of range');
    expect(await s.z('ZRANGE', 'z', 'a', '1', 'BYSCORE')).toBe('-ERR min or max is not a float');
    expect(await s.z('ZRANGE', 'z', 'a', '1', 'BYLEX')).toBe('-ERR min or max not valid string range item');
    expect(await s.z('ZRANGEBYSCORE', 'z', '0', '1', 'BYSCORE')).toBe('-ERR syntax error');
    expect(await s.z('ZREVRANGEBYSCORE', 'z', '0', '1', 'REV')).toBe('-ERR syntax error');
    expect(await s.z('ZRANGEBYLEX', 'z', '-', '+', 'WITHSCORES')).toBe(
      '-ERR syntax error, WITHSCORES not supported in combination with BYLEX',
    );
  });
});

describe('ZRANGE BYSCORE / ZRANGEBYSCORE / ZREVRANGEBYSCORE', () => {
  for (const big of [false, true]) {
    it(`ranges with exclusive ends, LIMIT and WITHSCORES (${big ? 'skiplist' : 'listpack'})`, async () => {
      const s = zsession();
      if (big) await s.run('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
      await defaultSet(s);
      const by = (...a: string[]) => s.z('ZRANGEBYSCORE', 'z', ...a);
      const rev = (...a: string[]) => s.z('ZREVRANGEBYSCORE', 'z', ...a);
      expect(await by('-inf', '2')).toEqual(['a', 'b', 'c']);
      expect(await by('4', '+inf')).toEqual(['e', 'f', 'g']);
      expect(await rev('6', '3')).toEqual(['f', 'e', 'd']);
      expect(await by('(-inf', '(2')).toEqual(['b']);
      expect(await rev('(+inf', '(4')).toEqual(['f']);
      expect(await by('(2.4', '(2.6')).toEqual([]);
      expect(await by('0', '3', 'WITHSCORES')).toEqual(['b', 'd:1', 'c', 'd:2', 'd', 'd:3']);
      expect(await by('0', '10', 'LIMIT', '2', '3')).toEqual(['d', 'e', 'f']);
      expect(await by('0', '10', 'LIMIT', '20', '10')).toEqual([]);
      expect(await by('0', '10', 'LIMIT', '1', '-1')).toEqual(['c', 'd', 'e', 'f']);
      expect(await by('0', '10', 'LIMIT', '-1', '2')).toEqual([]);
      expect(await by('0', '10', 'LIMIT', '0', '0')).toEqual([]);
      expect(await rev('10', '0', 'LIMIT', '2', '3')).toEqual(['d', 'c', 'b']);
      expect(await rev('5', '2', 'LIMIT', '2', '3', 'WITHSCORES')).toEqual(['d', 'd:3', 'c', 'd:2']);
      expect(await s.z('ZRANGE', 'z', '(1', '3', 'BYSCORE', 'LIMIT', '1', '5')).toEqual(['d']);
      expect(await s.z('ZRANGE', 'z', '3', '(1', 'BYSCORE', 'REV')).toEqual(['d', 'c']);
      expect(await by('str', '1')).toBe('-ERR min or max is not a float');
      expect(await by('1', 'NaN')).toBe('-ERR min or max is not a float');
    });
  }
});

describe('ZRANGE BYLEX / ZRANGEBYLEX / ZREVRANGEBYLEX', () => {
  for (const big of [false, true]) {
    it(`ranges by member bytes (${big ? 'skiplist' : 'listpack'})`, async () => {
      const s = zsession();
      if (big) await s.run('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
      await s.z('ZADD', 'z', '0', 'alpha', '0', 'bar', '0', 'cool', '0', 'down', '0', 'elephant', '0', 'foo');
      const lex = (...a: string[]) => s.z('ZRANGEBYLEX', 'z', ...a);
      expect(await lex('-', '[cool')).toEqual(['alpha', 'bar', 'cool']);
      expect(await lex('[bar', '[down')).toEqual(['bar', 'cool', 'down']);
      expect(await lex('(bar', '(down')).toEqual(['cool']);
      expect(await lex('[elephant', '+')).toEqual(['elephant', 'foo']);
      expect(await lex('-', '+', 'LIMIT', '1', '2')).toEqual(['bar', 'cool']);
      expect(await lex('+', '-')).toEqual([]);
      expect(await s.z('ZREVRANGEBYLEX', 'z', '[d', '-')).toEqual(['cool', 'bar', 'alpha']);
      expect(await s.z('ZREVRANGEBYLEX', 'z', '+', '(cool', 'LIMIT', '0', '2')).toEqual(['foo', 'elephant']);
      expect(await s.z('ZRANGE', 'z', '[z', '[c', 'BYLEX', 'REV')).toEqual([
        'foo',
        'elephant',
        'down',
        'cool',
      ]);
      expect(await lex('foo', '+')).toBe('-ERR min or max not valid string range item');
    });
  }

  it('walks a listpack with mixed scores from the head, as zzlFirstInLexRange does', async () => {
    const s = zsession();
    await s.z('ZADD', 'z', '0', 'a', '1', 'c', '2', 'b', '3', 'd');
    expect(await s.z('ZRANGEBYLEX', 'z', '[b', '+')).toEqual(['c', 'b', 'd']);
    expect(await s.z('ZLEXCOUNT', 'z', '-', '[b')).toBe(1);
  });
});

describe('ZRANGESTORE', () => {
  it('stores a range, deleting the destination for an empty one', async () => {
    const s = zsession();
    await defaultSet(s);
    expect(await s.z('ZRANGESTORE', 'dst', 'z', '1', '3')).toBe(3);
    expect(await s.z('ZRANGE', 'dst', '0', '-1', 'WITHSCORES')).toEqual(['b', 'd:1', 'c', 'd:2', 'd', 'd:3']);
    expect(await s.z('ZRANGESTORE', 'dst', 'z', '(4', '+inf', 'BYSCORE', 'LIMIT', '0', '1')).toBe(1);
    expect(await s.z('ZRANGE', 'dst', '0', '-1')).toEqual(['f']);
    expect(await s.z('ZRANGESTORE', 'dst', 'z', '5', '1', 'BYSCORE', 'REV')).toBe(5);
    expect(await s.z('ZRANGE', 'dst', '0', '-1')).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(await s.z('ZRANGESTORE', 'dst', 'z', '10', '20')).toBe(0);
    expect(await s.z('EXISTS', 'dst')).toBe(0);
    await s.z('SET', 'dst', 'x');
    expect(await s.z('ZRANGESTORE', 'dst', 'nokey', '0', '-1')).toBe(0);
    expect(await s.z('EXISTS', 'dst')).toBe(0);
    expect(await s.z('ZRANGESTORE', 'dst', 'z', '0', '-1', 'WITHSCORES')).toBe('-ERR syntax error');
    await s.z('SET', 'str', 'x');
    expect(await s.z('ZRANGESTORE', 'dst', 'str', '0', '-1')).toBe(
      '-WRONGTYPE Operation against a key holding the wrong kind of value',
    );
  });

  it('gives the result the encoding its contents fit', async () => {
    const s = zsession();
    await s.run('CONFIG', 'SET', 'zset-max-listpack-entries', '3');
    await s.z('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    await s.z('ZRANGESTORE', 'small', 'z', '0', '2');
    expect(await s.z('OBJECT', 'ENCODING', 'small')).toBe('listpack');
    await s.z('ZRANGESTORE', 'large', 'z', '0', '-1');
    expect(await s.z('OBJECT', 'ENCODING', 'large')).toBe('skiplist');
  });
});

describe('ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX', () => {
  const five = async (s: ZSession) => {
    await s.z('DEL', 'z');
    await s.z('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
  };

  it('removes by rank', async () => {
    const s = zsession();
    const cases: Array<[string, string, number, string[]]> = [
      ['1', '3', 3, ['a', 'e']],
      ['-10', '0', 1, ['b', 'c', 'd', 'e']],
      ['10', '-1', 0, ['a', 'b', 'c', 'd', 'e']],
      ['0', '-10', 0, ['a', 'b', 'c', 'd', 'e']],
      ['0', '10', 5, []],
    ];
    for (const [a, b, n, left] of cases) {
      await five(s);
      expect(await s.z('ZREMRANGEBYRANK', 'z', a, b), `${a} ${b}`).toBe(n);
      expect(await s.z('ZRANGE', 'z', '0', '-1')).toEqual(left);
    }
    expect(await s.z('EXISTS', 'z')).toBe(0);
    expect(await s.z('ZREMRANGEBYRANK', 'z', 'x', '1')).toBe('-ERR value is not an integer or out of range');
  });

  it('removes by score', async () => {
    const s = zsession();
    const cases: Array<[string, string, number, string[]]> = [
      ['2', '4', 3, ['a', 'e']],
      ['-10', '1', 1, ['b', 'c', 'd', 'e']],
      ['4', '2', 0, ['a', 'b', 'c', 'd', 'e']],
      ['(1', '5', 4, ['a']],
      ['1', '(5', 4, ['e']],
      ['(1', '(5', 3, ['a', 'e']],
      ['-inf', '+inf', 5, []],
    ];
    for (const [a, b, n, left] of cases) {
      await five(s);
      expect(await s.z('ZREMRANGEBYSCORE', 'z', a, b), `${a} ${b}`).toBe(n);
      expect(await s.z('ZRANGE', 'z', '0', '-1')).toEqual(left);
    }
    expect(await s.z('ZREMRANGEBYSCORE', 'nokey', 'str', '1')).toBe('-ERR min or max is not a float');
  });

  it('removes by lex', async () => {
    const s = zsession();
    await s.z('ZADD', 'z', '0', 'alpha', '0', 'bar', '0', 'cool', '0', 'down', '0', 'elephant', '0', 'foo');
    expect(await s.z('ZREMRANGEBYLEX', 'z', '(alpha', '[cool')).toBe(2);
    expect(await s.z('ZRANGE', 'z', '0', '-1')).toEqual(['alpha', 'down', 'elephant', 'foo']);
    expect(await s.z('ZREMRANGEBYLEX', 'z', '[x', '[y')).toBe(0);
    expect(await s.z('ZREMRANGEBYLEX', 'z', '-', '+')).toBe(4);
    expect(await s.z('EXISTS', 'z')).toBe(0);
    expect(await s.z('ZREMRANGEBYLEX', 'z', 'x', '+')).toBe('-ERR min or max not valid string range item');
  });
});
