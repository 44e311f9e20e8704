/**
 * Differential sessions with several clients, on a real redis-server and on Cairn: CLIENT PAUSE
 * (what waits, what runs, blocked_clients, the order of the answers after UNPAUSE), client
 * tracking around expiry, scripts, BLMOVE and tracking-table-max-keys, and the SLOWLOG entry of
 * a blocked command. Each session writes a log of what its clients saw; the logs must be equal.
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

/** INFO field `name` of the server behind `c`. */
async function info(c: RawRespClient, name: string): Promise<string> {
  const reply = text(await c.call(['INFO', 'everything']));
  return new RegExp(`\\r\\n${name}:([^\\r]*)`).exec(reply)?.[1] ?? '';
}

/** Wait (polling, as Redis's own tests do) until `name` reads `want`. */
async function waitInfo(c: RawRespClient, name: string, want: string): Promise<string> {
  const deadline = Date.now() + 5000;
  let v = await info(c, name);
  while (v !== want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    v = await info(c, name);
  }
  return v;
}

const SESSIONS: Record<string, Session> = {
  async 'CLIENT PAUSE WRITE holds writes and may-replicate commands, in arrival order'(port, log) {
    const admin = await RawRespClient.connect(port);
    const a = await PushClient.connect(port);
    const b = await PushClient.connect(port);
    try {
      await admin.callMany([['FLUSHALL'], ['SET', 'k', 'v'], ['PFADD', 'h', 'x']]);
      log.push(text(await admin.call(['CLIENT', 'PAUSE', '60000', 'WRITE'])));
      a.send([['GET', 'k'], ['PING'], ['EVAL_RO', "return redis.call('get', KEYS[1])", '1', 'k']]);
      a.send([['EVAL', '#!lua flags=no-writes\nreturn 7', '0']]);
      log.push(text(await a.take(4)));
      log.push(await info(admin, 'blocked_clients'));
      b.send([['SET', 'k', 'w']]);
      log.push(await waitInfo(admin, 'blocked_clients', '1'));
      a.send([['PFCOUNT', 'h']]);
      log.push(await waitInfo(admin, 'blocked_clients', '2'));
      log.push(`queued ${a.queued} ${b.queued}`);
      log.push(text(await admin.call(['GET', 'k'])));
      log.push(text(await admin.call(['CLIENT', 'UNPAUSE'])));
      log.push(text(await b.take(1)), text(await a.take(1)));
      log.push(text(await admin.call(['GET', 'k'])));
      log.push(await info(admin, 'blocked_clients'));
      // A transaction is held as a whole when it writes; the pause starts after an EXEC.
      a.send([['MULTI'], ['SET', 'q', '1']]);
      log.push(text(await a.take(2)));
      await admin.call(['CLIENT', 'PAUSE', '60000', 'WRITE']);
      a.send([['EXEC']]);
      log.push(await waitInfo(admin, 'blocked_clients', '1'));
      await admin.call(['CLIENT', 'UNPAUSE']);
      log.push(text(await a.take(1)));
      log.push(
        text(
          await admin.callMany([
            ['MULTI'],
            ['SET', 'FOO1', 'BAR'],
            ['CLIENT', 'PAUSE', '60000', 'WRITE'],
            ['SET', 'FOO2', 'BAR'],
            ['EXEC'],
          ]),
        ),
      );
      b.send([['SET', 'FOO3', 'BAR']]);
      log.push(await waitInfo(admin, 'blocked_clients', '1'));
      log.push(
        text(
          await admin.callMany([
            ['GET', 'FOO2'],
            ['GET', 'FOO3'],
            ['CLIENT', 'UNPAUSE'],
          ]),
        ),
      );
      log.push(text(await b.take(1)));
    } finally {
      await admin.call(['CLIENT', 'UNPAUSE']).catch(() => undefined);
      admin.close();
      a.close();
      b.close();
    }
  },

  async 'tracking: an expiry is nobody\u2019s change, NOLOOP clients hear of it'(port, log) {
    const redir = await PushClient.connect(port);
    const r = await RawRespClient.connect(port);
    try {
      await r.call(['FLUSHALL']);
      redir.send([['CLIENT', 'ID']]);
      const id = text(await redir.take(1)).slice(1, -2);
      redir.send([['SUBSCRIBE', '__redis__:invalidate']]);
      await redir.take(1);
      log.push(text(await r.call(['CLIENT', 'TRACKING', 'on', 'BCAST', 'REDIRECT', id, 'NOLOOP'])));
      log.push(
        text(
          await r.callMany([
            ['MULTI'],
            ['SET', 'mykey', 'myval', 'PX', '1'],
            ['SET', 'other', 'myval'],
            ['DEBUG', 'SLEEP', '0.05'],
            ['GET', 'mykey'],
            ['EXEC'],
          ]),
        ),
      );
      log.push(text(await redir.take(1)));
    } finally {
      r.close();
      redir.close();
    }
  },

  async 'tracking: a script that reads tracks the keys it declares'(port, log) {
    const r = await PushClient.connect(port);
    const w = await RawRespClient.connect(port);
    try {
      await w.call(['FLUSHALL']);
      r.send([
        ['HELLO', '3'],
        ['CLIENT', 'TRACKING', 'on'],
      ]);
      await r.take(2);
      r.send([['EVAL', "redis.call('set', 'key3', 'bar')", '2', 'key1', 'key2']]);
      r.send([['EVAL', "redis.call('get', 'key3')", '2', 'key1', 'key2']]);
      log.push(text(await r.take(2)));
      await w.call(['MSET', 'key2', '2', 'key1', '2', 'key3', '2']);
      log.push(text(await r.take(2)));
      r.send([['PING']]);
      log.push(text(await r.take(1)));
    } finally {
      r.close();
      w.close();
    }
  },

  async 'tracking: a served BLMOVE gets its reply before its invalidation'(port, log) {
    const r = await PushClient.connect(port);
    const w = await RawRespClient.connect(port);
    try {
      await w.callMany([['FLUSHALL'], ['RPUSH', 'list2', 'a']]);
      r.send([
        ['HELLO', '3'],
        ['CLIENT', 'TRACKING', 'on'],
        ['LRANGE', 'list2', '0', '-1'],
      ]);
      await r.take(3);
      r.send([['BLMOVE', 'list1', 'list2', 'LEFT', 'LEFT', '0']]);
      log.push(await waitInfo(w, 'blocked_clients', '1'));
      await w.call(['RPUSH', 'list1', 'foo']);
      log.push(text(await r.take(2)));
    } finally {
      r.close();
      w.close();
    }
  },

  async 'tracking: the table shrinks to tracking-table-max-keys with no command'(port, log) {
    const redir = await PushClient.connect(port);
    const r = await RawRespClient.connect(port);
    try {
      await r.call(['FLUSHALL']);
      redir.send([['CLIENT', 'ID']]);
      const id = text(await redir.take(1)).slice(1, -2);
      redir.send([['SUBSCRIBE', '__redis__:invalidate']]);
      await redir.take(1);
      await r.call(['CLIENT', 'TRACKING', 'on', 'REDIRECT', id]);
      for (let i = 0; i < 150; i++)
        await r.callMany([
          ['SET', `key${i}`, '1'],
          ['GET', `key${i}`],
        ]);
      await r.call(['CONFIG', 'SET', 'tracking-table-max-keys', '1']);
      await redir.take(149, 10_000);
      redir.send([['PING']]);
      log.push(text(await redir.take(1)));
      log.push(await info(r, 'tracking_total_keys'));
    } finally {
      await r.call(['CONFIG', 'SET', 'tracking-table-max-keys', '1000000']);
      r.close();
      redir.close();
    }
  },

  async 'SLOWLOG logs a blocked command when it is served, and redacts masterauth'(port, log) {
    const r = await RawRespClient.connect(port);
    const b = await PushClient.connect(port);
    try {
      await r.callMany([['FLUSHALL'], ['CONFIG', 'SET', 'slowlog-log-slower-than', '0']]);
      b.send([['BLPOP', 'l', '0']]);
      log.push(await waitInfo(r, 'blocked_clients', '1'));
      await r.callMany([['MULTI'], ['LPUSH', 'l', 'foo'], ['SLOWLOG', 'RESET'], ['EXEC']]);
      log.push(text(await b.take(1)));
      await r.call(['CONFIG', 'SET', 'masterauth', '']);
      await r.call(['CONFIG', 'SET', 'slowlog-log-slower-than', '-1']);
      const entries = text(await r.call(['SLOWLOG', 'GET']));
      log.push(
        [...entries.matchAll(/\*\d+\r\n((?:\$\d+\r\n[^\r]*\r\n)+)\$\d+\r\n[\d.:]+\r\n\$0\r\n/g)]
          .map((m) => m[1].replace(/\$\d+\r\n/g, '').replace(/\r\n/g, ' '))
          .join('|'),
      );
    } finally {
      await r.call(['CONFIG', 'SET', 'slowlog-log-slower-than', '10000']);
      r.close();
      b.close();
    }
  },
};

describe('differential pause, tracking and slowlog sessions: Cairn vs redis-server', () => {
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
    it(name, async () => {
      const want: string[] = [];
      await session(redis.port, want);
      const got: string[] = [];
      await session(cairn.respPort, got);
      expect(got).toEqual(want);
    });
  }
});
