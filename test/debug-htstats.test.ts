/**
 * DEBUG HTSTATS-KEY against a real redis-server: the same errors (no key, a value that is not a
 * hash table, wrong argument counts), and stats text of the same shape for a `hashtable` set
 * and hash, including the second table while an incremental rehash is in progress and its end
 * after enough SRANDMEMBER calls (each moves the rehash on, as in Redis). The figures describe
 * each server's own table, so only their consistency is compared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawRespClient } from './differential/resp-client.js';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

const text = (b: Buffer): string => b.toString('latin1');

/** Each of Redis's tables in the text: its label and figures. */
interface Table {
  label: string;
  size: number;
  elements: number;
  slots: number;
  maxChain: number;
  distribution: Map<number, number>;
}

function parseStats(reply: string): Table[] {
  const m = /^\$(\d+)\r\n([\s\S]*)\r\n$/.exec(reply);
  if (m === null) throw new Error(`not a bulk string: ${reply}`);
  expect(Number(m[1])).toBe(Buffer.byteLength(m[2]));
  const parts = m[2].split(/(?=Hash table \d stats)/);
  return parts.map((p, i) => {
    const head = new RegExp(
      `^Hash table ${i} stats \\((main hash table|rehashing target)\\):\\n` +
        ' table size: (\\d+)\\n number of elements: (\\d+)\\n different slots: (\\d+)\\n' +
        ' max chain length: (\\d+)\\n avg chain length \\(counted\\): \\d+\\.\\d\\d\\n' +
        ' avg chain length \\(computed\\): \\d+\\.\\d\\d\\n Chain length distribution:\\n' +
        '((?:   \\d+: \\d+ \\(\\d+\\.\\d\\d%\\)\\n)*)$',
    ).exec(p);
    if (head === null) throw new Error(`unexpected stats text: ${JSON.stringify(p)}`);
    const distribution = new Map<number, number>();
    for (const line of head[6]
      .trim()
      .split('\n')
      .filter((l) => l !== '')) {
      const [len, count] = line.trim().split(/[: ]+/);
      distribution.set(Number(len), Number(count));
    }
    return {
      label: head[1],
      size: Number(head[2]),
      elements: Number(head[3]),
      slots: Number(head[4]),
      maxChain: Number(head[5]),
      distribution,
    };
  });
}

/** Figures that hold for any chained or open-addressing table. */
function checkTable(t: Table, label: string): void {
  expect(t.label).toBe(label);
  expect(t.size & (t.size - 1)).toBe(0);
  expect(t.slots).toBeGreaterThan(0);
  expect(t.slots).toBeLessThanOrEqual(Math.min(t.size, t.elements));
  expect(t.maxChain).toBeGreaterThan(0);
  // Redis lists chains shorter than 49 only.
  if (t.maxChain < 49) expect(Math.max(...[...t.distribution.keys()].filter((k) => k > 0))).toBe(t.maxChain);
}

async function errors(port: number): Promise<string[]> {
  const c = await RawRespClient.connect(port);
  const log: string[] = [];
  try {
    await c.call(['FLUSHALL']);
    await c.call(['SET', 'str', 'v']);
    await c.call(['HSET', 'small', 'a', '1']);
    await c.call(['SADD', 'ints', '1', '2']);
    await c.call(['ZADD', 'z', '1', 'a']);
    await c.call(['RPUSH', 'l', 'a']);
    for (const argv of [
      ['DEBUG', 'HTSTATS-KEY', 'nokey'],
      ['DEBUG', 'HTSTATS-KEY', 'str'],
      ['DEBUG', 'HTSTATS-KEY', 'small'],
      ['DEBUG', 'HTSTATS-KEY', 'ints'],
      ['DEBUG', 'HTSTATS-KEY', 'z'],
      ['DEBUG', 'HTSTATS-KEY', 'l'],
      ['DEBUG', 'HTSTATS-KEY'],
      ['DEBUG', 'HTSTATS-KEY', 'small', 'full'],
    ]) {
      log.push(`${argv.join(' ')} -> ${text(await c.call(argv))}`);
    }
  } finally {
    c.close();
  }
  return log;
}

/** Adds members one at a time until a rehash shows, then reads until it ends. */
async function rehashCycle(port: number): Promise<{ during: Table[]; after: Table[]; hash: Table[] }> {
  const c = await RawRespClient.connect(port);
  try {
    await c.call(['FLUSHALL']);
    let during: Table[] | null = null;
    for (let i = 0; i < 5000 && during === null; i++) {
      await c.call(['SADD', 's', `m:${i}`]);
      const t = parseStats(text(await c.call(['DEBUG', 'HTSTATS-KEY', 's'])));
      if (t.length === 2) during = t;
    }
    if (during === null) throw new Error('no rehash seen');
    let after = during;
    for (let i = 0; i < 10_000 && after.length === 2; i++) {
      await c.call(['SRANDMEMBER', 's']);
      after = parseStats(text(await c.call(['DEBUG', 'HTSTATS-KEY', 's'])));
    }
    await c.call(['CONFIG', 'SET', 'hash-max-listpack-entries', '0']);
    await c.call(['HSET', 'h', ...Array.from({ length: 100 }, (_, i) => [`f${i}`, 'v']).flat()]);
    const hash = parseStats(text(await c.call(['DEBUG', 'HTSTATS-KEY', 'h'])));
    await c.call(['CONFIG', 'SET', 'hash-max-listpack-entries', '128']);
    return { during, after, hash };
  } finally {
    c.close();
  }
}

describe('DEBUG HTSTATS-KEY: Cairn vs redis-server', () => {
  let redis: RedisProcess;
  let cairn: CairnProcess;

  beforeAll(async () => {
    [redis, cairn] = await Promise.all([startRedis(['--enable-debug-command', 'yes']), startCairn()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([redis?.stop(), cairn?.stop()]);
  });

  it('answers the same errors', { timeout: 30_000 }, async () => {
    const [want, got] = await Promise.all([errors(redis.port), errors(cairn.respPort)]);
    expect(want[0]).toBe('DEBUG HTSTATS-KEY nokey -> -ERR no such key\r\n');
    expect(got).toEqual(want);
  });

  it('describes a hashtable set through a rehash, and a hash, in the same shape', {
    timeout: 60_000,
  }, async () => {
    for (const port of [redis.port, cairn.respPort]) {
      const { during, after, hash } = await rehashCycle(port);
      checkTable(during[0], 'main hash table');
      checkTable(during[1], 'rehashing target');
      expect(during[1].size).not.toBe(during[0].size);
      expect(after).toHaveLength(1);
      checkTable(after[0], 'main hash table');
      expect(after[0].elements).toBe(during[0].elements + during[1].elements);
      expect(hash).toHaveLength(1);
      checkTable(hash[0], 'main hash table');
      expect(hash[0].elements).toBe(100);
      expect(hash[0].size).toBeGreaterThanOrEqual(100);
    }
  });
});
