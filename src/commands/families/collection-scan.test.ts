import { describe, expect, it } from 'vitest';
import { type Session, session } from './test-helpers.js';

type Batch = [string, string[]];

/** Iterate from cursor 0 to the end; `between` runs after each call. */
async function fullScan(
  s: Session,
  cmd: string,
  key: string,
  opts: string[] = [],
  between?: (calls: number) => Promise<void>,
): Promise<{ items: string[]; calls: number }> {
  const items: string[] = [];
  let cursor = '0';
  let calls = 0;
  do {
    const [next, batch] = (await s.run(cmd, key, cursor, ...opts)) as Batch;
    items.push(...batch);
    cursor = next;
    calls++;
    if (between) await between(calls);
    if (calls > 100_000) throw new Error('scan never ended');
  } while (cursor !== '0');
  return { items, calls };
}

const members = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('SSCAN / HSCAN on compact encodings', () => {
  it('returns an intset or a listpack whole, in order, with cursor 0, whatever the cursor', async () => {
    const s = session();
    await s.run('SADD', 's', '5', '-2', '300');
    expect(await s.run('SSCAN', 's', '0')).toEqual(['0', ['-2', '5', '300']]);
    expect(await s.run('SSCAN', 's', '12345', 'COUNT', '1')).toEqual(['0', ['-2', '5', '300']]);
    await s.run('HSET', 'h', 'b', '1', 'a', '2');
    expect(await s.run('HSCAN', 'h', '0', 'COUNT', '1')).toEqual(['0', ['b', '1', 'a', '2']]);
  });

  it('filters with MATCH on the field or member', async () => {
    const s = session();
    await s.run('HMSET', 'h', 'foo', '1', 'fab', '2', 'fiz', '3', 'foobar', '10', '1', 'a', '2', 'b');
    const [, got] = (await s.run('HSCAN', 'h', '0', 'MATCH', 'foo*', 'COUNT', '10000')) as Batch;
    expect(got).toEqual(['foo', '1', 'foobar', '10']);
    await s.run('SADD', 'set', '111', '222');
    expect(await s.run('SSCAN', 'set', '0', 'MATCH', '*1*', 'COUNT', '100')).toEqual(['0', ['111']]);
    expect(await s.run('SSCAN', 'set', '0', 'MATCH', '*')).toEqual(['0', ['111', '222']]);
  });

  it('answers an empty scan for a missing key, and errors in Redis order', async () => {
    const s = session();
    expect(await s.run('SSCAN', 'nokey', '0')).toEqual(['0', []]);
    expect(await s.run('SSCAN', 'nokey', '0', 'COUNT', '0')).toEqual(['0', []]);
    expect(await s.run('SSCAN', 'nokey', 'x')).toBe('-ERR invalid cursor');
    await s.run('SADD', 's', 'a');
    expect(await s.run('SSCAN', 's', '0', 'COUNT', '0')).toBe('-ERR syntax error');
    expect(await s.run('SSCAN', 's', '0', 'COUNT', 'x')).toBe('-ERR value is not an integer or out of range');
    expect(await s.run('SSCAN', 's', '0', 'TYPE', 'set')).toBe('-ERR syntax error');
    expect(await s.run('SSCAN', 's', '0', 'MATCH')).toBe('-ERR syntax error');
    expect(await s.run('HSCAN', 's', '0', 'COUNT', '0')).toBe(
      '-WRONGTYPE Operation against a key holding the wrong kind of value',
    );
  });
});

