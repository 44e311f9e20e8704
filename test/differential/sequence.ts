/**
 * One seeded random run: single steps, with pipelined batches, transactions and expiry
 * episodes (episodes.ts) mixed in, against redis-server and Cairn over raw sockets.
 */
import { expiryEpisode, pipelinedBatch, transaction } from './episodes.js';
import { Generator } from './generator.js';
import { Rng } from './random.js';
import { parseReply } from './resp-client.js';
import { Pair, Runner } from './runner.js';

export interface SequenceOptions {
  redisPort: number;
  cairnPort: number;
  resp: 2 | 3;
  label: string;
  seed: number;
  steps: number;
  /** An expiry episode every this many steps (each waits ~0.3-0.5 s of real time). */
  expiryEvery: number;
}

export interface Outcome {
  steps: number;
  batches: number;
  transactions: number;
  expiryEpisodes: number;
}

const BATCH_CHANCE = 0.02;
const TRANSACTION_CHANCE = 0.015;

export async function runSequence(o: SequenceOptions): Promise<Outcome> {
  const pair = await Pair.connect(o.redisPort, o.cairnPort);
  const aux = await Pair.connect(o.redisPort, o.cairnPort);
  const out: Outcome = { steps: 0, batches: 0, transactions: 0, expiryEpisodes: 0 };
  try {
    if (o.resp === 3) {
      const { redis, cairn } = await pair.send([['HELLO', '3']]);
      if (parseReply(redis[0]).t !== 'map' || parseReply(cairn[0]).t !== 'map')
        throw new Error(`HELLO 3 did not answer with a map on both: ${redis[0]} / ${cairn[0]}`);
    }
    const gen = new Generator(new Rng(o.seed));
    const runner = new Runner(gen, pair, aux, o.label, o.seed);
    await runner.command(['flushall']);
    for (let i = 0; i < o.steps; i++) {
      runner.stepIndex = i;
      if (i > 0 && i % o.expiryEvery === 0) {
        await expiryEpisode(runner);
        out.expiryEpisodes++;
      }
      const roll = gen.rng.next();
      if (roll < BATCH_CHANCE) {
        await pipelinedBatch(runner);
        out.batches++;
      } else if (roll < BATCH_CHANCE + TRANSACTION_CHANCE) {
        await transaction(runner);
        out.transactions++;
      } else {
        await runner.step(gen.next());
      }
      out.steps++;
    }
    if (runner.stats !== null) {
      for (const [name, kinds] of [...runner.stats].sort())
        console.log(o.label, name, Object.fromEntries(kinds));
    }
  } finally {
    pair.close();
    aux.close();
  }
  return out;
}
