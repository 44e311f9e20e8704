/**
 * Pub/sub over the gRPC door of the compiled server, with a grpc-js client built from the
 * .proto: the Subscribe stream (channels, patterns, shard channels, keyspace conveniences),
 * Publish, the same auth and ACL rules as SUBSCRIBE, the stream as a client (CLIENT LIST /
 * KILL), cancellation and deadlines, the slow-reader bounds; and Watch's event names.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type CairnGrpc, cairnClient, drain, grpc, headers, type Msg, statusOf } from './helpers/grpc.js';
import { waitFor } from './resp-support.js';

const B = (s: string) => Buffer.from(s);
const { status } = grpc;

let cairn: CairnProcess;
let client: CairnGrpc;
let redis: Redis;

beforeAll(async () => {
  cairn = await startCairn({ args: ['--snapshot-store', 'none'] });
  client = cairnClient(cairn.grpcPort);
  redis = new Redis({ port: cairn.respPort, host: '127.0.0.1' });
});
afterAll(async () => {
  client?.close();
  redis?.disconnect();
  await cairn?.stop();
});

const numsub = async (ch: string) => Number(((await redis.pubsub('NUMSUB', ch)) as [string, number])[1]);
const auth = (user: string, pass: string) => {
  const md = new grpc.Metadata();
  md.set('username', user);
  md.set('password', pass);
  return md;
};

/** Open a Subscribe stream and wait until it is active (its headers). */
async function subscribe(req: Msg, metadata?: grpc.Metadata, timeoutMs?: number, via: CairnGrpc = client) {
  const stream = via.stream('Subscribe', req, { metadata, timeoutMs });
  const messages: Msg[] = [];
  stream.on('data', (m: Msg) => messages.push(m));
  const ended = drain(stream);
  await headers(stream);
  return { stream, messages, ended };
}

const text = (m: Msg) =>
  `${m.kind.replace('MESSAGE_KIND_', '').toLowerCase()} ${m.pattern.toString()}|${m.channel.toString()}|${m.message.toString()}`;

