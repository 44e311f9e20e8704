import { describe, expect, it } from 'vitest';
import { ZSetValue } from '../../engine/values/zset.js';
import { Errors } from '../../errors.js';
import { blockedClients } from '../blocking.js';
import { DoubleReply, type ErrorReply, NULL_ARRAY, type Reply, type VerbatimReply } from '../reply.js';
import { plain, type Session, session } from './test-helpers.js';

const argv = (...a: string[]) => a.map((x) => Buffer.from(x));

/** A second client on the same server, and a way to start a command without awaiting it. */
function other(s: Session) {
  const c = s.t.client();
  return {
    client: c,
    run: async (...a: string[]) => plain(await s.t.run(c, ...a)),
    start: (...a: string[]): Promise<Reply> => s.t.run(c, ...a),
  };
}

/** Lets settled promises run (a served waiter resolves in a microtask). */
const tick = () => new Promise((r) => setImmediate(r));

async function settled(p: Promise<Reply>): Promise<boolean> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await tick();
  return done;
}

describe('BLPOP / BRPOP', () => {
  it('pop at once from the first non-empty list', async () => {
    const s = session();
    await s.run('RPUSH', 'b', 'x', 'y');
    expect(await s.run('BLPOP', 'a', 'b', '1')).toEqual(['b', 'x']);
    expect(await s.run('BRPOP', 'a', 'b', '1')).toEqual(['b', 'y']);
    expect(await s.run('EXISTS', 'b')).toBe(0);
  });

  it('block until another client pushes, then answer [key, item]', async () => {
    const s = session();
    const w = other(s);
    const p = w.start('BLPOP', 'k', '0');
    expect(await settled(p)).toBe(false);
    expect(blockedClients(s.t.server)).toBe(1);
    expect(await s.run('RPUSH', 'k', 'a', 'b')).toBe(2);
    expect(plain(await p)).toEqual(['k', 'a']);
    expect(await s.run('LRANGE', 'k', '0', '-1')).toEqual(['b']);
    expect(blockedClients(s.t.server)).toBe(0);
  });

  it('serve waiters first come, first served, one item each', async () => {
    const s = session();
    const [a, b, c] = [other(s), other(s), other(s)];
    const pa = a.start('BRPOP', 'k', '0');
    const pb = b.start('BLPOP', 'k', '0');
    const pc = c.start('BLPOP', 'k', '0');
    expect(blockedClients(s.t.server)).toBe(3);
    expect(await s.run('RPUSH', 'k', '1', '2')).toBe(2);
    expect(plain(await pa)).toEqual(['k', '2']);
    expect(plain(await pb)).toEqual(['k', '1']);
    expect(await settled(pc)).toBe(false);
    await s.run('LPUSH', 'k', '3');
    expect(plain(await pc)).toEqual(['k', '3']);
    expect(await s.run('EXISTS', 'k')).toBe(0);
  });

  it('a waiter on several keys is served by the first that becomes ready, once', async () => {
    const s = session();
    const w = other(s);
    const p = w.start('BLPOP', 'k1', 'k2', 'k2', 'k1', '0');
    await s.run('RPUSH', 'k2', 'x');
    expect(plain(await p)).toEqual(['k2', 'x']);
    await s.run('RPUSH', 'k1', 'y');
    expect(await s.run('LRANGE', 'k1', '0', '-1')).toEqual(['y']);
    expect(s.t.server.blockedKeys.waitingKeys).toBe(0);
  });

  it('see a transaction as a whole: served after EXEC, not woken by a push it undid', async () => {
    const s = session();
    const w = other(s);
    let p = w.start('BLPOP', 'l', '0');
    await s.run('MULTI');
    await s.run('LPUSH', 'l', 'a');
    await s.run('LPUSH', 'l', 'b');
    await s.run('LPUSH', 'l', 'c');
    await s.run('EXEC');
    expect(plain(await p)).toEqual(['l', 'c']);
    await s.run('DEL', 'l');
    p = w.start('BLPOP', 'l', '0');
    await s.run('MULTI');
    await s.run('LPUSH', 'l', 'a');
    await s.run('DEL', 'l');
    await s.run('SET', 'l', 'foo');
    await s.run('EXEC');
    expect(await settled(p)).toBe(false);
    await s.run('DEL', 'l');
    await s.run('LPUSH', 'l', 'b');
    expect(plain(await p)).toEqual(['l', 'b']);
  });

  it('never block inside MULTI: answer as a timeout would', async () => {
    const s = session();
    await s.run('RPUSH', 'x', 'foo', 'bar');
    await s.run('MULTI');
    for (let i = 0; i < 3; i++) await s.run('BLPOP', 'x', '0');
    await s.run('BLMOVE', 'x', 't', 'LEFT', 'LEFT', '0');
    await s.run('BZPOPMIN', 'x', '0');
    const r = (await s.raw('EXEC')) as Reply[];
    expect(plain(r.slice(0, 2))).toEqual([
      ['x', 'foo'],
      ['x', 'bar'],
    ]);
    expect(r[2]).toBe(NULL_ARRAY);
    expect(r[3]).toBeNull();
    expect(r[4]).toBe(NULL_ARRAY);
    expect(blockedClients(s.t.server)).toBe(0);
  });

  it('time out with a fractional timeout and answer the null array', async () => {
    const s = session();
    const t0 = performance.now();
    expect(await s.raw('BLPOP', 'none', '0.05')).toBe(NULL_ARRAY);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
    expect(blockedClients(s.t.server)).toBe(0);
  });

  it('read the timeout as Redis does', async () => {
    const s = session();
    expect(await s.run('BLPOP', 'k', '-1')).toBe('-ERR timeout is negative');
    expect(await s.run('BLPOP', 'k', 'inf')).toBe('-ERR timeout is negative');
    expect(await s.run('BLPOP', 'k', '1e300')).toBe('-ERR timeout is negative');
    expect(await s.run('BLPOP', 'k', '0x7FFFFFFFFFFFFF')).toBe('-ERR timeout is negative');
    expect(await s.run('BLPOP', 'k', 'abc')).toBe('-ERR timeout is not a float or out of range');
    expect(await s.run('BLPOP', 'k', 'nan')).toBe('-ERR timeout is not a float or out of range');
    expect(await s.run('BLPOP', 'k', ' 1')).toBe('-ERR timeout is not a float or out of range');
    // Milliseconds round up: 0.001 s and 0.0009 s are 1 ms, not 0 (for ever).
    expect(await s.raw('BLPOP', 'k', '0.001')).toBe(NULL_ARRAY);
    expect(await s.raw('BLPOP', 'k', '0.0009')).toBe(NULL_ARRAY);
    await s.run('SET', 's', 'v');
    expect(await s.run('BLPOP', 'none', 's', '1')).toBe(
      '-WRONGTYPE Operation against a key holding the wrong kind of value',
    );
  });

  it('wake when a list is moved into place (RENAME) or its database swapped in', async () => {
    const s = session();
    const w = other(s);
    let p = w.start('BLPOP', 'foo', '0');
    await s.run('RPUSH', 'bob', 'abc', 'def');
    await s.run('RENAME', 'bob', 'foo');
    expect(plain(await p)).toEqual(['foo', 'abc']);
    await s.run('DEL', 'foo');
    p = w.start('BLPOP', 'foo', '0');
    await s.run('SELECT', '1');
    await s.run('RPUSH', 'foo', 'from-db1');
    expect(await settled(p)).toBe(false);
    await s.run('SWAPDB', '0', '1');
    expect(plain(await p)).toEqual(['foo', 'from-db1']);
  });

  it('stay blocked when the key becomes another type', async () => {
    const s = session();
    const w = other(s);
    const p = w.start('BLPOP', 'k', '0');
    await s.run('ZADD', 'k', '1', 'a');
    expect(await settled(p)).toBe(false);
    await s.run('DEL', 'k');
    await s.run('RPUSH', 'k', 'x');
    expect(plain(await p)).toEqual(['k', 'x']);
  });

  it('end with the context: a client that goes away, a deadline', async () => {
    const s = session();
    const ac = new AbortController();
    const ctx = s.t.server.context(s.t.client(), ac.signal, 0);
    const p = Promise.resolve(s.t.server.execute(ctx, argv('BLPOP', 'k', '0')));
    expect(blockedClients(s.t.server)).toBe(1);
    ac.abort();
    expect(((await p) as ErrorReply).message).toBe('ERR command cancelled');
    expect(blockedClients(s.t.server)).toBe(0);
    // The push after the client left stays in the list.
    await s.run('RPUSH', 'k', 'a');
    expect(await s.run('LLEN', 'k')).toBe(1);
    const late = s.t.server.context(s.t.client(), null, s.t.clock.now() + 30);
    expect(((await s.t.server.execute(late, argv('BLPOP', 'none', '0'))) as ErrorReply).message).toBe(
      'ERR command deadline exceeded',
    );
    expect(blockedClients(s.t.server)).toBe(0);
  });
});

