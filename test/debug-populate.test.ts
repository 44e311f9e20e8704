/**
 * DEBUG POPULATE, byte for byte against a real redis-server: replies (and errors) for every
 * argument form, the keys and values it makes (default prefix, a prefix, a size that cuts or
 * pads with zero bytes), keys already there left alone, and WATCH seeing the new keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawRespClient } from './differential/resp-client.js';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

const text = (b: Buffer): string => b.toString('latin1');

async function session(port: number): Promise<string[]> {
  const c = await RawRespClient.connect(port);
  const w = await RawRespClient.connect(port);
  const log: string[] = [];
  try {
    await c.call(['FLUSHALL']);
    await c.call(['SET', 'key:1', 'mine']);
    for (const argv of [
      ['DEBUG', 'POPULATE', '3'],
      ['DEBUG', 'POPULATE', '2', 'p', '12'],
      ['DEBUG', 'POPULATE', '2', 'q', '3'],
      ['DEBUG', 'POPULATE', '0'],
      ['DEBUG', 'POPULATE', '-1'],
      ['DEBUG', 'POPULATE', 'abc'],
      ['DEBUG', 'POPULATE', '2', 'r', '-5'],
      ['DEBUG', 'POPULATE'],
      ['DEBUG', 'POPULATE', '1', 'a', '2', '3'],
      ['DBSIZE'],
      ['GET', 'key:0'],
      ['GET', 'key:1'],
      ['GET', 'key:2'],
      ['GET', 'p:1'],
      ['GET', 'q:0'],
      ['STRLEN', 'p:0'],
      ['EXISTS', 'r:0', 'r:1', 'key:3'],
    ]) {
      log.push(`${argv.join(' ')} -> ${text(await c.call(argv))}`);
    }
    // WATCH: a key POPULATE creates invalidates the transaction.
    await w.call(['WATCH', 'w:0']);
    await c.call(['DEBUG', 'POPULATE', '1', 'w']);
    log.push(
      `watched EXEC -> ${text(Buffer.concat(await w.callMany([['MULTI'], ['SET', 'w:0', 'x'], ['EXEC']])))}`,
    );
  } finally {
    c.close();
    w.close();
  }
  return log;
}

describe('DEBUG POPULATE: Cairn vs redis-server', () => {
  let redis: RedisProcess;
  let cairn: CairnProcess;

  beforeAll(async () => {
    [redis, cairn] = await Promise.all([startRedis(['--enable-debug-command', 'yes']), startCairn()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([redis?.stop(), cairn?.stop()]);
  });

  it('makes the same keys and answers the same way', { timeout: 30_000 }, async () => {
    const [want, got] = await Promise.all([session(redis.port), session(cairn.respPort)]);
    expect(want).toContain('DBSIZE -> :7\r\n');
    expect(got).toEqual(want);
  });
});
