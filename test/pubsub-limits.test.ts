/**
 * The `pubsub` output-buffer class against the compiled server: a subscriber that never reads
 * is disconnected once its pending output passes the class's hard limit, while a subscriber
 * that reads keeps receiving every message, and a normal client is held to its own class.
 */
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';

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

/** A raw subscriber: subscribes, reads the confirmation, then stops reading altogether. */
async function stalledSubscriber(port: number, channel: string): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => {});
  await new Promise<void>((resolve) => s.once('connect', () => resolve()));
  const confirmed = new Promise<string>((resolve) =>
    s.once('data', (d: Buffer) => resolve(d.toString('latin1'))),
  );
  s.write(`*2\r\n$9\r\nSUBSCRIBE\r\n$${channel.length}\r\n${channel}\r\n`);
  expect(await confirmed).toBe(`*3\r\n$9\r\nsubscribe\r\n$${channel.length}\r\n${channel}\r\n:1\r\n`);
  s.pause();
  return s;
}

describe('client-output-buffer-limit pubsub', () => {
  it("defaults to Redis's classes", async () => {
    const [, value] = (await admin.config('GET', 'client-output-buffer-limit')) as string[];
    expect(value).toBe('normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
  });

  it('drops a subscriber that does not read; one that reads gets every message', async () => {
    expect(await admin.config('SET', 'client-output-buffer-limit', 'pubsub 1mb 256kb 60')).toBe('OK');
    const channel = 'firehose';
    const stalled = await stalledSubscriber(cairn.respPort, channel);
    const reader = new Redis({ port: cairn.respPort, host: '127.0.0.1', protocol: 3 });
    try {
      await reader.subscribe(channel);
      let received = 0;
      let onReceived: (() => void) | null = null;
      reader.on('messageBuffer', () => {
        received++;
        onReceived?.();
      });
      // The reader takes each message before the next is published, so only the stalled
      // subscriber's buffer grows, however slowly this test process runs on a loaded machine.
      const readerCaughtUp = (n: number) =>
        new Promise<void>((resolve) => {
          onReceived = () => {
            if (received < n) return;
            onReceived = null;
            resolve();
          };
          onReceived();
        });
      const payload = Buffer.alloc(64 * 1024, 'x');
      // Publish until the stalled subscriber is gone (one receiver left). Socket buffers in the
      // kernel absorb some megabytes before the server's own buffer grows, hence the generous cap.
      let published = 0;
      let receivers = 2;
      while (receivers === 2 && published < 2000) {
        receivers = (await admin.publish(channel, payload)) as number;
        published++;
        await readerCaughtUp(published);
      }
      expect(receivers).toBe(1);
      expect(published).toBeGreaterThan(16);
      // The server logs the close as it drops the client; the line may reach this process a
      // moment after PUBLISH's reply, so wait for it (bounded) rather than read it at once.
      const logged = 'Client closed for overcoming of output buffer limits';
      for (let i = 0; i < 250 && !cairn.logs().includes(logged); i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(cairn.logs()).toContain(logged);
      // The reader keeps receiving: one more message, then all of them arrived.
      const last = new Promise<void>((resolve) => reader.on('message', (_c, m) => m === 'last' && resolve()));
      expect(await admin.publish(channel, 'last')).toBe(1);
      await last;
      expect(received).toBe(published + 1);
      expect(await admin.pubsub('NUMSUB', channel)).toEqual([channel, 1]);
      // The stalled socket, once it reads again, finds the connection closed by the server.
      const closed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
      stalled.resume();
      await closed;
    } finally {
      stalled.destroy();
      reader.disconnect();
      await admin.config('SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
    }
  });

  it('applies to subscribed clients only: a normal client keeps its own (unlimited) class', async () => {
    expect(await admin.config('SET', 'client-output-buffer-limit', 'pubsub 1mb 256kb 60')).toBe('OK');
    const big = Buffer.alloc(3 * 1024 * 1024, 'y');
    try {
      await admin.set('big', big);
      const client = new Redis({
        port: cairn.respPort,
        host: '127.0.0.1',
        protocol: 3,
        retryStrategy: () => null,
      });
      client.on('error', () => {});
      try {
        expect((await client.getBuffer('big'))?.length).toBe(big.length);
        // Subscribed (RESP3 allows GET there), the same client is of class pubsub: 3 MB of
        // pending output is past its 1 MB hard limit, and the server drops it, as Redis does.
        await client.subscribe('some-channel');
        const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
        await expect(client.getBuffer('big')).rejects.toThrow();
        await ended;
      } finally {
        client.disconnect();
      }
    } finally {
      await admin.del('big');
      await admin.config('SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
    }
  });
});
