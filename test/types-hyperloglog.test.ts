/**
 * HyperLogLog through real clients: ioredis (RESP2) and node-redis (RESP2 and RESP3) run the
 * same scripts against Cairn and a real redis-server and must see the same replies and the same
 * bytes (GET of the value). Also what surrounds the commands: MULTI, WATCH (PFCOUNT's cache write
 * counts as a change, a cached PFCOUNT does not), keyspace notifications (`pfadd` for PFADD and
 * PFMERGE, `new` for created keys), ACL key patterns and COMMAND GETKEYS / COMMAND INFO.
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

let cairn: CairnProcess;
let redis: RedisProcess;

beforeAll(async () => {
  [cairn, redis] = await Promise.all([startCairn(), startRedis()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([cairn?.stop(), redis?.stop()]);
});

const connect = async (port: number) => {
  const r = new Redis({ port, maxRetriesPerRequest: 0, lazyConnect: true });
  await r.connect();
  return r;
};
const err = async (p: Promise<unknown>) =>
  p.then(
    (v) => v,
    (e: Error) => `ERR:${e.message}`,
  );
const hex = (b: Buffer | null) => b?.toString('hex') ?? null;

async function ioredisScript(port: number): Promise<unknown[]> {
  const r = await connect(port);
  const out: unknown[] = [];
  try {
    await r.flushall();
    out.push(await r.pfadd('io:a', 'a', 'b', 'c'), await r.pfadd('io:a', 'a'), await r.pfadd('io:empty'));
    out.push(await r.pfcount('io:a'), hex(await r.getBuffer('io:a')), await r.pfcount('io:empty'));
    const many = Array.from({ length: 5000 }, (_, i) => `m:${i}`);
    out.push(await r.pfadd('io:big', ...many), await r.pfcount('io:big'));
    out.push(await r.call('PFDEBUG', 'ENCODING', 'io:big'), hex(await r.getBuffer('io:big')));
    out.push(await r.pfmerge('io:u', 'io:a', 'io:big', 'io:none'), await r.pfcount('io:u'));
    out.push(await r.pfcount('io:a', 'io:big', 'io:none'), hex(await r.getBuffer('io:u')));
    out.push(await r.call('PFDEBUG', 'DECODE', 'io:a'), await r.call('PFDEBUG', 'TODENSE', 'io:a'));
    out.push(await r.call('PFDEBUG', 'ENCODING', 'io:a'), hex(await r.getBuffer('io:a')));
    await r.set('io:s', 'not an hll');
    out.push(await err(r.pfadd('io:s', 'x')), await err(r.pfcount('io:s', 'io:a')));
    await r.lpush('io:l', 'x');
    out.push(await err(r.pfmerge('io:l', 'io:a')), await err(r.call('PFDEBUG', 'GETREG', 'io:missing')));
    await r.append('io:a', 'junk');
    out.push(await err(r.pfcount('io:a')), await err(r.call('PFSELFTEST', 'extra')));
    // A value copied with GET/SET keeps working.
    await r.set('io:copy', (await r.getBuffer('io:big')) as Buffer);
    out.push(await r.pfadd('io:copy', 'another'), await r.pfcount('io:copy', 'io:big'));
    await r.expire('io:u', 1000);
    out.push(await r.pfadd('io:u', 'keeps the ttl'), (await r.ttl('io:u')) > 990);
    out.push(await r.multi().pfadd('io:t', '1', '2').pfcount('io:t').pfmerge('io:t2', 'io:t').exec());
    return out;
  } finally {
    r.disconnect();
  }
}

async function nodeRedisScript(port: number, RESP: 2 | 3): Promise<unknown[]> {
  const c = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false }, RESP });
  c.on('error', () => {});
  await c.connect();
  const k = (s: string) => `nr${RESP}:${s}`;
  const out: unknown[] = [];
  try {
    out.push(
      await c.pfAdd(k('a'), ['x', 'y', 'z']),
      await c.pfAdd(k('b'), ['y', 'w']),
      await c.pfAdd(k('c')),
    );
    out.push(await c.pfCount(k('a')), await c.pfCount([k('a'), k('b'), k('c')]));
    out.push(await c.pfMerge(k('m'), [k('a'), k('b')]), await c.pfCount(k('m')));
    out.push(await c.pfMerge(k('m')), await c.pfCount(k('m')));
    out.push(await c.multi().pfAdd(k('t'), ['1']).pfCount(k('t')).exec());
    return out;
  } finally {
    c.destroy();
  }
}

/** WATCH around PFADD / PFCOUNT from another client: which transactions run. */
async function watchScript(port: number): Promise<unknown[]> {
  const [a, b] = [await connect(port), await connect(port)];
  const out: unknown[] = [];
  const watched = async (change: () => Promise<unknown>) => {
    await a.watch('w:h');
    await change();
    return (await a.multi().ping().exec()) === null ? 'aborted' : 'ran';
  };
  try {
    await a.del('w:h');
    await a.pfadd('w:h', 'x');
    out.push(await watched(() => b.pfcount('w:h'))); // computes and stores the cached estimate
    out.push(await watched(() => b.pfcount('w:h'))); // cached: nothing written
    out.push(await watched(() => b.pfadd('w:h', 'x'))); // no register changed
    out.push(await watched(() => b.pfadd('w:h', 'new element')));
    out.push(await watched(() => b.pfmerge('w:h', 'w:none')));
    return out;
  } finally {
    a.disconnect();
    b.disconnect();
  }
}

