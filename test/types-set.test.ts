/**
 * The set family through real clients' everyday APIs: ioredis (RESP2) and node-redis (RESP2
 * and RESP3, where SMEMBERS/SINTER/SUNION/SDIFF/SPOP-with-count arrive as RESP3 sets), inside
 * MULTI too. Each script runs against Cairn and against a real redis-server and must give the
 * same results; hashtable orders are sorted and random picks reduced to sizes and membership.
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

const sorted = (v: unknown) => (Array.isArray(v) ? [...(v as string[])].sort() : v);

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
    out.push(await r.sadd('io:ints', 5, 1, 3, 2, 4), await r.sadd('io:ints', 3, 6));
    out.push(await r.smembers('io:ints'), await r.object('ENCODING', 'io:ints'));
    out.push(await r.sadd('io:words', 'a', 'b', 'c', '3'));
    out.push(sorted(await r.smembers('io:words')), await r.scard('io:words'));
    out.push(await r.sismember('io:words', 'a'), await r.smismember('io:words', 'a', 'zz', '3'));
    out.push(await r.srem('io:words', 'a', 'zz'));
    out.push(await r.sinter('io:ints', 'io:words'), await r.sintercard(2, 'io:ints', 'io:words'));
    out.push(await r.sunion('io:ints', 'io:missing'), await r.sdiff('io:ints', 'io:words'));
    out.push(
      await r.sinterstore('io:d1', 'io:ints', 'io:words'),
      await r.sunionstore('io:d2', 'io:ints', 'io:words'),
    );
    out.push(await r.sdiffstore('io:d3', 'io:ints', 'io:words'), await r.smembers('io:d3'));
    out.push(await r.smove('io:ints', 'io:words', '6'), await r.smove('io:ints', 'io:new', '1'));
    out.push(await r.object('ENCODING', 'io:new'), await r.smembers('io:new'));
    const one = await r.srandmember('io:ints');
    out.push(one !== null && (await r.sismember('io:ints', one)) === 1);
    const two = await r.srandmember('io:ints', 2);
    out.push(
      two.length,
      new Set(two).size,
      await r.srandmember('io:ints', 50),
      (await r.srandmember('io:ints', -9)).length,
    );
    const popped = await r.spop('io:ints', 2);
    out.push(popped.length, await r.scard('io:ints'), await r.smismember('io:ints', ...popped));
    out.push(
      typeof (await r.spop('io:ints')),
      (await r.spop('io:ints', 10)).length,
      await r.exists('io:ints'),
    );
    await r.sadd('io:big', ...Array.from({ length: 100 }, (_, i) => `m${i}`));
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await r.sscan('io:big', cursor, 'COUNT', 7);
      for (const m of batch) seen.add(m);
      cursor = next;
    } while (cursor !== '0');
    out.push(seen.size);
    out.push(await r.sscan('io:new', '0', 'MATCH', '*'));
    await r.set('io:str', 'x');
    out.push(await err(r.sadd('io:str', 'a')), await err(r.sunion('io:new', 'io:str')));
    out.push(await err(r.call('SINTERCARD', '0', 'io:new')), await err(r.spop('io:new', -1)));
    const tx = await r
      .multi()
      .sadd('io:t', '1', '2')
      .sismember('io:t', '2')
      .smembers('io:t')
      .spop('io:t', 5)
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
    out.push(await c.sAdd(k('a'), ['3', '1', '2']), await c.sAdd(k('b'), ['2', '3', 'x']));
    out.push(await c.sMembers(k('a')), sorted(await c.sMembers(k('b'))));
    out.push(await c.sCard(k('a')), await c.sIsMember(k('a'), '1'), await c.smIsMember(k('a'), ['1', '9']));
    out.push(sorted(await c.sInter([k('a'), k('b')])), await c.sInterCard([k('a'), k('b')], { LIMIT: 1 }));
    out.push(sorted(await c.sUnion([k('a'), k('b')])), await c.sDiff([k('a'), k('b')]));
    out.push(await c.sUnionStore(k('u'), [k('a'), k('b')]), await c.sDiffStore(k('d'), [k('b'), k('a')]));
    out.push(await c.sInterStore(k('i'), [k('a'), k('b')]), await c.sMove(k('a'), k('b'), '1'));
    out.push(await c.sRem(k('b'), ['x', 'zz']));
    const one = await c.sRandMember(k('u'));
    out.push(one !== null && (await c.sIsMember(k('u'), one)));
    const some = await c.sRandMemberCount(k('u'), -6);
    out.push(some.length);
    const popped = await c.sPopCount(k('u'), 2);
    out.push(popped.length, await c.sCard(k('u')));
    const seen = new Set<string>();
    for await (const batch of c.sScanIterator(k('b'), { COUNT: 1 })) for (const m of batch) seen.add(m);
    out.push([...seen].sort());
    out.push(await c.multi().sAdd(k('t'), ['1', '2']).sMembers(k('t')).sPop(k('t')).sCard(k('t')).exec());
    return out.map((v, i) =>
      i === out.length - 1 ? (v as unknown[]).map((x, j) => (j === 2 ? typeof x : x)) : v,
    );
  } finally {
    c.destroy();
  }
}

describe('set commands through real clients, Cairn vs redis-server', () => {
  it('ioredis', async () => {
    const [mine, theirs] = [await ioredisScript(cairn.respPort), await ioredisScript(redis.port)];
    expect(mine).toEqual(theirs);
    expect(mine[2]).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(mine[3]).toBe('intset');
  });

  for (const RESP of [2, 3] as const) {
    it(`node-redis RESP${RESP}`, async () => {
      const [mine, theirs] = [
        await nodeRedisScript(cairn.respPort, RESP),
        await nodeRedisScript(redis.port, RESP),
      ];
      expect(mine).toEqual(theirs);
      expect(mine[2]).toEqual(['1', '2', '3']);
    });
  }
});
