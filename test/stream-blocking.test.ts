/**
 * Blocking XREAD and XREADGROUP with a real client (ioredis), each scenario run against a real
 * redis-server and against Cairn, and the replies compared: served by an XADD from another
 * client (on Cairn also from the HTTP door), timeouts, FIFO order among readers of one group,
 * CLIENT UNBLOCK, the errors a waiting XREADGROUP gets when its group or key goes, and BLOCK
 * inside MULTI. A test waits for a reader to be blocked by watching INFO's blocked_clients,
 * never by sleeping.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawRespClient } from './differential/resp-client.js';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { call } from './helpers/http.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

type Server = { name: string; port: number };

async function blockedClients(admin: Redis): Promise<number> {
  const info = await admin.info('clients');
  return Number(/blocked_clients:(\d+)/.exec(info)?.[1] ?? -1);
}

/** Resolves once `n` clients are blocked (polling INFO, no fixed sleep). */
async function untilBlocked(admin: Redis, n: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if ((await blockedClients(admin)) === n) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never saw ${n} blocked clients`);
}

/** The reply or the error message, so both servers' outcomes compare as plain data. */
function outcome<T>(p: Promise<T>): Promise<T | { error: string }> {
  return p.then(
    (v) => v,
    (e: Error) => ({ error: e.message }),
  );
}

describe('blocking XREAD / XREADGROUP (ioredis), Redis and Cairn alike', () => {
  let redis: RedisProcess;
  let cairn: CairnProcess;
  const servers: Server[] = [];
  const clients: Redis[] = [];

  const connect = (s: Server): Redis => {
    const c = new Redis({ port: s.port, lazyConnect: false, maxRetriesPerRequest: 0 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    redis = await startRedis();
    cairn = await startCairn();
    servers.push({ name: 'redis', port: redis.port }, { name: 'cairn', port: cairn.respPort });
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis?.stop();
    await cairn?.stop();
  });

  /** Run `scenario` on both servers (fresh data, fresh clients) and return both results. */
  async function onBoth<T>(scenario: (s: Server, admin: Redis) => Promise<T>): Promise<T[]> {
    const out: T[] = [];
    for (const s of servers) {
      const admin = connect(s);
      await admin.flushall();
      out.push(await scenario(s, admin));
    }
    return out;
  }

  it('an XADD from another client serves a blocked XREAD; $ means entries after now', async () => {
    const [r, c] = await onBoth(async (s, admin) => {
      await admin.xadd('s', '1-0', 'old', 'x');
      const reader = connect(s);
      const got = outcome(reader.xread('BLOCK', 0, 'STREAMS', 's', '$'));
      await untilBlocked(admin, 1);
      await admin.xadd('s', '2-0', 'f', 'v');
      return got;
    });
    expect(c).toEqual([['s', [['2-0', ['f', 'v']]]]]);
    expect(c).toEqual(r);
  });

  it('a served reader gets what arrived past its ID, up to COUNT, from the key that changed', async () => {
    const [r, c] = await onBoth(async (s, admin) => {
      const reader = connect(s);
      const got = outcome(reader.xread('COUNT', 2, 'BLOCK', 0, 'STREAMS', 'a', 'b', '0', '5-0'));
      await untilBlocked(admin, 1);
      // Several entries in one transaction: the reader sees them together.
      await admin
        .multi()
        .xadd('b', '4-0', 'x', '1')
        .xadd('b', '6-0', 'x', '2')
        .xadd('b', '7-0', 'x', '3')
        .exec();
      return got;
    });
    expect(c).toEqual([
      [
        'b',
        [
          ['6-0', ['x', '2']],
          ['7-0', ['x', '3']],
        ],
      ],
    ]);
    expect(c).toEqual(r);
  });

  it('times out with a null reply, and answers at once inside MULTI', async () => {
    const [r, c] = await onBoth(async (s, admin) => {
      const reader = connect(s);
      const t0 = Date.now();
      const timedOut = await reader.xread('BLOCK', 150, 'STREAMS', 's', '$');
      const waited = Date.now() - t0;
      await admin.xgroup('CREATE', 's', 'g', '$', 'MKSTREAM');
      const inMulti = await reader
        .multi()
        .xread('BLOCK', 0, 'STREAMS', 's', '$')
        .xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>')
        .exec();
      return { timedOut, waitedEnough: waited >= 140, inMulti };
    });
    expect(c).toEqual({
      timedOut: null,
      waitedEnough: true,
      inMulti: [
        [null, null],
        [null, null],
      ],
    });
    expect(c).toEqual(r);
  });

  it('XREADGROUP BLOCK: served in the order readers blocked, each entry to one reader', async () => {
    const [r, c] = await onBoth(async (s, admin) => {
      await admin.xgroup('CREATE', 's', 'g', '$', 'MKSTREAM');
      const first = connect(s);
      const second = connect(s);
      const a = outcome(first.xreadgroup('GROUP', 'g', 'alice', 'BLOCK', 0, 'STREAMS', 's', '>'));
      await untilBlocked(admin, 1);
      const b = outcome(second.xreadgroup('GROUP', 'g', 'bob', 'BLOCK', 0, 'STREAMS', 's', '>'));
      await untilBlocked(admin, 2);
      await admin.xadd('s', '1-0', 'n', '1');
      const gotA = await a;
      await untilBlocked(admin, 1);
      await admin.xadd('s', '2-0', 'n', '2');
      const gotB = await b;
      const pending = await admin.xpending('s', 'g', '-', '+', 10);
      return { gotA, gotB, pending: (pending as unknown[][]).map((p) => [p[0], p[1], p[3]]) };
    });
    expect(c).toEqual({
      gotA: [['s', [['1-0', ['n', '1']]]]],
      gotB: [['s', [['2-0', ['n', '2']]]]],
      pending: [
        ['1-0', 'alice', 1],
        ['2-0', 'bob', 1],
      ],
    });
    expect(c).toEqual(r);
  });

  it('a waiting XREADGROUP ends with NOGROUP or UNBLOCKED when its group or key goes', async () => {
    const [r, c] = await onBoth(async (s, admin) => {
      await admin.xgroup('CREATE', 's', 'g', '$', 'MKSTREAM');
      const reader = connect(s);
      const plainReader = connect(s);
      let got = outcome(reader.xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>'));
      await untilBlocked(admin, 1);
      await admin.xgroup('DESTROY', 's', 'g');
      const destroyed = await got;
      await admin.xgroup('CREATE', 's', 'g', '$');
      got = outcome(reader.xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>'));
      // A plain XREAD on the same key keeps waiting through the deletion.
      const plain = outcome(plainReader.xread('BLOCK', 0, 'STREAMS', 's', '$'));
      await untilBlocked(admin, 2);
      await admin.del('s');
      const deleted = await got;
      await untilBlocked(admin, 1);
      await admin.xadd('s', '9-0', 'back', '1');
      return { destroyed, deleted, plain: await plain };
    });
    expect(c).toEqual({
      destroyed: { error: 'NOGROUP the consumer group this client was blocked on no longer exists' },
      deleted: { error: 'UNBLOCKED the stream key no longer exists' },
      plain: [['s', [['9-0', ['back', '1']]]]],
    });
    expect(c).toEqual(r);
  });

  it('XGROUP SETID and XSETID wake nobody; CLIENT UNBLOCK ends a wait as a timeout or an error', async () => {
    const [r, c] = await onBoth(async (s, admin) => {
      await admin.xadd('s', '5-0', 'n', '5');
      await admin.xgroup('CREATE', 's', 'g', '$');
      const reader = connect(s);
      const id = await reader.client('ID');
      let got = outcome(reader.xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>'));
      await untilBlocked(admin, 1);
      await admin.xgroup('SETID', 's', 'g', '0');
      await admin.xsetid('s', '9-0');
      const stillBlocked = await blockedClients(admin);
      await admin.client('UNBLOCK', id);
      const unblocked = await got;
      got = outcome(reader.xread('BLOCK', 0, 'STREAMS', 's', '$'));
      await untilBlocked(admin, 1);
      await admin.client('UNBLOCK', id, 'ERROR');
      return { stillBlocked, unblocked, failed: await got };
    });
    expect(c).toEqual({
      stillBlocked: 1,
      unblocked: null,
      failed: { error: 'UNBLOCKED client unblocked via CLIENT UNBLOCK' },
    });
    expect(c).toEqual(r);
  });

  it('served replies are byte for byte the same, in RESP2 and RESP3', async () => {
    for (const resp of [2, 3]) {
      const [r, c] = await onBoth(async (s, admin) => {
        await admin.xgroup('CREATE', 'g-key', 'g', '$', 'MKSTREAM');
        const reader = await RawRespClient.connect(s.port);
        const groupReader = await RawRespClient.connect(s.port);
        try {
          if (resp === 3) await Promise.all([reader.call(['HELLO', '3']), groupReader.call(['HELLO', '3'])]);
          const plain = reader.call(['XREAD', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 'a', 'g-key', '$', '$']);
          await untilBlocked(admin, 1);
          const grouped = groupReader.call([
            'XREADGROUP',
            'GROUP',
            'g',
            'c',
            'NOACK',
            'BLOCK',
            '0',
            'STREAMS',
            'g-key',
            '>',
          ]);
          await untilBlocked(admin, 2);
          await admin.xadd('g-key', '1-1', 'f', 'v', 'g', '');
          return [await plain, await grouped].map((b) => b.toString('latin1'));
        } finally {
          reader.close();
          groupReader.close();
        }
      });
      expect(c).toEqual(r);
    }
  });

  it('on Cairn, an XADD through the HTTP door serves a reader on the RESP door', async () => {
    const s = servers[1];
    const admin = connect(s);
    await admin.flushall();
    const reader = connect(s);
    const got = reader.xread('BLOCK', 0, 'STREAMS', 'web', '$');
    await untilBlocked(admin, 1);
    const res = await call(`http://127.0.0.1:${cairn.httpPort}`, 'POST', '/', [
      'XADD',
      'web',
      '3-1',
      'via',
      'http',
    ]);
    expect(res.json).toEqual({ result: '3-1' });
    expect(await got).toEqual([['web', [['3-1', ['via', 'http']]]]]);
  });
});
