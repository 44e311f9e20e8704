/**
 * Small collections rest as packed bytes in slabs outside the JS heap (engine/offheap/
 * packed-blocks.ts), and the background step gives back slabs that deletions left mostly empty
 * by moving the blocks still in them. Through ioredis: every collection that stays reads back
 * whole, with its encoding, after the slabs shrank.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';

let cairn: CairnProcess;
let r: Redis;

beforeAll(async () => {
  cairn = await startCairn();
  r = new Redis({ port: cairn.respPort, maxRetriesPerRequest: 0 });
}, 60_000);

afterAll(async () => {
  r?.disconnect();
  await cairn?.stop();
});

/** MEMORY STATS' `packed.slab-bytes`: bytes of the slabs small collections rest in. */
async function slabBytes(): Promise<number> {
  const stats = (await r.call('MEMORY', 'STATS')) as unknown[];
  const i = stats.indexOf('packed.slab-bytes');
  expect(i).toBeGreaterThanOrEqual(0);
  return Number(stats[i + 1]);
}

const HASHES = 30_000;
const fields = (i: number) =>
  Object.fromEntries(Array.from({ length: 10 }, (_, j) => [`field${j}`, `value:${i}:${j}`]));

describe('small collections at rest in slabs', () => {
  it('gives back slabs after deletions, and every collection left reads back whole', async () => {
    const load = r.pipeline();
    for (let i = 0; i < HASHES; i++) load.hset(`h:${i}`, fields(i));
    load.rpush('l', 'a', 'b', 'c');
    load.zadd('z', 1, 'one', 2, 'two');
    load.sadd('ints', 3, 1, 2);
    await load.exec();
    const loaded = await slabBytes();
    // 30k hashes of about 200 bytes each: several 1 MiB slabs.
    expect(loaded).toBeGreaterThanOrEqual(4 << 20);

    const drop = r.pipeline();
    for (let i = 0; i < HASHES; i++) if (i % 10 !== 0) drop.del(`h:${i}`);
    await drop.exec();
    // The background step (every expire cycle) empties and releases slabs: wait for it.
    const deadline = Date.now() + 30_000;
    let now = await slabBytes();
    while (now >= loaded / 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      now = await slabBytes();
    }
    expect(now).toBeLessThan(loaded / 2);

    const read = r.pipeline();
    for (let i = 0; i < HASHES; i += 10) read.hgetall(`h:${i}`);
    const got = (await read.exec())!.map(([err, v]) => (err ? String(err) : v));
    expect(got).toEqual(Array.from({ length: HASHES / 10 }, (_, k) => fields(k * 10)));
    expect(await r.object('ENCODING', 'h:0')).toBe('listpack');
    expect(await r.lrange('l', 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await r.zrange('z', '0', '-1', 'WITHSCORES')).toEqual(['one', '1', 'two', '2']);
    expect(await r.smembers('ints')).toEqual(['1', '2', '3']);
    expect(await r.dbsize()).toBe(HASHES / 10 + 3);
  }, 60_000);
});
