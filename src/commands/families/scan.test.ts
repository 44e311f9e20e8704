import { describe, expect, it } from 'vitest';
import { parseScanCursor } from './scan.js';
import type { Plain } from './test-helpers.js';
import { session } from './test-helpers.js';

async function fullScan(s: ReturnType<typeof session>, ...opts: string[]): Promise<string[]> {
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = (await s.run('SCAN', cursor, ...opts)) as [string, string[]];
    for (const k of keys) seen.add(k);
    cursor = next;
  } while (cursor !== '0');
  return [...seen].sort();
}

describe('KEYS', () => {
  it('matches glob patterns and skips expired keys', async () => {
    const s = session();
    await s.run('MSET', 'hello', '1', 'hallo', '2', 'hxllo', '3', 'world', '4');
    await s.run('SET', 'hbllo', '5', 'PX', '10');
    s.t.clock.advance(10);
    const sorted = async (p: string) => ((await s.run('KEYS', p)) as string[]).sort();
    expect(await sorted('h?llo')).toEqual(['hallo', 'hello', 'hxllo']);
    expect(await sorted('h[ae]llo')).toEqual(['hallo', 'hello']);
    expect(await sorted('h[^e]llo')).toEqual(['hallo', 'hxllo']);
    expect(await sorted('*')).toEqual(['hallo', 'hello', 'hxllo', 'world']);
    expect(await s.run('KEYS', 'nothing*')).toEqual([]);
  });

  it('gives up on a cancelled request or a passed deadline', async () => {
    const s = session();
    for (let i = 0; i < 3000; i++) await s.run('SET', `k${i}`, 'v');
    const argv = [Buffer.from('KEYS'), Buffer.from('*')];
    const past = s.t.server.context(s.client, null, s.t.clock.now() - 1);
    expect(await s.t.server.execute(past, argv)).toMatchObject({ message: 'ERR command deadline exceeded' });
    const ac = new AbortController();
    ac.abort();
    const cancelled = s.t.server.context(s.client, ac.signal, 0);
    expect(await s.t.server.execute(cancelled, argv)).toMatchObject({ message: 'ERR command cancelled' });
    const ok = s.t.server.context(s.client, new AbortController().signal, s.t.clock.now() + 1000);
    expect(((await s.t.server.execute(ok, argv)) as Plain[]).length).toBe(3000);
  });
});

describe('SCAN', () => {
  it('visits every key once over a full iteration, with MATCH, COUNT and TYPE', async () => {
    const s = session();
    const all: string[] = [];
    for (let i = 0; i < 57; i++) {
      all.push(`key:${i}`);
      await s.run('SET', `key:${i}`, String(i));
    }
    await s.run('SET', 'other', 'x');
    expect(await fullScan(s)).toEqual([...all, 'other'].sort());
    expect(await fullScan(s, 'COUNT', '7', 'MATCH', 'key:*')).toEqual(all.sort());
    expect(await fullScan(s, 'MATCH', 'key:1?')).toEqual(all.filter((k) => /^key:1\d$/.test(k)).sort());
    expect(await fullScan(s, 'TYPE', 'STRING', 'MATCH', 'o*')).toEqual(['other']);
    expect(await fullScan(s, 'TYPE', 'list')).toEqual([]);
  });

  it('refuses bad cursors and options with Redis words', async () => {
    const s = session();
    expect(await s.run('SCAN', 'x')).toBe('-ERR invalid cursor');
    expect(await s.run('SCAN', ' 1')).toBe('-ERR invalid cursor');
    expect(await s.run('SCAN', '18446744073709551616')).toBe('-ERR invalid cursor');
    expect(await s.run('SCAN', '0', 'COUNT', '0')).toBe('-ERR syntax error');
    expect(await s.run('SCAN', '0', 'COUNT', 'x')).toBe('-ERR value is not an integer or out of range');
    expect(await s.run('SCAN', '0', 'MATCH')).toBe('-ERR syntax error');
    expect(await s.run('SCAN', '0', 'FOO', 'bar')).toBe('-ERR syntax error');
    expect(await s.run('SCAN', '0')).toEqual(['0', []]);
  });

  it('reads cursors as strtoul does', () => {
    const c = (s: string) => parseScanCursor(Buffer.from(s, 'latin1'));
    expect(c('')).toBe(0n);
    expect(c('+7')).toBe(7n);
    expect(c('-1')).toBe(18446744073709551615n);
    expect(c('18446744073709551615')).toBe(18446744073709551615n);
    expect(c('5\0junk')).toBe(5n);
    expect(c('18446744073709551616')).toBeNull();
    expect(c('0x1')).toBeNull();
    expect(c('+')).toBeNull();
  });
});

describe('SCAN with a large COUNT', () => {
  it('returns everything in one call, and still honours a passed deadline', async () => {
    const s = session();
    for (let i = 0; i < 2500; i++) await s.run('SET', `k${i}`, 'v');
    const [cursor, keys] = (await s.run('SCAN', '0', 'COUNT', '9223372036854775807')) as [string, string[]];
    expect(cursor).toBe('0');
    expect(new Set(keys).size).toBe(2500);
    const past = s.t.server.context(s.client, null, s.t.clock.now() - 1);
    const argv = ['SCAN', '0', 'COUNT', '100000'].map((x) => Buffer.from(x));
    expect(await s.t.server.execute(past, argv)).toMatchObject({ message: 'ERR command deadline exceeded' });
  });
});
