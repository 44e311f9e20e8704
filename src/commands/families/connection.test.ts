import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestServer, type TestServer } from '../../server/testing.js';
import { ErrorReply, MapReply, OK, PONG, QUEUED, SimpleReply } from '../reply.js';

let t: TestServer;
afterEach(() => t?.close());

const text = (r: unknown) =>
  r instanceof ErrorReply
    ? r.message
    : r instanceof SimpleReply
      ? `+${r.value}`
      : Buffer.isBuffer(r)
        ? r.toString()
        : r;

/** HELLO's map as a plain object (bulk keys -> plain values). */
function helloObject(r: unknown): Record<string, unknown> {
  expect(r).toBeInstanceOf(MapReply);
  return Object.fromEntries(
    (r as MapReply).entries.map(([k, v]) => [String(k), Buffer.isBuffer(v) ? v.toString() : v]),
  );
}

describe('PING / ECHO', () => {
  it('answers PONG, or the message as a bulk string', async () => {
    t = createTestServer();
    const c = t.client();
    expect(await t.run(c, 'PING')).toBe(PONG);
    expect(text(await t.run(c, 'ping', 'hello'))).toBe('hello');
    expect(text(await t.run(c, 'PING', 'a', 'b'))).toBe("ERR wrong number of arguments for 'ping' command");
    expect(text(await t.run(c, 'ECHO', Buffer.from([0, 255, 10])))).toBe(
      Buffer.from([0, 255, 10]).toString(),
    );
    expect(text(await t.run(c, 'ECHO'))).toBe("ERR wrong number of arguments for 'echo' command");
  });

  it('copies the message so the door may reuse its input buffer', async () => {
    t = createTestServer();
    const c = t.client();
    const arg = Buffer.from('abc');
    const r = (await t.run(c, 'ECHO', arg)) as Buffer;
    arg.fill(0);
    expect(r.toString()).toBe('abc');
  });
});

describe('SELECT', () => {
  it('changes the database within range, with Redis errors outside it', async () => {
    t = createTestServer();
    const c = t.client();
    expect(await t.run(c, 'SELECT', '15')).toBe(OK);
    expect(c.db).toBe(15);
    await t.run(c, 'SET', 'k', 'v');
    expect(t.keyspace.get(15, Buffer.from('k'))?.toString()).toBe('v');
    expect(text(await t.run(c, 'SELECT', '16'))).toBe('ERR DB index is out of range');
    expect(text(await t.run(c, 'SELECT', '-1'))).toBe('ERR DB index is out of range');
    expect(text(await t.run(c, 'SELECT', '2147483647'))).toBe('ERR DB index is out of range');
    expect(text(await t.run(c, 'SELECT', '2147483648'))).toBe(
      'ERR value is out of range, value must between -2147483648 and 2147483647',
    );
    expect(text(await t.run(c, 'SELECT', '99999999999999999999'))).toBe(
      'ERR value is not an integer or out of range',
    );
    expect(text(await t.run(c, 'SELECT', 'abc'))).toBe('ERR value is not an integer or out of range');
    expect(text(await t.run(c, 'SELECT', '01'))).toBe('ERR value is not an integer or out of range');
    expect(c.db).toBe(15);
  });

  it('follows the databases option', async () => {
    t = createTestServer({ config: { databases: '2' } });
    const c = t.client();
    expect(await t.run(c, 'SELECT', '1')).toBe(OK);
    expect(text(await t.run(c, 'SELECT', '2'))).toBe('ERR DB index is out of range');
  });
});

