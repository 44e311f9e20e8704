import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestServer, type TestServer } from '../../server/testing.js';
import {
  ErrorReply,
  NO_REPLY,
  RawReply,
  type Reply,
  SequenceReply,
  SimpleReply,
  VerbatimReply,
} from '../reply.js';

let t: TestServer;
afterEach(() => {
  vi.useRealTimers();
  t?.close();
});

function text(r: Reply): string {
  if (r instanceof VerbatimReply) return r.text;
  if (Buffer.isBuffer(r)) return r.toString('latin1');
  throw new Error(`unexpected reply ${String(r)}`);
}

/** A client whose pushes are collected as raw bytes. */
function feedClient(addr = '127.0.0.1:40001') {
  const chunks: Buffer[] = [];
  const c = t.client({
    addr,
    push: (r: Reply) => {
      if (r instanceof RawReply) chunks.push(r.bytes);
      return true;
    },
  });
  return { c, bytes: () => Buffer.concat(chunks).toString('latin1') };
}

describe('replica feeds', () => {
  it('shows a replica as Redis does: flag S, type replica, INFO replication, not a connected client', async () => {
    t = createTestServer();
    const a = t.client();
    const r = feedClient();
    await t.run(r.c, 'SYNC');
    const list = text(await t.run(a, 'CLIENT', 'LIST'));
    expect(list).toMatch(new RegExp(`id=${r.c.id} .* flags=S `));
    expect(text(await t.run(a, 'CLIENT', 'LIST', 'TYPE', 'replica'))).toMatch(new RegExp(`^id=${r.c.id} `));
    expect(text(await t.run(a, 'CLIENT', 'LIST', 'TYPE', 'normal'))).not.toContain(`id=${r.c.id} `);
    const info = text(await t.run(a, 'INFO', 'replication'));
    expect(info).toContain('connected_slaves:1\r\n');
    expect(info).toMatch(/slave0:ip=127\.0\.0\.1,port=0,state=online,offset=0,lag=\d+\r\n/);
    expect(info).toContain('repl_backlog_active:1\r\n');
    expect(text(await t.run(a, 'INFO', 'clients'))).toContain('connected_clients:1\r\n');
    // A replica's second SYNC is ignored; CLIENT KILL TYPE replica drops it.
    expect(await t.run(r.c, 'SYNC')).toBe(NO_REPLY);
    expect(await t.run(a, 'CLIENT', 'KILL', 'TYPE', 'replica')).toBe(1);
    expect(text(await t.run(a, 'INFO', 'replication'))).toContain('connected_slaves:0\r\n');
  });

  it('answers PSYNC with FULLRESYNC at the current offset, which grows with what is fed', async () => {
    t = createTestServer();
    const a = t.client();
    const first = feedClient();
    const reply = await t.run(first.c, 'PSYNC', '?', '-1');
    expect(reply).toBeInstanceOf(SequenceReply);
    expect((reply as SequenceReply).replies[0]).toEqual(new SimpleReply(`FULLRESYNC ${t.server.runId} 0`));
    await t.run(a, 'SET', 'k', 'v');
    const fed = first.bytes();
    expect(fed).toBe('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n');
    expect(text(await t.run(a, 'INFO', 'replication'))).toContain(`master_repl_offset:${fed.length}\r\n`);
    const second = feedClient('127.0.0.1:40002');
    const again = (await t.run(second.c, 'PSYNC', '?', '-1')) as SequenceReply;
    expect(again.replies[0]).toEqual(new SimpleReply(`FULLRESYNC ${t.server.runId} ${fed.length}`));
    // A new replica makes the stream select again, for every replica.
    await t.run(a, 'SET', 'k', 'w');
    expect(second.bytes()).toBe('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nw\r\n');
    expect(first.bytes()).toBe(fed + second.bytes());
  });

  it('takes REPLCONF: the announced port in INFO and ROLE, acknowledged offsets, no reply to ACK', async () => {
    t = createTestServer();
    const a = t.client();
    const r = feedClient();
    expect(await t.run(r.c, 'REPLCONF', 'listening-port', '6380', 'capa', 'eof', 'capa', 'psync2')).toEqual(
      new SimpleReply('OK'),
    );
    expect((await t.run(r.c, 'REPLCONF', 'bogus', '1')) as ErrorReply).toEqual(
      new ErrorReply('ERR', 'ERR Unrecognized REPLCONF option: bogus'),
    );
    expect(((await t.run(r.c, 'REPLCONF', 'ack')) as ErrorReply).message).toBe('ERR syntax error');
    await t.run(r.c, 'PSYNC', '?', '-1');
    await t.run(a, 'SET', 'k', 'v');
    expect(await t.run(r.c, 'REPLCONF', 'ACK', String(t.server.replicas.offset))).toBe(NO_REPLY);
    const info = text(await t.run(a, 'INFO', 'replication'));
    expect(info).toContain(
      `slave0:ip=127.0.0.1,port=6380,state=online,offset=${t.server.replicas.offset},lag=0\r\n`,
    );
    expect(await t.run(a, 'ROLE')).toEqual([
      Buffer.from('master'),
      t.server.replicas.offset,
      [[Buffer.from('127.0.0.1'), Buffer.from('6380'), Buffer.from(String(t.server.replicas.offset))]],
    ]);
  });

  it('pings replicas every repl-ping-replica-period seconds', async () => {
    vi.useFakeTimers();
    t = createTestServer({ config: { 'repl-ping-replica-period': '2' } });
    const r = feedClient();
    await t.run(r.c, 'SYNC');
    vi.advanceTimersByTime(1000);
    expect(r.bytes()).toBe('');
    vi.advanceTimersByTime(1000);
    expect(r.bytes()).toBe('*1\r\n$4\r\nping\r\n');
    t.server.closeClient(r.c);
    expect(vi.getTimerCount()).toBe(0);
  });
});
