/**
 * Differential sessions, on a real redis-server and on Cairn, for behaviour Redis's own test
 * suite checks through server internals: expiry held during CLIENT PAUSE, a tracked key evicted
 * before the reply of the command that crossed maxmemory (a bitmap SETBIT creates counts in
 * full), OBJECT ENCODING `raw` of strings written in place, and the query / reply buffer
 * figures of CLIENT LIST (`qbuf` + `qbuf-free`, `rbs`) as Redis's resizing rules move them.
 * Each session writes a log of what its clients saw; the logs must be equal.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushClient } from './differential/push-client.js';
import { RawRespClient } from './differential/resp-client.js';
import { CAIRN_BIN, type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

type Session = (port: number, log: string[]) => Promise<void>;

const text = (b: Buffer | Buffer[]): string =>
  Array.isArray(b) ? b.map((x) => x.toString('latin1')).join('') : b.toString('latin1');

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function info(c: RawRespClient, name: string): Promise<number> {
  const reply = text(await c.call(['INFO', 'everything']));
  return Number(new RegExp(`\\r\\n${name}:([^\\r]*)`).exec(reply)?.[1] ?? 'NaN');
}

/** CLIENT LIST field `field` of the client named `name`, as a number (-1 when absent). */
async function clientField(c: RawRespClient, name: string, field: string): Promise<number> {
  const line = text(await c.call(['CLIENT', 'LIST']))
    .split('\n')
    .find((l) => l.includes(` name=${name} `));
  const m = line === undefined ? null : new RegExp(` ${field}=(\\d+)`).exec(line);
  return m === null ? -1 : Number(m[1]);
}

async function queryBuffer(c: RawRespClient, name: string): Promise<number> {
  return (await clientField(c, name, 'qbuf')) + (await clientField(c, name, 'qbuf-free'));
}

/** Poll `probe` (as Redis's wait_for_condition does) until it holds; false at the deadline. */
async function waitFor(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await pause(20);
  }
}

