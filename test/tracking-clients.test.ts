/**
 * Client-side caching and MONITOR with real clients against the compiled server: node-redis's
 * RESP3 client-side cache (CLIENT TRACKING under the hood) dropping a value another client
 * changed, raw sockets checking the invalidation bytes in RESP3 and through a RESP2 REDIRECT
 * client subscribed to __redis__:invalidate, and ioredis in monitor mode.
 */
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { frame, RawClient } from './resp-support.js';

let cairn: CairnProcess;

beforeAll(async () => {
  cairn = await startCairn();
});

afterAll(async () => {
  await cairn?.stop();
});

describe('node-redis client-side cache (RESP3)', () => {
  it('serves a read from its cache until another client changes the key', async () => {
    const url = `redis://127.0.0.1:${cairn.respPort}`;
    const cached = createClient({ url, RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0 } });
    const writer = createClient({ url });
    await Promise.all([cached.connect(), writer.connect()]);
    try {
      const cache = cached.clientSideCache!;
      await writer.set('csc:k', 'v1');
      expect(await cached.get('csc:k')).toBe('v1');
      expect(await cached.get('csc:k')).toBe('v1');
      expect(cache.stats().hitCount).toBe(1);
      expect(cache.size()).toBe(1);
      const info = await writer.sendCommand(['CLIENT', 'LIST']);
      expect(String(info)).toMatch(/ flags=t .*resp=3/);

      const invalidated = once(cache, 'invalidate');
      await writer.set('csc:k', 'v2');
      const [key] = await invalidated;
      expect(String(key)).toBe('csc:k');
      expect(cache.size()).toBe(0);
      expect(await cached.get('csc:k')).toBe('v2');
      expect(cache.stats().missCount).toBe(2);

      // FLUSHALL drops everything at once (the server sends a null).
      expect(await cached.get('csc:k')).toBe('v2');
      const flushed = once(cache, 'invalidate');
      await writer.flushAll();
      expect((await flushed)[0]).toBeNull();
      expect(await cached.get('csc:k')).toBeNull();
    } finally {
      cached.destroy();
      writer.destroy();
    }
  });
});

/** Send, wait for `n` replies, return their bytes as text. */
async function ask(c: RawClient, data: Buffer, n: number): Promise<string> {
  return (await c.exchange(data, n)).reply;
}

const INVALIDATE_K = '>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n';

describe('raw sockets', () => {
  it('RESP3: a push per changed key, after the reply of the command that changed it', async () => {
    const a = await RawClient.connect(cairn.respPort);
    const b = await RawClient.connect(cairn.respPort);
    try {
      await ask(a, frame('HELLO', '3'), 1);
      expect(await ask(a, Buffer.concat([frame('CLIENT', 'TRACKING', 'on'), frame('GET', 'k')]), 2)).toBe(
        '+OK\r\n_\r\n',
      );
      expect(await ask(b, frame('SET', 'k', '1'), 1)).toBe('+OK\r\n');
      await a.readUntil(INVALIDATE_K);
      expect(await ask(a, Buffer.concat([frame('GET', 'k'), frame('SET', 'k', '2'), frame('PING')]), 4)).toBe(
        `$1\r\n1\r\n+OK\r\n${INVALIDATE_K}+PONG\r\n`,
      );
      expect(await ask(a, frame('FLUSHALL'), 2)).toBe('+OK\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n');
    } finally {
      a.socket.destroy();
      b.socket.destroy();
    }
  });

  it('RESP2: invalidations reach the REDIRECT client as __redis__:invalidate messages', async () => {
    const r = await RawClient.connect(cairn.respPort);
    const a = await RawClient.connect(cairn.respPort);
    const b = await RawClient.connect(cairn.respPort);
    try {
      const id = /^:(\d+)\r\n$/.exec(await ask(r, frame('CLIENT', 'ID'), 1))![1];
      expect(await ask(r, frame('SUBSCRIBE', '__redis__:invalidate'), 1)).toBe(
        '*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n',
      );
      expect(await ask(a, frame('CLIENT', 'TRACKING', 'on', 'REDIRECT', id), 1)).toBe('+OK\r\n');
      expect(await ask(a, frame('CLIENT', 'GETREDIR'), 1)).toBe(`:${id}\r\n`);
      await ask(a, frame('GET', 'k'), 1);
      await ask(b, frame('SET', 'k', 'x'), 1);
      const message = '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n';
      expect(await r.readUntil(message)).toContain(message);
      // The tracking client itself, in RESP2, is sent nothing.
      expect(await ask(a, frame('PING'), 1)).toBe('+PONG\r\n');
      // The redirect client goes away: the RESP2 client cannot be told, and CLIENT LIST shows R.
      r.socket.destroy();
      // Wait (round trip by round trip) until the server has seen the connection go.
      for (let i = 0; i < 1000; i++) {
        if (!(await ask(a, frame('CLIENT', 'LIST'), 1)).includes(`id=${id} `)) break;
      }
      await ask(a, frame('GET', 'k'), 1);
      await ask(b, frame('SET', 'k', 'y'), 1);
      expect(await ask(a, frame('CLIENT', 'INFO'), 1)).toMatch(new RegExp(` flags=tR .* redir=${id} `));
    } finally {
      r.socket.destroy();
      a.socket.destroy();
      b.socket.destroy();
    }
  });
});

