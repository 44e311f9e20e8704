/**
 * Faults: damaged snapshot files, kill -9 in the middle of snapshots, a directory that turns
 * read-only, a full disk. Real files, the compiled server, real clients.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CAIRN_BIN, type CairnProcess, startCairn } from './helpers/cairn.js';
import { tempDir } from './helpers/tmp.js';

const run = promisify(execFile);
const running: CairnProcess[] = [];
const clients: Redis[] = [];

async function start(dir: string, args: string[] = []): Promise<{ srv: CairnProcess; redis: Redis }> {
  const srv = await startCairn({ args: ['--dir', dir, '--http-port', '-1', '--grpc-port', '-1', ...args] });
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

const cairnFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.cairn'))
    .sort();
const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

/** Start the server expecting it to refuse; resolves with its exit code and output. */
async function refusedStart(dir: string): Promise<{ code: number; out: string }> {
  try {
    await run(process.execPath, [
      CAIRN_BIN,
      '--port',
      '0',
      '--http-port',
      '-1',
      '--grpc-port',
      '-1',
      '--dir',
      dir,
    ]);
    return { code: 0, out: '' };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('damaged snapshot files', () => {
  let good: Buffer;
  beforeAll(async () => {
    const dir = tempDir('cairn-fault-');
    const { srv, redis } = await start(dir);
    const pipe = redis.pipeline();
    for (let i = 0; i < 5000; i++) pipe.set(`key:${i}`, `value:${i}`.repeat(4));
    await pipe.exec();
    await redis.save();
    await srv.stop('SIGKILL');
    good = readFileSync(join(dir, cairnFiles(dir)[0]));
  });

  const cases: Array<[string, (b: Buffer) => Buffer, RegExp]> = [
    [
      'a flipped byte',
      (b) => {
        const c = Buffer.from(b);
        c[Math.floor(c.length / 2)] ^= 0x10;
        return c;
      },
      /corrupt: block at byte \d+ fails its checksum/,
    ],
    [
      'a cut-off tail',
      (b) => b.subarray(0, b.length - 100),
      /truncated: the data ends inside the block at byte \d+/,
    ],
    [
      'a newer format',
      (b) => {
        const c = Buffer.from(b);
        c.writeUInt32LE(7, 8);
        return c;
      },
      /newer-format: format version 7 is newer than this Cairn reads \(2\)/,
    ],
  ];

  for (const [what, damage, problem] of cases) {
    it(`refuses ${what}, naming the file and the problem, and exits non-zero`, async () => {
      const dir = tempDir('cairn-fault-');
      const file = join(dir, 'dump-000001-20260101T000000Z.cairn');
      writeFileSync(file, damage(good));
      const { code, out } = await refusedStart(dir);
      expect(code).not.toBe(0);
      expect(out).toContain(`snapshot ${file}: `);
      expect(out).toMatch(problem);
      expect(out).toContain('refusing to start');
    });
  }

  it('starts empty on a damaged snapshot when told to (--snapshot-on-error start-empty)', async () => {
    const dir = tempDir('cairn-fault-');
    writeFileSync(join(dir, 'dump-000001-20260101T000000Z.cairn'), cases[0][1](good));
    const { srv, redis } = await start(dir, ['--snapshot-on-error', 'start-empty']);
    expect(await redis.dbsize()).toBe(0);
    expect(srv.logs()).toContain('starting with an empty dataset');
    expect(await redis.set('fresh', '1')).toBe('OK');
  });

  it('loads the intact snapshot (control for the cases above)', async () => {
    const dir = tempDir('cairn-fault-');
    writeFileSync(join(dir, 'dump-000001-20260101T000000Z.cairn'), good);
    const { redis } = await start(dir);
    expect(await redis.dbsize()).toBe(5000);
  });
});

describe('kill -9 during snapshots', () => {
  it('the previous snapshot always loads, whenever the process dies', async () => {
    const dir = tempDir('cairn-kill-');
    const keys = 100_000;
    let { srv, redis } = await start(dir);
    const value = 'x'.repeat(100);
    for (let base = 0; base < keys; base += 10_000) {
      const pipe = redis.pipeline();
      for (let i = base; i < base + 10_000; i++) pipe.set(`key:${i}`, value);
      await pipe.exec();
    }
    await redis.set('iter', '0');
    expect(await redis.save()).toBe('OK');
    const info = await redis.info('persistence');
    const saveMs = Number(/snapshot_last_duration_ms:(\d+)/.exec(info)![1]);
    const rounds = 12;
    /** Rounds go on past `rounds` until at least one kill has landed inside a file write. */
    const maxRounds = 30;
    let midWrite = 0;
    let completed = 0;
    let i = 1;
    for (; i <= rounds || (midWrite === 0 && i <= maxRounds); i++) {
      await redis.set('iter', String(i));
      await redis.bgsave();
      // Anywhere from the very start to a little after the usual end of a snapshot.
      const delay = Math.random() * saveMs * 1.3;
      await new Promise((r) => setTimeout(r, delay));
      await srv.stop('SIGKILL');
      if (tempFiles(dir).length > 0) midWrite++;

      ({ srv, redis } = await start(dir));
      expect(tempFiles(dir)).toEqual([]);
      const iter = Number(await redis.get('iter'));
      expect([i - 1, i], `round ${i}, killed after ${delay.toFixed(0)} ms`).toContain(iter);
      expect(await redis.dbsize()).toBe(keys + 1);
      expect(await redis.get(`key:${Math.floor(Math.random() * keys)}`)).toBe(value);
      if (iter === i) completed++;
      else {
        // Bring the stored state up to this round, so the next one expects i or i + 1.
        await redis.set('iter', String(i));
        expect(await redis.save()).toBe('OK');
      }
    }
    // The kills did land inside writes (and some snapshots got through).
    expect(midWrite).toBeGreaterThan(0);
    // snapshot-keep is 3; a kill between the rename and the pruning can leave one more.
    expect(cairnFiles(dir).length).toBeLessThanOrEqual(4);
    console.log(
      `kill -9 rounds: ${i - 1}, mid-write: ${midWrite}, completed: ${completed}, save ${saveMs} ms`,
    );
  }, 120_000);
});

/**
 * A small tmpfs, so the test can fill it up or make it read-only. Needs root (or CAP_SYS_ADMIN);
 * without, the test is skipped and says why.
 */
function tryMount(sizeBytes: number, test: string): string | null {
  const dir = tempDir('cairn-mnt-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch (err) {
    const why = String((err as { stderr?: Buffer }).stderr ?? '').trim() || (err as Error).message;
    console.warn(`${test} persistence test skipped: cannot mount a tmpfs (needs root): ${why}`);
    return null;
  }
}

function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: 'ignore' });
}