describe('BLMOVE / BRPOPLPUSH', () => {
  it('move at once, or block and move when served', async () => {
    const s = session();
    await s.run('RPUSH', 'src', 'a', 'b');
    expect(await s.run('BRPOPLPUSH', 'src', 'dst', '1')).toBe('b');
    const w = other(s);
    await s.run('DEL', 'src', 'dst');
    const p = w.start('BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0');
    await s.run('RPUSH', 'src', 'x', 'y');
    expect(plain(await p)).toBe('x');
    expect(await s.run('LRANGE', 'dst', '0', '-1')).toEqual(['x']);
    expect(await s.run('LRANGE', 'src', '0', '-1')).toEqual(['y']);
    expect(await s.raw('BRPOPLPUSH', 'none', 'dst', '0.01')).toBe(NULL_ARRAY);
  });

  it('serve a client BLPOPing the target in the same round', async () => {
    const s = session();
    const [a, b] = [other(s), other(s)];
    const pb = b.start('BLPOP', 'target', '0');
    const pa = a.start('BRPOPLPUSH', 'blist', 'target', '0');
    await s.run('RPUSH', 'blist', 'foo');
    expect(plain(await pa)).toBe('foo');
    expect(plain(await pb)).toEqual(['target', 'foo']);
    expect(await s.run('EXISTS', 'target')).toBe(0);
  });

  it('linked, circular and self-referential moves', async () => {
    const s = session();
    const [a, b] = [other(s), other(s)];
    let pa = a.start('BRPOPLPUSH', 'list1', 'list2', '0');
    let pb = b.start('BRPOPLPUSH', 'list2', 'list3', '0');
    await s.run('RPUSH', 'list1', 'foo');
    await Promise.all([pa, pb]);
    expect(await s.run('LRANGE', 'list3', '0', '-1')).toEqual(['foo']);
    await s.run('DEL', 'list1', 'list2', 'list3');
    pa = a.start('BRPOPLPUSH', 'list1', 'list2', '0');
    pb = b.start('BRPOPLPUSH', 'list2', 'list1', '0');
    await s.run('RPUSH', 'list1', 'foo');
    await Promise.all([pa, pb]);
    expect(await s.run('LRANGE', 'list1', '0', '-1')).toEqual(['foo']);
    expect(await s.run('LRANGE', 'list2', '0', '-1')).toEqual([]);
    await s.run('DEL', 'list1');
    pa = a.start('BRPOPLPUSH', 'blist', 'blist', '0');
    await s.run('RPUSH', 'blist', 'foo');
    expect(plain(await pa)).toBe('foo');
    expect(await s.run('LRANGE', 'blist', '0', '-1')).toEqual(['foo']);
  });

  it('fail a served client whose destination is another type, popping nothing', async () => {
    const s = session();
    const [a, b] = [other(s), other(s)];
    await s.run('SET', 'target1', 'nolist');
    const pa = a.start('BRPOPLPUSH', 'blist', 'target1', '0');
    const pb = b.start('BRPOPLPUSH', 'blist', 'target2', '0');
    await s.run('RPUSH', 'blist', 'foo');
    expect(plain(await pa)).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(plain(await pb)).toBe('foo');
    expect(await s.run('LRANGE', 'target2', '0', '-1')).toEqual(['foo']);
    expect(await s.run('BLMOVE', 'src', 'dst', 'UP', 'LEFT', '0')).toBe('-ERR syntax error');
  });
});

