/**
 * Pub/sub with real clients against the compiled server: ioredis and node-redis subscribers in
 * RESP2 and RESP3 (channels, patterns, shard channels), a RESP3 subscriber running commands
 * between messages, PUBLISH from the HTTP command API and gRPC Execute reaching RESP
 * subscribers, and ACL channel rules (NOPERM, and the disconnect when a user loses a channel).
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { cairnClient } from './helpers/grpc.js';
import { call } from './helpers/http.js';

let cairn: CairnProcess;
let admin: Redis;

beforeAll(async () => {
  cairn = await startCairn();
  admin = new Redis({ port: cairn.respPort, host: '127.0.0.1', protocol: 2 });
});

afterAll(async () => {
  admin?.disconnect();
  await cairn?.stop();
});

/** Resolves with the first `n` emissions of `event` (each as its argument list). */
function collect(emitter: NodeJS.EventEmitter, event: string, n: number): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    const got: unknown[][] = [];
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${n} '${event}' events`)), 5000);
    const on = (...args: unknown[]) => {
      got.push(args);
      if (got.length === n) {
        clearTimeout(timer);
        emitter.off(event, on);
        resolve(got);
      }
    };
    emitter.on(event, on);
  });
}

describe('ioredis subscribers', () => {
  for (const protocol of [2, 3] as const) {
    it(`receive channel, pattern and shard messages over RESP${protocol}`, async () => {
      const sub = new Redis({ port: cairn.respPort, host: '127.0.0.1', protocol });
      const pre = `io${protocol}`;
      try {
        expect(await sub.subscribe(`${pre}:a`, `${pre}:b`)).toBe(2);
        expect(await sub.psubscribe(`${pre}:p.*`)).toBe(3);
        expect(await sub.ssubscribe(`${pre}:s`)).toBe(1);
        const messages = collect(sub, 'message', 2);
        const pmessages = collect(sub, 'pmessage', 1);
        const smessages = collect(sub, 'smessage', 1);
        expect(await admin.publish(`${pre}:a`, 'one')).toBe(1);
        expect(await admin.publish(`${pre}:b`, Buffer.from([0, 1, 0xff]))).toBe(1);
        expect(await admin.publish(`${pre}:p.x`, 'pat')).toBe(1);
        expect(await admin.spublish(`${pre}:s`, 'shard')).toBe(1);
        expect(await admin.publish(`${pre}:none`, 'x')).toBe(0);
        const m = await messages;
        expect(m[0]).toEqual([`${pre}:a`, 'one']);
        expect(m[1][0]).toBe(`${pre}:b`);
        expect(await pmessages).toEqual([[`${pre}:p.*`, `${pre}:p.x`, 'pat']]);
        expect(await smessages).toEqual([[`${pre}:s`, 'shard']]);
        expect(await admin.pubsub('NUMSUB', `${pre}:a`, `${pre}:zz`)).toEqual([
          `${pre}:a`,
          1,
          `${pre}:zz`,
          0,
        ]);
        expect(await admin.pubsub('NUMPAT')).toBeGreaterThanOrEqual(1);
        expect(await admin.pubsub('SHARDCHANNELS', `${pre}:*`)).toEqual([`${pre}:s`]);
        // (ioredis's bare UNSUBSCRIBE waits for a count of 0 that patterns keep above 0, on Redis too.)
        expect(await sub.unsubscribe(`${pre}:a`, `${pre}:b`)).toBe(1);
        expect(await sub.punsubscribe(`${pre}:p.*`)).toBe(0);
        expect(await sub.sunsubscribe(`${pre}:s`)).toBe(0);
        expect(await admin.publish(`${pre}:a`, 'after')).toBe(0);
        // Out of subscribed mode the same connection runs ordinary commands again.
        expect(await sub.ping()).toBe('PONG');
      } finally {
        sub.disconnect();
      }
    });
  }
});

describe('node-redis subscribers', () => {
  for (const RESP of [2, 3] as const) {
    it(`subscribe, pSubscribe, sSubscribe over RESP${RESP}`, async () => {
      const client = createClient({
        socket: { port: cairn.respPort, host: '127.0.0.1', reconnectStrategy: false },
        RESP,
      });
      client.on('error', () => {});
      await client.connect();
      const sub = client.duplicate();
      sub.on('error', () => {});
      await sub.connect();
      const pre = `nr${RESP}`;
      try {
        const got: string[] = [];
        let resolveAll!: () => void;
        const all = new Promise<void>((r) => {
          resolveAll = r;
        });
        const note = (s: string) => {
          got.push(s);
          if (got.length === 3) resolveAll();
        };
        await sub.subscribe(`${pre}:c`, (message, channel) => note(`message ${channel} ${message}`));
        await sub.pSubscribe(`${pre}:p*`, (message, channel) => note(`pmessage ${channel} ${message}`));
        await sub.sSubscribe(`${pre}:s`, (message, channel) => note(`smessage ${channel} ${message}`));
        if (RESP === 3) {
          // RESP3 has no subscribed mode: the same connection runs any command.
          expect(await sub.set(`${pre}:k`, 'v')).toBe('OK');
          expect(await sub.get(`${pre}:k`)).toBe('v');
        }
        expect(await client.publish(`${pre}:c`, 'hello')).toBe(1);
        expect(await client.publish(`${pre}:px`, 'pat')).toBe(1);
        expect(await client.sPublish(`${pre}:s`, 'shard')).toBe(1);
        await all;
        expect(got).toEqual([`message ${pre}:c hello`, `pmessage ${pre}:px pat`, `smessage ${pre}:s shard`]);
        expect(await client.pubSubNumSub([`${pre}:c`])).toEqual({ [`${pre}:c`]: 1 });
        await sub.unsubscribe(`${pre}:c`);
        expect(await client.publish(`${pre}:c`, 'gone')).toBe(0);
      } finally {
        sub.destroy();
        client.destroy();
      }
    });
  }
});

describe('PUBLISH from the other doors', () => {
  it('HTTP and gRPC publish to RESP subscribers; subscribing over HTTP is refused', async () => {
    const sub = new Redis({ port: cairn.respPort, host: '127.0.0.1', protocol: 3 });
    const rpc = cairnClient(cairn.grpcPort);
    try {
      await sub.subscribe('doors');
      const messages = collect(sub, 'message', 2);
      const base = `http://127.0.0.1:${cairn.httpPort}`;
      expect((await call(base, 'POST', '/', ['PUBLISH', 'doors', 'from-http'])).json).toEqual({ result: 1 });
      const res = await rpc.unary('Execute', {
        args: ['PUBLISH', 'doors', 'from-grpc'].map((s) => Buffer.from(s)),
      });
      expect(Number(res.reply.integer)).toBe(1);
      expect(await messages).toEqual([
        ['doors', 'from-http'],
        ['doors', 'from-grpc'],
      ]);
      const refused = await call(base, 'POST', '/', ['SUBSCRIBE', 'doors']);
      expect(refused.status).toBe(400);
      expect(refused.json.error).toMatch(/^ERR 'subscribe' is not available over HTTP/);
      expect((await call(base, 'POST', '/', ['PUBSUB', 'NUMSUB', 'doors'])).json).toEqual({
        result: ['doors', 1],
      });
    } finally {
      rpc.close();
      sub.disconnect();
    }
  });
});

