/**
 * Function libraries beyond one server's life: FUNCTION DUMP payloads move between Cairn and a
 * real redis-server 7.0 both ways (RESTORE with each policy), and libraries survive a snapshot
 * and a restart of the compiled server.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';
import { tempDir } from './helpers/tmp.js';

const LIB_A =
  "#!lua name=liba\nredis.register_function('greet', function(keys, args) return 'hi ' .. args[1] end)\n";
const LIB_B =
  "#!lua name=libb\nredis.register_function{function_name='count', callback=function(keys) return redis.call('incr', keys[1]) end, description='counts'}\n";

describe('FUNCTION DUMP / RESTORE between Cairn and redis-server', () => {
  let redis: RedisProcess;
  let cairn: CairnProcess;
  let r: Redis;
  let c: Redis;

  beforeAll(async () => {
    [redis, cairn] = await Promise.all([startRedis(), startCairn({ args: ['--snapshot-store', 'none'] })]);
    r = new Redis({ port: redis.port, host: '127.0.0.1' });
    c = new Redis({ port: cairn.respPort, host: '127.0.0.1' });
  });

  afterAll(async () => {
    r?.disconnect();
    c?.disconnect();
    await Promise.all([redis?.stop(), cairn?.stop()]);
  });

  it("restores Redis's dump in Cairn and Cairn's in Redis", async () => {
    await r.call('FUNCTION', 'FLUSH');
    await c.call('FUNCTION', 'FLUSH');
    await r.call('FUNCTION', 'LOAD', LIB_A);
    const fromRedis = (await r.callBuffer('FUNCTION', 'DUMP')) as Buffer;
    expect(await c.call('FUNCTION', 'RESTORE', fromRedis)).toBe('OK');
    expect(await c.call('FCALL', 'greet', '0', 'cairn')).toBe('hi cairn');

    await c.call('FUNCTION', 'LOAD', LIB_B);
    const fromCairn = (await c.callBuffer('FUNCTION', 'DUMP')) as Buffer;
    expect(await r.call('FUNCTION', 'RESTORE', fromCairn, 'REPLACE')).toBe('OK');
    expect(await r.call('FCALL', 'count', '1', 'n')).toBe(1);
    expect(await r.call('FCALL', 'greet', '0', 'redis')).toBe('hi redis');
  });

  it('RESTORE policies: APPEND refuses a clash, REPLACE and FLUSH do not', async () => {
    await c.call('FUNCTION', 'FLUSH');
    await c.call('FUNCTION', 'LOAD', LIB_A);
    const dump = (await c.callBuffer('FUNCTION', 'DUMP')) as Buffer;
    await expect(c.call('FUNCTION', 'RESTORE', dump)).rejects.toThrow('Library liba already exists');
    expect(await c.call('FUNCTION', 'RESTORE', dump, 'REPLACE')).toBe('OK');
    await c.call('FUNCTION', 'LOAD', LIB_B);
    expect(await c.call('FUNCTION', 'RESTORE', dump, 'FLUSH')).toBe('OK');
    expect(await c.call('FUNCTION', 'LIST')).toHaveLength(1);
    await expect(c.call('FCALL', 'count', '1', 'n')).rejects.toThrow('Function not found');
    const bad = Buffer.from(dump);
    bad[bad.length - 1] ^= 0xff;
    await expect(c.call('FUNCTION', 'RESTORE', bad)).rejects.toThrow(
      'DUMP payload version or checksum are wrong',
    );
  });
});

describe('functions in snapshots', () => {
  it('survive SAVE and a restart', async () => {
    const dir = tempDir('cairn-functions-');
    const first = await startCairn({ args: ['--dir', dir] });
    const c1 = new Redis({ port: first.respPort, host: '127.0.0.1' });
    await c1.call('FUNCTION', 'LOAD', LIB_A);
    await c1.call('FUNCTION', 'LOAD', LIB_B);
    await c1.set('n', '10');
    expect(await c1.call('SAVE')).toBe('OK');
    c1.disconnect();
    expect(await first.stop()).toBe(0);

    const second = await startCairn({ args: ['--dir', dir] });
    const c2 = new Redis({ port: second.respPort, host: '127.0.0.1' });
    try {
      expect(await c2.call('FCALL', 'greet', '0', 'again')).toBe('hi again');
      expect(await c2.call('FCALL', 'count', '1', 'n')).toBe(11);
      const list = (await c2.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'libb')) as unknown[][];
      expect(list).toHaveLength(1);
      expect(list[0][1]).toBe('libb');
    } finally {
      c2.disconnect();
      await second.stop();
    }
  });
});
