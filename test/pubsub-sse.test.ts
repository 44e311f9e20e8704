/**
 * Pub/sub over the HTTP door's Server-Sent Events, on the compiled server: the real
 * `@upstash/redis` client's subscribe() / psubscribe(), the `eventsource` package (the WHATWG
 * EventSource for Node) on `/v1/subscribe`, the same auth and ACL channel rules as SUBSCRIBE,
 * the stream as a client (CLIENT LIST / KILL), heartbeats, the slow-reader bound, and stream
 * tails resumed with Last-Event-ID.
 */
import { Redis as Upstash } from '@upstash/redis';
import { EventSource } from 'eventsource';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type CairnGrpc, cairnClient } from './helpers/grpc.js';
import { openSse } from './helpers/sse.js';
import { waitFor } from './resp-support.js';

const B = (s: string) => Buffer.from(s);
const NO_SNAPSHOTS = ['--snapshot-store', 'none'];
const HEARTBEAT_MS = 200;

let cairn: CairnProcess;
let base: string;
let redis: Redis;
let grpcClient: CairnGrpc;

beforeAll(async () => {
  cairn = await startCairn({ args: [...NO_SNAPSHOTS, '--http-sse-heartbeat-ms', String(HEARTBEAT_MS)] });
  base = `http://127.0.0.1:${cairn.httpPort}`;
  redis = new Redis({ port: cairn.respPort, host: '127.0.0.1' });
  grpcClient = cairnClient(cairn.grpcPort);
});
afterAll(async () => {
  grpcClient?.close();
  redis?.disconnect();
  await cairn?.stop();
});

const numsub = async (ch: string) => Number(((await redis.pubsub('NUMSUB', ch)) as [string, number])[1]);
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/** The line of CLIENT LIST for the HTTP door's client whose line matches `re`. */
async function httpClient(re: RegExp): Promise<string | undefined> {
  const list = (await redis.client('LIST')) as string;
  return list.split('\n').find((l) => l.includes(`laddr=127.0.0.1:${cairn.httpPort}`) && re.test(l));
}

describe('@upstash/redis subscribe() and psubscribe(), unchanged', () => {
  it('receives what RESP, HTTP and gRPC publish, on two channels and a pattern', async () => {
    const up = new Upstash({ url: base, token: 'unused', enableTelemetry: false, retry: false });
    const sub = up.subscribe(['up:a', 'up:b']);
    const psub = up.psubscribe(['up:news.*']);
    const got: string[] = [];
    const counts: number[] = [];
    const errors: unknown[] = [];
    sub.on('subscribe', (n) => counts.push(n));
    psub.on('psubscribe', (n) => counts.push(n));
    sub.on('message', ({ channel, message }) => got.push(`${channel} ${JSON.stringify(message)}`));
    psub.on('pmessage', ({ pattern, channel, message }) =>
      got.push(`${pattern} ${channel} ${JSON.stringify(message)}`),
    );
    sub.on('error', (e) => errors.push(e));
    psub.on('error', (e) => errors.push(e));
    // Each subscription is its own request, confirmed with its own count.
    await waitFor(() => counts.length === 3, 10_000, 'three confirmations');
    expect(counts).toEqual([1, 1, 1]);
    expect(await numsub('up:a')).toBe(1);

    await redis.publish('up:a', JSON.stringify({ from: 'resp' }));
    expect(await up.publish('up:b', { from: 'http' })).toBe(1);
    await grpcClient.unary('Execute', { args: [B('PUBLISH'), B('up:news.1'), B('{"from":"grpc"}')] });
    const published = await grpcClient.unary('Publish', {
      channel: B('up:a'),
      message: B('"rpc, with a comma"'),
    });
    expect(Number(published.receivers)).toBe(1);

    await waitFor(() => got.length === 4, 10_000, 'four messages');
    expect(got).toEqual([
      'up:a {"from":"resp"}',
      'up:b {"from":"http"}',
      'up:news.* up:news.1 {"from":"grpc"}',
      'up:a "rpc, with a comma"',
    ]);
    expect(errors).toEqual([]);

    await sub.unsubscribe();
    await psub.unsubscribe();
    await waitFor(async () => (await numsub('up:a')) + (await numsub('up:b')) === 0, 10_000, 'cleanup');
    expect(await redis.pubsub('NUMPAT')).toBe(0);
  });

  it('answers a refused channel with the command API error before any stream', async () => {
    await redis.acl('SETUSER', 'upuser', 'on', '>pw', '+@all', '~*', 'resetchannels', '&ok:*');
    const refused = await fetch(`${base}/subscribe/secret`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer upuser:pw',
        accept: 'text/event-stream',
        'content-type': 'application/json',
      },
      body: '[]',
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: 'NOPERM this user has no permissions to access one of the channels used as arguments',
    });
    const allowed = await openSse(`${base}/subscribe/ok:1`, {
      method: 'POST',
      headers: { authorization: 'Bearer upuser:pw', 'content-type': 'application/json' },
      body: '[]',
    });
    expect(allowed.status).toBe(200);
    await allowed.waitEvents(1);
    expect(allowed.lines[0]).toBe('data: subscribe,ok:1,1');
    allowed.close();
    await redis.acl('DELUSER', 'upuser');
  });
});

