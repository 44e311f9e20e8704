import { describe, expect, it } from 'vitest';
import { type Reply, SetReply } from '../reply.js';
import { plain, session } from './test-helpers.js';

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

/** A SetReply's items as strings (plain() leaves RESP3 sets opaque). */
function items(r: Reply): unknown {
  return r instanceof SetReply ? r.items.map(plain) : plain(r);
}

describe('SADD / SREM / membership', () => {
  it('adds and removes members, deleting the key with its last member', async () => {
    const s = session();
    const bin = Buffer.from([0, 255, 10]);
    expect(await s.run('SADD', 's', 'a', 'b', 'a', bin)).toBe(3);
    expect(await s.run('SADD', 's', 'a', 'c')).toBe(1);
    expect(await s.run('SCARD', 's')).toBe(4);
    expect(await s.run('SISMEMBER', 's', bin)).toBe(1);
    expect(await s.run('SISMEMBER', 's', 'x')).toBe(0);
    expect(await s.run('SISMEMBER', 'nokey', 'x')).toBe(0);
    expect(await s.run('SMISMEMBER', 's', 'a', 'x', 'c')).toEqual([1, 0, 1]);
    expect(await s.run('SMISMEMBER', 'nokey', 'a', 'b')).toEqual([0, 0]);
    expect(await s.run('SCARD', 'nokey')).toBe(0);
    expect(await s.run('SREM', 's', 'a', 'x', 'a')).toBe(1);
    expect(await s.run('SREM', 's', 'b', 'c', bin, 'zz')).toBe(3);
    expect(await s.run('EXISTS', 's')).toBe(0);
    expect(await s.run('SREM', 's', 'a')).toBe(0);
  });

  it('lists an intset in numeric order and replies SMEMBERS as a set', async () => {
    const s = session();
    await s.run('SADD', 's', '10', '-3', '7', '9223372036854775807', '-9223372036854775808');
    const r = await s.raw('SMEMBERS', 's');
    expect(r).toBeInstanceOf(SetReply);
    expect(items(r)).toEqual(['-9223372036854775808', '-3', '7', '10', '9223372036854775807']);
    expect(items(await s.raw('SMEMBERS', 'nokey'))).toEqual([]);
  });

  it('signals a change only when a member was added or removed', async () => {
    const s = session();
    await s.run('SADD', 's', 'a');
    const dirty = s.t.server.dirty;
    await s.run('SADD', 's', 'a');
    await s.run('SREM', 's', 'zz');
    await s.run('SREM', 'nokey', 'zz');
    expect(s.t.server.dirty).toBe(dirty);
  });

  it('answers WRONGTYPE for another type', async () => {
    const s = session();
    await s.run('SET', 'str', 'x');
    for (const cmd of [
      ['SADD', 'str', 'a'],
      ['SREM', 'str', 'a'],
      ['SCARD', 'str'],
      ['SISMEMBER', 'str', 'a'],
      ['SMISMEMBER', 'str', 'a'],
      ['SMEMBERS', 'str'],
      ['SRANDMEMBER', 'str'],
      ['SRANDMEMBER', 'str', '3'],
      ['SPOP', 'str'],
      ['SPOP', 'str', '3'],
      ['SSCAN', 'str', '0'],
      ['SINTER', 'str'],
      ['SINTERCARD', '1', 'str'],
      ['SUNION', 'str'],
      ['SDIFF', 'str'],
    ])
      expect(await s.run(...cmd), cmd.join(' ')).toBe(WRONGTYPE);
  });
});

describe('set encodings', () => {
  it('is an intset for canonical int64 members up to the limit, then a hashtable for good', async () => {
    const s = session({ config: { 'set-max-intset-entries': '4' } });
    await s.run('SADD', 's', '1', '2', '3', '4');
    expect(await s.run('OBJECT', 'ENCODING', 's')).toBe('intset');
    await s.run('SADD', 's', '5');
    expect(await s.run('OBJECT', 'ENCODING', 's')).toBe('hashtable');
    await s.run('SREM', 's', '1', '2', '3');
    expect(await s.run('OBJECT', 'ENCODING', 's')).toBe('hashtable');
    for (const odd of ['a', '01', '-0', '+1', '9223372036854775808', ' 1', '1.0']) {
      await s.run('DEL', 't');
      await s.run('SADD', 't', '1');
      await s.run('SADD', 't', odd);
      expect(await s.run('OBJECT', 'ENCODING', 't'), odd).toBe('hashtable');
      expect(await s.run('SISMEMBER', 't', odd)).toBe(1);
      expect(await s.run('SISMEMBER', 't', '1')).toBe(1);
    }
  });
});

