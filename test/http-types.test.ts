/**
 * Hashes, lists, sets and sorted sets through the HTTP door of the compiled server: whole
 * collections on `/v1/keys/{key}` (PUT and GET, checked against RESP), the command API's
 * default RESP2 shapes (what Upstash answers) and its RESP3 opt-in, and the real
 * `@upstash/redis` client.
 */
import { Redis as Upstash } from '@upstash/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CompiledCairn, call, startCompiledCairn } from './helpers/http.js';

const MB = 1024 * 1024;
let c: CompiledCairn;
let redis: Redis;

beforeAll(async () => {
  c = await startCompiledCairn([
    '--snapshot-store',
    'none',
    '--proto-max-bulk-len',
    String(MB),
    '--http-body-limit',
    String(4 * MB),
  ]);
  redis = c.redis;
});
afterAll(async () => {
  await c.stop();
});
beforeEach(async () => {
  await redis.flushall();
});

const put = (key: string, body: unknown) => call(c.base, 'PUT', `/v1/keys/${encodeURIComponent(key)}`, body);
const get = (key: string, headers?: Record<string, string>) =>
  call(c.base, 'GET', `/v1/keys/${encodeURIComponent(key)}`, undefined, headers);
const cmd = (args: unknown[], headers?: Record<string, string>, query = '') =>
  call(c.base, 'POST', `/${query}`, args, headers);
const RESP3 = { 'cairn-protocol': '3' };

