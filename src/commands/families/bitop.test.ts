import { describe, expect, it } from 'vitest';
import { computeBitop } from './bitop.js';
import { session } from './test-helpers.js';

const hex = (b: Buffer | string | unknown) => (Buffer.isBuffer(b) ? b.toString('hex') : b);

describe('BITOP', () => {
  it('combines strings byte-wise, zero-padding the shorter ones, and answers the length', async () => {
    const s = session();
    await s.run('SET', 'a', Buffer.from([0x01, 0x02, 0xff, 0xff]));
    await s.run('SET', 'b', Buffer.from([0x01, 0x02, 0xff]));
    expect(await s.run('BITOP', 'AND', 'r1', 'a', 'b')).toBe(4);
    expect(await s.run('BITOP', 'or', 'r2', 'a', 'b', 'missing')).toBe(4);
    expect(await s.run('BITOP', 'Xor', 'r3', 'a', 'b')).toBe(4);
    expect(await s.run('BITOP', 'NOT', 'r4', 'b')).toBe(3);
    expect(hex(await s.raw('GET', 'r1'))).toBe('0102ff00');
    expect(hex(await s.raw('GET', 'r2'))).toBe('0102ffff');
    expect(hex(await s.raw('GET', 'r3'))).toBe('000000ff');
    expect(hex(await s.raw('GET', 'r4'))).toBe('fefd00');
    // The destination may be a source.
    await s.run('BITOP', 'NOT', 'b', 'b');
    expect(hex(await s.raw('GET', 'b'))).toBe('fefd00');
  });

  it('replaces the destination whatever it held, dropping its TTL, or deletes it', async () => {
    const s = session({ config: { 'notify-keyspace-events': 'KEAn' } });
    const events: string[] = [];
    s.t.server.onNotify((event, key) => events.push(`${event} ${key.toString()}`));
    await s.run('SET', 'src', 'abc');
    await s.run('RPUSH', 'dst', 'x');
    await s.run('EXPIRE', 'dst', '100');
    events.length = 0;
    expect(await s.run('BITOP', 'OR', 'dst', 'src', 'nokey')).toBe(3);
    expect(await s.run('GET', 'dst')).toBe('abc');
    expect(await s.run('TTL', 'dst')).toBe(-1);
    expect(await s.run('BITOP', 'AND', 'dst', 'nokey')).toBe(0);
    expect(await s.run('EXISTS', 'dst')).toBe(0);
    expect(await s.run('BITOP', 'AND', 'dst', 'nokey')).toBe(0);
    expect(await s.run('BITOP', 'OR', 'fresh', 'src')).toBe(3);
    expect(events).toEqual([
      'keymiss nokey',
      'set dst',
      'keymiss nokey',
      'del dst',
      'keymiss dst',
      'keymiss nokey',
      'new fresh',
      'set fresh',
    ]);
  });

  it('refuses a bad operation, NOT with several sources, and a non-string source', async () => {
    const s = session();
    await s.run('SET', 'a', '1');
    await s.run('RPUSH', 'l', 'x');
    expect(await s.run('BITOP', 'NAND', 'd', 'a')).toBe('-ERR syntax error');
    expect(await s.run('BITOP', 'NOT', 'd', 'a', 'a')).toBe(
      '-ERR BITOP NOT must be called with a single source key.',
    );
    expect(await s.run('BITOP', 'OR', 'd', 'a', 'l')).toBe(
      '-WRONGTYPE Operation against a key holding the wrong kind of value',
    );
    expect(await s.run('EXISTS', 'd')).toBe(0);
    expect(await s.run('BITOP', 'XOR', 'd', 'a', 'a', 'a')).toBe(1);
    expect(await s.run('GET', 'd')).toBe('1');
  });

  it('names the destination and every source as keys', async () => {
    const s = session();
    expect(await s.run('COMMAND', 'GETKEYS', 'BITOP', 'AND', 'd', 'x', 'y')).toEqual(['d', 'x', 'y']);
  });
});

describe('computeBitop', () => {
  it('matches a byte-by-byte computation at every alignment and length', () => {
    let seed = 3;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    for (let trial = 0; trial < 50; trial++) {
      const srcs = Array.from({ length: 1 + (rand() % 4) }, () => {
        const len = rand() % 90;
        const shift = rand() % 4;
        const backing = Buffer.alloc(len + 4);
        for (let i = 0; i < backing.length; i++) backing[i] = rand() & 0xff;
        return rand() % 7 === 0 ? null : backing.subarray(shift, shift + len);
      });
      const maxLen = Math.max(0, ...srcs.map((x) => x?.length ?? 0));
      for (const op of ['and', 'or', 'xor', 'not'] as const) {
        const inputs = op === 'not' ? srcs.slice(0, 1) : srcs;
        const len = op === 'not' ? (inputs[0]?.length ?? 0) : maxLen;
        const want = Buffer.alloc(len);
        for (let j = 0; j < len; j++) {
          const at = (x: Buffer | null) => (x !== null && j < x.length ? x[j] : 0);
          let v = at(inputs[0]);
          if (op === 'not') v = ~v & 0xff;
          for (const x of inputs.slice(1)) v = op === 'and' ? v & at(x) : op === 'or' ? v | at(x) : v ^ at(x);
          want[j] = v;
        }
        expect(computeBitop(op, inputs, len).toString('hex'), `${op} trial ${trial}`).toBe(
          want.toString('hex'),
        );
      }
    }
  });
});
