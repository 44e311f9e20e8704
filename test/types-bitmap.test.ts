/**
 * Bitmaps through real clients, the way applications use them: daily-active-user presence
 * (SETBIT per user id, BITCOUNT, BITOP AND/OR across days, BITPOS for the first active id,
 * GETBIT checks), per-user feature flags and small saturating counters packed with BITFIELD,
 * read back with BITFIELD_RO; through ioredis (RESP2, pipelined and in MULTI) and node-redis
 * (RESP2 and RESP3), and across doors (HTTP). Each script runs against Cairn and a real redis-server and must give the
 * same results; a few known answers are checked as well.
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

let cairn: CairnProcess;
let redis: RedisProcess;

beforeAll(async () => {
  [cairn, redis] = await Promise.all([startCairn(), startRedis()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([cairn?.stop(), redis?.stop()]);
});

/** User ids active on two days: sparse, up to ~1M, so the bitmaps are large. */
const MONDAY = [1, 7, 42, 1000, 65_537, 999_999];
const TUESDAY = [7, 42, 43, 500_000, 999_999];

async function ioredisScript(port: number): Promise<unknown[]> {
  const r = new Redis({ port, maxRetriesPerRequest: 0, lazyConnect: true });
  await r.connect();
  const out: unknown[] = [];
  const err = (p: Promise<unknown>) =>
    p.then(
      (v) => v,
      (e: Error) => `ERR:${e.message}`,
    );
  try {
    await r.flushall();
    const p = r.pipeline();
    for (const id of MONDAY) p.setbit('active:mon', id, 1);
    for (const id of TUESDAY) p.setbit('active:tue', id, 1);
    p.setbit('active:mon', 42, 1);
    out.push((await p.exec())?.map(([e, v]) => e?.message ?? v));
    out.push(await r.strlen('active:mon'), await r.bitcount('active:mon'), await r.bitcount('active:tue'));
    out.push(await r.getbit('active:mon', 65_537), await r.getbit('active:mon', 65_538));
    out.push(
      await r.bitop('AND', 'active:both', 'active:mon', 'active:tue'),
      await r.bitcount('active:both'),
    );
    out.push(await r.bitop('OR', 'active:any', 'active:mon', 'active:tue'), await r.bitcount('active:any'));
    out.push(await r.bitpos('active:both', 1), await r.bitpos('active:mon', 1, 1));
    out.push(await r.bitcount('active:mon', 0, 999, 'BIT'), await r.bitpos('active:tue', 0));
    out.push(
      await r.call('BITFIELD', 'flags', 'SET', 'u1', '#3', 1, 'SET', 'u1', '#9', 1, 'GET', 'u1', '#3'),
    );
    out.push(
      await r.call('BITFIELD', 'hits', 'OVERFLOW', 'SAT', 'INCRBY', 'u4', '#2', 10, 'INCRBY', 'u4', '#2', 10),
    );
    out.push(
      await r.call('BITFIELD', 'hits', 'OVERFLOW', 'FAIL', 'INCRBY', 'u4', '#2', 1, 'GET', 'u4', '#2'),
    );
    out.push(await r.call('BITFIELD_RO', 'hits', 'GET', 'u4', '#2', 'GET', 'i8', '0'));
    out.push(await err(r.call('BITFIELD_RO', 'hits', 'SET', 'u4', '#2', '1')));
    out.push(await err(r.setbit('active:mon', -1, 1)), await err(r.setbit('active:mon', 1, 2)));
    await r.rpush('a-list', 'x');
    out.push(await err(r.bitcount('a-list')), await err(r.bitop('NOT', 'd', 'active:mon', 'active:tue')));
    out.push(
      await r
        .multi()
        .setbit('tx', 100, 1)
        .getbit('tx', 100)
        .bitcount('tx')
        .bitfield('tx', 'INCRBY', 'i8', 0, -3)
        .exec(),
    );
    return out;
  } finally {
    r.disconnect();
  }
}

async function nodeRedisScript(port: number, RESP: 2 | 3): Promise<unknown[]> {
  const c = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false }, RESP });
  c.on('error', () => {});
  await c.connect();
  const out: unknown[] = [];
  const k = (s: string) => `nr${RESP}:${s}`;
  try {
    for (const id of MONDAY) await c.setBit(k('mon'), id, 1);
    for (const id of TUESDAY) await c.setBit(k('tue'), id, 1);
    out.push(await c.getBit(k('mon'), 999_999), await c.bitCount(k('mon')));
    out.push(await c.bitCount(k('mon'), { start: 0, end: 1000, mode: 'BIT' }));
    out.push(await c.bitOp('XOR', k('diff'), [k('mon'), k('tue')]), await c.bitCount(k('diff')));
    out.push(await c.bitPos(k('diff'), 1), await c.bitPos(k('diff'), 1, 2, -1, 'BYTE'));
    out.push(
      await c.bitField(k('f'), [
        { operation: 'SET', encoding: 'i16', offset: '#1', value: -300 },
        { operation: 'INCRBY', encoding: 'i16', offset: '#1', increment: 1 },
        { operation: 'OVERFLOW', behavior: 'WRAP' },
        { operation: 'INCRBY', encoding: 'u8', offset: 0, increment: 300 },
      ]),
    );
    out.push(
      await c.bitFieldRo(k('f'), [
        { encoding: 'i16', offset: '#1' },
        { encoding: 'u8', offset: 0 },
      ]),
    );
    return out;
  } finally {
    c.destroy();
  }
}

describe('bitmap commands through real clients, Cairn vs redis-server', () => {
  it('ioredis: presence bitmaps, feature flags and counters', async () => {
    const [mine, theirs] = [await ioredisScript(cairn.respPort), await ioredisScript(redis.port)];
    expect(mine).toEqual(theirs);
    // 999999 is the highest id: 125000 bytes; 6 Monday users; 3 on both days (7, 42, 999999).
    expect(mine.slice(1, 4)).toEqual([125_000, 6, 5]);
    expect(mine.slice(6, 14)).toEqual([125_000, 3, 125_000, 8, 7, 42, 3, 0]);
    expect(mine.slice(14, 18)).toEqual([
      [0, 0, 1],
      [10, 15],
      [null, 15],
      [15, 0],
    ]);
  });

  it('bits written over HTTP read back over RESP, and the other way', async () => {
    const http = async (argv: string[]) => {
      const res = await fetch(`http://127.0.0.1:${cairn.httpPort}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(argv),
      });
      return ((await res.json()) as { result: unknown }).result;
    };
    const r = new Redis({ port: cairn.respPort, maxRetriesPerRequest: 0 });
    try {
      expect(await http(['SETBIT', 'doors', '12', '1'])).toBe(0);
      expect(await r.getbit('doors', 12)).toBe(1);
      await r.bitfield('doors', 'SET', 'u8', '#3', 200);
      expect(await http(['BITFIELD_RO', 'doors', 'GET', 'u8', '#3', 'GET', 'i8', '#3'])).toEqual([200, -56]);
      expect(await http(['BITCOUNT', 'doors'])).toBe(4);
    } finally {
      r.disconnect();
    }
  });

  for (const RESP of [2, 3] as const) {
    it(`node-redis RESP${RESP}`, async () => {
      const [mine, theirs] = [
        await nodeRedisScript(cairn.respPort, RESP),
        await nodeRedisScript(redis.port, RESP),
      ];
      expect(mine).toEqual(theirs);
      expect(mine.slice(0, 3)).toEqual([1, 6, 4]);
      expect(mine.slice(7)).toEqual([
        [0, -299, 44],
        [-299, 44],
      ]);
    });
  }
});
