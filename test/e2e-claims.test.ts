/**
 * README claims, end to end against the compiled server: transactions with WATCH through
 * ioredis, node-redis and raw bytes; the graceful shutdown (drain within `shutdown-timeout`,
 * exit 0, a second signal exits at once); gRPC load shedding while the event loop is late.
 */
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { cairnClient, grpc } from './helpers/grpc.js';
import { frame, RawClient, waitFor } from './resp-support.js';

const NO_SNAPSHOTS = ['--snapshot-store', 'none'];

async function infoField(c: Redis, field: string): Promise<number> {
  return Number(new RegExp(`\\r\\n${field}:(\\d+)\\r\\n`).exec(await c.info())![1]);
}

describe('MULTI, EXEC and WATCH over real sockets', () => {
  let srv: CairnProcess;
  let other: Redis;
  beforeAll(async () => {
    srv = await startCairn({ args: NO_SNAPSHOTS });
    other = new Redis({ port: srv.respPort });
  });
  afterAll(async () => {
    other?.disconnect();
    await srv?.stop();
  });

  it('ioredis: runs a transaction, and EXEC is null once another connection wrote a watched key', async () => {
    const c = new Redis({ port: srv.respPort });
    try {
      await c.set('tx:io', '1');
      await c.watch('tx:io');
      expect(await c.multi().incr('tx:io').get('tx:io').exec()).toEqual([
        [null, 2],
        [null, '2'],
      ]);
      await c.watch('tx:io');
      await other.set('tx:io', 'changed');
      expect(await c.multi().incr('tx:io').exec()).toBeNull();
      expect(await other.get('tx:io')).toBe('changed');
      // A watched key that expires unread counts too. The wait is on the server's own clock
      // (TIME), which never touches the key.
      await c.set('tx:ttl', 'v', 'PX', 1000);
      await c.watch('tx:ttl');
      // Still there after WATCH (-2 would mean it expired before).
      const expiresAt = Number(await c.pexpiretime('tx:ttl'));
      expect(expiresAt).toBeGreaterThan(0);
      await waitFor(
        async () => {
          const [s, us] = (await other.time()) as [string, string] | [number, number];
          return Number(s) * 1000 + Math.floor(Number(us) / 1000) > expiresAt;
        },
        15_000,
        'the key to expire',
      );
      expect(await c.multi().set('tx:ttl', 'again').exec()).toBeNull();
      expect(await other.exists('tx:ttl')).toBe(0);
    } finally {
      c.disconnect();
    }
  });

  it('node-redis: the same, EXEC null surfacing as its WatchError', async () => {
    const c = createClient({ socket: { host: '127.0.0.1', port: srv.respPort } });
    c.on('error', () => {});
    await c.connect();
    try {
      await c.set('tx:nr', '1');
      await c.watch('tx:nr');
      expect(await c.multi().incr('tx:nr').get('tx:nr').exec()).toEqual([2, '2']);
      await c.watch('tx:nr');
      await other.set('tx:nr', 'changed');
      // node-redis throws this when, and only when, EXEC answered null.
      await expect(c.multi().incr('tx:nr').exec()).rejects.toThrow(
        'One (or more) of the watched keys has been changed',
      );
      expect(await c.get('tx:nr')).toBe('changed');
    } finally {
      c.destroy();
    }
  });

  it('raw bytes: EXEC answers the null array *-1 after the write, the replies without one', async () => {
    const c = await RawClient.connect(srv.respPort);
    try {
      const tx = Buffer.concat([frame('MULTI'), frame('SET', 'tx:raw', 'mine'), frame('EXEC')]);
      await c.exchange(frame('WATCH', 'tx:raw'), 1);
      expect((await c.exchange(tx, 3)).reply).toBe('+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n');
      await c.exchange(frame('WATCH', 'tx:raw'), 1);
      await other.set('tx:raw', 'theirs');
      expect((await c.exchange(tx, 3)).reply).toBe('+OK\r\n+QUEUED\r\n*-1\r\n');
      expect(await other.get('tx:raw')).toBe('theirs');
    } finally {
      c.close();
    }
  });
});

