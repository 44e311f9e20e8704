/**
 * Libraries that run their logic inside the server as Lua scripts, used unchanged against the
 * compiled Cairn: redlock (acquire, contend, extend, release), rate-limiter-flexible's Redis
 * limiter, @upstash/redis eval / evalsha / scriptLoad over the HTTP door, EVAL through gRPC
 * Execute, and ioredis's defineCommand (EVALSHA, falling back to EVAL on NOSCRIPT).
 */
import { Redis as Upstash } from '@upstash/redis';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import Redlock, { ExecutionError } from 'redlock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { cairnClient, grpc, statusOf } from './helpers/grpc.js';

let cairn: CairnProcess;
let redis: Redis;

beforeAll(async () => {
  cairn = await startCairn({ args: ['--snapshot-store', 'none'] });
  redis = new Redis({ port: cairn.respPort, host: '127.0.0.1', maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  redis?.disconnect();
  await cairn?.stop();
});

describe('redlock', () => {
  it('acquires, refuses a second holder, extends and releases', async () => {
    const redlock = new Redlock([redis], { retryCount: 0 });
    const lock = await redlock.acquire(['orders:42'], 2_000);
    expect(await redis.get('orders:42')).toBe(lock.value);
    const ttl = await redis.pttl('orders:42');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2_000);

    // Another holder cannot take it while it is held.
    await expect(redlock.acquire(['orders:42'], 2_000)).rejects.toBeInstanceOf(ExecutionError);

    const extended = await lock.extend(10_000);
    expect(await redis.pttl('orders:42')).toBeGreaterThan(2_000);
    expect(extended.value).toBe(lock.value);

    await extended.release();
    expect(await redis.exists('orders:42')).toBe(0);
    // Released: the resource can be taken again.
    const again = await redlock.acquire(['orders:42'], 1_000);
    await again.release();
  });

  it('does not release a lock another holder took over', async () => {
    const redlock = new Redlock([redis], { retryCount: 0 });
    const lock = await redlock.acquire(['stolen'], 5_000);
    await redis.set('stolen', 'someone-else');
    await expect(lock.release()).rejects.toBeInstanceOf(ExecutionError);
    expect(await redis.get('stolen')).toBe('someone-else');
  });
});

describe('rate-limiter-flexible', () => {
  it('consumes points atomically and refuses past the limit', async () => {
    const limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: 'rl',
      points: 3,
      duration: 60,
    });
    for (let i = 1; i <= 3; i++) {
      const res = await limiter.consume('user-1');
      expect(res.remainingPoints).toBe(3 - i);
    }
    const refused = await limiter.consume('user-1').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimiterRes);
    expect((refused as RateLimiterRes).remainingPoints).toBe(0);
    expect((refused as RateLimiterRes).msBeforeNext).toBeGreaterThan(0);
    // Another key has its own budget; the counter is a plain key with a TTL.
    expect((await limiter.consume('user-2')).remainingPoints).toBe(2);
    expect(await redis.get('rl:user-1')).toBe('4');
    expect(await redis.ttl('rl:user-1')).toBeGreaterThan(0);
    // The next window starts fresh once the key is gone.
    await limiter.delete('user-1');
    expect((await limiter.consume('user-1')).remainingPoints).toBe(2);
  });
});

describe('ioredis defineCommand', () => {
  it('runs by EVALSHA and falls back to EVAL after SCRIPT FLUSH', async () => {
    const client = new Redis({ port: cairn.respPort, host: '127.0.0.1' }) as Redis & {
      addTo(key: string, n: number): Promise<number>;
    };
    client.defineCommand('addTo', {
      numberOfKeys: 1,
      lua: "return redis.call('incrby', KEYS[1], ARGV[1])",
    });
    expect(await client.addTo('counter', 5)).toBe(5);
    await client.script('FLUSH');
    expect(await client.addTo('counter', 2)).toBe(7);
    client.disconnect();
  });
});

describe('@upstash/redis over the HTTP door', () => {
  it('eval, scriptLoad and evalsha', async () => {
    const up = new Upstash({
      url: `http://127.0.0.1:${cairn.httpPort}`,
      token: 'unused',
      enableTelemetry: false,
      retry: false,
    });
    expect(await up.eval("return redis.call('set', KEYS[1], ARGV[1])", ['up:k'], ['hello'])).toBe('OK');
    expect(await up.eval('return {KEYS[1], ARGV[1], 42}', ['a'], ['b'])).toEqual(['a', 'b', 42]);
    const sha = await up.scriptLoad("return redis.call('get', KEYS[1])");
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await up.evalsha(sha, ['up:k'], [])).toBe('hello');
    await expect(up.evalsha('f'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
    await expect(up.eval('return x', [], [])).rejects.toThrow(/nonexistent global variable 'x'/);
    expect(await redis.get('up:k')).toBe('hello');
  });
});

describe('gRPC Execute', () => {
  it('runs EVAL and FCALL', async () => {
    const rpc = cairnClient(cairn.grpcPort);
    const args = (...a: string[]) => ({ args: a.map((x) => Buffer.from(x)) });
    const r = await rpc.unary('Execute', args('EVAL', "return redis.call('incrby', KEYS[1], 3)", '1', 'g:n'));
    expect(Number(r.reply.integer)).toBe(3);
    await rpc.unary(
      'Execute',
      args(
        'FUNCTION',
        'LOAD',
        "#!lua name=g\nredis.register_function('twice', function(k, a) return a[1] * 2 end)",
      ),
    );
    const f = await rpc.unary('Execute', args('FCALL', 'twice', '0', '21'));
    expect(Number(f.reply.integer)).toBe(42);
    const err = await statusOf(rpc.unary('Execute', args('EVAL', 'return x', '0')));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/^user_script:1: Script attempted to access nonexistent global variable 'x'/);
    rpc.close();
  });
});