describe('PUT and GET /v1/keys/{key}: whole collections', () => {
  it('round-trips a hash, as RESP sees it', async () => {
    expect((await put('h', { type: 'hash', value: { f1: 'v1', fé: 'ünï ✓' } })).json).toEqual({ ok: true });
    expect(await redis.type('h')).toBe('hash');
    expect(await redis.hgetall('h')).toEqual({ f1: 'v1', fé: 'ünï ✓' });
    const r = await get('h');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      key: 'h',
      type: 'hash',
      value: { f1: 'v1', fé: 'ünï ✓' },
      encoding: 'utf8',
      ttl_ms: null,
    });
  });

  it('round-trips a list in order, duplicates kept, past one write chunk', async () => {
    const items = Array.from({ length: 2500 }, (_, i) => `item-${i % 1000}`);
    expect((await put('l', { type: 'list', value: items, ttl_ms: 60_000 })).status).toBe(200);
    expect(await redis.lrange('l', 0, -1)).toEqual(items);
    const r = await get('l');
    expect(r.json.type).toBe('list');
    expect(r.json.value).toEqual(items);
    expect(r.json.ttl_ms).toBeGreaterThan(50_000);
  });

  it('round-trips a set (intset members in numeric order) and a sorted set with infinities', async () => {
    await put('s', { type: 'set', value: ['3', '1', '2', '1'] });
    expect((await get('s')).json).toMatchObject({ type: 'set', value: ['1', '2', '3'] });
    expect((await redis.smembers('s')).sort()).toEqual(['1', '2', '3']);
    await put('z', {
      type: 'zset',
      value: [
        { member: 'b', score: 2.5 },
        { member: 'a', score: 0.1 },
        { member: 'top', score: 'inf' },
        { member: 'bottom', score: '-inf' },
      ],
    });
    expect(await redis.zrange('z', '0', '-1', 'WITHSCORES')).toEqual([
      'bottom',
      '-inf',
      'a',
      '0.10000000000000001',
      'b',
      '2.5',
      'top',
      'inf',
    ]);
    expect((await get('z')).json).toMatchObject({
      type: 'zset',
      value: [
        { member: 'bottom', score: '-inf' },
        { member: 'a', score: 0.1 },
        { member: 'b', score: 2.5 },
        { member: 'top', score: 'inf' },
      ],
    });
  });

  it('reads back what RESP wrote, every type', async () => {
    await redis.hset('rh', { a: '1', b: '2' });
    await redis.rpush('rl', 'x', 'y', 'x');
    await redis.sadd('rs', 'm');
    await redis.zadd('rz', 1, 'one', 2, 'two');
    await redis.pexpire('rz', 30_000);
    expect((await get('rh')).json.value).toEqual({ a: '1', b: '2' });
    expect((await get('rl')).json.value).toEqual(['x', 'y', 'x']);
    expect((await get('rs')).json.value).toEqual(['m']);
    const z = (await get('rz')).json;
    expect(z.value).toEqual([
      { member: 'one', score: 1 },
      { member: 'two', score: 2 },
    ]);
    expect(z.ttl_ms).toBeGreaterThan(25_000);
  });

  it('carries bytes that are not UTF-8 as base64, both ways', async () => {
    const bin = Buffer.from([0xff, 0x00, 0xc3, 0x28]);
    await redis.hset('bh', bin, 'text');
    const r = await get('bh');
    expect(r.json.encoding).toBe('base64');
    expect(r.json.value).toEqual({ [bin.toString('base64')]: Buffer.from('text').toString('base64') });
    // Written back through PUT, byte for byte.
    await put('bh2', { type: 'hash', value: r.json.value, encoding: 'base64' });
    expect(await redis.callBuffer('HGETALL', 'bh2')).toEqual([bin, Buffer.from('text')]);
    await put('bz', {
      type: 'zset',
      value: [{ member: bin.toString('base64'), score: 1 }],
      encoding: 'base64',
    });
    expect(await redis.zrangeBuffer('bz', '0', '-1')).toEqual([bin]);
    expect((await get('bz')).json).toMatchObject({
      encoding: 'base64',
      value: [{ member: bin.toString('base64') }],
    });
  });

  it('replaces the key whatever it held, atomically, and an empty collection deletes it', async () => {
    await redis.set('k', 'a string');
    await put('k', { type: 'list', value: ['a'] });
    expect(await redis.type('k')).toBe('list');
    await put('k', { type: 'set', value: ['x', 'y'] });
    expect(await redis.type('k')).toBe('set');
    await put('k', { value: 'text again', type: 'string' });
    expect((await get('k')).json).toMatchObject({ type: 'string', value: 'text again' });
    await put('k', { type: 'hash', value: {} });
    expect(await redis.exists('k')).toBe(0);
    expect((await get('k')).status).toBe(404);
  });

  it('takes ttl_ms, keep_ttl and the conditions as a string PUT does', async () => {
    await put('t', { type: 'hash', value: { f: 'v' }, ttl_ms: 5000 });
    const ttl = await redis.pttl('t');
    expect(ttl).toBeGreaterThan(4000);
    await put('t', { type: 'hash', value: { g: 'w' }, keep_ttl: true });
    expect(await redis.hgetall('t')).toEqual({ g: 'w' });
    expect(await redis.pttl('t')).toBeGreaterThan(4000);
    await put('t', { type: 'hash', value: { h: 'x' } });
    expect(await redis.pttl('t')).toBe(-1);
    const absent = await put('t', { type: 'list', value: ['a'], condition: 'if-absent' });
    expect(absent.status).toBe(409);
    expect(absent.json.error.code).toBe('condition_failed');
    expect(await redis.type('t')).toBe('hash');
    expect((await put('nope', { type: 'set', value: ['a'], condition: 'if-present' })).status).toBe(409);
    expect(await redis.exists('nope')).toBe(0);
    expect((await put('new', { type: 'set', value: ['a'], condition: 'if-absent' })).status).toBe(200);
    const both = await put('t', { type: 'set', value: ['a'], ttl_ms: 10, keep_ttl: true });
    expect(both.status).toBe(400);
  });

  it('keeps __proto__ and constructor as ordinary fields', async () => {
    const body = JSON.parse('{"type":"hash","value":{"__proto__":"p","constructor":"c"}}');
    expect((await put('proto', body)).status).toBe(200);
    expect(await redis.hgetall('proto')).toEqual(JSON.parse('{"__proto__":"p","constructor":"c"}'));
    const r = await get('proto');
    expect(r.text).toContain('"__proto__":"p"');
    expect(Object.keys(r.json.value).sort()).toEqual(['__proto__', 'constructor']);
  });

  it('keeps the door’s bounds: 413 for a body or an element too large, the key untouched', async () => {
    await redis.rpush('kept', 'old');
    const huge = await put('kept', { type: 'list', value: Array.from({ length: 5 }, () => 'x'.repeat(MB)) });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe('too_large');
    // One element past proto-max-bulk-len, after others that fit: nothing is written.
    const big = await put('kept', { type: 'hash', value: { a: '1', b: 'y'.repeat(MB + 1) } });
    expect(big.status).toBe(413);
    expect(await redis.lrange('kept', 0, -1)).toEqual(['old']);
    expect((await get('kept')).json.value).toEqual(['old']);
  });

  it('refuses malformed bodies with 400 and raw reads of a collection with 409', async () => {
    expect((await put('bad', { type: 'hash', value: { f: 1 } })).status).toBe(400);
    expect((await put('bad', { type: 'list', value: 'a' })).status).toBe(400);
    expect((await put('bad', { type: 'zset', value: [{ member: 'a', score: 'x' }] })).status).toBe(400);
    expect((await put('bad', { type: 'zset', value: [{ member: 'a' }] })).status).toBe(400);
    expect((await put('bad', { type: 'stream', value: [] })).status).toBe(400);
    expect((await put('bad', { type: 'set', value: ['\u00ff'], encoding: 'base64' })).status).toBe(400);
    expect(await redis.exists('bad')).toBe(0);
    await redis.rpush('coll', 'a');
    const raw = await get('coll', { accept: 'application/octet-stream' });
    expect(raw.status).toBe(409);
    expect(raw.json.error.code).toBe('wrong_type');
  });
});

