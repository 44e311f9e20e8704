/**
 * Differential test: the same seeded random command sequence is sent to a real redis-server
 * and to compiled Cairn over raw sockets, in RESP2 and in RESP3, on each engine (started with
 * an explicit --engine and checked to be running it), and every reply must match byte for byte
 * except where compare.ts documents why not (key order, random keys, cursors, idle times, and
 * TTLs within the measured milliseconds that separate the two servers). Mixed in: pipelined
 * batches, transactions with another client's writes, SCANs with writes between calls, and
 * expiry episodes where keys really expire. On a mismatch the seed, the step and the recent
 * history are printed; rerun the same sequence with CAIRN_DIFF_SEED=<seed>.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSequence } from './differential/sequence.js';
import { ENGINES, type Engine, startEngine } from './differential/servers.js';
import { CAIRN_BIN, type CairnProcess } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

const SEED = process.env.CAIRN_DIFF_SEED
  ? Number(process.env.CAIRN_DIFF_SEED)
  : (Date.now() ^ (process.pid << 16)) >>> 0;
const STEPS = Number(process.env.CAIRN_DIFF_STEPS ?? 5000);
const EXPIRY_EVERY = 1250;

describe('differential: Cairn vs redis-server', () => {
  let redis: RedisProcess;
  const cairn = new Map<Engine, CairnProcess>();

  beforeAll(async () => {
    if (!existsSync(CAIRN_BIN)) throw new Error(`${CAIRN_BIN} is missing: run \`npm run build\` first`);
    console.log(`differential seed ${SEED} (${STEPS} steps per run; CAIRN_DIFF_SEED to replay)`);
    const started = await Promise.all([startRedis(), ...ENGINES.map((e) => startEngine(e))]);
    redis = started[0] as RedisProcess;
    for (const [i, e] of ENGINES.entries()) cairn.set(e, started[i + 1] as CairnProcess);
  });

  afterAll(async () => {
    await Promise.all([redis?.stop(), ...[...cairn.values()].map((c) => c.stop())]);
  });

  for (const engine of ENGINES) {
    for (const resp of [2, 3] as const) {
      it(`${engine} engine, RESP${resp}: replies match`, async () => {
        const label = `${engine}/RESP${resp}`;
        const out = await runSequence({
          redisPort: redis.port,
          cairnPort: cairn.get(engine)!.respPort,
          resp,
          label,
          seed: SEED,
          steps: STEPS,
          expiryEvery: EXPIRY_EVERY,
        });
        console.log(label, JSON.stringify(out));
        expect(out.steps).toBe(STEPS);
        if (STEPS >= 2 * EXPIRY_EVERY) expect(out.expiryEpisodes).toBeGreaterThan(0);
      });
    }
  }
});