describe('Subscribe and Publish', () => {
  it('delivers what every door publishes: channels, patterns, shard channels, bytes as sent', async () => {
    const s = await subscribe({
      channels: [B('g:a'), B('g:b')],
      patterns: [B('g:p.*')],
      shard_channels: [B('g:s')],
    });
    expect(await numsub('g:a')).toBe(1);
    await redis.publish('g:a', 'from resp');
    await redis.spublish('g:s', 'sharded');
    const pub = await client.unary('Publish', { channel: B('g:p.1'), message: B('from the rpc') });
    expect(pub.receivers).toBe('1');
    await client.unary('Execute', { args: [B('PUBLISH'), B('g:b'), B('from execute')] });
    await fetch(`http://127.0.0.1:${cairn.httpPort}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(['PUBLISH', 'g:a', 'from http']),
    });
    const binary = Buffer.from([0, 0xff, 0x0a, 0x80]);
    await client.unary('Publish', { channel: B('g:s'), message: binary, shard: true });
    await waitFor(() => s.messages.length === 6, 10_000, 'six messages');
    expect(s.messages.slice(0, 5).map(text)).toEqual([
      'message |g:a|from resp',
      'smessage |g:s|sharded',
      'pmessage g:p.*|g:p.1|from the rpc',
      'message |g:b|from execute',
      'message |g:a|from http',
    ]);
    expect(s.messages[5].message).toEqual(binary);
    s.stream.cancel();
    expect((await s.ended).status.code).toBe(status.CANCELLED);
    await waitFor(async () => (await numsub('g:a')) === 0, 10_000, 'unsubscribed on cancel');
  });

  it('follows keyspace notifications through the conveniences', async () => {
    await redis.config('SET', 'notify-keyspace-events', 'KEA');
    try {
      const s = await subscribe({ keyspace: [B('gk:*')], keyevent: [B('lpush')], db: 0 });
      await redis.lpush('gk:l', 'x');
      await waitFor(() => s.messages.length === 2, 10_000, 'two notifications');
      expect(s.messages.map(text).sort()).toEqual([
        'pmessage __keyevent@0__:lpush|__keyevent@0__:lpush|gk:l',
        'pmessage __keyspace@0__:gk:*|__keyspace@0__:gk:l|lpush',
      ]);
      s.stream.cancel();
    } finally {
      await redis.config('SET', 'notify-keyspace-events', '');
    }
  });

  it('refuses an empty request and a database out of range', async () => {
    const empty = await drain(client.stream('Subscribe', {}));
    expect(empty.status.code).toBe(status.INVALID_ARGUMENT);
    expect(empty.status.details).toMatch(/nothing to subscribe to/);
    const far = await drain(client.stream('Subscribe', { keyspace: [B('*')], db: 999 }));
    expect(far.status.code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('auth and ACL, as SUBSCRIBE and PUBLISH', () => {
  it('PERMISSION_DENIED before anything is subscribed; the allowed channels stream', async () => {
    await redis.acl('SETUSER', 'carol', 'on', '>pw', '+@all', '~*', 'resetchannels', '&news:*');
    const denied = await drain(
      client.stream('Subscribe', { channels: [B('news:1'), B('secret')] }, { metadata: auth('carol', 'pw') }),
    );
    expect(denied.status.code).toBe(status.PERMISSION_DENIED);
    expect(denied.status.details).toMatch(/no permissions to access one of the channels/);
    expect(await numsub('news:1')).toBe(0);
    const wrong = await drain(
      client.stream('Subscribe', { channels: [B('news:1')] }, { metadata: auth('carol', 'x') }),
    );
    expect(wrong.status.code).toBe(status.UNAUTHENTICATED);
    const pubDenied = await statusOf(
      client.unary('Publish', { channel: B('secret'), message: B('m') }, { metadata: auth('carol', 'pw') }),
    );
    expect(pubDenied.code).toBe(status.PERMISSION_DENIED);

    const s = await subscribe({ channels: [B('news:1')] }, auth('carol', 'pw'));
    const line = ((await redis.client('LIST')) as string).split('\n').find((l) => l.includes('user=carol'));
    expect(line).toMatch(/flags=P .*sub=1 psub=0/);
    await client.unary(
      'Publish',
      { channel: B('news:1'), message: B('hi') },
      { metadata: auth('carol', 'pw') },
    );
    await waitFor(() => s.messages.length === 1, 10_000, 'the message');
    // ACL SETUSER taking the channel away ends the stream, as it drops a RESP subscriber.
    await redis.acl('SETUSER', 'carol', 'resetchannels');
    expect((await s.ended).status.code).toBe(status.OK);
    expect(await numsub('news:1')).toBe(0);
    await redis.acl('DELUSER', 'carol');
  });
});

describe('the stream is a client', () => {
  it('ends on CLIENT KILL and on its deadline, unsubscribing each time', async () => {
    const s = await subscribe({ channels: [B('k:1')] });
    const line = ((await redis.client('LIST')) as string)
      .split('\n')
      .find((l) => /cmd=subscribe .*/.test(l) && l.includes('sub=1'));
    expect(line).toBeDefined();
    await redis.client('KILL', 'ID', /id=(\d+)/.exec(line!)![1]);
    expect((await s.ended).status.code).toBe(status.OK);
    expect(await numsub('k:1')).toBe(0);

    const timed = await subscribe({ channels: [B('k:2')] }, undefined, 500);
    expect(await numsub('k:2')).toBe(1);
    expect((await timed.ended).status.code).toBe(status.DEADLINE_EXCEEDED);
    await waitFor(async () => (await numsub('k:2')) === 0, 10_000, 'unsubscribed at the deadline');
  });
});

describe('a slow reader', () => {
  /** Publish `size`-byte messages until the channel has `left` subscribers. */
  async function publishUntil(ch: string, left: number, size: number, batch: number): Promise<void> {
    const payload = 'y'.repeat(size);
    for (let i = 0; i < 500 && (await numsub(ch)) > left; i++) {
      const p = redis.pipeline();
      for (let j = 0; j < batch; j++) p.publish(ch, payload);
      await p.exec();
    }
  }

  it('is ended with RESOURCE_EXHAUSTED past the pubsub output limit; a reading one carries on', async () => {
    await redis.config('SET', 'client-output-buffer-limit', 'pubsub 1mb 512kb 60');
    // A reader that keeps up: an HTTP/2 window large enough not to wait for each 64 KB.
    const fast = cairnClient(cairn.grpcPort, { 'grpc-node.flow_control_window': 16 * 1024 * 1024 });
    try {
      const good = await subscribe({ channels: [B('slow:b')] }, undefined, undefined, fast);
      const slow = await subscribe({ channels: [B('slow:b')] });
      slow.stream.pause();
      await publishUntil('slow:b', 1, 64 * 1024, 4);
      expect(await numsub('slow:b')).toBe(1);
      slow.stream.resume();
      const ended = (await slow.ended).status;
      expect(ended.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(ended.details).toMatch(/client-output-buffer-limit pubsub/);
      await redis.publish('slow:b', 'last');
      await waitFor(() => good.messages.at(-1)?.message.toString() === 'last', 30_000, 'the last message');
      expect((await redis.info('grpc')) as string).toMatch(/grpc_subscribe_slow_disconnects:[1-9]/);
      good.stream.cancel();
    } finally {
      fast.close();
      await redis.config('SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
    }
  }, 60_000);

  it('is ended once grpc-watch-buffer messages wait', async () => {
    await redis.config('SET', 'grpc-watch-buffer', '16');
    try {
      const slow = await subscribe({ channels: [B('slow:n')] });
      slow.stream.pause();
      await publishUntil('slow:n', 0, 1024, 64);
      slow.stream.resume();
      const ended = (await slow.ended).status;
      expect(ended.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(ended.details).toMatch(/grpc-watch-buffer 16/);
    } finally {
      await redis.config('SET', 'grpc-watch-buffer', '10000');
    }
  }, 60_000);
});

describe('Watch names the event', () => {
  it('reports the notification event of each change, whatever notify-keyspace-events says', async () => {
    expect(await redis.config('GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', '']);
    const stream = client.stream('Watch', { prefix: B('wn:') });
    const events: Msg[] = [];
    stream.on('data', (m: Msg) => events.push(m));
    const ended = drain(stream);
    await headers(stream);
    await redis.hset('wn:h', 'f', 'v');
    await redis.lpush('wn:l', 'x');
    await redis.lpop('wn:l');
    await redis.set('wn:s', '1');
    await redis.incr('wn:s');
    await redis.rename('wn:s', 'wn:t');
    await redis.multi().set('wn:m', 'a').expire('wn:m', 100).exec();
    await redis.pexpire('wn:t', 1);
    await waitFor(async () => (await redis.exists('wn:t')) === 0, 10_000, 'wn:t to expire');
    await redis.del('wn:h');
    const expected = [
      'SET wn:h hset HASH',
      'SET wn:l lpush LIST',
      'DELETE wn:l lpop UNSPECIFIED',
      'SET wn:s set STRING',
      'SET wn:s incrby STRING',
      'SET wn:t rename_to STRING',
      'DELETE wn:s rename_from UNSPECIFIED',
      'SET wn:m set STRING',
      'SET wn:m expire STRING',
      'SET wn:t expire STRING',
      'EXPIRE wn:t expired UNSPECIFIED',
      'DELETE wn:h del UNSPECIFIED',
    ];
    await waitFor(() => events.length >= expected.length, 10_000, `${expected.length} events`);
    expect(
      events.map(
        (e) =>
          `${e.kind.replace('EVENT_KIND_', '')} ${e.key.toString()} ${e.event} ${e.type.replace('VALUE_TYPE_', '')}`,
      ),
    ).toEqual(expected);
    stream.cancel();
    await ended;
  });
});
