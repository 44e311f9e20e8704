/**
 * The resource API (`/v1/...`) through fetch, with the clock under the test's control, and
 * cross-door: what HTTP writes, RESP (ioredis) reads byte for byte, and the other way round.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, type HttpCairn, startHttpCairn } from './helpers/http.js';

let c: HttpCairn;
let redis: Redis;
const enc = encodeURIComponent;
/** Percent-encode every byte: any byte sequence as a path segment. */
const pct = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');

beforeAll(async () => {
  c = await startHttpCairn();
  redis = new Redis({ port: c.respPort, host: '127.0.0.1', lazyConnect: true });
  await redis.connect();
});
afterAll(async () => {
  redis.disconnect();
  await c.stop();
});
beforeEach(async () => {
  await redis.flushall();
});

describe('PUT and GET /v1/keys/{key}', () => {
  it('round-trips a value with its encoding and no TTL', async () => {
    expect((await call(c.base, 'PUT', '/v1/keys/greeting', { value: 'héllo' })).json).toEqual({ ok: true });
    const r = await call(c.base, 'GET', '/v1/keys/greeting');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.json).toEqual({
      key: 'greeting',
      type: 'string',
      value: 'héllo',
      encoding: 'utf8',
      ttl_ms: null,
    });
  });

  it('answers 404 with the JSON error shape for a missing key', async () => {
    const r = await call(c.base, 'GET', '/v1/keys/nothing-here');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: { code: 'not_found', message: 'no such key' } });
  });

  it('counts a TTL down on the server clock and expires the key', async () => {
    await call(c.base, 'PUT', '/v1/keys/session', { value: 's', ttl_ms: 10_000 });
    expect((await call(c.base, 'GET', '/v1/keys/session')).json.ttl_ms).toBe(10_000);
    c.t.clock.advance(4_000);
    expect((await call(c.base, 'GET', '/v1/keys/session')).json.ttl_ms).toBe(6_000);
    expect((await call(c.base, 'GET', '/v1/keys/session/ttl')).json).toEqual({ ttl_ms: 6_000 });
    c.t.clock.advance(6_001);
    expect((await call(c.base, 'GET', '/v1/keys/session')).status).toBe(404);
  });

  it('honours if-absent, if-present and keep_ttl', async () => {
    expect((await call(c.base, 'PUT', '/v1/keys/k', { value: '1', condition: 'if-present' })).status).toBe(
      409,
    );
    expect((await call(c.base, 'GET', '/v1/keys/k')).status).toBe(404);
    expect(
      (await call(c.base, 'PUT', '/v1/keys/k', { value: '1', condition: 'if-absent', ttl_ms: 5000 })).status,
    ).toBe(200);
    const taken = await call(c.base, 'PUT', '/v1/keys/k', { value: '2', condition: 'if-absent' });
    expect(taken.status).toBe(409);
    expect(taken.json.error.code).toBe('condition_failed');
    expect(
      (await call(c.base, 'PUT', '/v1/keys/k', { value: '3', condition: 'if-present', keep_ttl: true }))
        .status,
    ).toBe(200);
    expect((await call(c.base, 'GET', '/v1/keys/k')).json).toMatchObject({ value: '3', ttl_ms: 5000 });
    // A plain SET drops the TTL, as in Redis.
    await call(c.base, 'PUT', '/v1/keys/k', { value: '4' });
    expect((await call(c.base, 'GET', '/v1/keys/k')).json.ttl_ms).toBeNull();
  });

  it('takes and gives raw bytes as application/octet-stream, options in the query', async () => {
    const bytes = Buffer.from([0, 1, 0xff, 0xfe, 0x80, 10, 13, 0x7f]);
    const put = await fetch(`${c.base}/v1/keys/raw?ttl_ms=60000`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(put.status).toBe(200);
    const raw = await fetch(`${c.base}/v1/keys/raw`, { headers: { accept: 'application/octet-stream' } });
    expect(raw.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await raw.arrayBuffer())).toEqual(bytes);
    const j = (await call(c.base, 'GET', '/v1/keys/raw')).json;
    expect(j).toEqual({
      key: 'raw',
      type: 'string',
      value: bytes.toString('base64'),
      encoding: 'base64',
      ttl_ms: 60000,
    });
  });

  it('stores base64 values given as JSON', async () => {
    const bytes = Buffer.from([0xc3, 0x28, 0, 0xff]);
    await call(c.base, 'PUT', '/v1/keys/b64', { value: bytes.toString('base64'), encoding: 'base64' });
    expect(await redis.getBuffer('b64')).toEqual(bytes);
  });

  it('reaches any byte sequence as a key through percent-encoding', async () => {
    const key = Buffer.from([0xff, 0x00, 0x2f, 0x3f, 0x23, 0x25, 0x20, 0xe2, 0x82, 0xac]);
    expect((await call(c.base, 'PUT', `/v1/keys/${pct(key)}`, { value: 'v' })).status).toBe(200);
    expect(await redis.getBuffer(key)).toEqual(Buffer.from('v'));
    const r = await call(c.base, 'GET', `/v1/keys/${pct(key)}`);
    expect(r.json).toMatchObject({ key: key.toString('base64'), key_encoding: 'base64', value: 'v' });
    // A `/` in a key is %2F: `a/ttl` is a key, not the TTL of `a`.
    await call(c.base, 'PUT', `/v1/keys/${enc('a/ttl')}`, { value: 'slash' });
    expect(await redis.get('a/ttl')).toBe('slash');
    expect((await call(c.base, 'GET', '/v1/keys/a/ttl')).status).toBe(404);
    // The empty key exists in Redis too.
    await call(c.base, 'PUT', '/v1/keys/', { value: 'empty' });
    expect(await redis.get('')).toBe('empty');
  });

  it('deletes: 204, then 404', async () => {
    await redis.set('gone', 'x');
    const r = await call(c.base, 'DELETE', '/v1/keys/gone');
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect((await call(c.base, 'DELETE', '/v1/keys/gone')).status).toBe(404);
    expect(await redis.exists('gone')).toBe(0);
  });
});

