/**
 * Differential test: the same seeded random command sequence is sent to a real redis-server
 * and to compiled Cairn over raw sockets, in RESP2 and in RESP3, and every reply must match
 * byte for byte except where compare.ts documents why not (key order, random keys, cursors,
 * idle times, relative TTLs). On a mismatch the seed, the step and the recent history are
 * printed; rerun the same sequence with CAIRN_DIFF_SEED=<seed>.
 *
 * Also run against `--engine offheap` when Cairn can start with it.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareReplies, compareScans, fullScan, show } from './differential/compare.js';
import { Generator, type Step } from './differential/generator.js';
import { Rng } from './differential/random.js';
import { type Node, parseReply, RawRespClient } from './differential/resp-client.js';
import { CAIRN_BIN, type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

const SEED = process.env.CAIRN_DIFF_SEED
  ? Number(process.env.CAIRN_DIFF_SEED)
  : (Date.now() ^ (process.pid << 16)) >>> 0;
const STEPS = Number(process.env.CAIRN_DIFF_STEPS ?? 5000);
const HISTORY_SHOWN = 15;

interface Outcome {
  steps: number;
  fullScans: number;
}

async function runSequence(
  redisPort: number,
  cairnPort: number,
  resp: 2 | 3,
  label: string,
): Promise<Outcome> {
  const redis = await RawRespClient.connect(redisPort);
  const cairn = await RawRespClient.connect(cairnPort);
  const history: string[] = [];
  let fullScans = 0;
  try {
    if (resp === 3) {
      const [r, c] = await Promise.all([redis.call(['HELLO', '3']), cairn.call(['HELLO', '3'])]);
      expect(parseReply(r).t).toBe('map');
      expect(parseReply(c).t, 'Cairn answers HELLO 3 with a map').toBe('map');
    }
    const reset = await Promise.all([redis.call(['FLUSHALL']), cairn.call(['FLUSHALL'])]);
    expect(reset[1].toString()).toBe(reset[0].toString());

    const gen = new Generator(new Rng(SEED));
    for (let i = 0; i < STEPS; i++) {
      const step = gen.next();
      history.push(describeStep(step));
      if (history.length > HISTORY_SHOWN) history.shift();
      let problem: string | null;
      let redisRaw: Buffer;
      if (step.fullScan) {
        fullScans++;
        const opts = step.argv.slice(2);
        const [r, c] = await Promise.all([fullScan(redis, opts), fullScan(cairn, opts)]);
        problem = compareScans(r, c);
        redisRaw = Buffer.isBuffer(r) ? r : Buffer.from(JSON.stringify(r));
        if (problem !== null) throw mismatch(label, i, problem, history, renderScan(r), renderScan(c));
      } else {
        const [r, c] = await Promise.all([redis.call(step.argv), cairn.call(step.argv)]);
        problem = compareReplies(step.compare, r, c);
        redisRaw = r;
        if (problem !== null)
          throw mismatch(label, i, `${problem} (compared: ${step.compare})`, history, show(r), show(c));
      }
      const redisNode: Node = step.fullScan ? { t: 'null' } : parseReply(redisRaw);
      if (stats !== null) countReply(stats, step, redisNode);
      gen.observe(step, redisNode);
    }
  } finally {
    redis.close();
    cairn.close();
  }
  return { steps: STEPS, fullScans };
}

/** With CAIRN_DIFF_STATS=1, how often each command met each kind of reply (generator tuning). */
const stats: Map<string, Map<string, number>> | null = process.env.CAIRN_DIFF_STATS ? new Map() : null;

function countReply(into: Map<string, Map<string, number>>, step: Step, reply: Node): void {
  const name = step.fullScan ? 'scan (full)' : step.argv[0].toString('latin1').toLowerCase();
  const kind = reply.t === 'error' ? `error ${reply.s.slice(0, 40)}` : reply.t;
  let m = into.get(name);
  if (m === undefined) {
    m = new Map();
    into.set(name, m);
  }
  m.set(kind, (m.get(kind) ?? 0) + 1);
}

function describeStep(step: Step): string {
  return `${step.fullScan ? '[full scan] ' : ''}${step.argv.map(show).join(' ')}`;
}

function renderScan(r: string[] | Buffer): string {
  return Buffer.isBuffer(r) ? show(r) : JSON.stringify(r);
}

function mismatch(
  label: string,
  index: number,
  problem: string,
  history: string[],
  r: string,
  c: string,
): Error {
  return new Error(
    [
      `${label}: step ${index}: ${problem}`,
      `  seed:    ${SEED} (rerun with CAIRN_DIFF_SEED=${SEED})`,
      `  command: ${history[history.length - 1]}`,
      `  redis:   ${r}`,
      `  cairn:   ${c}`,
      '  recent commands:',
      ...history.map((h) => `    ${h}`),
    ].join('\n'),
  );
}

describe('differential: Cairn vs redis-server', () => {
  let redis: RedisProcess;
  let cairn: CairnProcess;
  let offheap: CairnProcess | null = null;
  let offheapFailure = '';

  beforeAll(async () => {
    if (!existsSync(CAIRN_BIN)) throw new Error(`${CAIRN_BIN} is missing: run \`npm run build\` first`);
    console.log(`differential seed ${SEED} (${STEPS} steps per run; CAIRN_DIFF_SEED to replay)`);
    [redis, cairn] = await Promise.all([startRedis(), startCairn()]);
    try {
      offheap = await startCairn({ args: ['--engine', 'offheap'] });
      // The ready line names the engine actually running; a build that ignores the flag is no test.
      if (!/"engine":"offheap"/.test(offheap.logs())) {
        offheapFailure = 'the server started, but its ready line does not report the offheap engine';
        await offheap.stop();
        offheap = null;
      }
    } catch (err) {
      offheapFailure = (err as Error).message.split('\n').slice(0, 3).join(' ');
    }
  });

  afterAll(async () => {
    if (stats !== null) {
      for (const [name, kinds] of [...stats].sort()) console.log(name, Object.fromEntries(kinds));
    }
    await Promise.all([redis?.stop(), cairn?.stop(), offheap?.stop()]);
  });

  for (const resp of [2, 3] as const) {
    it(`map engine, RESP${resp}: replies match`, async () => {
      const out = await runSequence(redis.port, cairn.respPort, resp, `map/RESP${resp}`);
      expect(out.steps).toBe(STEPS);
    });
  }

  for (const resp of [2, 3] as const) {
    it(`offheap engine, RESP${resp}: replies match`, async (ctx) => {
      if (offheap === null) {
        console.warn(
          `skipping the offheap variant: cairn --engine offheap is not available (${offheapFailure})`,
        );
        ctx.skip();
        return;
      }
      const out = await runSequence(redis.port, offheap.respPort, resp, `offheap/RESP${resp}`);
      expect(out.steps).toBe(STEPS);
    });
  }
});
