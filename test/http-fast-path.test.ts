/**
 * The HTTP door's fast path (src/protocols/http/fast-path.ts) answers exactly as Fastify's
 * routes do: two servers, one with the fast path and one without, get the same requests after
 * the same setup, and must give the same status, headers (but Date) and body, and leave the
 * same data behind. INFO http shows that the fast path did answer the plain cases.
 */
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpCairn, startHttpCairn } from './helpers/http.js';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface Req {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

let fast: HttpCairn;
let slow: HttpCairn;
let fastRedis: Redis;
let slowRedis: Redis;

const BODY_LIMIT = 4096;

async function send(c: HttpCairn, r: Req): Promise<Answer> {
  const res = await fetch(`${c.base}${r.path}`, {
    method: r.method ?? 'GET',
    headers: r.headers,
    body: r.body,
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k !== 'date') headers[k] = v;
  });
  return { status: res.status, headers, body: await res.text() };
}

/** The same request to both servers; their answers, which must be equal. */
async function both(r: Req): Promise<Answer> {
  const a = await send(fast, r);
  const b = await send(slow, r);
  expect(a, `${r.method ?? 'GET'} ${r.path}`).toEqual(b);
  return a;
}

async function onBoth(...args: Array<string | Buffer>): Promise<void> {
  const [cmd, ...rest] = args;
  await fastRedis.call(cmd as string, ...rest);
  await slowRedis.call(cmd as string, ...rest);
}

async function fastServed(c: HttpCairn): Promise<number> {
  const info = await (c === fast ? fastRedis : slowRedis).info('http');
  return Number(/http_fast_path_requests:(\d+)/.exec(info)?.[1]);
}

const json = { 'content-type': 'application/json' };
const post = (body: string | Buffer, headers: Record<string, string> = json): Req => ({
  method: 'POST',
  path: '/v1/kv',
  headers,
  body,
});

beforeAll(async () => {
  const settings = { bodyLimitBytes: BODY_LIMIT };
  fast = await startHttpCairn({ settings });
  slow = await startHttpCairn({ settings: { ...settings, fastPath: false } });
  fastRedis = new Redis({ port: fast.respPort, host: '127.0.0.1' });
  slowRedis = new Redis({ port: slow.respPort, host: '127.0.0.1' });
  await onBoth('SET', 'plain', 'hello');
  await onBoth('SET', 'printable', "it's <b>&amp;</b> ~`{}[]/");
  await onBoth('SET', 'quoted', 'a "quoted" \\ value\n\t\u0001 é ✓ 😀');
  await onBoth('SET', 'binary', Buffer.from([0xff, 0x00, 0xfe]));
  await onBoth('SET', 'expiring', 'soon', 'PX', '10000');
  await onBoth('SET', "a:b@c!$&'()*+,;=-._~", 'odd key');
  await onBoth('SET', 'sp ace', 'escaped key');
  await onBoth('HSET', 'hash', 'f', 'v');
  await onBoth('RPUSH', 'list', 'x', 'y');
  await onBoth('XADD', 'stream', '1-1', 'f', 'v');
});
afterAll(async () => {
  fastRedis.disconnect();
  slowRedis.disconnect();
  await fast.stop();
  await slow.stop();
});

describe('GET /v1/keys/{key} with and without the fast path', () => {
  it('answers strings on the fast path, the same as the router', async () => {
    const before = await fastServed(fast);
    expect((await both({ path: '/v1/keys/plain' })).body).toBe(
      '{"key":"plain","type":"string","value":"hello","encoding":"utf8","ttl_ms":null}',
    );
    expect(JSON.parse((await both({ path: '/v1/keys/quoted' })).body).value).toBe(
      'a "quoted" \\ value\n\t\u0001 é ✓ 😀',
    );
    expect(JSON.parse((await both({ path: '/v1/keys/binary' })).body)).toMatchObject({
      value: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'),
      encoding: 'base64',
    });
    expect(JSON.parse((await both({ path: '/v1/keys/expiring' })).body).ttl_ms).toBe(10_000);
    expect((await both({ path: "/v1/keys/a:b@c!$&'()*+,;=-._~" })).status).toBe(200);
    expect((await both({ path: '/v1/keys/missing' })).status).toBe(404);
    expect(JSON.parse((await both({ path: '/v1/keys/printable' })).body).value).toBe(
      "it's <b>&amp;</b> ~`{}[]/",
    );
    expect(await fastServed(fast)).toBe(before + 7);
    expect(await fastServed(slow)).toBe(0);
  });

  it('leaves everything else to the router, with the same answers', async () => {
    const before = await fastServed(fast);
    expect((await both({ path: '/v1/keys/sp%20ace' })).status).toBe(200);
    expect((await both({ path: '/v1/keys/%FF' })).status).toBe(404);
    expect((await both({ path: '/v1/keys/%ZZ' })).status).toBe(400);
    expect(JSON.parse((await both({ path: '/v1/keys/hash' })).body).type).toBe('hash');
    expect(JSON.parse((await both({ path: '/v1/keys/list' })).body).type).toBe('list');
    expect(JSON.parse((await both({ path: '/v1/keys/stream' })).body).type).toBe('stream');
    expect((await both({ path: '/v1/keys/plain?x=1' })).status).toBe(200);
    expect((await both({ path: '/v1/keys/' })).status).toBe(404);
    const raw = await both({ path: '/v1/keys/plain', headers: { accept: 'application/octet-stream' } });
    expect(raw.body).toBe('hello');
    expect((await both({ method: 'HEAD', path: '/v1/keys/plain' })).status).toBe(200);
    expect(await fastServed(fast)).toBe(before);
  });
});