describe('dirty', () => {
  it('BLPOP and BLMOVE served count as Redis counts them (push + pop, push + move)', async () => {
    const s = session();
    const w = other(s);
    let before = s.t.server.dirty;
    let p = w.start('BLPOP', 'lst', '0');
    await s.run('LPUSH', 'lst', 'a');
    expect(plain(await p)).toEqual(['lst', 'a']);
    expect(s.t.server.dirty - before).toBe(2);
    before = s.t.server.dirty;
    p = w.start('BLMOVE', 'lst', 'lst1', 'LEFT', 'LEFT', '0');
    await s.run('LPUSH', 'lst', 'a');
    expect(plain(await p)).toBe('a');
    expect(s.t.server.dirty - before).toBe(2);
  });
});

describe('BLMPOP', () => {
  it('pops count items from the ready key, with Redis argument errors', async () => {
    const s = session();
    const w = other(s);
    const p = w.start('BLMPOP', '0', '2', 'a', 'b', 'RIGHT', 'COUNT', '2');
    await s.run('RPUSH', 'b', '1', '2', '3');
    expect(plain(await p)).toEqual(['b', ['3', '2']]);
    expect(await s.run('BLMPOP', '0', '1', 'b', 'LEFT', 'COUNT', '5')).toEqual(['b', ['1']]);
    expect(await s.raw('BLMPOP', '0.01', '1', 'b', 'LEFT')).toBe(NULL_ARRAY);
    expect(await s.run('BLMPOP', 'abc', '0', 'b', 'LEFT')).toBe('-ERR numkeys should be greater than 0');
    expect(await s.run('BLMPOP', 'abc', '1', 'b', 'LEFT')).toBe(
      '-ERR timeout is not a float or out of range',
    );
  });
});

