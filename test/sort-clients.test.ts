/**
 * SORT and SORT_RO through real clients (ioredis, node-redis over RESP2 and RESP3) against the
 * compiled server, each scenario run on a real redis-server too and the answers compared:
 * options as applications pass them, STORE and what it does to the destination (TTL, WATCH,
 * a client blocked on it, keyspace notifications), scripts (a set sorted by a constant is
 * ordered; SORT refused and SORT_RO allowed in EVAL_RO), ACL refusals of BY and GET, the
 * sorted set left a skiplist, and the command's metadata (COMMAND INFO, DOCS, GETKEYS).
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

let cairn: CairnProcess;
let redis: RedisProcess;
const opened: Redis[] = [];

function connect(port: number): Redis {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  opened.push(c);
  return c;
}

/** The reply with bulk strings as text, or the error's message. */
async function run(c: Redis, ...args: Array<string | number>): Promise<unknown> {
  try {
    return await c.call(String(args[0]), ...args.slice(1));
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

type Scenario = (c: Redis) => Promise<unknown>;

/** Run a scenario on a fresh database of each server: the results, Redis's first. */
async function onBoth(scenario: Scenario): Promise<[unknown, unknown]> {
  const out: unknown[] = [];
  for (const port of [redis.port, cairn.respPort]) {
    const c = connect(port);
    await c.flushall();
    out.push(await scenario(c));
  }
  return [out[0], out[1]];
}

async function seed(c: Redis): Promise<void> {
  await c.rpush('l', '3', '1', '2', '10', 'a:b');
  await c.mset('w_3', '30', 'w_1', '10', 'w_2', '-20', 'w_10', '5');
  await c.hset('h_3', 'f', 'c');
  await c.hset('h_1', 'f', 'a');
  await c.hset('h_a:b', 'f', 'b');
}

beforeAll(async () => {
  [cairn, redis] = await Promise.all([startCairn(), startRedis()]);
}, 60_000);

afterAll(async () => {
  for (const c of opened) c.disconnect();
  await cairn?.stop();
  await redis?.stop();
});

describe('SORT through ioredis', () => {
  it('answers every option combination as Redis does', async () => {
    const [r, c] = await onBoth(async (x) => {
      await seed(x);
      return [
        await x.sort('l', 'BY', 'w_*', 'GET', '#', 'GET', 'h_*->f'),
        await x.sort('l', 'BY', 'h_*->f', 'LIMIT', 0, 3, 'DESC', 'ALPHA'),
        await x.sort('l', 'BY', 'nosort', 'LIMIT', 1, 2, 'DESC'),
        await x.sort_ro('l', 'ALPHA'),
        await run(x, 'SORT', 'l'),
        await run(x, 'SORT_RO', 'l', 'STORE', 'd'),
        await run(x, 'SORT', 'l', 'LIMIT', 'x', '1'),
        await x.sort('l', 'BY', 'w_*', 'STORE', 'dst'),
        await x.lrange('dst', 0, -1),
      ];
    });
    expect(c).toEqual(r);
    expect(c).toEqual([
      ['2', null, 'a:b', 'b', '10', null, '1', 'a', '3', 'c'],
      ['3', 'a:b', '1'],
      ['10', '2'],
      ['1', '10', '2', '3', 'a:b'],
      "error: ERR One or more scores can't be converted into double",
      'error: ERR syntax error',
      'error: ERR value is not an integer or out of range',
      5,
      ['2', 'a:b', '10', '1', '3'],
    ]);
  });

  it('replaces the destination, TTL and all, and deletes it for an empty result', async () => {
    const [r, c] = await onBoth(async (x) => {
      await seed(x);
      await x.set('dst', 'old', 'EX', 100);
      const stored = await x.sort('l', 'ALPHA', 'STORE', 'dst');
      const after = [await x.type('dst'), await x.ttl('dst')];
      const empty = await x.sort('l', 'LIMIT', 10, 1, 'ALPHA', 'STORE', 'dst');
      return [stored, after, empty, await x.exists('dst')];
    });
    expect(c).toEqual(r);
    expect(c).toEqual([5, ['list', -1], 0, 0]);
  });

  it('fails a WATCH on the destination even when the result is empty', async () => {
    const [r, c] = await onBoth(async (x) => {
      await x.lpush('foo', 'bar');
      await x.watch('foo');
      await x.sort('emptylist', 'STORE', 'foo');
      return x.multi().ping().exec();
    });
    expect(c).toEqual(r);
    expect(c).toBeNull();
  });

  it('serves a client blocked on the destination', async () => {
    const c = connect(cairn.respPort);
    await c.flushall();
    const waiter = connect(cairn.respPort);
    const popped = waiter.blpop('foo', 5);
    // The pop is registered once the server counts a blocked client.
    for (;;) {
      const info = await c.info('clients');
      if (/blocked_clients:1\r?\n/.test(info)) break;
    }
    await c.lpush('notfoo', 'hello', 'hola', 'aguacate', 'konichiwa', 'zanzibar');
    expect(await c.sort('notfoo', 'ALPHA', 'STORE', 'foo')).toBe(5);
    expect(await popped).toEqual(['foo', 'aguacate']);
  });

  it('reports sortstore, and del for an empty result, as keyspace notifications', async () => {
    const [r, c] = await onBoth(async (x) => {
      const sub = connect(x.options.port as number);
      await x.config('SET', 'notify-keyspace-events', 'KEA');
      const events: string[] = [];
      let finished: () => void = () => {};
      const done = new Promise<void>((res) => {
        finished = res;
      });
      sub.on('pmessage', (_p, channel, message) => {
        if (channel === 'done') finished();
        else events.push(`${channel} ${message}`);
      });
      await sub.psubscribe('__key*__:*', 'done');
      await x.rpush('src', 'b', 'a');
      await x.sort('src', 'ALPHA', 'STORE', 'dst');
      await x.sort('src', 'ALPHA', 'STORE', 'dst');
      await x.sort('missing', 'STORE', 'dst');
      await x.sort('missing', 'STORE', 'dst');
      // The subscriber hears the events of these commands before this message.
      await x.publish('done', '1');
      await done;
      await x.config('SET', 'notify-keyspace-events', '');
      sub.disconnect();
      return events.filter((e) => !e.includes('src'));
    });
    expect(c).toEqual(r);
    expect(c).toContain('__keyevent@0__:sortstore dst');
  });

  it('sorts a set by a constant inside scripts; EVAL_RO takes SORT_RO only', async () => {
    const [r, c] = await onBoth(async (x) => {
      await x.sadd('myset', 'c', 'a', 'b', 'aa');
      await x.zadd('z', 1, 'a', 5, 'b', 2, 'c');
      return [
        await x.eval("return redis.call('sort', KEYS[1], 'by', '_', 'get', '#', 'get', '_:*')", 1, 'myset'),
        await x.eval("return redis.call('sort', KEYS[1], 'by', 'nosort', 'desc')", 1, 'z'),
        await run(x, 'EVAL_RO', "return redis.call('sort', KEYS[1])", 1, 'myset'),
        await run(x, 'EVAL_RO', "return redis.call('sort_ro', KEYS[1], 'alpha', 'limit', 1, 2)", 1, 'myset'),
        await x.object('ENCODING', 'z'),
      ];
    });
    expect(c).toEqual(r);
    expect((c as unknown[])[0]).toEqual(['a', null, 'aa', null, 'b', null, 'c', null]);
    expect((c as unknown[])[4]).toBe('skiplist');
  });

  it('refuses BY and GET patterns to users without read access to every key', async () => {
    const [r, c] = await onBoth(async (x) => {
      await x.rpush('mylist', '1');
      await x.set('v1', '7');
      await x.call('ACL', 'SETUSER', 'sorter', 'on', 'nopass', '+sort', '~mylist', '~v*');
      const u = connect(x.options.port as number);
      await u.call('AUTH', 'sorter', 'x');
      const out = [
        await run(u, 'SORT', 'mylist', 'BY', 'v*'),
        await run(u, 'SORT', 'mylist', 'GET', '#'),
        await run(u, 'SORT', 'mylist', 'BY', 'nosort'),
      ];
      await x.call('ACL', 'SETUSER', 'sorter', '%R~*');
      out.push(await run(u, 'SORT', 'mylist', 'BY', 'v*', 'GET', 'v*'));
      u.disconnect();
      await x.call('ACL', 'DELUSER', 'sorter');
      return out;
    });
    expect(c).toEqual(r);
    expect(c).toEqual([
      'error: ERR BY option of SORT denied due to insufficient ACL permissions.',
      'error: ERR GET option of SORT denied due to insufficient ACL permissions.',
      ['1'],
      ['7'],
    ]);
  });

  it('declares what Redis declares (COMMAND INFO, DOCS, GETKEYS)', async () => {
    const [r, c] = await onBoth(async (x) => {
      const info = (await x.command('INFO', 'sort', 'sort_ro')) as unknown[][];
      const docs = (await x.command('DOCS', 'sort', 'sort_ro')) as unknown[];
      const fields = (d: unknown[]) => {
        const m = new Map<unknown, unknown>();
        for (let i = 0; i < d.length; i += 2) m.set(d[i], d[i + 1]);
        return ['summary', 'since', 'group', 'complexity'].map((k) => m.get(k));
      };
      return [
        info.map((e) => e.slice(0, 7)),
        [fields(docs[1] as unknown[]), fields(docs[3] as unknown[])],
        await x.command('GETKEYS', 'sort', 'abc', 'store', 'invalid', 'store', 'stillbad', 'store', 'def'),
        await x.command('GETKEYS', 'sort_ro', 'abc'),
      ];
    });
    expect(c).toEqual(r);
  });
});

describe('SORT through node-redis', () => {
  for (const RESP of [2, 3] as const) {
    it(`sorts, sorts read-only and stores (RESP${RESP})`, async () => {
      const results: unknown[] = [];
      for (const port of [redis.port, cairn.respPort]) {
        const c = createClient({ socket: { port, host: '127.0.0.1' }, RESP });
        await c.connect();
        try {
          await c.flushAll();
          await c.rPush('l', ['3', '1', '2', '10']);
          await c.mSet({ w_3: '30', w_1: '10', w_2: '-20' });
          results.push([
            await c.sort('l', { BY: 'w_*', GET: ['#', 'w_*'], DIRECTION: 'DESC' }),
            await c.sortRo('l', { LIMIT: { offset: 1, count: 2 }, ALPHA: true }),
            await c.sortStore('l', 'dst', { BY: 'nosort' }),
            await c.lRange('dst', 0, -1),
          ]);
        } finally {
          c.destroy();
        }
      }
      expect(results[1]).toEqual(results[0]);
      expect(results[1]).toEqual([
        ['3', '30', '1', '10', '10', null, '2', '-20'],
        ['10', '2'],
        4,
        ['3', '1', '2', '10'],
      ]);
    });
  }
});
