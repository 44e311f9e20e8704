/**
 * Bad input on the HTTP door of the compiled server: size bounds, malformed and mistyped bodies, wrong media types,
 * invalid UTF-8 and percent-encoding, huge request targets, slow requests. Each gets a clear
 * 4xx in the one error shape, nothing is stored half-way, and the server keeps serving.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CompiledCairn, call, type Json, startCompiledCairn } from './helpers/http.js';

const MB = 1024 * 1024;
let c: CompiledCairn;

beforeAll(async () => {
  c = await startCompiledCairn([
    '--proto-max-bulk-len',
    String(MB),
    '--http-body-limit',
    String(4 * MB),
    '--http-max-header-bytes',
    String(8 * 1024),
    '--http-request-timeout-ms',
    '300',
  ]);
});
afterAll(async () => {
  await c.stop();
});
beforeEach(async () => {
  await c.redis.flushall();
});

const keys = () => c.redis.dbsize();

/** Send raw bytes on a fresh connection and collect everything until the server closes it. */
function rawExchange(payload: Buffer | string, opts: { endAfterWrite?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(c.httpPort, '127.0.0.1', () => {
      s.write(payload);
      if (opts.endAfterWrite) s.end();
    });
    let out = '';
    s.on('data', (d) => {
      out += d.toString('latin1');
    });
    s.on('close', () => resolve(out));
    s.on('error', reject);
  });
}

/**
 * Send a body the server may refuse before reading it all. The server answers at once and
 * closes the connection, so the upload may fail mid-way (EPIPE): the answer is what counts,
 * as for any client that reads the response while it sends.
 */
