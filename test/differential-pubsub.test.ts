/**
 * Differential pub/sub: scripted sessions of up to three clients (subscribers, publishers,
 * introspection), pipelined, in RESP2 and RESP3, sent to a real redis-server and to Cairn at
 * once, every reply and message compared byte for byte (scripts-pubsub.ts, pubsub-runner.ts).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runPubSubScript } from './differential/pubsub-runner.js';
import { aclScripts, pubsubScripts } from './differential/scripts-pubsub.js';
import { CAIRN_BIN, type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

describe('differential pub/sub: Cairn vs redis-server', () => {
  let redis: RedisProcess;
  let cairn: CairnProcess;

  beforeAll(async () => {
    if (!existsSync(CAIRN_BIN)) throw new Error(`${CAIRN_BIN} is missing: run \`npm run build\` first`);
    [redis, cairn] = await Promise.all([startRedis(), startCairn()]);
  });

  afterAll(async () => {
    await Promise.all([redis?.stop(), cairn?.stop()]);
  });

  for (const resp of [2, 3] as const) {
    describe(`RESP${resp}`, () => {
      for (const s of [...pubsubScripts, ...aclScripts(`ps-user-${resp}`)]) {
        it(s.name, () => runPubSubScript(s, redis.port, cairn.respPort, resp));
      }
    });
  }
});
