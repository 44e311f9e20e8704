/**
 * The stream family through the real dispatcher with a manual clock: auto IDs follow the
 * clock, entries, trimming, groups and the PEL behave as Redis 7.0's, blocked readers are
 * served by XADD. The byte-for-byte comparison with redis-server is test/differential-stream.
 */
import { describe, expect, it } from 'vitest';
import { NULL_ARRAY } from '../reply.js';
import { type Plain, plain, session } from './test-helpers.js';

function entries(...xs: Array<[string, string[]]>): Plain {
  return xs.map(([id, f]) => [id, f]);
}

describe('XADD and ranges', () => {
  it('makes IDs from the server clock, never going backwards', async () => {
    const s = session();
    s.t.clock.set(1000);
    expect(await s.run('XADD', 's', '*', 'a', '1')).toBe('1000-0');
    expect(await s.run('XADD', 's', '*', 'a', '2')).toBe('1000-1');
    s.t.clock.set(900);
    expect(await s.run('XADD', 's', '*', 'a', '3')).toBe('1000-2');
    s.t.clock.set(2000);
    expect(await s.run('XADD', 's', '*', 'a', '4')).toBe('2000-0');
    expect(await s.run('XADD', 's', '2000-*', 'a', '5')).toBe('2000-1');
    expect(await s.run('XADD', 's', '3000-*', 'a', '6')).toBe('3000-0');
    expect(await s.run('XADD', 's', '3000-0', 'a', '7')).toBe(
      '-ERR The ID specified in XADD is equal or smaller than the target stream top item',
    );
    expect(await s.run('XLEN', 's')).toBe(6);
    expect(await s.run('TYPE', 's')).toBe('+stream');
    expect(await s.run('OBJECT', 'ENCODING', 's')).toBe('stream');
    const usage = (await s.run('MEMORY', 'USAGE', 's')) as number;
    await s.run('XADD', 's', '*', 'big', 'x'.repeat(10_000));
    expect(await s.run('MEMORY', 'USAGE', 's')).toBeGreaterThan(usage + 10_000);
    expect(typeof (await s.run('DEBUG', 'DIGEST-VALUE', 's'))).toBe('object');
    expect(await s.run('SCAN', '0', 'TYPE', 'stream')).toEqual(['0', ['s']]);
  });

  it('keeps IDs up to 2^64-1 exact and refuses to go past the last one', async () => {
    const s = session();
    const top = '18446744073709551615';
    expect(await s.run('XADD', 's', `${top}-${top}`, 'f', 'v')).toBe(`${top}-${top}`);
    expect(await s.run('XRANGE', 's', `${top}-${top}`, '+')).toEqual(entries([`${top}-${top}`, ['f', 'v']]));
    expect(await s.run('XADD', 's', '*', 'f', 'v')).toBe(
      '-ERR The stream has exhausted the last possible ID, unable to add more items',
    );
    expect(await s.run('XADD', 't', '0-0', 'f', 'v')).toBe(
      '-ERR The ID specified in XADD must be greater than 0-0',
    );
    expect(await s.run('XADD', 't', '0-*', 'f', 'v')).toBe('0-1');
  });

  it('reads ranges both ways, with COUNT and exclusive ends', async () => {
    const s = session();
    for (let i = 1; i <= 5; i++) await s.run('XADD', 's', `${i}-0`, 'n', String(i));
    expect(await s.run('XRANGE', 's', '(2', '4', 'COUNT', '5')).toEqual(
      entries(['3-0', ['n', '3']], ['4-0', ['n', '4']]),
    );
    expect(await s.run('XREVRANGE', 's', '+', '-', 'COUNT', '2')).toEqual(
      entries(['5-0', ['n', '5']], ['4-0', ['n', '4']]),
    );
    expect(await s.run('XRANGE', 's', '(-', '+')).toBe(
      '-ERR Invalid stream ID specified as stream command argument',
    );
    expect(await s.run('XRANGE', 'nokey', '-', '+')).toEqual([]);
  });

  it('deletes with tombstones and reports what XINFO reports', async () => {
    const s = session();
    for (let i = 1; i <= 3; i++) await s.run('XADD', 's', `${i}-0`, 'n', String(i));
    expect(await s.run('XDEL', 's', '1-0', '9-9')).toBe(1);
    expect(await s.run('XDEL', 's', '2-0', '3-0')).toBe(2);
    expect(await s.run('EXISTS', 's')).toBe(1);
    const info = (await s.run('XINFO', 'STREAM', 's')) as { map: Array<[Plain, Plain]> };
    expect(Object.fromEntries(info.map as Array<[string, Plain]>)).toMatchObject({
      length: 0,
      'radix-tree-keys': 0,
      'radix-tree-nodes': 1,
      'last-generated-id': '3-0',
      'max-deleted-entry-id': '3-0',
      'entries-added': 3,
      'recorded-first-entry-id': '0-0',
    });
  });

  it('trims exactly, and approximately by whole nodes', async () => {
    const s = session();
    await s.run('CONFIG', 'SET', 'stream-node-max-entries', '10');
    for (let i = 1; i <= 35; i++) await s.run('XADD', 's', `${i}-0`, 'n', String(i));
    expect(await s.run('XTRIM', 's', 'MAXLEN', '~', '22')).toBe(10);
    expect(await s.run('XLEN', 's')).toBe(25);
    expect(await s.run('XTRIM', 's', 'MAXLEN', '=', '22')).toBe(3);
    // The node of 14-20 goes whole, then 21-29 are marked deleted in the next one.
    expect(await s.run('XTRIM', 's', 'MINID', '30')).toBe(16);
    expect(await s.run('XRANGE', 's', '-', '+', 'COUNT', '1')).toEqual(entries(['30-0', ['n', '30']]));
    expect(await s.run('XADD', 's', 'MAXLEN', '~', '1', 'LIMIT', '5', '36-0', 'n', '36')).toBe('36-0');
    // 30-0 alone in its node goes; the next node (6 entries) is past the limit of 5.
    expect(await s.run('XLEN', 's')).toBe(6);
  });
});