describe('EventSource on GET /v1/subscribe', () => {
  it('names each event and carries JSON: channels, patterns, binary payloads', async () => {
    const es = new EventSource(`${base}/v1/subscribe?channel=es:a&channel=es:b&pattern=es:p.*`);
    const seen: string[] = [];
    for (const type of ['subscribe', 'psubscribe', 'message', 'pmessage'])
      es.addEventListener(type, (e) => seen.push(`${type} ${(e as MessageEvent).data}`));
    await waitFor(() => seen.length === 3, 10_000, 'confirmations');
    expect(seen).toEqual([
      'subscribe {"channel":"es:a","count":1}',
      'subscribe {"channel":"es:b","count":2}',
      'psubscribe {"pattern":"es:p.*","count":3}',
    ]);
    await redis.publish('es:a', 'line one\nline two');
    await redis.publish('es:p.x', Buffer.from([0xff, 0x00, 0x41]));
    await waitFor(() => seen.length === 5, 10_000, 'messages');
    expect(seen.slice(3)).toEqual([
      'message {"channel":"es:a","message":"line one\\nline two","encoding":"utf8"}',
      `pmessage {"pattern":"es:p.*","channel":"es:p.x","message":"${Buffer.from([0xff, 0, 0x41]).toString('base64')}","encoding":"base64"}`,
    ]);
    es.close();
    await waitFor(async () => (await numsub('es:a')) === 0, 10_000, 'cleanup');
  });

  it('gives every string in base64 with encoding=base64, and refuses an empty subscription', async () => {
    const r = await openSse(`${base}/v1/subscribe?channel=b64&encoding=base64`);
    await r.waitEvents(1);
    await redis.publish('b64', 'hi');
    const [confirm, msg] = await r.waitEvents(2);
    expect(JSON.parse(confirm.data)).toEqual({ channel: 'YjY0', channel_encoding: 'base64', count: 1 });
    expect(JSON.parse(msg.data)).toEqual({
      channel: 'YjY0',
      channel_encoding: 'base64',
      message: 'aGk=',
      encoding: 'base64',
    });
    r.close();
    const none = await openSse(`${base}/v1/subscribe`);
    expect(none.status).toBe(400);
    expect(JSON.parse(none.body).error.message).toMatch(/nothing to subscribe to/);
  });

  it('streams keyspace and keyevent notifications through the conveniences', async () => {
    await redis.config('SET', 'notify-keyspace-events', 'KEA');
    try {
      const r = await openSse(`${base}/v1/subscribe?keyspace=ks:*&keyevent=hset&db=0`);
      await r.waitEvents(2);
      await redis.hset('ks:h', 'f', 'v');
      const events = await r.waitEvents(4);
      const data = events
        .slice(2)
        .map((e) => `${e.event} ${JSON.parse(e.data).channel} ${JSON.parse(e.data).message}`);
      expect(data.sort()).toEqual(['pmessage __keyevent@0__:hset ks:h', 'pmessage __keyspace@0__:ks:h hset']);
      r.close();
    } finally {
      await redis.config('SET', 'notify-keyspace-events', '');
    }
  });
});

