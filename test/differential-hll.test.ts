/**
 * HyperLogLog against a real redis-server, byte for byte:
 * - random sequences (differential/families/hll.ts) under each engine, protocol and a small or
 *   the default `hll-sparse-max-bytes`;
 * - large cardinalities: one value grown from 1 to 10^6 random elements in pipelined PFADD
 *   batches, with PFCOUNT and the raw bytes (GET, before and after PFCOUNT caches its estimate)
 *   compared at checkpoints on both sides of the sparse -> dense promotion;
 * - PFMERGE and PFCOUNT of several keys over sparse and dense inputs, into new, sparse and
 *   dense destinations, and values copied with GET/SET from Redis into Cairn and back.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionSuite } from './differential/families/collection-suite.js';
import { hllFamily } from './differential/families/hll.js';
import { Rng } from './differential/random.js';
import { RawRespClient } from './differential/resp-client.js';
import { CAIRN_BIN, type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

collectionSuite(hllFamily, 1000, {
  small: { 'hll-sparse-max-bytes': 120 },
  defaults: { 'hll-sparse-max-bytes': 3000 },
});

const seed = process.env.CAIRN_DIFF_SEED
  ? Number(process.env.CAIRN_DIFF_SEED)
  : (Date.now() ^ (process.pid << 16)) >>> 0;

/** Random elements: binary, 8..16 bytes, so that all are distinct in practice. */
function randomElements(rng: Rng, n: number): Buffer[] {
  const out: Buffer[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.bytes(8 + rng.int(9));
  return out;
}

type Pair = readonly [RawRespClient, RawRespClient];

/** Send the same commands to both, pipelined; every reply must match. */
async function same(pair: Pair, cmds: Array<Array<Buffer | string>>, what: string): Promise<Buffer[]> {
  const [r, c] = await Promise.all(pair.map((x) => x.callMany(cmds)));
  for (let i = 0; i < r.length; i++)
    if (!r[i].equals(c[i]))
      throw new Error(
        `${what}: ${String(cmds[i][0])} differs (seed ${seed}):\n  redis: ${r[i].toString('latin1').slice(0, 200)}\n  cairn: ${c[i].toString('latin1').slice(0, 200)}`,
      );
  return r;
}

/** PFADD `elements` to `key` in batches of `batch`, 50 commands per pipeline. */
async function addAll(pair: Pair, key: string, elements: Buffer[], batch: number): Promise<void> {
  let cmds: Array<Array<Buffer | string>> = [];
  for (let i = 0; i < elements.length; i += batch) {
    cmds.push(['PFADD', key, ...elements.slice(i, i + batch)]);
    if (cmds.length === 50) {
      await same(pair, cmds, `PFADD ${key}`);
      cmds = [];
    }
  }
  if (cmds.length > 0) await same(pair, cmds, `PFADD ${key}`);
}

/** GET, PFDEBUG ENCODING, PFCOUNT, GET: the bytes before and after the estimate is cached. */
async function compareValue(pair: Pair, key: string): Promise<{ count: number; encoding: string }> {
  const [, enc, count] = await same(
    pair,
    [
      ['GET', key],
      ['PFDEBUG', 'ENCODING', key],
      ['PFCOUNT', key],
      ['GET', key],
      ['PFCOUNT', key],
    ],
    `value ${key}`,
  );
  return { count: Number(count.toString('latin1').slice(1, -2)), encoding: enc.toString().slice(1, -2) };
}

describe('differential (hyperloglog, large values): Cairn vs redis-server', () => {
  let redis: RedisProcess;
  const cairns = new Map<string, CairnProcess>();

  beforeAll(async () => {
    if (!existsSync(CAIRN_BIN)) throw new Error(`${CAIRN_BIN} is missing: run \`npm run build\` first`);
    console.log(`hyperloglog large-value seed ${seed}`);
    redis = await startRedis();
    for (const engine of ['map', 'offheap'])
      cairns.set(engine, await startCairn({ args: ['--engine', engine] }));
  }, 90_000);

  afterAll(async () => {
    await redis?.stop();
    for (const c of cairns.values()) await c.stop();
  });

  async function withPair(engine: string, body: (pair: Pair) => Promise<void>): Promise<void> {
    const pair = [
      await RawRespClient.connect(redis.port),
      await RawRespClient.connect((cairns.get(engine) as CairnProcess).respPort),
    ] as const;
    try {
      await same(pair, [['FLUSHALL'], ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']], 'setup');
      await body(pair);
    } finally {
      for (const x of pair) x.close();
    }
  }

  it('grows one value from 1 to 10^6 elements (offheap engine)', { timeout: 120_000 }, async () => {
    await withPair('offheap', async (pair) => {
      const rng = new Rng(seed);
      const checkpoints = [1, 2, 5, 10, 30, 100, 300, 700, 1000, 1500, 2000, 2500, 3000, 5000, 10_000];
      checkpoints.push(100_000, 300_000, 1_000_000);
      let added = 0;
      const seen: string[] = [];
      for (const target of checkpoints) {
        const n = target - added;
        // Small steps near the promotion, so the bytes are compared just before and after it.
        await addAll(pair, 'big', randomElements(rng, n), target <= 5000 ? 100 : 1000);
        added = target;
        const { count, encoding } = await compareValue(pair, 'big');
        seen.push(encoding);
        // Redis's error bound at 16384 registers is 0.81%: allow 5 sigma.
        expect(Math.abs(count - target)).toBeLessThanOrEqual(Math.max(2, target * 0.041));
      }
      expect(seen).toContain('sparse');
      expect(seen.at(-1)).toBe('dense');
    });
  });

  for (const engine of ['map', 'offheap'])
    it(`merges and counts sparse and dense values together (${engine} engine)`, {
      timeout: 60_000,
    }, async () => {
      await withPair(engine, async (pair) => {
        const rng = new Rng(seed ^ 0x5eed);
        const shared = randomElements(rng, 3000);
        const sizes: Array<[string, number]> = [
          ['s1', 40],
          ['s2', 900],
          ['d1', 20_000],
          ['d2', 6000],
        ];
        for (const [key, n] of sizes) {
          await addAll(pair, key, [...randomElements(rng, n), ...shared.slice(0, n >> 2)], 500);
          await compareValue(pair, key);
        }
        await same(
          pair,
          [
            ['PFDEBUG', 'ENCODING', 's2'],
            ['PFDEBUG', 'ENCODING', 'd2'],
          ],
          'encodings',
        );
        const merges: string[][] = [
          ['m1', 's1', 's2'],
          ['m2', 's1', 'd1'],
          ['m3', 'missing'],
          ['s1', 'd2'],
          ['d1', 's2', 'nokey'],
          ['s2', 's2'],
          ['m4', 'm1', 'm2', 'm3', 's1', 'd1', 'd2'],
        ];
        for (const m of merges) {
          await same(pair, [['PFMERGE', ...m]], `PFMERGE ${m.join(' ')}`);
          await compareValue(pair, m[0]);
        }
        // A sparse destination that promotes part way through the merge.
        await same(pair, [['CONFIG', 'SET', 'hll-sparse-max-bytes', '300']], 'config');
        await addAll(pair, 'p1', randomElements(rng, 30), 30);
        await addAll(pair, 'p2', randomElements(rng, 60), 60);
        await same(pair, [['PFMERGE', 'p1', 'p2']], 'PFMERGE p1 p2');
        await compareValue(pair, 'p1');
        await same(
          pair,
          [
            ['PFCOUNT', 's1', 's2'],
            ['PFCOUNT', 'd1', 'd2', 'missing'],
            ['PFCOUNT', 'm4', 's1', 'd1', 'p1', 'p2'],
          ],
          'PFCOUNT of several keys',
        );
      });
    });

  it('takes values copied from Redis with GET/SET, and gives them back', { timeout: 60_000 }, async () => {
    await withPair('offheap', async ([r, c]) => {
      const rng = new Rng(seed ^ 0xc0b1);
      for (const [key, n] of [
        ['cs', 500],
        ['cd', 8000],
      ] as const) {
        const els = randomElements(rng, n);
        for (let i = 0; i < n; i += 1000) await r.call(['PFADD', key, ...els.slice(i, i + 1000)]);
        const fromRedis = await r.call(['GET', key]);
        const value = fromRedis.subarray(fromRedis.indexOf('\r\n') + 2, -2);
        await c.call(['SET', key, value]);
        const more = randomElements(rng, 200);
        await same(
          [r, c],
          [
            ['PFADD', key, ...more],
            ['PFCOUNT', key],
            ['GET', key],
          ],
          `copied ${key}`,
        );
        // And back: Cairn's bytes stored in Redis answer the same.
        const fromCairn = await c.call(['GET', key]);
        await r.call(['SET', `${key}:back`, fromCairn.subarray(fromCairn.indexOf('\r\n') + 2, -2)]);
        await c.call(['SET', `${key}:back`, fromCairn.subarray(fromCairn.indexOf('\r\n') + 2, -2)]);
        await same(
          [r, c],
          [
            ['PFCOUNT', `${key}:back`, key],
            ['PFMERGE', `${key}:back`, key],
          ],
          'back',
        );
      }
    });
  });
});
