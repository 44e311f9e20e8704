import { describe, expect, it } from 'vitest';
import { NULL_ARRAY } from '../reply.js';
import { session } from './test-helpers.js';

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

describe('LPUSH / RPUSH / LPUSHX / RPUSHX', () => {
  it('push variadically at either end and answer the new length', async () => {
    const s = session();
    expect(await s.run('LPUSH', 'l', 'a', 'b', 'c', 'd')).toBe(4);
    expect(await s.run('RPUSH', 'l', '0', '1', '2', '3')).toBe(8);
    expect(await s.run('LRANGE', 'l', '0', '-1')).toEqual(['d', 'c', 'b', 'a', '0', '1', '2', '3']);
    expect(await s.run('OBJECT', 'ENCODING', 'l')).toBe('quicklist');
    expect(await s.run('TYPE', 'l')).toBe('+list');
  });

  it('X forms push only onto an existing list', async () => {
    const s = session();
    expect(await s.run('LPUSHX', 'x', 'a')).toBe(0);
    expect(await s.run('RPUSHX', 'x', 'a')).toBe(0);
    expect(await s.run('EXISTS', 'x')).toBe(0);
    await s.run('RPUSH', 'x', 'c');
    expect(await s.run('RPUSHX', 'x', 'd')).toBe(2);
    expect(await s.run('LPUSHX', 'x', 'y3', 'y2', 'y1')).toBe(5);
    expect(await s.run('LRANGE', 'x', '0', '-1')).toEqual(['y1', 'y2', 'y3', 'c', 'd']);
  });

  it('refuse other types and keep binary items intact', async () => {
    const s = session();
    await s.run('SET', 's', 'v');
    expect(await s.run('LPUSH', 's', 'a')).toBe(WRONGTYPE);
    expect(await s.run('RPUSHX', 's', 'a')).toBe(WRONGTYPE);
    const bin = Buffer.from([0, 255, 13, 10]);
    await s.raw('RPUSH', 'b', bin);
    expect(await s.raw('LINDEX', 'b', '0')).toEqual(bin);
  });
});

describe('LPOP / RPOP', () => {
  it('pop one as a bulk, or count as an array in pop order; delete the emptied list', async () => {
    const s = session();
    await s.run('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
    expect(await s.run('LPOP', 'l')).toBe('a');
    expect(await s.run('RPOP', 'l')).toBe('e');
    expect(await s.run('RPOP', 'l', '2')).toEqual(['d', 'c']);
    expect(await s.run('LPOP', 'l', '0')).toEqual([]);
    expect(await s.run('LPOP', 'l', '10')).toEqual(['b']);
    expect(await s.run('EXISTS', 'l')).toBe(0);
  });

  it('answer null (bulk or array) for a missing key and check count first', async () => {
    const s = session();
    expect(await s.run('LPOP', 'none')).toBeNull();
    expect(await s.raw('LPOP', 'none', '1')).toBe(NULL_ARRAY);
    expect(await s.raw('RPOP', 'none', '0')).toBe(NULL_ARRAY);
    expect(await s.run('LPOP', 'none', '-1')).toBe('-ERR value is out of range, must be positive');
    expect(await s.run('LPOP', 'none', 'x')).toBe('-ERR value is out of range, must be positive');
    expect(await s.run('LPOP', 'none', '1', '2')).toBe("-ERR wrong number of arguments for 'lpop' command");
    await s.run('SET', 's', 'v');
    expect(await s.run('RPOP', 's')).toBe(WRONGTYPE);
  });
});

describe('LLEN / LINDEX / LRANGE', () => {
  it('read lengths, items by index and ranges with Redis clamping', async () => {
    const s = session();
    await s.run('RPUSH', 'l', 'x', '1', '2', '3', '4', '5', '6', '7', '8', '9');
    expect(await s.run('LLEN', 'l')).toBe(10);
    expect(await s.run('LLEN', 'none')).toBe(0);
    expect(await s.run('LINDEX', 'l', '0')).toBe('x');
    expect(await s.run('LINDEX', 'l', '-1')).toBe('9');
    expect(await s.run('LINDEX', 'l', '10')).toBeNull();
    expect(await s.run('LINDEX', 'l', '-11')).toBeNull();
    expect(await s.run('LRANGE', 'l', '1', '-2')).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(await s.run('LRANGE', 'l', '-3', '-1')).toEqual(['7', '8', '9']);
    expect(await s.run('LRANGE', 'l', '6', '2')).toEqual([]);
    expect(await s.run('LRANGE', 'l', '-1000', '1000')).toHaveLength(10);
    expect(await s.run('LRANGE', 'l', '0', '-11')).toEqual([]);
    expect(await s.run('LRANGE', 'l', '0', '-10')).toEqual(['x']);
    expect(await s.run('LRANGE', 'none', '0', '-1')).toEqual([]);
  });

  it('check arguments and key in Redis order', async () => {
    const s = session();
    // LINDEX looks the key up first; LRANGE parses its indexes first.
    expect(await s.run('LINDEX', 'none', 'abc')).toBeNull();
    expect(await s.run('LRANGE', 'none', 'a', '1')).toBe('-ERR value is not an integer or out of range');
    await s.run('RPUSH', 'l', 'a');
    expect(await s.run('LINDEX', 'l', 'abc')).toBe('-ERR value is not an integer or out of range');
    await s.run('SET', 's', 'v');
    expect(await s.run('LLEN', 's')).toBe(WRONGTYPE);
    expect(await s.run('LINDEX', 's', '0')).toBe(WRONGTYPE);
    expect(await s.run('LRANGE', 's', '0', '1')).toBe(WRONGTYPE);
  });

  it('return every byte of large and binary items, past the 64 kB a reply run converts at once', async () => {
    const s = session();
    const items: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      // Mostly small items, some of 20-40 kB, one empty; all 256 byte values appear.
      const len = i === 7 ? 0 : i % 50 === 3 ? 20_000 + i * 60 : 1 + (i % 9);
      items.push(Buffer.from(Array.from({ length: len }, (_, k) => (i * 31 + k) & 255)));
    }
    for (const item of items) await s.raw('RPUSH', 'big', item);
    expect(await s.raw('LRANGE', 'big', '0', '-1')).toEqual(items);
    expect(await s.raw('LRANGE', 'big', '2', '60')).toEqual(items.slice(2, 61));
    expect(await s.raw('LRANGE', 'big', '-1', '-1')).toEqual([items[299]]);
  });
});

