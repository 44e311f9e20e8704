import { afterEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../server/testing.js';
import { ErrorReply, OK, type Reply, SimpleReply, VerbatimReply } from '../reply.js';

let t: TestServer;
afterEach(() => t?.close());

function message(r: Reply): string {
  if (r instanceof ErrorReply) return r.message;
  throw new Error(`expected an error, got ${String(r)}`);
}

function info(r: Reply): string {
  if (r instanceof VerbatimReply) return r.text;
  if (Buffer.isBuffer(r)) return r.toString('latin1');
  throw new Error('not INFO text');
}

describe('REPLICAOF and the replica role', () => {
  it('refuses writes with READONLY until REPLICAOF NO ONE, and reports the role', async () => {
    t = createTestServer();
    const a = t.client();
    expect(await t.run(a, 'ROLE')).toEqual([Buffer.from('master'), 0, []]);
    expect(message(await t.run(a, 'REPLICAOF', 'localhost', 'x'))).toBe('ERR Invalid master port');
    expect(message(await t.run(a, 'REPLICAOF', 'localhost', '65536'))).toBe('ERR Invalid master port');
    await t.run(a, 'SET', 'k', 'v');
    expect(await t.run(a, 'REPLICAOF', 'localhost', '9999')).toBe(OK);
    expect(await t.run(a, 'REPLICAOF', 'LOCALHOST', '9999')).toEqual(
      new SimpleReply('OK Already connected to specified master'),
    );
    expect(message(await t.run(a, 'SET', 'k', 'w'))).toBe(
      "READONLY You can't write against a read only replica.",
    );
    expect(await t.run(a, 'GET', 'k')).toEqual(Buffer.from('v'));
    expect(info(await t.run(a, 'INFO', 'replication'))).toMatch(
      /^# Replication\r\nrole:slave\r\nmaster_host:localhost\r\nmaster_port:9999\r\nmaster_link_status:down\r\n/,
    );
    expect(await t.run(a, 'ROLE')).toEqual([
      Buffer.from('slave'),
      Buffer.from('localhost'),
      9999,
      Buffer.from('connect'),
      -1,
    ]);
    await t.run(a, 'CONFIG', 'SET', 'replica-read-only', 'no');
    expect(await t.run(a, 'SET', 'k', 'w')).toBe(OK);
    await t.run(a, 'CONFIG', 'SET', 'replica-read-only', 'yes');
    expect(await t.run(a, 'REPLICAOF', 'NO', 'ONE')).toBe(OK);
    expect(await t.run(a, 'SET', 'k', 'x')).toBe(OK);
    expect(info(await t.run(a, 'INFO', 'replication'))).toContain('role:master\r\n');
  });

  it('answers MASTERDOWN to commands not flagged stale, an EXEC by its queue', async () => {
    t = createTestServer();
    const a = t.client();
    const b = t.client({ addr: '127.0.0.1:50001' });
    await t.run(a, 'CONFIG', 'SET', 'replica-serve-stale-data', 'no');
    await t.run(a, 'MULTI');
    await t.run(a, 'GET', 'k');
    await t.run(b, 'REPLICAOF', 'localhost', '0');
    expect(message(await t.run(a, 'EXEC'))).toBe(
      "EXECABORT Transaction discarded because of: MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
    );
    expect(message(await t.run(a, 'PING'))).toMatch(/^MASTERDOWN /);
    // Commands flagged stale still run: INFO, CONFIG, REPLICAOF.
    expect(info(await t.run(a, 'INFO', 'replication'))).toContain('role:slave');
    await t.run(a, 'MULTI');
    await t.run(b, 'REPLICAOF', 'NO', 'ONE');
    await t.run(a, 'GET', 'k');
    expect(await t.run(a, 'EXEC')).toEqual([null]);
  });

  it('disconnects its own replicas and refuses new ones while following a master', async () => {
    t = createTestServer();
    const a = t.client();
    const r = t.client({ addr: '127.0.0.1:40001', push: () => true });
    await t.run(r, 'SYNC');
    expect(t.server.replicas.count).toBe(1);
    await t.run(a, 'REPLICAOF', '127.0.0.1', '1');
    expect(t.server.replicas.count).toBe(0);
    expect(t.server.propagation.active).toBe(false);
    const late = t.client({ addr: '127.0.0.1:40002', push: () => true });
    expect(message(await t.run(late, 'SYNC'))).toBe(
      "NOMASTERLINK Can't SYNC while not connected with my master",
    );
    await t.run(a, 'REPLICAOF', 'NO', 'ONE');
    await t.run(late, 'SYNC');
    expect(t.server.replicas.count).toBe(1);
  });
});
