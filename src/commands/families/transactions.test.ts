import { afterEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../server/testing.js';
import { ErrorReply, NULL_ARRAY, OK, QUEUED } from '../reply.js';

let t: TestServer;
afterEach(() => t?.close());

const text = (r: unknown) => (r instanceof ErrorReply ? r.message : r);

describe('MULTI / EXEC / DISCARD', () => {
  it('queues commands and runs them atomically on EXEC', async () => {
    t = createTestServer();
    const c = t.client();
    expect(await t.run(c, 'MULTI')).toBe(OK);
    expect(await t.run(c, 'SET', 'a', '1')).toBe(QUEUED);
    expect(await t.run(c, 'INCR', 'a')).toBe(QUEUED);
    expect(t.keyspace.get(0, Buffer.from('a'))).toBeNull();
    expect(await t.run(c, 'EXEC')).toEqual([OK, 2]);
  });

  it('aborts with EXECABORT after a queued command was rejected', async () => {
    t = createTestServer();
    const c = t.client();
    await t.run(c, 'MULTI');
    await t.run(c, 'SET', 'a', '1');
    expect(text(await t.run(c, 'GET'))).toBe("ERR wrong number of arguments for 'get' command");
    expect(text(await t.run(c, 'NOSUCH', 'x'))).toMatch(/^ERR unknown command 'NOSUCH'/);
    expect(text(await t.run(c, 'EXEC'))).toBe('EXECABORT Transaction discarded because of previous errors.');
    expect(t.keyspace.get(0, Buffer.from('a'))).toBeNull();
    expect(c.multi).toBeNull();
  });

  it('keeps runtime errors inside the EXEC reply', async () => {
    t = createTestServer();
    const c = t.client();
    await t.run(c, 'SET', 's', 'abc');
    await t.run(c, 'MULTI');
    await t.run(c, 'INCR', 's');
    await t.run(c, 'SET', 'x', 'y');
    const r = (await t.run(c, 'EXEC')) as unknown[];
    expect(text(r[0])).toBe('ERR value is not an integer or out of range');
    expect(r[1]).toBe(OK);
  });

  it('answers Redis errors for misuse', async () => {
    t = createTestServer();
    const c = t.client();
    expect(text(await t.run(c, 'EXEC'))).toBe('ERR EXEC without MULTI');
    expect(text(await t.run(c, 'DISCARD'))).toBe('ERR DISCARD without MULTI');
    await t.run(c, 'MULTI');
    expect(text(await t.run(c, 'MULTI'))).toBe('ERR MULTI calls can not be nested');
    expect(text(await t.run(c, 'WATCH', 'k'))).toBe('ERR WATCH inside MULTI is not allowed');
    expect(await t.run(c, 'DISCARD')).toBe(OK);
  });
});

describe('WATCH', () => {
  it('fails EXEC when another client changed a watched key', async () => {
    t = createTestServer();
    const a = t.client();
    const b = t.client();
    await t.run(a, 'WATCH', 'k');
    await t.run(b, 'SET', 'k', 'from-b');
    await t.run(a, 'MULTI');
    await t.run(a, 'SET', 'k', 'from-a');
    expect(await t.run(a, 'EXEC')).toBe(NULL_ARRAY);
    expect(t.keyspace.get(0, Buffer.from('k'))?.toString()).toBe('from-b');
  });

  it('succeeds when nothing changed, and UNWATCH forgets', async () => {
    t = createTestServer();
    const a = t.client();
    const b = t.client();
    await t.run(a, 'WATCH', 'k');
    await t.run(a, 'MULTI');
    await t.run(a, 'SET', 'k', '1');
    expect(await t.run(a, 'EXEC')).toEqual([OK]);
    await t.run(a, 'WATCH', 'k');
    await t.run(b, 'SET', 'k', '2');
    await t.run(a, 'UNWATCH');
    await t.run(a, 'MULTI');
    await t.run(a, 'SET', 'k', '3');
    expect(await t.run(a, 'EXEC')).toEqual([OK]);
  });

  it('treats expiry of a watched key as a change, even before anyone reads it', async () => {
    t = createTestServer();
    const a = t.client();
    await t.run(a, 'SET', 'k', 'v', 'PX', '100');
    await t.run(a, 'WATCH', 'k');
    t.clock.advance(200);
    await t.run(a, 'MULTI');
    await t.run(a, 'SET', 'other', '1');
    expect(await t.run(a, 'EXEC')).toBe(NULL_ARRAY);
  });

  it('is invalidated by FLUSHALL of a key that exists, and only watches the selected database', async () => {
    t = createTestServer();
    const a = t.client();
    const b = t.client();
    await t.run(a, 'WATCH', 'k');
    b.db = 1;
    await t.run(b, 'SET', 'k', 'other-db');
    await t.run(a, 'MULTI');
    expect(await t.run(a, 'EXEC')).toEqual([]);
    // As in Redis, FLUSHALL fails a watch only on a key that exists: a missing one is untouched.
    await t.run(a, 'WATCH', 'k');
    await t.run(b, 'FLUSHALL');
    await t.run(a, 'MULTI');
    expect(await t.run(a, 'EXEC')).toEqual([]);
    await t.run(a, 'SET', 'k', 'here');
    await t.run(a, 'WATCH', 'k');
    await t.run(b, 'FLUSHALL');
    await t.run(a, 'MULTI');
    expect(await t.run(a, 'EXEC')).toBe(NULL_ARRAY);
  });
});
