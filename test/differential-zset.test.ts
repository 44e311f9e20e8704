/**
 * Differential test of the sorted-set family against a real redis-server: see
 * differential/families/zset.ts for what is generated and how replies are compared. One
 * redis-server and compiled Cairn with each engine (map, offheap); for each engine, protocol
 * (RESP2, RESP3) and set of listpack thresholds (small ones that every few commands cross, and
 * Redis's defaults), a fresh seeded sequence. CAIRN_DIFF_SEED replays a run; CAIRN_DIFF_STEPS
 * changes its length.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runFamily } from './differential/families/collection-runner.js';
import { zsetFamily } from './differential/families/zset.js';
import { Rng } from './differential/random.js';
import { RawRespClient } from './differential/resp-client.js';
import { CAIRN_BIN, type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

const ENGINES = ['map', 'offheap'] as const;
const LIMITS = {
  'small thresholds': {
    'zset-max-listpack-entries': 4,
    'zset-max-listpack-value': 8,
    'set-max-intset-entries': 4,
  },
  'default thresholds': {
    'zset-max-listpack-entries': 128,
    'zset-max-listpack-value': 64,
    'set-max-intset-entries': 512,
  },
} as const;

const seed = process.env.CAIRN_DIFF_SEED
  ? Number(process.env.CAIRN_DIFF_SEED)
  : (Date.now() ^ (process.pid << 16)) >>> 0;
const steps = Number(process.env.CAIRN_DIFF_STEPS ?? 1500);

describe('differential (zset): Cairn vs redis-server', () => {
  let redis: RedisProcess;
  const cairns = new Map<string, CairnProcess>();

  beforeAll(async () => {
    if (!existsSync(CAIRN_BIN)) throw new Error(`${CAIRN_BIN} is missing: run \`npm run build\` first`);
    console.log(`zset differential seed ${seed} (${steps} steps per run)`);
    redis = await startRedis();
    for (const engine of ENGINES) cairns.set(engine, await startCairn({ args: ['--engine', engine] }));
  }, 90_000);

  afterAll(async () => {
    await redis?.stop();
    for (const c of cairns.values()) await c.stop();
  });

  for (const engine of ENGINES)
    for (const resp of [2, 3] as const)
      for (const [name, limits] of Object.entries(LIMITS)) {
        const label = `${engine} engine, RESP${resp}, ${name}`;
        it(label, { timeout: 120_000 }, async () => {
          const r = await RawRespClient.connect(redis.port);
          const c = await RawRespClient.connect((cairns.get(engine) as CairnProcess).respPort);
          try {
            for (const client of [r, c]) {
              if (resp === 3) await client.call(['HELLO', '3']);
              await client.call(['FLUSHALL']);
              for (const [k, v] of Object.entries(limits)) {
                const ok = (await client.call(['CONFIG', 'SET', k, String(v)])).toString();
                if (ok !== '+OK\r\n') throw new Error(`CONFIG SET ${k}: ${ok}`);
              }
            }
            const runSeed =
              (seed + ENGINES.indexOf(engine) * 7919 + resp * 104729 + (name.length << 20)) >>> 0;
            await runFamily(r, c, {
              family: zsetFamily,
              rng: new Rng(runSeed),
              steps,
              resp,
              limits,
              label,
              seed,
            });
          } finally {
            r.close();
            c.close();
          }
        });
      }
});
