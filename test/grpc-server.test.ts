/**
 * The gRPC door as a server: health, reflection, authentication, message bounds, deadlines and
 * cancellation reaching the command context, and graceful shutdown. In-process server with the
 * door on a free port; real grpc-js clients.
 */
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import * as protoLoader from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CommandContext } from '../src/commands/context.js';
import { REPO_ROOT } from './helpers/cairn.js';
import { cairnClient, drain, grpc, headers, type Msg, startGrpcInProcess, statusOf } from './helpers/grpc.js';
import { waitFor } from './resp-support.js';

const B = (s: string) => Buffer.from(s);
const { status } = grpc;

let s: Awaited<ReturnType<typeof startGrpcInProcess>> | null = null;
afterEach(async () => {
  await s?.close();
  s = null;
});

function healthClient(port: number) {
  const Ctor = grpc.makeGenericClientConstructor(healthService, 'Health');
  return new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as grpc.Client &
    Record<string, (...a: unknown[]) => grpc.ClientReadableStream<Msg>>;
}

const check = (c: ReturnType<typeof healthClient>, service: string) =>
  new Promise<string>((resolve, reject) =>
    c.check({ service }, (err: Error | null, res: Msg) => (err ? reject(err) : resolve(res.status))),
  );

describe('health', () => {
  it('answers SERVING, and NOT_SERVING while loading', async () => {
    s = await startGrpcInProcess();
    const h = healthClient(s.door.port);
    expect(await check(h, '')).toBe('SERVING');
    expect(await check(h, 'cairn.v1.CairnService')).toBe('SERVING');
    s.ts.server.loading = true;
    expect(await check(h, '')).toBe('NOT_SERVING');
    s.ts.server.loading = false;
    expect(await check(h, 'cairn.v1.CairnService')).toBe('SERVING');
    h.close();
  });

  it('tells health watchers NOT_SERVING at shutdown and ends their streams', async () => {
    s = await startGrpcInProcess();
    const h = healthClient(s.door.port);
    const stream = h.watch({ service: '' });
    const seen: string[] = [];
    stream.on('data', (m: Msg) => seen.push(m.status));
    const ended = drain(stream);
    await waitFor(() => seen.length > 0, 15_000, 'the first health status');
    await s.door.stopAccepting();
    await ended;
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
    h.close();
  });
});

describe('reflection', () => {
  it('lists the services and serves the descriptor of cairn.proto', async () => {
    s = await startGrpcInProcess();
    const def = protoLoader.loadSync(
      join(REPO_ROOT, 'node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto'),
      { keepCase: true, oneofs: true, defaults: true },
    );
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
    };
    const client = new pkg.grpc.reflection.v1.ServerReflection(
      `127.0.0.1:${s.door.port}`,
      grpc.credentials.createInsecure(),
    ) as unknown as grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<Msg, Msg> };
    const call = client.ServerReflectionInfo();
    const answers: Msg[] = [];
    call.on('data', (m: Msg) => answers.push(m));
    const done = new Promise((r) => call.on('end', r));
    call.write({ list_services: '' });
    call.write({ file_containing_symbol: 'cairn.v1.CairnService' });
    call.end();
    await done;
    const names = answers[0].list_services_response.service.map((x: Msg) => x.name);
    expect(names).toContain('cairn.v1.CairnService');
    expect(names).toContain('grpc.health.v1.Health');
    const fd = fromBinary(
      FileDescriptorProtoSchema,
      answers[1].file_descriptor_response.file_descriptor_proto[0],
    );
    expect(fd.name).toBe('cairn/v1/cairn.proto');
    expect(fd.service[0].method.map((m) => m.name)).toContain('Watch');
    client.close();
  });
});

describe('authentication', () => {
  it('requires the password as bearer or password metadata when requirepass is set', async () => {
    s = await startGrpcInProcess({ requirepass: 's3cret' });
    const none = await statusOf(s.client.unary('Get', { key: B('k') }));
    expect(none.code).toBe(status.UNAUTHENTICATED);
    expect(none.metadata.get('cairn-error-code')).toEqual(['unauthenticated']);
    const md = (k: string, v: string) => {
      const m = new grpc.Metadata();
      m.set(k, v);
      return m;
    };
    const wrong = await statusOf(
      s.client.unary('Get', { key: B('k') }, { metadata: md('authorization', 'Bearer nope') }),
    );
    expect(wrong.code).toBe(status.UNAUTHENTICATED);
    expect(wrong.details).toContain('invalid username-password pair');
    await s.client.unary(
      'Set',
      { key: B('k'), value: B('v') },
      { metadata: md('authorization', 'Bearer s3cret') },
    );
    const got = await s.client.unary('Get', { key: B('k') }, { metadata: md('password', 's3cret') });
    expect(got.value).toEqual(B('v'));
    const w = s.client.stream('Watch', { prefix: B('') });
    expect((await drain(w)).status.code).toBe(status.UNAUTHENTICATED);
  });
});

