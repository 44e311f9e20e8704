import { afterEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../server/testing.js';
import type { ClientState } from './context.js';
import { monitorLine, redactedArgs, repr } from './monitor.js';
import { ErrorReply, NO_REPLY, type Reply, SimpleReply, VerbatimReply } from './reply.js';

let t: TestServer;
afterEach(() => t?.close());

const b = (s: string) => Buffer.from(s, 'latin1');

describe('monitor line format', () => {
  it("quotes and escapes arguments as Redis's sdscatrepr", () => {
    expect(repr(b('v 1"\\\n\x01\xc3\xbf'))).toBe('"v 1\\"\\\\\\n\\x01\\xc3\\xbf"');
    expect(repr(b('\r\t\x07\x08\x7f~ '))).toBe('"\\r\\t\\a\\b\\x7f~ "');
    expect(repr(b(''))).toBe('""');
    expect(monitorLine(1_339_518_083_007_412, 0, '127.0.0.1:60866', [b('keys'), b('*')])).toBe(
      '1339518083.007412 [0 127.0.0.1:60866] "keys" "*"',
    );
  });

  it("redacts what Redis 7.0 redacts, following each command's own parsing", () => {
    const args = (...s: string[]) => s.map(b);
    expect(redactedArgs('auth', args('AUTH', 'pw'))).toEqual(new Set([1]));
    expect(redactedArgs('auth', args('AUTH', 'u', 'pw'))).toEqual(new Set([1, 2]));
    expect(redactedArgs('auth', args('AUTH', 'u', 'pw', 'x'))).toBeNull();
    expect(redactedArgs('hello', args('HELLO', '3', 'SETNAME', 'n', 'AUTH', 'u', 'p'))).toEqual(
      new Set([5, 6]),
    );
    expect(redactedArgs('hello', args('HELLO', '4', 'AUTH', 'u', 'p'))).toBeNull();
    expect(redactedArgs('hello', args('HELLO', '3', 'BAD', 'AUTH', 'u', 'p'))).toBeNull();
    expect(redactedArgs('migrate', args('MIGRATE', 'h', '1', 'k', '0', '10', 'COPY', 'AUTH', 'pw'))).toEqual(
      new Set([8]),
    );
    expect(redactedArgs('migrate', args('MIGRATE', 'h', '1', 'k', '0', '10', 'AUTH2', 'u', 'pw'))).toEqual(
      new Set([7, 8]),
    );
    expect(redactedArgs('set', args('SET', 'auth', 'x'))).toBeNull();
  });
});

interface Probe {
  c: ClientState;
  lines: string[];
  /** Lines sent at once, then those the door writes after the client's own reply. */
  take(): string[];
}

function probe(addr = '127.0.0.1:50000'): Probe {
  const lines: string[] = [];
  const c = t.client({
    addr,
    push: (r: Reply) => {
      if (r instanceof SimpleReply) lines.push(r.value);
      return true;
    },
  });
  return {
    c,
    lines,
    take() {
      const own = (c.deferredPushes ?? []).map((r) => (r as SimpleReply).value);
      c.deferredPushes = null;
      return [...lines.splice(0), ...own].map((l) => l.replace(/^\d+\.\d{6} /, 'T '));
    },
  };
}

const run = (p: Probe, ...args: string[]) => t.run(p.c, ...args);
const text = (r: Reply) =>
  r instanceof ErrorReply
    ? r.message
    : r instanceof VerbatimReply
      ? r.text
      : r instanceof SimpleReply
        ? r.value
        : r;

describe('MONITOR', () => {
  it('shows the commands of every client after they ran, without admin commands', async () => {
    t = createTestServer();
    const m = probe('127.0.0.1:1111');
    const a = probe('127.0.0.1:2222');
    expect(text(await run(m, 'MONITOR'))).toBe('OK');
    expect(m.take()).toEqual([]);
    await run(a, 'SET', 'k', 'v 1');
    await run(a, 'get', 'k');
    await run(a, 'NOSUCH', 'x'); // rejected: never shown
    await run(a, 'GET'); // wrong arity: never shown
    await run(a, 'SELECT', '2'); // shown with the database it leaves the client in
    await run(a, 'CONFIG', 'GET', 'maxmemory'); // admin
    await run(a, 'CLIENT', 'LIST'); // admin
    await run(a, 'CLIENT', 'ID');
    await run(a, 'AUTH', 'secret'); // fails, shown redacted
    await run(a, 'INCR', 'k'); // fails, shown
    expect(m.take()).toEqual([
      'T [0 127.0.0.1:2222] "SET" "k" "v 1"',
      'T [0 127.0.0.1:2222] "get" "k"',
      'T [2 127.0.0.1:2222] "SELECT" "2"',
      'T [2 127.0.0.1:2222] "CLIENT" "ID"',
      'T [2 127.0.0.1:2222] "AUTH" "(redacted)"',
      'T [2 127.0.0.1:2222] "INCR" "k"',
    ]);
    expect(text(await run(a, 'CLIENT', 'LIST'))).toMatch(
      /id=\d+ addr=127\.0\.0\.1:1111 .* flags=O .*cmd=monitor/,
    );
  });

  it('shows MULTI, the queued commands when EXEC runs them, then EXEC', async () => {
    t = createTestServer();
    const m = probe();
    const a = probe('127.0.0.1:2222');
    await run(m, 'MONITOR');
    await run(a, 'MULTI');
    await run(a, 'SET', 'x', '1');
    await run(a, 'GET', 'x');
    expect(m.take()).toEqual(['T [0 127.0.0.1:2222] "MULTI"']);
    const reply = await run(a, 'EXEC');
    expect(Array.isArray(reply) && reply.length).toBe(2);
    expect(m.take()).toEqual([
      'T [0 127.0.0.1:2222] "SET" "x" "1"',
      'T [0 127.0.0.1:2222] "GET" "x"',
      'T [0 127.0.0.1:2222] "EXEC"',
    ]);
  });

  it("writes a monitor's own line after its reply, refuses its keyspace commands, and ends with RESET", async () => {
    t = createTestServer();
    const m = probe('127.0.0.1:1111');
    const other = probe();
    await run(other, 'MONITOR');
    await run(m, 'MONITOR');
    expect(await run(m, 'MONITOR')).toBe(NO_REPLY);
    other.take();
    expect(text(await run(m, 'PING'))).toBe('PONG');
    expect(m.lines).toEqual([]);
    expect(m.take()).toEqual(['T [0 127.0.0.1:1111] "PING"']);
    expect(text(await run(m, 'GET', 'k'))).toBe("ERR Replica can't interact with the keyspace");
    expect(text(await run(m, 'PUBLISH', 'c', 'x'))).toBe("ERR Replica can't interact with the keyspace");
    expect(m.take()).toEqual([]);
    expect(text(await run(m, 'RESET'))).toBe('RESET');
    expect(m.take()).toEqual([]);
    expect(other.take()).toEqual(['T [0 127.0.0.1:1111] "PING"', 'T [0 127.0.0.1:1111] "RESET"']);
    expect(text(await run(m, 'GET', 'k'))).toBeNull();
    t.server.closeClient(other.c);
    expect(t.server.observers.monitors.count).toBe(0);
    expect(t.server.observers.active).toBe(false);
  });

  it('is refused inside EXEC, as Redis refuses it to a client that must not block', async () => {
    t = createTestServer();
    const a = probe();
    await run(a, 'MULTI');
    expect(text(await run(a, 'MONITOR'))).toBe('QUEUED');
    const reply = (await run(a, 'EXEC')) as Reply[];
    expect(text(reply[0])).toBe("ERR MONITOR isn't allowed for DENY BLOCKING client");
    expect(a.c.monitor).toBe(false);
  });
});

describe('commands run by a script', () => {
  it('show as `lua`, with the database the script selected', async () => {
    t = createTestServer();
    const m = probe();
    const a = probe('127.0.0.1:2222');
    await run(m, 'MONITOR');
    // The scripting layer runs a script's commands as a copy of the caller's client, with a
    // context marked fromScript.
    const copy = Object.assign(Object.create(Object.getPrototypeOf(a.c)) as ClientState, a.c);
    const ctx = { client: copy, server: t.server, signal: null, deadline: 0, fromScript: true };
    await t.server.execute(ctx, [b('SET'), b('lk'), b('1')]);
    await t.server.execute(ctx, [b('SELECT'), b('3')]);
    await t.server.execute(ctx, [b('GET'), b('lk')]);
    expect(m.take()).toEqual(['T [0 lua] "SET" "lk" "1"', 'T [3 lua] "SELECT" "3"', 'T [3 lua] "GET" "lk"']);
    expect(a.c.db).toBe(0);
  });
});
