/**
 * The HTTP door in the compiled server, as a user runs it (`cairn --http-port 0`): real
 * clients on every door against one keyspace, the Bearer token from `requirepass`, metrics
 * with the command observer installed, and a clean SIGTERM.
 */
import { Redis as Upstash } from '@upstash/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';

const pct = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');

describe('cairn --http-port -1', () => {
  it('runs without the HTTP door', async () => {
    const cairn = await startCairn({ args: ['--http-port', '-1', '--grpc-port', '-1'] });
    try {
      expect(cairn.httpPort).toBe(0);
      expect(cairn.respPort).toBeGreaterThan(0);
    } finally {
      expect(await cairn.stop()).toBe(0);
    }
  });
});

describe('cairn with the HTTP door', () => {
  let cairn: CairnProcess;
  let base: string;
  let redis: Redis;

  beforeAll(async () => {
    cairn = await startCairn({ args: ['--requirepass', 'e2e-secret'] });
    if (!cairn.httpPort) throw new Error('the HTTP door did not start (src/server/doors.ts)');
    base = `http://127.0.0.1:${cairn.httpPort}`;
    redis = new Redis({ port: cairn.respPort, host: '127.0.0.1', password: 'e2e-secret' });
  });
  afterAll(async () => {
    redis?.disconnect();
    await cairn?.stop();
  });

  const auth = { authorization: 'Bearer e2e-secret' };

  it('serves the resource API behind the password', async () => {
    expect((await fetch(`${base}/v1/keys/a`)).status).toBe(401);
    const put = await fetch(`${base}/v1/keys/a`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'via http', ttl_ms: 60_000 }),
    });
    expect(put.status).toBe(200);
    const got = await fetch(`${base}/v1/keys/a`, { headers: auth });
    expect(await got.json()).toMatchObject({ key: 'a', value: 'via http', encoding: 'utf8' });
    expect(await redis.get('a')).toBe('via http');
  });

  it('reads back byte-identical across doors, both ways', async () => {
    const key = Buffer.from([0xff, 0, 0x2f, 0x41]);
    const value = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80]);
    await fetch(`${base}/v1/keys/${pct(key)}`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: value,
    });
    expect(await redis.getBuffer(key)).toEqual(value);
    const back = Buffer.from([0xc0, 0xaf, 0x00, 0x10]);
    await redis.set(key, back);
    const raw = await fetch(`${base}/v1/keys/${pct(key)}`, {
      headers: { ...auth, accept: 'application/octet-stream' },
    });
    expect(Buffer.from(await raw.arrayBuffer())).toEqual(back);
  });

  it('works with @upstash/redis and its token', async () => {
    const up = new Upstash({ url: base, token: 'e2e-secret', enableTelemetry: false, retry: false });
    expect(await up.set('up', 'stash', { ex: 100 })).toBe('OK');
    expect(await up.get('up')).toBe('stash');
    expect(await redis.ttl('up')).toBe(100);
    const tx = up.multi();
    tx.incr('n');
    tx.incr('n');
    expect(await tx.exec()).toEqual([1, 2]);
  });

  it('exports metrics per door, with latency from the command observer', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^cairn_commands_total\{command="set",door="http"\} \d+/m);
    expect(text).toMatch(/^cairn_commands_total\{command="set",door="resp"\} \d+/m);
    expect(text).toMatch(/^cairn_command_duration_seconds_count\{command="get",door="http"\} \d+/m);
    expect(text).toMatch(/^cairn_connected_clients\{door="resp"\} 1$/m);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    expect(await cairn.stop('SIGTERM')).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
