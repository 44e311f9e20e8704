import { describe, expect, it } from 'vitest';
import { session } from './test-helpers.js';

const NOW = 1_700_000_000_000;

describe('DEL / UNLINK / EXISTS / TYPE / TOUCH', () => {
  it('count keys, a key named twice counting twice for EXISTS', async () => {
    const s = session();
    await s.run('MSET', 'a', '1', 'b', '2');
    expect(await s.run('EXISTS', 'a', 'a', 'c')).toBe(2);
    expect(await s.run('TOUCH', 'a', 'b', 'c')).toBe(2);
    expect(await s.run('TYPE', 'a')).toBe('+string');
    expect(await s.run('TYPE', 'c')).toBe('+none');
    expect(await s.run('DEL', 'a', 'a', 'c')).toBe(1);
    expect(await s.run('UNLINK', 'b')).toBe(1);
    expect(await s.run('DBSIZE')).toBe(0);
  });

  it('TOUCH resets the idle time; EXISTS and TYPE do not', async () => {
    const s = session();
    await s.run('SET', 'a', '1');
    s.t.clock.advance(5000);
    await s.run('EXISTS', 'a');
    await s.run('TYPE', 'a');
    expect(await s.run('OBJECT', 'IDLETIME', 'a')).toBe(5);
    await s.run('TOUCH', 'a');
    expect(await s.run('OBJECT', 'IDLETIME', 'a')).toBe(0);
  });

  it('count hits and misses for EXISTS, TYPE and TOUCH', async () => {
    const s = session();
    await s.run('SET', 'a', '1');
    await s.run('EXISTS', 'a', 'zz');
    await s.run('TYPE', 'zz');
    await s.run('TOUCH', 'a');
    expect([s.t.server.stats.keyspaceHits, s.t.server.stats.keyspaceMisses]).toEqual([2, 2]);
  });
});

describe('RENAME / RENAMENX', () => {
  it('moves the value and its expiry', async () => {
    const s = session();
    await s.run('SET', 'a', 'v', 'PXAT', String(NOW + 9000));
    await s.run('SET', 'b', 'old', 'EX', '5');
    expect(await s.run('RENAME', 'a', 'b')).toBe('+OK');
    expect(await s.run('GET', 'b')).toBe('v');
    expect(await s.run('PEXPIRETIME', 'b')).toBe(NOW + 9000);
    expect(await s.run('EXISTS', 'a')).toBe(0);
    await s.run('SET', 'c', 'plain');
    await s.run('RENAME', 'c', 'b');
    expect(await s.run('TTL', 'b')).toBe(-1);
  });

  it('follows Redis on missing and identical keys', async () => {
    const s = session();
    expect(await s.run('RENAME', 'x', 'x')).toBe('-ERR no such key');
    expect(await s.run('RENAMENX', 'x', 'y')).toBe('-ERR no such key');
    await s.run('MSET', 'a', '1', 'b', '2');
    expect(await s.run('RENAME', 'a', 'a')).toBe('+OK');
    expect(await s.run('RENAMENX', 'a', 'a')).toBe(0);
    expect(await s.run('RENAMENX', 'a', 'b')).toBe(0);
    expect(await s.run('RENAMENX', 'a', 'c')).toBe(1);
    expect(await s.run('MGET', 'a', 'b', 'c')).toEqual([null, '2', '1']);
  });
});