describe('MONITOR', () => {
  it('streams every command to ioredis in monitor mode, and stops with the connection', async () => {
    const client = new Redis({ port: cairn.respPort, maxRetriesPerRequest: 0 });
    const monitor = await client.monitor();
    const seen: Array<{ args: string[]; source: string; db: string }> = [];
    const done = new Promise<void>((resolve) => {
      monitor.on('monitor', (_time: string, args: string[], source: string, db: string) => {
        seen.push({ args, source, db });
        if (args[0].toLowerCase() === 'echo') resolve();
      });
    });
    const writer = new Redis({ port: cairn.respPort, maxRetriesPerRequest: 0, db: 3 });
    try {
      await writer.set('mon:k', 'a "quoted"\nvalue');
      await writer.config('GET', 'maxmemory');
      await writer.echo('last');
      await done;
      // Admin commands (CONFIG) are never shown; the client's own set-up commands may be.
      const mine = seen.filter((s) => ['set', 'config', 'echo'].includes(s.args[0].toLowerCase()));
      expect(mine.map((s) => s.args)).toEqual([
        // ioredis unescapes the quotes of the monitor line, not the \n.
        ['set', 'mon:k', 'a "quoted"\\nvalue'],
        ['echo', 'last'],
      ]);
      expect(mine[0].source).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(mine[0].db).toBe('3');
      const list = await writer.client('LIST');
      expect(String(list)).toMatch(/ flags=O .*cmd=monitor/);
    } finally {
      monitor.disconnect();
      client.disconnect();
      writer.disconnect();
    }
  });

  it('drops a monitor that does not read once past the pubsub output class', async () => {
    const admin = new Redis({ port: cairn.respPort, maxRetriesPerRequest: 0 });
    const stalled = await RawClient.connect(cairn.respPort);
    try {
      expect(await admin.config('SET', 'client-output-buffer-limit', 'pubsub 1mb 256kb 60')).toBe('OK');
      expect(await ask(stalled, frame('MONITOR'), 1)).toBe('+OK\r\n');
      stalled.socket.pause();
      const payload = Buffer.alloc(64 * 1024, 'm');
      // Socket buffers in the kernel absorb some megabytes first, hence the generous cap.
      let monitors = 1;
      let sent = 0;
      while (monitors === 1 && sent < 2000) {
        await admin.set('mon:big', payload);
        sent++;
        monitors = (String(await admin.client('LIST')).match(/ flags=O /g) ?? []).length;
      }
      expect(monitors).toBe(0);
      expect(sent).toBeGreaterThan(16);
      // The log line reaches the test through a pipe, possibly after CLIENT LIST's answer.
      await vi.waitFor(
        () => expect(cairn.logs()).toContain('Client closed for overcoming of output buffer limits'),
        {
          timeout: 10_000,
          interval: 5,
        },
      );
    } finally {
      stalled.socket.destroy();
      await admin.config('SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
      admin.disconnect();
    }
  });
});