function sendEarlyAnswered(
  method: string,
  path: string,
  contentType: string,
  body: Buffer,
  chunked = false,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': contentType };
    if (!chunked) headers['content-length'] = body.length;
    const req = request(`${c.base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', (err) => {
      // EPIPE / ECONNRESET while uploading: wait for the response event if it is coming (it
      // usually is there already; the limit is generous for a busy machine).
      setTimeout(() => reject(err), 10_000);
    });
    if (chunked) {
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    } else req.end(body);
  });
}

function expectError(r: { status: number; json: Json }, status: number, code: string): void {
  expect(r.status).toBe(status);
  expect(r.json?.error?.code, JSON.stringify(r.json)).toBe(code);
  expect(typeof r.json.error.message).toBe('string');
}

describe('sizes', () => {
  it('refuses a body past http-body-limit with 413, before reading it', async () => {
    const json = Buffer.from(JSON.stringify({ value: 'x'.repeat(5 * MB) }));
    const r = await sendEarlyAnswered('PUT', '/v1/keys/big', 'application/json', json);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.code).toBe('too_large');
    const raw = await sendEarlyAnswered(
      'PUT',
      '/v1/keys/big',
      'application/octet-stream',
      Buffer.alloc(5 * MB),
    );
    expect(raw.status).toBe(413);
    // Without a Content-Length (chunked), the bound is counted while reading.
    const chunked = await sendEarlyAnswered(
      'PUT',
      '/v1/keys/big',
      'application/octet-stream',
      Buffer.alloc(5 * MB),
      true,
    );
    expect(chunked.status).toBe(413);
    // The connection is not reset under the client: fetch, which fails on a reset upload, sees it.
    for (let i = 0; i < 5; i++) {
      const f = await fetch(`${c.base}/v1/keys/big`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.alloc(5 * MB),
      });
      expect(f.status).toBe(413);
    }
    expect(await keys()).toBe(0);
    expect((await call(c.base, 'GET', '/healthz')).status).toBe(200);
  });

  it('refuses a value past proto-max-bulk-len with 413, as RESP does', async () => {
    const r = await call(c.base, 'PUT', '/v1/keys/big', { value: 'x'.repeat(MB + 1) });
    expectError(r, 413, 'too_large');
    expect(r.json.error.message).toMatch(/proto-max-bulk-len/);
    expect((await call(c.base, 'POST', '/', ['SET', 'big', 'y'.repeat(MB + 1)])).status).toBe(413);
    expect((await call(c.base, 'PUT', '/v1/kv', { a: '1', b: 'z'.repeat(MB + 1) })).status).toBe(413);
    expect(await keys()).toBe(0);
    // Exactly at the bound is fine.
    expect((await call(c.base, 'PUT', '/v1/keys/edge', { value: 'x'.repeat(MB) })).status).toBe(200);
  });

  it('refuses a request line past http-max-header-bytes with 431, and carries on', async () => {
    const r = await call(c.base, 'GET', `/v1/keys?prefix=${'a'.repeat(10_000)}`);
    expectError(r, 431, 'too_large');
    const k = await call(c.base, 'GET', `/v1/keys/${'k'.repeat(10_000)}`);
    expect(k.status).toBe(431);
    expect((await call(c.base, 'GET', '/healthz')).status).toBe(200);
  });

  it('serves long keys in paths up to that bound', async () => {
    const key = 'k'.repeat(6000);
    expect((await call(c.base, 'PUT', `/v1/keys/${key}`, { value: 'long' })).status).toBe(200);
    expect((await call(c.base, 'GET', `/v1/keys/${key}`)).json.value).toBe('long');
  });
});

describe('bodies', () => {
  it('refuses malformed JSON', async () => {
    const r = await call(c.base, 'PUT', '/v1/keys/k', '{"value": "x"', {
      'content-type': 'application/json',
    });
    expectError(r, 400, 'bad_request');
    expect(r.json.error.message).toMatch(/malformed JSON/);
    expect(
      (await call(c.base, 'POST', '/', '["SET","k",', { 'content-type': 'application/json' })).status,
    ).toBe(400);
    expect(await keys()).toBe(0);
  });

  it('refuses bodies of the wrong shape, naming the field', async () => {
    const cases: Array<[string, string, unknown]> = [
      ['PUT', '/v1/keys/k', { value: 5 }],
      ['PUT', '/v1/keys/k', { value: 'x', ttl_ms: -1 }],
      ['PUT', '/v1/keys/k', { value: 'x', ttl_ms: 1.5 }],
      ['PUT', '/v1/keys/k', { value: 'x', condition: 'sometimes' }],
      ['PUT', '/v1/keys/k', { value: 'x', extra: 1 }],
      ['PUT', '/v1/keys/k', '{"value":"x","__proto__":{"polluted":1}}'],
      ['PUT', '/v1/keys/k', { value: 'x', ttl_ms: 100, keep_ttl: true }],
      ['PUT', '/v1/keys/k', { value: '%%%', encoding: 'base64' }],
      ['PUT', '/v1/keys/k', []],
      ['PUT', '/v1/keys/k', 'null'],
      ['POST', '/v1/kv', { key: 'k' }],
      ['PUT', '/v1/kv', {}],
      ['PUT', '/v1/kv', { a: 1 }],
      ['POST', '/v1/keys/k/incr', { by: 1.5 }],
      ['POST', '/v1/keys/k/incr', { by: '12abc' }],
      ['POST', '/', []],
      ['POST', '/', [null]],
      ['POST', '/', [{ a: 1 }]],
      ['POST', '/pipeline', [['PING'], 'PING']],
      ['POST', '/multi-exec', []],
    ];
    for (const [method, path, body] of cases) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const r = await call(c.base, method, path, text, { 'content-type': 'application/json' });
      expect(r.status, `${method} ${path} ${text}: ${r.text}`).toBe(400);
    }
    expect(await keys()).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a JSON body whose name sits elsewhere in the object (validation message)', async () => {
    const r = await call(c.base, 'PUT', '/v1/keys/k', { value: 5 });
    expect(r.json.error.message).toMatch(/value/);
  });

  it('refuses invalid UTF-8 in a JSON body, and lone surrogates', async () => {
    const body = Buffer.concat([Buffer.from('{"value":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const r = await fetch(`${c.base}/v1/keys/k`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as Json).error.message).toMatch(/UTF-8/);
    const lone = await call(c.base, 'PUT', '/v1/keys/k', '{"value":"\\ud800"}', {
      'content-type': 'application/json',
    });
    expect(lone.status).toBe(400);
    const loneKey = await call(c.base, 'PUT', '/v1/kv', '{"\\udc00":"v"}', {
      'content-type': 'application/json',
    });
    expect(loneKey.status).toBe(400);
    const cmd = await call(c.base, 'POST', '/', '["SET","k","\\ud800"]', {
      'content-type': 'application/json',
    });
    expect(cmd.status).toBe(400);
    expect(await keys()).toBe(0);
  });

  it('refuses media types a route does not take with 415, and a missing body with 400', async () => {
    const text = await call(c.base, 'PUT', '/v1/keys/k', 'hello', { 'content-type': 'text/plain' });
    expectError(text, 415, 'unsupported_media_type');
    expect(text.json.error.message).toMatch(/text\/plain/);
    const form = await call(c.base, 'POST', '/v1/kv', 'key=a&value=b', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(
      (await call(c.base, 'POST', '/', 'x', { 'content-type': 'application/octet-stream' })).status,
    ).toBe(400);
    expectError(await call(c.base, 'PUT', '/v1/keys/k'), 400, 'bad_request');
    expect(await keys()).toBe(0);
  });
});

describe('requests', () => {
  it('refuses invalid percent-encoding with 400 in the JSON shape', async () => {
    for (const path of ['/v1/keys/%ZZ', '/v1/keys/%F', '/v1/keys/a%', '/v1/keys/%zz/ttl']) {
      expectError(await call(c.base, 'GET', path), 400, 'bad_request');
    }
    expect((await call(c.base, 'GET', '/v1/keys?key=%ZZ')).status).toBe(400);
  });

  it('answers unknown routes and methods with a JSON 404', async () => {
    expectError(await call(c.base, 'GET', '/v1/elsewhere'), 404, 'not_found');
    expectError(await call(c.base, 'PATCH', '/v1/keys/k', { value: 'x' }), 404, 'not_found');
  });

  it('answers a malformed request on the socket with a JSON 400', async () => {
    const out = await rawExchange('GARBAGE\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 400 /);
    expect(out).toContain('"code":"bad_request"');
  });

  it('times out a request that is not received within http-request-timeout-ms (408)', async () => {
    const started = Date.now();
    const out = await rawExchange(
      'PUT /v1/keys/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"val',
    );
    expect(out).toMatch(/^HTTP\/1\.1 408 /);
    expect(out).toContain('"code":"request_timeout"');
    // Node checks request timeouts once a second (CONNECTIONS_CHECK_MS); generous for a busy
    // machine, and far below what an unbounded wait would take (the test's own timeout).
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await keys()).toBe(0);
  });

  it('keeps serving everyone else', async () => {
    expect((await call(c.base, 'PUT', '/v1/keys/after', { value: 'fine' })).status).toBe(200);
    expect((await call(c.base, 'GET', '/v1/keys/after')).json.value).toBe('fine');
  });
});
