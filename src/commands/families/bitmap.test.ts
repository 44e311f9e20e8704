import { describe, expect, it } from 'vitest';
import type { ManualClock } from '../../engine/clock.js';
import { OffHeapKeyspace } from '../../engine/offheap/keyspace.js';
import { NULL_ARRAY } from '../reply.js';
import { session } from './test-helpers.js';

const OFFSET_ERR = '-ERR bit offset is not an integer or out of range';
const BIT_ERR = '-ERR bit is not an integer or out of range';
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

const ENGINES = {
  map: undefined,
  offheap: (clock: ManualClock, dbs: number) => new OffHeapKeyspace(dbs, clock),
} as const;

/** A session that records every keyspace notification as `event key`. */
function watched(engine: keyof typeof ENGINES = 'map') {
  const s = session({ keyspace: ENGINES[engine] });
  const events: string[] = [];
  s.t.server.onNotify((event, key) => events.push(`${event} ${key.toString('latin1')}`));
  return { s, events };
}

describe.each(Object.keys(ENGINES) as Array<keyof typeof ENGINES>)(
  'SETBIT / GETBIT (%s engine)',
  (engine) => {
    it('sets and clears bits, padding the string with zeros, and answers the old bit', async () => {
      const { s, events } = watched(engine);
      expect(await s.run('SETBIT', 'k', '7', '1')).toBe(0);
      expect(await s.run('GET', 'k')).toBe('\x01');
      expect(await s.run('SETBIT', 'k', '7', '1')).toBe(1);
      expect(await s.run('SETBIT', 'k', '23', '1')).toBe(0);
      expect(await s.run('STRLEN', 'k')).toBe(3);
      expect(await s.run('SETBIT', 'k', '7', '0')).toBe(1);
      expect(await s.run('GETBIT', 'k', '23')).toBe(1);
      expect(await s.run('GETBIT', 'k', '7')).toBe(0);
      expect(await s.run('GETBIT', 'k', '100000')).toBe(0);
      expect(await s.run('GETBIT', 'missing', '3')).toBe(0);
      // The no-op SETBIT (bit 7 already 1 at the second call) fired nothing.
      expect(events).toEqual(['new k', 'setbit k', 'setbit k', 'setbit k', 'keymiss missing']);
    });

    it('never changes a value already read by an earlier command of the same EXEC', async () => {
      const { s } = watched(engine);
      await s.run('SET', 'k', Buffer.alloc(100_000));
      await s.run('MULTI');
      await s.run('GET', 'k');
      await s.run('SETBIT', 'k', '0', '1');
      await s.run('BITFIELD', 'k', 'SET', 'u8', '#1', '255');
      await s.run('GETRANGE', 'k', '0', '1');
      const [got, , , range] = (await s.raw('EXEC')) as Buffer[];
      expect([got[0], got[1]]).toEqual([0, 0]);
      expect([range[0], range[1]]).toEqual([0x80, 0xff]);
    });

    it('patches a large bitmap and keeps the expiry', async () => {
      const { s } = watched(engine);
      await s.run('SET', 'big', Buffer.alloc(200_000));
      await s.run('EXPIRE', 'big', '100');
      for (const off of [0, 12345, 1_599_999]) expect(await s.run('SETBIT', 'big', String(off), '1')).toBe(0);
      expect(await s.run('BITCOUNT', 'big')).toBe(3);
      expect(await s.run('BITPOS', 'big', '1', '2')).toBe(12345);
      expect(await s.run('TTL', 'big')).toBe(100);
    });
  },
);

describe('SETBIT / GETBIT arguments', () => {
  it('refuses bad offsets and bits with Redis wording, before looking at the key', async () => {
    const s = session();
    await s.run('RPUSH', 'list', 'a');
    expect(await s.run('SETBIT', 'list', '-1', '1')).toBe(OFFSET_ERR);
    expect(await s.run('SETBIT', 'k', 'abc', '1')).toBe(OFFSET_ERR);
    expect(await s.run('SETBIT', 'k', '4294967296', '1')).toBe(OFFSET_ERR);
    expect(await s.run('SETBIT', 'list', '0', '2')).toBe(BIT_ERR);
    expect(await s.run('SETBIT', 'k', '0', '-1')).toBe(BIT_ERR);
    expect(await s.run('SETBIT', 'k', '0', 'x')).toBe(BIT_ERR);
    expect(await s.run('GETBIT', 'list', '-1')).toBe(OFFSET_ERR);
    expect(await s.run('SETBIT', 'list', '0', '1')).toBe(WRONGTYPE);
    expect(await s.run('GETBIT', 'list', '0')).toBe(WRONGTYPE);
    expect(await s.run('EXISTS', 'k')).toBe(0);
    expect(await s.run('SETBIT', 'k', '0', '1')).toBe(0);
  });

  it('bounds offsets by proto-max-bulk-len', async () => {
    const s = session({ config: { 'proto-max-bulk-len': '1048576' } });
    expect(await s.run('SETBIT', 'k', String(8 * 1048576), '1')).toBe(OFFSET_ERR);
    expect(await s.run('SETBIT', 'k', String(8 * 1048576 - 1), '1')).toBe(0);
    expect(await s.run('STRLEN', 'k')).toBe(1048576);
  });

  it('counts a change in dirty only when the bit or the length changed', async () => {
    const s = session();
    const d0 = s.t.server.dirty;
    await s.run('SETBIT', 'k', '0', '0');
    expect(s.t.server.dirty - d0).toBe(1);
    await s.run('SETBIT', 'k', '0', '0');
    expect(s.t.server.dirty - d0).toBe(1);
    await s.run('SETBIT', 'k', '90', '0');
    await s.run('SETBIT', 'k', '0', '1');
    expect(s.t.server.dirty - d0).toBe(3);
  });

  it('invalidates WATCH only when it changes the value', async () => {
    const s = session();
    const other = s.t.client();
    await s.run('SETBIT', 'k', '3', '1');
    await s.run('WATCH', 'k');
    await s.t.run(other, 'SETBIT', 'k', '3', '1');
    await s.run('MULTI');
    await s.run('GETBIT', 'k', '3');
    expect(await s.run('EXEC')).toEqual([1]);
    await s.run('WATCH', 'k');
    await s.t.run(other, 'SETBIT', 'k', '3', '0');
    await s.run('MULTI');
    await s.run('GETBIT', 'k', '3');
    expect(await s.raw('EXEC')).toBe(NULL_ARRAY);
  });
});