describe('LSET / LINSERT / LREM / LTRIM', () => {
  it('LSET replaces by index, with Redis errors', async () => {
    const s = session();
    await s.run('RPUSH', 'l', '99', '98', '97', '96', '95');
    expect(await s.run('LSET', 'l', '1', 'foo')).toBe('+OK');
    expect(await s.run('LSET', 'l', '-1', 'bar')).toBe('+OK');
    expect(await s.run('LRANGE', 'l', '0', '-1')).toEqual(['99', 'foo', '97', '96', 'bar']);
    expect(await s.run('LSET', 'l', '10', 'x')).toBe('-ERR index out of range');
    expect(await s.run('LSET', 'none', '0', 'x')).toBe('-ERR no such key');
    expect(await s.run('LSET', 'none', 'abc', 'x')).toBe('-ERR no such key');
  });

  it('LINSERT before and after the first pivot, -1 without one, 0 without the key', async () => {
    const s = session();
    await s.run('RPUSH', 'l', 'a', 'b', 'c', 'd');
    expect(await s.run('LINSERT', 'l', 'before', 'c', 'zz')).toBe(5);
    expect(await s.run('LINSERT', 'l', 'AFTER', 'c', 'yy')).toBe(6);
    expect(await s.run('LINSERT', 'l', 'after', 'd', 'dd')).toBe(7);
    expect(await s.run('LINSERT', 'l', 'after', 'bad', 'x')).toBe(-1);
    expect(await s.run('LINSERT', 'l', 'before', 'a', 'aa')).toBe(8);
    expect(await s.run('LRANGE', 'l', '0', '-1')).toEqual(['aa', 'a', 'b', 'zz', 'c', 'yy', 'd', 'dd']);
    expect(await s.run('LINSERT', 'none', 'before', 'a', 'x')).toBe(0);
    expect(await s.run('LINSERT', 'l', 'aft3r', 'a', 'x')).toBe('-ERR syntax error');
  });

  it('LREM from the head, from the tail, or all', async () => {
    const s = session();
    await s.run('RPUSH', 'l', 'e', 'foo', 'bar', 'foobar', 'zap', 'bar', 'test', 'foo', 'foo');
    expect(await s.run('LREM', 'l', '-1', 'bar')).toBe(1);
    expect(await s.run('LRANGE', 'l', '0', '-1')).toEqual([
      'e',
      'foo',
      'bar',
      'foobar',
      'zap',
      'test',
      'foo',
      'foo',
    ]);
    expect(await s.run('LREM', 'l', '-2', 'foo')).toBe(2);
    expect(await s.run('LREM', 'l', '1', 'foo')).toBe(1);
    expect(await s.run('LREM', 'l', '0', 'nope')).toBe(0);
    expect(await s.run('LRANGE', 'l', '0', '-1')).toEqual(['e', 'bar', 'foobar', 'zap', 'test']);
    expect(await s.run('LREM', 'l', '-9223372036854775808', 'zap')).toBe(1);
    await s.run('RPUSH', 'one', 'x', 'x');
    expect(await s.run('LREM', 'one', '0', 'x')).toBe(2);
    expect(await s.run('EXISTS', 'one')).toBe(0);
    expect(await s.run('LREM', 'none', 'x', 'a')).toBe('-ERR value is not an integer or out of range');
  });

  it('LTRIM keeps a range, deleting the list when nothing is left', async () => {
    const s = session();
    const trim = async (a: string, b: string) => {
      await s.run('DEL', 'l');
      await s.run('RPUSH', 'l', '1', '2', '3', '4', '5');
      expect(await s.run('LTRIM', 'l', a, b)).toBe('+OK');
      return s.run('LRANGE', 'l', '0', '-1');
    };
    expect(await trim('0', '0')).toEqual(['1']);
    expect(await trim('1', '-2')).toEqual(['2', '3', '4']);
    expect(await trim('-2', '-1')).toEqual(['4', '5']);
    expect(await trim('-10', '10')).toEqual(['1', '2', '3', '4', '5']);
    expect(await trim('0', '-6')).toEqual([]);
    expect(await s.run('EXISTS', 'l')).toBe(0);
    expect(await s.run('LTRIM', 'none', '0', '1')).toBe('+OK');
    expect(await s.run('LTRIM', 'none', 'a', '1')).toBe('-ERR value is not an integer or out of range');
  });
});

