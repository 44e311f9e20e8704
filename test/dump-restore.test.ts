/**
 * DUMP / RESTORE against a real redis-server 7.0: values of every type and encoding are built
 * on one server, dumped there and restored on the other, both ways, and read back over RESP2
 * (ioredis) and RESP3 (node-redis); where both servers pick the same encoding the DUMP bytes
 * are compared too. Errors, TTLs, keyspace events and IDLETIME / FREQ are compared with Redis.
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../src/persistence/rdb/crc64.js';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

/** What the test uses of a node-redis RESP3 client. */
interface Resp3 {
  sendCommand(args: string[]): Promise<unknown>;
  close(): Promise<unknown>;
}

interface Server {
  name: string;
  r2: Redis;
  r3: Resp3;
}

let cairn: CairnProcess;
let redis: RedisProcess;
const servers: Server[] = [];
let C: Server;
let R: Server;

/** Redis's defaults, set on both (a packaged redis-server may ship other values). */
const ENCODING_CONFIG: Array<[string, string]> = [
  ['hash-max-listpack-entries', '128'],
  ['hash-max-listpack-value', '64'],
  ['set-max-intset-entries', '512'],
  ['zset-max-listpack-entries', '128'],
  ['zset-max-listpack-value', '64'],
  ['list-max-listpack-size', '-2'],
  ['list-compress-depth', '0'],
  ['rdbcompression', 'yes'],
];

async function connect(name: string, port: number): Promise<Server> {
  const r2 = new Redis({ port, maxRetriesPerRequest: 0, lazyConnect: true });
  await r2.connect();
  const r3 = createClient({ socket: { port }, RESP: 3 });
  await r3.connect();
  return { name, r2, r3: r3 as unknown as Resp3 };
}

beforeAll(async () => {
  [cairn, redis] = await Promise.all([startCairn(), startRedis()]);
  C = await connect('cairn', cairn.respPort);
  R = await connect('redis', redis.port);
  servers.push(C, R);
  for (const s of servers) for (const [k, v] of ENCODING_CONFIG) await s.r2.config('SET', k, v);
}, 60_000);

afterAll(async () => {
  for (const s of servers) {
    s.r2.disconnect();
    await s.r3.close();
  }
  await Promise.all([cairn?.stop(), redis?.stop()]);
});

const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
const ALL_BYTES = Buffer.from(range(256, (i) => String.fromCharCode(i)).join(''), 'latin1');

/** One key per type and encoding, with the commands that build it. */
const FIXTURES: Array<[string, Array<Array<string | Buffer>>]> = [
  ['str:small', [['SET', 'str:small', 'hello']]],
  ['str:int', [['SET', 'str:int', '12345']]],
  ['str:int64', [['SET', 'str:int64', '-9223372036854775808']]],
  ['str:bytes', [['SET', 'str:bytes', ALL_BYTES]]],
  ['str:long', [['SET', 'str:long', 'abcdefghij'.repeat(500)]]],
  ['str:ttl', [['SET', 'str:ttl', 'v', 'PX', '100000']]],
  ['list:small', [['RPUSH', 'list:small', 'a', 'b', '1', '-300', '70000', ALL_BYTES]]],
  ['list:big', [['RPUSH', 'list:big', ...range(3000, (i) => `item${i}-${'y'.repeat(i % 50)}`)]]],
  ['list:nums', [['RPUSH', 'list:nums', ...range(2000, (i) => String(i * 7919 - 5_000_000))]]],
  ['set:intset', [['SADD', 'set:intset', '1', '2', '-100', '70000', '5000000000']]],
  ['set:ints', [['SADD', 'set:ints', ...range(600, (i) => String(i * 3))]]],
  ['set:strs', [['SADD', 'set:strs', 'a', 'b', 'c', ALL_BYTES]]],
  [
    'hash:small',
    [['HSET', 'hash:small', 'f1', 'v1', 'f2', '2', 'f3', '-30000', 'bin', ALL_BYTES.subarray(0, 60)]],
  ],
  ['hash:big', [['HSET', 'hash:big', ...range(400, (i) => (i % 2 === 0 ? `f${i}` : `v${i}`))]]],
  ['hash:long', [['HSET', 'hash:long', 'f', 'v'.repeat(100)]]],
  [
    'zset:small',
    [['ZADD', 'zset:small', '1', 'a', '2.5', 'b', '-3', 'c', 'inf', 'd', '1e20', 'e', '0.1', 'f']],
  ],
  ['zset:big', [['ZADD', 'zset:big', ...range(600, (i) => (i % 2 === 0 ? String(i / 7) : `m${i}`))]]],
  ['zset:long', [['ZADD', 'zset:long', '5', 'm'.repeat(100), '-inf', 'x']]],
];

