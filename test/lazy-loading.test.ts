/**
 * What loads on first use instead of at start (docs/footprint.md): the Lua VM, gRPC health and
 * reflection, the HTTP route validators and serializers (and Ajv and fast-json-stringify
 * themselves). Each must answer its first call on a fresh server exactly as later ones: EVAL
 * first seen inside MULTI (EXEC cannot wait for the VM mid-transaction, so it starts it first), a
 * health Check, a validation failure, a coerced query string and a typed reply.
 */
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';

let srv: CairnProcess | null = null;
let client: Redis | null = null;

afterEach(async () => {
  client?.disconnect();
  client = null;
  await srv?.stop();
  srv = null;
});

async function fresh(args: string[]): Promise<Redis> {
  srv = await startCairn({ args: ['--snapshot-store', 'none', ...args] });
  client = new Redis({ port: srv.respPort, host: '127.0.0.1', lazyConnect: true });
  await client.connect();
  return client;
}

describe('the Lua VM, started on first use', () => {
  it('runs a first EVAL queued in MULTI, and the rest of the transaction around it', async () => {
    const c = await fresh(['--http-port', '-1', '--grpc-port', '-1']);
    const r = await c
      .multi()
      .set('before', '1')
      .eval("return redis.call('set', KEYS[1], ARGV[1])", 1, 'k', 'v')
      .get('k')
      .exec();
    expect(r).toEqual([
      [null, 'OK'],
      [null, 'OK'],
      [null, 'v'],
    ]);
    // A transaction refused at queue time still answers EXECABORT, VM or not.
    await c.call('MULTI');
    await expect(c.call('EVAL', 'return 1')).rejects.toThrow(/wrong number of arguments/);
    await expect(c.call('EXEC')).rejects.toThrow(/EXECABORT/);
  });

  it('holds commands that arrive while the VM starts for a first EVAL until that script ran', async () => {
    const a = await fresh(['--http-port', '-1', '--grpc-port', '-1']);
    const b = new Redis({ port: srv!.respPort, host: '127.0.0.1' });
    try {
      expect(await b.set('k', '10')).toBe('OK');
      const first = a.eval("return redis.call('incr', KEYS[1])", 1, 'k');
      // The server has taken the EVAL and is starting the VM: an INCR sent now must follow it.
      await vi.waitFor(() => expect(srv!.logs()).toMatch(/Starting the Lua VM/), {
        timeout: 20_000,
        interval: 2,
      });
      expect(await b.incr('k')).toBe(12);
      expect(await first).toBe(11);
      // The log line travels through a pipe: wait for it rather than expect it already here.
      await vi.waitFor(() => expect(srv!.logs()).toMatch(/Lua VM ready in \d+ ms/), {
        timeout: 20_000,
        interval: 5,
      });
    } finally {
      b.disconnect();
    }
  });

  it('lets SCRIPT KILL sent during the VM start find the first script running', async () => {
    const a = await fresh(['--http-port', '-1', '--grpc-port', '-1']);
    const b = new Redis({ port: srv!.respPort, host: '127.0.0.1' });
    try {
      expect(await b.config('SET', 'busy-reply-threshold', '10')).toBe('OK');
      const looping = a.eval('while true do end', 0).then(
        () => 'returned',
        (err: Error) => err.message,
      );
      await vi.waitFor(() => expect(srv!.logs()).toMatch(/Starting the Lua VM/), {
        timeout: 20_000,
        interval: 2,
      });
      expect(await b.call('SCRIPT', 'KILL')).toBe('OK');
      expect(await looping).toMatch(/Script killed by user with SCRIPT KILL/);
      expect(await b.ping()).toBe('PONG');
    } finally {
      b.disconnect();
    }
  });

  it('answers FUNCTION LIST, SCRIPT EXISTS and INFO before any script ran, then loads a library', async () => {
    const c = await fresh(['--http-port', '-1', '--grpc-port', '-1']);
    expect(await c.call('FUNCTION', 'LIST')).toEqual([]);
    expect(await c.call('SCRIPT', 'EXISTS', 'a'.repeat(40))).toEqual([0]);
    expect(await c.info('memory')).toMatch(/number_of_cached_scripts:0/);
    const lib = "#!lua name=lazy\nredis.register_function('one', function() return 1 end)\n";
    expect(await c.call('FUNCTION', 'LOAD', lib)).toBe('lazy');
    expect(await c.call('FCALL', 'one', '0')).toBe(1);
  });
});

describe('gRPC health, loaded on first call', () => {
  it('answers the first Check SERVING, and NOT_FOUND for an unknown service', async () => {
    await fresh(['--http-port', '-1']);
    const Ctor = grpc.makeGenericClientConstructor(healthService, 'Health');
    const h = new Ctor(`127.0.0.1:${srv!.grpcPort}`, grpc.credentials.createInsecure()) as unknown as {
      check(
        req: { service: string },
        cb: (err: grpc.ServiceError | null, res?: { status: string }) => void,
      ): void;
      close(): void;
    };
    const check = (service: string) =>
      new Promise<{ err: grpc.ServiceError | null; status?: string }>((resolve) =>
        h.check({ service }, (err, res) => resolve({ err, status: res?.status })),
      );
    try {
      expect(await check('')).toEqual({ err: null, status: 'SERVING' });
      expect(await check('cairn.v1.CairnService')).toEqual({ err: null, status: 'SERVING' });
      expect((await check('no.such.Service')).err?.code).toBe(grpc.status.NOT_FOUND);
    } finally {
      h.close();
    }
  });
});

describe('HTTP validators and serializers, compiled on first use', () => {
  it('refuses a bad body on its first request and serializes a typed reply', async () => {
    await fresh(['--grpc-port', '-1']);
    const base = `http://127.0.0.1:${srv!.httpPort}`;
    const bad = await fetch(`${base}/v1/kv`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'k', value: 1 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/body\/value/);
    const good = await fetch(`${base}/v1/kv`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'k', value: 'v' }),
    });
    expect(good.status).toBeLessThan(300);
    const got = await fetch(`${base}/v1/keys/k`);
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ key: 'k', value: 'v' });
  });

  it('coerces and refuses query parameters on the first request, before any body was validated', async () => {
    // Ajv (with the query-string options: numbers and booleans coerced) loads on this request.
    await fresh(['--grpc-port', '-1']);
    const base = `http://127.0.0.1:${srv!.httpPort}`;
    const raw = { 'content-type': 'application/octet-stream' };
    const bad = await fetch(`${base}/v1/keys/q?ttl_ms=soon`, { method: 'PUT', headers: raw, body: 'v' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /querystring\/ttl_ms/,
    );
    const put = await fetch(`${base}/v1/keys/q?ttl_ms=100000&keep_ttl=false`, {
      method: 'PUT',
      headers: raw,
      body: 'v',
    });
    expect(put.status).toBe(200);
    const ttl = (await (await fetch(`${base}/v1/keys/q/ttl`)).json()) as { ttl_ms: number };
    expect(ttl.ttl_ms).toBeGreaterThan(90_000);
    expect(ttl.ttl_ms).toBeLessThanOrEqual(100_000);
  });
});
