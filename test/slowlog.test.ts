/**
 * SLOWLOG and INFO latencystats through a real client, against a real redis-server: the same
 * entries (arguments trimmed and secrets redacted the same way), the same errors, LEN/RESET and
 * the length bound; latency percentiles per command.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

type Entry = [number, number, number, string[], string, string];

async function outcome(c: Redis, ...argv: string[]): Promise<unknown> {
  try {
    return await c.call(argv[0], ...argv.slice(1));
  } catch (err) {
    return (err as Error).message;
  }
}

describe('SLOWLOG', () => {
  let cairn: CairnProcess;
  let redis: RedisProcess;
  let mine: Redis;
  let theirs: Redis;

  beforeAll(async () => {
    [cairn, redis] = await Promise.all([startCairn(), startRedis()]);
    mine = new Redis({ port: cairn.respPort });
    theirs = new Redis({ port: redis.port });
  }, 30_000);

  afterAll(async () => {
    mine?.disconnect();
    theirs?.disconnect();
    await Promise.all([cairn?.stop(), redis?.stop()]);
  });

  it('logs the same commands with the same trimmed and redacted arguments as Redis', async () => {
    const script: string[][] = [
      ['SET', 'k', 'v'],
      ['SET', 'big', 'x'.repeat(300)],
      ['MSET', ...Array.from({ length: 40 }, (_, i) => `a${i}`)],
      ['AUTH', 'default', 'secret-password'],
      ['CONFIG', 'SET', 'requirepass', ''],
      ['ACL', 'SETUSER', 'eve', '>hunter2', 'on', '+get'],
      ['GET', 'k'],
    ];
    const logs: string[][][] = [];
    for (const c of [mine, theirs]) {
      await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
      await c.call('SLOWLOG', 'RESET');
      for (const argv of script) await outcome(c, ...argv);
      await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
      const entries = (await c.call('SLOWLOG', 'GET', '-1')) as Entry[];
      for (const e of entries) {
        expect(typeof e[0]).toBe('number');
        expect(Math.abs(e[1] - Date.now() / 1000)).toBeLessThan(60);
        expect(e[2]).toBeGreaterThanOrEqual(0);
        expect(e[4]).toMatch(/^127\.0\.0\.1:\d+$/);
      }
      logs.push(entries.map((e) => e[3]).filter((args) => args[0] !== 'slowlog'));
    }
    expect(logs[0]).toEqual(logs[1]);
    expect(logs[0].flat().join(' ')).not.toMatch(/secret-password|hunter2/);
  });

  it('LEN, RESET, GET count and slowlog-max-len behave as in Redis', async () => {
    for (const c of [mine, theirs]) {
      await c.call('CONFIG', 'SET', 'slowlog-max-len', '3');
      await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
      for (let i = 0; i < 10; i++) await c.call('PING');
      await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
    }
    expect(await mine.call('SLOWLOG', 'LEN')).toBe(3);
    expect(((await mine.call('SLOWLOG', 'GET', '1')) as Entry[]).length).toBe(1);
    for (const bad of [['GET', 'x'], ['GET', '-2'], ['GET', '1', '2'], ['LEN', 'x'], ['NOPE']]) {
      expect(await outcome(mine, 'SLOWLOG', ...bad)).toEqual(await outcome(theirs, 'SLOWLOG', ...bad));
    }
    expect(await mine.call('SLOWLOG', 'RESET')).toBe('OK');
    expect(await mine.call('SLOWLOG', 'LEN')).toBe(0);
    expect(await outcome(mine, 'SLOWLOG', 'HELP')).toEqual(await outcome(theirs, 'SLOWLOG', 'HELP'));
    await mine.call('CONFIG', 'SET', 'slowlog-max-len', '128');
  });

  it('logs only commands at or over the threshold', async () => {
    // KEYS over 200,000 keys takes well over 1 ms; each SET takes a few microseconds.
    for (let base = 0; base < 200_000; base += 20_000) {
      const p = mine.pipeline();
      for (let i = base; i < base + 20_000; i += 100)
        p.mset(...Array.from({ length: 100 }, (_, k) => [`many:${i + k}`, 'v']).flat());
      await p.exec();
    }
    const threshold = 1000;
    await mine.call('SLOWLOG', 'RESET');
    await mine.call('CONFIG', 'SET', 'slowlog-log-slower-than', String(threshold));
    for (let i = 0; i < 50; i++) await mine.call('SET', `q${i}`, 'v');
    expect(((await mine.call('KEYS', 'many:*')) as string[]).length).toBe(200_000);
    const slow = (await mine.call('SLOWLOG', 'GET', '-1')) as Entry[];
    // The command that crossed the threshold is there, with its duration; nothing under it is.
    expect(slow.map((e) => e[3].join(' '))).toContain('KEYS many:*');
    for (const e of slow) expect(e[2], e[3].join(' ')).toBeGreaterThanOrEqual(threshold);

    // With a threshold no command reaches, the same KEYS runs and is not logged.
    await mine.call('SLOWLOG', 'RESET');
    await mine.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000000');
    expect(((await mine.call('KEYS', 'many:*')) as string[]).length).toBe(200_000);
    for (let i = 0; i < 50; i++) await mine.call('SET', `q${i}`, 'v');
    expect(await mine.call('SLOWLOG', 'LEN')).toBe(0);
    await mine.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    await mine.call('FLUSHDB');
  });

  it('INFO latencystats gives p50, p99 and p99.9 per command, as Redis does', async () => {
    for (let i = 0; i < 20; i++) await mine.get('k');
    const info = (await mine.info('latencystats')) as string;
    expect(info).toMatch(/^# Latencystats\r\n/);
    expect(info).toMatch(/^latency_percentiles_usec_get:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r$/m);
    const oracle = (await theirs.info('latencystats')) as string;
    expect(oracle).toMatch(/^latency_percentiles_usec_\w+:p50=/m);
    expect(await mine.info('everything')).toContain('# Latencystats');
  });
});
