/**
 * The streaming RPCs, Scan and Watch, through a real grpc-js client built from the .proto,
 * against the gRPC door on an in-process server (real command table, manual clock).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CommandContext } from '../src/commands/context.js';
import { drain, grpc, headers, type Msg, startGrpcInProcess } from './helpers/grpc.js';
import { waitFor } from './resp-support.js';

const B = (s: string) => Buffer.from(s);
const { status } = grpc;

let s: Awaited<ReturnType<typeof startGrpcInProcess>>;
beforeAll(async () => {
  s = await startGrpcInProcess({ 'grpc-watch-buffer': '50' });
});
afterAll(async () => {
  await s?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const run = (...args: Array<string | Buffer>) => s.ts.run(s.ts.client(), ...args);
const scanCalls = () => s.ts.server.table.entries.get('scan')!.stats.calls;
/** One turn of the event loop (the server is in this process). */
const turn = () => new Promise<void>((r) => setImmediate(r));

/**
 * Follows the SCANs the server runs: the Scan stream's command context, and how many SCANs ran
 * once that context was aborted (there must be none).
 */
function followScans() {
  const real = s.ts.server.execute.bind(s.ts.server);
  const seen: { ctx: CommandContext | null; late: number } = { ctx: null, late: 0 };
  vi.spyOn(s.ts.server, 'execute').mockImplementation((ctx, argv) => {
    if (argv[0].toString('latin1').toUpperCase() === 'SCAN') {
      seen.ctx ??= ctx;
      if (ctx.signal?.aborted) seen.late++;
    }
    return real(ctx, argv);
  });
  return seen;
}

/**
 * Waits until the server has seen the end of the Scan (the client's status is decided on the
 * client side first), then lets the event loop turn: a loop that ignored the abort would run a
 * SCAN on each of these turns. Returns the SCAN count once settled.
 */
async function settledAfterAbort(seen: { ctx: CommandContext | null; late: number }): Promise<number> {
  await waitFor(() => seen.ctx?.signal?.aborted === true, 15_000, 'the server to see the end of the call');
  const atAbort = scanCalls();
  for (let i = 0; i < 20; i++) await turn();
  expect(seen.late).toBe(0);
  expect(scanCalls()).toBe(atAbort);
  return atAbort;
}

async function fill(prefix: string, n: number, db = 0): Promise<void> {
  const c = s.ts.client();
  c.db = db;
  for (let i = 0; i < n; i++) await s.ts.run(c, 'SET', `${prefix}${i}`, 'v');
}

const keysOf = (messages: Msg[]) => new Set(messages.flatMap((m) => m.keys.map((k: Buffer) => k.toString())));

