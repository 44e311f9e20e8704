/**
 * Differential test of the bitmap commands against a real redis-server: see
 * differential/families/bitmap.ts for what is generated. Each engine and protocol runs a
 * seeded sequence with every reply compared byte for byte (collection-suite.ts); then one run
 * per engine with keyspace notifications on (every class, `new` and `keymiss` included)
 * compares the two servers' event streams message for message: `setbit` only when a bit or
 * the length changed, BITOP's `set` / `del`, BITFIELD's single `setbit`, the misses of reads.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitmapFamily } from './differential/families/bitmap.js';
import { collectionSuite } from './differential/families/collection-suite.js';
import { PushClient } from './differential/push-client.js';
import { Rng } from './differential/random.js';
import { RawRespClient } from './differential/resp-client.js';
import { CAIRN_BIN, type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

collectionSuite(bitmapFamily, 1500);

const EVENT_STEPS = 600;
const SENTINEL = 'bitmap-events-done';

/** Every message the subscriber got until the sentinel, as raw bytes in order. */
async function eventsUntilSentinel(sub: PushClient): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const [m] = await sub.take(1);
    const text = m.toString('latin1');
    if (text.includes(SENTINEL)) return out;
    out.push(text);
  }
}

describe('differential (bitmap): keyspace notifications match redis-server', () => {
  let redis: RedisProcess;
  const cairns = new Map<string, CairnProcess>();
  const seed = process.env.CAIRN_DIFF_SEED
    ? Number(process.env.CAIRN_DIFF_SEED)
    : (Date.now() ^ (process.pid << 8)) >>> 0;

  beforeAll(async () => {
    if (!existsSync(CAIRN_BIN)) throw new Error(`${CAIRN_BIN} is missing: run \`npm run build\` first`);
    redis = await startRedis();
    for (const engine of ['map', 'offheap'])
      cairns.set(engine, await startCairn({ args: ['--engine', engine] }));
  }, 60_000);

  afterAll(async () => {
    await redis?.stop();
    for (const c of cairns.values()) await c.stop();
  });

  for (const engine of ['map', 'offheap'])
    it(`${engine} engine`, { timeout: 60_000 }, async () => {
      const ports = [redis.port, cairns.get(engine)!.respPort];
      const clients = await Promise.all(ports.map((p) => RawRespClient.connect(p)));
      const subs = await Promise.all(ports.map((p) => PushClient.connect(p)));
      try {
        for (const c of clients) {
          await c.call(['FLUSHALL']);
          expect((await c.call(['CONFIG', 'SET', 'notify-keyspace-events', 'KEAnm'])).toString()).toBe(
            '+OK\r\n',
          );
        }
        for (const s of subs) {
          s.send([
            ['PSUBSCRIBE', '__key*__:*'],
            ['SUBSCRIBE', SENTINEL],
          ]);
          await s.take(2);
        }
        const rng = new Rng(seed + engine.length);
        for (let i = 0; i < EVENT_STEPS; i++) {
          const step = bitmapFamily.next({ rng, encodings: new Map(), limits: {} });
          const [r, c] = await Promise.all(clients.map((cl) => cl.call(step.argv)));
          const problem = step.check ? step.check(r, c, { pre: [], resp: 2 }) : r.equals(c) ? null : 'differ';
          expect(problem, `seed ${seed} step ${i}: ${step.argv.join(' ')}`).toBeNull();
        }
        for (const c of clients) await c.call(['PUBLISH', SENTINEL, 'x']);
        const [rEvents, cEvents] = await Promise.all(subs.map(eventsUntilSentinel));
        expect(rEvents.length, 'redis sent events').toBeGreaterThan(50);
        expect(rEvents.some((e) => e.includes('setbit'))).toBe(true);
        expect(cEvents, `seed ${seed}`).toEqual(rEvents);
      } finally {
        for (const c of clients) c.close();
        for (const s of subs) s.close();
      }
    });
});
