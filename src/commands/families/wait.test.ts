import { afterEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../server/testing.js';
import { blockedClients } from '../blocking.js';
import { ErrorReply, type Reply } from '../reply.js';

let t: TestServer;
afterEach(() => t?.close());

const argv = (...a: string[]) => a.map((s) => Buffer.from(s));
const text = (r: unknown) => (r instanceof ErrorReply ? r.message : r);

/** Run WAIT with a context the test controls. */
function waitWith(signal: AbortSignal | null, deadline: number, ...args: string[]): Promise<Reply> {
  const ctx = t.server.context(t.client(), signal, deadline);
  return Promise.resolve(t.server.execute(ctx, argv('WAIT', ...args)));
}

describe('WAIT with no replicas', () => {
  it('waits out its timeout, then answers 0, counted in blocked_clients meanwhile', async () => {
    t = createTestServer();
    const t0 = performance.now();
    const p = waitWith(null, 0, '1', '60');
    expect(blockedClients(t.server)).toBe(1);
    expect(await p).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    expect(blockedClients(t.server)).toBe(0);
  });

  it('ends when the client goes away (the context signal aborts)', async () => {
    t = createTestServer();
    const ac = new AbortController();
    const p = waitWith(ac.signal, 0, '1', '0');
    expect(blockedClients(t.server)).toBe(1);
    ac.abort();
    expect(text(await p)).toBe('ERR command cancelled');
    expect(blockedClients(t.server)).toBe(0);
  });

  it('ends at the command deadline with a timeout error, and at once when it has passed', async () => {
    t = createTestServer();
    const t0 = performance.now();
    expect(text(await waitWith(null, t.clock.now() + 40, '1', '0'))).toBe('ERR command deadline exceeded');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    // Its own timeout first: the normal answer.
    expect(await waitWith(null, t.clock.now() + 60_000, '1', '10')).toBe(0);
    expect(text(await waitWith(null, t.clock.now() - 1, '1', '0'))).toBe('ERR command deadline exceeded');
    expect(blockedClients(t.server)).toBe(0);
  });

  it('reads a signal aborted for a timeout as the deadline passing', async () => {
    t = createTestServer();
    expect(text(await waitWith(AbortSignal.timeout(20), 0, '1', '0'))).toBe('ERR command deadline exceeded');
    const gone = new AbortController();
    gone.abort();
    expect(text(await waitWith(gone.signal, 0, '1', '0'))).toBe('ERR command cancelled');
  });

  it('answers at once inside EXEC, as Redis does', async () => {
    t = createTestServer();
    const c = t.client();
    await t.run(c, 'MULTI');
    await t.run(c, 'WAIT', '1', '0');
    await t.run(c, 'SET', 'k', 'v');
    expect(await t.run(c, 'EXEC')).toEqual([0, expect.anything()]);
    expect(blockedClients(t.server)).toBe(0);
  });
});
