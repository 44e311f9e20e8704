/**
 * Operations: liveness, readiness while loading and closing, Prometheus metrics from both
 * doors, 503 for requests once the door stops accepting, and maxclients on HTTP connections.
 */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpDoor } from '../src/protocols/http/server.js';
import { createTestServer } from '../src/server/testing.js';
import { call, type HttpCairn, startHttpCairn } from './helpers/http.js';
import { waitFor } from './resp-support.js';

let c: HttpCairn | null = null;
afterEach(async () => {
  await c?.stop();
  c = null;
});

/** Prometheus text to { 'name{labels}': value }. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    expect(m, `not a Prometheus sample line: ${line}`).not.toBeNull();
    out.set(m![1], Number(m![2]));
  }
  return out;
}

describe('health and readiness', () => {
  it('is live and ready, and not ready while loading or closing', async () => {
    c = await startHttpCairn({ resp: false });
    expect((await call(c.base, 'GET', '/healthz')).json).toMatchObject({ status: 'ok' });
    await call(c.base, 'PUT', '/v1/keys/a', { value: '1' });
    expect((await call(c.base, 'GET', '/readyz')).json).toEqual({
      ready: true,
      loading: false,
      closing: false,
      keys: 1,
    });

    c.t.server.loading = true;
    const loading = await call(c.base, 'GET', '/readyz');
    expect(loading.status).toBe(503);
    expect(loading.json).toMatchObject({ ready: false, loading: true });
    const refused = await call(c.base, 'GET', '/v1/keys/a');
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe('loading');
    expect(refused.headers.get('retry-after')).toBe('1');
    c.t.server.loading = false;

    c.t.server.closing = true;
    const closing = await call(c.base, 'GET', '/readyz');
    expect(closing.status).toBe(503);
    expect(closing.json).toMatchObject({ ready: false, closing: true });
    const r = await call(c.base, 'PUT', '/v1/keys/b', { value: '2' });
    expect(r.status).toBe(503);
    expect(r.json.error.code).toBe('unavailable');
    expect(r.headers.get('connection')).toBe('close');
    expect((await call(c.base, 'POST', '/', ['PING'])).status).toBe(503);
    expect((await call(c.base, 'GET', '/healthz')).status).toBe(200);
    expect(c.t.keyspace.exists(0, Buffer.from('b'))).toBe(false);
    c.t.server.closing = false;
  });
});

describe('metrics', () => {
  it('reports commands, errors and latency by command and door, keys, expirations, memory, connections', async () => {
    c = await startHttpCairn();
    const redis = new Redis({ port: c.respPort, host: '127.0.0.1' });
    await redis.set('r1', 'x');
    await redis.set('r2', 'y', 'PX', 100);
    await call(c.base, 'PUT', '/v1/keys/h1', { value: 'z' });
    await call(c.base, 'GET', '/v1/keys/h1');
    await call(c.base, 'POST', '/', ['INCR', 'r1']); // fails: not an integer
    c.t.clock.advance(200);
    expect(await redis.get('r2')).toBeNull(); // expires on access

    const res = await fetch(`${c.base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parseMetrics(await res.text());
    expect(m.get('cairn_commands_total{command="set",door="resp"}')).toBe(2);
    expect(m.get('cairn_commands_total{command="set",door="http"}')).toBe(1);
    expect(m.get('cairn_commands_total{command="get",door="http"}')).toBe(1);
    expect(m.get('cairn_command_errors_total{command="incr",door="http"}')).toBe(1);
    expect(m.get('cairn_command_duration_seconds_count{command="set",door="resp"}')).toBe(2);
    expect(m.get('cairn_command_duration_seconds_bucket{command="set",door="resp",le="+Inf"}')).toBe(2);
    expect(m.get('cairn_door_commands_total{door="http"}')).toBeGreaterThanOrEqual(3);
    expect(m.get('cairn_error_replies_total{prefix="ERR"}')).toBe(1);
    expect(m.get('cairn_keys{db="0"}')).toBe(2);
    expect(m.get('cairn_expired_keys_total')).toBe(1);
    expect(m.get('cairn_connected_clients{door="resp"}')).toBe(1);
    expect(m.get('cairn_connected_clients{door="http"}')).toBeGreaterThanOrEqual(1);
    expect(m.get('cairn_dataset_memory_bytes')).toBeGreaterThan(0);
    expect(m.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    redis.disconnect();
  });
});

describe('bind', () => {
  it('listens on every address of `bind`, on one port', async () => {
    const t = createTestServer();
    const door = await startHttpDoor(t.host, { host: '127.0.0.1 ::1', port: 0 });
    try {
      await call(`http://127.0.0.1:${door.port}`, 'PUT', '/v1/keys/both', { value: 'v4' });
      const r = await call(`http://[::1]:${door.port}`, 'GET', '/v1/keys/both');
      expect(r.json.value).toBe('v4');
      expect(t.server.clients.count('http')).toBeGreaterThanOrEqual(1);
    } finally {
      await door.close(0);
      t.close();
    }
    await expect(fetch(`http://[::1]:${door.port}/healthz`)).rejects.toThrow();
  });
});

describe('closing and limits', () => {
  it('answers 507 when maxmemory is reached under noeviction, storing nothing', async () => {
    c = await startHttpCairn({ resp: false });
    await call(c.base, 'PUT', '/v1/keys/first', { value: 'x'.repeat(1000) });
    c.t.server.config.apply('maxmemory', '1');
    const r = await call(c.base, 'PUT', '/v1/keys/second', { value: 'y' });
    expect(r.status).toBe(507);
    expect(r.json.error.code).toBe('out_of_memory');
    expect((await call(c.base, 'POST', '/', ['SET', 'third', 'z'])).status).toBe(507);
    expect(c.t.keyspace.exists(0, Buffer.from('second'))).toBe(false);
    // Reads and deletes still work.
    expect((await call(c.base, 'GET', '/v1/keys/first')).status).toBe(200);
    expect((await call(c.base, 'DELETE', '/v1/keys/first')).status).toBe(204);
  });

  it('answers 503 with Connection: close to a request that arrives once the door stops accepting', async () => {
    c = await startHttpCairn({ resp: false });
    const sock = connect(c.httpPort, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let out = '';
    sock.on('data', (d) => {
      out += d.toString();
    });
    const closed = new Promise((r) => sock.once('close', r));
    // Headers now, the body after the door stopped accepting. `Expect: 100-continue` makes the
    // server say when it has read the headers: the request is then in progress.
    sock.write(
      'PUT /v1/keys/late HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\nExpect: 100-continue\r\n\r\n',
    );
    await waitFor(() => out.includes('HTTP/1.1 100 Continue\r\n\r\n'), 15_000, '100 Continue');
    await c.http.stopAccepting();
    sock.write('{"value":"x"}');
    await closed;
    const answer = out.slice(out.indexOf('\r\n\r\n') + 4);
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer).toContain('"code":"unavailable"');
    expect(c.t.keyspace.exists(0, Buffer.from('late'))).toBe(false);
    await expect(fetch(`${c.base}/healthz`)).rejects.toThrow();
  });

  it('closes an idle keep-alive connection after http-keepalive-timeout-ms, also when changed at run time', async () => {
    c = await startHttpCairn({ resp: false, config: { 'http-keepalive-timeout-ms': '60000' } });
    expect(c.t.server.config.apply('http-keepalive-timeout-ms', '200')).toBeNull();
    const sock = connect(c.httpPort, '127.0.0.1');
    let out = '';
    sock.on('data', (d) => {
      out += d.toString();
    });
    const t0 = Date.now();
    const closed = new Promise((r) => sock.once('close', r));
    sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed;
    expect(out).toMatch(/^HTTP\/1\.1 200 /);
    // Node announces whole seconds: 200 ms is `timeout=0` (it was 60 before CONFIG SET).
    expect(out).toContain('Keep-Alive: timeout=0');
    // Generous for a busy machine; the 60 s it started with would be far over.
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('refuses connections past maxclients with 503, and takes them again once one closes', async () => {
    c = await startHttpCairn({ resp: false, config: { maxclients: '1' } });
    const get = (agent: Agent) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${c!.base}/v1/keys/x`, { agent }, (res) => {
          let body = '';
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const first = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(first)).status).toBe(404); // served: no such key
    const second = new Agent({ keepAlive: true, maxSockets: 1 });
    const refused = await get(second);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error.message).toBe('max number of clients reached');
    expect(c.t.server.clients.count('http')).toBe(1);
    first.destroy();
    second.destroy();
    await waitFor(() => c!.t.server.clients.count('http') === 0, 15_000, 'the connections to close');
    const third = new Agent({ keepAlive: false });
    expect((await get(third)).status).toBe(404);
    third.destroy();
  });
});
