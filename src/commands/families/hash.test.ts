import { describe, expect, it } from 'vitest';
import { session } from './test-helpers.js';

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

describe('HSET / HGET and the read commands', () => {
  it('stores fields binary-safe and reads them back in insertion order', async () => {
    const s = session();
    const bin = Buffer.from([0, 255, 13, 10]);
    expect(await s.run('HSET', 'h', 'a', '1', 'b', '2')).toBe(2);
    expect(await s.run('HSET', 'h', 'a', '10', bin, bin)).toBe(1);
    expect(await s.raw('HGET', 'h', bin)).toEqual(bin);
    expect(await s.run('HGET', 'h', 'a')).toBe('10');
    expect(await s.run('HGET', 'h', 'nope')).toBeNull();
    expect(await s.run('HGET', 'nokey', 'a')).toBeNull();
    expect(await s.run('HMGET', 'h', 'b', 'x', 'a')).toEqual(['2', null, '10']);
    expect(await s.run('HMGET', 'nokey', 'a', 'b')).toEqual([null, null]);
    expect(await s.run('HKEYS', 'h')).toEqual(['a', 'b', bin.toString()]);
    expect(await s.run('HVALS', 'h')).toEqual(['10', '2', bin.toString()]);
    expect(await s.run('HGETALL', 'h')).toEqual({
      map: [
        ['a', '10'],
        ['b', '2'],
        [bin.toString(), bin.toString()],
      ],
    });
    expect(await s.run('HGETALL', 'nokey')).toEqual({ map: [] });
    expect(await s.run('HKEYS', 'nokey')).toEqual([]);
    expect(await s.run('HLEN', 'h')).toBe(3);
    expect(await s.run('HLEN', 'nokey')).toBe(0);
    expect(await s.run('HEXISTS', 'h', 'a')).toBe(1);
    expect(await s.run('HEXISTS', 'h', 'x')).toBe(0);
    expect(await s.run('HSTRLEN', 'h', 'a')).toBe(2);
    expect(await s.run('HSTRLEN', 'h', 'x')).toBe(0);
    expect(await s.run('HSTRLEN', 'nokey', 'x')).toBe(0);
  });

  it('checks field/value pairs before the key, with the command name in the error', async () => {
    const s = session();
    await s.run('SET', 'str', 'x');
    expect(await s.run('HSET', 'str', 'a', '1', 'b')).toBe(
      "-ERR wrong number of arguments for 'hset' command",
    );
    expect(await s.run('HMSET', 'h', 'a', '1', 'b')).toBe(
      "-ERR wrong number of arguments for 'hmset' command",
    );
    expect(await s.run('HSET', 'h', 'a')).toBe("-ERR wrong number of arguments for 'hset' command");
    expect(await s.run('HMSET', 'h', 'a', '1', 'b', '2')).toBe('+OK');
    expect(await s.run('EXISTS', 'h')).toBe(1);
  });

  it('answers WRONGTYPE for another type', async () => {
    const s = session();
    await s.run('SET', 'str', 'x');
    for (const cmd of [
      ['HSET', 'str', 'a', '1'],
      ['HSETNX', 'str', 'a', '1'],
      ['HGET', 'str', 'a'],
      ['HMGET', 'str', 'a'],
      ['HGETALL', 'str'],
      ['HDEL', 'str', 'a'],
      ['HLEN', 'str'],
      ['HEXISTS', 'str', 'a'],
      ['HKEYS', 'str'],
      ['HVALS', 'str'],
      ['HSTRLEN', 'str', 'a'],
      ['HINCRBY', 'str', 'a', '1'],
      ['HINCRBYFLOAT', 'str', 'a', '1'],
      ['HRANDFIELD', 'str'],
      ['HRANDFIELD', 'str', '2'],
      ['HSCAN', 'str', '0'],
    ])
      expect(await s.run(...cmd), cmd.join(' ')).toBe(WRONGTYPE);
  });

  it('HSETNX writes only a new field', async () => {
    const s = session();
    expect(await s.run('HSETNX', 'h', 'a', '1')).toBe(1);
    expect(await s.run('HSETNX', 'h', 'a', '2')).toBe(0);
    expect(await s.run('HSETNX', 'h', 'b', '3')).toBe(1);
    expect(await s.run('HGETALL', 'h')).toEqual({
      map: [
        ['a', '1'],
        ['b', '3'],
      ],
    });
  });

  it('HDEL deletes the key with its last field and signals only real changes', async () => {
    const s = session();
    await s.run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    const dirty = s.t.server.dirty;
    expect(await s.run('HDEL', 'h', 'x', 'y')).toBe(0);
    expect(s.t.server.dirty).toBe(dirty);
    expect(await s.run('HDEL', 'h', 'a', 'a', 'c', 'f')).toBe(2);
    expect(await s.run('HGETALL', 'h')).toEqual({ map: [['b', '2']] });
    expect(await s.run('HDEL', 'h', 'b', 'z')).toBe(1);
    expect(await s.run('EXISTS', 'h')).toBe(0);
    expect(await s.run('HDEL', 'h', 'b')).toBe(0);
  });

  it('counts keyspace hits and misses for reads, not for writes', async () => {
    const s = session();
    await s.run('HSET', 'h', 'a', '1');
    await s.run('HGET', 'h', 'a');
    await s.run('HGET', 'nokey', 'a');
    await s.run('HSET', 'h', 'b', '1');
    await s.run('HDEL', 'nokey', 'b');
    expect(s.t.server.stats.keyspaceHits).toBe(1);
    expect(s.t.server.stats.keyspaceMisses).toBe(1);
  });

  it('replies HGETALL as a RESP3 map and a flat RESP2 array (MapReply)', async () => {
    const s = session();
    await s.run('HSET', 'h', 'f', 'v');
    const r = await s.raw('HGETALL', 'h');
    expect(r?.constructor.name).toBe('MapReply');
  });
});

