/**
 * socket.io's Redis adapters through Cairn: two socket.io servers in this process, each with
 * `@socket.io/redis-adapter` (the classic adapter over PUBLISH / PSUBSCRIBE / SUBSCRIBE and
 * PUBSUB NUMSUB, and the sharded adapter over SPUBLISH / SSUBSCRIBE / SUNSUBSCRIBE and PUBSUB
 * SHARDNUMSUB), with ioredis and node-redis clients in RESP2 and RESP3, and real socket.io-client
 * connections. Room emits, broadcasts (with binary payloads), fetchSockets, socketsJoin and
 * serverSideEmit (with and without acknowledgements) must cross from one server to the other.
 * The same suite runs against a real redis-server, so every assertion is known to hold on Redis.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { type Socket as ClientSocket, io as connectIo } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { freePort } from './helpers/ports.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

/** How long any single awaited event may take before the test fails. */
const EVENT_TIMEOUT_MS = 10_000;

interface Variant {
  adapter: 'classic' | 'sharded';
  client: 'ioredis' | 'node-redis';
  resp: 2 | 3;
}

const VARIANTS: Variant[] = [
  { adapter: 'classic', client: 'ioredis', resp: 2 },
  { adapter: 'classic', client: 'ioredis', resp: 3 },
  { adapter: 'classic', client: 'node-redis', resp: 2 },
  { adapter: 'classic', client: 'node-redis', resp: 3 },
  // The adapter's documentation names node-redis for the sharded adapter; its code also
  // drives ioredis (ssubscribe / smessageBuffer), so both are checked.
  { adapter: 'sharded', client: 'node-redis', resp: 2 },
  { adapter: 'sharded', client: 'node-redis', resp: 3 },
  { adapter: 'sharded', client: 'ioredis', resp: 2 },
];

/** A publishing and a subscribing connection, as each socket.io server holds them. */
interface RedisPair {
  /** An ioredis or node-redis client: the adapters take either (their parameters are `any`). */
  pub: unknown;
  sub: unknown;
  close(): Promise<void>;
}

async function connectPair(v: Variant, port: number): Promise<RedisPair> {
  if (v.client === 'ioredis') {
    const pub = new Redis({ host: '127.0.0.1', port, protocol: v.resp, lazyConnect: true });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    return {
      pub,
      sub,
      close: async () => {
        await Promise.all([pub.quit(), sub.quit()]);
      },
    };
  }
  const pub = createClient({ socket: { host: '127.0.0.1', port }, RESP: v.resp });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  return {
    pub,
    sub,
    close: async () => {
      await Promise.all([pub.close(), sub.close()]);
    },
  };
}

interface IoNode {
  io: Server;
  url: string;
  redis: RedisPair;
}

/** One socket.io server on a free loopback port, with the variant's adapter. */
async function startNode(v: Variant, port: number, prefix: string): Promise<IoNode> {
  const redis = await connectPair(v, port);
  const adapter =
    v.adapter === 'classic'
      ? createAdapter(redis.pub, redis.sub, { key: prefix })
      : createShardedAdapter(redis.pub, redis.sub, { channelPrefix: prefix });
  const http: HttpServer = createServer();
  const io = new Server(http, { adapter });
  io.on('connection', (socket) => {
    socket.on('join', (room: string, ack: () => void) => {
      void socket.join(room);
      ack();
    });
  });
  const httpPort = await freePort();
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(httpPort, '127.0.0.1', () => resolve());
  });
  return { io, url: `http://127.0.0.1:${httpPort}`, redis };
}

async function stopNode(node: IoNode | undefined): Promise<void> {
  if (!node) return;
  // Closes every socket, each namespace's adapter (which unsubscribes) and the HTTP server.
  await node.io.close();
  await node.redis.close();
}

/** A socket.io-client connection that logs every event it receives, in order. */
interface Client {
  socket: ClientSocket;
  events: unknown[][];
  /** Resolves with the arguments of the next `event`. */
  next(event: string): Promise<unknown[]>;
}