const SESSIONS: Record<string, Session> = {
  async 'keys expiring during CLIENT PAUSE read as missing but are only deleted after it'(port, log) {
    const admin = await RawRespClient.connect(port);
    try {
      await admin.call(['FLUSHALL']);
      const before = await info(admin, 'expired_keys');
      log.push(
        text(
          await admin.callMany([
            ['MULTI'],
            ['SET', 'foo', 'bar', 'PX', '10'],
            ['SET', 'bar', 'foo', 'PX', '10'],
            ['CLIENT', 'PAUSE', '50000', 'WRITE'],
            ['EXEC'],
          ]),
        ),
      );
      const gone = async () =>
        text(
          await admin.callMany([
            ['GET', 'foo'],
            ['GET', 'bar'],
          ]),
        ) === '$-1\r\n$-1\r\n';
      log.push(`logically expired ${await waitFor(gone, 5000)}`);
      log.push(text(await admin.callMany([['EXISTS', 'foo'], ['TTL', 'foo'], ['KEYS', '*'], ['DBSIZE']])));
      log.push(`expired while paused ${(await info(admin, 'expired_keys')) - before}`);
      log.push(text(await admin.call(['CLIENT', 'UNPAUSE'])));
      log.push(text(await admin.callMany([['GET', 'foo'], ['GET', 'bar'], ['DBSIZE']])));
      log.push(`expired after ${(await info(admin, 'expired_keys')) - before}`);
    } finally {
      await admin.call(['CLIENT', 'UNPAUSE']);
      admin.close();
    }
  },

  async 'a tracked key evicted before the reply of the command after a big SETBIT'(port, log) {
    const admin = await RawRespClient.connect(port);
    const c = await PushClient.connect(port);
    try {
      await admin.call(['FLUSHALL']);
      c.send([
        ['HELLO', '3'],
        ['CLIENT', 'TRACKING', 'on'],
      ]);
      await c.take(2);
      // Redis's test reads the two fields with two INFO calls; one reply is exact on both.
      const mem = text(await admin.call(['INFO', 'memory']));
      const field = (name: string) => Number(new RegExp(`\\r\\n${name}:(\\d+)`).exec(mem)?.[1]);
      const used = field('used_memory') - field('mem_not_counted_for_evict');
      await admin.callMany([
        ['CONFIG', 'SET', 'maxmemory', String(used + 100 * 1024)],
        ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-random'],
      ]);
      c.send([
        ['SETEX', 'volatile-key', '10000', 'x'],
        ['GET', 'volatile-key'],
      ]);
      log.push(text(await c.take(2)));
      // 200 KB of zeros: Redis holds all of it, so the next command evicts the volatile key.
      c.send([['SETBIT', 'big-key', '1600000', '0']]);
      log.push(text(await c.take(1)));
      c.send([['GETBIT', 'big-key', '0']]);
      log.push(text(await c.take(2)));
      log.push(
        text(
          await admin.callMany([
            ['EXISTS', 'volatile-key'],
            ['OBJECT', 'ENCODING', 'big-key'],
          ]),
        ),
      );
    } finally {
      await admin.callMany([
        ['CONFIG', 'SET', 'maxmemory', '0'],
        ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
      ]);
      admin.close();
      c.close();
    }
  },

  async 'OBJECT ENCODING is raw for strings written in place, whatever their length'(port, log) {
    const c = await RawRespClient.connect(port);
    try {
      await c.call(['FLUSHALL']);
      const enc = async (...cmds: string[][]) => {
        const replies = await c.callMany([...cmds, ['OBJECT', 'ENCODING', 'k'], ['GET', 'k']]);
        log.push(text(replies));
      };
      await enc(['SET', 'k', '1234']);
      await enc(['SETRANGE', 'k', '0', '2']);
      await enc(['SET', 'k', '1234'], ['SETRANGE', 'k', '0', '']);
      await enc(['SET', 'k', '1234'], ['SETRANGE', 'k', '5', '2']);
      await enc(['DEL', 'k'], ['SETRANGE', 'k', '0', 'ab']);
      await enc(['SET', 'k', 'ab'], ['APPEND', 'k', 'cd']);
      await enc(['DEL', 'k'], ['APPEND', 'k', '12']);
      await enc(['SET', 'k', '1'], ['SETBIT', 'k', '6', '1']);
      await enc(['DEL', 'k'], ['SETBIT', 'k', '7', '1']);
      await enc(['DEL', 'k'], ['BITFIELD', 'k', 'SET', 'u8', '0', '65']);
      await enc(['SET', 'k', 'x'.repeat(50)], ['SET', 'k', '12']);
      await enc(['INCR', 'k']);
      await enc(['SET', 's', 'x'], ['BITOP', 'NOT', 'k', 's']);
      await enc(['DEL', 'k'], ['PFADD', 'k', 'a']);
      const dbg = await c.callMany([
        ['SET', 'k', 'abc'],
        ['SETRANGE', 'k', '1', 'X'],
        ['DEBUG', 'OBJECT', 'k'],
      ]);
      log.push(/encoding:\w+/.exec(text(dbg[2]))?.[0] ?? text(dbg[2]));
    } finally {
      c.close();
    }
  },

  async 'CLIENT LIST query buffer: 16 KB after a read, freed when idle, trimmed after a big argument'(
    port,
    log,
  ) {
    const admin = await RawRespClient.connect(port);
    const c = await RawRespClient.connect(port);
    try {
      await c.call(['CLIENT', 'SETNAME', 'qb']);
      const first = await queryBuffer(admin, 'qb');
      log.push(`after a small read ${first >= 16384 && first < 32768}`);
      const idle = async () =>
        (await clientField(admin, 'qb', 'idle')) >= 3 && (await queryBuffer(admin, 'qb')) === 0;
      log.push(`freed when idle ${await waitFor(idle, 6000)}`);
      await c.call(['SET', 'x', 'A'.repeat(400000)]);
      const big = await queryBuffer(admin, 'qb');
      log.push(`after a big argument ${big > 32768}`);
      let now = big;
      const deadline = Date.now() + 2000;
      while (now >= big && Date.now() < deadline) {
        await c.call(['SET', 'x', 'A'.repeat(100)]);
        now = await queryBuffer(admin, 'qb');
        await pause(10);
      }
      log.push(`trimmed to the recent peak ${now > 0 && now < big}`);
    } finally {
      admin.close();
      c.close();
    }
  },

  async 'CLIENT LIST reply buffer: shrinks when idle, grows under big replies; DEBUG REPLYBUFFER'(port, log) {
    const admin = await RawRespClient.connect(port);
    const c = await RawRespClient.connect(port);
    try {
      log.push(text(await admin.call(['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', '100'])));
      await c.call(['CLIENT', 'SETNAME', 'rb']);
      const rbs = () => clientField(admin, 'rb', 'rbs');
      log.push(
        `idle shrink ${await waitFor(async () => (await rbs()) >= 1024 && (await rbs()) < 2046, 3000)}`,
      );
      await admin.call(['SET', 'bigval', 'x'.repeat(32768)]);
      log.push(text(await admin.call(['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'never'])));
      const grown = async () => {
        await c.call(['GET', 'bigval']);
        const n = await rbs();
        return n >= 16384 && n < 32768;
      };
      log.push(`busy growth ${await waitFor(grown, 3000)}`);
      log.push(
        text(
          await admin.callMany([
            ['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'reset'],
            ['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'soon'],
            ['DEBUG', 'REPLYBUFFER', 'RESIZING', '1'],
            ['DEBUG', 'REPLYBUFFER', 'SIZE', '1'],
          ]),
        ),
      );
    } finally {
      await admin.call(['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'reset']);
      admin.close();
      c.close();
    }
  },
};

describe('differential server-internals sessions: Cairn vs redis-server', () => {
  let redis: RedisProcess;
  let cairn: CairnProcess;

  beforeAll(async () => {
    if (!existsSync(CAIRN_BIN)) throw new Error(`${CAIRN_BIN} is missing: run \`npm run build\` first`);
    [redis, cairn] = await Promise.all([startRedis(['--enable-debug-command', 'yes']), startCairn()]);
  });

  afterAll(async () => {
    await Promise.all([redis?.stop(), cairn?.stop()]);
  });

  for (const [name, session] of Object.entries(SESSIONS)) {
    it(name, { timeout: 30_000 }, async () => {
      const want: string[] = [];
      const got: string[] = [];
      // Both servers at once: the idle waits overlap.
      await Promise.all([session(redis.port, want), session(cairn.respPort, got)]);
      expect(got).toEqual(want);
    });
  }
});