describe('Scan', () => {
  beforeAll(async () => {
    await fill('scan:a:', 250);
    await fill('scan:b:', 40);
    await run('SET', 'scan:*weird', 'v');
    await fill('scan:db1:', 5, 1);
  });

  it('streams every key under a prefix, in pages', async () => {
    const { messages, status: st } = await drain(
      s.client.stream('Scan', { prefix: B('scan:a:'), page_size: 20 }),
    );
    expect(st.code).toBe(status.OK);
    expect(keysOf(messages)).toEqual(new Set(Array.from({ length: 250 }, (_, i) => `scan:a:${i}`)));
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(m.keys.length).toBeGreaterThan(0);
  });

  it('matches a glob, treats prefix bytes literally, and stays in its database', async () => {
    const glob = await drain(s.client.stream('Scan', { pattern: B('scan:b:1?') }));
    expect(keysOf(glob.messages)).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `scan:b:1${i}`)));
    const literal = await drain(s.client.stream('Scan', { prefix: B('scan:*') }));
    expect(keysOf(literal.messages)).toEqual(new Set(['scan:*weird']));
    const db1 = await drain(s.client.stream('Scan', { db: 1, prefix: B('scan:') }));
    expect(keysOf(db1.messages).size).toBe(5);
  });

  it('stops scanning when the client cancels half-way', async () => {
    await fill('scan:big:', 3000);
    const seen = followScans();
    const before = scanCalls();
    const stream = s.client.stream('Scan', { prefix: B('scan:big:'), page_size: 10 });
    let pages = 0;
    const ended = drain(stream);
    await new Promise<void>((resolve) => {
      stream.on('data', () => {
        if (++pages === 5) {
          stream.cancel();
          resolve();
        }
      });
    });
    const { status: st } = await ended;
    expect(st.code).toBe(status.CANCELLED);
    // No SCAN ran once the server saw the cancellation, and far fewer than the ~300 a full pass needs.
    const afterCancel = await settledAfterAbort(seen);
    expect(afterCancel - before).toBeLessThan(100);
  });

  it('ends with DEADLINE_EXCEEDED and stops when the deadline passes mid-scan', async () => {
    // Long keys, so the pages outgrow the HTTP/2 window and the socket buffers.
    await fill(`scan:long:${'x'.repeat(500)}`, 3000);
    const seen = followScans();
    const before = scanCalls();
    // Long enough for the call to reach the server and fill the stream even on a busy machine.
    const stream = s.client.stream('Scan', { prefix: B('scan:long:'), page_size: 10 }, { timeoutMs: 1000 });
    const ended = drain(stream);
    // Read nothing: the server fills the stream, waits for it to drain, and meets the deadline.
    stream.pause();
    const { status: st } = await ended;
    expect(st.code).toBe(status.DEADLINE_EXCEEDED);
    const settled = await settledAfterAbort(seen);
    // It had started, and stopped before the end: a full pass takes one SCAN per 10 keys.
    expect(settled - before).toBeGreaterThan(0);
    expect(settled - before).toBeLessThan(s.ts.keyspace.dbSize(0) / 10);
  });

  it('reports a bad glob or database as a status', async () => {
    const { status: st } = await drain(s.client.stream('Scan', { db: 99 }));
    expect(st.code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('Watch', () => {
  const kinds = (ms: Msg[]) =>
    ms.map((m) => `${m.kind.replace('EVENT_KIND_', '').toLowerCase()} ${m.key.toString()}`);

  async function watch(req: Msg) {
    const stream = s.client.stream('Watch', req);
    const events: Msg[] = [];
    stream.on('data', (m: Msg) => events.push(m));
    const ended = drain(stream);
    await headers(stream);
    return { stream, events, ended };
  }

  async function until(events: Msg[], n: number): Promise<void> {
    await waitFor(() => events.length >= n, 15_000, `${n} events`);
  }

  it('sees sets, deletes, expiries and flushes under its prefix, from any client', async () => {
    const w = await watch({ prefix: B('w:') });
    await s.client.unary('Set', { key: B('w:a'), value: B('1') });
    await run('SET', 'other:a', '1');
    await run('SET', 'w:ttl', '1', 'PX', '100');
    await run('DEL', 'w:a');
    s.ts.clock.advance(200);
    // Lazy expiry on access reports the key as expired.
    await run('GET', 'w:ttl');
    await run('FLUSHDB');
    await until(w.events, 5);
    expect(kinds(w.events)).toEqual(['set w:a', 'set w:ttl', 'delete w:a', 'expire w:ttl', 'flush ']);
    expect(w.events.every((e) => e.db === 0)).toBe(true);
    w.stream.cancel();
    expect((await w.ended).status.code).toBe(status.CANCELLED);
  });

  it('filters by database', async () => {
    const w = await watch({ prefix: B('d:'), db: 2 });
    await run('SET', 'd:zero', '1');
    const c = s.ts.client();
    c.db = 2;
    await s.ts.run(c, 'SET', 'd:two', '1');
    await run('SET', 'd:zero-again', '1');
    await s.ts.run(c, 'SET', 'd:end', '1');
    // Events arrive in order: one from database 0 would be there before the last one from 2.
    await until(w.events, 2);
    expect(kinds(w.events)).toEqual(['set d:two', 'set d:end']);
    expect(w.events[0].db).toBe(2);
    w.stream.cancel();
  });

  it('reports evictions', async () => {
    const admin = s.ts.client();
    // The reference keyspace evicts its oldest keys first: start from an empty one.
    await s.ts.run(admin, 'FLUSHALL');
    const w = await watch({ prefix: B('ev:') });
    await s.ts.run(admin, 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    const used = s.ts.keyspace.usedMemory();
    await s.ts.run(admin, 'CONFIG', 'SET', 'maxmemory', String(used + 64 * 1024));
    const big = Buffer.alloc(8 * 1024, 1);
    for (let i = 0; i < 40; i++) {
      await s.ts.run(admin, 'SET', `ev:${i}`, big);
      // Let the stream flush: this server's watch buffer is only 50 events.
      if (i % 10 === 9) await turn();
    }
    await s.ts.run(admin, 'CONFIG', 'SET', 'maxmemory', '0');
    await waitFor(() => w.events.some((e) => e.kind === 'EVENT_KIND_EVICT'), 15_000, 'an eviction event');
    w.stream.cancel();
  });

  it('ends a watcher that falls behind with RESOURCE_EXHAUSTED, without slowing writers', async () => {
    const w = await watch({ prefix: B('slow:') });
    w.stream.pause();
    const key = `slow:${'k'.repeat(1000)}`;
    const t0 = performance.now();
    // Far more than the buffer (50) plus what the HTTP/2 window and socket buffers hold.
    for (let i = 0; i < 5000; i++) {
      await run('SET', `${key}${i}`, 'v');
      if (i % 100 === 0) await turn();
    }
    const writeMs = performance.now() - t0;
    w.stream.resume();
    const { status: st } = await w.ended;
    expect(st.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(st.details).toContain('grpc-watch-buffer');
    expect(w.events.length).toBeLessThan(5000);
    expect(writeMs).toBeLessThan(10_000);
  });

  it('requires a valid database', async () => {
    const stream = s.client.stream('Watch', { prefix: B(''), db: 999 });
    expect((await drain(stream)).status.code).toBe(status.INVALID_ARGUMENT);
  });
});
