import { describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../server/testing.js';
import type { ClientState } from '../context.js';
import { PushReply, type Reply, SequenceReply, VerbatimReply } from '../reply.js';
import { type Plain, plain } from './test-helpers.js';

/** A push or a sequence of pushes as plain arrays; anything else through `plain`. */
function flat(r: Reply): Plain {
  if (r instanceof SequenceReply) return r.replies.map(flat);
  if (r instanceof PushReply) return r.items.map(flat);
  if (Array.isArray(r)) return r.map(flat);
  return plain(r);
}

interface Sub {
  client: ClientState;
  pushed: Plain[];
  closed: boolean;
  run(...args: string[]): Promise<Plain>;
}

function subscriber(t: TestServer): Sub {
  const s: Sub = {
    client: undefined as unknown as ClientState,
    pushed: [],
    closed: false,
    run: async (...args) => flat(await t.run(s.client, ...args)),
  };
  s.client = t.client({
    push: (r) => {
      s.pushed.push(flat(r));
      return true;
    },
    close: () => {
      s.closed = true;
      t.server.closeClient(s.client);
    },
  });
  return s;
}

function text(r: Reply): string {
  return r instanceof VerbatimReply ? r.text : String(plain(r));
}

describe('SUBSCRIBE / PUBLISH / UNSUBSCRIBE', () => {
  it('confirms each channel with a running count and delivers messages', async () => {
    const t = createTestServer();
    const a = subscriber(t);
    const pub = subscriber(t);
    expect(await a.run('SUBSCRIBE', 'x', 'y', 'x')).toEqual([
      ['subscribe', 'x', 1],
      ['subscribe', 'y', 2],
      ['subscribe', 'x', 2],
    ]);
    expect(await a.run('PSUBSCRIBE', 'x*')).toEqual([['psubscribe', 'x*', 3]]);
    expect(await pub.run('PUBLISH', 'x', 'hello')).toBe(2);
    expect(a.pushed).toEqual([
      ['message', 'x', 'hello'],
      ['pmessage', 'x*', 'x', 'hello'],
    ]);
    expect(await pub.run('PUBLISH', 'nobody', 'm')).toBe(0);
    expect(await a.run('UNSUBSCRIBE')).toEqual([
      ['unsubscribe', 'x', 2],
      ['unsubscribe', 'y', 1],
    ]);
    expect(await a.run('UNSUBSCRIBE')).toEqual([['unsubscribe', null, 1]]);
    expect(await a.run('PUNSUBSCRIBE', 'nope', 'x*')).toEqual([
      ['punsubscribe', 'nope', 1],
      ['punsubscribe', 'x*', 0],
    ]);
    expect(a.client.pubsub).toBeNull();
    t.close();
  });

  it('keeps shard channels in their own count and namespace', async () => {
    const t = createTestServer();
    const a = subscriber(t);
    const pub = subscriber(t);
    expect(await a.run('SUBSCRIBE', 'c')).toEqual([['subscribe', 'c', 1]]);
    expect(await a.run('SSUBSCRIBE', 's1', 's2')).toEqual([
      ['ssubscribe', 's1', 1],
      ['ssubscribe', 's2', 2],
    ]);
    expect(await pub.run('SPUBLISH', 's1', 'm')).toBe(1);
    expect(await pub.run('SPUBLISH', 'c', 'm')).toBe(0);
    expect(a.pushed).toEqual([['smessage', 's1', 'm']]);
    expect(await a.run('SUNSUBSCRIBE')).toEqual([
      ['sunsubscribe', 's1', 1],
      ['sunsubscribe', 's2', 0],
    ]);
    expect(await a.run('SUNSUBSCRIBE')).toEqual([['sunsubscribe', null, 0]]);
    t.close();
  });
});

describe('RESP2 subscribed mode', () => {
  it('refuses other commands, answers PING as a message, lets RESP3 do anything', async () => {
    const t = createTestServer();
    const a = subscriber(t);
    expect(await a.run('GET', 'k')).toBeNull();
    await a.run('SUBSCRIBE', 'c');
    expect(await a.run('GET', 'k')).toBe(
      "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
    );
    expect(await a.run('CLIENT', 'ID')).toMatch(/Can't execute 'client\|id'/);
    expect(await a.run('PING')).toEqual(['pong', '']);
    expect(await a.run('PING', 'hi')).toEqual(['pong', 'hi']);
    a.client.resp = 3;
    expect(await a.run('GET', 'k')).toBeNull();
    expect(await a.run('PING')).toBe('+PONG');
    a.client.resp = 2;
    await a.run('UNSUBSCRIBE');
    expect(await a.run('GET', 'k')).toBeNull();
    t.close();
  });

  it('RESET leaves every subscription silently', async () => {
    const t = createTestServer();
    const a = subscriber(t);
    await a.run('SUBSCRIBE', 'c');
    await a.run('PSUBSCRIBE', 'p*');
    await a.run('SSUBSCRIBE', 's');
    expect(await a.run('RESET')).toBe('+RESET');
    expect(a.client.pubsub).toBeNull();
    expect(t.server.pubsub.size('channel') + t.server.pubsub.size('pattern')).toBe(0);
    expect(await a.run('GET', 'k')).toBeNull();
    t.close();
  });

  it('SUBSCRIBE runs inside MULTI/EXEC; SSUBSCRIBE is refused there, as in Redis', async () => {
    const t = createTestServer();
    const a = subscriber(t);
    await a.run('MULTI');
    await a.run('SSUBSCRIBE', 's');
    await a.run('SUBSCRIBE', 'c');
    expect(await a.run('EXEC')).toEqual([
      "-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client",
      [['subscribe', 'c', 1]],
    ]);
    expect(a.client.pubsub?.channel.size).toBe(1);
    // Commands EXEC runs are not held to subscribed mode, and a message to the client itself
    // is written inside EXEC's reply, before the reply of the command that caused it.
    await a.run('UNSUBSCRIBE');
    await a.run('MULTI');
    await a.run('SUBSCRIBE', 'self');
    await a.run('PUBLISH', 'self', 'hi');
    await a.run('GET', 'k');
    expect(await a.run('EXEC')).toEqual([[['subscribe', 'self', 1]], [['message', 'self', 'hi'], 1], null]);
    expect(a.pushed).toEqual([]);
    t.close();
  });

  it('a closed client leaves its channels', async () => {
    const t = createTestServer();
    const a = subscriber(t);
    await a.run('SUBSCRIBE', 'c1', 'c2');
    await a.run('PSUBSCRIBE', 'p');
    t.server.closeClient(a.client);
    expect(t.server.pubsub.size('channel')).toBe(0);
    expect(t.server.pubsub.size('pattern')).toBe(0);
    t.close();
  });
});

describe('introspection', () => {
  it('PUBSUB CHANNELS / NUMSUB / NUMPAT / SHARDCHANNELS / SHARDNUMSUB, INFO and CLIENT LIST', async () => {
    const t = createTestServer();
    const a = subscriber(t);
    const b = subscriber(t);
    await a.run('SUBSCRIBE', 'news.eu', 'news.us');
    await b.run('SUBSCRIBE', 'news.eu');
    await b.run('PSUBSCRIBE', 'news.*', 'x');
    await a.run('PSUBSCRIBE', 'news.*');
    await b.run('SSUBSCRIBE', 'orders');
    const q = subscriber(t);
    expect(((await q.run('PUBSUB', 'CHANNELS')) as string[]).sort()).toEqual(['news.eu', 'news.us']);
    expect(await q.run('PUBSUB', 'CHANNELS', '*.us')).toEqual(['news.us']);
    expect(await q.run('PUBSUB', 'CHANNELS', 'a', 'b')).toBe(
      "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.",
    );
    expect(await q.run('PUBSUB', 'NUMSUB', 'news.eu', 'none')).toEqual(['news.eu', 2, 'none', 0]);
    expect(await q.run('PUBSUB', 'NUMSUB')).toEqual([]);
    expect(await q.run('PUBSUB', 'NUMPAT')).toBe(2);
    expect(await q.run('PUBSUB', 'SHARDCHANNELS')).toEqual(['orders']);
    expect(await q.run('PUBSUB', 'SHARDCHANNELS', 'x*')).toEqual([]);
    expect(await q.run('PUBSUB', 'SHARDNUMSUB', 'orders')).toEqual(['orders', 1]);
    const info = text(await t.run(q.client, 'INFO', 'stats'));
    expect(info).toContain('pubsub_channels:2\r\n');
    expect(info).toContain('pubsub_patterns:2\r\n');
    expect(info).toContain('pubsubshard_channels:1\r\n');
    const line = text(await t.run(b.client, 'CLIENT', 'INFO'));
    // RESP2 subscribed mode refuses CLIENT INFO; read b's line from another client.
    expect(line).toMatch(/Can't execute/);
    const list = text(await t.run(q.client, 'CLIENT', 'LIST', 'ID', String(b.client.id)));
    expect(list).toContain(' flags=P db=0 sub=1 psub=2 ssub=1 ');
    const pubsubType = text(await t.run(q.client, 'CLIENT', 'LIST', 'TYPE', 'pubsub'));
    expect(pubsubType.trim().split('\n')).toHaveLength(2);
    const normal = text(await t.run(q.client, 'CLIENT', 'LIST', 'TYPE', 'normal'));
    expect(normal).toContain(`id=${q.client.id} `);
    expect(normal).not.toContain(`id=${a.client.id} `);
    expect(await q.run('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(2);
    expect(a.closed && b.closed).toBe(true);
    t.close();
  });
});

describe('ACL channel rules', () => {
  async function userSession(t: TestServer, rules: string[]): Promise<Sub> {
    const admin = subscriber(t);
    expect(await admin.run('ACL', 'SETUSER', 'u', 'on', '>pw', '+@all', '~*', ...rules)).toBe('+OK');
    const s = subscriber(t);
    expect(await s.run('AUTH', 'u', 'pw')).toBe('+OK');
    return s;
  }

  it('new users get no channels (acl-pubsub-default resetchannels); &pattern allows by glob', async () => {
    const t = createTestServer();
    const admin = subscriber(t);
    await admin.run('ACL', 'SETUSER', 'plain');
    expect(await admin.run('ACL', 'LIST')).toContain('user plain off resetchannels -@all');
    const u = await userSession(t, ['&news.*', '&alerts']);
    expect(await u.run('PUBLISH', 'news.eu', 'm')).toBe(0);
    expect(await u.run('PUBLISH', 'sport', 'm')).toBe(
      '-NOPERM this user has no permissions to access one of the channels used as arguments',
    );
    expect(await u.run('SUBSCRIBE', 'alerts', 'secret')).toMatch(/^-NOPERM .* channels used as arguments$/);
    expect(u.client.pubsub).toBeNull();
    // A pattern subscription needs a rule with the same text.
    expect(await u.run('PSUBSCRIBE', 'news.*')).toEqual([['psubscribe', 'news.*', 1]]);
    expect(await u.run('PSUBSCRIBE', 'news.e*')).toMatch(/^-NOPERM/);
    expect(await u.run('SSUBSCRIBE', 'alerts')).toEqual([['ssubscribe', 'alerts', 1]]);
    // UNSUBSCRIBE is never checked.
    expect(await u.run('UNSUBSCRIBE', 'secret')).toEqual([['unsubscribe', 'secret', 1]]);
    const log = (await admin.run('ACL', 'LOG')) as Array<{ map: Array<[Plain, Plain]> }>;
    const entry = (i: number) => Object.fromEntries(log[i].map);
    expect(entry(0).reason).toBe('channel');
    expect(entry(0).object).toBe('news.e*');
    expect(entry(2).object).toBe('sport');
    expect(await admin.run('ACL', 'GETUSER', 'u')).toMatchObject({
      map: expect.arrayContaining([['channels', '&news.* &alerts']]),
    });
    expect(await admin.run('ACL', 'DRYRUN', 'u', 'PUBLISH', 'x', 'm')).toBe(
      "This user has no permissions to access the 'x' channel",
    );
    t.close();
  });

  it('ACL SETUSER drops subscribers that lost a channel they hold, and only those', async () => {
    const t = createTestServer();
    const u = await userSession(t, ['&a', '&b']);
    const idle = await userSession(t, []);
    await u.run('SUBSCRIBE', 'a');
    const admin = subscriber(t);
    expect(await admin.run('ACL', 'SETUSER', 'u', '&c')).toBe('+OK');
    expect(u.closed).toBe(false);
    expect(await admin.run('ACL', 'SETUSER', 'u', 'resetchannels', '&b')).toBe('+OK');
    expect(u.closed).toBe(true);
    expect(idle.closed).toBe(false);
    t.close();
  });

  it('acl-pubsub-default allchannels gives new and reset users every channel', async () => {
    const t = createTestServer();
    const admin = subscriber(t);
    expect(await admin.run('CONFIG', 'SET', 'acl-pubsub-default', 'allchannels')).toBe('+OK');
    await admin.run('ACL', 'SETUSER', 'n');
    await admin.run('ACL', 'SETUSER', 'r', 'reset');
    const list = (await admin.run('ACL', 'LIST')) as string[];
    expect(list).toContain('user n off &* -@all');
    expect(list).toContain('user r off sanitize-payload &* -@all');
    expect(await admin.run('ACL', 'SETUSER', 'n', '&x')).toMatch(/Adding a pattern after the \* pattern/);
    t.close();
  });
});
