/**
 * The replication stream, differential: the same writes go to Cairn and to a real redis-server,
 * each with a replica attached as Redis's test suite attaches one (SYNC on a raw socket), and
 * both must send their replica the same commands (timestamps and generated stream IDs aside).
 * Also: a replica that does not read is dropped at the `replica` output buffer limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReply, RawRespClient } from './differential/resp-client.js';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';
import { FeedSocket } from './replication/feed-socket.js';
import { SCENARIOS, type Scenario } from './replication/scenarios.js';

let cairn: CairnProcess;
let redis: RedisProcess;
/** Replicas a test started: stopped here too, should the test not get to its own cleanup. */
const replicas = new Set<RedisProcess>();

/** The longest any one wait may take: a hang fails with what it waited for, in this time. */
const WAIT_MS = 15_000;
/** Each test's own timeout, well under vitest's 60 s. */
const TEST_MS = 40_000;

beforeAll(async () => {
  [cairn, redis] = await Promise.all([startCairn(), startRedis(['--enable-debug-command', 'yes'])]);
});

afterAll(async () => {
  await Promise.all([cairn?.stop(), redis?.stop(), ...[...replicas].map((r) => r.stop())]);
});

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const END = '__end__';

async function call(c: RawRespClient, argv: string[]): Promise<Buffer> {
  return c.call(argv.map(latin1));
}

async function info(c: RawRespClient, section: string): Promise<string> {
  return (await call(c, ['INFO', section])).toString('latin1');
}

/**
 * Poll a server until `done` (a state it reports, not a fixed sleep); the state must hold until
 * seen (a poll can miss a passing one). Fails after WAIT_MS, saying what it waited for.
 */