/** The keyevent notifications of a sequence of HLL commands. */
async function eventsScript(port: number): Promise<string[]> {
  const [sub, r] = [await connect(port), await connect(port)];
  const events: string[] = [];
  try {
    await r.del('e:a', 'e:m');
    await r.config('SET', 'notify-keyspace-events', 'KEA$n');
    sub.on('pmessage', (_p: string, channel: string, key: string) => events.push(`${channel} ${key}`));
    await sub.psubscribe('__keyevent@0__:*');
    await r.pfadd('e:a', 'x');
    await r.pfadd('e:a', 'x');
    await r.pfcount('e:a');
    await r.pfmerge('e:m', 'e:a');
    await r.pfmerge('e:m');
    await r.call('PFDEBUG', 'TODENSE', 'e:m');
    await r.set('e:end', '1');
    while (!events.some((e) => e.endsWith('set e:end'))) await new Promise((ok) => sub.once('pmessage', ok));
    return events;
  } finally {
    await r.config('SET', 'notify-keyspace-events', '');
    sub.disconnect();
    r.disconnect();
  }
}

async function metadataScript(port: number): Promise<unknown[]> {
  const r = await connect(port);
  try {
    await r.call('ACL', 'SETUSER', 'hll-user', 'on', 'nopass', '~h:*', '+@hyperloglog');
    const u = await connect(port);
    const out: unknown[] = [];
    try {
      await u.call('AUTH', 'hll-user', 'x');
      out.push(await err(u.pfadd('h:1', 'a')), await err(u.pfmerge('h:2', 'h:1', 'other')));
      out.push(await err(u.pfcount('h:1', 'other')), await err(u.get('h:1')));
    } finally {
      u.disconnect();
    }
    out.push(await r.call('COMMAND', 'GETKEYS', 'PFMERGE', 'd', 's1', 's2'));
    out.push(await r.call('COMMAND', 'GETKEYS', 'PFCOUNT', 'a', 'b'));
    const info = (await r.call(
      'COMMAND',
      'INFO',
      'pfadd',
      'pfcount',
      'pfmerge',
      'pfdebug',
      'pfselftest',
    )) as unknown[][];
    out.push(info.map((e) => e.slice(0, 7)));
    // Redis lists a category's commands in its hash table's order.
    out.push(((await r.call('ACL', 'CAT', 'hyperloglog')) as string[]).sort());
    out.push(await r.call('CONFIG', 'GET', 'hll-sparse-max-bytes'));
    return out;
  } finally {
    await r.call('ACL', 'DELUSER', 'hll-user');
    r.disconnect();
  }
}

describe('HyperLogLog through real clients, Cairn vs redis-server', () => {
  it('ioredis: commands, errors, bytes, MULTI', async () => {
    const [mine, theirs] = [await ioredisScript(cairn.respPort), await ioredisScript(redis.port)];
    expect(mine).toEqual(theirs);
    expect(mine[3]).toBe(3);
    expect(mine[8]).toBe('dense');
  });

  for (const RESP of [2, 3] as const)
    it(`node-redis RESP${RESP}`, async () => {
      const [mine, theirs] = [
        await nodeRedisScript(cairn.respPort, RESP),
        await nodeRedisScript(redis.port, RESP),
      ];
      expect(mine).toEqual(theirs);
      expect(mine[3]).toBe(3);
    });

  it('WATCH sees PFCOUNT store its estimate, and nothing when it answers from the cache', async () => {
    const [mine, theirs] = [await watchScript(cairn.respPort), await watchScript(redis.port)];
    expect(mine).toEqual(theirs);
    expect(mine).toEqual(['aborted', 'ran', 'ran', 'aborted', 'aborted']);
  });

  it('notifies pfadd for PFADD and PFMERGE, new for created keys', async () => {
    const [mine, theirs] = [await eventsScript(cairn.respPort), await eventsScript(redis.port)];
    expect(mine).toEqual(theirs);
    expect(mine).toContain('__keyevent@0__:pfadd e:m');
  });

  it('ACL key patterns, COMMAND GETKEYS and COMMAND INFO see every key', async () => {
    const [mine, theirs] = [await metadataScript(cairn.respPort), await metadataScript(redis.port)];
    expect(mine).toEqual(theirs);
    expect(mine[0]).toBe(1);
    expect(String(mine[1])).toMatch(/NOPERM/);
  });
});