describe('LPOS', () => {
  it('finds matches by RANK, COUNT and MAXLEN', async () => {
    const s = session();
    await s.run('RPUSH', 'l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c');
    expect(await s.run('LPOS', 'l', 'a')).toBe(0);
    expect(await s.run('LPOS', 'l', 'c')).toBe(2);
    expect(await s.run('LPOS', 'l', 'c', 'RANK', '2')).toBe(6);
    expect(await s.run('LPOS', 'l', 'c', 'RANK', '4')).toBeNull();
    expect(await s.run('LPOS', 'l', 'c', 'RANK', '-1')).toBe(7);
    expect(await s.run('LPOS', 'l', 'c', 'RANK', '-2')).toBe(6);
    expect(await s.run('LPOS', 'l', 'c', 'COUNT', '0')).toEqual([2, 6, 7]);
    expect(await s.run('LPOS', 'l', 'c', 'COUNT', '2')).toEqual([2, 6]);
    expect(await s.run('LPOS', 'l', 'c', 'COUNT', '0', 'RANK', '2')).toEqual([6, 7]);
    expect(await s.run('LPOS', 'l', 'c', 'COUNT', '2', 'RANK', '-1')).toEqual([7, 6]);
    expect(await s.run('LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '1')).toEqual([]);
    expect(await s.run('LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '3')).toEqual([2]);
    expect(await s.run('LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '3', 'RANK', '-1')).toEqual([7, 6]);
    expect(await s.run('LPOS', 'none', 'c', 'COUNT', '0')).toEqual([]);
    expect(await s.run('LPOS', 'none', 'c')).toBeNull();
  });

  it('answers Redis errors, options before the key', async () => {
    const s = session();
    expect(await s.run('LPOS', 'none', 'a', 'RANK', '0')).toMatch(/^-ERR RANK can't be zero/);
    expect(await s.run('LPOS', 'none', 'a', 'COUNT', '-1')).toBe("-ERR COUNT can't be negative");
    expect(await s.run('LPOS', 'none', 'a', 'MAXLEN', 'x')).toBe("-ERR MAXLEN can't be negative");
    expect(await s.run('LPOS', 'none', 'a', 'RANK', 'x')).toBe(
      '-ERR value is not an integer or out of range',
    );
    expect(await s.run('LPOS', 'none', 'a', 'RANK')).toBe('-ERR syntax error');
  });
});

describe('LMOVE / RPOPLPUSH / LMPOP', () => {
  it('move between lists, to itself, and refuse a wrong destination without popping', async () => {
    const s = session();
    await s.run('RPUSH', 'src', 'a', 'b', 'c', 'd');
    expect(await s.run('RPOPLPUSH', 'src', 'dst')).toBe('d');
    expect(await s.run('LMOVE', 'src', 'dst', 'LEFT', 'RIGHT')).toBe('a');
    expect(await s.run('LRANGE', 'dst', '0', '-1')).toEqual(['d', 'a']);
    expect(await s.run('LMOVE', 'src', 'src', 'RIGHT', 'LEFT')).toBe('c');
    expect(await s.run('LRANGE', 'src', '0', '-1')).toEqual(['c', 'b']);
    await s.run('SET', 'str', 'x');
    expect(await s.run('RPOPLPUSH', 'src', 'str')).toBe(WRONGTYPE);
    expect(await s.run('LRANGE', 'src', '0', '-1')).toEqual(['c', 'b']);
    expect(await s.run('LMOVE', 'none', 'dst', 'LEFT', 'LEFT')).toBeNull();
    expect(await s.run('LMOVE', 'src', 'dst', 'UP', 'LEFT')).toBe('-ERR syntax error');
    await s.run('DEL', 'one');
    await s.run('RPUSH', 'one', 'x');
    expect(await s.run('LMOVE', 'one', 'one', 'LEFT', 'RIGHT')).toBe('x');
    expect(await s.run('LRANGE', 'one', '0', '-1')).toEqual(['x']);
  });

  it('LMPOP pops from the first non-empty list, with Redis errors', async () => {
    const s = session();
    await s.run('RPUSH', 'l2', 'a', 'b', 'c');
    expect(await s.run('LMPOP', '2', 'l1', 'l2', 'LEFT')).toEqual(['l2', ['a']]);
    expect(await s.run('LMPOP', '2', 'l1', 'l2', 'RIGHT', 'COUNT', '5')).toEqual(['l2', ['c', 'b']]);
    expect(await s.raw('LMPOP', '1', 'l2', 'LEFT')).toBe(NULL_ARRAY);
    expect(await s.run('LMPOP', '0', 'l', 'LEFT')).toBe('-ERR numkeys should be greater than 0');
    expect(await s.run('LMPOP', 'x', 'l', 'LEFT')).toBe('-ERR numkeys should be greater than 0');
    expect(await s.run('LMPOP', '5', 'l', 'LEFT')).toBe('-ERR syntax error');
    expect(await s.run('LMPOP', '1', 'l', 'UP')).toBe('-ERR syntax error');
    expect(await s.run('LMPOP', '1', 'l', 'LEFT', 'COUNT', '0')).toBe('-ERR count should be greater than 0');
    expect(await s.run('LMPOP', '1', 'l', 'LEFT', 'COUNT', '1', 'COUNT', '1')).toBe('-ERR syntax error');
    await s.run('SET', 's', 'v');
    expect(await s.run('LMPOP', '2', 'none', 's', 'LEFT')).toBe(WRONGTYPE);
  });
});

describe('lists and the keyspace', () => {
  it('a change to a list invalidates WATCH, a no-op LREM does not', async () => {
    const s = session();
    const other = s.t.client();
    await s.run('RPUSH', 'l', 'a');
    await s.run('WATCH', 'l');
    await s.t.run(other, 'LREM', 'l', '0', 'nope');
    await s.run('MULTI');
    await s.run('LLEN', 'l');
    expect(await s.run('EXEC')).toEqual([1]);
    await s.run('WATCH', 'l');
    await s.t.run(other, 'LTRIM', 'l', '0', '-1');
    await s.run('MULTI');
    await s.run('LLEN', 'l');
    expect(await s.raw('EXEC')).toBe(NULL_ARRAY);
  });

  it('counts read lookups as hits and misses, write lookups not', async () => {
    const s = session();
    await s.run('RPUSH', 'l', 'a');
    await s.run('LLEN', 'l');
    await s.run('LRANGE', 'none', '0', '1');
    await s.run('LPOP', 'none');
    expect(s.t.server.stats.keyspaceHits).toBe(1);
    expect(s.t.server.stats.keyspaceMisses).toBe(1);
  });

  it('counts changes (rdb_changes_since_last_save) per element, LMOVE once, as Redis', async () => {
    const s = session();
    const delta = async (...cmd: string[]) => {
      const before = s.t.server.dirty;
      await s.run(...cmd);
      return s.t.server.dirty - before;
    };
    expect(await delta('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e')).toBe(5);
    expect(await delta('LTRIM', 'l', '0', '-1')).toBe(0);
    expect(await delta('LTRIM', 'l', '1', '-2')).toBe(2);
    expect(await delta('LREM', 'l', '0', 'c')).toBe(1);
    expect(await delta('RPUSH', 'm', 'x')).toBe(1);
    expect(await delta('LMOVE', 'l', 'm', 'LEFT', 'LEFT')).toBe(1);
    expect(await delta('LMPOP', '1', 'm', 'LEFT', 'COUNT', '5')).toBe(2);
    expect(await delta('LPOP', 'l')).toBe(1);
  });
});
