import { describe, expect, it } from 'vitest';
import { session } from './test-helpers.js';

const TYPE_ERR =
  '-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

describe('BITFIELD', () => {
  it('gets, sets and increments signed and unsigned fields, in order', async () => {
    const s = session();
    expect(
      await s.run('BITFIELD', 'bits', 'set', 'i8', '0', '255', 'set', 'i8', '0', '100', 'get', 'i8', '0'),
    ).toEqual([0, -1, 100]);
    expect(
      await s.run('BITFIELD', 'u', 'set', 'u8', '0', '255', 'incrby', 'u8', '0', '100', 'get', 'u8', '0'),
    ).toEqual([0, 99, 99]);
    expect(
      await s.run(
        'BITFIELD',
        'abc',
        'set',
        'u8',
        '#0',
        '65',
        'set',
        'u8',
        '#1',
        '66',
        'set',
        'u8',
        '#2',
        '67',
      ),
    ).toEqual([0, 0, 0]);
    expect(await s.run('GET', 'abc')).toBe('ABC');
    expect(
      await s.run(
        'BITFIELD',
        'm',
        'SET',
        'i8',
        '0',
        '10',
        'SET',
        'i8',
        '64',
        '10',
        'INCRBY',
        'i8',
        '10',
        '99900',
      ),
    ).toEqual([0, 0, 60]);
    expect(
      await s.run(
        'BITFIELD',
        'w',
        'set',
        'i64',
        '3',
        '-9223372036854775808',
        'get',
        'i64',
        '3',
        'get',
        'u63',
        '3',
      ),
    ).toEqual([0, -9223372036854775808n, 4611686018427387904n]);
    expect(await s.run('BITFIELD', 'missing')).toEqual([]);
    expect(await s.run('BITFIELD', 'missing', 'get', 'u8', '100')).toEqual([0]);
    expect(await s.run('EXISTS', 'missing')).toBe(0);
  });

  it('wraps, saturates or fails on overflow per OVERFLOW', async () => {
    const s = session();
    await s.run('BITFIELD', 'b', 'set', 'u8', '#0', '100');
    expect(await s.run('BITFIELD', 'b', 'overflow', 'wrap', 'incrby', 'u8', '#0', '257')).toEqual([101]);
    expect(await s.run('BITFIELD', 'b', 'overflow', 'sat', 'incrby', 'u8', '#0', '257')).toEqual([255]);
    expect(await s.run('BITFIELD', 'b', 'overflow', 'sat', 'incrby', 'i8', '#0', '-255')).toEqual([-128]);
    expect(
      await s.run('BITFIELD', 'b', 'overflow', 'fail', 'incrby', 'u8', '#0', '-200', 'get', 'u8', '0'),
    ).toEqual([null, 128]);
    // A SET of INT64_MIN into i8 counts as an overflow in Redis's int64 arithmetic.
    expect(
      await s.run(
        'BITFIELD',
        'b',
        'overflow',
        'sat',
        'set',
        'i8',
        '0',
        '-9223372036854775808',
        'get',
        'i8',
        '0',
      ),
    ).toEqual([-128, 127]);
  });

  it('grows the string to the farthest write even when a FAIL writes nothing', async () => {
    const s = session({ config: { 'notify-keyspace-events': 'KEAn' } });
    const events: string[] = [];
    s.t.server.onNotify((event, key) => events.push(`${event} ${key.toString()}`));
    const d0 = s.t.server.dirty;
    expect(await s.run('BITFIELD', 'f', 'overflow', 'fail', 'incrby', 'u2', '100', '4')).toEqual([null]);
    expect(await s.run('STRLEN', 'f')).toBe(13);
    expect(s.t.server.dirty).toBe(d0);
    expect(await s.run('BITFIELD', 'f', 'set', 'i5', '0', '0')).toEqual([0]);
    expect(
      await s.run('BITFIELD', 'f', 'set', 'i5', '0', '1', 'set', 'i5', '200', '0', 'incrby', 'u4', '1', '0'),
    ).toEqual([0, 0, 1]);
    // The string grew, so every write that ran counts (as in Redis).
    expect(s.t.server.dirty - d0).toBe(3);
    expect(events).toEqual(['new f', 'setbit f']);
  });

  it('refuses bad types, offsets, values and subcommands before doing anything', async () => {
    const s = session();
    for (const t of ['u64', 'i65', 'i0', 'I8', 'x8', 'i', 'i08', ''])
      expect(await s.run('BITFIELD', 'k', 'get', t, '0'), t).toBe(TYPE_ERR);
    expect(await s.run('BITFIELD', 'k', 'get', 'i8\x00junk', '0')).toEqual([0]);
    expect(await s.run('BITFIELD', 'k', 'get', 'u8', '-1')).toBe(
      '-ERR bit offset is not an integer or out of range',
    );
    expect(await s.run('BITFIELD', 'k', 'get', 'u8', '#x')).toBe(
      '-ERR bit offset is not an integer or out of range',
    );
    expect(await s.run('BITFIELD', 'k', 'set', 'u8', '0', 'x')).toBe(
      '-ERR value is not an integer or out of range',
    );
    expect(await s.run('BITFIELD', 'k', 'overflow', 'bad')).toBe('-ERR Invalid OVERFLOW type specified');
    expect(await s.run('BITFIELD', 'k', 'set', 'u8', '0')).toBe('-ERR syntax error');
    expect(await s.run('BITFIELD', 'k', 'set', 'u8', '0', '1', 'get', 'u8', '#x')).toBe(
      '-ERR bit offset is not an integer or out of range',
    );
    expect(await s.run('EXISTS', 'k')).toBe(0);
    // #N * bits is int64 arithmetic: 2^61 * 8 wraps to offset 0.
    expect(await s.run('BITFIELD', 'k', 'set', 'i8', '#2305843009213693952', '5')).toEqual([0]);
    expect(await s.run('GET', 'k')).toBe('\x05');
    await s.run('RPUSH', 'l', 'x');
    expect(await s.run('BITFIELD', 'l', 'get', 'u8', '0')).toBe(
      '-WRONGTYPE Operation against a key holding the wrong kind of value',
    );
  });
});

describe('BITFIELD_RO', () => {
  it('reads like BITFIELD and refuses writes', async () => {
    const s = session();
    await s.run('BITFIELD', 'b', 'set', 'u8', '0', '200');
    expect(await s.run('BITFIELD_RO', 'b', 'get', 'u8', '0', 'GET', 'i4', '4')).toEqual([200, -8]);
    expect(await s.run('BITFIELD_RO', 'b')).toEqual([]);
    expect(await s.run('BITFIELD_RO', 'b', 'set', 'u8', '0', '100', 'get', 'u8', '0')).toBe(
      '-ERR BITFIELD_RO only supports the GET subcommand',
    );
    expect(await s.run('BITFIELD_RO', 'b', 'incrby', 'u8', '0', '1')).toBe(
      '-ERR BITFIELD_RO only supports the GET subcommand',
    );
    expect(await s.run('BITFIELD_RO', 'b', 'get', 'u8', 'x')).toBe(
      '-ERR bit offset is not an integer or out of range',
    );
    expect(await s.run('BITFIELD_RO', 'b', 'get', 'u8', '0')).toEqual([200]);
  });
});