async function build(s: Server): Promise<void> {
  await s.r2.flushall();
  for (const [, cmds] of FIXTURES) for (const c of cmds) await s.r2.call(c[0] as string, ...c.slice(1));
}

const sortJson = (a: unknown[]) => a.map((x) => JSON.stringify(x)).sort();

/** A key as a client sees it: type, encoding, TTL presence and contents (unordered ones sorted). */
async function view(s: Server, key: string): Promise<unknown> {
  const type = await s.r2.type(key);
  const enc = await s.r2.object('ENCODING', key);
  const ttl = (await s.r2.pttl(key)) > 0 ? 'ttl' : 'none';
  const r2 = s.r2;
  const r3 = (...a: string[]) => s.r3.sendCommand(a);
  let v2: unknown;
  let v3: unknown;
  switch (type) {
    case 'string':
      v2 = (await r2.getBuffer(key))?.toString('hex');
      v3 = await r3('STRLEN', key);
      break;
    case 'list':
      v2 = (await r2.lrangeBuffer(key, 0, -1)).map((b) => b.toString('hex'));
      v3 = await r3('LRANGE', key, '0', '-1');
      break;
    case 'set':
      v2 = (await r2.smembersBuffer(key)).map((b) => b.toString('hex')).sort();
      v3 = sortJson([...((await r3('SMEMBERS', key)) as Iterable<unknown>)]);
      break;
    case 'hash':
      v2 = sortJson(Object.entries(await r2.hgetallBuffer(key)).map(([f, v]) => [f, v.toString('hex')]));
      v3 = sortJson(Object.entries((await r3('HGETALL', key)) as Record<string, unknown>));
      break;
    case 'zset':
      v2 = await r2.zrange(key, '0', '-1', 'WITHSCORES');
      v3 = await r3('ZRANGE', key, '0', '-1', 'WITHSCORES');
      break;
  }
  return { type, enc, ttl, v2, v3 };
}

async function transfer(from: Server, to: Server): Promise<void> {
  await build(from);
  await to.r2.flushall();
  for (const [key] of FIXTURES) {
    const payload = await from.r2.dumpBuffer(key);
    const pttl = await from.r2.pttl(key);
    expect(await to.r2.restore(key, Math.max(pttl, 0), payload)).toBe('OK');
  }
  for (const [key] of FIXTURES)
    expect({ key, ...((await view(to, key)) as object) }).toEqual({
      key,
      ...((await view(from, key)) as object),
    });
}

describe('DUMP / RESTORE between Cairn and redis-server', () => {
  it('restores in Cairn what Redis dumped, every type and encoding, read over RESP2 and RESP3', async () => {
    await transfer(R, C);
  });

  it('restores in Redis what Cairn dumped', async () => {
    await transfer(C, R);
  });

  it("dumps Redis's bytes wherever both pick the same encoding (hashtable order aside)", async () => {
    const compare = async () => {
      await Promise.all([build(C), build(R)]);
      let compared = 0;
      for (const [key] of FIXTURES) {
        const enc = await R.r2.object('ENCODING', key);
        expect(await C.r2.object('ENCODING', key)).toBe(enc);
        if (enc === 'hashtable') continue;
        const [c, r] = await Promise.all([C.r2.dumpBuffer(key), R.r2.dumpBuffer(key)]);
        expect(c.toString('hex'), key).toBe(r.toString('hex'));
        compared++;
      }
      expect(compared).toBeGreaterThan(12);
    };
    await compare();
    // Other node sizes, compressed inner nodes, no LZF for strings.
    const other: Array<[string, string]> = [
      ['list-max-listpack-size', '5'],
      ['list-compress-depth', '1'],
      ['rdbcompression', 'no'],
    ];
    for (const s of servers) for (const [k, v] of other) await s.r2.config('SET', k, v);
    try {
      await compare();
    } finally {
      for (const s of servers) for (const [k, v] of ENCODING_CONFIG) await s.r2.config('SET', k, v);
    }
  });
});