describe('consumer groups', () => {
  it('delivers, tracks the PEL, acknowledges and claims', async () => {
    const s = session();
    s.t.clock.set(10_000);
    await s.run('XADD', 's', '1-0', 'a', '1');
    await s.run('XADD', 's', '2-0', 'b', '2');
    expect(await s.run('XGROUP', 'CREATE', 's', 'g', '0')).toBe('+OK');
    expect(await s.run('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '>')).toEqual([
      ['s', entries(['1-0', ['a', '1']])],
    ]);
    s.t.clock.advance(500);
    expect(await s.run('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>')).toEqual([
      ['s', entries(['2-0', ['b', '2']])],
    ]);
    expect(await s.run('XPENDING', 's', 'g')).toEqual([
      2,
      '1-0',
      '2-0',
      [
        ['alice', '1'],
        ['bob', '1'],
      ],
    ]);
    expect(await s.run('XPENDING', 's', 'g', 'IDLE', '400', '-', '+', '10')).toEqual([
      ['1-0', 'alice', 500, 1],
    ]);
    expect(await s.run('XCLAIM', 's', 'g', 'bob', '400', '1-0', 'JUSTID')).toEqual(['1-0']);
    expect(await s.run('XPENDING', 's', 'g', '-', '+', '10', 'bob')).toEqual([
      ['1-0', 'bob', 0, 1],
      ['2-0', 'bob', 0, 1],
    ]);
    expect(await s.run('XACK', 's', 'g', '1-0', '1-0', '7-0')).toBe(1);
    await s.run('XDEL', 's', '2-0');
    expect(await s.run('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '0')).toEqual([
      ['s', [['2-0', { other: NULL_ARRAY }]]],
    ]);
    expect(await s.run('XAUTOCLAIM', 's', 'g', 'alice', '0', '0')).toEqual(['0-0', [], ['2-0']]);
    expect(await s.run('XPENDING', 's', 'g')).toEqual([0, null, null, { other: NULL_ARRAY }]);
  });

  it('serves a blocked XREAD and XREADGROUP when XADD arrives', async () => {
    const s = session();
    const other = s.t.client();
    await s.run('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const reader = s.t.run(s.client, 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    const groupReader = s.t.run(other, 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
    const third = s.t.client();
    await s.t.run(third, 'XADD', 's', '5-0', 'k', 'v');
    const [r1, r2] = await Promise.all([reader, groupReader]);
    expect(r1).toEqual([[Buffer.from('s'), [[Buffer.from('5-0'), [Buffer.from('k'), Buffer.from('v')]]]]]);
    expect(r2).toEqual(r1);
    expect(await s.run('XPENDING', 's', 'g', '-', '+', '10')).toEqual([['5-0', 'c', 0, 1]]);
  });

  it('answers a served reader in its protocol: a map in RESP3', async () => {
    const s = session();
    await s.run('HELLO', '3');
    const reader = s.t.run(s.client, 'XREAD', 'BLOCK', '0', 'STREAMS', 'a', 'b', '0', '0');
    await s.t.run(s.t.client(), 'XADD', 'b', '1-0', 'f', 'v');
    expect(plain(await reader)).toEqual({ map: [['b', [['1-0', ['f', 'v']]]]] });
  });

  it('ends a blocked XREADGROUP with an error when its key or group goes', async () => {
    const s = session();
    const other = s.t.client();
    await s.run('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    let waiting = s.t.run(other, 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
    await s.run('XGROUP', 'DESTROY', 's', 'g');
    expect((await waiting) as unknown).toMatchObject({
      message: 'NOGROUP the consumer group this client was blocked on no longer exists',
    });
    await s.run('XGROUP', 'CREATE', 's', 'g', '$');
    waiting = s.t.run(other, 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
    await s.run('DEL', 's');
    expect((await waiting) as unknown).toMatchObject({
      message: 'UNBLOCKED the stream key no longer exists',
    });
  });
});