describe('a directory that cannot take the snapshot', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const m of mounts) {
      try {
        sh('umount', [m]);
      } catch {
        // already gone
      }
    }
  });

  it('read-only: SAVE fails with a clear error, INFO and the log say so, the server keeps serving', async (ctx) => {
    const mnt = tryMount(64 * 1024 * 1024, 'read-only');
    if (mnt === null) return ctx.skip();
    mounts.push(mnt);
    const dir = join(mnt, 'data');
    mkdirSync(dir);
    const { srv, redis } = await start(dir);
    await redis.set('a', '1');
    expect(await redis.save()).toBe('OK');
    sh('mount', ['-o', 'remount,ro', mnt]);
    await redis.set('b', '2');
    await expect(redis.save()).rejects.toThrow(/read-only file system/);
    const info = await redis.info('persistence');
    expect(info).toContain('rdb_last_bgsave_status:err');
    expect(info).toMatch(/snapshot_last_error:.*read-only file system/);
    await expect
      .poll(() => srv.logs(), { timeout: 15_000, interval: 50 })
      .toMatch(/snapshot failed: .*read-only file system/);
    expect(await redis.get('a')).toBe('1');
    expect(await redis.set('c', '3')).toBe('OK');
    sh('mount', ['-o', 'remount,rw', mnt]);
    expect(await redis.save()).toBe('OK');
    expect(await redis.info('persistence')).toContain('rdb_last_bgsave_status:ok');
    expect(await srv.stop('SIGTERM')).toBe(0);
  });

  it('full: SAVE fails with ENOSPC, leaves no temp file, the previous snapshot stays', async (ctx) => {
    const mnt = tryMount(512 * 1024, 'full-disk');
    if (mnt === null) return ctx.skip();
    mounts.push(mnt);
    const { srv, redis } = await start(mnt);
    await redis.set('small', '1');
    expect(await redis.save()).toBe('OK');
    const before = cairnFiles(mnt);
    const pipe = redis.pipeline();
    // Random bytes: LZ4 cannot shrink them below the file system's size.
    for (let i = 0; i < 2000; i++) pipe.set(`big:${i}`, randomBytes(1024));
    await pipe.exec();
    await expect(redis.save()).rejects.toThrow(/no space left on device/);
    expect(tempFiles(mnt)).toEqual([]);
    expect(cairnFiles(mnt)).toEqual(before);
    expect(await redis.get('small')).toBe('1');
    expect((await redis.info('persistence')).includes('rdb_last_bgsave_status:err')).toBe(true);
    // The final snapshot cannot be written either: the exit code says so.
    expect(await srv.stop('SIGTERM')).toBe(1);
    await expect.poll(() => srv.logs(), { timeout: 15_000, interval: 50 }).toContain('final snapshot failed');
    // A copy of the surviving snapshot still loads.
    const check = tempDir('cairn-fault-');
    copyFileSync(join(mnt, before[0]), join(check, before[0]));
    const again = await start(check);
    expect(await again.redis.get('small')).toBe('1');
  });
});
