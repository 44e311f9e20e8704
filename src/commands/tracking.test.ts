import { afterEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../server/testing.js';
import type { ClientState } from './context.js';
import {
  ErrorReply,
  MapReply,
  PushReply,
  type Reply,
  SequenceReply,
  SetReply,
  SimpleReply,
  VerbatimReply,
} from './reply.js';

let t: TestServer;
afterEach(() => t?.close());

/** Replies as plain values: pushes as { push: [...] }, bulks as strings. */
function show(r: Reply): unknown {
  if (Buffer.isBuffer(r)) return r.toString('latin1');
  if (r instanceof PushReply) return { push: r.items.map(show) };
  if (r instanceof SequenceReply) return r.replies.map(show);
  if (r instanceof SetReply) return r.items.map(show);
  if (r instanceof MapReply) return Object.fromEntries(r.entries.map(([k, v]) => [show(k), show(v)]));
  if (r instanceof ErrorReply) return `-${r.message}`;
  if (r instanceof SimpleReply) return `+${r.value}`;
  if (r instanceof VerbatimReply) return r.text;
  if (Array.isArray(r)) return r.map(show);
  return r;
}

interface Probe {
  c: ClientState;
  /** Pushes received from other clients' commands (sent at once). */
  got: unknown[];
  /** Take what arrived: pushes sent at once, then those the door writes after the own reply. */
  take(): unknown[];
}

function probe(resp: 2 | 3 = 3): Probe {
  const got: unknown[] = [];
  const c = t.client({
    push: (r) => {
      got.push(show(r));
      return true;
    },
  });
  c.resp = resp;
  return {
    c,
    got,
    take() {
      const own = (c.deferredPushes ?? []).map(show);
      c.deferredPushes = null;
      return [...got.splice(0), ...own];
    },
  };
}

const run = (p: Probe, ...args: string[]) => t.run(p.c, ...args).then(show);
const inv = (keys: string[] | null) => ({ push: ['invalidate', keys] });
const tick = () => new Promise((r) => setImmediate(r));

describe('CLIENT TRACKING default mode', () => {
  it('invalidates a key read by a tracking client once, when another client changes it', async () => {
    t = createTestServer();
    const a = probe();
    const b = probe();
    expect(await run(a, 'CLIENT', 'TRACKING', 'on')).toBe('+OK');
    expect(await run(a, 'GET', 'k')).toBeNull();
    expect(a.take()).toEqual([]);
    await run(b, 'SET', 'k', 'v');
    expect(a.take()).toEqual([inv(['k'])]);
    // Forgotten until read again.
    await run(b, 'SET', 'k', 'w');
    expect(a.take()).toEqual([]);
    await run(a, 'MGET', 'k', 'k2');
    await run(b, 'MSET', 'k', '1', 'k2', '2');
    expect(a.take()).toEqual([inv(['k']), inv(['k2'])]);
    // A client that does not track gets nothing.
    expect(b.take()).toEqual([]);
  });

  it("queues the invalidation of a key a client changed itself after that command's reply", async () => {
    t = createTestServer();
    const a = probe();
    await run(a, 'CLIENT', 'TRACKING', 'on');
    await run(a, 'GET', 'k');
    expect(await run(a, 'SET', 'k', 'v')).toBe('+OK');
    expect(a.got).toEqual([]);
    expect(a.take()).toEqual([inv(['k'])]);
    // Inside EXEC: after the whole EXEC reply.
    await run(a, 'GET', 'k');
    await run(a, 'MULTI');
    await run(a, 'SET', 'k', 'x');
    expect(await run(a, 'EXEC')).toEqual(['+OK']);
    expect(a.got).toEqual([]);
    expect(a.take()).toEqual([inv(['k'])]);
  });

  it('NOLOOP leaves out keys the client changed itself', async () => {
    t = createTestServer();
    const a = probe();
    const b = probe();
    await run(a, 'CLIENT', 'TRACKING', 'on', 'NOLOOP');
    await run(a, 'GET', 'k');
    await run(a, 'SET', 'k', '1');
    expect(a.take()).toEqual([]);
    await run(a, 'GET', 'k');
    await run(b, 'SET', 'k', '2');
    expect(a.take()).toEqual([inv(['k'])]);
  });

  it('OPTIN tracks only after CLIENT CACHING YES, for one command or one transaction', async () => {
    t = createTestServer();
    const a = probe();
    const b = probe();
    await run(a, 'CLIENT', 'TRACKING', 'on', 'OPTIN');
    await run(a, 'GET', 'o1');
    await run(b, 'SET', 'o1', 'x');
    expect(a.take()).toEqual([]);
    expect(await run(a, 'CLIENT', 'CACHING', 'yes')).toBe('+OK');
    await run(a, 'CLIENT', 'ID'); // a CLIENT subcommand keeps it
    await run(a, 'GET', 'o1');
    await run(a, 'GET', 'o2'); // spent by the GET before
    await run(b, 'MSET', 'o1', 'y', 'o2', 'y');
    expect(a.take()).toEqual([inv(['o1'])]);
    await run(a, 'CLIENT', 'CACHING', 'yes');
    await run(a, 'MULTI');
    await run(a, 'GET', 'o1');
    await run(a, 'GET', 'o2');
    await run(a, 'EXEC');
    await run(a, 'GET', 'o3');
    await run(b, 'MSET', 'o1', 'z', 'o2', 'z', 'o3', 'z');
    expect(a.take()).toEqual([inv(['o1']), inv(['o2'])]);
  });

  it('OPTOUT tracks everything but the command after CLIENT CACHING NO', async () => {
    t = createTestServer();
    const a = probe();
    const b = probe();
    await run(a, 'CLIENT', 'TRACKING', 'on', 'OPTOUT');
    await run(a, 'GET', 'o1');
    await run(a, 'CLIENT', 'CACHING', 'no');
    await run(a, 'GET', 'o2');
    await run(b, 'MSET', 'o1', 'y', 'o2', 'y');
    expect(a.take()).toEqual([inv(['o1'])]);
  });

  it('FLUSHALL and FLUSHDB send one null to every tracking client; SWAPDB sends nothing', async () => {
    t = createTestServer();
    const a = probe();
    const bc = probe();
    const b = probe();
    await run(a, 'CLIENT', 'TRACKING', 'on');
    await run(bc, 'CLIENT', 'TRACKING', 'on', 'BCAST');
    await run(a, 'GET', 'k');
    await run(b, 'SWAPDB', '0', '1');
    expect(a.take()).toEqual([]);
    await run(b, 'FLUSHALL');
    expect(a.take()).toEqual([inv(null)]);
    expect(bc.take()).toEqual([inv(null)]);
    await run(b, 'FLUSHDB');
    expect(a.take()).toEqual([inv(null)]);
    expect(bc.take()).toEqual([inv(null)]);
    expect(t.server.observers.tracking.figures().keys).toBe(0);
    // The flushing client's own null follows its reply; two FLUSHALLs in EXEC send two.
    await run(a, 'MULTI');
    await run(a, 'FLUSHALL');
    await run(a, 'FLUSHALL');
    await run(a, 'EXEC');
    expect(a.got).toEqual([]);
    expect(a.take()).toEqual([inv(null), inv(null)]);
    expect(bc.take()).toEqual([inv(null), inv(null)]);
  });

  it('invalidates keys removed by expiry', async () => {
    t = createTestServer();
    const a = probe();
    const b = probe();
    await run(a, 'CLIENT', 'TRACKING', 'on');
    await run(b, 'SET', 'k', 'v', 'PX', '100');
    await run(a, 'GET', 'k');
    t.clock.advance(200);
    await run(b, 'EXISTS', 'k');
    expect(a.take()).toEqual([inv(['k'])]);
  });
});

describe('CLIENT TRACKING redirection', () => {
  it('sends to a RESP2 redirect client in subscribed mode as a __redis__:invalidate message', async () => {
    t = createTestServer();
    const r = probe(2);
    const a = probe(2);
    const b = probe();
    await run(a, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', String(r.c.id));
    await run(a, 'GET', 'k');
    await run(b, 'SET', 'k', '1');
    // Not subscribed: nothing (RESP2 has no pushes), and the key is forgotten.
    expect(r.take()).toEqual([]);
    await run(r, 'SUBSCRIBE', 'anything');
    r.take();
    await run(a, 'GET', 'k');
    await run(b, 'SET', 'k', '2');
    expect(r.take()).toEqual([{ push: ['message', '__redis__:invalidate', ['k']] }]);
    await run(b, 'FLUSHALL');
    expect(r.take()).toEqual([{ push: ['message', '__redis__:invalidate', null] }]);
    expect(a.take()).toEqual([]);
    expect(await run(a, 'CLIENT', 'GETREDIR')).toBe(r.c.id);
  });

  it('reports a redirect client that went away to a RESP3 client, on the next invalidation', async () => {
    t = createTestServer();
    const r = probe();
    const a = probe();
    const b = probe();
    await run(a, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', String(r.c.id));
    await run(a, 'GET', 'k');
    await run(b, 'SET', 'k', '1');
    expect(r.take()).toEqual([inv(['k'])]);
    t.server.closeClient(r.c);
    await run(a, 'GET', 'k');
    expect(a.take()).toEqual([]);
    await run(b, 'SET', 'k', '2');
    expect(a.take()).toEqual([{ push: ['tracking-redir-broken', r.c.id] }]);
    const info = (await run(a, 'CLIENT', 'TRACKINGINFO')) as Record<string, unknown>;
    expect(info).toEqual({ flags: ['on', 'broken_redirect'], redirect: r.c.id, prefixes: [] });
    expect(await run(a, 'CLIENT', 'INFO')).toMatch(/ flags=tR .* redir=\d+ /);
  });
});

describe('CLIENT TRACKING BCAST', () => {
  it('sends the changed keys under each prefix, sorted, once the event loop turn is over', async () => {
    t = createTestServer();
    const a = probe();
    const c = probe();
    const b = probe();
    await run(a, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'obj:');
    await run(c, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'NOLOOP');
    await run(b, 'MSET', 'user:2', 'x', 'obj:1', 'y', 'user:1', 'z', 'other', 'q');
    expect(a.take()).toEqual([]);
    await tick();
    expect(a.take()).toEqual([inv(['obj:1']), inv(['user:1', 'user:2'])]);
    expect(c.take()).toEqual([inv(['obj:1', 'other', 'user:1', 'user:2'])]);
    // NOLOOP: a client's own changes are left out, nothing at all when only those remain.
    await run(c, 'SET', 'user:6', '1');
    await run(b, 'SET', 'user:7', '1');
    await tick();
    expect(c.take()).toEqual([inv(['user:7'])]);
    expect(a.take()).toEqual([inv(['user:6', 'user:7'])]);
    await run(c, 'SET', 'user:8', '1');
    await tick();
    expect(c.take()).toEqual([]);
    expect(t.server.observers.tracking.figures()).toEqual({ keys: 0, items: 0, prefixes: 3 });
    expect(await run(c, 'CLIENT', 'INFO')).toMatch(/ flags=tB /);
    await run(a, 'CLIENT', 'TRACKING', 'off');
    expect(t.server.observers.tracking.figures().prefixes).toBe(1);
  });
});

describe('CLIENT TRACKING options and errors (Redis 7.0 texts)', () => {
  it('answers as Redis does', async () => {
    t = createTestServer();
    const a = probe();
    const cases: Array<[string[], unknown]> = [
      [['on', 'REDIRECT', '999999'], '-ERR The client ID you want redirect to does not exist'],
      [['on', 'REDIRECT', '0'], '-ERR The client ID you want redirect to does not exist'],
      [['on', 'REDIRECT', 'abc'], '-ERR value is not an integer or out of range'],
      [['on', 'REDIRECT'], '-ERR syntax error'],
      [['off', 'REDIRECT', '999999'], '-ERR The client ID you want redirect to does not exist'],
      [['maybe'], '-ERR syntax error'],
      [['on', 'foo'], '-ERR syntax error'],
      [['on', 'PREFIX', 'a'], '-ERR PREFIX option requires BCAST mode to be enabled'],
      [['on', 'BCAST', 'OPTIN'], '-ERR OPTIN and OPTOUT are not compatible with BCAST'],
      [['on', 'OPTIN', 'OPTOUT'], "-ERR You can't specify both OPTIN mode and OPTOUT mode"],
      [
        ['on', 'BCAST', 'PREFIX', 'ab', 'PREFIX', 'a'],
        "-ERR Prefix 'ab' overlaps with another provided prefix 'a'. Prefixes for a single client must not overlap.",
      ],
      [
        ['on', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'b', 'PREFIX', 'bc'],
        "-ERR Prefix 'b' overlaps with another provided prefix 'bc'. Prefixes for a single client must not overlap.",
      ],
      [['on', 'BCAST', 'PREFIX', 'a'], '+OK'],
      [
        ['on', 'BCAST', 'PREFIX', 'ab'],
        "-ERR Prefix 'ab' overlaps with an existing prefix 'a'. Prefixes for a single client must not overlap.",
      ],
      [
        ['on'],
        "-ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
      ],
      [['on', 'BCAST', 'NOLOOP'], '+OK'],
      [['off'], '+OK'],
      [['on', 'OPTIN'], '+OK'],
      [
        ['on', 'OPTOUT'],
        "-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
      ],
      [
        ['on', 'REDIRECT', String(a.c.id), 'REDIRECT', String(a.c.id)],
        '-ERR A client can only redirect to a single other client',
      ],
    ];
    for (const [args, want] of cases)
      expect([args, await run(a, 'CLIENT', 'TRACKING', ...args)]).toEqual([args, want]);
    expect(await run(a, 'CLIENT', 'TRACKING')).toBe(
      "-ERR wrong number of arguments for 'client|tracking' command",
    );
  });

  it('reports its state with TRACKINGINFO and GETREDIR, and CLIENT CACHING checks the mode', async () => {
    t = createTestServer();
    const a = probe();
    expect(await run(a, 'CLIENT', 'TRACKINGINFO')).toEqual({ flags: ['off'], redirect: -1, prefixes: [] });
    expect(await run(a, 'CLIENT', 'GETREDIR')).toBe(-1);
    expect(await run(a, 'CLIENT', 'CACHING', 'yes')).toBe(
      '-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
    );
    await run(a, 'CLIENT', 'TRACKING', 'on', 'OPTIN', 'NOLOOP');
    expect(await run(a, 'CLIENT', 'CACHING', 'no')).toBe(
      '-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.',
    );
    expect(await run(a, 'CLIENT', 'CACHING', 'maybe')).toBe('-ERR syntax error');
    expect(await run(a, 'CLIENT', 'CACHING', 'yes')).toBe('+OK');
    expect(await run(a, 'CLIENT', 'TRACKINGINFO')).toEqual({
      flags: ['on', 'optin', 'caching-yes', 'noloop'],
      redirect: 0,
      prefixes: [],
    });
    expect(await run(a, 'CLIENT', 'GETREDIR')).toBe(0);
    await run(a, 'CLIENT', 'TRACKING', 'off');
    await run(a, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'a');
    expect(await run(a, 'CLIENT', 'TRACKINGINFO')).toEqual({
      flags: ['on', 'bcast'],
      redirect: 0,
      prefixes: ['a', 'b'],
    });
    expect(await run(a, 'CLIENT', 'CACHING', 'yes')).toBe(
      '-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.',
    );
    // RESET turns tracking off.
    await run(a, 'RESET');
    expect(await run(a, 'CLIENT', 'GETREDIR')).toBe(-1);
    expect(t.server.observers.tracking.clients).toBe(0);
    expect(t.server.observers.active).toBe(false);
  });

  it('counts clients, keys, items and prefixes for INFO', async () => {
    t = createTestServer();
    const d = probe();
    const e = probe();
    const f = probe();
    await run(d, 'CLIENT', 'TRACKING', 'on');
    await run(d, 'MGET', 'a', 'b', 'c');
    await run(e, 'CLIENT', 'TRACKING', 'on');
    await run(e, 'GET', 'a');
    await run(e, 'EXISTS', 'zz');
    await run(f, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'y');
    const info = (await run(d, 'INFO', 'everything')) as string;
    expect(info).toContain('tracking_clients:3\r\n');
    expect(info).toContain(
      'tracking_total_keys:4\r\ntracking_total_items:5\r\ntracking_total_prefixes:2\r\n',
    );
    await run(e, 'CLIENT', 'TRACKING', 'off');
    await run(f, 'SET', 'a', '1');
    expect(t.server.observers.tracking.figures()).toEqual({ keys: 3, items: 3, prefixes: 2 });
  });

  it('keeps the table within tracking-table-max-keys, invalidating what it forgets', async () => {
    t = createTestServer();
    const d = probe();
    await run(d, 'CONFIG', 'SET', 'tracking-table-max-keys', '2');
    await run(d, 'CLIENT', 'TRACKING', 'on');
    expect(await run(d, 'MGET', 'k1', 'k2', 'k3', 'k4', 'k5')).toEqual([null, null, null, null, null]);
    // As in Redis's processCommand, the table is brought within the limit before the next command.
    expect(d.take()).toEqual([]);
    await run(d, 'PING');
    expect(d.take()).toEqual([inv(['k1']), inv(['k2']), inv(['k3'])]);
    expect(t.server.observers.tracking.figures().keys).toBe(2);
    await run(d, 'CONFIG', 'SET', 'tracking-table-max-keys', '0');
    await run(d, 'MGET', 'k1', 'k2', 'k3', 'k4', 'k5');
    expect(d.take()).toEqual([]);
    expect(t.server.observers.tracking.figures().keys).toBe(5);
  });
});

describe('commands run by a script', () => {
  it("track their reads for the caller, and queue the caller's invalidations on the running copy", async () => {
    t = createTestServer();
    const a = probe();
    const b = probe();
    await run(a, 'CLIENT', 'TRACKING', 'on', 'NOLOOP');
    const copy = Object.assign(Object.create(Object.getPrototypeOf(a.c)) as ClientState, a.c);
    const ctx = { client: copy, server: t.server, signal: null, deadline: 0, fromScript: true };
    const argv = (...s: string[]) => s.map((x) => Buffer.from(x));
    await t.server.execute(ctx, argv('GET', 's1'));
    await t.server.execute(ctx, argv('GET', 's2'));
    await run(b, 'SET', 's1', 'x');
    expect(a.take()).toEqual([inv(['s1'])]);
    // NOLOOP: the script's own change is the caller's change.
    await t.server.execute(ctx, argv('SET', 's2', 'y'));
    expect(copy.deferredPushes).toBeNull();
    expect(a.take()).toEqual([]);
    await run(a, 'CLIENT', 'TRACKING', 'on');
    await t.server.execute(ctx, argv('GET', 's3'));
    await t.server.execute(ctx, argv('SET', 's3', 'y'));
    expect(a.got).toEqual([]);
    expect((copy.deferredPushes ?? []).map(show)).toEqual([inv(['s3'])]);
  });
});
