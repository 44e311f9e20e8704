/**
 * Protected mode through real clients on every door. A client from a non-loopback address of
 * this machine (through a loopback relay that connects onward from that address; nothing
 * listens beyond loopback) is refused while the default user has no password: RESP gets
 * Redis's DENIED error, byte for byte as a real redis-server sends it, HTTP 403, gRPC
 * PERMISSION_DENIED. With `protected-mode no`, or a password, the same client is served.
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { cairnClient, grpc, statusOf } from './helpers/grpc.js';
import { startRedis } from './helpers/redis.js';
import { canConnectFrom, nonLoopbackAddress, type Relay, startRelay } from './helpers/relay.js';

const run = promisify(execFile);
const B = (s: string) => Buffer.from(s);
const from = nonLoopbackAddress();
const DENIED_PREFIX = 'DENIED Redis is running in protected mode';

if (from === null) {
  console.warn('protected-mode e2e skipped: this machine has no non-loopback IPv4 address to connect from');
}

/** Everything a raw RESP client gets for PING until the server closes the connection. */
function pingUntilClosed(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let got = '';
    s.on('connect', () => s.write('*1\r\n$4\r\nPING\r\n'));
    s.on('data', (d: Buffer) => {
      got += d.toString();
    });
    s.on('error', reject);
    s.on('close', () => resolve(got));
  });
}

