/**
 * Load shedding, maxclients and timeouts on the HTTP door, in process over real sockets:
 * 503 + Retry-After while under pressure (thresholds set with CONFIG SET over RESP), and
 * serving again once the pressure is gone; connections past maxclients; a client trickling its
 * headers (slowloris); a waiting command that ends when its client leaves or its deadline passes.
 */
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { blockedClients } from '../src/commands/blocking.js';
import { call, type HttpCairn, startHttpCairn } from './helpers/http.js';
import { waitFor } from './resp-support.js';

let c: HttpCairn | null = null;
let redis: Redis | null = null;
afterEach(async () => {
  redis?.disconnect();
  redis = null;
  await c?.stop();
  c = null;
});

async function start(config: Record<string, string> = {}): Promise<HttpCairn> {
  c = await startHttpCairn({ config });
  redis = new Redis({ port: c.respPort, maxRetriesPerRequest: 0 });
  return c;
}

/** A raw connection that collects what the server sends until it closes. */
function rawSocket(port: number): Promise<{ sock: Socket; out: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let out = '';
    sock.on('data', (d) => {
      out += d.toString('latin1');
    });
    const closed = new Promise<number>((r) => sock.once('close', () => r(Date.now())));
    sock.once('error', reject);
    sock.once('connect', () => resolve({ sock, out: () => out, closed }));
  });
}

