/**
 * The vitest suite around runFamily: one redis-server and compiled Cairn with each engine
 * (map, offheap); for each engine, protocol (RESP2, RESP3) and set of encoding thresholds
 * (small ones that every few commands cross, and Redis's defaults), a fresh seeded sequence.
 * CAIRN_DIFF_SEED replays a run; CAIRN_DIFF_STEPS changes its length.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CAIRN_BIN, type CairnProcess, startCairn } from '../../helpers/cairn.js';
import { type RedisProcess, startRedis } from '../../helpers/redis.js';
import { Rng } from '../random.js';
import { RawRespClient } from '../resp-client.js';
import { type Family, printStats, runFamily } from './collection-runner.js';

const ENGINES = ['map', 'offheap'] as const;

export const SMALL_LIMITS = {
  'hash-max-listpack-entries': 4,
  'hash-max-listpack-value': 8,
  'set-max-intset-entries': 4,
} as const;
export const DEFAULT_LIMITS = {
  'hash-max-listpack-entries': 128,
  'hash-max-listpack-value': 64,
  'set-max-intset-entries': 512,
} as const;

/** The two sets of thresholds a family runs under (the hash and set ones by default). */
export interface SuiteLimits {
  small: Record<string, number>;
  defaults: Record<string, number>;
}

export function collectionSuite(
  family: Family,
  defaultSteps: number,
  limitSets: SuiteLimits = { small: SMALL_LIMITS, defaults: DEFAULT_LIMITS },
): void {
  const seed = process.env.CAIRN_DIFF_SEED
    ? Number(process.env.CAIRN_DIFF_SEED)
    : (Date.now() ^ (process.pid << 16)) >>> 0;
  const steps = Number(process.env.CAIRN_DIFF_STEPS ?? defaultSteps);

  describe(`differential (${family.name}): Cairn vs redis-server`, () => {
    let redis: RedisProcess;
    const cairns = new Map<string, CairnProcess>();

    beforeAll(async () => {
      if (!existsSync(CAIRN_BIN)) throw new Error(`${CAIRN_BIN} is missing: run \`npm run build\` first`);
      console.log(`${family.name} differential seed ${seed} (${steps} steps per run)`);
      redis = await startRedis();
      for (const engine of ENGINES) cairns.set(engine, await startCairn({ args: ['--engine', engine] }));
    }, 90_000);

    afterAll(async () => {
      printStats();
      await redis?.stop();
      for (const c of cairns.values()) await c.stop();
    });

    for (const engine of ENGINES)
      for (const resp of [2, 3] as const)
        for (const [name, limits] of [
          ['small thresholds', limitSets.small],
          ['default thresholds', limitSets.defaults],
        ] as const) {
          const label = `${engine} engine, RESP${resp}, ${name}`;
          it(label, { timeout: 120_000 }, async () => {
            const cairnProc = cairns.get(engine) as CairnProcess;
            const r = await RawRespClient.connect(redis.port);
            const c = await RawRespClient.connect(cairnProc.respPort);
            try {
              for (const client of [r, c]) {
                if (resp === 3) await client.call(['HELLO', '3']);
                await client.call(['FLUSHALL']);
                for (const [k, v] of Object.entries(limits)) {
                  const ok = (await client.call(['CONFIG', 'SET', k, String(v)])).toString();
                  if (ok !== '+OK\r\n') throw new Error(`CONFIG SET ${k}: ${ok}`);
                }
              }
              // Each run gets its own stream, derived from the seed and its position.
              const runSeed =
                (seed + ENGINES.indexOf(engine) * 7919 + resp * 104729 + (name.length << 20)) >>> 0;
              await runFamily(r, c, { family, rng: new Rng(runSeed), steps, resp, limits, label, seed });
            } finally {
              r.close();
              c.close();
            }
          });
        }
  });
}