/** Each server's answer, errors as `ERR:<message>`. */
async function both(...args: Array<string | Buffer | number>): Promise<unknown[]> {
  return Promise.all(
    servers.map((s) =>
      s.r2.callBuffer(String(args[0]), ...args.slice(1)).then(
        (v) => (Buffer.isBuffer(v) ? v.toString('latin1') : v),
        (e: Error) => `ERR:${e.message}`,
      ),
    ),
  );
}

/** A payload with a correct footer around `body`. */
function sealed(body: Buffer, version = 10): Buffer {
  const head = Buffer.concat([body, Buffer.from([version, 0])]);
  return Buffer.concat([head, crc64(head)]);
}

describe('RESTORE and DUMP errors, as Redis words them', () => {
  it('refuses what Redis refuses, in the same order of checks', async () => {
    for (const s of servers) {
      await s.r2.flushall();
      await s.r2.set('foo', 'bar');
    }
    const good = await R.r2.dumpBuffer('foo');
    const cases: Array<Array<string | Buffer>> = [
      ['RESTORE', 'foo', '0', good],
      ['RESTORE', 'foo', '0', '...'],
      ['RESTORE', 'foo', '0', '...', 'invalid-option'],
      ['RESTORE', 'new', '-1', good],
      ['RESTORE', 'new', 'abc', good],
      ['RESTORE', 'new', '0', 'garbage'],
      ['RESTORE', 'new', '0', sealed(Buffer.from('\x00\x05ab'))],
      ['RESTORE', 'new', '0', sealed(Buffer.from('\x08\x00'))],
      ['RESTORE', 'new', '0', sealed(Buffer.from('\x02\x02\x01a\x01a'))],
      ['RESTORE', 'new', '0', sealed(Buffer.from('\x00\x03bar'), 11)],
      ['RESTORE', 'new', '0', good, 'IDLETIME', '-1'],
      ['RESTORE', 'new', '0', good, 'IDLETIME', 'x'],
      ['RESTORE', 'new', '0', good, 'FREQ', '256'],
      ['RESTORE', 'new', '0', good, 'FREQ', '-1'],
      ['RESTORE', 'new', '0', good, 'IDLETIME', '10', 'FREQ', '5'],
      ['RESTORE', 'new', '0', good, 'FREQ', '5', 'IDLETIME', '10'],
      ['RESTORE', 'new', '0', good, 'IDLETIME'],
      ['RESTORE', 'new', '0'],
      ['DUMP', 'nonexisting_key'],
      ['DUMP'],
      ['RESTORE', 'foo', '0', sealed(Buffer.from('\x00\x03new')), 'REPLACE', 'ABSTTL'],
      ['GET', 'foo'],
      ['EXISTS', 'new'],
    ];
    for (const c of cases) {
      const [cairnAnswer, redisAnswer] = await both(...c);
      expect([c.map(String).join(' ').slice(0, 60), cairnAnswer]).toEqual([
        c.map(String).join(' ').slice(0, 60),
        redisAnswer,
      ]);
    }
  });

  it('sets relative, absolute, 32-bit-overflowing and past TTLs as Redis does, with its events', async () => {
    const events = new Map<string, string[]>();
    const subs: Redis[] = [];
    for (const s of servers) {
      await s.r2.flushall();
      await s.r2.config('SET', 'notify-keyspace-events', 'KEA');
      const sub = s.r2.duplicate();
      const got: string[] = [];
      events.set(s.name, got);
      sub.on('pmessage', (_p, channel: string, key: string) => got.push(`${channel.slice(15)}:${key}`));
      await sub.psubscribe('__keyevent@0__:*');
      subs.push(sub);
    }
    const p = Buffer.from('0003626172 0a00 e6be4960ee66fd17'.replace(/ /g, ''), 'hex'); // DUMP of "bar"
    const now = Date.now();
    for (const s of servers) {
      await s.r2.restore('k1', 5000, p);
      await s.r2.restore('k2', 2569591501, p);
      await s.r2.restore('k3', now + 3000, p, 'ABSTTL');
      await s.r2.restore('k1', 0, p, 'REPLACE');
      await s.r2.call('RESTORE', 'k2', String(now - 3000), p, 'ABSTTL', 'REPLACE'); // deletes k2
      await s.r2.restore('k4', now - 3000, p, 'ABSTTL'); // never created
      expect(await s.r2.pttl('k1')).toBe(-1);
      expect(await s.r2.exists('k2', 'k4')).toBe(0);
      const k3 = await s.r2.pttl('k3');
      expect(k3 > 1000 && k3 <= 3000).toBe(true);
      await s.r2.restore('k5', 5000, p);
      const k5 = await s.r2.pttl('k5');
      expect(k5 > 3000 && k5 <= 5000).toBe(true);
      await s.r2.restore('k6', 2569591501, p);
      expect(await s.r2.pttl('k6')).toBeGreaterThan(2569591501 - 3000);
      await s.r2.set('done', '1');
    }
    // Wait for the last event on both, then compare the sequences.
    for (const s of servers) {
      const got = events.get(s.name)!;
      while (!got.includes('set:done')) await new Promise((r) => setTimeout(r, 5));
    }
    expect(events.get('cairn')).toEqual(events.get('redis'));
    expect(events.get('cairn')).toContain('restore:k1');
    expect(events.get('cairn')).toContain('del:k2');
    for (const s of subs) s.disconnect();
    for (const s of servers) await s.r2.config('SET', 'notify-keyspace-events', '');
  });
});