describe('shutdown on SIGTERM', () => {
  const started: CairnProcess[] = [];
  afterAll(() => {
    for (const s of started) s.proc.kill('SIGKILL');
  });
  async function start(...args: string[]): Promise<{ srv: CairnProcess; admin: Redis }> {
    const srv = await startCairn({ args: [...NO_SNAPSHOTS, ...args] });
    started.push(srv);
    const admin = new Redis({ port: srv.respPort, maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => {});
    return { srv, admin };
  }
  /** A raw client running `argv`, once the server counts it as blocked. */
  async function blocked(srv: CairnProcess, admin: Redis, ...argv: string[]): Promise<RawClient> {
    const c = await RawClient.connect(srv.respPort);
    c.send(frame(...argv));
    await waitFor(
      async () => (await infoField(admin, 'blocked_clients')) === 1,
      15_000,
      `${argv[0]} to block`,
    );
    return c;
  }
  const shuttingDown = (srv: CairnProcess) =>
    waitFor(() => srv.logs().includes('shutting down: no new connections'), 15_000, 'the shutdown to start');

  it('stops accepting, lets a command in flight finish and be answered, then exits 0', async () => {
    const { srv, admin } = await start('--shutdown-timeout', '30');
    // WAIT with no replica: answers 0 after its timeout, 4 s.
    const busy = await blocked(srv, admin, 'WAIT', '1', '4000');
    let answeredAt = 0;
    const answered = busy.readUntil(':0\r\n', 30_000).then(() => {
      answeredAt = Date.now();
    });
    srv.proc.kill('SIGTERM');
    await shuttingDown(srv);
    // No new connections while draining.
    const refused = await new Promise<string>((resolve) => {
      const s = connect(srv.respPort, '127.0.0.1');
      s.once('connect', () => resolve('connected'));
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(refused).toBe('ECONNREFUSED');
    expect(await srv.exited).toBe(0);
    const exitedAt = Date.now();
    await answered;
    // The server waited for the command: its reply left before the process ended.
    expect(answeredAt).toBeGreaterThan(0);
    expect(answeredAt).toBeLessThanOrEqual(exitedAt);
    expect(busy.text()).toBe(':0\r\n');
    expect(srv.logs()).toContain('shutdown complete');
    expect(srv.logs()).not.toContain('still busy after the grace period');
    admin.disconnect();
  });

  it('waits shutdown-timeout for a command that does not end, then closes it and exits 0', async () => {
    const { srv, admin } = await start('--shutdown-timeout', '1');
    const stuck = await blocked(srv, admin, 'WAIT', '1', '0');
    const t0 = Date.now();
    srv.proc.kill('SIGTERM');
    expect(await srv.exited).toBe(0);
    // The grace period was waited out (timers may fire a little early, never much).
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(srv.logs()).toContain('closing RESP clients still busy after the grace period');
    await stuck.waitClosed(15_000);
    expect(stuck.text()).toBe('');
    admin.disconnect();
  });

  it('exits at once on a second signal while draining', async () => {
    const { srv, admin } = await start('--shutdown-timeout', '600');
    await blocked(srv, admin, 'WAIT', '1', '0');
    srv.proc.kill('SIGTERM');
    await shuttingDown(srv);
    const t0 = Date.now();
    srv.proc.kill('SIGTERM');
    expect(await srv.exited).toBe(1);
    // Not the ten minutes the first signal would have waited.
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(srv.logs()).toContain('second signal: exiting now');
    admin.disconnect();
  });
});

describe('gRPC load shedding on event-loop delay', () => {
  it('answers RESOURCE_EXHAUSTED while commands hold the event loop, and serves again after', async () => {
    const srv = await startCairn({ args: [...NO_SNAPSHOTS, '--shed-event-loop-delay-ms', '150'] });
    const rpc = cairnClient(srv.grpcPort);
    const hog = new Redis({ port: srv.respPort });
    try {
      const get = () =>
        new Promise<grpc.ServiceError | null>((resolve) => {
          rpc.unary('Get', { key: Buffer.from('shed:k') }, { timeoutMs: 30_000 }).then(
            () => resolve(null),
            (e: grpc.ServiceError) => resolve(e),
          );
        });
      await rpc.unary('Set', { key: Buffer.from('shed:k'), value: Buffer.from('v') });
      expect(await get()).toBeNull();

      // LCS of two long strings: each call holds the server's event loop for a few hundred ms
      // (the length is grown until one call takes 300 ms on this machine).
      let n = 3000;
      for (;;) {
        await hog.mset('a', 'ab'.repeat(n / 2), 'b', 'ba'.repeat(n / 2));
        const t0 = performance.now();
        await hog.call('LCS', 'a', 'b', 'LEN');
        if (performance.now() - t0 >= 300 || n >= 10_000) break;
        n = Math.min(10_000, Math.round(n * 1.3));
      }
      let hogging = true;
      const running = (async () => {
        while (hogging) await hog.call('LCS', 'a', 'b', 'LEN');
      })();
      let shed: grpc.ServiceError | null = null;
      try {
        await waitFor(
          async () => {
            shed = await get();
            return shed !== null;
          },
          60_000,
          'a shed call',
        );
      } finally {
        hogging = false;
        await running;
      }
      const err = shed as unknown as grpc.ServiceError;
      expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(err.details).toMatch(
        /^server under pressure: event loop delay \d+ ms is over shed-event-loop-delay-ms \(150\)$/,
      );
      expect(err.metadata.get('grpc-retry-pushback-ms')).toEqual(['10000']);
      // RESP is never shed: INFO over it counts the calls that were.
      expect(await infoField(hog, 'shed_requests')).toBeGreaterThan(0);
      await waitFor(async () => (await get()) === null, 30_000, 'serving again');
    } finally {
      rpc.close();
      hog.disconnect();
      await srv.stop();
    }
  });
});
