/**
 * Streams through snapshots: DEBUG RELOAD and a restart from the snapshot a graceful shutdown
 * writes keep every stream whole: entries, tombstones and node layout (what a later `~` trim
 * removes), the counters XINFO reports, consumer groups, consumers and both PELs with their
 * delivery times and counts. XINFO STREAM FULL must read the same before and after, in both
 * engines.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { tempDir } from './helpers/tmp.js';

const running: CairnProcess[] = [];
const clients: Redis[] = [];

async function start(dir: string, engine: string): Promise<{ srv: CairnProcess; redis: Redis }> {
  const srv = await startCairn({ args: ['--dir', dir, '--engine', engine] });
  running.push(srv);
  const redis = new Redis({ port: srv.respPort, maxRetriesPerRequest: 0 });
  redis.on('error', () => {});
  clients.push(redis);
  return { srv, redis };
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of running.splice(0)) await s.stop('SIGKILL');
});

/** Streams with everything a snapshot must keep. */
async function fill(r: Redis): Promise<void> {
  await r.config('SET', 'stream-node-max-entries', '4');
  const p = r.pipeline();
  for (let i = 1; i <= 30; i++) p.xadd('s', `${i}-${i % 3}`, 'n', String(i), 'pad', 'x'.repeat(i * 7));
  p.xadd('s', '31-0', 'other', 'fields');
  p.xdel('s', '2-2', '6-0', '7-1', '30-0');
  p.xgroup('CREATE', 's', 'g', '0', 'ENTRIESREAD', '0');
  p.xgroup('CREATE', 's', 'late', '$');
  p.xreadgroup('GROUP', 'g', 'alice', 'COUNT', '5', 'STREAMS', 's', '>');
  p.xreadgroup('GROUP', 'g', 'bob', 'COUNT', '3', 'NOACK', 'STREAMS', 's', '>');
  p.xreadgroup('GROUP', 'g', 'carol', 'COUNT', '4', 'STREAMS', 's', '>');
  p.xclaim('s', 'g', 'dave', 0, '1-1', 'TIME', 1234, 'RETRYCOUNT', 9);
  p.xack('s', 'g', '3-0');
  p.xgroup('CREATECONSUMER', 's', 'late', 'idle');
  p.xsetid('s', '40-0', 'ENTRIESADDED', 45, 'MAXDELETEDID', '35-0');
  p.xgroup('CREATE', 'empty', 'g', '$', 'MKSTREAM');
  p.xadd(Buffer.from([0xff, 0, 1]), '18446744073709551615-18446744073709551615', Buffer.from([0, 0xfe]), 'v');
  const replies = await p.exec();
  expect(replies?.every(([err]) => err === null)).toBe(true);
}

async function describeAll(r: Redis): Promise<unknown[]> {
  return [
    await r.call('XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0'),
    await r.call('XINFO', 'STREAM', 'empty', 'FULL'),
    await r.callBuffer('XINFO', 'STREAM', Buffer.from([0xff, 0, 1]), 'FULL'),
    // Idle times move on; the rest of each pending entry must not.
    ((await r.xpending('s', 'g', '-', '+', 100)) as unknown[][]).map(([id, owner, , count]) => [
      id,
      owner,
      count,
    ]),
    await r.call('XINFO', 'GROUPS', 's'),
    await r.type('s'),
  ];
}

describe.each(['map', 'offheap'])('streams in snapshots (%s engine)', (engine) => {
  it('DEBUG RELOAD keeps streams, groups and PELs identical', async () => {
    const { redis } = await start(tempDir('cairn-stream-'), engine);
    await fill(redis);
    const before = await describeAll(redis);
    expect(await redis.call('DEBUG', 'RELOAD')).toBe('OK');
    expect(await describeAll(redis)).toEqual(before);
    // The node layout came back too: an approximate trim removes the whole nodes Redis removes.
    expect(await redis.xtrim('s', 'MAXLEN', '~', 10)).toBe(17);
  });

  it('a restart loads the snapshot the shutdown wrote, streams included', async () => {
    const dir = tempDir('cairn-stream-');
    const first = await start(dir, engine);
    await fill(first.redis);
    const before = await describeAll(first.redis);
    expect(await first.srv.stop('SIGTERM')).toBe(0);
    const again = await start(dir, engine);
    expect(await describeAll(again.redis)).toEqual(before);
    // Auto IDs continue after the top ID the snapshot kept.
    expect(await again.redis.xadd('s', '40-*', 'n', 'after')).toBe('40-1');
    expect(await again.redis.xtrim('s', 'MAXLEN', '~', 10)).toBe(17);
  });
});