describe('ACL channel rules', () => {
  it('refuses forbidden channels and drops a subscriber whose user loses its channel', async () => {
    await admin.call('ACL', 'SETUSER', 'ps-reader', 'on', '>pw', '~*', '+@all', '&news.*');
    const sub = new Redis({ port: cairn.respPort, host: '127.0.0.1', username: 'ps-reader', password: 'pw' });
    try {
      await expect(sub.publish('sport', 'x')).rejects.toThrow(
        'NOPERM this user has no permissions to access one of the channels used as arguments',
      );
      expect(await sub.publish('news.eu', 'x')).toBe(0);
      expect(await sub.subscribe('news.eu')).toBe(1);
      const closed = new Promise<void>((resolve) => sub.once('end', () => resolve()));
      sub.options.retryStrategy = () => null;
      // A superset of rules keeps the subscriber; losing news.* drops it.
      expect(await admin.call('ACL', 'SETUSER', 'ps-reader', '&alerts')).toBe('OK');
      expect(await admin.pubsub('NUMSUB', 'news.eu')).toEqual(['news.eu', 1]);
      expect(await admin.call('ACL', 'SETUSER', 'ps-reader', 'resetchannels', '&alerts')).toBe('OK');
      // Its subscriptions end with the ACL change, before the connection is gone.
      expect(await admin.pubsub('NUMSUB', 'news.eu')).toEqual(['news.eu', 0]);
      await closed;
      const log = (await admin.call('ACL', 'LOG', '1')) as unknown[][];
      expect(log[0]).toEqual(expect.arrayContaining(['reason', 'channel', 'object', 'sport']));
    } finally {
      sub.disconnect();
      await admin.call('ACL', 'DELUSER', 'ps-reader');
    }
  });
});
