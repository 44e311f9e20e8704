/**
 * Lists and the blocking pops through real clients against the compiled server: every list
 * command through ioredis and node-redis (RESP2 and RESP3) as an application calls them,
 * inside MULTI too; then blocking pops woken from every door (another RESP client, the HTTP
 * command API, gRPC Execute), served first come first served, timed out, unblocked by CLIENT
 * UNBLOCK, never blocking inside MULTI, counted in INFO, and ended when an HTTP client gives up.
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type CairnGrpc, cairnClient } from './helpers/grpc.js';

let cairn: CairnProcess;
let r: Redis;
let base: string;
let rpc: CairnGrpc;
const extra: Redis[] = [];

/** Another ioredis connection, closed after the file. */
function client(): Redis {
  const c = new Redis({ port: cairn.respPort, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  extra.push(c);
  return c;
}

async function blocked(): Promise<number> {
  return Number(/blocked_clients:(\d+)/.exec(await r.info('clients'))?.[1]);
}

async function untilBlocked(n: number): Promise<void> {
  const until = Date.now() + 5000;
  while ((await blocked()) !== n) {
    if (Date.now() > until) throw new Error(`blocked_clients never reached ${n}`);
    await new Promise((res) => setTimeout(res, 5));
  }
}

function httpCommand(args: Array<string | number>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${base}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(args),
    signal,
  });
}

const B = (s: string) => Buffer.from(s);

