/**
 * The replication stream, differential: the same writes go to Cairn and to a real redis-server,
 * each with a replica attached as Redis's test suite attaches one (SYNC on a raw socket), and
 * both must send their replica the same commands (timestamps and generated stream IDs aside).
 * Also: a replica that does not read is dropped at the `replica` output buffer limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';
import { parseReply, RawRespClient } from './differential/resp-client.js';
import { FeedSocket } from './replication/feed-socket.js';
import { SCENARIOS, type Scenario } from './replication/scenarios.js';

let cairn: CairnProcess;
let redis: RedisProcess;

beforeAll(async () => {
  [cairn, redis] = await Promise.all([startCairn(), startRedis(['--enable-debug-command', 'yes'])]);
});

afterAll(async () => {
  await Promise.all([cairn?.stop(), redis?.stop()]);
});

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const END = '__end__';

async function call(c: RawRespClient, argv: string[]): Promise<Buffer> {
  return c.call(argv.map(latin1));
}

/** Wait until the server counts `n` blocked clients (the event itself, no fixed sleep). */
async function blockedClients(c: RawRespClient, n: number): Promise<void> {
  for (;;) {
    const info = (await call(c, ['INFO', 'clients'])).toString('latin1');
    if (info.includes(`blocked_clients:${n}\r\n`)) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Run a scenario against one server; the commands its replica received, as text. */
async function streamOf(port: number, s: Scenario): Promise<string[]> {
  const main = await RawRespClient.connect(port);
  const other = await RawRespClient.connect(port);
  await call(main, ['FLUSHALL']);
  await call(main, ['FUNCTION', 'FLUSH']);
  await call(main, ['DEBUG', 'SET-ACTIVE-EXPIRE', '0']);
  const feed = await FeedSocket.attach(port);
  try {
    const pending: Promise<Buffer>[] = [];
    for (const step of s.steps) {
      if (Array.isArray(step)) await call(main, step);
      else if ('block' in step) {
        pending.push(call(other, step.block));
        await blockedClients(main, 1);
      } else if ('served' in step) {
        for (const reply of await Promise.all(pending.splice(0)))
          expect(parseReply(reply).t, `a served reply in "${s.name}"`).not.toBe('null');
      } else await new Promise((r) => setTimeout(r, step.ttl));
    }
    await call(main, ['SET', END, '1']);
    const got = await feed.readUntil((args) => args[1] === END);
    return got.map((args) => args.map(normalize).join(' '));
  } finally {
    await call(main, ['DEBUG', 'SET-ACTIVE-EXPIRE', '1']);
    feed.close();
    main.close();
    other.close();
  }
}

/** Millisecond times and the IDs generated from them differ between the two runs. */
function normalize(arg: string): string {
  return arg.replace(/^\d{13}$/, '<ms>').replace(/^\d{13}-\d+$/, '<ms>-<seq>');
}

describe('replication stream, against redis-server', () => {
  for (const s of SCENARIOS) {
    it(s.name, async () => {
      const expected = await streamOf(redis.port, s);
      const got = await streamOf(cairn.respPort, s);
      // The scenario must propagate something beyond its end marker to test anything.
      expect(expected.length).toBeGreaterThan(2);
      expect(got).toEqual(expected);
    });
  }
});

describe('replica output buffer limit', () => {
  it('drops a replica that does not read past the replica hard limit, keeps one that reads', async () => {
    const main = await RawRespClient.connect(cairn.respPort);
    await call(main, ['CONFIG', 'SET', 'client-output-buffer-limit', 'replica 1mb 0 0']);
    const reading = await FeedSocket.attach(cairn.respPort);
    const stuck = await FeedSocket.attach(cairn.respPort);
    stuck.socket.pause();
    try {
      const value = 'x'.repeat(256 * 1024);
      // 32 MB of writes: far past the limit plus what the kernel's socket buffers hold.
      for (let i = 0; i < 128; i++) await call(main, ['SET', `big:${i % 4}`, value]);
      await stuck.whenClosed();
      const got = await reading.readUntil((args) => args[1] === 'big:3' && args[0] === 'SET');
      expect(got.length).toBeGreaterThan(0);
      await call(main, ['SET', END, '1']);
      await reading.readUntil((args) => args[1] === END);
      expect(reading.closed).toBe(false);
      const info = (await call(main, ['INFO', 'replication'])).toString('latin1');
      expect(info).toContain('connected_slaves:1\r\n');
    } finally {
      await call(main, ['CONFIG', 'SET', 'client-output-buffer-limit', 'replica 256mb 64mb 60']);
      reading.close();
      stuck.close();
      main.close();
    }
  });
});