describe('QUIT', () => {
  it('replies OK and closes the connection', async () => {
    t = createTestServer();
    const close = vi.fn();
    const c = t.client({ close });
    expect(await t.run(c, 'QUIT')).toBe(OK);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('runs at once inside MULTI and before AUTH', async () => {
    t = createTestServer({ config: { requirepass: 'pw' } });
    const close = vi.fn();
    const c = t.client({ close });
    expect(await t.run(c, 'QUIT')).toBe(OK);
    t.server.closeClient(c);
    const d = t.client({ close });
    await t.run(d, 'AUTH', 'pw');
    await t.run(d, 'MULTI');
    expect(await t.run(d, 'QUIT')).toBe(OK);
    expect(close).toHaveBeenCalledTimes(2);
  });
});

describe('AUTH', () => {
  it("answers Redis's error when no password is configured", async () => {
    t = createTestServer();
    const c = t.client();
    expect(text(await t.run(c, 'AUTH', 'x'))).toBe(
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    );
    // The two-argument form checks the user: `default` has no password, anyone else does not exist.
    expect(await t.run(c, 'AUTH', 'default', 'anything')).toBe(OK);
    expect(text(await t.run(c, 'AUTH', 'bob', 'x'))).toBe(
      'WRONGPASS invalid username-password pair or user is disabled.',
    );
    expect(text(await t.run(c, 'AUTH', 'a', 'b', 'c'))).toBe('ERR syntax error');
  });

  it('guards every other command until the password is given', async () => {
    t = createTestServer({ config: { requirepass: 'sekret' } });
    const c = t.client();
    expect(c.authenticated).toBe(false);
    expect(text(await t.run(c, 'GET', 'k'))).toBe('NOAUTH Authentication required.');
    expect(text(await t.run(c, 'AUTH', 'nope'))).toBe(
      'WRONGPASS invalid username-password pair or user is disabled.',
    );
    expect(text(await t.run(c, 'AUTH', 'sekre'))).toBe(
      'WRONGPASS invalid username-password pair or user is disabled.',
    );
    expect(c.authenticated).toBe(false);
    expect(await t.run(c, 'AUTH', 'sekret')).toBe(OK);
    expect(await t.run(c, 'PING')).toBe(PONG);
    const d = t.client();
    expect(await t.run(d, 'AUTH', 'default', 'sekret')).toBe(OK);
    expect(d.user).toBe('default');
  });

  it('follows CONFIG SET requirepass for new connections', async () => {
    t = createTestServer();
    const admin = t.client();
    expect(await t.run(admin, 'CONFIG', 'SET', 'requirepass', 'pw')).toBe(OK);
    expect(await t.run(admin, 'PING')).toBe(PONG);
    const c = t.client();
    expect(text(await t.run(c, 'PING'))).toBe('NOAUTH Authentication required.');
    expect(await t.run(c, 'AUTH', 'pw')).toBe(OK);
  });
});

describe('HELLO', () => {
  it('answers the server map and switches protocol', async () => {
    t = createTestServer();
    const c = t.client();
    const h = helloObject(await t.run(c, 'HELLO', '3'));
    expect(h).toEqual({
      server: 'redis',
      version: '7.0.15',
      proto: 3,
      id: c.id,
      mode: 'standalone',
      role: 'master',
      modules: [],
    });
    expect(c.resp).toBe(3);
    expect(helloObject(await t.run(c, 'HELLO')).proto).toBe(3);
    expect(helloObject(await t.run(c, 'HELLO', '2')).proto).toBe(2);
    expect(c.resp).toBe(2);
  });

  it('refuses unsupported versions and bad options with Redis errors', async () => {
    t = createTestServer();
    const c = t.client();
    expect(text(await t.run(c, 'HELLO', '4'))).toBe('NOPROTO unsupported protocol version');
    expect(text(await t.run(c, 'HELLO', '1'))).toBe('NOPROTO unsupported protocol version');
    expect(text(await t.run(c, 'HELLO', 'abc'))).toBe(
      'ERR Protocol version is not an integer or out of range',
    );
    expect(text(await t.run(c, 'HELLO', '3', 'foo'))).toBe("ERR Syntax error in HELLO option 'foo'");
    expect(text(await t.run(c, 'HELLO', '2', 'AUTH', 'default'))).toBe(
      "ERR Syntax error in HELLO option 'AUTH'",
    );
    expect(text(await t.run(c, 'HELLO', '2', 'setname'))).toBe("ERR Syntax error in HELLO option 'setname'");
    expect(text(await t.run(c, 'HELLO', '2', 'SETNAME', 'a b'))).toBe(
      'ERR Client names cannot contain spaces, newlines or special characters.',
    );
    expect(c.resp).toBe(2);
    expect(t.server.stats.errors.get('NOPROTO')).toBe(2);
  });

  it('authenticates and names the client in one round trip', async () => {
    t = createTestServer({ config: { requirepass: 'sekret' } });
    const c = t.client();
    expect(text(await t.run(c, 'HELLO', '3'))).toBe(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
    expect(c.resp).toBe(2);
    expect(text(await t.run(c, 'HELLO', '3', 'AUTH', 'default', 'nope'))).toBe(
      'WRONGPASS invalid username-password pair or user is disabled.',
    );
    const h = helloObject(await t.run(c, 'HELLO', '3', 'AUTH', 'default', 'sekret', 'SETNAME', 'app-1'));
    expect(h.proto).toBe(3);
    expect(c.authenticated).toBe(true);
    expect(c.name).toBe('app-1');
  });

  it('applies options in order, as Redis 7.0 does', async () => {
    t = createTestServer({ config: { requirepass: 'pw' } });
    // A bad SETNAME before AUTH stops before authenticating ...
    const a = t.client();
    await t.run(a, 'HELLO', '2', 'SETNAME', 'a b', 'AUTH', 'default', 'pw');
    expect(a.authenticated).toBe(false);
    // ... after AUTH, the client is authenticated but not named.
    const b = t.client();
    await t.run(b, 'HELLO', '2', 'AUTH', 'default', 'pw', 'SETNAME', 'a b');
    expect(b.authenticated).toBe(true);
    expect(b.name).toBe('');
  });
});

describe('RESET', () => {
  it('returns the connection to its initial state', async () => {
    t = createTestServer();
    const c = t.client();
    await t.run(c, 'SELECT', '3');
    await t.run(c, 'HELLO', '3', 'SETNAME', 'x');
    await t.run(c, 'CLIENT', 'NO-EVICT', 'on');
    await t.run(c, 'WATCH', 'k');
    await t.run(c, 'MULTI');
    expect(await t.run(c, 'SET', 'k', 'v')).toBe(QUEUED);
    expect(text(await t.run(c, 'RESET'))).toBe('+RESET');
    expect(c).toMatchObject({
      db: 0,
      resp: 2,
      name: '',
      noEvict: false,
      multi: null,
      watching: null,
      replyMode: 'on',
    });
    expect(text(await t.run(c, 'EXEC'))).toBe('ERR EXEC without MULTI');
    expect(t.keyspace.get(0, Buffer.from('k'))).toBeNull();
    expect(text(await t.run(c, 'RESET', 'x'))).toBe("ERR wrong number of arguments for 'reset' command");
  });

  it('forgets authentication when a password is required', async () => {
    t = createTestServer({ config: { requirepass: 'pw' } });
    const c = t.client();
    expect(text(await t.run(c, 'RESET'))).toBe('+RESET');
    await t.run(c, 'AUTH', 'pw');
    expect(await t.run(c, 'PING')).toBe(PONG);
    await t.run(c, 'RESET');
    expect(text(await t.run(c, 'PING'))).toBe('NOAUTH Authentication required.');
  });
});