describe('load shedding with and without the fast path', () => {
  it('leaves requests to the shedding hook while the server is under pressure', async () => {
    const before = await fastServed(fast);
    // Both servers share this process's heap, read at different moments: compare without it.
    const shedBoth = async (r: Req) => {
      const [a, b] = [await send(fast, r), await send(slow, r)];
      const figure = (x: Answer) => ({ ...x, body: x.body.replace(/\d+ bytes/, 'N bytes'), headers: {} });
      expect(figure(a)).toEqual(figure(b));
      expect(a.headers['retry-after']).toBe(b.headers['retry-after']);
      return a;
    };
    await onBoth('CONFIG', 'SET', 'shed-heap-used-bytes', '1');
    try {
      const shed = await shedBoth({ path: '/v1/keys/plain' });
      expect(shed.status).toBe(503);
      expect(shed.headers['retry-after']).toBe('10');
      expect((await shedBoth(post('{"key":"shed","value":"no"}'))).status).toBe(503);
      expect(await fastServed(fast)).toBe(before);
    } finally {
      await onBoth('CONFIG', 'SET', 'shed-heap-used-bytes', '0');
    }
    expect((await both({ path: '/v1/keys/plain' })).status).toBe(200);
    expect(await fastServed(fast)).toBe(before + 1);
    expect(await fastRedis.exists('shed')).toBe(0);
  });
});

describe('POST /v1/kv with and without the fast path', () => {
  it('writes on the fast path, and refuses bad bodies with the router’s errors', async () => {
    const before = await fastServed(fast);
    expect((await both(post('{"key":"k1","value":"v1"}'))).body).toBe('{"ok":true}');
    expect((await both(post('{"key":"k2","value":"v2","ttl_ms":5000}'))).status).toBe(200);
    const refused = [
      '{"key":"k3","value":"v3","ttl_ms":0}',
      '{"key":"k3","value":"v3","ttl_ms":1.5}',
      '{"key":"k3","value":"v3","extra":1}',
      '{"key":"k3"}',
      '{"key":"k3","value":7}',
      '["k3","v3"]',
      'null',
      '"text"',
      '{"key":"k3",',
      '{"key":"\\ud800","value":"v"}',
    ];
    for (const body of refused) expect((await both(post(body))).status, body).toBe(400);
    expect((await both(post(Buffer.from([0x7b, 0xff, 0x7d])))).status).toBe(400);
    expect(await fastServed(fast)).toBe(before + 2 + refused.length + 1);
    for (const k of ['k1', 'k2', 'k3']) {
      expect(await fastRedis.get(k)).toBe(await slowRedis.get(k));
      expect(await fastRedis.pttl(k)).toBe(await slowRedis.pttl(k));
    }
    expect(await fastRedis.get('k1')).toBe('v1');
  });

  it('leaves other media types, empty and oversized bodies to the router', async () => {
    const before = await fastServed(fast);
    const charset = { 'content-type': 'application/json; charset=utf-8' };
    expect((await both(post('{"key":"k4","value":"v4"}', charset))).status).toBe(200);
    expect((await both(post('{"key":"k5","value":"v5"}', { 'content-type': 'text/plain' }))).status).toBe(
      415,
    );
    expect((await both(post(''))).status).toBe(400);
    const big = JSON.stringify({ key: 'k6', value: 'x'.repeat(BODY_LIMIT) });
    expect((await both(post(big))).status).toBe(413);
    expect(await fastServed(fast)).toBe(before);
    expect(await fastRedis.get('k4')).toBe('v4');
  });

  it('runs commands through the dispatcher: CLIENT PAUSE holds a write until it ends', async () => {
    for (const c of [fast, slow]) {
      const r = c === fast ? fastRedis : slowRedis;
      await r.call('CLIENT', 'PAUSE', '100000', 'WRITE');
      const answer = send(c, post('{"key":"paused","value":"later"}'));
      // Held: the request waits as a blocked client, and its key is not there yet.
      while (!/blocked_clients:1/.test(await r.info('clients'))) await r.ping();
      expect(await r.exists('paused')).toBe(0);
      await r.call('CLIENT', 'UNPAUSE');
      expect((await answer).body).toBe('{"ok":true}');
      expect(await r.get('paused')).toBe('later');
    }
  });
});

