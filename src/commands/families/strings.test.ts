import { describe, expect, it } from 'vitest';
import { session } from './test-helpers.js';

const NOW = 1_700_000_000_000;

describe('GET / SET', () => {
  it('stores and returns binary-safe values', async () => {
    const s = session();
    const v = Buffer.from([0, 255, 13, 10, 1]);
    expect(await s.run('SET', 'k', v)).toBe('+OK');
    expect(await s.raw('GET', 'k')).toEqual(v);
    expect(await s.run('GET', 'missing')).toBeNull();
  });

  it('counts keyspace hits and misses for reads only', async () => {
    const s = session();
    await s.run('SET', 'k', 'v');
    await s.run('GET', 'k');
    await s.run('GET', 'nope');
    await s.run('MGET', 'k', 'nope', 'k');
    await s.run('INCR', 'counter');
    expect(s.t.server.stats.keyspaceHits).toBe(3);
    expect(s.t.server.stats.keyspaceMisses).toBe(2);
  });

  it('NX / XX decide whether to write, and GET answers the old value either way', async () => {
    const s = session();
    expect(await s.run('SET', 'k', 'a', 'XX')).toBeNull();
    expect(await s.run('SET', 'k', 'a', 'NX')).toBe('+OK');
    expect(await s.run('SET', 'k', 'b', 'NX')).toBeNull();
    expect(await s.run('SET', 'k', 'c', 'NX', 'GET')).toBe('a');
    expect(await s.run('SET', 'k', 'd', 'XX', 'GET')).toBe('a');
    expect(await s.run('SET', 'k2', 'x', 'GET')).toBeNull();
    expect(await s.run('MGET', 'k', 'k2')).toEqual(['d', 'x']);
  });

  it('EX / PX / EXAT / PXAT set the expiry; a later SET drops it, KEEPTTL keeps it', async () => {
    const s = session();
    await s.run('SET', 'k', 'v', 'EX', '100');
    expect(await s.run('PTTL', 'k')).toBe(100_000);
    await s.run('SET', 'k', 'v', 'PX', '1500');
    expect(await s.run('PTTL', 'k')).toBe(1500);
    await s.run('SET', 'k', 'v', 'EXAT', String(NOW / 1000 + 50));
    expect(await s.run('PEXPIRETIME', 'k')).toBe(NOW + 50_000);
    await s.run('SET', 'k', 'v', 'PXAT', String(NOW + 1234));
    expect(await s.run('PEXPIRETIME', 'k')).toBe(NOW + 1234);
    await s.run('SET', 'k', 'w', 'KEEPTTL');
    expect(await s.run('PEXPIRETIME', 'k')).toBe(NOW + 1234);
    await s.run('SET', 'k', 'x');
    expect(await s.run('TTL', 'k')).toBe(-1);
  });

  it('expires keys when the clock passes their time', async () => {
    const s = session();
    await s.run('SET', 'k', 'v', 'PX', '100');
    s.t.clock.advance(99);
    expect(await s.run('GET', 'k')).toBe('v');
    s.t.clock.advance(1);
    expect(await s.run('GET', 'k')).toBeNull();
    expect(await s.run('DBSIZE')).toBe(0);
  });

  it('an EXAT/PXAT already past stores nothing that can be seen', async () => {
    const s = session();
    await s.run('SET', 'k', 'old');
    expect(await s.run('SET', 'k', 'v', 'PXAT', String(NOW - 1), 'GET')).toBe('old');
    expect(await s.run('EXISTS', 'k')).toBe(0);
    expect(await s.run('DBSIZE')).toBe(0);
  });

  it('refuses bad option combinations and expiry values with Redis words', async () => {
    const s = session();
    const syntax = '-ERR syntax error';
    expect(await s.run('SET', 'k', 'v', 'NX', 'XX')).toBe(syntax);
    expect(await s.run('SET', 'k', 'v', 'EX', '10', 'PX', '10')).toBe(syntax);
    expect(await s.run('SET', 'k', 'v', 'KEEPTTL', 'EX', '10')).toBe(syntax);
    expect(await s.run('SET', 'k', 'v', 'EX')).toBe(syntax);
    expect(await s.run('SET', 'k', 'v', 'PERSIST')).toBe(syntax);
    expect(await s.run('SET', 'k', 'v', 'EX', 'abc', 'NX', 'XX')).toBe(syntax);
    expect(await s.run('SET', 'k', 'v', 'EX', 'abc')).toBe('-ERR value is not an integer or out of range');
    expect(await s.run('SET', 'k', 'v', 'EX', '0')).toBe("-ERR invalid expire time in 'set' command");
    expect(await s.run('SET', 'k', 'v', 'EX', '9223372036854775')).toBe(
      "-ERR invalid expire time in 'set' command",
    );
    expect(await s.run('SET', 'k', 'v', 'PX', '9223372036854775807')).toBe(
      "-ERR invalid expire time in 'set' command",
    );
    expect(await s.run('SET', 'k', 'v', 'EX', '10', 'EX', '20')).toBe('+OK');
    expect(await s.run('TTL', 'k')).toBe(20);
    // Options compare as C strings: bytes after a NUL are not seen.
    expect(await s.run('SET', 'k', 'v', Buffer.from('nx\0junk'))).toBeNull();
    expect(await s.run('SET', 'k')).toBe("-ERR wrong number of arguments for 'set' command");
  });

  it('keeps expiry times past 2^53 ms as the latest time the engine holds', async () => {
    const s = session();
    await s.run('SET', 'k', 'v', 'PXAT', '9223372036854775807');
    expect(await s.run('PEXPIRETIME', 'k')).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('SETNX / SETEX / PSETEX / GETSET / GETDEL', () => {
  it('SETNX answers 1 or 0', async () => {
    const s = session();
    expect(await s.run('SETNX', 'k', 'a')).toBe(1);
    expect(await s.run('SETNX', 'k', 'b')).toBe(0);
    expect(await s.run('GET', 'k')).toBe('a');
  });

  it('SETEX and PSETEX name themselves in expiry errors', async () => {
    const s = session();
    expect(await s.run('SETEX', 'k', '10', 'v')).toBe('+OK');
    expect(await s.run('TTL', 'k')).toBe(10);
    expect(await s.run('PSETEX', 'k', '250', 'v')).toBe('+OK');
    expect(await s.run('PTTL', 'k')).toBe(250);
    expect(await s.run('SETEX', 'k', '0', 'v')).toBe("-ERR invalid expire time in 'setex' command");
    expect(await s.run('PSETEX', 'k', '-5', 'v')).toBe("-ERR invalid expire time in 'psetex' command");
    expect(await s.run('SETEX', 'k', 'x', 'v')).toBe('-ERR value is not an integer or out of range');
  });

  it('GETSET answers the old value and drops the expiry', async () => {
    const s = session();
    expect(await s.run('GETSET', 'k', 'a')).toBeNull();
    await s.run('EXPIRE', 'k', '100');
    expect(await s.run('GETSET', 'k', 'b')).toBe('a');
    expect(await s.run('TTL', 'k')).toBe(-1);
  });

  it('GETDEL answers the value and removes the key', async () => {
    const s = session();
    await s.run('SET', 'k', 'v');
    expect(await s.run('GETDEL', 'k')).toBe('v');
    expect(await s.run('GETDEL', 'k')).toBeNull();
    expect(await s.run('EXISTS', 'k')).toBe(0);
  });
});

describe('GETEX', () => {
  it('changes or removes the expiry while reading', async () => {
    const s = session();
    await s.run('SET', 'k', 'v');
    expect(await s.run('GETEX', 'k', 'EX', '30')).toBe('v');
    expect(await s.run('TTL', 'k')).toBe(30);
    expect(await s.run('GETEX', 'k')).toBe('v');
    expect(await s.run('TTL', 'k')).toBe(30);
    expect(await s.run('GETEX', 'k', 'PERSIST')).toBe('v');
    expect(await s.run('TTL', 'k')).toBe(-1);
    expect(await s.run('GETEX', 'k', 'PXAT', String(NOW + 500))).toBe('v');
    expect(await s.run('PTTL', 'k')).toBe(500);
  });

  it('deletes the key when EXAT/PXAT is already past', async () => {
    const s = session();
    await s.run('SET', 'k', 'v');
    expect(await s.run('GETEX', 'k', 'EXAT', '1')).toBe('v');
    expect(await s.run('EXISTS', 'k')).toBe(0);
  });

  it('looks the key up before checking the expiry value, as Redis does', async () => {
    const s = session();
    expect(await s.run('GETEX', 'missing', 'EX', '0')).toBeNull();
    await s.run('SET', 'k', 'v');
    expect(await s.run('GETEX', 'k', 'EX', '0')).toBe("-ERR invalid expire time in 'getex' command");
    expect(await s.run('GETEX', 'k', 'EX', '10', 'PERSIST')).toBe('-ERR syntax error');
    expect(await s.run('GETEX', 'k', 'NX')).toBe('-ERR syntax error');
    expect(await s.run('GETEX', 'k', 'EX', '10', 'EX', '20')).toBe('v');
    expect(await s.run('TTL', 'k')).toBe(20);
  });
});

describe('MGET / MSET / MSETNX', () => {
  it('MSET writes all pairs and clears their expiry', async () => {
    const s = session();
    await s.run('SET', 'a', 'old', 'EX', '10');
    expect(await s.run('MSET', 'a', '1', 'b', '2')).toBe('+OK');
    expect(await s.run('MGET', 'a', 'b', 'c')).toEqual(['1', '2', null]);
    expect(await s.run('TTL', 'a')).toBe(-1);
  });

  it('MSETNX writes nothing when any key exists', async () => {
    const s = session();
    await s.run('SET', 'b', 'x');
    expect(await s.run('MSETNX', 'a', '1', 'b', '2')).toBe(0);
    expect(await s.run('EXISTS', 'a')).toBe(0);
    expect(await s.run('MSETNX', 'a', '1', 'c', '2')).toBe(1);
    expect(await s.run('MGET', 'a', 'c')).toEqual(['1', '2']);
  });

  it('an odd argument count is a wrong-arity error naming the command', async () => {
    const s = session();
    expect(await s.run('MSET', 'a', '1', 'b')).toBe("-ERR wrong number of arguments for 'mset' command");
    expect(await s.run('MSETNX', 'a', '1', 'b')).toBe("-ERR wrong number of arguments for 'msetnx' command");
  });
});
