/**
 * The sorted-set family through real clients' everyday APIs: ioredis (RESP2) and node-redis
 * (RESP2 and RESP3, where scores arrive as RESP3 doubles and WITHSCORES replies as pairs),
 * inside MULTI too. Each script runs against Cairn and against a real redis-server and must
 * give the same results; random picks are reduced to sizes and membership, skiplist scans to
 * their sorted contents.
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

let cairn: CairnProcess;
let redis: RedisProcess;

beforeAll(async () => {
  [cairn, redis] = await Promise.all([startCairn(), startRedis()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([cairn?.stop(), redis?.stop()]);
});

async function ioredisScript(port: number): Promise<unknown[]> {
  const r = new Redis({ port, maxRetriesPerRequest: 0, lazyConnect: true });
  await r.connect();
  const out: unknown[] = [];
  const err = async (p: Promise<unknown>) =>
    p.then(
      (v) => v,
      (e: Error) => `ERR:${e.message}`,
    );
  try {
    await r.flushall();
    out.push(await r.zadd('io:z', 1, 'a', 2, 'b', 3, 'c', 0.1, 'd'), await r.zadd('io:z', 'CH', 5, 'a'));
    out.push(await r.zadd('io:z', 'NX', 'INCR', 1, 'e'), await r.zadd('io:z', 'XX', 'INCR', 1, 'nope'));
    out.push(
      await r.zincrby('io:z', 2.5, 'b'),
      await r.zscore('io:z', 'd'),
      await r.zmscore('io:z', 'a', 'x'),
    );
    out.push(await r.zcard('io:z'), await r.zrank('io:z', 'c'), await r.zrevrank('io:z', 'c'));
    out.push(await r.zrange('io:z', '0', '-1', 'WITHSCORES'), await r.zrevrange('io:z', 0, 1));
    out.push(await r.zrange('io:z', '(1', '+inf', 'BYSCORE', 'LIMIT', 1, 2));
    out.push(
      await r.zrangebyscore('io:z', '-inf', 3, 'WITHSCORES'),
      await r.zrevrangebyscore('io:z', 10, '(3'),
    );
    out.push(await r.zcount('io:z', '(1', 5), await r.object('ENCODING', 'io:z'));
    await r.zadd('io:lex', 0, 'alpha', 0, 'bar', 0, 'cool', 0, 'down');
    out.push(await r.zrangebylex('io:lex', '[b', '(d'), await r.zrevrangebylex('io:lex', '+', '[c'));
    out.push(await r.zlexcount('io:lex', '-', '+'), await r.zremrangebylex('io:lex', '[alpha', '(bar'));
    out.push(await r.zrangestore('io:dst', 'io:z', '0', '2'), await r.zrange('io:dst', '0', '-1'));
    out.push(await r.zremrangebyrank('io:dst', 0, 0), await r.zremrangebyscore('io:dst', '-inf', '(2'));
    await r.zadd('io:y', 1, 'b', 2, 'c', 3, 'x');
    await r.sadd('io:s', 'a', 'c');
    out.push(
      await r.zunionstore('io:u', 2, 'io:z', 'io:y', 'WEIGHTS', 2, 3),
      await r.zrange('io:u', '0', '-1', 'WITHSCORES'),
    );
    out.push(
      await r.zinterstore('io:i', 2, 'io:z', 'io:s', 'AGGREGATE', 'MAX'),
      await r.zrange('io:i', '0', '-1', 'WITHSCORES'),
    );
    out.push(await r.zdiffstore('io:d', 2, 'io:z', 'io:y'), await r.zdiff(2, 'io:z', 'io:y', 'WITHSCORES'));
    out.push(await r.zunion(2, 'io:z', 'io:y'), await r.zinter(2, 'io:z', 'io:y', 'WITHSCORES'));
    out.push(await r.zintercard(2, 'io:z', 'io:y'), await r.zintercard(2, 'io:z', 'io:y', 'LIMIT', 1));
    out.push(
      await r.zpopmin('io:u'),
      await r.zpopmax('io:u', 2),
      await r.zmpop(2, 'io:none', 'io:u', 'MIN', 'COUNT', 1),
    );
    const one = await r.zrandmember('io:z');
    out.push(one !== null && (await r.zscore('io:z', one)) !== null);
    const two = (await r.zrandmember('io:z', 2)) as string[];
    out.push(two.length, new Set(two).size, await r.zrandmember('io:z', 50, 'WITHSCORES'));
    out.push(((await r.zrandmember('io:z', -7)) as string[]).length);
    out.push(await r.zscan('io:z', 0), await r.zscan('io:z', 0, 'MATCH', '[ab]'));
    await r.zadd('io:big', ...Array.from({ length: 200 }, (_, i) => [i / 8, `m${i}`]).flat());
    const seen = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, batch] = await r.zscan('io:big', cursor, 'COUNT', 9);
      for (let i = 0; i < batch.length; i += 2) seen.set(batch[i], batch[i + 1]);
      cursor = next;
    } while (cursor !== '0');
    out.push(seen.size, seen.get('m3'), await r.object('ENCODING', 'io:big'));
    await r.set('io:str', 'x');
    out.push(await err(r.zadd('io:str', 1, 'a')), await err(r.zadd('io:z', 'NX', 'XX', 1, 'a')));
    out.push(await err(r.zadd('io:z', 'nan', 'a')), await err(r.zincrby('io:z', '-inf', 'nope')));
    out.push(
      await err(r.zrange('io:z', '0', '1', 'LIMIT', '0', '1')),
      await err(r.zrangebyscore('io:z', 'a', 'b')),
    );
    out.push(await err(r.zunion(0, 'io:z')), await err(r.zpopmin('io:z', -1)));
    const tx = await r
      .multi()
      .zadd('io:t', 1, 'a', 2, 'b')
      .zscore('io:t', 'b')
      .zrange('io:t', '0', '-1', 'WITHSCORES')
      .zpopmin('io:t', 5)
      .exists('io:t')
      .exec();
    out.push(tx);
    return out;
  } finally {
    r.disconnect();
  }
}

async function nodeRedisScript(port: number, RESP: 2 | 3): Promise<unknown[]> {
  const c = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false }, RESP });
  c.on('error', () => {});
  await c.connect();
  const out: unknown[] = [];
  const k = (s: string) => `nr${RESP}:${s}`;
  try {
    out.push(
      await c.zAdd(k('a'), [
        { score: 1, value: 'x' },
        { score: 2.5, value: 'y' },
        { score: 0.1, value: 'z' },
      ]),
    );
    out.push(
      await c.zAdd(k('a'), { score: 3, value: 'x' }, { CH: true }),
      await c.zAddIncr(k('a'), { score: 1, value: 'w' }),
    );
    out.push(
      await c.zIncrBy(k('a'), 0.5, 'y'),
      await c.zScore(k('a'), 'z'),
      await c.zmScore(k('a'), ['x', 'no']),
    );
    out.push(await c.zCard(k('a')), await c.zRank(k('a'), 'y'), await c.zRevRank(k('a'), 'y'));
    out.push(await c.zRange(k('a'), 0, -1), await c.zRangeWithScores(k('a'), 0, -1));
    out.push(
      await c.zRange(k('a'), '+inf', '(1', { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: 2 } }),
    );
    out.push(await c.zCount(k('a'), '-inf', 2), await c.zRangeStore(k('s'), k('a'), 0, 1));
    await c.zAdd(
      k('lex'),
      ['a', 'b', 'c', 'd'].map((value) => ({ score: 0, value })),
    );
    out.push(await c.zRange(k('lex'), '[b', '+', { BY: 'LEX' }), await c.zLexCount(k('lex'), '(a', '[c'));
    out.push(await c.zRemRangeByLex(k('lex'), '-', '[b'), await c.zRemRangeByRank(k('lex'), -1, -1));
    out.push(await c.zRemRangeByScore(k('s'), '-inf', 1));
    await c.zAdd(k('b'), [
      { score: 10, value: 'x' },
      { score: 20, value: 'v' },
    ]);
    out.push(
      await c.zUnion([k('a'), k('b')]),
      await c.zUnionWithScores([k('a'), k('b')], { AGGREGATE: 'MIN' }),
    );
    out.push(await c.zInterWithScores([k('a'), k('b')]), await c.zDiffWithScores([k('a'), k('b')]));
    out.push(await c.zUnionStore(k('u'), [k('a'), k('b')]), await c.zInterCard([k('a'), k('b')]));
    out.push(await c.zPopMin(k('u')), await c.zPopMaxCount(k('u'), 2));
    out.push(await c.zmPop([k('none'), k('u')], 'MAX', { COUNT: 2 }));
    const pick = await c.zRandMemberCountWithScores(k('a'), 2);
    out.push(pick.length, await c.zRandMemberCountWithScores(k('a'), 10));
    const seen: string[] = [];
    for await (const batch of c.zScanIterator(k('a'), { COUNT: 1 }))
      for (const m of batch) seen.push(m.value);
    out.push(seen.sort());
    out.push(
      await c.multi().zAdd(k('t'), { score: 1.5, value: 'm' }).zScore(k('t'), 'm').zPopMax(k('t')).exec(),
    );
    return out;
  } finally {
    c.destroy();
  }
}

describe('sorted-set commands through real clients, Cairn vs redis-server', () => {
  it('ioredis', async () => {
    const [mine, theirs] = [await ioredisScript(cairn.respPort), await ioredisScript(redis.port)];
    expect(mine).toEqual(theirs);
    expect(mine[5]).toBe('0.10000000000000001');
    expect(mine[10]).toEqual(['d', '0.10000000000000001', 'e', '1', 'c', '3', 'b', '4.5', 'a', '5']);
  });

  for (const RESP of [2, 3] as const) {
    it(`node-redis RESP${RESP}`, async () => {
      const [mine, theirs] = [
        await nodeRedisScript(cairn.respPort, RESP),
        await nodeRedisScript(redis.port, RESP),
      ];
      expect(mine).toEqual(theirs);
      expect(mine[3]).toBe(3);
    });
  }
});
