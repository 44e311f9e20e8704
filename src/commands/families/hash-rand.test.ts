import { describe, expect, it } from 'vitest';
import { type Plain, session } from './test-helpers.js';

const fields = (n: number) => Array.from({ length: n }, (_, i) => [`f${i}`, `v${i}`]).flat();

describe('HRANDFIELD', () => {
  it('without a count: one field, or null for a missing key', async () => {
    const s = session();
    expect(await s.run('HRANDFIELD', 'nokey')).toBeNull();
    await s.run('HSET', 'h', 'a', '1', 'b', '2');
    expect(['a', 'b']).toContain(await s.run('HRANDFIELD', 'h'));
  });

  it('count 0, a missing key and counts at least the size', async () => {
    const s = session();
    expect(await s.run('HRANDFIELD', 'nokey', '5')).toEqual([]);
    expect(await s.run('HRANDFIELD', 'nokey', '5', 'WITHVALUES')).toEqual([]);
    await s.run('HSET', 'h', 'c', '3', 'a', '1', 'b', '2');
    expect(await s.run('HRANDFIELD', 'h', '0')).toEqual([]);
    expect(await s.run('HRANDFIELD', 'h', '3')).toEqual(['c', 'a', 'b']);
    expect(await s.run('HRANDFIELD', 'h', '100', 'withvalues')).toEqual(['c', '3', 'a', '1', 'b', '2']);
  });

  it('a positive count gives distinct fields; a negative one allows repeats', async () => {
    const s = session();
    await s.run('HSET', 'h', ...fields(100));
    for (const n of [1, 5, 40, 99]) {
      const r = (await s.run('HRANDFIELD', 'h', String(n))) as string[];
      expect(r).toHaveLength(n);
      expect(new Set(r).size).toBe(n);
      for (const f of r) expect(f).toMatch(/^f\d+$/);
    }
    const rep = (await s.run('HRANDFIELD', 'h', '-1000')) as string[];
    expect(rep).toHaveLength(1000);
    expect(new Set(rep).size).toBeLessThan(1000);
    const small = session();
    await small.run('HSET', 'h', 'a', '1');
    expect(await small.run('HRANDFIELD', 'h', '-3', 'WITHVALUES')).toEqual(['a', '1', 'a', '1', 'a', '1']);
  });

  it('eventually returns every field, roughly uniformly', async () => {
    const s = session();
    await s.run('HSET', 'h', ...fields(10));
    const counts = new Map<string, number>();
    for (const f of (await s.run('HRANDFIELD', 'h', '-10000')) as string[])
      counts.set(f, (counts.get(f) ?? 0) + 1);
    expect(counts.size).toBe(10);
    for (const c of counts.values()) expect(c).toBeGreaterThan(800);
    const big = session();
    await big.run('HSET', 'h', ...fields(300));
    const seen = new Set<Plain>();
    for (let i = 0; i < 400; i++)
      for (const f of (await big.run('HRANDFIELD', 'h', '10')) as string[]) seen.add(f);
    expect(seen.size).toBe(300);
  });

  it('WITHVALUES pairs each field with its value: flat in RESP2, pairs in RESP3', async () => {
    const s = session();
    await s.run('HSET', 'h', ...fields(20));
    const flat = (await s.run('HRANDFIELD', 'h', '5', 'WITHVALUES')) as string[];
    expect(flat).toHaveLength(10);
    for (let i = 0; i < 10; i += 2) expect(flat[i + 1]).toBe(flat[i].replace('f', 'v'));
    s.client.resp = 3;
    const pairs = (await s.run('HRANDFIELD', 'h', '-7', 'WITHVALUES')) as string[][];
    expect(pairs).toHaveLength(7);
    for (const [f, v] of pairs) expect(v).toBe(f.replace('f', 'v'));
    expect(await s.run('HRANDFIELD', 'h', '1')).toHaveLength(1);
  });

  it('refuses bad counts and options with Redis words, before looking at the key', async () => {
    const s = session();
    await s.run('SET', 'str', 'x');
    await s.run('HSET', 'h', 'a', '1');
    expect(await s.run('HRANDFIELD', 'h', 'x')).toBe('-ERR value is not an integer or out of range');
    expect(await s.run('HRANDFIELD', 'h', '-9223372036854775808')).toBe(
      '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
    );
    expect(await s.run('HRANDFIELD', 'h', '-9223372036854770000', 'WITHVALUES')).toBe(
      '-ERR value is out of range',
    );
    expect(await s.run('HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES')).toBe(
      '-ERR value is out of range',
    );
    expect(await s.run('HRANDFIELD', 'h', '1', 'foo')).toBe('-ERR syntax error');
    expect(await s.run('HRANDFIELD', 'h', '1', 'WITHVALUES', 'x')).toBe('-ERR syntax error');
    expect(await s.run('HRANDFIELD', 'nokey', '1', 'foo')).toBe('-ERR syntax error');
    expect(await s.run('HRANDFIELD', 'str', '1', 'foo')).toBe('-ERR syntax error');
    expect(await s.run('HRANDFIELD', 'h', '4611686018427387904')).toEqual(['a']);
  });

  it('bounds a negative count instead of building an endless reply', async () => {
    const s = session();
    await s.run('HSET', 'h', 'a', '1');
    expect(await s.run('HRANDFIELD', 'h', '-9223372036854775807')).toBe('-ERR value is out of range');
    expect(await s.run('HRANDFIELD', 'h', '-4611686018427387903', 'WITHVALUES')).toBe(
      '-ERR value is out of range',
    );
  });
});