describe('auth and ACL, as SUBSCRIBE', () => {
  it('401 for bad credentials, 403 for a refused channel (ACL LOG), the allowed one streams', async () => {
    await redis.acl('SETUSER', 'alice', 'on', '>pw', '+@all', '~*', 'resetchannels', '&room:*');
    await redis.acl('LOG', 'RESET');
    const wrong = await openSse(`${base}/v1/subscribe?channel=room:1`, {
      headers: { authorization: basic('alice', 'nope') },
    });
    expect(wrong.status).toBe(401);
    const refused = await openSse(`${base}/v1/subscribe?channel=room:1&channel=secret`, {
      headers: { authorization: basic('alice', 'pw') },
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error).toEqual({
      code: 'forbidden',
      message: 'this user has no permissions to access one of the channels used as arguments',
    });
    // Nothing was subscribed for the refused request, not even the allowed channel.
    expect(await numsub('room:1')).toBe(0);
    const log = (await redis.acl('LOG')) as unknown[][];
    expect(log[0]).toEqual(
      expect.arrayContaining(['reason', 'channel', 'object', 'secret', 'username', 'alice']),
    );

    const ok = await openSse(`${base}/v1/subscribe?channel=room:1&pattern=room:*`, {
      headers: { authorization: basic('alice', 'pw') },
    });
    expect(ok.status).toBe(200);
    await ok.waitEvents(2);
    expect(await httpClient(/user=alice/)).toMatch(/flags=P .*sub=1 psub=1/);
    await redis.publish('room:1', 'hello');
    expect((await ok.waitEvents(4)).map((e) => e.event)).toEqual([
      'subscribe',
      'psubscribe',
      'message',
      'pmessage',
    ]);

    // Taking the channel away drops the subscriber, as Redis 7.0 drops a RESP one.
    await redis.acl('SETUSER', 'alice', 'resetchannels', '&other');
    await ok.ended;
    expect(await numsub('room:1')).toBe(0);
    await redis.acl('DELUSER', 'alice');
  });
});

describe('the stream is a client', () => {
  it('shows in CLIENT LIST, ends on CLIENT KILL, and unsubscribes when the reader goes', async () => {
    const killed = await openSse(`${base}/v1/subscribe?channel=cl:1`);
    await killed.waitEvents(1);
    const line = await httpClient(/cmd=subscribe/);
    expect(line).toMatch(/flags=P .*sub=1 psub=0/);
    const id = /id=(\d+)/.exec(line!)![1];
    expect(await redis.client('KILL', 'ID', id)).toBe(1);
    await killed.ended;
    expect(await numsub('cl:1')).toBe(0);

    const gone = await openSse(`${base}/v1/subscribe?channel=cl:2`);
    await gone.waitEvents(1);
    expect(await numsub('cl:2')).toBe(1);
    gone.close();
    await waitFor(async () => (await numsub('cl:2')) === 0, 10_000, 'unsubscribed on disconnect');
  });

  it('sends heartbeat comment lines while idle, and outlives http-request-timeout-ms', async () => {
    await redis.config('SET', 'http-request-timeout-ms', '300');
    try {
      const r = await openSse(`${base}/v1/subscribe?channel=hb`);
      // Past the request timeout and Node's once-a-second check of it, twice over.
      await waitFor(() => r.comments >= 12, 10_000, 'heartbeats for 2.4 s');
      expect(r.lines).toContain(':');
      expect(r.isEnded()).toBe(false);
      await redis.publish('hb', 'still here');
      const events = await r.waitEvents(2);
      expect(JSON.parse(events[1].data).message).toBe('still here');
      r.close();
    } finally {
      await redis.config('SET', 'http-request-timeout-ms', '30000');
    }
  });
});

describe('a slow reader', () => {
  it('is dropped past the pubsub output limit, counted, and the others carry on', async () => {
    await redis.config('SET', 'client-output-buffer-limit', 'pubsub 1mb 512kb 60');
    try {
      const good = await openSse(`${base}/v1/subscribe?channel=slow`);
      await good.waitEvents(1);
      // A reader that never reads after the headers.
      const res = await fetch(`${base}/v1/subscribe?channel=slow`);
      expect(res.status).toBe(200);
      await waitFor(async () => (await numsub('slow')) === 2, 10_000, 'two subscribers');
      const payload = 'x'.repeat(64 * 1024);
      let sent = 0;
      for (let batch = 0; batch < 200 && (await numsub('slow')) === 2; batch++) {
        const p = redis.pipeline();
        for (let i = 0; i < 32; i++) p.publish('slow', payload);
        await p.exec();
        sent += 32;
      }
      expect(await numsub('slow')).toBe(1);
      const info = (await redis.info('http')) as string;
      expect(info).toMatch(/http_sse_slow_disconnects:[1-9]/);
      await redis.publish('slow', 'last');
      await waitFor(() => good.events.at(-1)?.data.includes('"last"') === true, 30_000, 'the last message');
      expect(good.events.length).toBe(sent + 2);
      good.close();
      await res.body?.cancel().catch(() => {});
    } finally {
      await redis.config('SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
    }
  }, 60_000);
});

describe('GET /v1/streams/{key}/events', () => {
  it('tails a stream with the entry IDs as event ids, and an EventSource resumes with Last-Event-ID', async () => {
    const ids = [await redis.xadd('tail', '*', 'n', '1'), await redis.xadd('tail', '*', 'n', '2', 'n', '2b')];
    const es = new EventSource(`${base}/v1/streams/tail/events?from=0`);
    const got: Array<{ id: string; data: string }> = [];
    es.onmessage = (e) => got.push({ id: e.lastEventId, data: e.data });
    await waitFor(() => got.length === 2, 10_000, 'the backlog');
    expect(got.map((g) => g.id)).toEqual(ids);
    expect(JSON.parse(got[1].data)).toEqual({
      id: ids[1],
      fields: [
        ['n', '2'],
        ['n', '2b'],
      ],
      encoding: 'utf8',
    });
    ids.push((await redis.xadd('tail', '*', 'n', '3')) as string);
    await waitFor(() => got.length === 3, 10_000, 'a new entry');

    // Drop the connection: the EventSource reconnects with Last-Event-ID and misses nothing.
    const line = await httpClient(/cmd=xread/);
    expect(line).toMatch(/flags=b/);
    await redis.client('KILL', 'ID', /id=(\d+)/.exec(line!)![1]);
    ids.push((await redis.xadd('tail', '*', 'n', '4')) as string);
    await waitFor(() => got.length === 4, 15_000, 'the entry added while away');
    ids.push((await redis.xadd('tail', '*', 'n', '5')) as string);
    await waitFor(() => got.length === 5, 10_000, 'the next entry');
    expect(got.map((g) => g.id)).toEqual(ids);
    es.close();
  });

  it('refuses before the stream starts: wrong type, bad ID, no permission', async () => {
    await redis.set('plain', 'v');
    expect((await openSse(`${base}/v1/streams/plain/events`)).status).toBe(409);
    const bad = await openSse(`${base}/v1/streams/tail/events`, {
      headers: { 'last-event-id': 'not-an-id' },
    });
    expect(bad.status).toBe(400);
    await redis.acl('SETUSER', 'bob', 'on', '>pw', '+@all', '~mine:*');
    const denied = await openSse(`${base}/v1/streams/tail/events`, {
      headers: { authorization: basic('bob', 'pw') },
    });
    expect(denied.status).toBe(403);
    await redis.xadd('mine:s', '*', 'f', Buffer.from([0xfe]));
    const mine = await openSse(`${base}/v1/streams/mine:s/events?from=0`, {
      headers: { authorization: basic('bob', 'pw') },
    });
    const [e] = await mine.waitEvents(1);
    expect(JSON.parse(e.data)).toMatchObject({ fields: [['Zg==', '/g==']], encoding: 'base64' });
    mine.close();
    await redis.acl('DELUSER', 'bob');
  });
});