describe('SMOVE', () => {
  it('moves a member, creating the destination and deleting an emptied source', async () => {
    const s = session();
    await s.run('SADD', 'src', '1', 'a');
    expect(await s.run('SMOVE', 'src', 'dst', '1')).toBe(1);
    expect(await s.run('OBJECT', 'ENCODING', 'dst')).toBe('intset');
    expect(await s.run('SMOVE', 'src', 'dst', 'zz')).toBe(0);
    expect(await s.run('SMOVE', 'src', 'dst', 'a')).toBe(1);
    expect(await s.run('EXISTS', 'src')).toBe(0);
    expect(await s.run('OBJECT', 'ENCODING', 'dst')).toBe('hashtable');
    expect(await s.run('SMOVE', 'nokey', 'dst', 'a')).toBe(0);
    await s.run('SADD', 'other', 'a');
    expect(await s.run('SMOVE', 'other', 'dst', 'a')).toBe(1);
    expect(await s.run('SCARD', 'dst')).toBe(2);
  });

  it('checks types in Redis order; within one set it only reports membership', async () => {
    const s = session();
    await s.run('SET', 'str', 'x');
    await s.run('SADD', 's', 'a');
    expect(await s.run('SMOVE', 'nokey', 'str', 'a')).toBe(0);
    expect(await s.run('SMOVE', 's', 'str', 'a')).toBe(WRONGTYPE);
    expect(await s.run('SMOVE', 'str', 's', 'a')).toBe(WRONGTYPE);
    const dirty = s.t.server.dirty;
    expect(await s.run('SMOVE', 's', 's', 'a')).toBe(1);
    expect(await s.run('SMOVE', 's', 's', 'b')).toBe(0);
    expect(s.t.server.dirty).toBe(dirty);
  });

  it('declares both keys for ACL and COMMAND GETKEYS', async () => {
    const s = session();
    expect(await s.run('COMMAND', 'GETKEYS', 'SMOVE', 'a', 'b', 'm')).toEqual(['a', 'b']);
    expect(await s.run('COMMAND', 'GETKEYS', 'SINTERCARD', '2', 'a', 'b', 'LIMIT', '1')).toEqual(['a', 'b']);
    expect(await s.run('COMMAND', 'GETKEYS', 'SDIFFSTORE', 'd', 'a', 'b')).toEqual(['d', 'a', 'b']);
  });
});

