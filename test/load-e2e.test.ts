/**
 * Load shedding on the compiled server, as an operator runs it: thresholds from flags, one
 * pressure verdict for the HTTP and gRPC doors, RESP never shed (so CONFIG SET over it lifts
 * the pressure), and the state in INFO load.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type CairnGrpc, cairnClient, grpc, statusOf } from './helpers/grpc.js';
import { waitFor } from './resp-support.js';

let cairn: CairnProcess;
let redis: Redis;
let rpc: CairnGrpc;

beforeAll(async () => {
  cairn = await startCairn({ args: ['--shed-heap-used-bytes', '1', '--shed-retry-after-seconds', '5'] });
  redis = new Redis({ port: cairn.respPort, maxRetriesPerRequest: 0 });
  rpc = cairnClient(cairn.grpcPort);
});

afterAll(async () => {
  rpc?.close();
  redis?.disconnect();
  await cairn?.stop();
});

describe('shedding from the command line', () => {
  it('sheds HTTP and gRPC from the start, serves RESP, and recovers after CONFIG SET', async () => {
    const base = `http://127.0.0.1:${cairn.httpPort}`;
    const res = await fetch(`${base}/v1/keys/k`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('overloaded');
    const err = await statusOf(rpc.unary('Get', { key: Buffer.from('k') }));
    expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(err.details).toContain('shed-heap-used-bytes');
    expect(await redis.set('k', 'v')).toBe('OK');
    expect(await redis.info('load')).toMatch(/under_pressure:1/);

    await redis.config('SET', 'shed-heap-used-bytes', '0');
    expect((await rpc.unary('Get', { key: Buffer.from('k') })).value).toEqual(Buffer.from('v'));
    await waitFor(async () => (await fetch(`${base}/v1/keys/k`)).status === 200, 5000, 'HTTP to serve again');
    expect(await redis.info('load')).toMatch(/under_pressure:0/);
  });
});