describe('hash encodings', () => {
  it('converts to hashtable past the entry count and on a long field or value, one way', async () => {
    const s = session({ config: { 'hash-max-listpack-entries': '4', 'hash-max-listpack-value': '8' } });
    await s.run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    expect(await s.run('OBJECT', 'ENCODING', 'h')).toBe('listpack');
    await s.run('HSET', 'h', 'e', '5');
    expect(await s.run('OBJECT', 'ENCODING', 'h')).toBe('hashtable');
    await s.run('HDEL', 'h', 'a', 'b', 'c');
    expect(await s.run('OBJECT', 'ENCODING', 'h')).toBe('hashtable');
    await s.run('HSET', 'v', 'f', '123456789');
    expect(await s.run('OBJECT', 'ENCODING', 'v')).toBe('hashtable');
    await s.run('HSETNX', 'w', '123456789', 'x');
    expect(await s.run('OBJECT', 'ENCODING', 'w')).toBe('hashtable');
    await s.run('HMSET', 'm', 'f', 'short', 'g', 'x'.repeat(9));
    expect(await s.run('OBJECT', 'ENCODING', 'm')).toBe('hashtable');
    // An existing field rewritten by HSETNX is no write, so no conversion either.
    await s.run('HSET', 'n', 'f', 'x');
    await s.run('HSETNX', 'n', 'f', 'x'.repeat(20));
    expect(await s.run('OBJECT', 'ENCODING', 'n')).toBe('listpack');
  });

  it('HINCRBY / HINCRBYFLOAT convert by the length of what they write, as hashTypeSet does', async () => {
    const s = session({ config: { 'hash-max-listpack-value': '8' } });
    await s.run('HINCRBY', 'h', 'n', '1');
    expect(await s.run('OBJECT', 'ENCODING', 'h')).toBe('listpack');
    await s.run('HINCRBY', 'h', 'a-long-field-name', '1');
    expect(await s.run('OBJECT', 'ENCODING', 'h')).toBe('hashtable');
    await s.run('HINCRBYFLOAT', 'g', 'f', '0.5');
    expect(await s.run('OBJECT', 'ENCODING', 'g')).toBe('listpack');
    await s.run('HINCRBYFLOAT', 'g', 'f', '0.1234567891234');
    expect(await s.run('OBJECT', 'ENCODING', 'g')).toBe('hashtable');
  });

  it('a lower limit converts only on a write that brings a long value; COPY keeps the encoding', async () => {
    const s = session();
    await s.run('HSET', 'h', 'f', '12345678901234567890');
    await s.run('CONFIG', 'SET', 'hash-max-listpack-value', '8');
    expect(await s.run('COPY', 'h', 'h2')).toBe(1);
    expect(await s.run('OBJECT', 'ENCODING', 'h2')).toBe('listpack');
    await s.run('HSET', 'h', 'g', '1');
    expect(await s.run('OBJECT', 'ENCODING', 'h')).toBe('listpack');
    await s.run('HSET', 'h', 'g', '123456789');
    expect(await s.run('OBJECT', 'ENCODING', 'h')).toBe('hashtable');
  });
});