describe('COPY / MOVE', () => {
  it('COPY copies value and expiry, to another database with DB, over a key with REPLACE', async () => {
    const s = session();
    await s.run('SET', 'a', 'v', 'EX', '100');
    expect(await s.run('COPY', 'a', 'b')).toBe(1);
    expect(await s.run('TTL', 'b')).toBe(100);
    expect(await s.run('COPY', 'a', 'b')).toBe(0);
    await s.run('SET', 'a', 'w');
    expect(await s.run('COPY', 'a', 'b', 'REPLACE')).toBe(1);
    expect(await s.run('GET', 'b')).toBe('w');
    expect(await s.run('COPY', 'a', 'a', 'DB', '1')).toBe(1);
    await s.run('SELECT', '1');
    expect(await s.run('GET', 'a')).toBe('w');
  });

  it('COPY checks its options in Redis order', async () => {
    const s = session();
    expect(await s.run('COPY', 'a', 'a')).toBe('-ERR source and destination objects are the same');
    expect(await s.run('COPY', 'a', 'b')).toBe(0);
    expect(await s.run('COPY', 'a', 'b', 'DB', '16')).toBe('-ERR DB index is out of range');
    expect(await s.run('COPY', 'a', 'b', 'DB', 'x')).toBe('-ERR value is not an integer or out of range');
    expect(await s.run('COPY', 'a', 'b', 'DB', '2147483648')).toBe(
      '-ERR value is out of range, value must between -2147483648 and 2147483647',
    );
    expect(await s.run('COPY', 'a', 'b', 'DB')).toBe('-ERR syntax error');
  });

  it('MOVE moves a key to another database unless it exists there', async () => {
    const s = session();
    await s.run('SET', 'a', 'v', 'EX', '100');
    expect(await s.run('MOVE', 'a', '0')).toBe('-ERR source and destination objects are the same');
    expect(await s.run('MOVE', 'a', '16')).toBe('-ERR DB index is out of range');
    expect(await s.run('MOVE', 'a', '1')).toBe(1);
    expect(await s.run('EXISTS', 'a')).toBe(0);
    expect(await s.run('MOVE', 'a', '1')).toBe(0);
    await s.run('SELECT', '1');
    expect(await s.run('TTL', 'a')).toBe(100);
    await s.run('SET', 'b', 'x');
    await s.run('SELECT', '0');
    await s.run('SET', 'b', 'y');
    expect(await s.run('MOVE', 'b', '1')).toBe(0);
  });
});

describe('DBSIZE / FLUSHDB / FLUSHALL / SWAPDB / RANDOMKEY', () => {
  it('flushes one database or all, with SYNC / ASYNC accepted', async () => {
    const s = session();
    await s.run('SET', 'a', '1');
    await s.run('SELECT', '1');
    await s.run('MSET', 'b', '1', 'c', '2');
    expect(await s.run('DBSIZE')).toBe(2);
    expect(await s.run('FLUSHDB', 'ASYNC')).toBe('+OK');
    expect(await s.run('DBSIZE')).toBe(0);
    expect(await s.run('FLUSHDB', 'now')).toBe('-ERR syntax error');
    await s.run('SELECT', '0');
    expect(await s.run('DBSIZE')).toBe(1);
    expect(await s.run('FLUSHALL', 'SYNC')).toBe('+OK');
    expect(await s.run('DBSIZE')).toBe(0);
  });

  it('SWAPDB exchanges two databases', async () => {
    const s = session();
    await s.run('SET', 'a', '1');
    expect(await s.run('SWAPDB', '0', '2')).toBe('+OK');
    expect(await s.run('EXISTS', 'a')).toBe(0);
    await s.run('SELECT', '2');
    expect(await s.run('GET', 'a')).toBe('1');
    expect(await s.run('SWAPDB', '0', '0')).toBe('+OK');
    expect(await s.run('SWAPDB', 'x', '0')).toBe('-ERR invalid first DB index');
    expect(await s.run('SWAPDB', '0', 'x')).toBe('-ERR invalid second DB index');
    expect(await s.run('SWAPDB', '0', '16')).toBe('-ERR DB index is out of range');
  });

  it('RANDOMKEY answers a key, or null when the database is empty', async () => {
    const s = session();
    expect(await s.run('RANDOMKEY')).toBeNull();
    await s.run('MSET', 'a', '1', 'b', '2');
    expect(['a', 'b']).toContain(await s.run('RANDOMKEY'));
  });
});