describe('SINTER / SUNION / SDIFF and their STORE forms', () => {
  it('computes intersections, unions and differences; intset results come sorted', async () => {
    const s = session();
    await s.run('SADD', 'a', '5', '1', '3', '9');
    await s.run('SADD', 'b', '3', '9', '2');
    await s.run('SADD', 'c', '9', 'x');
    expect(items(await s.raw('SINTER', 'a', 'b'))).toEqual(['3', '9']);
    expect(items(await s.raw('SINTER', 'a', 'b', 'c'))).toEqual(['9']);
    expect(items(await s.raw('SUNION', 'a', 'b'))).toEqual(['1', '2', '3', '5', '9']);
    expect(items(await s.raw('SDIFF', 'a', 'b'))).toEqual(['1', '5']);
    expect(items(await s.raw('SDIFF', 'a', 'a'))).toEqual([]);
    expect(items(await s.raw('SDIFF', 'a', 'nokey'))).toEqual(['1', '3', '5', '9']);
    expect(items(await s.raw('SDIFF', 'nokey', 'a'))).toEqual([]);
    expect(items(await s.raw('SINTER', 'a', 'nokey'))).toEqual([]);
    expect(items(await s.raw('SUNION', 'nokey'))).toEqual([]);
    expect(((await s.run('SUNION', 'a', 'c')) as unknown as { other: SetReply }).other).toBeInstanceOf(
      SetReply,
    );
  });

  it('checks every key type first, even after a missing key', async () => {
    const s = session();
    await s.run('SET', 'str', 'x');
    await s.run('SADD', 'a', '1');
    expect(await s.run('SINTER', 'nokey', 'str')).toBe(WRONGTYPE);
    expect(await s.run('SDIFF', 'nokey', 'str')).toBe(WRONGTYPE);
    expect(await s.run('SUNIONSTORE', 'd', 'a', 'str')).toBe(WRONGTYPE);
    expect(await s.run('SINTERSTORE', 'd', 'nokey', 'str')).toBe(WRONGTYPE);
    expect(await s.run('SINTERCARD', '2', 'nokey', 'str')).toBe(WRONGTYPE);
    expect(await s.run('EXISTS', 'd')).toBe(0);
  });

  it('stores results with Redis encodings, replaces the destination and drops its TTL', async () => {
    const s = session({ config: { 'set-max-intset-entries': '3' } });
    await s.run('SADD', 'a', '1', '2', '3');
    await s.run('SADD', 'b', '3', '4');
    await s.run('SADD', 'w', 'x', '3');
    await s.run('SET', 'd', 'string', 'EX', '100');
    expect(await s.run('SUNIONSTORE', 'd', 'a', 'b')).toBe(4);
    expect(await s.run('OBJECT', 'ENCODING', 'd')).toBe('hashtable');
    expect(await s.run('TTL', 'd')).toBe(-1);
    expect(await s.run('SINTERSTORE', 'd', 'a', 'w')).toBe(1);
    expect(await s.run('OBJECT', 'ENCODING', 'd')).toBe('intset');
    expect(await s.run('SDIFFSTORE', 'd', 'w', 'a')).toBe(1);
    expect(await s.run('OBJECT', 'ENCODING', 'd')).toBe('hashtable');
    expect(await s.run('SDIFFSTORE', 'a', 'a', 'b')).toBe(2);
    expect(items(await s.raw('SMEMBERS', 'a'))).toEqual(['1', '2']);
  });

  it('an empty result deletes the destination', async () => {
    const s = session();
    await s.run('SADD', 'd', 'x');
    await s.run('SADD', 'a', '1');
    expect(await s.run('SINTERSTORE', 'd', 'a', 'nokey')).toBe(0);
    expect(await s.run('EXISTS', 'd')).toBe(0);
    await s.run('SET', 'd', 'x');
    expect(await s.run('SDIFFSTORE', 'd', 'a', 'a')).toBe(0);
    expect(await s.run('EXISTS', 'd')).toBe(0);
    await s.run('SET', 'd', 'x');
    expect(await s.run('SUNIONSTORE', 'd', 'nokey')).toBe(0);
    expect(await s.run('EXISTS', 'd')).toBe(0);
  });

  it('SINTERCARD counts, stops at LIMIT, and words its errors as Redis', async () => {
    const s = session();
    await s.run('SADD', 'a', '1', '2', '3', '4');
    await s.run('SADD', 'b', '2', '3', '4', '5');
    expect(await s.run('SINTERCARD', '2', 'a', 'b')).toBe(3);
    expect(await s.run('SINTERCARD', '2', 'a', 'b', 'LIMIT', '2')).toBe(2);
    expect(await s.run('SINTERCARD', '2', 'a', 'b', 'limit', '1', 'LIMIT', '0')).toBe(3);
    expect(await s.run('SINTERCARD', '2', 'a', 'nokey')).toBe(0);
    expect(await s.run('SINTERCARD', '1', 'a', 'LIMIT', '9223372036854775807')).toBe(4);
    const numkeys = '-ERR numkeys should be greater than 0';
    expect(await s.run('SINTERCARD', '0', 'a')).toBe(numkeys);
    expect(await s.run('SINTERCARD', 'x', 'a')).toBe(numkeys);
    expect(await s.run('SINTERCARD', '-1', 'a')).toBe(numkeys);
    const tooMany = "-ERR Number of keys can't be greater than number of args";
    expect(await s.run('SINTERCARD', '2', 'a')).toBe(tooMany);
    expect(await s.run('SINTERCARD', '9223372036854775807', 'a')).toBe(tooMany);
    expect(await s.run('SINTERCARD', '1', 'a', 'b')).toBe('-ERR syntax error');
    expect(await s.run('SINTERCARD', '1', 'a', 'LIMIT')).toBe('-ERR syntax error');
    expect(await s.run('SINTERCARD', '1', 'a', 'LIMIT', '-1')).toBe("-ERR LIMIT can't be negative");
    expect(await s.run('SINTERCARD', '1', 'a', 'LIMIT', 'x')).toBe("-ERR LIMIT can't be negative");
  });
});