describe('bounds', () => {
  it('answers an oversized message RESOURCE_EXHAUSTED and keeps serving', async () => {
    s = await startGrpcInProcess({ 'grpc-max-message-bytes': '4096' });
    const err = await statusOf(s.client.unary('Set', { key: B('big'), value: Buffer.alloc(10_000) }));
    expect(err.code).toBe(status.RESOURCE_EXHAUSTED);
    await s.client.unary('Set', { key: B('small'), value: B('ok') });
    expect((await s.client.unary('Get', { key: B('small') })).value).toEqual(B('ok'));
  });

  it('caps concurrent calls per connection', async () => {
    s = await startGrpcInProcess({ 'grpc-max-concurrent-streams': '2' });
    const w1 = s.client.stream('Watch', { prefix: B('a') });
    const w2 = s.client.stream('Watch', { prefix: B('b') });
    await Promise.all([headers(w1), headers(w2)]);
    drain(w1);
    drain(w2);
    // A third call waits for a free stream on this connection...
    const queued = await statusOf(s.client.unary('Get', { key: B('x') }, { timeoutMs: 200 }));
    expect(queued.code).toBe(status.DEADLINE_EXCEEDED);
    // ...and runs once one ends.
    w1.cancel();
    const err = await statusOf(s.client.unary('Get', { key: B('x') }, { timeoutMs: 15_000 }));
    expect(err.code).toBe(status.NOT_FOUND);
    w2.cancel();
  });
});

describe('deadlines and cancellation', () => {
  it('passes the deadline and an abort signal to the command context', async () => {
    s = await startGrpcInProcess();
    const seen: CommandContext[] = [];
    const real = s.ts.server.execute.bind(s.ts.server);
    vi.spyOn(s.ts.server, 'execute').mockImplementation((ctx, argv) => {
      seen.push(ctx);
      return real(ctx, argv);
    });
    const t0 = Date.now();
    await statusOf(s.client.unary('Get', { key: B('k') }, { timeoutMs: 5000 }));
    expect(seen[0].deadline).toBeGreaterThanOrEqual(t0 + 4000);
    expect(seen[0].deadline).toBeLessThanOrEqual(Date.now() + 5000);
    expect(seen[0].signal).toBeInstanceOf(AbortSignal);
    expect(seen[0].client.door).toBe('grpc');
    await statusOf(s.client.unary('Get', { key: B('k') }));
    expect(seen[1].deadline).toBe(0);
  });

  it('answers DEADLINE_EXCEEDED when a command outlives its deadline, and aborts it', async () => {
    s = await startGrpcInProcess();
    const box: { ctx: CommandContext | null } = { ctx: null };
    vi.spyOn(s.ts.server, 'execute').mockImplementation((c) => {
      box.ctx = c;
      return new Promise(() => {});
    });
    // Long enough for the call to reach the command even on a loaded machine.
    const err = await statusOf(s.client.unary('Execute', { args: [B('PING')] }, { timeoutMs: 2000 }));
    expect(err.code).toBe(status.DEADLINE_EXCEEDED);
    expect(box.ctx).not.toBeNull();
    await waitFor(() => box.ctx!.signal!.aborted, 15_000, 'the deadline to abort the command');
  });

  it('aborts the context when the client cancels', async () => {
    s = await startGrpcInProcess();
    const box: { ctx: CommandContext | null } = { ctx: null };
    vi.spyOn(s.ts.server, 'execute').mockImplementation((c) => {
      box.ctx = c;
      return new Promise(() => {});
    });
    const call = s.client.raw.Execute({ args: [B('PING')] }, () => {}) as grpc.ClientUnaryCall;
    await waitFor(() => box.ctx !== null, 15_000, 'the call to reach the command');
    expect(box.ctx!.signal!.aborted).toBe(false);
    call.cancel();
    await waitFor(() => box.ctx!.signal!.aborted, 15_000, 'the cancel to abort the command');
  });
});

describe('shutdown', () => {
  it('answers UNAVAILABLE while closing, ends watches, and drains within the grace period', async () => {
    s = await startGrpcInProcess();
    const w = s.client.stream('Watch', { prefix: B('') });
    await headers(w);
    const watchEnd = drain(w);
    s.ts.server.closing = true;
    const refused = await statusOf(s.client.unary('Get', { key: B('k') }));
    expect(refused.code).toBe(status.UNAVAILABLE);
    s.ts.server.closing = false;
    await s.door.stopAccepting();
    expect((await watchEnd).status.code).toBe(status.UNAVAILABLE);
    const after = cairnClient(s.door.port);
    const err = await statusOf(after.unary('Get', { key: B('k') }, { timeoutMs: 1000 }));
    expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(err.code);
    after.close();
    const t0 = Date.now();
    await s.door.close(10_000);
    // Nothing was running: the drain finished long before the grace period.
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('forces calls still running after the grace period', async () => {
    s = await startGrpcInProcess();
    const running = vi.spyOn(s.ts.server, 'execute').mockImplementation(() => new Promise(() => {}));
    const pending = statusOf(s.client.unary('Execute', { args: [B('PING')] }));
    // The call is running (its command never ends) before the door closes.
    await waitFor(() => running.mock.calls.length > 0, 15_000, 'the call to reach the command');
    await s.door.stopAccepting();
    const t0 = Date.now();
    await s.door.close(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect([status.UNAVAILABLE, status.CANCELLED, status.INTERNAL]).toContain((await pending).code);
  });
});
