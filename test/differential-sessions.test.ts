/**
 * Differential sessions: scripted MULTI/EXEC/WATCH sessions over two clients, pipelines,
 * connection commands and AUTH, and active expiry at scale, each sent to a real redis-server
 * and to Cairn (both engines, started explicitly) at once and compared byte for byte, except
 * for what script.ts masks and says why.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkActiveExpiry, checkConnectionIds } from './differential/checks.js';
import { Pair } from './differential/runner.js';
import { runScript } from './differential/script.js';
import {
  authScripts,
  connectionScripts,
  knownConnectionDifferences,
} from './differential/scripts-connection.js';
import {
  fixedTransactionScripts,
  knownTransactionDifferences,
  transactionScripts,
} from './differential/scripts-transactions.js';
import { ENGINES, type Engine, startEngine } from './differential/servers.js';
import { CAIRN_BIN, type CairnProcess } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

describe('differential sessions: Cairn vs redis-server', () => {
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
      const port = () => cairn.get(engine)!.respPort;
      for (const resp of [2, 3] as const) {
        describe(`RESP${resp}`, () => {
          for (const s of [...transactionScripts, ...fixedTransactionScripts, ...connectionScripts]) {
            it(s.name, () => runScript(s, redis.port, port(), resp));
          }
          for (const s of [...knownTransactionDifferences, ...knownConnectionDifferences]) {
            // A known, reported difference, asserted where it shows. Once Cairn matches Redis
            // this fails: move the script to the lists above.
            it(`KNOWN DIFFERENCE: ${s.name}`, async () => {
              await expect(runScript(s, redis.port, port(), resp)).rejects.toThrow(
                `${s.differsAt}: replies differ`,
              );
            });
          }
        });
      }
      it('connection ids: CLIENT ID, HELLO and CLIENT INFO agree, and grow', async () => {
        await checkConnectionIds(port());
        await checkConnectionIds(redis.port);
      });
      it('active expiry: hundreds of keys that expire unread leave DBSIZE on both', async () => {
        const out = await checkActiveExpiry(redis.port, port());
        expect(out.volatile).toBeGreaterThan(0);
      });
    });
  }

  it('AUTH with a password (CONFIG SET requirepass on both)', async () => {
    const admin = await Pair.connect(redis.port, cairn.get('map')!.respPort);
    try {
      const set = await admin.send([['config', 'set', 'requirepass', 'secret']]);
      expect(set.cairn.map(String)).toEqual(set.redis.map(String));
      for (const s of authScripts) await runScript(s, redis.port, cairn.get('map')!.respPort, 2);
    } finally {
      // The admin connection logged in before the password was set: it may clear it.
      await admin.send([['config', 'set', 'requirepass', '']]);
      admin.close();
    }
  });
});