const put = (key: string, body: string | Buffer, headers: Record<string, string> = json): Req => ({
  method: 'PUT',
  path: `/v1/keys/${key}`,
  headers,
  body,
});

/** The key's type, value and time to live on both servers, which must agree. */
async function sameData(key: string): Promise<void> {
  const [a, b] = [fastRedis, slowRedis];
  expect(await a.type(key), key).toBe(await b.type(key));
  expect(await a.dump(key), key).toEqual(await b.dump(key));
  const [ta, tb] = [await a.pttl(key), await b.pttl(key)];
  expect(ta < 0 ? ta : 'expires', key).toBe(tb < 0 ? tb : 'expires');
}

describe('PUT /v1/keys/{key} with and without the fast path', () => {
  it('writes strings with their options on the fast path, the same as the router', async () => {
    const before = await fastServed(fast);
    expect((await both(put('p1', '{"value":"v1"}'))).body).toBe('{"ok":true}');
    expect((await both(put('p2', '{"value":"v2","ttl_ms":50000}'))).status).toBe(200);
    expect((await both(put('p2', '{"value":"v2b","keep_ttl":true}'))).status).toBe(200);
    expect((await both(put('p3', '{"value":"/w==","encoding":"base64"}'))).status).toBe(200);
    expect((await both(put('p1', '{"value":"no","condition":"if-absent"}'))).status).toBe(409);
    expect((await both(put('p4', '{"value":"no","condition":"if-present"}'))).status).toBe(409);
    expect((await both(put('p4', '{"value":"yes","condition":"if-absent"}'))).status).toBe(200);
    expect((await both(put('hash', '{"value":"was a hash","type":"string"}'))).status).toBe(200);
    const refused = [
      '{"value":"x","ttl_ms":5,"keep_ttl":true}',
      '{"value":"!!","encoding":"base64"}',
      '{"value":"\\ud800"}',
      '{"value":"x","ttl_ms":0}',
      '{"value":7}',
      '{"value":"x","extra":1}',
      '{}',
      '[]',
      'null',
      '{"value":',
      '{"type":"hash","value":["not","a","hash"]}',
      '{"type":"tree","value":"x"}',
    ];
    for (const body of refused) expect((await both(put('p5', body))).status, body).toBe(400);
    expect((await both(put('p5', Buffer.from([0x7b, 0xff, 0x7d])))).status).toBe(400);
    expect(await fastServed(fast)).toBe(before + 8 + refused.length + 1);
    for (const k of ['p1', 'p2', 'p3', 'p4', 'p5', 'hash']) await sameData(k);
    expect(await fastRedis.get('p2')).toBe('v2b');
    expect(await fastRedis.pttl('p2')).toBeGreaterThan(0);
    expect(await fastRedis.getBuffer('p3')).toEqual(Buffer.from([0xff]));
  });

  it('writes whole collections on the fast path through the route’s own handler', async () => {
    const before = await fastServed(fast);
    expect((await both(put('ch', '{"type":"hash","value":{"f":"v","g":"w"}}'))).body).toBe('{"ok":true}');
    expect((await both(put('cl', '{"type":"list","value":["a","b"],"ttl_ms":60000}'))).status).toBe(200);
    expect((await both(put('cs', '{"type":"set","value":["x","y"]}'))).status).toBe(200);
    expect((await both(put('cz', '{"type":"zset","value":[{"member":"m","score":"inf"}]}'))).status).toBe(
      200,
    );
    expect((await both(put('ch', '{"type":"set","value":["z"],"condition":"if-absent"}'))).status).toBe(409);
    expect((await both(put('cs', '{"type":"set","value":[]}'))).status).toBe(200);
    expect((await both(put('cl', '{"type":"list","value":["c"],"ttl_ms":1,"keep_ttl":true}'))).status).toBe(
      400,
    );
    expect(await fastServed(fast)).toBe(before + 7);
    for (const k of ['ch', 'cl', 'cs', 'cz']) await sameData(k);
    expect(await fastRedis.hgetall('ch')).toEqual({ f: 'v', g: 'w' });
    expect(await fastRedis.exists('cs')).toBe(0);
  });

  it('leaves raw bodies, query strings, escaped keys and other media types to the router', async () => {
    const before = await fastServed(fast);
    const raw = { 'content-type': 'application/octet-stream' };
    expect((await both(put('r1', Buffer.from([0, 1, 2]), raw))).status).toBe(200);
    expect((await both(put('r2?ttl_ms=5000', 'bytes', raw))).status).toBe(200);
    expect((await both(put('r3?ttl_ms=5000', '{"value":"x"}'))).status).toBe(200);
    expect((await both(put('sp%20ace', '{"value":"escaped"}'))).status).toBe(200);
    const charset = { 'content-type': 'application/json; charset=utf-8' };
    expect((await both(put('r4', '{"value":"x"}', charset))).status).toBe(200);
    expect((await both(put('r5', 'x', { 'content-type': 'text/plain' }))).status).toBe(415);
    expect((await both(put('r6', ''))).status).toBe(400);
    expect((await both(put('r7', JSON.stringify({ value: 'x'.repeat(BODY_LIMIT) })))).status).toBe(413);
    expect((await both(put('r1/ttl', '{"ttl_ms":9000}'))).status).toBe(200);
    expect(await fastServed(fast)).toBe(before);
    for (const k of ['r1', 'r2', 'r3', 'sp ace', 'r4', 'r5', 'r6', 'r7']) await sameData(k);
    expect(await fastRedis.get('sp ace')).toBe('escaped');
  });
});