describe('the command API: RESP2 shapes by default, RESP3 on request', () => {
  beforeEach(async () => {
    await redis.hset('h', 'f1', 'v1', 'f2', 'v2');
    await redis.zadd('z', 0.1, 'a', 1.5, 'b', 'inf', 'c');
    await redis.sadd('s', 'x', 'y');
    await redis.rpush('l', 'p', 'q');
  });

  it('answers as a RESP2 client reads: flat maps, scores as %.17g strings', async () => {
    expect((await cmd(['HGETALL', 'h'])).json).toEqual({ result: ['f1', 'v1', 'f2', 'v2'] });
    expect((await cmd(['ZRANGE', 'z', 0, -1, 'WITHSCORES'])).json).toEqual({
      result: ['a', '0.10000000000000001', 'b', '1.5', 'c', 'inf'],
    });
    expect((await cmd(['ZSCORE', 'z', 'a'])).json).toEqual({ result: '0.10000000000000001' });
    expect((await cmd(['SMEMBERS', 's'])).json.result.sort()).toEqual(['x', 'y']);
    expect((await cmd(['LRANGE', 'l', 0, -1])).json).toEqual({ result: ['p', 'q'] });
    expect((await cmd(['TYPE', 'z'])).json).toEqual({ result: 'zset' });
    const wrong = await cmd(['LPUSH', 'h', 'x']);
    expect(wrong.status).toBe(409);
    expect(wrong.json.error).toMatch(/^WRONGTYPE/);
  });

  it('answers RESP3 shapes with Cairn-Protocol: 3 or ?resp=3', async () => {
    expect((await cmd(['HGETALL', 'h'], RESP3)).json).toEqual({ result: { f1: 'v1', f2: 'v2' } });
    expect((await cmd(['HGETALL', 'h'], {}, '?resp=3')).json).toEqual({ result: { f1: 'v1', f2: 'v2' } });
    expect((await cmd(['HGETALL', 'missing'], RESP3)).json).toEqual({ result: {} });
    expect((await cmd(['ZRANGE', 'z', 0, -1, 'WITHSCORES'], RESP3)).json).toEqual({
      result: [
        ['a', 0.1],
        ['b', 1.5],
        ['c', 'inf'],
      ],
    });
    expect((await cmd(['ZSCORE', 'z', 'b'], RESP3)).json).toEqual({ result: 1.5 });
    expect((await cmd(['SMEMBERS', 's'], RESP3)).json.result.sort()).toEqual(['x', 'y']);
    // The path form takes the header only: its query string is the command's arguments.
    const path = await call(c.base, 'GET', '/hgetall/h', undefined, RESP3);
    expect(path.json).toEqual({ result: { f1: 'v1', f2: 'v2' } });
    expect((await cmd(['HGETALL', 'h'], { 'cairn-protocol': '4' })).status).toBe(400);
  });

  it('keeps the chosen shapes in pipelines and transactions', async () => {
    const batch = [
      ['HGETALL', 'h'],
      ['ZSCORE', 'z', 'a'],
    ];
    expect((await call(c.base, 'POST', '/pipeline', batch)).json).toEqual([
      { result: ['f1', 'v1', 'f2', 'v2'] },
      { result: '0.10000000000000001' },
    ]);
    expect((await call(c.base, 'POST', '/pipeline', batch, RESP3)).json).toEqual([
      { result: { f1: 'v1', f2: 'v2' } },
      { result: 0.1 },
    ]);
    expect((await call(c.base, 'POST', '/multi-exec?resp=3', batch)).json).toEqual([
      { result: { f1: 'v1', f2: 'v2' } },
      { result: 0.1 },
    ]);
  });

  it('base64-encodes map keys too with Upstash-Encoding: base64', async () => {
    const r = await cmd(['HGETALL', 'h'], { ...RESP3, 'upstash-encoding': 'base64' });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect(r.json).toEqual({ result: { [b64('f1')]: b64('v1'), [b64('f2')]: b64('v2') } });
  });
});

