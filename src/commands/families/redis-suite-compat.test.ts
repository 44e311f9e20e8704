import { describe, expect, it } from 'vitest';
import { crc64 } from '../../persistence/rdb/crc64.js';
import { NULL_ARRAY, RawReply, VerbatimReply } from '../reply.js';
import { plain, session } from './test-helpers.js';

describe('Redis directives Cairn accepts without acting on them', () => {
  it('CONFIG GET answers Redis defaults; CONFIG SET checks them as Redis does', async () => {
    const s = session();
    expect(await s.run('CONFIG', 'GET', 'repl-ping-replica-period')).toEqual({
      map: [['repl-ping-replica-period', '10']],
    });
    expect(await s.run('CONFIG', 'SET', 'repl-ping-replica-period', '3600')).toBe('+OK');
    expect(await s.run('CONFIG', 'GET', 'repl-ping-slave-period')).toEqual({
      map: [['repl-ping-slave-period', '3600']],
    });
    expect(await s.run('CONFIG', 'SET', 'repl-ping-replica-period', '0')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'repl-ping-replica-period') - argument must be between 1 and 2147483647 inclusive",
    );
    expect(await s.run('CONFIG', 'SET', 'appendfsync', 'sometimes')).toMatch(
      /^-ERR CONFIG SET failed .* must be one of the following: everysec, always, no$/,
    );
    expect(await s.run('CONFIG', 'SET', 'daemonize', 'yes')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config",
    );
    expect(await s.run('CONFIG', 'SET', 'appendonly', 'yes', 'aof-use-rdb-preamble', 'no')).toBe('+OK');
    expect(await s.run('CONFIG', 'SET', 'rdb-key-save-delay', '-5')).toBe('+OK');
    // Hidden test hooks are not listed by a glob, as in Redis.
    expect(await s.run('CONFIG', 'GET', 'rdb-key*')).toEqual({ map: [] });
    expect(await s.run('CONFIG', 'SET', 'maxmemory-clients', '10%')).toBe('+OK');
    expect(await s.run('CONFIG', 'GET', 'maxmemory-clients')).toEqual({
      map: [['maxmemory-clients', '10%']],
    });
    expect(await s.run('CONFIG', 'SET', 'shutdown-on-sigterm', 'nosave now')).toBe('+OK');
    expect(await s.run('CONFIG', 'SET', 'shutdown-on-sigterm', 'later')).toMatch(/^-ERR CONFIG SET failed/);
  });

  it('activedefrag cannot be enabled (nothing to defragment), as on a Redis built without it', async () => {
    const s = session();
    expect(await s.run('CONFIG', 'SET', 'activedefrag', 'no')).toBe('+OK');
    expect(await s.run('CONFIG', 'SET', 'activedefrag', 'yes')).toMatch(
      /^-ERR CONFIG SET failed \(possibly related to argument 'activedefrag'\) - Active defragmentation cannot be enabled/,
    );
    expect(await s.run('CONFIG', 'GET', 'activedefrag')).toEqual({ map: [['activedefrag', 'no']] });
  });
});

describe('persistence and replication commands', () => {
  it('DEBUG LOADAOF reloads the dataset (no AOF) and BGREWRITEAOF answers as Redis', async () => {
    const s = session();
    await s.run('SET', 'k', 'v');
    await s.run('PEXPIRE', 'k', '100000');
    expect(await s.run('BGREWRITEAOF')).toBe('+Background append only file rewriting started');
    expect(await s.run('DEBUG', 'LOADAOF')).toBe('+OK');
    expect(await s.run('GET', 'k')).toBe('v');
    expect(await s.run('PTTL', 'k')).toBe(100000);
  });

  it('SYNC sends the dataset as a checksummed RDB bulk without a trailing CRLF', async () => {
    const s = session();
    await s.run('SET', 'greeting', 'hello');
    const r = await s.raw('SYNC');
    expect(r).toBeInstanceOf(RawReply);
    const bytes = (r as RawReply).bytes;
    const nl = bytes.indexOf('\r\n');
    const len = Number(bytes.subarray(1, nl).toString());
    const image = bytes.subarray(nl + 2);
    expect(bytes[0]).toBe(0x24);
    expect(image.length).toBe(len);
    expect(image.subarray(0, 9).toString()).toBe('REDIS0010');
    expect(image.includes(Buffer.from('greeting'))).toBe(true);
    expect(crc64(image.subarray(0, len - 8)).equals(image.subarray(len - 8))).toBe(true);
    // The SYNC client is now a replica; PSYNC comes from a new one.
    const other = s.t.client({ addr: '127.0.0.1:50009' });
    const p = plain(await s.t.run(other, 'PSYNC', '?', '-1'));
    expect(p).toMatchObject({
      other: { replies: [{ value: expect.stringMatching(/^FULLRESYNC \w+ 0$/) }, {}] },
    });
  });

  it('REPLICAOF NO ONE is accepted; following a master makes a read-only replica', async () => {
    const s = session();
    expect(await s.run('REPLICAOF', 'NO', 'ONE')).toBe('+OK');
    expect(await s.run('SLAVEOF', 'no', 'one')).toBe('+OK');
    expect(await s.run('REPLICAOF', 'localhost', 'port')).toBe('-ERR Invalid master port');
    expect(await s.run('REPLICAOF', 'localhost', '6379')).toBe('+OK');
    expect(await s.run('SET', 'k', 'v')).toBe("-READONLY You can't write against a read only replica.");
    expect(await s.run('SLAVEOF', 'no', 'one')).toBe('+OK');
    expect(await s.run('SET', 'k', 'v')).toBe('+OK');
  });

  it('min-replicas-to-write refuses writes (Cairn has no replica), and an EXEC holding one', async () => {
    const s = session();
    await s.run('MULTI');
    await s.run('INCR', 'x');
    expect(await s.run('CONFIG', 'SET', 'min-replicas-to-write', '1')).toBe('+QUEUED');
    await s.run('DISCARD');
    await s.run('CONFIG', 'SET', 'min-replicas-to-write', '1');
    expect(await s.run('SET', 'x', '1')).toBe('-NOREPLICAS Not enough good replicas to write.');
    expect(await s.run('GET', 'x')).toBeNull();
    const other = s.t.client();
    await s.run('MULTI');
    await s.run('GET', 'x');
    expect(await s.run('EXEC')).toEqual([null]);
    await s.t.run(other, 'CONFIG', 'SET', 'min-replicas-to-write', '0');
    await s.run('MULTI');
    await s.run('INCR', 'x');
    await s.t.run(other, 'CONFIG', 'SET', 'min-replicas-to-write', '2');
    expect(await s.run('EXEC')).toBe(
      '-EXECABORT Transaction discarded because of: NOREPLICAS Not enough good replicas to write.',
    );
    await s.t.run(other, 'CONFIG', 'SET', 'min-replicas-to-write', '0');
    expect(await s.run('GET', 'x')).toBeNull();
    expect(await s.run('INCR', 'x')).toBe(1);
  });
});