async function until(what: string, done: () => Promise<boolean>, everyMs = 10): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`waited ${WAIT_MS} ms for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Wait until the server counts `n` blocked clients (the event itself, no fixed sleep). */
async function blockedClients(c: RawRespClient, n: number): Promise<void> {
  const line = `blocked_clients:${n}\r\n`;
  await until(line.trim(), async () => (await info(c, 'clients')).includes(line), 2);
}

async function connectedReplicas(c: RawRespClient, n: number): Promise<void> {
  const line = `connected_slaves:${n}\r\n`;
  await until(line.trim(), async () => (await info(c, 'replication')).includes(line), 5);
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
    // A `ping` goes out every repl-ping-replica-period (10 s) by the clock: a slow run of a
    // scenario catches one from either server, at no set place. It is no scenario's output.
    return got.filter((args) => args[0] !== 'ping').map((args) => args.map(normalize).join(' '));
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
    it(
      s.name,
      async () => {
        const expected = await streamOf(redis.port, s);
        const got = await streamOf(cairn.respPort, s);
        // The scenario must propagate something beyond its end marker to test anything.
        expect(expected.length).toBeGreaterThan(2);
        expect(got).toEqual(expected);
      },
      TEST_MS,
    );
  }
});

describe('a real redis-server as a replica of Cairn', () => {
  it(
    'loads the dataset, follows every later write, and shows in INFO with its port',
    async () => {
      const main = await RawRespClient.connect(cairn.respPort);
      await call(main, ['FLUSHALL']);
      await call(main, ['HSET', 'h', 'a', '1', 'b', '2']);
      const replica = await startRedis(['--replicaof', '127.0.0.1', String(cairn.respPort)]);
      replicas.add(replica);
      const r = await RawRespClient.connect(replica.port);
      try {
        await until('the link up', async () =>
          (await info(r, 'replication')).includes('master_link_status:up\r\n'),
        );
        await call(main, ['INCRBYFLOAT', 'f', '1.5']);
        await call(main, ['RPUSH', 'l', 'a', 'b', 'c']);
        await call(main, ['LMPOP', '1', 'l', 'LEFT', 'COUNT', '2']);
        await call(main, ['ZADD', 'z', '1', 'm']);
        await call(main, ['EVAL', "redis.call('sadd', 's', 'x'); redis.call('expire', 's', 1000)", '0']);
        await call(main, ['XADD', 'st', '*', 'f', 'v']);
        await call(main, ['SELECT', '5']);
        await call(main, ['SET', 'in5', 'y']);
        await call(main, ['SELECT', '0']);
        await call(main, ['SET', END, '1']);
        await until('the end marker', async () => parseReply(await call(r, ['GET', END])).t === 'bulk');
        const text = async (argv: string[]) => (await call(r, argv)).toString('latin1');
        expect(await text(['HGETALL', 'h'])).toBe('*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n');
        expect(await text(['GET', 'f'])).toBe('$3\r\n1.5\r\n');
        expect(await text(['LRANGE', 'l', '0', '-1'])).toBe('*1\r\n$1\r\nc\r\n');
        expect(await text(['SMEMBERS', 's'])).toBe('*1\r\n$1\r\nx\r\n');
        expect(await text(['TTL', 's'])).toMatch(/^:(1000|999)\r\n$/);
        expect(await text(['XLEN', 'st'])).toBe(':1\r\n');
        await call(r, ['SELECT', '5']);
        expect(await text(['GET', 'in5'])).toBe('$1\r\ny\r\n');
        await call(r, ['SELECT', '0']);
        // A key that expires on Cairn goes from the replica (which expires nothing itself, so
        // DBSIZE still counts it) when Cairn propagates its DEL. Cairn's active expiry is off
        // meanwhile: the key stays until the GET expires it, so the replica holding it is a state
        // to wait for. (With it on, SET and DEL can reach the replica in one read on a loaded
        // machine, and no poll ever sees the key.)
        const dbsize = async () => Number((await text(['DBSIZE'])).slice(1, -2));
        const keys = await dbsize();
        await call(main, ['DEBUG', 'SET-ACTIVE-EXPIRE', '0']);
        await call(main, ['SET', 'gone', 'x', 'PX', '1']);
        await until('the replica to hold the key', async () => (await dbsize()) === keys + 1);
        // The GET that finds it past its millisecond expires it (and propagates the DEL); a GET
        // in the same millisecond as the SET still finds it, so wait for the one that does not.
        await until(
          'Cairn to expire the key on read',
          async () => parseReply(await call(main, ['GET', 'gone'])).t === 'null',
        );
        await until('the replica to drop the key', async () => (await dbsize()) === keys);
        expect(await info(main, 'replication')).toMatch(/slave0:ip=127\.0\.0\.1,port=\d+,state=online,/);
      } finally {
        await call(main, ['DEBUG', 'SET-ACTIVE-EXPIRE', '1']);
        r.close();
        main.close();
        await replica.stop();
        replicas.delete(replica);
      }
    },
    TEST_MS,
  );
});

describe('replica output buffer limit', () => {
  it(
    'drops a replica that does not read past the replica hard limit, keeps one that reads',
    async () => {
      const main = await RawRespClient.connect(cairn.respPort);
      await call(main, ['CONFIG', 'SET', 'client-output-buffer-limit', 'replica 1mb 0 0']);
      const reading = await FeedSocket.attach(cairn.respPort);
      const stuck = await FeedSocket.attach(cairn.respPort);
      await connectedReplicas(main, 2);
      stuck.socket.pause();
      try {
        const value = 'x'.repeat(256 * 1024);
        // 32 MB of writes: far past the limit plus what the kernel's socket buffers hold. The
        // reading replica takes each write before the next goes: its backlog stays one value,
        // under the limit however slowly this process gets the CPU.
        let taken = 0;
        for (let i = 0; i < 128; i++) {
          const key = `big:${i % 4}`;
          await call(main, ['SET', key, value]);
          const got = await reading.readUntil((args) => args[0] === 'SET' && args[1] === key);
          taken += got.filter((args) => args[0] === 'SET' && args[2] === value).length;
        }
        expect(taken).toBe(128);
        // The paused socket cannot see the close: the server's replica count tells.
        await connectedReplicas(main, 1);
        await call(main, ['SET', END, '1']);
        const got = await reading.readUntil((args) => args[1] === END);
        expect(got.filter((args) => args[0] === 'SET')).toHaveLength(1);
        expect(reading.closed).toBe(false);
        const list = (await call(main, ['CLIENT', 'LIST', 'TYPE', 'replica'])).toString('latin1');
        expect(list.match(/flags=S /g)).toHaveLength(1);
      } finally {
        await call(main, ['CONFIG', 'SET', 'client-output-buffer-limit', 'replica 256mb 64mb 60']);
        reading.close();
        stuck.close();
        main.close();
      }
    },
    TEST_MS,
  );
});
