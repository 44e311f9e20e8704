import { afterEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../server/testing.js';
import { ErrorReply, NO_REPLY, OK, type Reply, SimpleReply, VerbatimReply } from '../reply.js';

let t: TestServer;
afterEach(() => t?.close());

const text = (r: unknown) =>
  r instanceof ErrorReply
    ? r.message
    : r instanceof VerbatimReply
      ? r.text
      : r instanceof SimpleReply
        ? `+${r.value}`
        : Buffer.isBuffer(r)
          ? r.toString()
          : r;

/** A CLIENT LIST line as field -> value. */
function fields(line: string): Record<string, string> {
  return Object.fromEntries(
    line.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

const REDIS_FIELDS =
  'id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free argv-mem multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp lib-name lib-ver';

describe('CLIENT ID / SETNAME / GETNAME / SETINFO', () => {
  it('names the connection, with Redis validation', async () => {
    t = createTestServer();
    const c = t.client();
    expect(await t.run(c, 'CLIENT', 'ID')).toBe(c.id);
    expect(await t.run(c, 'CLIENT', 'GETNAME')).toBeNull();
    expect(await t.run(c, 'CLIENT', 'SETNAME', 'worker-1')).toBe(OK);
    expect(text(await t.run(c, 'client', 'getname'))).toBe('worker-1');
    for (const bad of ['a b', 'a\nb', 'é', '\x7f']) {
      expect(text(await t.run(c, 'CLIENT', 'SETNAME', bad))).toBe(
        'ERR Client names cannot contain spaces, newlines or special characters.',
      );
    }
    expect(await t.run(c, 'CLIENT', 'SETNAME', '')).toBe(OK);
    expect(await t.run(c, 'CLIENT', 'GETNAME')).toBeNull();
    expect(text(await t.run(c, 'CLIENT', 'SETNAME'))).toBe(
      "ERR wrong number of arguments for 'client|setname' command",
    );
    expect(text(await t.run(c, 'CLIENT', 'ID', 'x'))).toBe(
      "ERR wrong number of arguments for 'client|id' command",
    );
  });

  it('records the library name and version (CLIENT SETINFO)', async () => {
    t = createTestServer();
    const c = t.client();
    expect(await t.run(c, 'CLIENT', 'SETINFO', 'LIB-NAME', 'node-redis')).toBe(OK);
    expect(await t.run(c, 'CLIENT', 'SETINFO', 'lib-ver', '5.0.1')).toBe(OK);
    expect(c.libName).toBe('node-redis');
    expect(c.libVer).toBe('5.0.1');
    expect(text(await t.run(c, 'CLIENT', 'SETINFO', 'LIB-NAME', 'a b'))).toBe(
      'ERR LIB-NAME cannot contain spaces, newlines or special characters.',
    );
    expect(text(await t.run(c, 'CLIENT', 'SETINFO', 'foo', 'bar'))).toBe("ERR Unrecognized option 'foo'");
    expect(text(await t.run(c, 'CLIENT', 'SETINFO', 'lib-name'))).toBe(
      "ERR wrong number of arguments for 'client|setinfo' command",
    );
  });
});

describe('CLIENT LIST / INFO', () => {
  it("prints Redis's fields, in Redis's order, for every client", async () => {
    t = createTestServer();
    const a = t.client({ addr: '10.0.0.1:1111', laddr: '127.0.0.1:6379' });
    const b = t.client({ addr: '10.0.0.2:2222', laddr: '127.0.0.1:6379' });
    await t.run(b, 'CLIENT', 'SETNAME', 'bee');
    await t.run(b, 'SELECT', '2');
    t.clock.advance(5_000);
    const list = await t.run(a, 'CLIENT', 'LIST');
    expect(list).toBeInstanceOf(VerbatimReply);
    expect((list as VerbatimReply).format).toBe('txt');
    const lines = text(list) as string;
    expect(lines.endsWith('\n')).toBe(true);
    const rows = lines.trimEnd().split('\n').map(fields);
    expect(rows).toHaveLength(2);
    for (const line of lines.trimEnd().split('\n')) {
      expect(
        line
          .split(' ')
          .map((kv) => kv.split('=')[0])
          .join(' '),
      ).toBe(REDIS_FIELDS);
    }
    expect(rows[0]).toMatchObject({
      id: String(a.id),
      addr: '10.0.0.1:1111',
      cmd: 'client|list',
      flags: 'N',
      db: '0',
    });
    expect(rows[1]).toMatchObject({
      id: String(b.id),
      name: 'bee',
      db: '2',
      age: '5',
      idle: '5',
      cmd: 'select',
    });
    expect(rows[1]).toMatchObject({ user: 'default', resp: '2', multi: '-1', redir: '-1' });
  });

  it('shows transaction and no-evict flags', async () => {
    t = createTestServer();
    const c = t.client();
    await t.run(c, 'CLIENT', 'NO-EVICT', 'on');
    await t.run(c, 'MULTI');
    await t.run(c, 'SET', 'k', 'value');
    await t.run(c, 'EXEC');
    await t.run(c, 'MULTI');
    await t.run(c, 'SET', 'k', 'value');
    const other = t.client();
    const line = text(await t.run(other, 'CLIENT', 'LIST', 'ID', String(c.id))) as string;
    expect(fields(line.trim())).toMatchObject({ flags: 'xe', multi: '1', 'multi-mem': '9' });
  });

  it('filters by TYPE and ID, with Redis errors', async () => {
    t = createTestServer();
    const a = t.client();
    const b = t.client();
    const count = (r: Reply) => (text(r) as string).split('\n').filter(Boolean).length;
    expect(count(await t.run(a, 'CLIENT', 'LIST', 'TYPE', 'normal'))).toBe(2);
    expect(count(await t.run(a, 'CLIENT', 'LIST', 'TYPE', 'pubsub'))).toBe(0);
    expect(count(await t.run(a, 'CLIENT', 'LIST', 'ID', String(b.id), '999999'))).toBe(1);
    expect(text(await t.run(a, 'CLIENT', 'LIST', 'TYPE', 'foo'))).toBe("ERR Unknown client type 'foo'");
    expect(text(await t.run(a, 'CLIENT', 'LIST', 'ID', 'abc'))).toBe('ERR Invalid client ID');
    expect(text(await t.run(a, 'CLIENT', 'LIST', 'ID'))).toBe('ERR syntax error');
    expect(text(await t.run(a, 'CLIENT', 'LIST', 'foo'))).toBe('ERR syntax error');
  });

  it('CLIENT INFO describes the caller only', async () => {
    t = createTestServer();
    const c = t.client();
    t.client();
    await t.run(c, 'HELLO', '3');
    const r = await t.run(c, 'CLIENT', 'INFO');
    expect(r).toBeInstanceOf(VerbatimReply);
    const line = text(r) as string;
    expect(line.split('\n')).toHaveLength(2);
    expect(fields(line.trim())).toMatchObject({ id: String(c.id), resp: '3', cmd: 'client|info' });
  });
});

describe('CLIENT KILL', () => {
  it('kills by ID, ADDR, LADDR and USER, skipping the caller by default', async () => {
    t = createTestServer();
    const me = t.client({ addr: '10.0.0.1:1', laddr: '127.0.0.1:6379' });
    const a = t.client({ addr: '10.0.0.2:2', laddr: '127.0.0.1:6379' });
    const b = t.client({ addr: '10.0.0.3:3', laddr: '127.0.0.1:7000' });
    expect(await t.run(me, 'CLIENT', 'KILL', 'ID', String(a.id))).toBe(1);
    expect(t.server.clients.get(a.id)).toBeUndefined();
    expect(await t.run(me, 'CLIENT', 'KILL', 'ID', String(a.id))).toBe(0);
    expect(await t.run(me, 'CLIENT', 'KILL', 'LADDR', '127.0.0.1:6379')).toBe(0);
    expect(await t.run(me, 'CLIENT', 'KILL', 'LADDR', '127.0.0.1:7000')).toBe(1);
    expect(t.server.clients.get(b.id)).toBeUndefined();
    const c = t.client({ addr: '10.0.0.4:4' });
    expect(await t.run(me, 'CLIENT', 'KILL', 'USER', 'default', 'ADDR', '10.0.0.4:4')).toBe(1);
    expect(t.server.clients.get(c.id)).toBeUndefined();
    expect(t.server.clients.get(me.id)).toBe(me);
    expect(await t.run(me, 'CLIENT', 'KILL', 'USER', 'default', 'SKIPME', 'no')).toBe(1);
    expect(t.server.clients.get(me.id)).toBeUndefined();
  });

  it('the old form answers OK or "No such client" and may kill the caller', async () => {
    t = createTestServer();
    const me = t.client({ addr: '10.0.0.1:1' });
    const other = t.client({ addr: '10.0.0.2:2' });
    expect(await t.run(me, 'CLIENT', 'KILL', '10.0.0.2:2')).toBe(OK);
    expect(t.server.clients.get(other.id)).toBeUndefined();
    expect(text(await t.run(me, 'CLIENT', 'KILL', '10.0.0.2:2'))).toBe('ERR No such client');
    expect(await t.run(me, 'CLIENT', 'KILL', '10.0.0.1:1')).toBe(OK);
    expect(t.server.clients.get(me.id)).toBeUndefined();
  });

  it('answers Redis errors for bad filters', async () => {
    t = createTestServer();
    const c = t.client();
    expect(text(await t.run(c, 'CLIENT', 'KILL', 'ID', 'abc'))).toBe(
      'ERR client-id should be greater than 0',
    );
    expect(text(await t.run(c, 'CLIENT', 'KILL', 'ID', '0'))).toBe('ERR client-id should be greater than 0');
    expect(text(await t.run(c, 'CLIENT', 'KILL', 'TYPE', 'foo'))).toBe("ERR Unknown client type 'foo'");
    expect(text(await t.run(c, 'CLIENT', 'KILL', 'USER', 'bob'))).toBe("ERR No such user 'bob'");
    expect(text(await t.run(c, 'CLIENT', 'KILL', 'SKIPME', 'maybe'))).toBe('ERR syntax error');
    expect(text(await t.run(c, 'CLIENT', 'KILL', 'foo', 'bar'))).toBe('ERR syntax error');
    expect(text(await t.run(c, 'CLIENT', 'KILL', 'ID', '1', 'SKIPME'))).toBe('ERR syntax error');
    expect(await t.run(c, 'CLIENT', 'KILL', 'TYPE', 'master')).toBe(0);
    expect(text(await t.run(c, 'CLIENT', 'KILL'))).toBe(
      "ERR wrong number of arguments for 'client|kill' command",
    );
  });
});

describe('CLIENT REPLY / NO-EVICT / HELP', () => {
  it('switches the reply mode; OFF and SKIP answer nothing', async () => {
    t = createTestServer();
    const c = t.client();
    expect(await t.run(c, 'CLIENT', 'REPLY', 'OFF')).toBe(NO_REPLY);
    expect(c.replyMode).toBe('off');
    expect(await t.run(c, 'CLIENT', 'REPLY', 'SKIP')).toBe(NO_REPLY);
    expect(c.replyMode).toBe('off');
    expect(await t.run(c, 'CLIENT', 'REPLY', 'ON')).toBe(OK);
    expect(await t.run(c, 'CLIENT', 'REPLY', 'skip')).toBe(NO_REPLY);
    expect(c.replyMode).toBe('skip');
    expect(text(await t.run(c, 'CLIENT', 'REPLY', 'maybe'))).toBe('ERR syntax error');
  });

  it('sets no-evict', async () => {
    t = createTestServer();
    const c = t.client();
    expect(await t.run(c, 'CLIENT', 'NO-EVICT', 'ON')).toBe(OK);
    expect(c.noEvict).toBe(true);
    expect(await t.run(c, 'CLIENT', 'NO-EVICT', 'off')).toBe(OK);
    expect(c.noEvict).toBe(false);
    expect(text(await t.run(c, 'CLIENT', 'NO-EVICT', 'foo'))).toBe('ERR syntax error');
  });

  it('answers HELP in the Redis shape and unknown subcommands with the Redis error', async () => {
    t = createTestServer();
    const c = t.client();
    const help = (await t.run(c, 'client', 'help')) as SimpleReply[];
    expect(help[0].value).toBe('CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.at(-2)?.value).toBe('HELP');
    expect(help.at(-1)?.value).toBe('    Prints this help.');
    expect(help.every((l) => l instanceof SimpleReply)).toBe(true);
    expect(text(await t.run(c, 'CLIENT', 'foo'))).toBe("ERR unknown subcommand 'foo'. Try CLIENT HELP.");
    expect(text(await t.run(c, 'CLIENT'))).toBe("ERR wrong number of arguments for 'client' command");
  });
});