describe('@upstash/redis against Cairn', () => {
  const up = () => new Upstash({ url: c.base, token: 'unused', enableTelemetry: false, retry: false });

  it('hset / hgetall / hget', async () => {
    const u = up();
    expect(await u.hset('user', { name: 'ada', age: 36 })).toBe(2);
    expect(await redis.hgetall('user')).toEqual({ name: 'ada', age: '36' });
    // The client parses the flat array into an object, and JSON values into values.
    expect(await u.hgetall('user')).toEqual({ name: 'ada', age: 36 });
    expect(await u.hget('user', 'name')).toBe('ada');
    expect(await u.hgetall('missing')).toBeNull();
  });

  it('lpush / lrange', async () => {
    const u = up();
    expect(await u.lpush('list', 'a', 'b', 'c')).toBe(3);
    expect(await u.lrange('list', 0, -1)).toEqual(['c', 'b', 'a']);
    expect(await redis.lrange('list', 0, -1)).toEqual(['c', 'b', 'a']);
  });

  it('sadd / smembers', async () => {
    const u = up();
    expect(await u.sadd('set', 'x', 'y', 'z')).toBe(3);
    expect((await u.smembers('set')).sort()).toEqual(['x', 'y', 'z']);
  });

  it('zadd / zrange withScores / zscore', async () => {
    const u = up();
    expect(await u.zadd('zs', { score: 1, member: 'one' }, { score: 2.5, member: 'two' })).toBe(2);
    expect(await u.zrange('zs', 0, -1, { withScores: true })).toEqual(['one', 1, 'two', 2.5]);
    expect(await u.zscore('zs', 'two')).toBe(2.5);
    expect(await redis.zscore('zs', 'two')).toBe('2.5');
  });
});