describe('SSCAN / HSCAN on large encodings', () => {
  it('walks a hashtable set in COUNT-sized steps and returns every member', async () => {
    const s = session();
    await s.run('SADD', 's', ...members(1000));
    const { items, calls } = await fullScan(s, 'SSCAN', 's', ['COUNT', '10']);
    expect(new Set(items).size).toBe(1000);
    expect(items).toHaveLength(1000);
    expect(calls).toBe(100);
  });

  it('walks a hashtable hash with values', async () => {
    const s = session({ config: { 'hash-max-listpack-entries': '4' } });
    await s.run('HSET', 'h', ...members(50).flatMap((m) => [m, `v-${m}`]));
    const { items } = await fullScan(s, 'HSCAN', 'h', ['COUNT', '7']);
    expect(items).toHaveLength(100);
    for (let i = 0; i < items.length; i += 2) expect(items[i + 1]).toBe(`v-${items[i]}`);
    const { items: matched } = await fullScan(s, 'HSCAN', 'h', ['MATCH', 'm1*']);
    expect(matched.filter((_, i) => i % 2 === 0).sort()).toEqual(
      members(50)
        .filter((m) => m.startsWith('m1'))
        .sort(),
    );
  });

  it('returns every member present for the whole scan despite deletes and inserts meanwhile', async () => {
    const s = session();
    const all = members(500);
    await s.run('SADD', 's', ...all);
    const removed = new Set<string>();
    let extra = 0;
    const { items } = await fullScan(s, 'SSCAN', 's', ['COUNT', '7'], async (calls) => {
      const victim = all[(calls * 37) % all.length];
      if (!removed.has(victim) && (await s.run('SREM', 's', victim)) === 1) removed.add(victim);
      await s.run('SADD', 's', `new${extra++}`);
    });
    const seen = new Set(items);
    for (const m of all) if (!removed.has(m)) expect(seen.has(m), m).toBe(true);
    for (const m of seen) expect(m.startsWith('m') || m.startsWith('new')).toBe(true);
  });

  it('returns every field of a large hash present for the whole scan, with its current value', async () => {
    const s = session();
    const all = members(2000, 'f');
    await s.run('HSET', 'h', ...all.flatMap((f) => [f, `v${f}`]));
    const removed = new Set<string>();
    let extra = 0;
    const { items } = await fullScan(s, 'HSCAN', 'h', ['COUNT', '50'], async (calls) => {
      // Deletes move the last field into the hole; values rewritten at another size move too.
      for (let i = 0; i < 20; i++) {
        const victim = all[(calls * 37 + i * 101) % all.length];
        if (!removed.has(victim) && (await s.run('HDEL', 'h', victim)) === 1) removed.add(victim);
      }
      await s.run('HSET', 'h', all[(calls * 53) % all.length], 'rewritten', `new${extra++}`, 'x');
    });
    const seen = new Map<string, string>();
    for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
    expect(removed.size).toBeGreaterThan(500);
    for (const f of all) if (!removed.has(f)) expect(seen.has(f), f).toBe(true);
    for (const [f, v] of seen) expect(v === `v${f}` || v === 'rewritten' || v === 'x', f).toBe(true);
  });

  it('an unknown cursor restarts the iteration: duplicates, never misses', async () => {
    const s = session();
    await s.run('SADD', 's', ...members(100));
    const [, first] = (await s.run('SSCAN', 's', '987654321', 'COUNT', '30')) as Batch;
    expect(first).toHaveLength(30);
    const { items } = await fullScan(s, 'SSCAN', 's', ['COUNT', '1000']);
    expect(new Set(items).size).toBe(100);
  });

  it('keeps separate iterations on one key apart, and ends with cursor 0', async () => {
    const s = session();
    await s.run('SADD', 's', ...members(40));
    const [c1, b1] = (await s.run('SSCAN', 's', '0', 'COUNT', '10')) as Batch;
    const [c2, b2] = (await s.run('SSCAN', 's', '0', 'COUNT', '10')) as Batch;
    expect(c1).not.toBe(c2);
    expect(b1).toEqual(b2);
    const [c1b, b1b] = (await s.run('SSCAN', 's', c1, 'COUNT', '30')) as Batch;
    expect(c1b).toBe('0');
    expect(new Set([...b1, ...b1b]).size).toBe(40);
    const [, b2b] = (await s.run('SSCAN', 's', c2, 'COUNT', '5')) as Batch;
    expect(b2b).toHaveLength(5);
    expect(b1.includes(b2b[0])).toBe(false);
  });

  it('a cursor of one key means nothing on another: that scan starts over', async () => {
    const s = session();
    await s.run('SADD', 'a', ...members(30, 'a'));
    await s.run('SADD', 'b', ...members(30, 'b'));
    const [ca] = (await s.run('SSCAN', 'a', '0', 'COUNT', '10')) as Batch;
    const { items } = await fullScan(s, 'SSCAN', 'b', ['COUNT', '10']);
    expect(new Set(items).size).toBe(30);
    const [, batch] = (await s.run('SSCAN', 'b', ca, 'COUNT', '30')) as Batch;
    expect(batch).toHaveLength(30);
  });

  it('keeps a bounded number of live iterations per collection; an evicted one starts over', async () => {
    const s = session();
    await s.run('SADD', 's', ...members(100));
    const cursors: string[] = [];
    for (let i = 0; i < 20; i++) cursors.push(((await s.run('SSCAN', 's', '0', 'COUNT', '90')) as Batch)[0]);
    const [, oldest] = (await s.run('SSCAN', 's', cursors[0], 'COUNT', '1000')) as Batch;
    expect(oldest).toHaveLength(100);
    const [end, newest] = (await s.run('SSCAN', 's', cursors[19], 'COUNT', '1000')) as Batch;
    expect(end).toBe('0');
    expect(newest).toHaveLength(10);
  });
});
