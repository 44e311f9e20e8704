import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseFlags, splitConfigLine } from './load.js';
import { ConfigStore } from './store.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cairn-conf-'));
  dirs.push(d);
  return d;
}

describe('config loading', () => {
  it('takes flags over environment over file over defaults', () => {
    const dir = tempDir();
    const file = join(dir, 'cairn.conf');
    writeFileSync(file, '# comment\nport 7000\nmaxclients 10\ntimeout 5\nsave 900 1\nsave 300 10\n');
    const loaded = loadConfig(['--config', file, '--port', '7002'], {
      CAIRN_PORT: '7001',
      CAIRN_MAXCLIENTS: '20',
    });
    const c = new ConfigStore(loaded.values);
    expect(c.int('port')).toBe(7002);
    expect(c.int('maxclients')).toBe(20);
    expect(c.int('timeout')).toBe(5);
    expect(c.get('save')).toBe('900 1 300 10');
    expect(c.int('databases')).toBe(16);
    expect(loaded.sources.port).toBe('flag');
  });

  it('accepts --name=value, memory units, and rejects unknown options and bad values', () => {
    expect(parseFlags(['--maxmemory=1gb']).values.maxmemory).toBe('1gb');
    expect(new ConfigStore({ maxmemory: '1gb' }).int('maxmemory')).toBe(1024 ** 3);
    expect(() => parseFlags(['--no-such-option', '1'])).toThrow(ConfigError);
    expect(() => new ConfigStore({ port: '70000' })).toThrow(/between -1 and 65535/);
    expect(() => new ConfigStore({ 'maxmemory-policy': 'sometimes' })).toThrow(/one of the following/);
  });

  it('splits config lines with quotes like Redis', () => {
    expect(splitConfigLine('save ""')).toEqual(['save', '']);
    expect(splitConfigLine(`requirepass "a b\\"c" 'd e'`)).toEqual(['requirepass', 'a b"c', 'd e']);
  });

  it('refuses immutable options at run time and tells listeners about mutable ones', () => {
    const c = new ConfigStore();
    const seen: string[] = [];
    c.onChange((n, v) => seen.push(`${n}=${v}`));
    expect(c.apply('port', '1')).toBe("can't set immutable config");
    expect(c.apply('maxmemory', '10mb')).toBeNull();
    expect(seen).toEqual([`maxmemory=${10 * 1024 * 1024}`]);
    expect(c.match('maxmemory*').map(([k]) => k)).toContain('maxmemory-policy');
  });
});
