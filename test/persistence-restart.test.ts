/**
 * State kept across restarts: the compiled server with `--dir <tmp>`, real clients, real files.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { CAIRN_BIN, type CairnProcess, startCairn } from './helpers/cairn.js';
import { cairnClient } from './helpers/grpc.js';
import { tempDir } from './helpers/tmp.js';

const run = promisify(execFile);
const running: CairnProcess[] = [];
const clients: Redis[] = [];

async function start(dir: string, args: string[] = []): Promise<{ srv: CairnProcess; redis: Redis }> {
  const srv = await startCairn({ args: ['--dir', dir, ...args] });
  running.push(srv);
  const redis = new Redis({ port: srv.respPort, maxRetriesPerRequest: 0 });
  redis.on('error', () => {});
  clients.push(redis);
  return { srv, redis };
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of running.splice(0)) await s.stop('SIGKILL');
});

function snapshots(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cairn'))
    .sort();
}

describe('persistence across restarts', () => {
  it('SIGTERM writes a final snapshot; every acknowledged key comes back with its remaining TTL', async () => {
    const dir = tempDir('cairn-persist-');
    const { srv, redis } = await start(dir);
    const pipe = redis.pipeline();
    for (let i = 0; i < 2000; i++) pipe.set(`k:${i}`, `v:${i}`);
    for (let i = 0; i < 500; i++) pipe.set(`ttl:${i}`, `t:${i}`, 'PX', 600_000);
    pipe.set('short', 'x', 'PX', 1);
    pipe.select(3);
    pipe.set(Buffer.from([0, 255, 1]), Buffer.from([9, 0, 200]));
    const replies = await pipe.exec();
    expect(replies?.every(([err]) => err === null)).toBe(true);
    // The other doors write into the same keyspace.
    {
      const r = await fetch(`http://127.0.0.1:${srv.httpPort}/v1/keys/http-key`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value: 'from-http', ttl_ms: 600_000 }),
      });
      expect(r.status).toBe(200);
    }
    {
      const g = cairnClient(srv.grpcPort);
      await g.unary('Set', { key: Buffer.from('grpc-key'), value: Buffer.from('from-grpc') });
      g.close();
    }
    const writtenAt = Date.now();
    expect(await srv.stop('SIGTERM')).toBe(0);
    // The log pipe may deliver its last lines after the exit event.
    await expect
      .poll(() => srv.logs(), { timeout: 15_000, interval: 50 })
      .toMatch(/snapshot saved: dump-000001-/);
    expect(snapshots(dir)).toHaveLength(1);

    const again = await start(dir);
    const r2 = again.redis;
    expect(again.srv.logs()).toMatch(/snapshot loaded: 2503 keys/);
    const got = await r2.mget(...Array.from({ length: 2000 }, (_, i) => `k:${i}`));
    expect(got).toEqual(Array.from({ length: 2000 }, (_, i) => `v:${i}`));
    for (const i of [0, 17, 499]) {
      expect(await r2.get(`ttl:${i}`)).toBe(`t:${i}`);
      const pttl = await r2.pttl(`ttl:${i}`);
      // The expiry time is absolute: the remaining TTL went down by the time the restart took.
      expect(pttl).toBeLessThanOrEqual(600_000 - (Date.now() - writtenAt) + 50);
      expect(pttl).toBeGreaterThan(600_000 - (Date.now() - writtenAt) - 5_000);
    }
    expect(await r2.exists('short')).toBe(0);
    await r2.select(3);
    expect(await r2.getBuffer(Buffer.from([0, 255, 1]))).toEqual(Buffer.from([9, 0, 200]));
    await r2.select(0);
    expect(await r2.get('http-key')).toBe('from-http');
    expect(await r2.pttl('http-key')).toBeGreaterThan(500_000);
    expect(await r2.get('grpc-key')).toBe('from-grpc');
    const viaHttp = await fetch(`http://127.0.0.1:${again.srv.httpPort}/v1/keys/k:5`);
    expect(await viaHttp.json()).toMatchObject({ key: 'k:5', value: 'v:5' });
    expect(await again.srv.stop('SIGTERM')).toBe(0);
    // Nothing changed: no second snapshot was needed.
    expect(snapshots(dir)).toHaveLength(1);
  });

  it('SAVE then kill -9: what SAVE acknowledged survives, later writes do not', async () => {
    const dir = tempDir('cairn-persist-');
    const { srv, redis } = await start(dir);
    await redis.set('before', '1');
    const before = await redis.lastsave();
    expect(await redis.save()).toBe('OK');
    expect(await redis.lastsave()).toBeGreaterThanOrEqual(before);
    const info = await redis.info('persistence');
    expect(info).toContain('rdb_last_bgsave_status:ok');
    expect(info).toContain('rdb_changes_since_last_save:0');
    expect(info).toMatch(/snapshot_last_name:dump-000001-/);
    await redis.set('after', '2');
    expect(await redis.info('persistence')).toContain('rdb_changes_since_last_save:1');
    await srv.stop('SIGKILL');
    const again = await start(dir);
    expect(await again.redis.get('before')).toBe('1');
    expect(await again.redis.get('after')).toBeNull();
  });

  it('BGSAVE answers at once; SHUTDOWN NOSAVE skips the final snapshot, SHUTDOWN SAVE forces one', async () => {
    const dir = tempDir('cairn-persist-');
    const { srv, redis } = await start(dir);
    await redis.set('a', '1');
    expect(await redis.bgsave()).toBe('Background saving started');
    await expect
      .poll(async () => (await redis.info('persistence')).includes('rdb_saves:1'), {
        timeout: 15_000,
        interval: 50,
      })
      .toBe(true);
    await redis.set('b', '2');
    await redis.call('shutdown', 'nosave').catch(() => {});
    expect(await srv.exited).toBe(0);
    expect(snapshots(dir)).toHaveLength(1);

    const second = await start(dir);
    expect(await second.redis.get('a')).toBe('1');
    expect(await second.redis.get('b')).toBeNull();
    await second.redis.call('shutdown', 'save').catch(() => {});
    expect(await second.srv.exited).toBe(0);
    expect(snapshots(dir)).toHaveLength(2);
  });

  it('snapshots on its own every snapshot-interval seconds when something changed, and keeps snapshot-keep', async () => {
    const dir = tempDir('cairn-persist-');
    const { redis } = await start(dir, ['--snapshot-interval', '1', '--snapshot-keep', '2']);
    for (let i = 1; i <= 3; i++) {
      await redis.set('n', String(i));
      await expect
        .poll(async () => (await redis.info('persistence')).includes(`rdb_saves:${i}`), {
          timeout: 15_000,
          interval: 50,
        })
        .toBe(true);
    }
    // Old snapshots are pruned after the save is counted: wait for the prune itself.
    await expect.poll(() => snapshots(dir).length, { timeout: 15_000, interval: 50 }).toBe(2);
    expect(snapshots(dir)[1]).toMatch(/^dump-000003-/);
    await redis.config('SET', 'snapshot-interval', '0');
    await redis.config('SET', 'save', '1 1');
    await redis.set('n', '4');
    await expect
      .poll(async () => (await redis.info('persistence')).includes('rdb_saves:4'), {
        timeout: 15_000,
        interval: 50,
      })
      .toBe(true);
  });

  it('a snapshot moves between engines: off-heap -> map -> off-heap', async () => {
    const dir = tempDir('cairn-persist-');
    const first = await start(dir, ['--engine', 'offheap']);
    const pipe = first.redis.pipeline();
    for (let i = 0; i < 1000; i++) pipe.set(`e:${i}`, `x${i}`, 'PX', 600_000);
    await pipe.exec();
    expect(await first.srv.stop('SIGTERM')).toBe(0);
    const second = await start(dir, ['--engine', 'map']);
    expect(await second.redis.dbsize()).toBe(1000);
    expect(await second.redis.get('e:999')).toBe('x999');
    await second.redis.set('from-map', '1');
    expect(await second.srv.stop('SIGTERM')).toBe(0);
    const third = await start(dir, ['--engine', 'offheap']);
    expect(await third.redis.dbsize()).toBe(1001);
    expect(await third.redis.pttl('e:0')).toBeGreaterThan(500_000);
  });

  it('cairn snapshot inspect and verify read a snapshot file', async () => {
    const dir = tempDir('cairn-persist-');
    const { redis } = await start(dir);
    await redis.set('a', '1');
    await redis.set('b', '2', 'EX', 1000);
    await redis.save();
    const file = join(dir, snapshots(dir)[0]);
    const inspect = await run(process.execPath, [CAIRN_BIN, 'snapshot', 'inspect', file]);
    expect(inspect.stdout).toContain('format:         2');
    expect(inspect.stdout).toContain('records:        2 in 1 key blocks');
    expect(inspect.stdout).toContain('db0:            keys=2 with_ttl=1 expired_now=0');
    const verify = await run(process.execPath, [CAIRN_BIN, 'snapshot', 'verify', file]);
    expect(verify.stdout).toMatch(/^OK .*: format 2, 2 keys, \d+ bytes, all checksums match/);
    await expect(
      run(process.execPath, [CAIRN_BIN, 'snapshot', 'verify', join(dir, 'nope')]),
    ).rejects.toMatchObject({
      code: 1,
    });
  });
});
