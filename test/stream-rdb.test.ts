/**
 * Streams in Redis's RDB format, against a real redis-server: the same commands give the same
 * DUMP bytes (Cairn's stream nodes are Redis's listpacks), and DUMP / RESTORE carry streams
 * both ways, with tombstones, several nodes, wide IDs, trimmed heads, consumer groups,
 * consumers, pending entries and NOACK reads, so that XINFO STREAM FULL reads the same on both
 * sides and both go on the same way. A malformed stream payload is refused with Redis's
 * "Bad data format" and creates nothing.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Crc64 } from '../src/persistence/rdb/crc64.js';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

let redisSrv: RedisProcess;
let cairnSrv: CairnProcess;
let redis: Redis;
let cairn: Redis;

beforeAll(async () => {
  [redisSrv, cairnSrv] = await Promise.all([startRedis(), startCairn()]);
  redis = new Redis({ port: redisSrv.port, maxRetriesPerRequest: 0 });
  cairn = new Redis({ port: cairnSrv.respPort, maxRetriesPerRequest: 0 });
});

afterAll(async () => {
  redis?.disconnect();
  cairn?.disconnect();
  await Promise.all([redisSrv?.stop(), cairnSrv?.stop('SIGKILL')]);
});

type Cmd = (string | number | Buffer)[];

async function run(r: Redis, cmds: Cmd[]): Promise<void> {
  const p = r.pipeline();
  for (const [name, ...args] of cmds) p.call(String(name), ...args);
  const replies = (await p.exec()) ?? [];
  for (const [err] of replies) expect(err).toBeNull();
}

const both = (cmds: Cmd[]) => Promise.all([run(redis, cmds), run(cairn, cmds)]);
const dump = (r: Redis, key: string) => r.callBuffer('DUMP', key) as Promise<Buffer>;
const full = (r: Redis, key: string) => r.call('XINFO', 'STREAM', key, 'FULL');

const VALUES = ['0', '-5', '123', '007', '-0', '9223372036854775807', '9223372036854775808', 'x'.repeat(100)];

/** Streams whose payload depends on nothing but the commands: no delivery or seen times. */
function timeless(): Cmd[] {
  const c: Cmd[] = [
    ['CONFIG', 'SET', 'stream-node-max-entries', '5', 'stream-node-max-bytes', '4096'],
    ['DEL', 'a', 'wide', 'gone', 'bytes'],
  ];
  for (let i = 1; i <= 40; i++) {
    const v = VALUES[i % VALUES.length];
    c.push(
      i % 6 === 0
        ? ['XADD', 'a', `${i}-${i % 4}`, 'other', v, 'n', i]
        : ['XADD', 'a', `${i}-${i % 4}`, 'f', v, 'n', i],
    );
  }
  c.push(['XADD', 'a', '41-0', 'big', 'y'.repeat(5000)]);
  c.push(['XDEL', 'a', '2-2', '7-3', '8-0', '9-1', '10-2', '33-1']);
  c.push(['XTRIM', 'a', 'MINID', '4']);
  c.push(['XTRIM', 'a', 'MAXLEN', '~', '28']);
  c.push(['XGROUP', 'CREATE', 'a', 'g0', '0'], ['XGROUP', 'CREATE', 'a', 'g1', '20-0', 'ENTRIESREAD', '9']);
  c.push(['XADD', 'wide', '1-1', 'f', 'v'], ['XADD', 'wide', '18446744073709551614-0', 'f', 'w']);
  c.push(['XADD', 'wide', '18446744073709551615-18446744073709551615', 'g', 'x']);
  c.push(
    ['XADD', 'gone', '5-5', 'f', 'v'],
    ['XDEL', 'gone', '5-5'],
    ['XSETID', 'gone', '9-9', 'ENTRIESADDED', 7],
  );
  c.push(['CONFIG', 'SET', 'stream-node-max-entries', '100', 'stream-node-max-bytes', '300']);
  for (let i = 1; i <= 60; i++)
    c.push(['XADD', 'bytes', `${1_700_000_000_000 + i * 7}-0`, 'field', `value:${i}`]);
  c.push(['XDEL', 'bytes', `${1_700_000_000_000 + 14}-0`]);
  return c;
}

/** A stream with consumers and pending entries (their times are the server's own). */
function grouped(key: string): Cmd[] {
  const c: Cmd[] = [['CONFIG', 'SET', 'stream-node-max-entries', '4', 'stream-node-max-bytes', '4096']];
  for (let i = 1; i <= 26; i++) c.push(['XADD', key, `${i}-${i % 3}`, 'n', i, 'pad', 'p'.repeat(i)]);
  c.push(['XDEL', key, '2-2', '6-0', '25-1']);
  c.push(['XGROUP', 'CREATE', key, 'g', '0'], ['XGROUP', 'CREATE', key, 'late', '$']);
  c.push(['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', 5, 'STREAMS', key, '>']);
  c.push(['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', 3, 'NOACK', 'STREAMS', key, '>']);
  c.push(['XREADGROUP', 'GROUP', 'g', 'carol', 'COUNT', 4, 'STREAMS', key, '>']);
  c.push(['XCLAIM', key, 'g', 'dave', 0, '1-1', 'TIME', 1234, 'RETRYCOUNT', 9]);
  c.push(['XACK', key, 'g', '3-0'], ['XGROUP', 'CREATECONSUMER', key, 'late', 'idle']);
  c.push(['XDEL', key, '4-1']); // still pending
  return c;
}