async function connectClient(url: string): Promise<Client> {
  const socket = connectIo(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  const events: unknown[][] = [];
  socket.onAny((event: string, ...args: unknown[]) => events.push([event, ...args]));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const next = (event: string) =>
    new Promise<unknown[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no '${event}' event`)), EVENT_TIMEOUT_MS);
      socket.once(event, (...args: unknown[]) => {
        clearTimeout(timer);
        resolve(args);
      });
    });
  return { socket, events, next };
}

/**
 * The adapters subscribe in the background and report nothing when a subscription is active,
 * so readiness is read from the server itself (PUBSUB), the way the adapters count servers.
 */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + EVENT_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function shardNumSub(admin: Redis, channel: string): Promise<number> {
  const reply = (await admin.pubsub('SHARDNUMSUB', channel)) as [string, number];
  return reply[1];
}

const BACKENDS = ['cairn', 'redis-server'] as const;

describe.each(BACKENDS)('socket.io redis adapter on %s', (backend) => {
  let cairn: CairnProcess | undefined;
  let redis: RedisProcess | undefined;
  let port = 0;
  let admin: Redis;

  beforeAll(async () => {
    if (backend === 'cairn') {
      cairn = await startCairn();
      port = cairn.respPort;
    } else {
      redis = await startRedis();
      port = redis.port;
    }
    admin = new Redis({ host: '127.0.0.1', port });
  });

  afterAll(async () => {
    await admin?.quit();
    await cairn?.stop();
    await redis?.stop();
  });

  const cases = VARIANTS.map((v) => [`${v.adapter} adapter, ${v.client}, RESP${v.resp}`, v] as const);
  describe.each(cases)('%s', (_title, v) => {
    const prefix = `sio-${v.adapter}-${v.client}-${v.resp}`;
    /** The sharded adapter's channel for one public room ("dynamic" subscription mode). */
    const roomChannel = (room: string) => `${prefix}#/#${room}#`;
    let a: IoNode | undefined;
    let b: IoNode | undefined;

    beforeAll(async () => {
      [a, b] = await Promise.all([startNode(v, port, prefix), startNode(v, port, prefix)]);
      const nodes = [a, b];
      await until('both adapters to count two servers', async () => {
        const counts = await Promise.all(nodes.map((n) => n.io.of('/').adapter.serverCount()));
        return counts.every((c) => c === 2);
      });
    });

    afterAll(async () => {
      await Promise.all([stopNode(a), stopNode(b)]);
    });

    it('a room emit on server B reaches the room member on server A and nobody else', async () => {
      const room = `room-${Math.random().toString(36).slice(2)}`;
      const member = await connectClient(a!.url);
      const outsiderA = await connectClient(a!.url);
      const outsiderB = await connectClient(b!.url);
      try {
        await member.socket.emitWithAck('join', room);
        if (v.adapter === 'sharded') {
          await until(`server A's subscription to ${roomChannel(room)}`, async () => {
            return (await shardNumSub(admin, roomChannel(room))) === 1;
          });
        }
        const clients = [member, outsiderA, outsiderB];
        // Published after the room event from the same server, so once every client has the
        // sentinel, the room event has been delivered wherever it was going to be delivered.
        const sentinels = clients.map((c) => c.next('sentinel'));
        b!.io.to(room).emit('news', { room, text: 'héllo', n: 1 });
        b!.io.emit('sentinel', 7);
        await Promise.all(sentinels);
        expect(member.events).toEqual([
          ['news', { room, text: 'héllo', n: 1 }],
          ['sentinel', 7],
        ]);
        expect(outsiderA.events).toEqual([['sentinel', 7]]);
        expect(outsiderB.events).toEqual([['sentinel', 7]]);
      } finally {
        for (const c of [member, outsiderA, outsiderB]) c.socket.disconnect();
      }
      if (v.adapter === 'sharded') {
        // The room is gone with its last member: server A leaves its channel (SUNSUBSCRIBE).
        await until(`server A to leave ${roomChannel(room)}`, async () => {
          return (await shardNumSub(admin, roomChannel(room))) === 0;
        });
      }
    });

    it('a broadcast from server A, binary payload included, reaches clients on both servers', async () => {
      const onA = await connectClient(a!.url);
      const onB = await connectClient(b!.url);
      try {
        const got = [onA.next('blob'), onB.next('blob')];
        const bin = Buffer.from([0, 1, 0x7f, 0x80, 0xff]);
        a!.io.emit('blob', { text: 'ünïcode', bin }, 42);
        for (const [payload, n] of await Promise.all(got)) {
          const { text, bin: received } = payload as { text: string; bin: Uint8Array };
          expect(text).toBe('ünïcode');
          expect(Buffer.from(received)).toEqual(bin);
          expect(n).toBe(42);
        }
      } finally {
        onA.socket.disconnect();
        onB.socket.disconnect();
      }
    });

    it('fetchSockets, socketsJoin and serverSideEmit work across the two servers', async () => {
      const room = `fetch-${Math.random().toString(36).slice(2)}`;
      const onA = await connectClient(a!.url);
      const onB = await connectClient(b!.url);
      try {
        await onA.socket.emitWithAck('join', room);

        const inRoom = await b!.io.in(room).fetchSockets();
        expect(inRoom.map((s) => s.id)).toEqual([onA.socket.id]);
        expect([...inRoom[0].rooms].sort()).toEqual([onA.socket.id, room].sort());
        const everyone = await b!.io.fetchSockets();
        expect(everyone.map((s) => s.id).sort()).toEqual([onA.socket.id, onB.socket.id].sort());

        // Server B puts A's socket into another room; the request travels before the fetch.
        b!.io.in(onA.socket.id!).socketsJoin('extra');
        const inExtra = await b!.io.in('extra').fetchSockets();
        expect(inExtra.map((s) => s.id)).toEqual([onA.socket.id]);

        const greeted = new Promise<unknown[]>((resolve) => {
          a!.io.once('greet', (...args: unknown[]) => resolve(args));
        });
        b!.io.serverSideEmit('greet', { from: 'B' }, 2);
        expect(await greeted).toEqual([{ from: 'B' }, 2]);

        const double = (n: number, ack: (r: number) => void) => ack(n * 2);
        a!.io.on('double', double);
        try {
          // Counts the other servers with PUBSUB (SHARD)NUMSUB, then waits for each answer.
          expect(await b!.io.serverSideEmitWithAck('double', 21)).toEqual([42]);
        } finally {
          a!.io.off('double', double);
        }
      } finally {
        onA.socket.disconnect();
        onB.socket.disconnect();
      }
    });
  });
});
