/**
 * The PostgreSQL snapshot store against a throwaway cluster (initdb + pg_ctl in a temp
 * directory, on a free port), stopped in the middle of the run to exercise the circuit breaker.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { freePort } from './helpers/ports.js';
import { tempDir } from './helpers/tmp.js';

/** The newest installed PostgreSQL's server binaries (Debian keeps them off PATH). */
function pgBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : null;
}

class Cluster {
  readonly url: string;
  private readonly data: string;
  private readonly log: string;
  constructor(
    private readonly bin: string,
    private readonly dir: string,
    private readonly port: number,
  ) {
    this.data = join(dir, 'data');
    this.log = join(dir, 'pg.log');
    this.url = `postgres://cairn@127.0.0.1:${port}/postgres`;
  }

  /** PostgreSQL refuses to run as root: run its tools as the `postgres` user when we are root. */
  private exec(tool: string, args: string[]): void {
    const cmd = join(this.bin, tool);
    if (process.getuid?.() === 0)
      execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
    else execFileSync(cmd, args, { stdio: 'pipe' });
  }

  init(): void {
    if (process.getuid?.() === 0) {
      chmodSync(this.dir, 0o777);
    }
    this.exec('initdb', ['-D', this.data, '-U', 'cairn', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  }

  start(): void {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    this.exec('pg_ctl', ['-D', this.data, '-l', this.log, '-o', opts, '-w', 'start']);
  }

  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    try {
      this.exec('pg_ctl', ['-D', this.data, '-m', mode, '-w', 'stop']);
    } catch {
      // not running
    }
  }
}

const bin = pgBinDir();
if (bin === null) {
  console.warn(
    'PostgreSQL snapshot store tests skipped: no initdb under /usr/lib/postgresql/*/bin (Debian package postgresql; scripts/setup-test-deps.sh installs it)',
  );
}

describe.skipIf(bin === null)('PostgreSQL snapshot store', () => {
  let pg: Cluster;
  const procs: CairnProcess[] = [];
  const clients: Redis[] = [];

  beforeAll(async () => {
    const dir = tempDir('cairn-pg-');
    pg = new Cluster(bin!, dir, await freePort());
    pg.init();
    pg.start();
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    for (const p of procs) await p.stop('SIGKILL');
    pg?.stop('immediate');
  });

  async function start(extra: string[] = []): Promise<{ srv: CairnProcess; redis: Redis }> {
    const srv = await startCairn({
      args: [
        '--dir',
        tempDir('cairn-pgdir-'),
        '--snapshot-store',
        'postgres',
        '--snapshot-postgres-url',
        pg.url,
        '--snapshot-breaker-reset-ms',
        '1000',
        '--snapshot-interval',
        '0',
        ...extra,
      ],
    });
    procs.push(srv);
    const redis = new Redis({ port: srv.respPort, maxRetriesPerRequest: 0 });
    redis.on('error', () => {});
    clients.push(redis);
    return { srv, redis };
  }

  const field = async (redis: Redis, name: string) =>
    new RegExp(`${name}:(.*)\\r`).exec(await redis.info('persistence'))?.[1];

  it('saves, survives PostgreSQL going away (breaker opens, server serves), resumes, restores', async () => {
    const { srv, redis } = await start();
    expect(await redis.info('persistence')).toContain('snapshot_store:postgres');
    const pipe = redis.pipeline();
    for (let i = 0; i < 3000; i++) pipe.set(`k:${i}`, `v:${i}`);
    pipe.set('ttl', 'x', 'PX', 600_000);
    await pipe.exec();
    expect(await redis.save()).toBe('OK');
    expect(await field(redis, 'snapshot_last_name')).toBe('snapshot-00000001');

    pg.stop('fast');
    await expect(redis.save()).rejects.toThrow(/ECONNREFUSED|connect|terminat/i);
    await expect(redis.save()).rejects.toThrow();
    // Two failures open the circuit: the next attempt fails at once.
    expect(await field(redis, 'snapshot_store_circuit')).toBe('open');
    const t0 = performance.now();
    await expect(redis.save()).rejects.toThrow(/circuit open/);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await field(redis, 'rdb_last_bgsave_status')).toBe('err');
    // The server keeps serving meanwhile.
    expect(await redis.set('during-outage', '1')).toBe('OK');
    expect(await redis.get('k:7')).toBe('v:7');
    await expect
      .poll(() => srv.logs(), { timeout: 15_000, interval: 50 })
      .toContain('snapshot store circuit open');

    pg.start();
    await expect
      .poll(async () => (await redis.save().catch((e: Error) => e.message)) === 'OK', {
        timeout: 10_000,
        interval: 300,
      })
      .toBe(true);
    expect(await field(redis, 'snapshot_store_circuit')).toBe('closed');
    expect(await field(redis, 'rdb_last_bgsave_status')).toBe('ok');

    await redis.set('last', 'word');
    expect(await srv.stop('SIGTERM')).toBe(0);

    const again = await start();
    expect(again.srv.logs()).toMatch(/snapshot loaded: 3003 keys/);
    expect(await again.redis.get('last')).toBe('word');
    expect(await again.redis.get('during-outage')).toBe('1');
    expect(await again.redis.pttl('ttl')).toBeGreaterThan(500_000);
    await again.srv.stop('SIGKILL');
  });

  it('a kill -9 in the middle of a write leaves the previous snapshot as the latest', async () => {
    const { srv, redis } = await start(['--snapshot-keep', '2']);
    await redis.flushall();
    const value = 'z'.repeat(200);
    for (let base = 0; base < 60_000; base += 10_000) {
      const pipe = redis.pipeline();
      for (let i = base; i < base + 10_000; i++) pipe.set(`big:${i}`, value);
      await pipe.exec();
    }
    await redis.set('gen', '1');
    expect(await redis.save()).toBe('OK');
    await redis.set('gen', '2');
    await redis.bgsave();
    await new Promise((r) => setTimeout(r, 30));
    await srv.stop('SIGKILL');
    const again = await start();
    expect(['1', '2']).toContain(await again.redis.get('gen'));
    expect(await again.redis.dbsize()).toBe(60_001);
  });

  it('refuses to start when the store is unreachable, unless told to start empty', async () => {
    const port = await freePort();
    const args = ['--snapshot-postgres-url', `postgres://cairn@127.0.0.1:${port}/postgres`];
    await expect(start(args)).rejects.toThrow(/cannot load a snapshot from postgres store .*ECONNREFUSED/);
    const { redis } = await start([...args, '--snapshot-on-error', 'start-empty']);
    expect(await redis.dbsize()).toBe(0);
  });
});
