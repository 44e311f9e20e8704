/**
 * BullMQ, unchanged, against the compiled Cairn: a queue adds jobs (Lua scripts that also write
 * the queue's event stream with XADD/XTRIM) and a Worker takes, processes and completes them
 * (more scripts, blocking pops, stream reads).
 */
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';

let cairn: CairnProcess;

beforeAll(async () => {
  cairn = await startCairn({ args: ['--snapshot-store', 'none'] });
});

afterAll(async () => {
  await cairn?.stop();
});

describe('BullMQ', () => {
  it('adds jobs and a worker processes them', async () => {
    const connection = { host: '127.0.0.1', port: cairn.respPort, maxRetriesPerRequest: null };
    const queue = new Queue('emails', { connection });
    const events = new QueueEvents('emails', { connection });
    const seen: unknown[] = [];
    const worker = new Worker(
      'emails',
      async (job) => {
        seen.push(job.data);
        return { sent: (job.data as { to: string }).to };
      },
      { connection },
    );
    try {
      await events.waitUntilReady();
      const job = await queue.add('welcome', { to: 'ada@example.com' });
      const result = await job.waitUntilFinished(events, 10_000);
      expect(result).toEqual({ sent: 'ada@example.com' });
      expect(seen).toEqual([{ to: 'ada@example.com' }]);
      const second = await queue.add('welcome', { to: 'alan@example.com' }, { attempts: 1 });
      expect(await second.waitUntilFinished(events, 10_000)).toEqual({ sent: 'alan@example.com' });
      const counts = await queue.getJobCounts('completed', 'waiting', 'active', 'failed');
      expect(counts).toEqual({ completed: 2, waiting: 0, active: 0, failed: 0 });
      // The completed job's hash is where BullMQ's scripts left it.
      const redis = new Redis({ port: cairn.respPort, host: '127.0.0.1' });
      expect(await redis.hget(`bull:emails:${job.id}`, 'returnvalue')).toBe('{"sent":"ada@example.com"}');
      redis.disconnect();
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  });
});