describe('streams in RDB form, Cairn beside Redis', () => {
  it('give the same DUMP bytes for the same commands, compressed or not', async () => {
    await both(timeless());
    for (const compression of ['yes', 'no']) {
      await both([['CONFIG', 'SET', 'rdbcompression', compression]]);
      for (const key of ['a', 'wide', 'gone', 'bytes']) {
        const [r, c] = await Promise.all([dump(redis, key), dump(cairn, key)]);
        expect(c.toString('hex'), `${key}, rdbcompression ${compression}`).toBe(r.toString('hex'));
      }
    }
    expect(await cairn.xlen('bytes')).toBe(59);
    expect(await full(cairn, 'a')).toEqual(await full(redis, 'a'));
  });

  it('RESTORE carries groups, consumers and PELs both ways', async () => {
    await both([
      ['CONFIG', 'SET', 'rdbcompression', 'yes'],
      ['DEL', 'q', 'fromRedis', 'fromCairn'],
    ]);
    await both(grouped('q'));
    // Redis -> Cairn: the payload comes back byte for byte, and reads the same.
    const fromRedis = await dump(redis, 'q');
    expect(await cairn.call('RESTORE', 'fromRedis', '0', fromRedis)).toBe('OK');
    expect((await dump(cairn, 'fromRedis')).equals(fromRedis)).toBe(true);
    expect(await full(cairn, 'fromRedis')).toEqual(await full(redis, 'q'));
    // Cairn -> Redis, the same.
    const fromCairn = await dump(cairn, 'q');
    expect(await redis.call('RESTORE', 'fromCairn', '0', fromCairn)).toBe('OK');
    expect((await dump(redis, 'fromCairn')).equals(fromCairn)).toBe(true);
    expect(await full(redis, 'fromCairn')).toEqual(await full(cairn, 'q'));
    // Both copies of Redis's stream go on the same way (Cairn appends to a restored node).
    const more: Cmd[] = [
      // Into the restored last node (25-1 deleted, 26-2 live), then a new one.
      ['XADD', '{k}', '27-0', 'n', 27, 'pad', 'x'],
      ['XADD', '{k}', '28-0', 'other', 'shape'],
      ['XADD', '{k}', '29-0', 'n', 29, 'pad', 'x'],
      ['XDEL', '{k}', '5-2'],
      ['XTRIM', '{k}', 'MINID', '9'],
      ['XGROUP', 'DELCONSUMER', '{k}', 'g', 'carol'],
      ['XACK', '{k}', 'g', '1-1'],
    ];
    await run(
      redis,
      more.map((c) => c.map((x) => (x === '{k}' ? 'q' : x))),
    );
    await run(
      cairn,
      more.map((c) => c.map((x) => (x === '{k}' ? 'fromRedis' : x))),
    );
    expect((await dump(cairn, 'fromRedis')).equals(await dump(redis, 'q'))).toBe(true);
    expect(await cairn.xrange('fromRedis', '-', '+')).toEqual(await redis.xrange('q', '-', '+'));
  });

  it('refuses a malformed stream payload with Bad data format, as Redis does when it checks', async () => {
    await both([
      ['CONFIG', 'SET', 'rdbcompression', 'no'],
      ['DEL', 's', 'ok', 'bad'],
      ['XADD', 's', '1-0', 'f', 'v1'],
      ['XADD', 's', '2-0', 'f', 'v2'],
    ]);
    const good = await dump(redis, 's');
    // type, node count, the 16-byte key as a string, then the listpack's length and bytes.
    const lpStart = 1 + 1 + 17 + 1;
    const lpBytes = good.readUInt32LE(lpStart);
    expect(good[lpStart - 1]).toBe(lpBytes);
    expect(good[lpStart + lpBytes - 1]).toBe(0xff);
    const withByte = (at: number, v: number) => {
      const body = Buffer.from(good.subarray(0, good.length - 8));
      body[at] = v;
      return Buffer.concat([body, new Crc64().update(body).digest()]);
    };
    // The last entry's lp-count, then the stream's length after the listpack.
    const lpCount = lpStart + lpBytes - 3;
    const length = lpStart + lpBytes;
    expect([good[lpCount], good[length]]).toEqual([4, 2]);
    await redis.call('CONFIG', 'SET', 'sanitize-dump-payload', 'yes');
    for (const [at, v] of [
      [lpCount, 5],
      [length, 3],
    ]) {
      const bad = withByte(at, v);
      await expect(cairn.call('RESTORE', 'bad', '0', bad)).rejects.toThrow('ERR Bad data format');
      if (at === lpCount)
        await expect(redis.call('RESTORE', 'bad', '0', bad)).rejects.toThrow('Bad data format');
    }
    expect(await cairn.exists('bad')).toBe(0);
    expect(await cairn.call('RESTORE', 'ok', '0', withByte(length, 2))).toBe('OK');
    expect(await cairn.xrange('ok', '-', '+')).toEqual([
      ['1-0', ['f', 'v1']],
      ['2-0', ['f', 'v2']],
    ]);
  });
});
