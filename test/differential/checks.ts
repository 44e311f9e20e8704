/**
 * Checks for the sessions test that are not a script: connection ids that must agree with
 * each other on one server (their values differ between servers), and active expiry at scale.
 */
import { expect } from 'vitest';
import { keyList } from './compare.js';
import { parseReply, RawRespClient } from './resp-client.js';
import { Pair } from './runner.js';

const text = (b: Buffer) => b.toString('latin1');

/** CLIENT ID, HELLO's id and CLIENT INFO's id= name one connection; a later one gets a larger id. */
export async function checkConnectionIds(port: number): Promise<void> {
  const first = await RawRespClient.connect(port);
  const second = await RawRespClient.connect(port);
  try {
    const [id, hello, info] = await first.callMany([
      ['client', 'id'],
      ['hello', '2'],
      ['client', 'info'],
    ]);
    const own = /^:(\d+)\r\n$/.exec(text(id))?.[1];
    expect(own, `CLIENT ID answers an integer (${text(id)})`).toBeDefined();
    expect(text(hello)).toContain(`$2\r\nid\r\n:${own}\r\n`);
    expect(text(info)).toMatch(new RegExp(`^\\$\\d+\\r\\nid=${own} `));
    const next = /^:(\d+)\r\n$/.exec(text(await second.call(['client', 'id'])))?.[1];
    expect(Number(next)).toBeGreaterThan(Number(own));
  } finally {
    first.close();
    second.close();
  }
}

const VOLATILE = 300;
const LONG = 50;
const PLAIN = 50;
const OTHER_DB_VOLATILE = 100;
const LIMIT_MS = 10_000;

const expiredKeys = (info: Buffer) =>
  Number(/\r\nexpired_keys:(\d+)\r\n/.exec(text(info))?.[1] ?? Number.NaN);
/** `db9:keys=100,expires=50` (avg_ttl dropped: Cairn reports 0, Redis an estimate). */
const keyspaceLines = (info: Buffer) =>
  text(info)
    .split('\r\n')
    .filter((l) => /^db\d+:/.test(l))
    .map((l) => l.replace(/,avg_ttl=\d+$/, ''));

/**
 * Hundreds of keys with 100-300 ms TTLs, beside keys with a long TTL and without one, in two
 * databases; none is read again. Both servers must bring DBSIZE down to the survivors by
 * active expiry alone, count every one in expired_keys, and agree on INFO keyspace.
 */
export async function checkActiveExpiry(redisPort: number, cairnPort: number): Promise<{ volatile: number }> {
  const pair = await Pair.connect(redisPort, cairnPort);
  const same = async (commands: string[][]) => {
    const { redis, cairn } = await pair.send(commands);
    expect(cairn.map(text)).toEqual(redis.map(text));
    return redis;
  };
  try {
    await same([['flushall']]);
    const [beforeR, beforeC] = await Promise.all([
      pair.redis.call(['info', 'stats']),
      pair.cairn.call(['info', 'stats']),
    ]);
    await same([
      ['select', '9'],
      ...Array.from({ length: VOLATILE }, (_, i) => ['set', `vol:${i}`, 'v', 'px', String(100 + (i % 200))]),
      ...Array.from({ length: LONG }, (_, i) => ['set', `long:${i}`, 'v', 'ex', '1000']),
      ...Array.from({ length: PLAIN }, (_, i) => ['set', `plain:${i}`, 'v']),
      ['select', '10'],
      ...Array.from({ length: OTHER_DB_VOLATILE }, (_, i) => ['psetex', `x:${i}`, '150', 'v']),
    ]);
    const started = Date.now();
    for (;;) {
      const { redis, cairn } = await pair.send([['select', '9'], ['dbsize'], ['select', '10'], ['dbsize']]);
      const want = [`:${LONG + PLAIN}\r\n`, ':0\r\n'];
      const got = (r: Buffer[]) => [text(r[1]), text(r[3])];
      if ([...got(redis), ...got(cairn)].every((v, i) => v === want[i % 2])) break;
      if (Date.now() - started > LIMIT_MS) {
        throw new Error(
          `active expiry: after ${LIMIT_MS} ms DBSIZE of db 9 and db 10 is redis ${got(redis)}, cairn ${got(cairn)}; want ${want}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    const [afterR, afterC] = await Promise.all([
      pair.redis.call(['info', 'stats']),
      pair.cairn.call(['info', 'stats']),
    ]);
    const expired = VOLATILE + OTHER_DB_VOLATILE;
    expect(expiredKeys(afterR) - expiredKeys(beforeR)).toBe(expired);
    expect(expiredKeys(afterC) - expiredKeys(beforeC), 'Cairn counts each expired key in expired_keys').toBe(
      expired,
    );
    const [ksR, ksC] = await Promise.all([
      pair.redis.call(['info', 'keyspace']),
      pair.cairn.call(['info', 'keyspace']),
    ]);
    expect(keyspaceLines(ksC)).toEqual(keyspaceLines(ksR));
    expect(keyspaceLines(ksR)).toEqual([`db9:keys=${LONG + PLAIN},expires=${LONG}`]);
    const listed = await same([
      ['select', '9'],
      ['keys', 'vol:*'],
    ]);
    expect(keyList(parseReply(listed[1]))).toEqual([]);
    return { volatile: expired };
  } finally {
    pair.close();
  }
}
