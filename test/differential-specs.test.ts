/**
 * The command table's metadata for the string, key, expiry, hash, set, sorted-set (and GEO) and pub/sub
 * families against what a real redis-server declares (COMMAND INFO and COMMAND DOCS): arity,
 * flags, key positions, group, summary, since, complexity, and the argument synopsis rendered
 * from Redis's argument tree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandTable } from '../src/commands/index.js';
import type { CommandSpec } from '../src/commands/spec.js';
import { type Node, parseReply, RawRespClient } from './differential/resp-client.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

const HASH_SET_COMMANDS =
  'hset hsetnx hmset hget hmget hgetall hdel hlen hexists hkeys hvals hincrby hincrbyfloat hstrlen hrandfield hscan sadd srem scard sismember smismember smembers srandmember spop smove sinter sintercard sunion sdiff sinterstore sunionstore sdiffstore sscan'.split(
    ' ',
  );
const ZSET_COMMANDS =
  'zadd zincrby zrem zcard zscore zmscore zrank zrevrank zcount zlexcount zrange zrangestore zrangebyscore zrevrangebyscore zrangebylex zrevrangebylex zrevrange zpopmin zpopmax zmpop zrandmember zunion zinter zdiff zunionstore zinterstore zdiffstore zintercard zremrangebyrank zremrangebyscore zremrangebylex zscan geoadd geodist geohash geopos georadius georadius_ro georadiusbymember georadiusbymember_ro geosearch geosearchstore'.split(
    ' ',
  );
const COMMANDS =
  'get set setnx setex psetex getset getdel getex mget mset msetnx append strlen getrange setrange substr incr decr incrby decrby incrbyfloat lcs del unlink exists type keys scan randomkey rename renamenx copy move touch dbsize flushdb flushall swapdb object expire pexpire expireat pexpireat ttl pttl expiretime pexpiretime persist dump restore setbit getbit bitcount bitpos bitop bitfield bitfield_ro'.split(
    ' ',
  );
const PUBSUB_COMMANDS =
  'subscribe unsubscribe psubscribe punsubscribe publish pubsub ssubscribe sunsubscribe spublish'.split(' ');
const STREAM_COMMANDS =
  'xadd xrange xrevrange xlen xdel xtrim xsetid xread xreadgroup xgroup xack xpending xclaim xautoclaim xinfo'.split(
    ' ',
  );
// HyperLogLog, checked along with the stream family.
STREAM_COMMANDS.push(...'pfadd pfcount pfmerge pfdebug pfselftest'.split(' '));
/** Flags COMMAND INFO reports that the Cairn table also carries. */
const COMPARED_FLAGS = new Set([
  'write',
  'readonly',
  'denyoom',
  'fast',
  'loading',
  'stale',
  'admin',
  'pubsub',
]);

interface Declared {
  arity: number;
  flags: string[];
  keys: [number, number, number];
  dangerous: boolean;
  group?: string;
  summary: string;
  since: string;
  complexity: string;
  syntax: string;
}

const str = (n: Node): string => (n.t === 'bulk' ? n.b.toString() : n.t === 'simple' ? n.s : '');
const num = (n: Node): number => (n.t === 'int' ? Number(n.v) : Number.NaN);
const items = (n: Node | undefined): Node[] => (n !== undefined && 'items' in n ? n.items : []);

function fields(n: Node | undefined): Map<string, Node> {
  const m = new Map<string, Node>();
  const list = items(n);
  for (let i = 0; i + 1 < list.length; i += 2) m.set(str(list[i]), list[i + 1]);
  return m;
}

/** An argument tree as Redis's documentation prints it: `[EX seconds | PX milliseconds]`. */
function render(arg: Node): string {
  const f = fields(arg);
  const type = str(f.get('type')!);
  const token = f.has('token') ? str(f.get('token')!) : '';
  let s: string;
  if (type === 'oneof') {
    s = items(f.get('arguments')).map(render).join(' | ');
    // A token introducing a choice: BITFIELD's `OVERFLOW <WRAP | SAT | FAIL>`.
    if (token) s = `${token} <${s}>`;
  }
  // A block's token introduces it: ZRANGE's `LIMIT offset count`.
  else if (type === 'block')
    s = `${token ? `${token} ` : ''}${items(f.get('arguments')).map(render).join(' ')}`;
  else if (type === 'pure-token') s = token;
  else s = `${token ? `${token} ` : ''}${str(f.get('name')!)}`;
  const flags = items(f.get('flags')).map(str);
  // A required choice is written `<MIN | MAX>` (the table's synopsis notation).
  if (type === 'oneof' && !flags.includes('optional')) s = `<${s}>`;
  if (flags.includes('multiple')) s = `${s} [${s} ...]`;
  if (flags.includes('optional')) s = `[${s}]`;
  return s;
}

function declared(info: Node, docs: Map<string, Node>): Declared {
  const i = items(info);
  return {
    arity: num(i[1]),
    flags: items(i[2])
      .map(str)
      .filter((x) => COMPARED_FLAGS.has(x))
      .sort(),
    keys: [num(i[3]), num(i[4]), num(i[5])],
    dangerous: items(i[6]).map(str).includes('@dangerous'),
    group: docs.has('group') ? str(docs.get('group')!) : undefined,
    summary: str(docs.get('summary')!),
    since: str(docs.get('since')!),
    complexity: str(docs.get('complexity')!),
    syntax: items(docs.get('arguments')).map(render).join(' '),
  };
}

function ours(spec: CommandSpec): Declared {
  return {
    arity: spec.arity,
    flags: spec.flags.filter((x) => COMPARED_FLAGS.has(x)).sort(),
    keys: [spec.firstKey, spec.lastKey, spec.step],
    dangerous: spec.flags.includes('dangerous'),
    group: spec.group,
    summary: spec.summary,
    since: spec.since,
    complexity: spec.complexity ?? '',
    syntax: spec.syntax ?? '',
  };
}

describe('command metadata matches redis-server', () => {
  let redis: RedisProcess;
  let client: RawRespClient;
  const table = createCommandTable();

  beforeAll(async () => {
    redis = await startRedis();
    client = await RawRespClient.connect(redis.port);
  });

  afterAll(async () => {
    client?.close();
    await redis?.stop();
  });

  it.each([...COMMANDS, ...HASH_SET_COMMANDS, ...ZSET_COMMANDS, ...PUBSUB_COMMANDS, ...STREAM_COMMANDS])(
    '%s',
    async (name) => {
      const spec = table.specs.get(name);
      expect(spec, `${name} is in the table`).toBeDefined();
      const [info] = items(parseReply(await client.call(['COMMAND', 'INFO', name])));
      const docs = fields(items(parseReply(await client.call(['COMMAND', 'DOCS', name])))[1]);
      expect(ours(spec!)).toEqual(declared(info, docs));
      const subDocs = fields(docs.get('subcommands'));
      for (const sub of items(items(info)[9])) {
        const full = str(items(sub)[0]);
        const mine = spec!.subcommands?.find((s) => `${name}|${s.name}` === full);
        expect(mine, `${full} is in the table`).toBeDefined();
        expect(ours(mine!)).toEqual(declared(sub, fields(subDocs.get(full))));
      }
    },
  );
});
