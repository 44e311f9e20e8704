/**
 * The hash family through real clients' everyday APIs: ioredis (RESP2) and node-redis (RESP2
 * and RESP3), inside MULTI too. Each script runs against Cairn and against a real
 * redis-server and must give the same results; random picks are reduced to what is certain
 * (sizes, membership) before comparing.
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

const FIELDS = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, `v${i}`]));

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
    out.push(await r.hset('io:h', FIELDS));
    out.push(await r.hset('io:h', 'f0', 'changed', 'new', 'n'));
    out.push(await r.hget('io:h', 'f0'), await r.hget('io:h', 'nope'));
    out.push(await r.hmget('io:h', 'f1', 'nope', 'new'));
    out.push(await r.hgetall('io:h'));
    out.push(await r.hkeys('io:h'), await r.hvals('io:h'));
    out.push(await r.hlen('io:h'), await r.hexists('io:h', 'f2'), await r.hexists('io:h', 'zz'));
    out.push(await r.hstrlen('io:h', 'f0'));
    out.push(await r.hsetnx('io:h', 'f0', 'x'), await r.hsetnx('io:h', 'nx', 'x'));
    out.push(await r.hmset('io:h', { a: '1', b: '2' }));
    out.push(await r.hdel('io:h', 'a', 'b', 'zz'));
    out.push(await r.hincrby('io:n', 'c', 5), await r.hincrby('io:n', 'c', -7));
    out.push(await r.hincrbyfloat('io:n', 'f', 10.5), await r.hincrbyfloat('io:n', 'f', '0.1'));
    out.push(await err(r.hincrby('io:h', 'f0', 1)));
    out.push(await err(r.hincrbyfloat('io:h', 'f0', 1)));
    const one = await r.hrandfield('io:h');
    out.push(typeof one === 'string' && (await r.hexists('io:h', one)) === 1);
    const three = (await r.hrandfield('io:h', 3)) as string[];
    out.push(three.length, new Set(three).size);
    const withValues = (await r.hrandfield('io:h', -4, 'WITHVALUES')) as string[];
    out.push(withValues.length);
    for (let i = 0; i < withValues.length; i += 2)
      out.push(withValues[i + 1] === (await r.hget('io:h', withValues[i])));
    out.push(await r.hrandfield('io:h', 100));
    const fields = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await r.hscan('io:h', cursor, 'COUNT', 3);
      for (let i = 0; i < batch.length; i += 2) fields.add(batch[i]);
      cursor = next;
    } while (cursor !== '0');
    out.push([...fields].sort());
    out.push(await r.hscan('io:h', '0', 'MATCH', 'f1*'));
    await r.set('io:str', 'x');
    out.push(await err(r.hget('io:str', 'f')));
    const tx = await r
      .multi()
      .hset('io:t', 'a', '1')
      .hincrby('io:t', 'a', 2)
      .hgetall('io:t')
      .hdel('io:t', 'a')
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
  try {
    const k = `nr${RESP}:h`;
    out.push(await c.hSet(k, FIELDS));
    out.push(await c.hSet(k, 'f0', 'changed'));
    out.push(await c.hGet(k, 'f0'), await c.hGet(k, 'nope'));
    out.push(await c.hmGet(k, ['f1', 'nope']));
    out.push(await c.hGetAll(k));
    out.push(await c.hKeys(k), await c.hVals(k), await c.hLen(k));
    out.push(await c.hExists(k, 'f1'), await c.hStrLen(k, 'f0'), await c.hSetNX(k, 'f0', 'x'));
    out.push(await c.hDel(k, ['f8', 'f9', 'zz']));
    out.push(await c.hIncrBy(`${k}n`, 'c', 3), await c.hIncrByFloat(`${k}n`, 'f', 1.25));
    const one = await c.hRandField(k);
    out.push(one !== null && (await c.hExists(k, one)));
    const some = await c.hRandFieldCount(k, 4);
    out.push(some.length, new Set(some).size);
    const pairs = await c.hRandFieldCountWithValues(k, -5);
    out.push(pairs.length);
    for (const { field, value } of pairs) out.push(value === (await c.hGet(k, field)));
    out.push(await c.hRandFieldCountWithValues(k, 100));
    const seen = new Set<string>();
    for await (const batch of c.hScanIterator(k, { COUNT: 2 })) for (const e of batch) seen.add(e.field);
    out.push([...seen].sort());
    out.push(
      await c.multi().hSet(`${k}t`, 'a', '1').hIncrBy(`${k}t`, 'a', 4).hGetAll(`${k}t`).hLen(`${k}t`).exec(),
    );
    await c.set(`${k}str`, 'x');
    out.push(await c.hGet(`${k}str`, 'f').catch((e: Error) => `ERR:${e.message}`));
    return out;
  } finally {
    c.destroy();
  }
}

describe('hash commands through real clients, Cairn vs redis-server', () => {
  it('ioredis', async () => {
    const [mine, theirs] = [await ioredisScript(cairn.respPort), await ioredisScript(redis.port)];
    expect(mine).toEqual(theirs);
    expect(mine[5]).toMatchObject({ f0: 'changed', new: 'n' });
    expect(mine.at(-1)).toEqual([
      [null, 1],
      [null, 3],
      [null, { a: '3' }],
      [null, 1],
      [null, 0],
    ]);
  });

  for (const RESP of [2, 3] as const) {
    it(`node-redis RESP${RESP}`, async () => {
      const [mine, theirs] = [
        await nodeRedisScript(cairn.respPort, RESP),
        await nodeRedisScript(redis.port, RESP),
      ];
      expect(mine).toEqual(theirs);
      expect({ ...(mine[5] as object) }).toMatchObject({ f0: 'changed', f9: 'v9' });
    });
  }
});
