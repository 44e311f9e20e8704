import { describe, expect, it } from 'vitest';
import { session } from './test-helpers.js';

describe('CONFIG SET of options that cannot change while running', () => {
  it('accepts the value they already have, refuses another, and keeps Redis immutables refused', async () => {
    const s = session({ config: { 'http-port': '0' } });
    expect(await s.run('CONFIG', 'SET', 'http-port', '0')).toBe('+OK');
    expect(await s.run('CONFIG', 'SET', 'http-port', '8081')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'http-port') - can't set immutable config",
    );
    // Checked all together: one refusal leaves every value as it was.
    expect(await s.run('CONFIG', 'SET', 'maxmemory', '100', 'http-port', '1')).toMatch(/immutable/);
    expect(await s.run('CONFIG', 'GET', 'maxmemory')).toEqual({ map: [['maxmemory', '0']] });
    expect(await s.run('CONFIG', 'SET', 'maxmemory', '100', 'http-port', '0')).toBe('+OK');
    expect(await s.run('CONFIG', 'GET', 'maxmemory')).toEqual({ map: [['maxmemory', '100']] });
    expect(await s.run('CONFIG', 'SET', 'databases', '16')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
    );
  });
});
