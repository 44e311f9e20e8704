/**
 * The command API (Upstash REST compatible) of the compiled server: raw fetch for the wire
 * format, the real `@upstash/redis` client for compatibility, the exclusion list against the
 * command table, and authentication through the Authorization header.
 */
import { Redis as Upstash } from '@upstash/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCommandTable } from '../src/commands/index.js';
import { HTTP_EXCLUDED } from '../src/protocols/http/excluded.js';
import { type CompiledCairn, call, startCompiledCairn } from './helpers/http.js';

let c: CompiledCairn;
let redis: Redis;

beforeAll(async () => {
  c = await startCompiledCairn();
  redis = c.redis;
});
afterAll(async () => {
  await c.stop();
});
beforeEach(async () => {
  await redis.flushall();
});

describe('wire format', () => {
  it('runs one command from a JSON array: {"result"} or {"error"} with the table status', async () => {
    expect((await call(c.base, 'POST', '/', ['SET', 'k', 'v'])).json).toEqual({ result: 'OK' });
    expect((await call(c.base, 'POST', '/', ['get', 'k'])).json).toEqual({ result: 'v' });
    expect((await call(c.base, 'POST', '/', ['GET', 'missing'])).json).toEqual({ result: null });
    expect((await call(c.base, 'POST', '/', ['INCRBY', 'n', 5])).json).toEqual({ result: 5 });
    expect((await call(c.base, 'POST', '/', ['MGET', 'k', 'n', 'zz'])).json).toEqual({
      result: ['v', '5', null],
    });
    const err = await call(c.base, 'POST', '/', ['INCR', 'k']);
    expect(err.status).toBe(400);
    expect(err.json).toEqual({ error: 'ERR value is not an integer or out of range' });
    const unknown = await call(c.base, 'POST', '/', ['NOPE', 'a']);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatch(/^ERR unknown command 'NOPE'/);
    expect((await call(c.base, 'POST', '/', ['GET'])).json.error).toBe(
      "ERR wrong number of arguments for 'get' command",
    );
  });

  it('keeps 64-bit integers exact', async () => {
    await redis.set('big', '9223372036854775806');
    expect((await call(c.base, 'POST', '/', ['INCR', 'big'])).text).toBe('{"result":9223372036854775807}');
  });

  it('answers base64 strings with Upstash-Encoding: base64 (binary-safe)', async () => {
    const bin = Buffer.from([0xff, 0, 0x80, 0x41]);
    await redis.set('bin', bin);
    const r = await call(c.base, 'POST', '/', ['GET', 'bin'], { 'upstash-encoding': 'base64' });
    expect(Buffer.from(r.json.result, 'base64')).toEqual(bin);
    expect(
      (await call(c.base, 'POST', '/', ['SET', 'a', 'b'], { 'upstash-encoding': 'base64' })).json,
    ).toEqual({
      result: 'OK',
    });
    const ping = await call(c.base, 'POST', '/', ['PING'], { 'upstash-encoding': 'base64' });
    expect(Buffer.from(ping.json.result, 'base64').toString()).toBe('PONG');
  });

  it('takes the path form, with a POST body as the value and query pairs as options', async () => {
    expect((await call(c.base, 'GET', '/set/pk/pv')).json).toEqual({ result: 'OK' });
    expect((await call(c.base, 'GET', '/get/pk')).json).toEqual({ result: 'pv' });
    expect(
      (await call(c.base, 'GET', `/set/${encodeURIComponent('a/b c')}/${encodeURIComponent('x/y')}`)).json,
    ).toEqual({
      result: 'OK',
    });
    expect(await redis.get('a/b c')).toBe('x/y');
    const posted = await fetch(`${c.base}/set/body-key?EX=100`, {
      method: 'POST',
      body: 'value from the body',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(await posted.json()).toEqual({ result: 'OK' });
    expect(await redis.get('body-key')).toBe('value from the body');
    expect(await redis.ttl('body-key')).toBe(100);
    const raw = Buffer.from([0, 0xff, 1]);
    await fetch(`${c.base}/set/rawkey`, { method: 'POST', body: raw });
    expect(await redis.getBuffer('rawkey')).toEqual(raw);
    expect((await call(c.base, 'GET', '/ping')).json).toEqual({ result: 'PONG' });
    expect((await call(c.base, 'GET', '/get/%ZZ')).status).toBe(400);
    // HEAD never runs a command.
    await redis.set('keep', '1');
    expect((await fetch(`${c.base}/del/keep`, { method: 'HEAD' })).status).toBe(404);
    expect(await redis.get('keep')).toBe('1');
  });

  it('runs a pipeline in order, each answer on its own', async () => {
    const r = await call(c.base, 'POST', '/pipeline', [
      ['SET', 'p', '1'],
      ['INCR', 'p'],
      ['INCR'],
      ['GET', 'p'],
      ['MULTI'],
    ]);
    expect(r.status).toBe(200);
    expect(r.json).toEqual([
      { result: 'OK' },
      { result: 2 },
      { error: "ERR wrong number of arguments for 'incr' command" },
      { result: '2' },
      { error: "ERR 'multi' is not available over HTTP: use POST /multi-exec for a transaction" },
    ]);
  });

  it('picks a database with SELECT inside a pipeline only', async () => {
    const r = await call(c.base, 'POST', '/pipeline', [
      ['SELECT', '3'],
      ['SET', 'in3', 'yes'],
    ]);
    expect(r.json).toEqual([{ result: 'OK' }, { result: 'OK' }]);
    expect(await redis.get('in3')).toBeNull();
    const db3 = new Redis({ port: c.respPort, host: '127.0.0.1', db: 3 });
    expect(await db3.get('in3')).toBe('yes');
    db3.disconnect();
    expect((await call(c.base, 'POST', '/', ['SELECT', '3'])).status).toBe(400);
    // The next request starts in database 0 again.
    expect((await call(c.base, 'POST', '/', ['GET', 'in3'])).json).toEqual({ result: null });
  });

  it('runs /multi-exec atomically: all or nothing', async () => {
    const ok = await call(c.base, 'POST', '/multi-exec', [
      ['SET', 'm', '10'],
      ['INCRBY', 'm', '5'],
      ['GET', 'm'],
    ]);
    expect(ok.json).toEqual([{ result: 'OK' }, { result: 15 }, { result: '15' }]);
    // A command refused while queueing (arity) aborts the whole transaction.
    const aborted = await call(c.base, 'POST', '/multi-exec', [
      ['SET', 'n1', 'x'],
      ['INCR'],
      ['SET', 'n2', 'y'],
    ]);
    expect(aborted.status).toBe(409);
    expect(aborted.json).toEqual({ error: 'EXECABORT Transaction discarded because of previous errors.' });
    expect(await redis.exists('n1', 'n2')).toBe(0);
    // A command the door refuses is refused before anything is queued.
    const refused = await call(c.base, 'POST', '/multi-exec', [
      ['SET', 'n3', 'x'],
      ['WATCH', 'n3'],
    ]);
    expect(refused.status).toBe(400);
    expect(await redis.exists('n3')).toBe(0);
    // Runtime errors stay per command, as in Redis.
    await redis.set('s', 'text');
    const mixed = await call(c.base, 'POST', '/multi-exec', [
      ['INCR', 's'],
      ['SET', 'n4', 'x'],
    ]);
    expect(mixed.json).toEqual([{ error: 'ERR value is not an integer or out of range' }, { result: 'OK' }]);
  });
});

describe('reachability', () => {
  const table = createCommandTable();

  it('lists only commands that exist', () => {
    const names = new Set([...table.all()].map((e) => e.fullName));
    for (const name of Object.keys(HTTP_EXCLUDED)) expect(names, name).toContain(name);
  });

  it('refuses exactly the excluded commands; every other command reaches the dispatcher', async () => {
    const scratch = await startCompiledCairn();
    try {
      for (const e of table.all()) {
        const argv = e.fullName.split('|');
        if (e.subs !== null) continue; // a container is reached through its subcommands
        const r = await call(scratch.base, 'POST', '/', argv);
        const refused =
          typeof r.json?.error === 'string' && r.json.error.includes('is not available over HTTP');
        const excluded = e.fullName in HTTP_EXCLUDED || e.spec.flags.includes('nohttp');
        expect(refused, `${e.fullName}: ${r.text}`).toBe(excluded);
      }
    } finally {
      await scratch.stop();
    }
  });
});

describe('authentication', () => {
  let secured: CompiledCairn;
  beforeAll(async () => {
    secured = await startCompiledCairn(['--requirepass', 'sesame'], 'sesame');
  });
  afterAll(async () => {
    await secured.stop();
  });

  it('asks for credentials, refuses wrong ones, takes Bearer and Basic', async () => {
    const none = await call(secured.base, 'POST', '/', ['PING']);
    expect(none.status).toBe(401);
    expect(none.json.error).toMatch(/^NOAUTH/);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    const wrong = await call(secured.base, 'POST', '/', ['PING'], { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toMatch(/^WRONGPASS/);
    expect(
      (await call(secured.base, 'POST', '/', ['PING'], { authorization: 'Bearer sesame' })).json,
    ).toEqual({
      result: 'PONG',
    });
    const basic = `Basic ${Buffer.from('default:sesame').toString('base64')}`;
    expect(
      (await call(secured.base, 'PUT', '/v1/keys/a', { value: '1' }, { authorization: basic })).status,
    ).toBe(200);
    const res = await call(secured.base, 'GET', '/v1/keys/a');
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('unauthenticated');
    expect(
      (await call(secured.base, 'GET', '/v1/keys/a', undefined, { authorization: 'Bearer sesame' })).json
        .value,
    ).toBe('1');
    expect(
      (await call(secured.base, 'GET', '/v1/keys/a', undefined, { authorization: 'Digest x' })).status,
    ).toBe(401);
    // Operations endpoints stay open for probes.
    expect((await call(secured.base, 'GET', '/healthz')).status).toBe(200);
  });

  it('works with the @upstash/redis client and its token', async () => {
    const up = new Upstash({ url: secured.base, token: 'sesame', enableTelemetry: false, retry: false });
    expect(await up.set('u', 'v')).toBe('OK');
    expect(await up.get('u')).toBe('v');
    const bad = new Upstash({ url: secured.base, token: 'wrong', enableTelemetry: false, retry: false });
    await expect(bad.get('u')).rejects.toThrow(/WRONGPASS/);
  });
});

describe('@upstash/redis against Cairn', () => {
  const client = () => new Upstash({ url: c.base, token: 'unused', enableTelemetry: false, retry: false });

  it('set, get, incr, expire, del', async () => {
    const up = client();
    expect(await up.set('greeting', 'hello')).toBe('OK');
    expect(await up.get<string>('greeting')).toBe('hello');
    expect(await redis.get('greeting')).toBe('hello');
    expect(await up.incr('counter')).toBe(1);
    expect(await up.incrby('counter', 41)).toBe(42);
    expect(await up.expire('greeting', 100)).toBe(1);
    expect(await up.ttl('greeting')).toBe(100);
    expect(await redis.ttl('greeting')).toBe(100);
    expect(await up.set('nx', '1', { nx: true })).toBe('OK');
    expect(await up.set('nx', '2', { nx: true })).toBeNull();
    expect(await up.set('ex', 'v', { ex: 30 })).toBe('OK');
    expect(await redis.ttl('ex')).toBe(30);
    expect(await up.mget<string[]>('greeting', 'missing')).toEqual(['hello', null]);
    expect(await up.del('greeting', 'counter')).toBe(2);
    expect(await up.exists('greeting')).toBe(0);
    // Objects are stored as JSON text by the client and parsed back.
    await up.set('obj', { a: 1, b: ['x'] });
    expect(await redis.get('obj')).toBe('{"a":1,"b":["x"]}');
    expect(await up.get('obj')).toEqual({ a: 1, b: ['x'] });
  });

  it('reads what RESP wrote, including non-ASCII text', async () => {
    await redis.set('uni', 'ünïcødé ✓ 漢字');
    expect(await client().get('uni')).toBe('ünïcødé ✓ 漢字');
  });

  it('pipeline and multi-exec', async () => {
    const up = client();
    const p = up.pipeline();
    p.set('a', '1');
    p.incr('a');
    p.get('a');
    expect(await p.exec()).toEqual(['OK', 2, 2]);
    const tx = up.multi();
    tx.set('b', 'x');
    tx.incrby('a', 10);
    tx.get('b');
    expect(await tx.exec()).toEqual(['OK', 12, 'x']);
    expect(await redis.mget('a', 'b')).toEqual(['12', 'x']);
  });

  it('reports command errors as exceptions', async () => {
    const up = client();
    await up.set('s', 'text');
    await expect(up.incr('s')).rejects.toThrow(/not an integer/);
  });
});
