import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';
import { tempDir } from './helpers/tmp.js';

type Step = [string, ...Array<string | number>];

/** Run steps on a fresh connection; errors become their message text. */
async function runScript(port: number, steps: Step[]): Promise<unknown[]> {
  const r = new Redis({ port, maxRetriesPerRequest: 0, lazyConnect: true });
  await r.connect();
  try {
    const out: unknown[] = [];
    for (const [cmd, ...args] of steps) {
      try {
        let v = await r.call(cmd, ...args.map(String));
        // Unordered replies (hashtable sets, SCAN results) are compared sorted.
        if (/^(scan|keys|smembers)$/i.test(cmd) && Array.isArray(v)) {
          v = Array.isArray(v[1]) ? [v[0], [...v[1]].sort()] : [...v].sort();
        }
        out.push(v);
      } catch (e) {
        out.push(`ERR:${(e as Error).message}`);
      }
    }
    return out;
  } finally {
    r.disconnect();
  }
}

const SCRIPT: Step[] = [
  ['FLUSHALL'],
  ['HSET', 'h', 'f', 'v', 'g', 'w'],
  ['RPUSH', 'l', 'a', 'b', 'c'],
  ['SADD', 's', '1', '2', '3'],
  ['SADD', 'sx', 'x', 'y'],
  ['ZADD', 'z', '1', 'a', '2', 'b'],
  ['SET', 'str', 'v'],
  ...['h', 'l', 's', 'sx', 'z', 'str', 'none'].map((k): Step => ['TYPE', k]),
  ...['h', 'l', 's', 'sx', 'z', 'str'].map((k): Step => ['OBJECT', 'ENCODING', k]),
  // The string commands refuse collections; MGET answers nil for them.
  ['GET', 'h'],
  ['INCR', 'l'],
  ['APPEND', 's', 'x'],
  ['STRLEN', 'z'],
  ['GETRANGE', 'h', '0', '1'],
  ['SETRANGE', 'l', '0', 'x'],
  ['INCRBYFLOAT', 'sx', '1.5'],
  ['GETDEL', 'z'],
  ['GETEX', 'h', 'PERSIST'],
  ['LCS', 'h', 'str'],
  ['MGET', 'str', 'h', 'l', 'missing'],
  // The collection commands refuse strings and each other.
  ['HGET', 'str', 'f'],
  ['LPUSH', 'h', 'x'],
  ['SADD', 'z', 'x'],
  ['ZADD', 's', '1', 'x'],
  ['HGETALL', 'l'],
  // Keys commands.
  ['EXISTS', 'h', 'l', 's', 'z', 'str', 'missing'],
  ['DBSIZE'],
  ['RENAME', 'l', 'l2'],
  ['TYPE', 'l2'],
  ['LRANGE', 'l2', '0', '-1'],
  ['RENAMENX', 'l2', 'h'],
  ['COPY', 'z', 'z2'],
  ['ZADD', 'z2', '3', 'c'],
  ['ZCARD', 'z'],
  ['ZCARD', 'z2'],
  ['COPY', 'z', 'z2'],
  ['COPY', 'z', 'z2', 'REPLACE'],
  ['ZCARD', 'z2'],
  ['COPY', 'sx', 'sx', 'DB', '1'],
  ['MOVE', 'sx', '2'],
  ['EXISTS', 'sx'],
  ['SELECT', '2'],
  ['TYPE', 'sx'],
  ['SMEMBERS', 'sx'],
  ['SELECT', '1'],
  ['SMEMBERS', 'sx'],
  ['SELECT', '0'],
  ['EXPIRE', 'h', '100'],
  ['TTL', 'h'],
  ['PERSIST', 'h'],
  ['TTL', 'h'],
  ['SCAN', '0', 'TYPE', 'zset', 'COUNT', '1000'],
  ['SCAN', '0', 'TYPE', 'HASH', 'COUNT', '1000'],
  ['SCAN', '0', 'TYPE', 'list', 'COUNT', '1000'],
  ['SCAN', '0', 'TYPE', 'nosuchtype', 'COUNT', '1000'],
  ['KEYS', '*'],
  // Empty collections are deleted.
  ['SREM', 's', '1', '2', '3'],
  ['EXISTS', 's'],
  ['HDEL', 'h', 'f', 'g'],
  ['TYPE', 'h'],
  ['LPOP', 'l2', '3'],
  ['EXISTS', 'l2'],
  ['SWAPDB', '0', '2'],
  ['TYPE', 'sx'],
  ['DBSIZE'],
  ['SET', 'sx', 'now a string'],
  ['TYPE', 'sx'],
  ['DEL', 'z', 'z2', 'sx'],
  ['DBSIZE'],
];

