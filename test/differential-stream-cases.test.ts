/**
 * Stream edge cases, scripted: each case runs the same commands on a real redis-server and on
 * Cairn, in RESP2 and in RESP3, and every reply must match byte for byte (idle and delivery
 * times within a small tolerance: differential/families/stream-compare.ts). The random
 * sequences of differential-stream.test.ts find the unexpected; these pin down what a random
 * walk rarely reaches: argument quirks Redis inherits from C (strtoull, NUL bytes, the length
 * limit of an ID), node boundaries by bytes and by count, large streams, PEL reassignment,
 * claim options, DEBUG RELOAD.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { show } from './differential/compare.js';
import { streamCases } from './differential/families/stream-cases.js';
import { timesClose } from './differential/families/stream-compare.js';
import { RawRespClient } from './differential/resp-client.js';
import { CAIRN_BIN, type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

describe('stream cases: Cairn vs redis-server', () => {
  let redis: RedisProcess;
  let cairn: CairnProcess;

  beforeAll(async () => {
    if (!existsSync(CAIRN_BIN)) throw new Error(`${CAIRN_BIN} is missing: run \`npm run build\` first`);
    redis = await startRedis(['--enable-debug-command', 'yes']);
    cairn = await startCairn();
  }, 60_000);

  afterAll(async () => {
    await redis?.stop();
    await cairn?.stop();
  });

  for (const resp of [2, 3] as const)
    for (const c of streamCases)
      it(`${c.name} (RESP${resp})`, { timeout: 60_000 }, async () => {
        const r = await RawRespClient.connect(redis.port);
        const k = await RawRespClient.connect(cairn.respPort);
        try {
          for (const client of [r, k]) {
            if (resp === 3) await client.call(['HELLO', '3']);
            await client.callMany([
              ['FLUSHALL'],
              ['CONFIG', 'SET', 'stream-node-max-entries', '100'],
              ['CONFIG', 'SET', 'stream-node-max-bytes', '4096'],
            ]);
          }
          const cmds = c.commands();
          const [rr, kr] = await Promise.all([r.callMany(cmds), k.callMany(cmds)]);
          for (let i = 0; i < cmds.length; i++) {
            const problem = timesClose(rr[i], kr[i], { pre: [], resp });
            if (problem !== null) {
              const argv = cmds[i].map((a) => show(Buffer.from(a)).slice(0, 60)).join(' ');
              expect.fail(
                `${argv}: ${problem}\n  redis: ${show(rr[i]).slice(0, 1500)}\n  cairn: ${show(kr[i]).slice(0, 1500)}`,
              );
            }
          }
        } finally {
          r.close();
          k.close();
        }
      });
});