describe('DUMP over HTTP', () => {
  it('hands out the same payload, base64-encoded, that RESTORE takes over RESP', async () => {
    await C.r2.rpush('http:list', 'a', 'b', '12');
    const res = await fetch(`http://127.0.0.1:${cairn.httpPort}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'upstash-encoding': 'base64' },
      body: JSON.stringify(['DUMP', 'http:list']),
    });
    const payload = Buffer.from(((await res.json()) as { result: string }).result, 'base64');
    expect(payload.equals(await C.r2.dumpBuffer('http:list'))).toBe(true);
    expect(await R.r2.restore('http:list', 0, payload, 'REPLACE')).toBe('OK');
    expect(await R.r2.lrange('http:list', 0, -1)).toEqual(['a', 'b', '12']);
  });
});

describe('RESTORE IDLETIME and FREQ', () => {
  it('set OBJECT IDLETIME under LRU policies and OBJECT FREQ under LFU ones', async () => {
    await R.r2.set('src', 'bar');
    const p = await R.r2.dumpBuffer('src');
    try {
      for (const s of servers) {
        await s.r2.del('lru', 'plain', 'lfu', 'lfu-default');
        await s.r2.config('SET', 'maxmemory-policy', 'allkeys-lru');
        await s.r2.restore('lru', 0, p, 'IDLETIME', 1000);
        await s.r2.restore('plain', 0, p);
        const idle = Number(await s.r2.object('IDLETIME', 'lru'));
        expect([s.name, idle >= 1000 && idle <= 1010]).toEqual([s.name, true]);
        expect(Number(await s.r2.object('IDLETIME', 'plain'))).toBeLessThan(10);
        await s.r2.config('SET', 'maxmemory-policy', 'allkeys-lfu');
        await s.r2.restore('lfu', 0, p, 'FREQ', 100);
        await s.r2.restore('lfu-default', 0, p, 'IDLETIME', 50);
        expect([s.name, await s.r2.object('FREQ', 'lfu')]).toEqual([s.name, 100]);
        expect([s.name, await s.r2.object('FREQ', 'lfu-default')]).toEqual([s.name, 5]);
        expect(await s.r2.get('lfu')).toBe('bar');
      }
    } finally {
      for (const s of servers) await s.r2.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
