import { describe, expect, it } from 'vitest';
import { session } from './test-helpers.js';

const LFU_ERROR =
  '-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

describe('OBJECT', () => {
  it('ENCODING: int, embstr up to 44 bytes, raw beyond', async () => {
    const s = session();
    const cases: Array<[string, string]> = [
      ['12345', 'int'],
      ['-9223372036854775808', 'int'],
      ['9223372036854775808', 'embstr'],
      ['007', 'embstr'],
      ['x'.repeat(44), 'embstr'],
      ['x'.repeat(45), 'raw'],
    ];
    for (const [value, enc] of cases) {
      await s.run('SET', 'k', value);
      expect(await s.run('OBJECT', 'ENCODING', 'k'), value).toBe(enc);
    }
    expect(await s.run('OBJECT', 'ENCODING', 'missing')).toBeNull();
  });

  it('REFCOUNT: shared integers 0..9999 unless maxmemory runs an LRU/LFU policy', async () => {
    const s = session();
    await s.run('MSET', 'a', '9999', 'b', '10000', 'c', 'text');
    expect(await s.run('OBJECT', 'REFCOUNT', 'a')).toBe(2147483647);
    expect(await s.run('OBJECT', 'REFCOUNT', 'b')).toBe(1);
    expect(await s.run('OBJECT', 'REFCOUNT', 'c')).toBe(1);
    const lru = session({ config: { maxmemory: '100mb', 'maxmemory-policy': 'allkeys-lru' } });
    await lru.run('SET', 'a', '5');
    expect(await lru.run('OBJECT', 'REFCOUNT', 'a')).toBe(1);
  });

  it('IDLETIME follows the clock and is not reset by OBJECT itself', async () => {
    const s = session();
    await s.run('SET', 'k', 'v');
    s.t.clock.advance(12_500);
    expect(await s.run('OBJECT', 'ENCODING', 'k')).toBe('embstr');
    expect(await s.run('OBJECT', 'IDLETIME', 'k')).toBe(12);
    await s.run('GET', 'k');
    expect(await s.run('OBJECT', 'IDLETIME', 'k')).toBe(0);
  });

  it('FREQ needs an LFU policy, IDLETIME refuses one', async () => {
    const s = session();
    await s.run('SET', 'k', 'v');
    expect(await s.run('OBJECT', 'FREQ', 'k')).toBe(LFU_ERROR);
    const lfu = session({ config: { 'maxmemory-policy': 'allkeys-lfu' } });
    await lfu.run('SET', 'k', 'v');
    expect(typeof (await lfu.run('OBJECT', 'FREQ', 'k'))).toBe('number');
    expect(await lfu.run('OBJECT', 'IDLETIME', 'k')).toMatch(/^-ERR An LFU maxmemory policy is selected/);
  });

  it('HELP and errors as Redis words them', async () => {
    const s = session();
    const help = (await s.run('object', 'help')) as string[];
    expect(help[0]).toBe('+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).toHaveLength(15);
    expect(help[14]).toBe('+    Prints this help.');
    expect(await s.run('OBJECT', 'foo', 'k')).toBe("-ERR unknown subcommand 'foo'. Try OBJECT HELP.");
    expect(await s.run('OBJECT', 'ENCODING')).toBe(
      "-ERR wrong number of arguments for 'object|encoding' command",
    );
    expect(await s.run('OBJECT')).toBe("-ERR wrong number of arguments for 'object' command");
  });
});
