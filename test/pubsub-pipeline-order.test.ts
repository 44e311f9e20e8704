/**
 * A pipeline of PUBLISH is delivered to each subscriber as one batch (src/commands/pubsub/batch.ts);
 * what any client reads must stay byte for byte what Redis sends: messages of several channels
 * in publish order, a keyspace notification between them, and a RESP3 client publishing to a
 * channel it is subscribed to, whose own messages come before each PUBLISH reply. Raw sockets,
 * one pipeline per write, against Cairn and a real redis-server.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

let cairn: CairnProcess;
let redis: RedisProcess;

beforeAll(async () => {
  [cairn, redis] = await Promise.all([startCairn(), startRedis()]);
});

afterAll(async () => {
  await Promise.all([cairn?.stop(), redis?.stop()]);
});

const cmd = (...args: string[]) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/** A raw connection that keeps every byte read. */
async function open(
  port: number,
): Promise<{ socket: Socket; text(): string; until(tail: string): Promise<string> }> {
  const socket = connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let got = '';
  const waiters: Array<() => void> = [];
  socket.on('data', (c: Buffer) => {
    got += c.toString('latin1');
    for (const w of waiters.splice(0)) w();
  });
  const until = (tail: string) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`never got ${JSON.stringify(tail)}; got ${JSON.stringify(got)}`)),
        5000,
      );
      const check = () => {
        if (got.endsWith(tail)) {
          clearTimeout(timer);
          resolve(got);
        } else waiters.push(check);
      };
      check();
    });
  return { socket, text: () => got, until };
}

const msg = (channel: string, payload: string, push = false) =>
  `${push ? '>' : '*'}3\r\n$7\r\nmessage\r\n$${channel.length}\r\n${channel}\r\n$${payload.length}\r\n${payload}\r\n`;

/** Everything the subscribers read, in order, for one server. */
async function scenario(port: number): Promise<{ sub: string; self: string; publisher: string }> {
  const admin = await open(port);
  const sub = await open(port);
  const self = await open(port);
  const publisher = await open(port);
  try {
    admin.socket.write(cmd('CONFIG', 'SET', 'notify-keyspace-events', 'KA'));
    await admin.until('+OK\r\n');
    sub.socket.write(cmd('SUBSCRIBE', 'po:a', 'po:b', '__keyspace@0__:po:k'));
    await sub.until(':3\r\n');
    self.socket.write(cmd('HELLO', '3') + cmd('SUBSCRIBE', 'po:a'));
    await self.until('>3\r\n$9\r\nsubscribe\r\n$4\r\npo:a\r\n:1\r\n');
    // One write: the server reads it as one pipeline.
    publisher.socket.write(
      cmd('PUBLISH', 'po:a', '1') +
        cmd('PUBLISH', 'po:a', '2') +
        cmd('PUBLISH', 'po:b', '3') +
        cmd('SET', 'po:k', 'v') +
        cmd('PUBLISH', 'po:a', '4') +
        cmd('PUBLISH', 'po:nobody', 'x') +
        cmd('PUBLISH', 'po:a', '5') +
        cmd('PING'),
    );
    await publisher.until('+PONG\r\n');
    await sub.until(msg('po:a', '5'));
    await self.until(msg('po:a', '5', true));
    self.socket.write(cmd('PUBLISH', 'po:a', 'r1') + cmd('PUBLISH', 'po:a', 'r2') + cmd('PING'));
    await self.until('+PONG\r\n');
    await sub.until(msg('po:a', 'r2'));
    admin.socket.write(cmd('CONFIG', 'SET', 'notify-keyspace-events', ''));
    await admin.until('+OK\r\n+OK\r\n');
    return { sub: sub.text(), self: self.text(), publisher: publisher.text() };
  } finally {
    for (const c of [admin, sub, self, publisher]) c.socket.destroy();
  }
}

describe('pipelined PUBLISH', () => {
  it('reaches every subscriber in publish order, as Redis sends it', async () => {
    const [c, r] = [await scenario(cairn.respPort), await scenario(redis.port)];
    const after = (s: string, marker: string) => s.slice(s.indexOf(marker) + marker.length);
    const subTail = after(c.sub, '__keyspace@0__:po:k\r\n:3\r\n');
    expect(subTail).toBe(
      msg('po:a', '1') +
        msg('po:a', '2') +
        msg('po:b', '3') +
        msg('__keyspace@0__:po:k', 'set') +
        msg('po:a', '4') +
        msg('po:a', '5') +
        msg('po:a', 'r1') +
        msg('po:a', 'r2'),
    );
    expect(c.publisher).toBe(':2\r\n:2\r\n:1\r\n+OK\r\n:2\r\n:0\r\n:2\r\n+PONG\r\n');
    // The RESP3 client's own messages precede each of its PUBLISH replies.
    expect(c.self.endsWith(`${msg('po:a', 'r1', true)}:2\r\n${msg('po:a', 'r2', true)}:2\r\n+PONG\r\n`)).toBe(
      true,
    );
    expect(c.sub).toBe(r.sub);
    expect(c.publisher).toBe(r.publisher);
    // HELLO's map differs between servers (server name, version, id); compare what follows it.
    const fromSubscribe = (s: string) => s.slice(s.indexOf('>3\r\n$9\r\nsubscribe'));
    expect(fromSubscribe(c.self)).toBe(fromSubscribe(r.self));
  });
});