describe.skipIf(from === null)('protected mode', () => {
  let srv: CairnProcess;
  let admin: Redis;
  let relays: { resp: Relay; http: Relay; grpc: Relay };
  let usable = true;

  beforeAll(async () => {
    srv = await startCairn();
    usable = await canConnectFrom(from!, srv.respPort);
    if (!usable) {
      console.warn(`protected-mode e2e skipped: cannot connect from ${from} to 127.0.0.1`);
      return;
    }
    admin = new Redis({ port: srv.respPort, lazyConnect: true });
    await admin.connect();
    relays = {
      resp: await startRelay(from!, srv.respPort),
      http: await startRelay(from!, srv.httpPort),
      grpc: await startRelay(from!, srv.grpcPort),
    };
  });

  afterAll(async () => {
    admin?.disconnect();
    if (relays !== undefined) await Promise.all(Object.values(relays).map((r) => r.close()));
    await srv?.stop();
  });

  /** A remote ioredis client: AUTH (when given), then PING. */
  async function remotePing(password?: string): Promise<string> {
    const r = new Redis({
      port: relays.resp.port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      password,
    });
    r.on('error', () => {});
    try {
      await r.connect();
      return await r.ping();
    } finally {
      r.disconnect();
    }
  }

  async function remoteHttp(path: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`http://127.0.0.1:${relays.http.port}${path}`, init);
    return { status: res.status, body: await res.json() };
  }

  async function remoteGrpcGet(metadata?: grpc.Metadata): Promise<unknown> {
    const c = cairnClient(relays.grpc.port);
    try {
      return await c.unary('Get', { key: B('pm:k') }, { timeoutMs: 10_000, metadata });
    } finally {
      c.close();
    }
  }

  it("refuses a remote RESP client with Redis's DENIED error, byte for byte", async (ctx) => {
    if (!usable) ctx.skip();
    const redis = await startRedis();
    const oracleRelay = await startRelay(from!, redis.port);
    try {
      const expected = await pingUntilClosed(oracleRelay.port);
      expect(expected.startsWith(`-${DENIED_PREFIX}`)).toBe(true);
      expect(await pingUntilClosed(relays.resp.port)).toBe(expected);
    } finally {
      await oracleRelay.close();
      await redis.stop();
    }
    const cli = await run('redis-cli', ['-p', String(relays.resp.port), 'PING']);
    expect(cli.stdout).toContain(DENIED_PREFIX);
    // Loopback clients are served, and the refusals are counted as in Redis.
    expect(await admin.ping()).toBe('PONG');
    expect(await admin.info('stats')).toMatch(/\r\nrejected_connections:[1-9]\d*\r\n/);
  });

  it('answers remote HTTP requests 403 in both error shapes', async (ctx) => {
    if (!usable) ctx.skip();
    const resource = await remoteHttp('/v1/keys/pm:k');
    expect(resource.status).toBe(403);
    expect(resource.body).toEqual({
      error: { code: 'forbidden', message: expect.stringMatching(/^Redis is running in protected mode/) },
    });
    const command = await remoteHttp('/', {
      method: 'POST',
      body: '["PING"]',
      headers: { 'content-type': 'application/json' },
    });
    expect(command.status).toBe(403);
    expect(command.body).toEqual({ error: expect.stringMatching(new RegExp(`^${DENIED_PREFIX}`)) });
    // The HTTP door's fast path (a string key, a JSON write) refuses the same way.
    await admin.set('pm:s', 'v');
    expect((await remoteHttp('/v1/keys/pm:s')).status).toBe(403);
    const json = { 'content-type': 'application/json' };
    const put = await remoteHttp('/v1/keys/pm:w', { method: 'PUT', body: '{"value":"v"}', headers: json });
    expect(put.status).toBe(403);
    const post = await remoteHttp('/v1/kv', {
      method: 'POST',
      body: '{"key":"pm:w","value":"v"}',
      headers: json,
    });
    expect(post.status).toBe(403);
    expect(await admin.exists('pm:w')).toBe(0);
    expect((await fetch(`http://127.0.0.1:${srv.httpPort}/v1/keys/pm:s`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${srv.httpPort}/healthz`)).status).toBe(200);
  });

  it('ends remote gRPC calls with PERMISSION_DENIED', async (ctx) => {
    if (!usable) ctx.skip();
    const st = await statusOf(remoteGrpcGet());
    expect(st.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(st.details).toMatch(/^Redis is running in protected mode/);
    expect(st.metadata.get('cairn-error-code')).toEqual(['forbidden']);
    const local = cairnClient(srv.grpcPort);
    try {
      await expect(local.unary('Get', { key: B('pm:k') }, { timeoutMs: 10_000 })).rejects.toMatchObject({
        code: grpc.status.NOT_FOUND,
      });
    } finally {
      local.close();
    }
  });

  it('serves the same remote client on every door with protected-mode no', async (ctx) => {
    if (!usable) ctx.skip();
    expect(await admin.config('SET', 'protected-mode', 'no')).toBe('OK');
    try {
      expect(await remotePing()).toBe('PONG');
      expect((await remoteHttp('/v1/keys/pm:k')).status).toBe(404);
      const put = await remoteHttp('/v1/keys/pm:w', {
        method: 'PUT',
        body: '{"value":"remote"}',
        headers: { 'content-type': 'application/json' },
      });
      expect(put.status).toBe(200);
      expect(await admin.get('pm:w')).toBe('remote');
      const st = await statusOf(remoteGrpcGet());
      expect(st.code).toBe(grpc.status.NOT_FOUND);
    } finally {
      expect(await admin.config('SET', 'protected-mode', 'yes')).toBe('OK');
    }
    expect(await pingUntilClosed(relays.resp.port)).toContain(DENIED_PREFIX);
    // The HTTP door follows the setting back (its fast path keeps a copy of it).
    expect((await remoteHttp('/v1/keys/pm:k')).status).toBe(403);
  });

  it('serves the same remote client on every door once the default user has a password', async (ctx) => {
    if (!usable) ctx.skip();
    expect(await admin.config('SET', 'requirepass', 's3cret')).toBe('OK');
    expect(await remotePing('s3cret')).toBe('PONG');
    const bearer = { headers: { authorization: 'Bearer s3cret' } };
    expect((await remoteHttp('/v1/keys/pm:k', bearer)).status).toBe(404);
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer s3cret');
    expect((await statusOf(remoteGrpcGet(md))).code).toBe(grpc.status.NOT_FOUND);
  });
});