describe('load shedding', () => {
  it('answers 503 with Retry-After while heap used is over shed-heap-used-bytes, and serves again after', async () => {
    const { base } = await start();
    await call(base, 'PUT', '/v1/keys/a', { value: '1' });
    await redis!.config('SET', 'shed-retry-after-seconds', '7');
    await redis!.config('SET', 'shed-heap-used-bytes', '1');
    // The plugin asks the gauge every 100 ms.
    await waitFor(async () => (await call(base, 'GET', '/v1/keys/a')).status === 503, 15_000, 'shedding');

    const shed = await call(base, 'GET', '/v1/keys/a');
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('7');
    expect(shed.json.error.code).toBe('overloaded');
    expect(shed.json.error.message).toMatch(
      /^server under pressure: heap used \d+ bytes is over shed-heap-used-bytes \(1\)$/,
    );
    // Nothing runs: the write is refused before its body is read.
    expect((await call(base, 'PUT', '/v1/keys/b', { value: '2' })).status).toBe(503);
    expect(c!.t.keyspace.exists(0, Buffer.from('b'))).toBe(false);
    // The command API answers in its own shape.
    const cmd = await call(base, 'POST', '/', ['GET', 'a']);
    expect(cmd.status).toBe(503);
    expect(cmd.json.error).toMatch(/^ERR server under pressure: heap used/);
    // Liveness and metrics are never shed; readiness says why it is not ready.
    expect((await call(base, 'GET', '/healthz')).status).toBe(200);
    const metrics = await call(base, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^cairn_under_pressure 1$/m);
    expect(Number(/^cairn_shed_requests_total (\d+)$/m.exec(metrics.text)![1])).toBeGreaterThanOrEqual(3);
    const ready = await call(base, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ ready: false, loading: false, closing: false });
    expect(ready.json.overloaded).toMatch(/shed-heap-used-bytes/);
    // RESP is never shed: that is how an operator gets in.
    expect(await redis!.get('a')).toBe('1');
    expect(await redis!.info('load')).toMatch(/under_pressure:1/);

    await redis!.config('SET', 'shed-heap-used-bytes', '0');
    await waitFor(
      async () => (await call(base, 'GET', '/v1/keys/a')).status === 200,
      15_000,
      'serving again',
    );
    expect((await call(base, 'GET', '/readyz')).json).toEqual({
      ready: true,
      loading: false,
      closing: false,
      keys: 1,
    });
    expect((await call(base, 'PUT', '/v1/keys/b', { value: '2' })).status).toBe(200);
    expect(Number(/shed_requests:(\d+)/.exec(await redis!.info('load'))![1])).toBeGreaterThanOrEqual(3);
  });

  it('sheds while the event loop is late by more than shed-event-loop-delay-ms, and recovers', async () => {
    // 200 ms: far above what a busy machine adds to the 10 ms timer, far below the hog's 400 ms.
    const { base } = await start({ 'shed-event-loop-delay-ms': '200' });
    expect((await call(base, 'GET', '/v1/keys/x')).status).toBe(404);
    // Keep the event loop (this process is the server) late on every turn, as an overloaded
    // server is, until a request is shed.
    let hogging = true;
    const hog = (async () => {
      while (hogging) {
        const until = performance.now() + 400;
        while (performance.now() < until) {
          // busy: every timer of the loop, the server's included, runs late
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    let shed: Awaited<ReturnType<typeof call>> | null = null;
    try {
      await waitFor(
        async () => {
          shed = await call(base, 'GET', '/v1/keys/x');
          return shed.status === 503;
        },
        30_000,
        'shedding',
      );
    } finally {
      hogging = false;
      await hog;
    }
    expect(shed!.json.error.message).toMatch(
      /event loop delay \d+ ms is over shed-event-loop-delay-ms \(200\)/,
    );
    expect(shed!.headers.get('retry-after')).toBe('10');
    await waitFor(
      async () => (await call(base, 'GET', '/v1/keys/x')).status === 404,
      15_000,
      'serving again',
    );
  });
});

describe('maxclients', () => {
  it('answers 503 on connections past maxclients, and takes a new one once a client leaves', async () => {
    const { httpPort, base } = await start({ maxclients: '3' });
    const held = [await rawSocket(httpPort), await rawSocket(httpPort), await rawSocket(httpPort)];
    await waitFor(() => c!.t.server.clients.count('http') === 3, 15_000, 'three connections');
    const over = await rawSocket(httpPort);
    over.sock.write('GET /v1/keys/x HTTP/1.1\r\nHost: x\r\n\r\n');
    await over.closed;
    expect(over.out()).toMatch(/^HTTP\/1\.1 503 /);
    expect(over.out().toLowerCase()).toContain('connection: close');
    expect(over.out()).toContain('"message":"max number of clients reached"');
    // The ones inside are served.
    held[0].sock.write('GET /v1/keys/x HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => held[0].out().includes('\r\n\r\n'), 15_000, 'an answer');
    expect(held[0].out()).toMatch(/^HTTP\/1\.1 404 /);

    held[1].sock.destroy();
    await waitFor(() => c!.t.server.clients.count('http') === 2, 15_000, 'a slot to free');
    expect((await call(base, 'GET', '/v1/keys/x')).status).toBe(404);
    for (const h of held) h.sock.destroy();
  });
});

describe('timeouts', () => {
  it('closes a client that trickles its headers after http-header-timeout-ms (slowloris), serving others', async () => {
    const { httpPort, base } = await start({ 'http-header-timeout-ms': '1000' });
    const slow = await rawSocket(httpPort);
    const head =
      'GET /v1/keys/x HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n';
    const t0 = Date.now();
    let i = 0;
    const drip = setInterval(() => {
      if (i < head.length && !slow.sock.destroyed) slow.sock.write(head[i++]);
    }, 200);
    try {
      expect((await call(base, 'GET', '/healthz')).status).toBe(200);
      const closedAt = await slow.closed;
      // Node checks header timeouts once a second (CONNECTIONS_CHECK_MS).
      expect(closedAt - t0).toBeGreaterThanOrEqual(900);
      // Generous for a busy machine; the drip alone would take 17 s to send the headers.
      expect(closedAt - t0).toBeLessThan(10_000);
      expect(i).toBeLessThan(head.length);
      expect(slow.out()).toMatch(/^HTTP\/1\.1 408 /);
      expect(slow.out()).toContain('"code":"request_timeout"');
    } finally {
      clearInterval(drip);
    }
  });

  it('follows http-header-timeout-ms changed with CONFIG SET', async () => {
    const { httpPort } = await start({ 'http-header-timeout-ms': '60000' });
    await redis!.config('SET', 'http-header-timeout-ms', '500');
    const slow = await rawSocket(httpPort);
    slow.sock.write('GET /healthz HTTP/1.1\r\n');
    const t0 = Date.now();
    // Well before the 60 s it started with.
    expect((await slow.closed) - t0).toBeLessThan(15_000);
    expect(slow.out()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('ends a waiting command when its client disconnects', async () => {
    const { base } = await start();
    const ac = new AbortController();
    const pending = fetch(`${base}/`, {
      method: 'POST',
      body: JSON.stringify(['WAIT', '1', '0']),
      headers: { 'content-type': 'application/json' },
      signal: ac.signal,
    }).catch((e: Error) => e);
    await waitFor(() => blockedClients(c!.t.server) === 1, 15_000, 'WAIT to block');
    expect(await redis!.info('clients')).toMatch(/blocked_clients:1/);
    ac.abort();
    expect(await pending).toBeInstanceOf(Error);
    await waitFor(() => blockedClients(c!.t.server) === 0, 15_000, 'WAIT to see the abort');
  });

  it('ends a waiting command at the request deadline (http-request-timeout-ms) with 504', async () => {
    const { base } = await start({ 'http-request-timeout-ms': '300' });
    const t0 = Date.now();
    const r = await call(base, 'POST', '/', ['WAIT', '1', '0']);
    expect(r.status).toBe(504);
    expect(r.json).toEqual({ error: 'ERR command deadline exceeded' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(blockedClients(c!.t.server)).toBe(0);
    // A WAIT that ends before the deadline answers normally.
    expect((await call(base, 'POST', '/', ['WAIT', '1', '50'])).json).toEqual({ result: 0 });
  });
});
