/**
 * Differential client tracking and MONITOR: scripted sessions (default mode, BCAST with
 * prefixes, OPTIN/OPTOUT with CLIENT CACHING, NOLOOP, REDIRECT to a subscribed RESP2 client,
 * flushes, argument errors, MONITOR) sent to a real redis-server and to Cairn (both engines)
 * at once; every reply, invalidation push and monitor line is compared byte for byte, with
 * client ids and monitor timestamps and addresses masked (see scripts-tracking.ts).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TRACKING_SCRIPTS } from './differential/scripts-tracking.js';
import { ENGINES, type Engine, startEngine } from './differential/servers.js';
import { runTrackingScript } from './differential/tracking-runner.js';
import { CAIRN_BIN, type CairnProcess } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

describe('differential client tracking and MONITOR: Cairn vs redis-server', () => {
  let redis: RedisProcess;
  const cairn = new Map<Engine, CairnProcess>();

  beforeAll(async () => {
    if (!existsSync(CAIRN_BIN)) throw new Error(`${CAIRN_BIN} is missing: run \`npm run build\` first`);
    const started = await Promise.all([startRedis(), ...ENGINES.map((e) => startEngine(e))]);
    redis = started[0] as RedisProcess;
    for (const [i, e] of ENGINES.entries()) cairn.set(e, started[i + 1] as CairnProcess);
  });

  afterAll(async () => {
    await Promise.all([redis?.stop(), ...[...cairn.values()].map((c) => c.stop())]);
  });

  for (const engine of ENGINES) {
    describe(`${engine} engine`, () => {
      for (const s of TRACKING_SCRIPTS) {
        it(s.name, () => runTrackingScript(s, redis.port, cairn.get(engine)!.respPort));
      }
    });
  }
});
