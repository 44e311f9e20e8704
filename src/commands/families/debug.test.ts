import { describe, expect, it } from 'vitest';
import { HashValue } from '../../engine/values/hash.js';
import { SetValue } from '../../engine/values/set.js';
import { session } from './test-helpers.js';

describe('DEBUG', () => {
  it('RELOAD keeps values and TTLs and picks encodings from the content again', async () => {
    const s = session();
    const ks = s.t.server.keyspace;
    await s.run('SET', 'str', 'v');
    await s.run('PEXPIRE', 'str', '50000');
    const h = new HashValue();
    h.set('f', 'v');
    h.big = true;
    ks.set(0, Buffer.from('h'), h);
    const set = new SetValue();
    set.add('1');
    ks.set(2, Buffer.from('s'), set);
    const before = await s.run('DEBUG', 'DIGEST');
    expect(await s.run('DEBUG', 'RELOAD')).toBe('+OK');
    expect(await s.run('GET', 'str')).toBe('v');
    expect(await s.run('PTTL', 'str')).toBe(50000);
    expect(await s.run('OBJECT', 'ENCODING', 'h')).toBe('listpack');
    expect(await s.run('DEBUG', 'DIGEST')).toBe(before);
    await s.run('SELECT', '2');
    expect(await s.run('TYPE', 's')).toBe('+set');
    expect(await s.run('OBJECT', 'ENCODING', 's')).toBe('intset');
    expect(await s.run('DEBUG', 'RELOAD', 'BOGUS')).toMatch(/^-ERR DEBUG RELOAD only supports/);
  });

  it('DIGEST is all zeros for an empty dataset and changes with the data; DIGEST-VALUE per key', async () => {
    const s = session();
    expect(await s.run('DEBUG', 'DIGEST')).toBe('0'.repeat(40));
    await s.run('SET', 'a', '1');
    const one = await s.run('DEBUG', 'DIGEST');
    expect(one).toMatch(/^[0-9a-f]{40}$/);
    expect(one).not.toBe('0'.repeat(40));
    await s.run('SET', 'a', '2');
    expect(await s.run('DEBUG', 'DIGEST')).not.toBe(one);
    const [a, missing] = (await s.run('DEBUG', 'DIGEST-VALUE', 'a', 'nope')) as string[];
    expect(a).toMatch(/^[0-9a-f]{40}$/);
    expect(missing).toBe('0'.repeat(40));
  });

  it('OBJECT describes a key; SET-ACTIVE-EXPIRE switches the background cycle; errors as Redis', async () => {
    const s = session();
    await s.run('SET', 'k', '12');
    expect(await s.run('DEBUG', 'OBJECT', 'k')).toMatch(
      /^\+Value at:0x0 refcount:1 encoding:int serializedlength:2 lru:\d+ lru_seconds_idle:0$/,
    );
    expect(await s.run('DEBUG', 'OBJECT', 'nope')).toBe('-ERR no such key');
    expect(await s.run('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toBe('+OK');
    expect(s.t.server.activeExpire).toBe(false);
    expect(await s.run('DEBUG', 'SET-ACTIVE-EXPIRE', '1')).toBe('+OK');
    expect(s.t.server.activeExpire).toBe(true);
    expect(await s.run('DEBUG', 'SLEEP', '0')).toBe('+OK');
    expect(await s.run('DEBUG', 'NOPE')).toBe(
      "-ERR unknown subcommand or wrong number of arguments for 'NOPE'. Try DEBUG HELP.",
    );
    expect(await s.run('DEBUG', 'PROTOCOL', 'integer')).toBe(12345);
  });

  it('is refused when enable-debug-command is no, and allowed with yes', async () => {
    const off = session({ config: { 'enable-debug-command': 'no' } });
    expect(await off.run('DEBUG', 'DIGEST')).toMatch(/^-ERR DEBUG command not allowed/);
    const on = session({ config: { 'enable-debug-command': 'yes' } });
    expect(await on.run('DEBUG', 'DIGEST')).toBe('0'.repeat(40));
  });
});