describe('a sorted set stored outside the dispatcher', () => {
  it('still wakes BZPOPMIN once the current work is over', async () => {
    const s = session();
    const w = other(s);
    const p = w.start('BZPOPMIN', 'z', '0');
    const z = new ZSetValue();
    z.add('m', 1.5);
    z.add('n', 2);
    s.t.keyspace.set(0, Buffer.from('z'), z);
    const r = (await p) as Reply[];
    expect(plain(r.slice(0, 2))).toEqual(['z', 'm']);
    expect(r[2]).toEqual(new DoubleReply(1.5));
    expect(blockedClients(s.t.server)).toBe(0);
  });
});

// The sorted-set family (ZADD) is written in parallel: these run once it is in the table.
describe('BZPOPMIN / BZPOPMAX / BZMPOP', () => {
  it('pop at once or when a sorted set is created, scores as doubles', async () => {
    const s = session();
    await s.run('ZADD', 'z', '1', 'a', '2.5', 'b');
    const r = (await s.raw('BZPOPMAX', 'none', 'z', '0')) as Reply[];
    expect(plain(r.slice(0, 2))).toEqual(['z', 'b']);
    expect(r[2]).toEqual(new DoubleReply(2.5));
    const w = other(s);
    const p = w.start('BZPOPMIN', 'z2', '0');
    await s.run('ZADD', 'z2', '5', 'x', '3', 'y');
    const served = (await p) as Reply[];
    expect(plain(served.slice(0, 2))).toEqual(['z2', 'y']);
    expect(served[2]).toEqual(new DoubleReply(3));
    const pm = w.start('BZMPOP', '0', '2', 'n1', 'n2', 'MAX', 'COUNT', '5');
    await s.run('ZADD', 'n2', '1', 'p', '2', 'q');
    expect(await pm).toEqual([
      Buffer.from('n2'),
      [
        [Buffer.from('q'), new DoubleReply(2)],
        [Buffer.from('p'), new DoubleReply(1)],
      ],
    ]);
    expect(await s.run('EXISTS', 'n2')).toBe(0);
    expect(await s.raw('BZPOPMIN', 'none', '0.01')).toBe(NULL_ARRAY);
    expect(await s.run('BZMPOP', '0', '1', 'z', 'UP')).toBe('-ERR syntax error');
  });

  it('a sorted-set waiter is not served by a list', async () => {
    const s = session();
    const w = other(s);
    const p = w.start('BZPOPMIN', 'k', '0');
    await s.run('RPUSH', 'k', 'x');
    expect(await settled(p)).toBe(false);
    await s.run('DEL', 'k');
    await s.run('ZADD', 'k', '1', 'm');
    expect(plain(((await p) as Reply[]).slice(0, 2))).toEqual(['k', 'm']);
  });
});

