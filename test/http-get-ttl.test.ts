/**
 * `GET /v1/keys/{key}` on the off-heap keyspace (the engine `npm start` runs): the value and
 * its `ttl_ms` come from one GET, the TTL from the entry GET found (src/protocols/http/read-ttl.ts),
 * on the fast path and through the router alike. The answers, the stats a read counts, the
 * access bookkeeping, MONITOR and the ACL's refusals are checked on both.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OffHeapKeyspace } from '../src/engine/offheap/keyspace.js';
import { type HttpCairn, startHttpCairn } from './helpers/http.js';

interface Side {
  name: string;
  c: HttpCairn;
  redis: Redis;
}

let sides: Side[] = [];

async function get(c: HttpCairn, key: string, headers?: Record<string, string>) {
  const res = await fetch(`${c.base}/v1/keys/${key}`, { headers });
  return { status: res.status, body: await res.text() };
}

function infoField(info: string, name: string): number {
  const m = new RegExp(`^${name}:(?:calls=)?(\\d+)`, 'm').exec(info);
  return m === null ? 0 : Number(m[1]);
}

beforeAll(async () => {
  const keyspace = (clock: ConstructorParameters<typeof OffHeapKeyspace>[1], dbs: number) =>
    new OffHeapKeyspace(dbs, clock);
  for (const [name, fastPath] of [
    ['fast path', true],
    ['router', false],
  ] as const) {
    const c = await startHttpCairn({ keyspace, settings: { fastPath } });
    sides.push({ name, c, redis: new Redis({ port: c.respPort, host: '127.0.0.1' }) });
  }
});
afterAll(async () => {
  for (const s of sides) {
    s.redis.disconnect();
    await s.c.stop();
  }
  sides = [];
});

describe('GET /v1/keys/{key}: value and TTL from one read', () => {
  it('answers a string with its time to live, and without one', async () => {
    for (const { name, c, redis } of sides) {
      await redis.set('t', 'hello', 'PX', 5000);
      await redis.set('p', 'plain');
      c.t.clock.advance(1234);
      expect(await get(c, 't'), name).toEqual({
        status: 200,
        body: '{"key":"t","type":"string","value":"hello","encoding":"utf8","ttl_ms":3766}',
      });
      expect(await get(c, 'p'), name).toEqual({
        status: 200,
        body: '{"key":"p","type":"string","value":"plain","encoding":"utf8","ttl_ms":null}',
      });
      // A TTL set after the value was read last: the answer follows the key.
      await redis.pexpire('p', 800);
      expect(JSON.parse((await get(c, 'p')).body).ttl_ms, name).toBe(800);
    }
  });

  it('answers 404 for a key that has expired, and removes it', async () => {
    for (const { name, c, redis } of sides) {
      const missing = await get(c, 'never-there');
      expect(missing.status, name).toBe(404);
      await redis.set('e', 'soon', 'PX', 100);
      expect((await get(c, 'e')).status, name).toBe(200);
      const expiredBefore = infoField(await redis.info('stats'), 'expired_keys');
      c.t.clock.advance(100);
      expect(await get(c, 'e'), name).toEqual(missing);
      expect(infoField(await redis.info('stats'), 'expired_keys'), name).toBe(expiredBefore + 1);
      expect(await redis.exists('e'), name).toBe(0);
    }
  });

  it('answers collections with their typed values and TTL', async () => {
    for (const { name, c, redis } of sides) {
      await redis.rpush('l', 'a', 'b');
      await redis.pexpire('l', 9000);
      await redis.hset('h', 'f', 'v');
      expect(JSON.parse((await get(c, 'l')).body), name).toEqual({
        key: 'l',
        type: 'list',
        value: ['a', 'b'],
        encoding: 'utf8',
        ttl_ms: 9000,
      });
      expect(JSON.parse((await get(c, 'h')).body), name).toMatchObject({
        key: 'h',
        type: 'hash',
        value: { f: 'v' },
        ttl_ms: null,
      });
    }
  });

  it('counts one GET per read: commandstats, keyspace hits and misses, per door', async () => {
    for (const { name, c, redis } of sides) {
      await redis.set('s', 'v');
      await redis.config('RESETSTAT');
      expect((await get(c, 's')).status, name).toBe(200);
      expect((await get(c, 'absent')).status, name).toBe(404);
      const stats = await redis.info('stats');
      const commands = await redis.info('commandstats');
      expect(infoField(commands, 'cmdstat_get'), name).toBe(2);
      expect(infoField(commands, 'cmdstat_pttl'), name).toBe(0);
      expect(infoField(stats, 'keyspace_hits'), name).toBe(1);
      expect(infoField(stats, 'keyspace_misses'), name).toBe(1);
    }
  });

  it('records the access: LRU idle time, LFU counter', async () => {
    for (const { name, c, redis } of sides) {
      await redis.set('lru', 'v');
      c.t.clock.advance(60_000);
      expect(await redis.object('IDLETIME', 'lru'), name).toBe(60);
      await get(c, 'lru');
      expect(await redis.object('IDLETIME', 'lru'), name).toBe(0);

      await redis.config('SET', 'maxmemory-policy', 'allkeys-lfu');
      try {
        await redis.set('lfu', 'v');
        const before = Number(await redis.object('FREQ', 'lfu'));
        for (let i = 0; i < 50; i++) await get(c, 'lfu');
        expect(Number(await redis.object('FREQ', 'lfu')), name).toBeGreaterThan(before);
      } finally {
        await redis.config('SET', 'maxmemory-policy', 'noeviction');
      }
    }
  });

  it('shows the read in MONITOR as the GET it runs', async () => {
    for (const { name, c } of sides) {
      const monitor = await new Redis({ port: c.respPort, host: '127.0.0.1' }).monitor();
      try {
        const seen: string[][] = [];
        const got = new Promise<void>((resolve) =>
          monitor.on('monitor', (_time: string, args: string[]) => {
            seen.push(args);
            if (args[0] === 'ping') resolve();
          }),
        );
        expect((await get(c, 's')).status, name).toBe(200);
        // The PING after the request marks the end of what MONITOR saw for it.
        const probe = new Redis({ port: c.respPort, host: '127.0.0.1' });
        await probe.ping();
        probe.disconnect();
        await got;
        const reads = seen.filter((a) => ['get', 'pttl'].includes(a[0].toLowerCase()));
        expect(reads, name).toEqual([['GET', 's']]);
      } finally {
        monitor.disconnect();
      }
    }
  });

  it('refuses a user the ACL denies PTTL as before, and serves one allowed it', async () => {
    const basic = (u: string) => ({ authorization: `Basic ${Buffer.from(`${u}:pw`).toString('base64')}` });
    for (const { name, c, redis } of sides) {
      await redis.acl('SETUSER', 'no-pttl', 'on', '>pw', '~*', '+@all', '-pttl');
      await redis.acl('SETUSER', 'reader', 'on', '>pw', '~*', '-@all', '+get', '+pttl');
      await redis.set('acl', 'v', 'PX', 5000);
      await redis.acl('LOG', 'RESET');
      expect((await get(c, 'acl', basic('no-pttl'))).status, name).toBe(403);
      const log = (await redis.acl('LOG')) as unknown[][];
      expect(log.length, name).toBe(1);
      expect(log[0], name).toContain('pttl');
      expect(await get(c, 'acl', basic('reader')), name).toEqual({
        status: 200,
        body: '{"key":"acl","type":"string","value":"v","encoding":"utf8","ttl_ms":5000}',
      });
    }
  });
});