describe('generic commands on every type, against redis-server', () => {
  let redis: RedisProcess;
  let expected: unknown[];

  beforeAll(async () => {
    redis = await startRedis();
    expected = await runScript(redis.port, SCRIPT);
  });

  afterAll(async () => {
    await redis?.stop();
  });

  for (const engine of ['map', 'offheap']) {
    it(`gives Redis's answers on the ${engine} engine`, async () => {
      const cairn = await startCairn({ args: ['--engine', engine] });
      try {
        const got = await runScript(cairn.respPort, SCRIPT);
        for (let i = 0; i < SCRIPT.length; i++) expect([SCRIPT[i], got[i]]).toEqual([SCRIPT[i], expected[i]]);
      } finally {
        await cairn.stop();
      }
    });
  }
});

describe('collections across clients and restarts', () => {
  let cairn: CairnProcess;
  const dir = tempDir('cairn-types-');

  beforeAll(async () => {
    cairn = await startCairn({ args: ['--dir', dir] });
  });

  afterAll(async () => {
    await cairn?.stop();
  });

  it('a change to a collection from another client fails a WATCH', async () => {
    const a = new Redis({ port: cairn.respPort });
    const b = new Redis({ port: cairn.respPort });
    try {
      for (const [setup, change] of [
        [
          ['HSET', 'w:h', 'f', '1'],
          ['HSET', 'w:h', 'f', '2'],
        ],
        [
          ['RPUSH', 'w:l', 'a'],
          ['LPOP', 'w:l'],
        ],
        [
          ['SADD', 'w:s', 'a'],
          ['SADD', 'w:s', 'b'],
        ],
        [
          ['ZADD', 'w:z', '1', 'a'],
          ['ZINCRBY', 'w:z', '1', 'a'],
        ],
      ] as const) {
        await a.call(setup[0], ...setup.slice(1));
        await a.watch(setup[1]);
        await b.call(change[0], ...change.slice(1));
        expect(await a.multi().set('w:other', '1').exec()).toBeNull();
      }
      // A no-op change (SADD of a member already there) leaves the WATCH alone, as in Redis.
      await a.watch('w:s');
      expect(await b.sadd('w:s', 'a')).toBe(0);
      expect(await a.multi().set('w:other', '2').exec()).toEqual([[null, 'OK']]);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });

  it('every type and its TTL survive DEBUG RELOAD and a snapshot restart', async () => {
    const r = new Redis({ port: cairn.respPort });
    const read = async () => [
      await r.hgetall('p:h'),
      await r.lrange('p:l', 0, -1),
      (await r.smembers('p:s')).sort(),
      await r.zrange('p:z', '0', '-1', 'WITHSCORES'),
      await r.get('p:str'),
      (await r.pttl('p:z')) > 50_000,
      await r.object('ENCODING', 'p:s'),
    ];
    try {
      await r.hset('p:h', { a: '1', b: '\u00ff' });
      await r.rpush('p:l', 'x', 'y', 'z');
      await r.sadd('p:s', '10', '20');
      await r.zadd('p:z', '1.5', 'm', '-inf', 'n');
      await r.pexpire('p:z', 60_000);
      await r.set('p:str', 'plain');
      const before = await read();
      expect(before[3]).toEqual(['n', '-inf', 'm', '1.5']);
      expect(await r.call('DEBUG', 'RELOAD')).toBe('OK');
      expect(await read()).toEqual(before);
      r.disconnect();
      expect(await cairn.stop()).toBe(0);
      cairn = await startCairn({ args: ['--dir', dir] });
      const r2 = new Redis({ port: cairn.respPort });
      try {
        expect(await r2.hgetall('p:h')).toEqual(before[0]);
        expect(await r2.lrange('p:l', 0, -1)).toEqual(before[1]);
        expect(await r2.zrange('p:z', '0', '-1', 'WITHSCORES')).toEqual(before[3]);
        expect(await r2.pttl('p:z')).toBeGreaterThan(50_000);
        expect(await r2.object('ENCODING', 'p:s')).toBe('intset');
      } finally {
        r2.disconnect();
      }
    } finally {
      r.disconnect();
    }
  });
});