describe('CLIENT UNBLOCK', () => {
  it('ends a blocked command as a timeout, or with the UNBLOCKED error', async () => {
    const s = session();
    const w = other(s);
    let p = w.start('BLPOP', 'k', '0');
    expect(await s.run('CLIENT', 'UNBLOCK', String(w.client.id))).toBe(1);
    expect(await p).toBe(NULL_ARRAY);
    p = w.start('BZPOPMIN', 'k', '0');
    expect(await s.run('CLIENT', 'UNBLOCK', String(w.client.id), 'ERROR')).toBe(1);
    expect(plain(await p)).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK');
    expect(await s.run('CLIENT', 'UNBLOCK', String(w.client.id))).toBe(0);
    expect(await s.run('CLIENT', 'UNBLOCK', 'abc')).toBe('-ERR value is not an integer or out of range');
    expect(await s.run('CLIENT', 'UNBLOCK', '1', 'foo')).toBe(
      '-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR',
    );
    expect(blockedClients(s.t.server)).toBe(0);
    await s.run('RPUSH', 'k', 'a');
    expect(await s.run('LLEN', 'k')).toBe(1);
  });

  it('shows a blocked client with flag b in CLIENT LIST', async () => {
    const s = session();
    const w = other(s);
    const list = async () =>
      ((await s.raw('CLIENT', 'LIST', 'ID', String(w.client.id))) as VerbatimReply).text;
    const p = w.start('BLPOP', 'k', '0');
    expect(await list()).toMatch(/ flags=b .* cmd=blpop /);
    await s.run('RPUSH', 'k', 'v');
    await p;
    expect(await list()).toMatch(/ flags=N /);
  });

  it('counts the UNBLOCKED end as a failed call and an error reply, as Redis', async () => {
    const s = session();
    const w = other(s);
    await s.run('CONFIG', 'RESETSTAT');
    const p = w.start('BLPOP', 'list1', '0');
    await s.run('CLIENT', 'UNBLOCK', String(w.client.id), 'ERROR');
    expect(plain(await p)).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK');
    const info = async (section: string) => ((await s.raw('INFO', section)) as VerbatimReply).text;
    expect(await info('errorstats')).toContain('errorstat_UNBLOCKED:count=1');
    expect(await info('commandstats')).toMatch(/cmdstat_blpop:calls=1,.*rejected_calls=0,failed_calls=1/);
    expect(await info('stats')).toContain('total_error_replies:1');
  });

  it('ends WAIT too; at shutdown, clients blocked on keys answer at once and WAIT drains', async () => {
    const s = session();
    const w = other(s);
    const p = w.start('WAIT', '1', '0');
    expect(await s.run('CLIENT', 'UNBLOCK', String(w.client.id))).toBe(1);
    expect(await p).toBe(0);
    const a = other(s).start('BLPOP', 'k', '0');
    const bc = other(s);
    const b = bc.start('WAIT', '1', '0');
    s.t.server.blockedKeys.releaseKeyWaiters(Errors.shuttingDown);
    expect(await a).toBe(Errors.shuttingDown);
    // WAIT is a command in flight with an end of its own: it is left to the drain.
    expect(blockedClients(s.t.server)).toBe(1);
    expect(await s.run('CLIENT', 'UNBLOCK', String(bc.client.id))).toBe(1);
    expect(await b).toBe(0);
    expect(blockedClients(s.t.server)).toBe(0);
  });
});
