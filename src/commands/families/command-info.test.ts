import { afterEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../server/testing.js';
import { ErrorReply, MapReply, type Reply, SetReply, SimpleReply } from '../reply.js';
import { aclCategories } from './command-docs.js';

let t: TestServer;
afterEach(() => t?.close());

const text = (r: unknown) => (r instanceof ErrorReply ? r.message : r);

/** Replies as plain JSON-like values: bulk -> string, status -> "+x", map -> object, set -> array. */
function plain(r: Reply): unknown {
  if (Buffer.isBuffer(r)) return r.toString();
  if (r instanceof SimpleReply) return `+${r.value}`;
  if (r instanceof SetReply) return r.items.map(plain);
  if (r instanceof MapReply)
    return Object.fromEntries(r.entries.map(([k, v]) => [String(plain(k)), plain(v)]));
  if (Array.isArray(r)) return r.map(plain);
  return r;
}

describe('COMMAND INFO', () => {
  it('describes a command in the Redis 7 shape', async () => {
    t = createTestServer();
    const r = plain(await t.run(t.client(), 'COMMAND', 'INFO', 'ping', 'nosuch', 'CLIENT|ID'));
    expect(r).toEqual([
      ['ping', -1, ['+fast'], 0, 0, 0, ['+@fast', '+@connection'], [], [], []],
      null,
      ['client|id', 2, ['+noscript', '+loading', '+stale'], 0, 0, 0, ['+@slow', '+@connection'], [], [], []],
    ]);
  });

  it('lists subcommands under their container, which is only @slow', async () => {
    t = createTestServer();
    const [entry] = plain(await t.run(t.client(), 'COMMAND', 'INFO', 'config')) as unknown[][];
    expect(entry.slice(0, 7)).toEqual(['config', -2, [], 0, 0, 0, ['+@slow']]);
    const subs = entry[9] as unknown[][];
    expect(subs.map((s) => s[0])).toEqual([
      'config|get',
      'config|set',
      'config|rewrite',
      'config|resetstat',
      'config|help',
    ]);
    expect(subs[0][6]).toEqual(['+@admin', '+@slow', '+@dangerous']);
  });

  it('without names describes every command', async () => {
    t = createTestServer();
    const all = (await t.run(t.client(), 'COMMAND', 'INFO')) as Reply[];
    expect(all).toHaveLength(t.server.commands.size);
  });

  it('bare COMMAND describes every command (the container runs its own handler)', async () => {
    t = createTestServer();
    const all = (await t.run(t.client(), 'COMMAND')) as Reply[];
    expect(Array.isArray(all)).toBe(true);
    expect(all).toHaveLength(t.server.commands.size);
  });
});

describe('COMMAND COUNT / LIST', () => {
  it('counts top-level commands', async () => {
    t = createTestServer();
    expect(await t.run(t.client(), 'COMMAND', 'COUNT')).toBe(t.server.commands.size);
  });

  it('lists every name, with subcommands, and filters', async () => {
    t = createTestServer();
    const c = t.client();
    const all = plain(await t.run(c, 'COMMAND', 'LIST')) as string[];
    expect(all).toContain('client');
    expect(all).toContain('client|kill');
    expect(new Set(all).size).toBe(all.length);
    expect(plain(await t.run(c, 'COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'conf*'))).toEqual([
      'config',
      'config|get',
      'config|set',
      'config|rewrite',
      'config|resetstat',
      'config|help',
    ]);
    const conn = plain(await t.run(c, 'COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'connection')) as string[];
    expect(conn).toContain('ping');
    expect(conn).toContain('client|id');
    expect(conn).not.toContain('client');
    expect(plain(await t.run(c, 'COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'))).toEqual([]);
    expect(text(await t.run(c, 'COMMAND', 'LIST', 'FILTERBY', 'foo', 'x'))).toBe('ERR syntax error');
    expect(text(await t.run(c, 'COMMAND', 'LIST', 'foo'))).toBe('ERR syntax error');
  });
});

describe('COMMAND DOCS', () => {
  it('documents commands with arguments generated from the synopsis', async () => {
    t = createTestServer();
    const docs = plain(
      await t.run(t.client(), 'COMMAND', 'DOCS', 'ping', 'nosuch', 'client|setname'),
    ) as Record<string, Record<string, unknown>>;
    expect(Object.keys(docs)).toEqual(['ping', 'client|setname']);
    expect(docs.ping).toEqual({
      summary: "Returns the server's liveliness response.",
      since: '1.0.0',
      group: 'connection',
      complexity: 'O(1)',
      arguments: [{ name: 'message', type: 'string', flags: ['+optional'] }],
    });
    expect(docs['client|setname'].arguments).toEqual([{ name: 'connection-name', type: 'string' }]);
  });

  it('nests subcommands of containers', async () => {
    t = createTestServer();
    const docs = plain(await t.run(t.client(), 'COMMAND', 'DOCS', 'client')) as Record<
      string,
      Record<string, unknown>
    >;
    const subs = docs.client.subcommands as Record<string, Record<string, unknown>>;
    expect(Object.keys(subs)).toContain('client|list');
    expect(subs['client|list'].group).toBe('connection');
  });

  it('without names documents every command', async () => {
    t = createTestServer();
    const docs = (await t.run(t.client(), 'COMMAND', 'DOCS')) as MapReply;
    expect(docs.entries).toHaveLength(t.server.commands.size);
  });
});

describe('COMMAND GETKEYS', () => {
  it('extracts keys by key positions', async () => {
    t = createTestServer();
    const c = t.client();
    expect(plain(await t.run(c, 'COMMAND', 'GETKEYS', 'WATCH', 'a', 'b'))).toEqual(['a', 'b']);
    expect(text(await t.run(c, 'COMMAND', 'GETKEYS', 'nosuch', 'a'))).toBe('ERR Invalid command specified');
    expect(text(await t.run(c, 'COMMAND', 'GETKEYS', 'client', 'nosuch'))).toBe(
      'ERR Invalid command specified',
    );
    expect(text(await t.run(c, 'COMMAND', 'GETKEYS', 'client', 'list'))).toBe(
      'ERR The command has no key arguments',
    );
    expect(text(await t.run(c, 'COMMAND', 'GETKEYS', 'ping', 'x'))).toBe(
      'ERR The command has no key arguments',
    );
    expect(text(await t.run(c, 'COMMAND', 'GETKEYS', 'ping'))).toBe(
      "ERR wrong number of arguments for 'command|getkeys' command",
    );
  });

  it('checks the arity of the inner command', async () => {
    t = createTestServer();
    const c = t.client();
    const get = t.server.commands.get('get');
    if (get === undefined) return; // the strings family is not in this build yet
    expect(plain(await t.run(c, 'COMMAND', 'GETKEYS', 'GET', 'k'))).toEqual(['k']);
    expect(text(await t.run(c, 'COMMAND', 'GETKEYS', 'GET', 'a', 'b'))).toBe(
      'ERR Invalid number of arguments specified for command',
    );
  });
});

describe('ACL categories', () => {
  it('derive from flags and group as Redis derives its implicit ones', () => {
    const spec = (over: object) => ({
      name: 'x',
      arity: 1,
      flags: [],
      firstKey: 0,
      lastKey: 0,
      step: 0,
      group: 'generic' as const,
      summary: 's',
      since: '1.0.0',
      ...over,
    });
    expect(aclCategories(spec({ flags: ['readonly', 'fast'], group: 'string', firstKey: 1 }))).toEqual([
      '@read',
      '@string',
      '@fast',
    ]);
    expect(aclCategories(spec({ flags: ['write', 'denyoom'], firstKey: 1 }))).toEqual([
      '@keyspace',
      '@write',
      '@slow',
    ]);
    expect(aclCategories(spec({ flags: ['admin'], group: 'server' }))).toEqual([
      '@admin',
      '@slow',
      '@dangerous',
    ]);
    expect(aclCategories(spec({ flags: ['no-script'] }))).toEqual(['@slow']);
  });
});

describe('COMMAND HELP', () => {
  it('answers the Redis HELP shape', async () => {
    t = createTestServer();
    const help = plain(await t.run(t.client(), 'command', 'help')) as string[];
    expect(help[0]).toBe('+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.at(-1)).toBe('+    Prints this help.');
  });
});
