import { afterEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../server/testing.js';
import { ErrorReply, MapReply, OK, type Reply, type SimpleReply } from '../reply.js';

let t: TestServer;
afterEach(() => t?.close());

const text = (r: unknown) => (r instanceof ErrorReply ? r.message : r);
const pairs = (r: Reply) => {
  expect(r).toBeInstanceOf(MapReply);
  return (r as MapReply).entries.map(([k, v]) => [String(k), String(v)]);
};

describe('CONFIG GET', () => {
  it('answers name/value pairs for names and globs, each option once', async () => {
    t = createTestServer();
    const c = t.client();
    expect(pairs(await t.run(c, 'CONFIG', 'GET', 'maxmemory'))).toEqual([['maxmemory', '0']]);
    // What redis-benchmark asks at start.
    expect(pairs(await t.run(c, 'CONFIG', 'GET', 'save'))).toEqual([['save', '']]);
    expect(pairs(await t.run(c, 'CONFIG', 'GET', 'appendonly'))).toEqual([['appendonly', 'no']]);
    const many = pairs(await t.run(c, 'CONFIG', 'GET', 'maxmemory*', 'maxmemory', 'port'));
    // Redis 7.0's five maxmemory* options (two of them accepted without effect).
    expect(many.map(([k]) => k).sort()).toEqual([
      'maxmemory',
      'maxmemory-clients',
      'maxmemory-eviction-tenacity',
      'maxmemory-policy',
      'maxmemory-samples',
      'port',
    ]);
    expect(pairs(await t.run(c, 'CONFIG', 'GET', 'nosuch'))).toEqual([]);
    expect(pairs(await t.run(c, 'CONFIG', 'GET', 'HZ'))).toEqual([['HZ', '10']]);
    expect(pairs(await t.run(c, 'CONFIG', 'GET', 'H?'))).toEqual([['hz', '10']]);
    expect(pairs(await t.run(c, 'CONFIG', 'GET', '*')).length).toBeGreaterThan(20);
    expect(text(await t.run(c, 'CONFIG', 'GET'))).toBe(
      "ERR wrong number of arguments for 'config|get' command",
    );
  });
});

describe('CONFIG SET', () => {
  it('sets several options at once, canonically', async () => {
    t = createTestServer();
    const c = t.client();
    expect(await t.run(c, 'CONFIG', 'SET', 'maxmemory', '1mb', 'maxmemory-policy', 'ALLKEYS-LRU')).toBe(OK);
    expect(pairs(await t.run(c, 'CONFIG', 'GET', 'maxmemory', 'maxmemory-policy'))).toEqual([
      ['maxmemory', '1048576'],
      ['maxmemory-policy', 'allkeys-lru'],
    ]);
    expect(t.server.config.int('maxmemory')).toBe(1048576);
  });

  it('is all-or-nothing, with Redis 7 wording', async () => {
    t = createTestServer();
    const c = t.client();
    const cases: Array<[string[], string]> = [
      [['nosuch', '1'], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"],
      [['hz', '5', 'nosuch', '1'], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"],
      [['port', '1', 'nosuch', '1'], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"],
      [
        ['hz', '5', 'hz', '6'],
        "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter",
      ],
      [
        ['hz', '5', 'Databases', '1'],
        "ERR CONFIG SET failed (possibly related to argument 'Databases') - can't set immutable config",
      ],
      [
        ['maxmemory', 'abc'],
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
      ],
      [
        ['maxmemory', '-5'],
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
      ],
      [
        ['HZ', 'abc'],
        "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
      ],
      [
        ['timeout', '-1'],
        "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive",
      ],
      [
        ['hz', '5', 'maxmemory', 'abc'],
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
      ],
      [['hz', '5', '6'], 'ERR syntax error'],
    ];
    for (const [args, message] of cases) {
      expect(text(await t.run(c, 'CONFIG', 'SET', ...args)), args.join(' ')).toBe(message);
    }
    expect(text(await t.run(c, 'CONFIG', 'SET', 'appendonly', 'maybe'))).toMatch(
      /^ERR CONFIG SET failed \(possibly related to argument 'appendonly'\) - /,
    );
    // Nothing of the failed calls was applied.
    expect(t.server.config.get('hz')).toBe('10');
    expect(text(await t.run(c, 'CONFIG', 'SET', 'hz'))).toBe(
      "ERR wrong number of arguments for 'config|set' command",
    );
  });

  it('tells listeners about applied changes', async () => {
    t = createTestServer();
    const c = t.client();
    const seen: string[] = [];
    t.server.config.onChange((name, value) => seen.push(`${name}=${value}`));
    await t.run(c, 'CONFIG', 'SET', 'hz', '20', 'maxmemory-samples', '7');
    expect(seen).toEqual(['hz=20', 'maxmemory-samples=7']);
  });
});

describe('CONFIG RESETSTAT / HELP', () => {
  it('resets the INFO counters', async () => {
    t = createTestServer();
    const c = t.client();
    await t.run(c, 'GET', 'k');
    await t.run(c, 'NOSUCH');
    expect(t.server.stats.totalCommands).toBeGreaterThan(0);
    expect(await t.run(c, 'CONFIG', 'RESETSTAT')).toBe(OK);
    expect(t.server.stats.errorReplies).toBe(0);
    expect(t.server.stats.commands.get('get')?.calls).toBe(0);
  });

  it('answers HELP', async () => {
    t = createTestServer();
    const help = (await t.run(t.client(), 'config', 'help')) as SimpleReply[];
    expect(help[0].value).toBe('CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.map((l) => l.value)).toContain('GET <pattern>');
    expect(text(await t.run(t.client(), 'CONFIG', 'foo'))).toBe(
      "ERR unknown subcommand 'foo'. Try CONFIG HELP.",
    );
  });
});