describe('a body cut short on the fast path', () => {
  it('is answered by no one, and the server goes on', async () => {
    const before = await fastServed(fast);
    const socket = createConnection({ port: fast.httpPort, host: '127.0.0.1' });
    await once(socket, 'connect');
    socket.write(
      'PUT /v1/keys/cut HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"value":',
    );
    while ((await fastServed(fast)) === before) await fastRedis.ping();
    socket.destroy();
    await once(socket, 'close');
    expect((await send(fast, put('cut', '{"value":"whole"}'))).status).toBe(200);
    expect(await fastRedis.get('cut')).toBe('whole');
    expect(await fastServed(fast)).toBe(before + 2);
  });
});

describe('sessions on the fast path', () => {
  beforeAll(async () => {
    await onBoth('ACL', 'SETUSER', 'reader', 'on', '>secret', '~*', '+@all', '-get', '-set');
    await onBoth('CONFIG', 'SET', 'requirepass', 'pw');
    await fastRedis.auth('pw');
    await slowRedis.auth('pw');
  });

  it('authenticates from the Authorization header and applies ACLs, as the router does', async () => {
    const before = await fastServed(fast);
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    expect((await both({ path: '/v1/keys/plain' })).status).toBe(401);
    const noauth = await both(post('{"key":"k7","value":"v7"}'));
    expect(noauth.status).toBe(401);
    expect(noauth.headers['www-authenticate']).toContain('Basic');
    expect((await both({ path: '/v1/keys/plain', headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    expect((await both({ path: '/v1/keys/plain', headers: { authorization: 'Nonsense' } })).status).toBe(401);
    expect((await both({ path: '/v1/keys/plain', headers: { authorization: 'Bearer pw' } })).status).toBe(
      200,
    );
    const reader = { authorization: basic('reader', 'secret') };
    expect((await both({ path: '/v1/keys/plain', headers: reader })).status).toBe(403);
    expect((await both(post('{"key":"k7","value":"v7"}', { ...json, ...reader }))).status).toBe(403);
    expect(
      (await both(post('{"key":"k7","value":"v7"}', { ...json, authorization: 'Bearer pw' }))).status,
    ).toBe(200);
    expect((await both(put('k8', '{"value":"v8"}'))).status).toBe(401);
    expect((await both(put('k8', '{"value":"v8"}', { ...json, ...reader }))).status).toBe(403);
    expect((await both(put('k8', '{"value":"v8"}', { ...json, authorization: 'Bearer pw' }))).status).toBe(
      200,
    );
    expect(await fastServed(fast)).toBe(before + 11);
    expect(await fastRedis.get('k8')).toBe('v8');
  });
});
