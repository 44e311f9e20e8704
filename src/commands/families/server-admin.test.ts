import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestServer, type TestServer } from '../../server/testing.js';
import { ErrorReply, NO_REPLY, QUEUED, type Reply, SimpleReply } from '../reply.js';

let t: TestServer;
afterEach(() => t?.close());

const text = (r: unknown) => (r instanceof ErrorReply ? r.message : r);

describe('TIME / LASTSAVE', () => {
  it('reads the server clock', async () => {
    t = createTestServer();
    t.clock.set(1_700_000_123_456);
    const r = (await t.run(t.client(), 'TIME')) as Buffer[];
    expect(r.map(String)).toEqual(['1700000123', '456000']);
  });

  it('reports the last save in seconds', async () => {
    t = createTestServer();
    t.server.hooks.lastSave = () => 1_700_000_999_999;
    expect(await t.run(t.client(), 'LASTSAVE')).toBe(1_700_000_999);
  });
});

describe('SAVE / BGSAVE', () => {
  it('hands over to server.save', async () => {
    t = createTestServer();
    const save = vi.fn(
      async (background: boolean) => new SimpleReply(background ? 'Background saving started' : 'OK'),
    );
    t.server.hooks.save = save;
    const c = t.client();
    expect(await t.run(c, 'SAVE')).toEqual(new SimpleReply('OK'));
    expect(await t.run(c, 'BGSAVE')).toEqual(new SimpleReply('Background saving started'));
    expect(await t.run(c, 'BGSAVE', 'SCHEDULE')).toEqual(new SimpleReply('Background saving started'));
    expect(save.mock.calls).toEqual([[false], [true], [true]]);
    expect(text(await t.run(c, 'BGSAVE', 'foo'))).toBe('ERR syntax error');
    expect(save).toHaveBeenCalledTimes(3);
  });

  it('refuses to wait for a snapshot inside MULTI', async () => {
    t = createTestServer();
    const c = t.client();
    await t.run(c, 'MULTI');
    expect(text(await t.run(c, 'SAVE'))).toBe('ERR Command not allowed inside a transaction');
  });
});

describe('SHUTDOWN', () => {
  it('parses the options and calls server.shutdown', async () => {
    t = createTestServer();
    const shutdown = vi.fn(async (_opts: object): Promise<Reply> => NO_REPLY);
    t.server.hooks.shutdown = shutdown;
    const c = t.client();
    expect(await t.run(c, 'SHUTDOWN')).toBe(NO_REPLY);
    await t.run(c, 'SHUTDOWN', 'NOSAVE', 'NOW');
    await t.run(c, 'shutdown', 'save', 'force');
    expect(shutdown.mock.calls).toEqual([
      [{ save: null, now: false, force: false }],
      [{ save: false, now: true, force: false }],
      [{ save: true, now: false, force: true }],
    ]);
  });

  it('answers Redis errors for bad combinations', async () => {
    t = createTestServer();
    const shutdown = vi.fn(async (_opts: object): Promise<Reply> => NO_REPLY);
    t.server.hooks.shutdown = shutdown;
    const c = t.client();
    expect(text(await t.run(c, 'SHUTDOWN', 'foo'))).toBe('ERR syntax error');
    expect(text(await t.run(c, 'SHUTDOWN', 'SAVE', 'NOSAVE'))).toBe('ERR syntax error');
    expect(text(await t.run(c, 'SHUTDOWN', 'ABORT', 'NOW'))).toBe('ERR syntax error');
    expect(text(await t.run(c, 'SHUTDOWN', 'ABORT'))).toBe('ERR No shutdown in progress.');
    expect(shutdown).not.toHaveBeenCalled();
  });
});

describe('WAIT', () => {
  it('answers 0 at once when no replica is asked for (waiting: wait.test.ts)', async () => {
    t = createTestServer();
    const c = t.client();
    expect(await t.run(c, 'WAIT', '0', '0')).toBe(0);
    expect(await t.run(c, 'WAIT', '-1', '100')).toBe(0);
    expect(text(await t.run(c, 'WAIT', 'a', '0'))).toBe('ERR value is not an integer or out of range');
    expect(text(await t.run(c, 'WAIT', '0', 'a'))).toBe('ERR timeout is not an integer or out of range');
    expect(text(await t.run(c, 'WAIT', '0', '-1'))).toBe('ERR timeout is negative');
    expect(text(await t.run(c, 'WAIT'))).toBe("ERR wrong number of arguments for 'wait' command");
  });

  it('can be queued in MULTI', async () => {
    t = createTestServer();
    const c = t.client();
    await t.run(c, 'MULTI');
    expect(await t.run(c, 'WAIT', '0', '0')).toBe(QUEUED);
    expect(await t.run(c, 'EXEC')).toEqual([0]);
  });
});
