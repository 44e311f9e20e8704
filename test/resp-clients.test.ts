/**
 * Real Redis clients and tools against the compiled server: ioredis, node-redis (RESP2 and
 * RESP3), redis-cli (including inline commands typed over a raw socket) and redis-benchmark.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { frame, RawClient } from './resp-support.js';

const run = promisify(execFile);
let cairn: CairnProcess;

beforeAll(async () => {
  cairn = await startCairn();
});

afterAll(async () => {
  await cairn?.stop();
});

describe('ioredis', () => {
  it('round-trips text and binary values, pipelines and transactions', async () => {
    const r = new Redis({ port: cairn.respPort, maxRetriesPerRequest: 0 });
    try {
      expect(await r.ping()).toBe('PONG');
      expect(await r.set('io:text', 'héllo wörld')).toBe('OK');
      expect(await r.get('io:text')).toBe('héllo wörld');
      const bin = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x2a]);
      await r.set(Buffer.from('io:bin\x00key'), bin);
      expect((await r.getBuffer(Buffer.from('io:bin\x00key')))!.equals(bin)).toBe(true);
      const big = Buffer.alloc(5 * 1024 * 1024, 'ab');
      await r.set('io:big', big);
      expect((await r.getBuffer('io:big'))!.equals(big)).toBe(true);

      const p = r.pipeline();
      for (let i = 0; i < 1000; i++) p.incr('io:counter');
      const res = await p.exec();
      expect(res!.at(-1)).toEqual([null, 1000]);

      const tx = await r.multi().set('io:tx', '1').incr('io:tx').get('io:tx').exec();
      expect(tx).toEqual([
        [null, 'OK'],
        [null, 2],
        [null, '2'],
      ]);
      await expect(r.call('NO-SUCH-COMMAND')).rejects.toThrow(/ERR unknown command/);
      expect(await r.ping()).toBe('PONG');
    } finally {
      r.disconnect();
    }
  });
});

describe('node-redis', () => {
  for (const RESP of [2, 3] as const) {
    it(`works over RESP${RESP}`, async () => {
      const c = createClient({
        socket: { port: cairn.respPort, host: '127.0.0.1', reconnectStrategy: false },
        RESP,
      });
      c.on('error', () => {});
      await c.connect();
      try {
        expect(await c.ping()).toBe('PONG');
        expect(await c.set(`nr${RESP}:k`, 'v')).toBe('OK');
        expect(await c.get(`nr${RESP}:k`)).toBe('v');
        expect(await c.get(`nr${RESP}:missing`)).toBeNull();
        expect(await c.incrBy(`nr${RESP}:n`, 5)).toBe(5);
        expect(await c.mGet([`nr${RESP}:k`, `nr${RESP}:missing`])).toEqual(['v', null]);
        const hello = (await c.sendCommand(['HELLO', String(RESP)])) as unknown;
        const proto =
          hello instanceof Map
            ? hello.get('proto')
            : Array.isArray(hello)
              ? hello[hello.indexOf('proto') + 1]
              : (hello as Record<string, unknown>).proto;
        expect(proto).toBe(RESP);
        const replies = await Promise.all(
          Array.from({ length: 200 }, (_, i) => c.set(`nr${RESP}:p${i}`, String(i))),
        );
        expect(replies.every((x) => x === 'OK')).toBe(true);
        await expect(c.sendCommand(['GET'])).rejects.toThrow(
          "ERR wrong number of arguments for 'get' command",
        );
      } finally {
        c.destroy();
      }
    });
  }
});

describe('redis-cli', () => {
  const cli = async (...args: string[]) =>
    (await run('redis-cli', ['-p', String(cairn.respPort), ...args])).stdout;

  it('runs commands in RESP2 and RESP3', async () => {
    expect(await cli('SET', 'cli:k', 'hello world')).toBe('OK\n');
    expect(await cli('GET', 'cli:k')).toBe('hello world\n');
    expect(await cli('-3', '--no-raw', 'GET', 'cli:missing')).toBe('(nil)\n');
    expect(await cli('-3', '--no-raw', 'HELLO', '3')).toMatch(/"proto" => \(integer\) 3/);
    expect(await cli('--no-raw', 'INCR', 'cli:n')).toBe('(integer) 1\n');
    expect(await cli('NO-SUCH')).toMatch(/ERR unknown command 'NO-SUCH'/);
  });

  it('takes commands on stdin', async () => {
    const child = execFile('redis-cli', ['-p', String(cairn.respPort)]);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
    });
    child.stdin!.end('SET cli:stdin 42\nINCR cli:stdin\nGET cli:stdin\n');
    await new Promise((r) => child.once('exit', r));
    expect(out).toBe('OK\n43\n43\n');
  });

  it('mass-inserts with --pipe', async () => {
    const child = execFile('redis-cli', ['-p', String(cairn.respPort), '--pipe']);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
    });
    const frames: Buffer[] = [];
    for (let i = 0; i < 10_000; i++) frames.push(frame('SET', `mass:${i}`, `v${i}`));
    child.stdin!.end(Buffer.concat(frames));
    await new Promise((r) => child.once('exit', r));
    expect(out).toContain('errors: 0, replies: 10000');
    expect(await cli('GET', 'mass:9999')).toBe('v9999\n');
  });

  it('serves inline commands typed over a raw socket, telnet style', async () => {
    const c = await RawClient.connect(cairn.respPort);
    c.send('SET inline:k "hello world"\r\n');
    await c.readUntil('+OK\r\n');
    c.send('GET inline:k\n');
    expect(await c.readUntil('world\r\n')).toBe('+OK\r\n$11\r\nhello world\r\n');
    c.send('\r\n');
    c.send('PING\r\n');
    expect(await c.readUntil('+PONG\r\n')).toBe('+OK\r\n$11\r\nhello world\r\n+PONG\r\n');
    c.close();
  });
});

describe('redis-benchmark', () => {
  it('completes a short run without errors', async () => {
    const { stdout, stderr } = await run('redis-benchmark', [
      '-p',
      String(cairn.respPort),
      '-q',
      '-n',
      '2000',
      '-t',
      'ping,set,get,incr,mset',
      '-P',
      '4',
    ]);
    for (const test of ['PING_INLINE', 'PING_MBULK', 'SET', 'GET', 'INCR', 'MSET']) {
      expect(stdout).toMatch(new RegExp(`${test}.*: [\\d.]+ requests per second`));
    }
    expect(stderr).not.toMatch(/error/i);
  });
});