describe('/v1/keys/{key}/ttl and /incr', () => {
  it('reads, sets and removes a TTL', async () => {
    expect((await call(c.base, 'GET', '/v1/keys/t/ttl')).status).toBe(404);
    expect((await call(c.base, 'PUT', '/v1/keys/t/ttl', { ttl_ms: 1000 })).status).toBe(404);
    expect((await call(c.base, 'DELETE', '/v1/keys/t/ttl')).status).toBe(404);
    await redis.set('t', 'v');
    expect((await call(c.base, 'GET', '/v1/keys/t/ttl')).json).toEqual({ ttl_ms: null });
    expect((await call(c.base, 'PUT', '/v1/keys/t/ttl', { ttl_ms: 1500 })).json).toEqual({ ttl_ms: 1500 });
    expect(await redis.pttl('t')).toBe(1500);
    expect((await call(c.base, 'DELETE', '/v1/keys/t/ttl')).status).toBe(204);
    expect(await redis.pttl('t')).toBe(-1);
    // Already persistent: still 204.
    expect((await call(c.base, 'DELETE', '/v1/keys/t/ttl')).status).toBe(204);
    expect((await call(c.base, 'PUT', '/v1/keys/t/ttl', { ttl_ms: 0 })).status).toBe(400);
  });

  it('increments by 1, by n, and past 2^53 without losing digits', async () => {
    expect((await call(c.base, 'POST', '/v1/keys/n/incr')).json).toEqual({ value: 1 });
    expect((await call(c.base, 'POST', '/v1/keys/n/incr', { by: 41 })).json).toEqual({ value: 42 });
    expect((await call(c.base, 'POST', '/v1/keys/n/incr', { by: -50 })).json).toEqual({ value: -8 });
    await redis.set('big', '9007199254740993');
    const r = await call(c.base, 'POST', '/v1/keys/big/incr', { by: '1000000000000000000' });
    expect(r.text).toBe('{"value":1009007199254740993}');
    expect(await redis.get('big')).toBe('1009007199254740993');
    await redis.set('word', 'abc');
    const bad = await call(c.base, 'POST', '/v1/keys/word/incr');
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe('value is not an integer or out of range');
    await redis.set('max', '9223372036854775807');
    expect((await call(c.base, 'POST', '/v1/keys/max/incr')).json.error.message).toBe(
      'increment or decrement would overflow',
    );
  });
});