describe('SRANDMEMBER / SPOP', () => {
  it('SRANDMEMBER: count cases as Redis, arrays in both protocols', async () => {
    const s = session();
    expect(await s.run('SRANDMEMBER', 'nokey')).toBeNull();
    expect(await s.run('SRANDMEMBER', 'nokey', '3')).toEqual([]);
    await s.run('SADD', 's', '3', '1', '2');
    expect(['1', '2', '3']).toContain(await s.run('SRANDMEMBER', 's'));
    expect(await s.run('SRANDMEMBER', 's', '0')).toEqual([]);
    expect(await s.run('SRANDMEMBER', 's', '3')).toEqual(['1', '2', '3']);
    expect(await s.run('SRANDMEMBER', 's', '10')).toEqual(['1', '2', '3']);
    const two = (await s.run('SRANDMEMBER', 's', '2')) as string[];
    expect(new Set(two).size).toBe(2);
    expect(await s.run('SRANDMEMBER', 's', '-5')).toHaveLength(5);
    s.client.resp = 3;
    expect(Array.isArray(await s.raw('SRANDMEMBER', 's', '10'))).toBe(true);
    expect(await s.run('SCARD', 's')).toBe(3);
  });

  it('SRANDMEMBER picks distinct members uniformly and eventually all', async () => {
    const s = session();
    await s.run('SADD', 's', ...Array.from({ length: 200 }, (_, i) => `m${i}`));
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const r = (await s.run('SRANDMEMBER', 's', '10')) as string[];
      expect(new Set(r).size).toBe(10);
      for (const m of r) seen.add(m);
    }
    expect(seen.size).toBe(200);
    const counts = new Map<string, number>();
    await s.run('SADD', 't', 'a', 'b', 'c', 'd');
    for (const m of (await s.run('SRANDMEMBER', 't', '-8000')) as string[])
      counts.set(m, (counts.get(m) ?? 0) + 1);
    for (const c of counts.values()) expect(c).toBeGreaterThan(1600);
  });

  it('SRANDMEMBER count errors', async () => {
    const s = session();
    await s.run('SADD', 's', 'a');
    expect(await s.run('SRANDMEMBER', 's', '-9223372036854775808')).toBe(
      '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
    );
    expect(await s.run('SRANDMEMBER', 's', 'x')).toBe('-ERR value is not an integer or out of range');
    expect(await s.run('SRANDMEMBER', 's', '1', '2')).toBe('-ERR syntax error');
    expect(await s.run('SRANDMEMBER', 's', '-9223372036854775807')).toBe('-ERR value is out of range');
  });

  it('SPOP removes what it returns; with a count it replies a set', async () => {
    const s = session();
    expect(await s.run('SPOP', 'nokey')).toBeNull();
    expect(items(await s.raw('SPOP', 'nokey', '3'))).toEqual([]);
    await s.run('SADD', 's', ...Array.from({ length: 50 }, (_, i) => String(i)));
    expect(items(await s.raw('SPOP', 's', '0'))).toEqual([]);
    const one = (await s.run('SPOP', 's')) as string;
    expect(await s.run('SISMEMBER', 's', one)).toBe(0);
    for (const n of [1, 3, 30]) {
      const before = (await s.run('SCARD', 's')) as number;
      const r = (await s.raw('SPOP', 's', String(n))) as SetReply;
      expect(r).toBeInstanceOf(SetReply);
      const got = items(r) as string[];
      expect(new Set(got).size).toBe(n);
      expect(await s.run('SCARD', 's')).toBe(before - n);
      expect(await s.run('SMISMEMBER', 's', ...got)).toEqual(got.map(() => 0));
    }
    const rest = (await s.run('SCARD', 's')) as number;
    const all = items(await s.raw('SPOP', 's', '100')) as string[];
    expect(all).toHaveLength(rest);
    expect(all).toEqual([...all].sort((a, b) => Number(a) - Number(b)));
    expect(await s.run('EXISTS', 's')).toBe(0);
  });

  it('SPOP leaving few members rebuilds the rest (an all-integer rest is an intset again), keeping the TTL', async () => {
    const s = session();
    await s.run('SADD', 's', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', '1');
    await s.run('EXPIRE', 's', '100');
    for (;;) {
      // 11 of 12: one remains; retry until it is the integer.
      const popped = items(await s.raw('SPOP', 's', '11')) as string[];
      expect(popped).toHaveLength(11);
      expect(await s.run('TTL', 's')).toBe(100);
      const [rest] = items(await s.raw('SMEMBERS', 's')) as string[];
      expect(await s.run('OBJECT', 'ENCODING', 's')).toBe(rest === '1' ? 'intset' : 'hashtable');
      if (rest === '1') break;
      await s.run('SADD', 's', ...popped);
    }
  });

  it('SPOP count errors', async () => {
    const s = session();
    await s.run('SADD', 's', 'a');
    expect(await s.run('SPOP', 's', '-1')).toBe('-ERR value is out of range, must be positive');
    expect(await s.run('SPOP', 's', 'x')).toBe('-ERR value is out of range, must be positive');
    expect(await s.run('SPOP', 's', '')).toBe('-ERR value is out of range, must be positive');
    expect(await s.run('SPOP', 's', '1', '2')).toBe('-ERR syntax error');
    expect(await s.run('SPOP', 'nokey', '-1')).toBe('-ERR value is out of range, must be positive');
  });

  it('SPOP and SRANDMEMBER stay O(1) per pick on a large set', async () => {
    const s = session();
    const n = 50_000;
    for (let i = 0; i < n; i += 5000)
      await s.run('SADD', 'big', ...Array.from({ length: 5000 }, (_, j) => `m${i + j}`));
    const started = Date.now();
    for (let i = 0; i < 5000; i++) await s.run('SPOP', 'big');
    expect(await s.run('SCARD', 'big')).toBe(n - 5000);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