beforeAll(async () => {
  cairn = await startCairn();
  r = new Redis({ port: cairn.respPort, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  base = `http://127.0.0.1:${cairn.httpPort}`;
  rpc = cairnClient(cairn.grpcPort);
}, 60_000);

afterAll(async () => {
  rpc?.close();
  r?.disconnect();
  for (const c of extra) c.disconnect();
  await cairn?.stop();
});

beforeEach(async () => {
  await r.flushall();
});

describe('ioredis', () => {
  it('runs every list command through its API', async () => {
    expect(await r.rpush('l', 'a', 'b', 'c')).toBe(3);
    expect(await r.lpush('l', 'z')).toBe(4);
    expect(await r.lpushx('none', 'x')).toBe(0);
    expect(await r.rpushx('l', 'd')).toBe(5);
    expect(await r.lrange('l', 0, -1)).toEqual(['z', 'a', 'b', 'c', 'd']);
    expect(await r.llen('l')).toBe(5);
    expect(await r.lindex('l', -1)).toBe('d');
    expect(await r.lset('l', 0, 'y')).toBe('OK');
    expect(await r.linsert('l', 'AFTER', 'a', 'a2')).toBe(6);
    expect(await r.lpos('l', 'b')).toBe(3);
    expect(await r.lpos('l', 'b', 'COUNT', 0)).toEqual([3]);
    expect(await r.lrem('l', 1, 'a2')).toBe(1);
    expect(await r.ltrim('l', 0, 3)).toBe('OK');
    expect(await r.lpop('l')).toBe('y');
    expect(await r.rpop('l', 2)).toEqual(['c', 'b']);
    expect(await r.lpop('none', 2)).toBeNull();
    await r.rpush('src', '1', '2', '3');
    expect(await r.lmove('src', 'dst', 'LEFT', 'RIGHT')).toBe('1');
    expect(await r.rpoplpush('src', 'dst')).toBe('3');
    expect(await r.lmpop(2, 'none', 'dst', 'LEFT', 'COUNT', 5)).toEqual(['dst', ['3', '1']]);
    expect(await r.blpop('none', 'src', 1)).toEqual(['src', '2']);
    await r.rpush('src', 'x', 'y');
    expect(await r.brpop('src', 1)).toEqual(['src', 'y']);
    expect(await r.blmove('src', 'dst', 'RIGHT', 'LEFT', 1)).toBe('x');
    expect(await r.brpoplpush('dst', 'src', 1)).toBe('x');
    expect(await r.blmpop(1, 1, 'src', 'RIGHT')).toEqual(['src', ['x']]);
    expect(await r.blpop('none', 0.05)).toBeNull();
    expect(await r.object('ENCODING', 'l')).toBe('quicklist');
    await r.set('s', 'v');
    await expect(r.lpush('s', 'x')).rejects.toThrow(/^WRONGTYPE/);
    await expect(r.blpop('s', 0)).rejects.toThrow(/^WRONGTYPE/);
  });

  it('runs them inside MULTI, where blocking pops answer at once', async () => {
    await r.rpush('x', 'foo', 'bar');
    const res = await r
      .multi()
      .blpop('x', 0)
      .blpop('x', 0)
      .blpop('x', 0)
      .rpush('y', 'a', 'b')
      .brpoplpush('y', 'z', 0)
      .blmove('none', 'z', 'LEFT', 'LEFT', 0)
      .lrange('z', 0, -1)
      .exec();
    expect(res).toEqual([
      [null, ['x', 'foo']],
      [null, ['x', 'bar']],
      [null, null],
      [null, 2],
      [null, 'b'],
      [null, null],
      [null, ['b']],
    ]);
    expect(await blocked()).toBe(0);
  });

  it('pops sorted sets with BZPOPMIN / BZPOPMAX / BZMPOP', async () => {
    await r.zadd('z', 1, 'a', 2.5, 'b', 3, 'c');
    expect(await r.bzpopmin('none', 'z', 1)).toEqual(['z', 'a', '1']);
    expect(await r.bzpopmax('z', 1)).toEqual(['z', 'c', '3']);
    expect(await r.bzmpop(1, 1, 'z', 'MIN', 'COUNT', 5)).toEqual(['z', [['b', '2.5']]]);
    expect(await r.bzpopmin('z', 0.05)).toBeNull();
  });
});

describe('node-redis', () => {
  for (const RESP of [2, 3] as const) {
    it(`runs the list commands and blocking pops over RESP${RESP}`, async () => {
      const c = createClient({
        socket: { port: cairn.respPort, host: '127.0.0.1', reconnectStrategy: false },
        RESP,
      });
      c.on('error', () => {});
      await c.connect();
      const blocker = c.duplicate();
      blocker.on('error', () => {});
      await blocker.connect();
      const k = (s: string) => `nr${RESP}:${s}`;
      try {
        expect(await c.rPush(k('l'), ['a', 'b', 'c', 'b'])).toBe(4);
        expect(await c.lPush(k('l'), 'z')).toBe(5);
        expect(await c.lPushX(k('none'), 'x')).toBe(0);
        expect(await c.rPushX(k('l'), 'd')).toBe(6);
        expect(await c.lLen(k('l'))).toBe(6);
        expect(await c.lRange(k('l'), 0, -1)).toEqual(['z', 'a', 'b', 'c', 'b', 'd']);
        expect(await c.lIndex(k('l'), 1)).toBe('a');
        expect(await c.lSet(k('l'), 1, 'A')).toBe('OK');
        expect(await c.lInsert(k('l'), 'BEFORE', 'c', 'bc')).toBe(7);
        expect(await c.lPos(k('l'), 'b', { RANK: -1 })).toBe(5);
        expect(await c.lPosCount(k('l'), 'b', 0)).toEqual([2, 5]);
        expect(await c.lRem(k('l'), 0, 'b')).toBe(2);
        expect(await c.lTrim(k('l'), 0, 3)).toBe('OK');
        expect(await c.lPop(k('l'))).toBe('z');
        expect(await c.lPopCount(k('l'), 2)).toEqual(['A', 'bc']);
        expect(await c.rPop(k('l'))).toBe('c');
        expect(await c.rPopCount(k('none'), 2)).toBeNull();
        await c.rPush(k('src'), ['1', '2', '3']);
        expect(await c.lMove(k('src'), k('dst'), 'LEFT', 'RIGHT')).toBe('1');
        expect(await c.rPopLPush(k('src'), k('dst'))).toBe('3');
        expect(await c.lmPop([k('none'), k('dst')], 'RIGHT', { COUNT: 1 })).toEqual([k('dst'), ['1']]);
        expect(await c.blPop([k('none'), k('src')], 1)).toEqual({ key: k('src'), element: '2' });
        expect(await c.blPop(k('none'), 0.05)).toBeNull();
        await c.rPush(k('src'), ['x', 'y']);
        expect(await c.brPop(k('src'), 1)).toEqual({ key: k('src'), element: 'y' });
        expect(await c.blMove(k('src'), k('dst'), 'LEFT', 'LEFT', 1)).toBe('x');
        expect(await c.brPopLPush(k('dst'), k('src'), 1)).toBe('3');
        expect(await c.blmPop(1, k('src'), 'LEFT')).toEqual([k('src'), ['3']]);
        // Blocked on one connection, served by a push from the other.
        const waiting = blocker.blPop(k('q'), 0);
        await untilBlocked(1);
        await c.rPush(k('q'), 'v');
        expect(await waiting).toEqual({ key: k('q'), element: 'v' });
        await c.zAdd(k('z'), [
          { score: 1, value: 'a' },
          { score: 2.5, value: 'b' },
        ]);
        expect(await c.bzPopMax(k('z'), 1)).toEqual({ key: k('z'), value: 'b', score: 2.5 });
        const zWaiting = blocker.bzPopMin(k('z2'), 0);
        await untilBlocked(1);
        await c.zAdd(k('z2'), { score: -1.5, value: 'm' });
        expect(await zWaiting).toEqual({ key: k('z2'), value: 'm', score: -1.5 });
        expect(await c.bzmPop(1, k('z'), 'MIN')).toEqual({
          key: k('z'),
          members: [{ value: 'a', score: 1 }],
        });
        const tx = await c
          .multi()
          .rPush(k('m'), ['1', '2'])
          .blPop(k('m'), 0)
          .blPop(k('none'), 0)
          .lLen(k('m'))
          .exec();
        expect(tx).toEqual([2, { key: k('m'), element: '1' }, null, 1]);
      } finally {
        blocker.destroy();
        c.destroy();
      }
    });
  }
});

describe('blocking pops across doors', () => {
  it('are woken by a push from another RESP client, from HTTP and from gRPC Execute', async () => {
    const w = client();
    let p = w.blpop('k', 0);
    await untilBlocked(1);
    await client().rpush('k', 'from-resp');
    expect(await p).toEqual(['k', 'from-resp']);

    p = w.brpop('k', 0);
    await untilBlocked(1);
    const res = await httpCommand(['RPUSH', 'k', 'from-http', 'second']);
    expect(await res.json()).toEqual({ result: 2 });
    expect(await p).toEqual(['k', 'second']);

    const z = w.bzpopmin('kz', 0);
    await untilBlocked(1);
    const reply = (await rpc.unary('Execute', { args: [B('ZADD'), B('kz'), B('2'), B('m')] })).reply;
    expect(reply).toMatchObject({ kind: 'integer', integer: '1' });
    expect(await z).toEqual(['kz', 'm', '2']);

    // An LMOVE over gRPC makes its destination ready too.
    p = w.blpop('moved', 0);
    await untilBlocked(1);
    await rpc.unary('Execute', { args: [B('LMOVE'), B('k'), B('moved'), B('LEFT'), B('RIGHT')] });
    expect(await p).toEqual(['moved', 'from-http']);
    expect(await blocked()).toBe(0);
  });

  it('serve an HTTP and a gRPC waiter when a RESP client pushes', async () => {
    const http = httpCommand(['BLPOP', 'hk', '0']);
    await untilBlocked(1);
    const grpcWait = rpc.unary('Execute', { args: [B('BRPOP'), B('hk'), B('0')] });
    await untilBlocked(2);
    expect(await r.rpush('hk', 'a', 'b')).toBe(2);
    expect(await (await http).json()).toEqual({ result: ['hk', 'a'] });
    const g = (await grpcWait).reply;
    expect(g.kind).toBe('array');
    expect(g.array.items.map((i: { bulk: Buffer }) => i.bulk.toString())).toEqual(['hk', 'b']);
  });

  it('serve three waiters first come, first served', async () => {
    const [a, b, c] = [client(), client(), client()];
    const pa = a.blpop('fifo', 0);
    await untilBlocked(1);
    const pb = b.blpop('fifo', 0);
    await untilBlocked(2);
    const pc = c.blpop('fifo', 0);
    await untilBlocked(3);
    await r.rpush('fifo', '1', '2', '3');
    expect(await Promise.all([pa, pb, pc])).toEqual([
      ['fifo', '1'],
      ['fifo', '2'],
      ['fifo', '3'],
    ]);
  });

  it('time out after a fractional timeout with null', async () => {
    const t0 = Date.now();
    expect(await client().blpop('never', 0.15)).toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(await blocked()).toBe(0);
  });

  it('end on CLIENT UNBLOCK, as a timeout or with the UNBLOCKED error', async () => {
    const w = client();
    const id = await w.client('ID');
    let p = w.blpop('u', 0);
    await untilBlocked(1);
    expect(await r.client('UNBLOCK', id)).toBe(1);
    expect(await p).toBeNull();
    p = w.blpop('u', 0);
    await untilBlocked(1);
    expect(await r.client('UNBLOCK', id, 'ERROR')).toBe(1);
    await expect(p).rejects.toThrow('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    expect(await r.client('UNBLOCK', id)).toBe(0);
  });

  it('count blocked clients in INFO, and an HTTP client that gives up ends its wait', async () => {
    const ac = new AbortController();
    const pending = httpCommand(['BLPOP', 'gone', '0'], ac.signal).catch((e: Error) => e);
    await untilBlocked(1);
    expect(await r.info('clients')).toMatch(/blocked_clients:1\r\n/);
    ac.abort();
    expect(await pending).toBeInstanceOf(Error);
    await untilBlocked(0);
    // Nothing was popped for the client that left.
    await r.rpush('gone', 'kept');
    expect(await r.lrange('gone', 0, -1)).toEqual(['kept']);
  });

  it('ends a gRPC wait at the call deadline', async () => {
    await expect(
      rpc.unary('Execute', { args: [B('BLPOP'), B('late'), B('0')] }, { timeoutMs: 200 }),
    ).rejects.toThrow(/DEADLINE_EXCEEDED/);
    await untilBlocked(0);
  });
});

describe('shutdown', () => {
  // A server of its own: an HTTP keep-alive connection left by an aborted request holds the
  // HTTP door's drain for a few seconds whatever the command was (WAIT too).
  it('answers blocked clients at once instead of waiting out the drain', async () => {
    const own = await startCairn();
    const w = new Redis({
      port: own.respPort,
      host: '127.0.0.1',
      maxRetriesPerRequest: 0,
      lazyConnect: true,
    });
    w.on('error', () => {});
    await w.connect();
    const p = w.blpop('forever', 0).catch((e: Error) => e);
    const probe = new Redis({ port: own.respPort, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    probe.on('error', () => {});
    while (!/blocked_clients:1\r\n/.test(await probe.info('clients')))
      await new Promise((res) => setTimeout(res, 5));
    probe.disconnect();
    const t0 = Date.now();
    expect(await own.stop()).toBe(0);
    // shutdown-timeout is 10 s: before, the blocked client held the drain for all of it.
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(String(await p)).toContain('ERR Cairn is shutting down');
    w.disconnect();
  }, 60_000);
});