describe('transactions as Redis refuses them', () => {
  it('out of memory: queuing fails the transaction; EXEC with a memory-using command aborts', async () => {
    const s = session();
    const other = s.t.client();
    await s.run('SET', 'pad', 'x'.repeat(100));
    await s.run('MULTI');
    await s.run('SET', 'a', '1');
    await s.t.run(other, 'CONFIG', 'SET', 'maxmemory', '1');
    expect(await s.run('GET', 'a')).toMatch(/^-OOM /);
    expect(await s.run('DISCARD')).toBe('+OK');
    await s.t.run(other, 'CONFIG', 'SET', 'maxmemory', '0');
    await s.run('MULTI');
    await s.run('SET', 'a', '1');
    await s.t.run(other, 'CONFIG', 'SET', 'maxmemory', '1');
    expect(await s.run('EXEC')).toMatch(/^-EXECABORT Transaction discarded because of: OOM /);
    await s.t.run(other, 'CONFIG', 'SET', 'maxmemory', '0');
    expect(await s.run('EXISTS', 'a')).toBe(0);
    await s.run('MULTI');
    await s.run('SET', 'a', '1');
    expect(await s.run('EXEC')).toEqual(['+OK']);
  });

  it('a key already expired when watched is logically absent: its deletion fails no EXEC', async () => {
    const s = session();
    const clock = s.t.clock;
    await s.run('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await s.run('SET', 'x', 'foo', 'PX', '1');
    clock.advance(2);
    await s.run('WATCH', 'x');
    expect(await s.run('EXISTS', 'x')).toBe(0);
    await s.run('MULTI');
    await s.run('PING');
    expect(await s.run('EXEC')).toEqual(['+PONG']);
    // Written again after the watch: that is a change.
    await s.run('SET', 'x', 'foo', 'PX', '1');
    clock.advance(2);
    await s.run('WATCH', 'x');
    await s.run('SET', 'x', 'new');
    await s.run('MULTI');
    await s.run('PING');
    expect(await s.run('EXEC')).toEqual({ other: NULL_ARRAY });
  });
});

describe('INFO lazyfreed_objects', () => {
  it('counts what Redis frees in the background: big values by UNLINK, every key of FLUSHDB ASYNC', async () => {
    const s = session();
    const lazyfreed = async () => {
      const r = await s.raw('INFO', 'memory');
      const info = r instanceof VerbatimReply ? r.text : String(r);
      return Number(/lazyfreed_objects:(\d+)/.exec(info)?.[1]);
    };
    const members = Array.from({ length: 600 }, (_, i) => `m${i}`);
    await s.run('SADD', 'big', ...members);
    await s.run('SADD', 'small', 'a', 'b');
    expect(await s.run('UNLINK', 'big', 'small', 'missing')).toBe(2);
    expect(await lazyfreed()).toBe(1);
    await s.run('SET', 'a', '1');
    await s.run('SET', 'b', '2');
    await s.run('FLUSHDB', 'ASYNC');
    expect(await lazyfreed()).toBe(3);
    await s.run('CONFIG', 'RESETSTAT');
    expect(await lazyfreed()).toBe(0);
  });
});
