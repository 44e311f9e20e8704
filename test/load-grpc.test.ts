/**
 * Load shedding, maxclients and deadlines on the gRPC door, in process with real grpc-js
 * clients: RESOURCE_EXHAUSTED with the reason and a retry pushback while under pressure (the
 * same gauge as HTTP), calls in flight plus streams bounded by maxclients, and a waiting
 * command (WAIT) that ends when the call is cancelled or its deadline passes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { blockedClients } from '../src/commands/blocking.js';
import { cairnClient, drain, grpc, headers, startGrpcInProcess, statusOf } from './helpers/grpc.js';
import { waitFor } from './resp-support.js';

const B = (s: string) => Buffer.from(s);
const { status } = grpc;

let s: Awaited<ReturnType<typeof startGrpcInProcess>> | null = null;
afterEach(async () => {
  await s?.close();
  s = null;
});

describe('load shedding', () => {
  it('answers RESOURCE_EXHAUSTED with the reason and a pushback while under pressure, then serves again', async () => {
    s = await startGrpcInProcess({ 'shed-retry-after-seconds': '3' });
    await s.client.unary('Set', { key: B('k'), value: B('v') });
    // What CONFIG SET does (over RESP, or gRPC with an admin's credentials); the gauge decides at once.
    expect(s.ts.server.config.apply('shed-rss-bytes', '1')).toBeNull();

    const err = await statusOf(s.client.unary('Get', { key: B('k') }));
    expect(err.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(err.details).toMatch(
      /^server under pressure: resident set \d+ bytes is over shed-rss-bytes \(1\)$/,
    );
    expect(err.metadata.get('cairn-error-code')).toEqual(['overloaded']);
    expect(err.metadata.get('grpc-retry-pushback-ms')).toEqual(['3000']);
    // New streams too.
    const w = await drain(s.client.stream('Watch', { prefix: B('') }));
    expect(w.status.code).toBe(status.RESOURCE_EXHAUSTED);
    const scan = await drain(s.client.stream('Scan', {}));
    expect(scan.status.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(s.ts.server.clients.count('grpc')).toBe(0);

    // The operator's way in is RESP (never shed); here the same config store.
    expect(s.ts.server.config.apply('shed-rss-bytes', '0')).toBeNull();
    expect((await s.client.unary('Get', { key: B('k') })).value).toEqual(B('v'));
  });
});

describe('maxclients', () => {
  it('bounds calls in flight plus streams, and admits a call again once one ends', async () => {
    s = await startGrpcInProcess({ maxclients: '2' });
    const watch = s.client.stream('Watch', { prefix: B('') });
    await headers(watch);
    const watchEnd = drain(watch);
    const raw = s.client.raw.Execute({ args: [B('WAIT'), B('1'), B('0')] }, () => {}) as grpc.ClientUnaryCall;
    raw.on('error', () => {});
    await waitFor(() => blockedClients(s!.ts.server) === 1, 5000, 'WAIT to block');

    const refused = await statusOf(s.client.unary('Get', { key: B('x') }));
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toBe('max number of clients reached');
    const other = cairnClient(s.door.port);
    expect((await statusOf(other.unary('Get', { key: B('x') }))).code).toBe(status.RESOURCE_EXHAUSTED);
    expect((await drain(other.stream('Watch', { prefix: B('') }))).status.code).toBe(
      status.RESOURCE_EXHAUSTED,
    );

    // The waiting call leaves: a slot is free.
    raw.cancel();
    await waitFor(() => blockedClients(s!.ts.server) === 0, 5000, 'WAIT to see the cancel');
    expect((await statusOf(other.unary('Get', { key: B('x') }))).code).toBe(status.NOT_FOUND);
    // The watch leaves too: two slots.
    watch.cancel();
    await watchEnd;
    await waitFor(() => s!.ts.server.clients.count('grpc') === 0, 5000, 'the watch to end');
    const w2 = other.stream('Watch', { prefix: B('') });
    await headers(w2);
    expect((await statusOf(other.unary('Get', { key: B('x') }))).code).toBe(status.NOT_FOUND);
    w2.cancel();
    other.close();
  });
});

describe('deadlines and cancellation reach a waiting command', () => {
  it('ends WAIT when the call deadline passes', async () => {
    s = await startGrpcInProcess({ maxclients: '1' });
    const t0 = Date.now();
    const err = await statusOf(
      s.client.unary('Execute', { args: [B('WAIT'), B('1'), B('0')] }, { timeoutMs: 300 }),
    );
    expect(err.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await waitFor(() => blockedClients(s!.ts.server) === 0, 5000, 'WAIT to see the deadline');
    // Its slot is free again (maxclients 1).
    expect((await statusOf(s.client.unary('Get', { key: B('x') }))).code).toBe(status.NOT_FOUND);
    // A WAIT that ends before its deadline answers normally.
    const ok = await s.client.unary('Execute', { args: [B('WAIT'), B('1'), B('50')] }, { timeoutMs: 5000 });
    expect(ok.reply.integer).toBe('0');
  });

  it('ends WAIT when the client cancels the call', async () => {
    s = await startGrpcInProcess();
    let ended: grpc.ServiceError | null = null;
    const call = s.client.raw.Execute(
      { args: [B('WAIT'), B('1'), B('0')] },
      (e: grpc.ServiceError | null) => {
        ended = e;
      },
    ) as grpc.ClientUnaryCall;
    await waitFor(() => blockedClients(s!.ts.server) === 1, 5000, 'WAIT to block');
    call.cancel();
    await waitFor(() => ended !== null, 5000, 'the call to end');
    expect(ended!.code).toBe(status.CANCELLED);
    await waitFor(() => blockedClients(s!.ts.server) === 0, 5000, 'WAIT to see the cancel');
  });
});
