import { afterEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../server/testing.js';
import type { ClientState } from '../context.js';
import { RawReply, type Reply } from '../reply.js';
import { encodeCommand } from './propagate.js';

let t: TestServer;
afterEach(() => t?.close());

/** The commands in a replication stream (RESP arrays of bulk strings), as text. */
function decodeStream(bytes: Buffer): string[] {
  const out: string[] = [];
  let p = 0;
  const line = (): string => {
    const e = bytes.indexOf('\r\n', p);
    const s = bytes.toString('latin1', p, e);
    p = e + 2;
    return s;
  };
  while (p < bytes.length) {
    const head = line();
    if (!head.startsWith('*')) throw new Error(`not an array: ${head}`);
    const args: string[] = [];
    for (let n = Number(head.slice(1)); n > 0; n--) {
      const len = Number(line().slice(1));
      args.push(bytes.toString('latin1', p, p + len));
      p += len + 2;
    }
    out.push(args.join(' '));
  }
  return out;
}

interface Replica {
  c: ClientState;
  /** Commands received since the last take. */
  take(): string[];
}

/** A client that sent SYNC: what it is fed is decoded from its raw pushes. */
async function replica(): Promise<Replica> {
  let chunks: Buffer[] = [];
  const c = t.client({
    addr: '127.0.0.1:40001',
    push: (r: Reply) => {
      if (r instanceof RawReply) chunks.push(r.bytes);
      return true;
    },
  });
  const image = await t.run(c, 'SYNC');
  expect(image).toBeInstanceOf(RawReply);
  return {
    c,
    take() {
      const all = decodeStream(Buffer.concat(chunks));
      chunks = [];
      return all;
    },
  };
}

describe('encodeCommand', () => {
  it('renders a RESP array of bulk strings, text as latin1', () => {
    expect(encodeCommand(['SET', Buffer.from('k'), '\xff']).toString('latin1')).toBe(
      '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n\xff\r\n',
    );
  });
});

describe('propagation to a replica', () => {
  it('records nothing until a replica attaches, then selects the database first', async () => {
    t = createTestServer();
    const a = t.client();
    await t.run(a, 'SET', 'before', '1');
    expect(t.server.propagation.active).toBe(false);
    const r = await replica();
    expect(t.server.propagation.active).toBe(true);
    await t.run(a, 'SET', 'k', 'v');
    await t.run(a, 'SELECT', '2');
    await t.run(a, 'SET', 'k', 'v');
    await t.run(a, 'SET', 'k2', 'v');
    expect(r.take()).toEqual(['SELECT 0', 'SET k v', 'SELECT 2', 'SET k v', 'SET k2 v']);
  });

  it('leaves out reads and writes that changed nothing, but forces PUBLISH and FLUSHALL', async () => {
    t = createTestServer();
    const a = t.client();
    const r = await replica();
    await t.run(a, 'GET', 'k');
    await t.run(a, 'DEL', 'missing');
    await t.run(a, 'SADD', 's', 'm');
    await t.run(a, 'SADD', 's', 'm');
    await t.run(a, 'EXPIRE', 'missing', '10');
    await t.run(a, 'PUBLISH', 'ch', 'hi');
    await t.run(a, 'FLUSHALL');
    await t.run(a, 'FLUSHALL');
    await t.run(a, 'SET', 'k', 'v', 'XX');
    expect(r.take()).toEqual(['SELECT 0', 'SADD s m', 'PUBLISH ch hi', 'FLUSHALL', 'FLUSHALL']);
  });

  it('wraps a transaction of several writes in MULTI/EXEC, selecting before MULTI', async () => {
    t = createTestServer();
    const a = t.client();
    await t.run(a, 'SELECT', '1');
    const r = await replica();
    for (const argv of [
      ['MULTI'],
      ['SET', 'a', '1'],
      ['GET', 'a'],
      ['SELECT', '3'],
      ['SET', 'b', '2'],
      ['EXEC'],
    ])
      await t.run(a, ...argv);
    // One write: no MULTI; none: nothing.
    for (const argv of [['MULTI'], ['SET', 'c', '3'], ['GET', 'c'], ['EXEC'], ['MULTI'], ['EXEC']])
      await t.run(a, ...argv);
    expect(r.take()).toEqual(['SELECT 1', 'MULTI', 'SET a 1', 'SELECT 3', 'SET b 2', 'EXEC', 'SET c 3']);
  });

  it('rewrites relative expiries to absolute times, and times already past to DEL or UNLINK', async () => {
    t = createTestServer();
    const now = t.clock.now();
    const a = t.client();
    const r = await replica();
    await t.run(a, 'SET', 'k', 'v', 'EX', '10');
    await t.run(a, 'EXPIRE', 'k', '20', 'GT');
    await t.run(a, 'PEXPIREAT', 'k', String(now + 30_000));
    await t.run(a, 'GETEX', 'k', 'PX', '40000');
    await t.run(a, 'GETEX', 'k', 'PERSIST');
    await t.run(a, 'EXPIRE', 'k', '-1');
    await t.run(a, 'SET', 'k', 'v');
    await t.run(a, 'CONFIG', 'SET', 'lazyfree-lazy-expire', 'yes');
    await t.run(a, 'GETEX', 'k', 'EXAT', '1');
    expect(r.take()).toEqual([
      'SELECT 0',
      `SET k v PXAT ${now + 10_000}`,
      `PEXPIREAT k ${now + 20_000} GT`,
      `PEXPIREAT k ${now + 30_000}`,
      `PEXPIREAT k ${now + 40_000}`,
      'PERSIST k',
      'DEL k',
      'SET k v',
      'UNLINK k',
    ]);
  });

  it('replicates keys that expire as DEL: in the command that found them, or at once', async () => {
    t = createTestServer();
    const a = t.client();
    const r = await replica();
    await t.run(a, 'SET', 'k', 'v', 'PX', '100');
    await t.run(a, 'SET', 'j', 'v', 'PX', '100');
    t.clock.advance(200);
    await t.run(a, 'GET', 'k');
    // A write to an expired key: its DEL and the write travel together.
    await t.run(a, 'SET', 'j', 'w');
    expect(r.take()).toEqual([
      'SELECT 0',
      `SET k v PXAT ${t.clock.now() - 100}`,
      `SET j v PXAT ${t.clock.now() - 100}`,
      'DEL k',
      'MULTI',
      'DEL j',
      'SET j w',
      'EXEC',
    ]);
  });

  it('replicates evicted keys one by one as DEL, or UNLINK under lazyfree-lazy-eviction', async () => {
    t = createTestServer();
    const a = t.client();
    const r = await replica();
    await t.run(a, 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    await t.run(a, 'CONFIG', 'SET', 'lazyfree-lazy-eviction', 'yes');
    for (let i = 0; i < 50; i++) await t.run(a, 'SET', `k${i}`, 'x'.repeat(1000));
    r.take();
    await t.run(a, 'CONFIG', 'SET', 'maxmemory', String(t.keyspace.usedMemory() - 5000));
    await t.run(a, 'SET', 'last', 'v');
    const fed = r.take();
    expect(fed.at(-1)).toBe('SET last v');
    const evicted = fed.slice(0, -1);
    expect(evicted.length).toBeGreaterThan(0);
    for (const cmd of evicted) expect(cmd).toMatch(/^UNLINK k\d+$/);
  });

  it('keeps an eviction a transaction caused where it happened, inside its MULTI/EXEC', async () => {
    t = createTestServer();
    const a = t.client();
    const r = await replica();
    await t.run(a, 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    for (const argv of [
      ['MULTI'],
      ['INCR', 'x'],
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['INCR', 'x'],
      ['EXEC'],
    ])
      await t.run(a, ...argv);
    // The next command evicts again before it runs: that DEL goes out on its own.
    await t.run(a, 'CONFIG', 'SET', 'maxmemory', '0');
    expect(r.take()).toEqual(['SELECT 0', 'MULTI', 'INCR x', 'DEL x', 'INCR x', 'EXEC', 'DEL x']);
    expect(await t.run(a, 'GET', 'x')).toBeNull();
  });

  it('replaces float increments and random pops by their results', async () => {
    t = createTestServer();
    const a = t.client();
    const r = await replica();
    await t.run(a, 'INCRBYFLOAT', 'f', '1.5');
    await t.run(a, 'HINCRBYFLOAT', 'h', 'x', '2.25');
    await t.run(a, 'SADD', 's', 'only');
    await t.run(a, 'SPOP', 's');
    await t.run(a, 'SADD', 's', 'a', 'b', 'c');
    await t.run(a, 'SPOP', 's', '5');
    expect(r.take()).toEqual([
      'SELECT 0',
      'SET f 1.5 KEEPTTL',
      'HSET h x 2.25',
      'SADD s only',
      'SREM s only',
      'SADD s a b c',
      'DEL s',
    ]);
  });

  it('replicates pops by what they popped and a served blocked pop as its own LPOP', async () => {
    t = createTestServer();
    const a = t.client();
    const b = t.client({ addr: '127.0.0.1:50002' });
    const r = await replica();
    await t.run(a, 'RPUSH', 'l', '1', '2', '3');
    await t.run(a, 'LMPOP', '1', 'l', 'LEFT', 'COUNT', '10');
    await t.run(a, 'ZADD', 'z', '1', 'a');
    await t.run(a, 'BZPOPMIN', 'z', '0');
    const served = t.run(b, 'BLMPOP', '0', '1', 'q', 'RIGHT', 'COUNT', '2');
    await t.run(a, 'RPUSH', 'q', 'x', 'y', 'z');
    expect(await served).toEqual([Buffer.from('q'), [Buffer.from('z'), Buffer.from('y')]]);
    expect(r.take()).toEqual([
      'SELECT 0',
      'RPUSH l 1 2 3',
      'LPOP l 3',
      'ZADD z 1 a',
      'ZPOPMIN z',
      'RPUSH q x y z',
      'RPOP q 2',
    ]);
  });

  it('replicates a script by its writes, several inside MULTI/EXEC', async () => {
    t = createTestServer();
    const a = t.client();
    const r = await replica();
    await t.run(a, 'EVAL', "redis.call('set', 'x', '1'); return redis.call('incr', 'x')", '0');
    await t.run(a, 'EVAL', "return redis.call('get', 'x')", '0');
    await t.run(a, 'EVAL', "return redis.call('expire', 'x', 100)", '0');
    expect(r.take()).toEqual([
      'SELECT 0',
      'MULTI',
      'set x 1',
      'incr x',
      'EXEC',
      `PEXPIREAT x ${t.clock.now() + 100_000}`,
    ]);
  });

  it('keeps the commands a script runs after redis.set_repl(REPL_NONE / REPL_AOF) from replicas', async () => {
    t = createTestServer();
    const a = t.client();
    const r = await replica();
    const script = [
      "redis.call('set', 'a', '1')",
      'redis.set_repl(redis.REPL_NONE)',
      "redis.call('set', 'b', '2')",
      'redis.set_repl(redis.REPL_AOF)',
      "redis.call('set', 'c', '3')",
      'redis.set_repl(redis.REPL_ALL)',
      "redis.call('set', 'd', '4')",
    ].join('; ');
    await t.run(a, 'EVAL', script, '0');
    expect(await t.run(a, 'MGET', 'a', 'b', 'c', 'd')).toEqual(
      ['1', '2', '3', '4'].map((v) => Buffer.from(v)),
    );
    expect(r.take()).toEqual(['SELECT 0', 'MULTI', 'set a 1', 'set d 4', 'EXEC']);
  });

  it('stops feeding a replica that went away', async () => {
    t = createTestServer();
    const a = t.client();
    const r = await replica();
    expect(t.server.replicas.count).toBe(1);
    t.server.closeClient(r.c);
    expect(t.server.replicas.count).toBe(0);
    expect(t.server.propagation.active).toBe(false);
    await t.run(a, 'SET', 'k', 'v');
    expect(r.take()).toEqual([]);
  });
});