describe('many keys', () => {
  it('pages through every key with a cursor, by prefix and by pattern', async () => {
    const users = Array.from({ length: 150 }, (_, i) => `user:${i}`);
    await redis.mset(...users.flatMap((k) => [k, 'u']), 'other', 'o', 'user*lit', 'x');
    const seen = new Set<string>();
    let cursor = '0';
    let pages = 0;
    do {
      const r = await call(c.base, 'GET', `/v1/keys?prefix=user:&limit=20&cursor=${cursor}`);
      expect(r.status).toBe(200);
      expect(r.json.encoding).toBe('utf8');
      for (const k of r.json.keys) seen.add(k);
      cursor = r.json.cursor;
      pages++;
    } while (cursor !== '0' && pages < 1000);
    expect([...seen].sort()).toEqual([...users].sort());
    // A prefix is literal: `*` in it is not a wildcard.
    const lit = await call(c.base, 'GET', `/v1/keys?prefix=${enc('user*')}&limit=1000`);
    expect(lit.json.keys).toEqual(['user*lit']);
    const pat = await call(c.base, 'GET', `/v1/keys?match=${enc('user:1?')}&limit=1000`);
    expect(pat.json.keys.sort()).toEqual([
      'user:10',
      'user:11',
      'user:12',
      'user:13',
      'user:14',
      'user:15',
      'user:16',
      'user:17',
      'user:18',
      'user:19',
    ]);
  });

  it('fetches several keys by query (MGET) and by POST', async () => {
    await redis.mset('a', '1', 'b', '2');
    expect((await call(c.base, 'GET', '/v1/keys?key=a&key=missing&key=b')).json).toEqual({
      values: ['1', null, '2'],
      encoding: 'utf8',
    });
    expect((await call(c.base, 'GET', '/v1/keys?key=a&prefix=x')).status).toBe(400);
    const bin = Buffer.from([0xff, 1]);
    await redis.set(bin, bin);
    expect((await call(c.base, 'GET', `/v1/keys?key=a&key=${pct(bin)}`)).json).toEqual({
      values: [Buffer.from('1').toString('base64'), bin.toString('base64')],
      encoding: 'base64',
    });
    const post = await call(c.base, 'POST', '/v1/mget', {
      keys: ['YQ==', bin.toString('base64')],
      encoding: 'base64',
    });
    expect(post.json).toEqual({ values: ['MQ==', bin.toString('base64')], encoding: 'base64' });
    expect((await call(c.base, 'POST', '/v1/mget', { keys: ['a', 'b'] })).json.values).toEqual(['1', '2']);
  });

  it('takes the original service body on POST /v1/kv and the original brief body on PUT /v1/kv', async () => {
    expect((await call(c.base, 'POST', '/v1/kv', { key: 'svc', value: 'one' })).json).toEqual({ ok: true });
    expect(await redis.get('svc')).toBe('one');
    await call(c.base, 'POST', '/v1/kv', { key: 'svc-ttl', value: 'two', ttl_ms: 3000 });
    expect(await redis.pttl('svc-ttl')).toBe(3000);
    const put = await call(c.base, 'PUT', '/v1/kv', { x: '1', y: '2', 'z z': '3' });
    expect(put.json).toEqual({ ok: true, count: 3 });
    expect(await redis.mget('x', 'y', 'z z')).toEqual(['1', '2', '3']);
  });

  it('stores __proto__ and constructor as plain keys, polluting nothing', async () => {
    const r = await call(c.base, 'PUT', '/v1/kv', '{"__proto__":{"polluted":"yes"},"constructor":"c"}', {
      'content-type': 'application/json',
    });
    // A value must be a string: the object under __proto__ is refused, and nothing is stored.
    expect(r.status).toBe(400);
    expect(await redis.exists('constructor')).toBe(0);
    const ok = await call(c.base, 'PUT', '/v1/kv', '{"__proto__":"p","constructor":"c","toString":"t"}', {
      'content-type': 'application/json',
    });
    expect(ok.json).toEqual({ ok: true, count: 3 });
    expect(await redis.mget('__proto__', 'constructor', 'toString')).toEqual(['p', 'c', 't']);
    expect((await call(c.base, 'GET', '/v1/keys/__proto__')).json.value).toBe('p');
    await call(c.base, 'POST', '/v1/kv', '{"key":"__proto__","value":"again"}', {
      'content-type': 'application/json',
    });
    expect(await redis.get('__proto__')).toBe('again');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });
});

describe('cross-door', () => {
  it('HTTP writes what RESP reads, byte for byte', async () => {
    for (let i = 0; i < 20; i++) {
      const key = Buffer.from(Array.from({ length: 1 + i }, (_, j) => (i * 37 + j * 101) % 256));
      const value = Buffer.from(Array.from({ length: i * 13 }, (_, j) => (i * 7 + j * 31) % 256));
      const put = await fetch(`${c.base}/v1/keys/${pct(key)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: value,
      });
      expect(put.status).toBe(200);
      expect(await redis.getBuffer(key)).toEqual(value);
    }
  });

  it('RESP writes what HTTP reads, byte for byte', async () => {
    for (let i = 0; i < 20; i++) {
      const key = Buffer.from(Array.from({ length: 1 + i }, (_, j) => (i * 53 + j * 11) % 256));
      const value = Buffer.from(Array.from({ length: i * 17 }, (_, j) => (i * 5 + j * 29) % 256));
      await redis.set(key, value, 'PX', 90_000);
      const raw = await fetch(`${c.base}/v1/keys/${pct(key)}`, {
        headers: { accept: 'application/octet-stream' },
      });
      expect(Buffer.from(await raw.arrayBuffer())).toEqual(value);
      const j = (await call(c.base, 'GET', `/v1/keys/${pct(key)}`)).json;
      const back = j.encoding === 'base64' ? Buffer.from(j.value, 'base64') : Buffer.from(j.value, 'utf8');
      expect(back).toEqual(value);
      expect(j.ttl_ms).toBe(90_000);
    }
    await redis.set('text', 'plain ünïcode ✓');
    expect((await call(c.base, 'GET', '/v1/keys/text')).json).toMatchObject({
      value: 'plain ünïcode ✓',
      encoding: 'utf8',
    });
  });

  it('a TTL set over HTTP is the one RESP sees, and the other way round', async () => {
    await call(c.base, 'PUT', '/v1/keys/x', { value: 'v', ttl_ms: 7000 });
    expect(await redis.pttl('x')).toBe(7000);
    await redis.pexpire('x', 2500);
    expect((await call(c.base, 'GET', '/v1/keys/x/ttl')).json).toEqual({ ttl_ms: 2500 });
  });
});
