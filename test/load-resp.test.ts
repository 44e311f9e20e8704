/**
 * Limits and timeouts of the RESP door, in process over real sockets with the server's clock
 * injected: maxclients, the idle `timeout` (moved with the clock, not slept), and a waiting
 * command (WAIT) that ends when its client leaves. WAIT's behaviour is checked against a real
 * redis-server.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoorHandle } from '../src/protocols/door.js';
import { startRespDoor } from '../src/protocols/resp/server.js';
import { createTestServer, type TestServer } from '../src/server/testing.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';
import { frame, RawClient, waitFor } from './resp-support.js';

let ts: TestServer;
let door: DoorHandle;
let admin: Redis;
let redis: RedisProcess;

beforeAll(async () => {
  ts = createTestServer();
  door = await startRespDoor(ts.host, { host: '127.0.0.1', port: 0 });
  admin = new Redis({ port: door.port, maxRetriesPerRequest: 0 });
  redis = await startRedis();
});

afterAll(async () => {
  admin?.disconnect();
  await door?.close(0);
  ts?.close();
  await redis?.stop();
});

async function infoField(client: Redis, field: string): Promise<number> {
  const m = new RegExp(`${field}:(\\d+)`).exec(await client.info('clients'));
  return Number(m![1]);
}

describe('maxclients', () => {
  it('refuses a connection past maxclients, and takes one again once a client leaves', async () => {
    await admin.config('SET', 'maxclients', '3');
    try {
      const a = await RawClient.connect(door.port);
      const b = await RawClient.connect(door.port);
      for (const c of [a, b]) {
        c.send('PING\r\n');
        await c.readUntil('+PONG\r\n');
      }
      const refused = await RawClient.connect(door.port);
      expect(await refused.waitClosed()).toBe('-ERR max number of clients reached\r\n');
      expect(await infoField(admin, 'connected_clients')).toBe(3);

      a.close();
      await waitFor(async () => (await infoField(admin, 'connected_clients')) === 2, 15_000, 'a to leave');
      const next = await RawClient.connect(door.port);
      next.send('PING\r\n');
      expect(await next.readUntil('+PONG\r\n')).toBe('+PONG\r\n');
      next.close();
      b.close();
    } finally {
      await admin.config('SET', 'maxclients', '10000');
    }
  });
});

describe('idle timeout', () => {
  it('closes a client idle past `timeout` on the next check, but not one waiting in WAIT', async () => {
    await admin.config('SET', 'timeout', '10');
    // A client made after the clock moves, for the checks that follow (the admin one idles too).
    let fresh: Redis | null = null;
    try {
      // `older` last spoke two (clock) seconds before `idle`: the check that closes it is the
      // event showing that `idle`, nine seconds idle, was looked at and kept.
      const older = await RawClient.connect(door.port);
      older.send('PING\r\n');
      await older.readUntil('+PONG\r\n');
      ts.clock.advance(2_000);
      const idle = await RawClient.connect(door.port);
      idle.send('PING\r\n');
      await idle.readUntil('+PONG\r\n');
      const blocked = await RawClient.connect(door.port);
      blocked.send(frame('WAIT', '1', '0'));
      await waitFor(async () => (await infoField(admin, 'blocked_clients')) === 1, 15_000, 'WAIT to block');

      // Nine seconds idle: under the limit, kept at the check (once a second) that closes `older`.
      ts.clock.advance(9_000);
      await older.waitClosed(15_000);
      expect(idle.closed).toBe(false);
      // Past it: gone at the next check.
      ts.clock.advance(2_000);
      await idle.waitClosed(15_000);
      expect(idle.text()).toBe('+PONG\r\n');
      // Redis does not time out a blocked client either.
      expect(blocked.closed).toBe(false);
      const probe = new Redis({ port: door.port, maxRetriesPerRequest: 0 });
      fresh = probe;
      expect(await infoField(probe, 'blocked_clients')).toBe(1);
      blocked.close();
      await waitFor(async () => (await infoField(probe, 'blocked_clients')) === 0, 15_000, 'WAIT to end');
    } finally {
      ts.server.config.apply('timeout', '0');
      fresh?.disconnect();
    }
  });
});

/** The same scenario against Cairn and Redis. */
async function waitScenario(port: number): Promise<{ waitedMs: number; exec: unknown; blocked: number[] }> {
  const c = new Redis({ port, maxRetriesPerRequest: 0 });
  const probe = new Redis({ port, maxRetriesPerRequest: 0 });
  try {
    const t0 = performance.now();
    expect(await c.call('WAIT', '1', '100')).toBe(0);
    const waitedMs = performance.now() - t0;
    // In MULTI, WAIT answers at once: a 10 s timeout that was waited out would show.
    const t1 = performance.now();
    const exec = await c.multi().call('WAIT', '1', '10000').exec();
    expect(performance.now() - t1).toBeLessThan(5000);

    // A client blocked for ever, then gone: the server sees it leave and stops waiting.
    const gone = await RawClient.connect(port);
    gone.send(frame('WAIT', '1', '0'));
    await waitFor(async () => (await infoField(probe, 'blocked_clients')) === 1, 15_000, 'WAIT to block');
    const during = await infoField(probe, 'blocked_clients');
    gone.close();
    await waitFor(async () => (await infoField(probe, 'blocked_clients')) === 0, 15_000, 'WAIT to end');
    return { waitedMs, exec, blocked: [during, await infoField(probe, 'blocked_clients')] };
  } finally {
    c.disconnect();
    probe.disconnect();
  }
}

describe('WAIT, a waiting command', () => {
  it('waits out its timeout, answers at once in MULTI, and ends when its client leaves, as Redis', async () => {
    const ours = await waitScenario(door.port);
    const theirs = await waitScenario(redis.port);
    expect(ours.waitedMs).toBeGreaterThanOrEqual(95);
    expect(theirs.waitedMs).toBeGreaterThanOrEqual(95);
    expect(ours.exec).toEqual(theirs.exec);
    expect(ours.exec).toEqual([[null, 0]]);
    expect(ours.blocked).toEqual([1, 0]);
    expect(theirs.blocked).toEqual([1, 0]);
  });
});