describe('HINCRBY / HINCRBYFLOAT', () => {
  it('adds to integers with Redis errors and overflow checks', async () => {
    const s = session();
    expect(await s.run('HINCRBY', 'h', 'n', '5')).toBe(5);
    expect(await s.run('HINCRBY', 'h', 'n', '-7')).toBe(-2);
    expect(await s.run('HGET', 'h', 'n')).toBe('-2');
    expect(await s.run('HINCRBY', 'h', 'n', 'x')).toBe('-ERR value is not an integer or out of range');
    await s.run('HSET', 'h', 's', ' 11', 't', '1.5');
    expect(await s.run('HINCRBY', 'h', 's', '1')).toBe('-ERR hash value is not an integer');
    expect(await s.run('HINCRBY', 'h', 't', '1')).toBe('-ERR hash value is not an integer');
    await s.run('HSET', 'h', 'big', '9223372036854775806');
    expect(await s.run('HINCRBY', 'h', 'big', '1')).toBe(9223372036854775807n);
    expect(await s.run('HINCRBY', 'h', 'big', '1')).toBe('-ERR increment or decrement would overflow');
    await s.run('HSET', 'h', 'neg', '-9223372036854775484');
    expect(await s.run('HINCRBY', 'h', 'neg', '-1')).toBe(-9223372036854775485n);
    expect(await s.run('HINCRBY', 'h', 'neg', '-10000')).toBe('-ERR increment or decrement would overflow');
    expect(await s.run('HINCRBY', 'h', 'neg', '9223372036854775807')).toBe(322);
  });

  it('adds floats as 80-bit long doubles, printed as INCRBYFLOAT prints them', async () => {
    const s = session();
    expect(await s.run('HINCRBYFLOAT', 'h', 'f', '10.5')).toBe('10.5');
    expect(await s.run('HINCRBYFLOAT', 'h', 'f', '0.1')).toBe('10.6');
    expect(await s.run('HGET', 'h', 'f')).toBe('10.6');
    await s.run('HSET', 'h', 'e', '5.0e3');
    expect(await s.run('HINCRBYFLOAT', 'h', 'e', '2.0e2')).toBe('5200');
    await s.run('HSET', 'h', 'i', '17179869184');
    expect(await s.run('HINCRBYFLOAT', 'h', 'i', '17179869184')).toBe('34359738368');
    await s.run('HSET', 'h', 'max', '9223372036854775806');
    expect(await s.run('HINCRBYFLOAT', 'h', 'max', '1.5')).toBe('9223372036854775807.5');
    expect(await s.run('HINCRBYFLOAT', 'h', 'max', '1')).toBe('9223372036854775808');
  });

  it('refuses bad floats, NaN and infinity with Redis words', async () => {
    const s = session();
    await s.run('HSET', 'h', 's', ' 11', 'inf', 'inf', 'big', '1e4932');
    expect(await s.run('HINCRBYFLOAT', 'h', 'f', 'abc')).toBe('-ERR value is not a valid float');
    expect(await s.run('HINCRBYFLOAT', 'h', 'f', 'inf')).toBe('-ERR value is NaN or Infinity');
    expect(await s.run('HINCRBYFLOAT', 'h', 'f', 'nan')).toBe('-ERR value is not a valid float');
    expect(await s.run('HINCRBYFLOAT', 'h', 's', '1')).toBe('-ERR hash value is not a float');
    expect(await s.run('HINCRBYFLOAT', 'h', 'inf', '1')).toBe('-ERR increment would produce NaN or Infinity');
    expect(await s.run('HINCRBYFLOAT', 'h', 'big', '1e4932')).toBe(
      '-ERR increment would produce NaN or Infinity',
    );
    expect(await s.run('HINCRBYFLOAT', 'nokey', 'f', 'x')).toBe('-ERR value is not a valid float');
    expect(await s.run('EXISTS', 'nokey')).toBe(0);
  });
});