describe('BITCOUNT', () => {
  it('counts whole strings and byte or bit ranges', async () => {
    const s = session();
    await s.run('SET', 's', 'foobar');
    expect(await s.run('BITCOUNT', 's')).toBe(26);
    expect(await s.run('BITCOUNT', 's', '1', '-2')).toBe(18);
    expect(await s.run('BITCOUNT', 's', '-2', '1')).toBe(0);
    expect(await s.run('BITCOUNT', 's', '0', '1000')).toBe(26);
    expect(await s.run('BITCOUNT', 's', '5', '30', 'BIT')).toBe(17);
    expect(await s.run('BITCOUNT', 's', '3', '-19', 'bit')).toBe(16);
    expect(await s.run('BITCOUNT', 's', '1', '1', 'BIT')).toBe(1);
    expect(await s.run('BITCOUNT', 'missing', 'x', 'y', 'z')).toBe(0);
    await s.run('SET', 'str', '__PPxxxxxxxxxxxxxxxxRR__');
    expect(await s.run('BITCOUNT', 'str', '2', '-3')).toBe(74);
  });

  it('answers errors in Redis order', async () => {
    const s = session();
    await s.run('SET', 's', 'foobar');
    expect(await s.run('BITCOUNT', 's', '0')).toBe('-ERR syntax error');
    expect(await s.run('BITCOUNT', 's', '0', '1', 'bits')).toBe('-ERR syntax error');
    expect(await s.run('BITCOUNT', 's', '-1', '-2', 'bits')).toBe(0);
    expect(await s.run('BITCOUNT', 's', 'a', '1')).toBe('-ERR value is not an integer or out of range');
    expect(await s.run('BITCOUNT', 's', '0', '1', 'BIT', 'x')).toBe('-ERR syntax error');
    await s.run('HSET', 'h', 'f', 'v');
    expect(await s.run('BITCOUNT', 'h')).toBe(WRONGTYPE);
  });
});

describe('BITPOS', () => {
  it('finds the first set or clear bit, in byte or bit ranges', async () => {
    const s = session();
    expect(await s.run('BITPOS', 'missing', '0')).toBe(0);
    expect(await s.run('BITPOS', 'missing', '1')).toBe(-1);
    await s.run('SET', 's', Buffer.from([0xff, 0xf0, 0]));
    expect(await s.run('BITPOS', 's', '0')).toBe(12);
    expect(await s.run('BITPOS', 's', '0', '1', '-1', 'bit')).toBe(12);
    await s.run('SET', 's', Buffer.from([0, 0xff, 0]));
    expect(await s.run('BITPOS', 's', '1', '2', '-1')).toBe(-1);
    expect(await s.run('BITPOS', 's', '1', '8', '8', 'bit')).toBe(8);
    expect(await s.run('BITPOS', 's', '0', '8', '8', 'bit')).toBe(-1);
    await s.run('SET', 's', Buffer.from([0xff, 0xff, 0xff]));
    // Without an end the string counts as zero-padded; with one, the range has no 0.
    expect(await s.run('BITPOS', 's', '0')).toBe(24);
    expect(await s.run('BITPOS', 's', '0', '0')).toBe(24);
    expect(await s.run('BITPOS', 's', '0', '0', '-1')).toBe(-1);
    await s.run('SET', 'e', '');
    expect(await s.run('BITPOS', 'e', '0')).toBe(-1);
  });

  it('refuses a bit other than 0 or 1 even on a missing key', async () => {
    const s = session();
    expect(await s.run('BITPOS', 'missing', '2')).toBe('-ERR The bit argument must be 1 or 0.');
    expect(await s.run('BITPOS', 'missing', 'x')).toBe('-ERR value is not an integer or out of range');
    expect(await s.run('BITPOS', 'missing', '1', 'x', 'y', 'z', 'w')).toBe(-1);
    await s.run('SET', 's', 'a');
    expect(await s.run('BITPOS', 's', '1', '0', '1', 'BIT', 'x')).toBe('-ERR syntax error');
    expect(await s.run('BITPOS', 's', '1', '0', 'x', 'bits')).toBe('-ERR syntax error');
    expect(await s.run('BITPOS', 's', '1', '0', 'x', 'bit')).toBe(
      '-ERR value is not an integer or out of range',
    );
  });
});
