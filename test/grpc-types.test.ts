/**
 * Hashes, lists, sets and sorted sets through the gRPC door of the compiled server, next to the
 * other doors: Get answers every type (the client is built from the .proto, so this checks the
 * contract on the wire), Execute keeps RESP3 reply kinds, Watch events carry the key's type,
 * and a key written over RESP reads back identically over HTTP and gRPC.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type CairnGrpc, cairnClient, drain, grpc, headers, type Msg, statusOf } from './helpers/grpc.js';
import { waitFor } from './resp-support.js';

const B = (s: string) => Buffer.from(s);
const { status } = grpc;
const BIN = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x0d, 0x0a]);

let cairn: CairnProcess;
let client: CairnGrpc;
let redis: Redis;
beforeAll(async () => {
  cairn = await startCairn({ args: ['--snapshot-store', 'none'] });
  client = cairnClient(cairn.grpcPort);
  redis = new Redis({ port: cairn.respPort, host: '127.0.0.1', lazyConnect: true });
  await redis.connect();
});
afterAll(async () => {
  client?.close();
  redis?.disconnect();
  await cairn?.stop();
});
beforeEach(async () => {
  await redis.flushall();
});

const get = (key: Buffer) => client.unary('Get', { key });
const exec = async (...args: Array<string | Buffer>) =>
  (await client.unary('Execute', { args: args.map((a) => (typeof a === 'string' ? B(a) : a)) })).reply;

describe('Get: every type', () => {
  it('answers a string as before, with its type', async () => {
    await redis.set('s', 'v');
    const r = await get(B('s'));
    expect(r.value).toEqual(B('v'));
    expect(r.type).toBe('VALUE_TYPE_STRING');
    expect(r.collection).toBeUndefined();
  });

  it('answers a hash, a list, a set and a sorted set whole', async () => {
    await redis.hset('h', 'f1', 'v1', 'f2', 'v2');
    await redis.rpush('l', 'a', 'b', 'a');
    await redis.sadd('st', '3', '1', '2');
    await redis.zadd('z', 2.5, 'b', 0.1, 'a', '-inf', 'low');
    const h = await get(B('h'));
    expect(h.type).toBe('VALUE_TYPE_HASH');
    expect(h.collection).toBe('hash');
    expect(h.value).toEqual(Buffer.alloc(0));
    expect(h.hash.fields.map((f: Msg) => [f.field.toString(), f.value.toString()])).toEqual([
      ['f1', 'v1'],
      ['f2', 'v2'],
    ]);
    const l = await get(B('l'));
    expect(l.type).toBe('VALUE_TYPE_LIST');
    expect(l.list.items.map(String)).toEqual(['a', 'b', 'a']);
    const st = await get(B('st'));
    expect(st.type).toBe('VALUE_TYPE_SET');
    expect(st.set.members.map(String)).toEqual(['1', '2', '3']);
    const z = await get(B('z'));
    expect(z.type).toBe('VALUE_TYPE_ZSET');
    expect(z.zset.members.map((m: Msg) => [m.member.toString(), m.score])).toEqual([
      ['low', Number.NEGATIVE_INFINITY],
      ['a', 0.1],
      ['b', 2.5],
    ]);
  });

  it('answers NOT_FOUND for a missing key, as before', async () => {
    const err = await statusOf(get(B('missing')));
    expect(err.code).toBe(status.NOT_FOUND);
  });
});

describe('Execute: RESP3 reply kinds', () => {
  it('gives maps, sets, doubles and score pairs their own kinds', async () => {
    await redis.hset('h', 'f', 'v');
    await redis.sadd('st', 'm');
    await redis.zadd('z', 1.5, 'a');
    const map = await exec('HGETALL', 'h');
    expect(map.kind).toBe('map');
    expect(map.map.entries.map((e: Msg) => [e.key.bulk.toString(), e.value.bulk.toString()])).toEqual([
      ['f', 'v'],
    ]);
    const set = await exec('SMEMBERS', 'st');
    expect(set.kind).toBe('set');
    expect(set.set.items.map((i: Msg) => i.bulk.toString())).toEqual(['m']);
    expect(await exec('ZSCORE', 'z', 'a')).toMatchObject({ kind: 'double', double: 1.5 });
    const pairs = await exec('ZRANGE', 'z', '0', '-1', 'WITHSCORES');
    expect(pairs.kind).toBe('array');
    const first = pairs.array.items[0];
    expect(first.kind).toBe('array');
    expect(first.array.items[0].bulk.toString()).toBe('a');
    expect(first.array.items[1]).toMatchObject({ kind: 'double', double: 1.5 });
    expect(await exec('TYPE', 'z')).toMatchObject({ kind: 'simple', simple: 'zset' });
    const wrong = await statusOf(exec('LPUSH', 'h', 'x'));
    expect(wrong.code).toBe(status.FAILED_PRECONDITION);
    expect(wrong.metadata.get('cairn-error-code')).toEqual(['wrong_type']);
  });
});

describe('Watch: events carry the key type', () => {
  it('says which type a write left, and nothing for removals', async () => {
    const stream = client.stream('Watch', { prefix: B('w:') });
    const events: Msg[] = [];
    stream.on('data', (m: Msg) => events.push(m));
    const ended = drain(stream);
    await headers(stream);
    await redis.hset('w:h', 'f', 'v');
    await redis.rpush('w:l', 'a');
    await redis.sadd('w:s', 'a');
    await redis.zadd('w:z', 1, 'a');
    await redis.set('w:str', 'v');
    await redis.del('w:h');
    const expected = [
      'SET w:h VALUE_TYPE_HASH',
      'SET w:l VALUE_TYPE_LIST',
      'SET w:s VALUE_TYPE_SET',
      'SET w:z VALUE_TYPE_ZSET',
      'SET w:str VALUE_TYPE_STRING',
      'DELETE w:h VALUE_TYPE_UNSPECIFIED',
    ];
    await waitFor(() => events.length >= expected.length, 15_000, `${expected.length} events`);
    expect(events.map((e) => `${e.kind.replace('EVENT_KIND_', '')} ${e.key} ${e.type}`)).toEqual(expected);
    stream.cancel();
    expect((await ended).status.code).toBe(status.CANCELLED);
  });
});

describe('cross-door: RESP writes, HTTP and gRPC read the same value', () => {
  const http = async (key: string) => {
    const res = await fetch(`http://127.0.0.1:${cairn.httpPort}/v1/keys/${key}`);
    return (await res.json()) as Msg;
  };

  it('a hash with binary fields and values', async () => {
    await redis.hset('x:h', BIN, 'text', 'f', BIN);
    const g = await get(B('x:h'));
    expect(g.hash.fields.map((f: Msg) => [f.field, f.value])).toEqual([
      [BIN, B('text')],
      [B('f'), BIN],
    ]);
    const h = await http('x:h');
    expect(h.encoding).toBe('base64');
    const decoded = Object.entries(h.value as Record<string, string>).map(([f, v]) => [
      Buffer.from(f, 'base64'),
      Buffer.from(v, 'base64'),
    ]);
    expect(decoded).toEqual([
      [BIN, B('text')],
      [B('f'), BIN],
    ]);
  });

  it('a list, a set and a sorted set', async () => {
    await redis.rpush('x:l', BIN, 'b', BIN);
    await redis.sadd('x:s', 'only');
    await redis.zadd('x:z', 1, BIN, 2, 'two');
    expect((await get(B('x:l'))).list.items).toEqual([BIN, B('b'), BIN]);
    expect((await http('x:l')).value.map((s: string) => Buffer.from(s, 'base64'))).toEqual([
      BIN,
      B('b'),
      BIN,
    ]);
    expect((await get(B('x:s'))).set.members).toEqual([B('only')]);
    expect((await http('x:s')).value).toEqual(['only']);
    const z = (await get(B('x:z'))).zset.members.map((m: Msg) => [m.member, m.score]);
    expect(z).toEqual([
      [BIN, 1],
      [B('two'), 2],
    ]);
    const hz = (await http('x:z')).value.map((m: Msg) => [Buffer.from(m.member, 'base64'), m.score]);
    expect(hz).toEqual(z);
  });

  it('what HTTP writes, gRPC and RESP read', async () => {
    const res = await fetch(`http://127.0.0.1:${cairn.httpPort}/v1/keys/x:put`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'zset', value: [{ member: 'm', score: 'inf' }] }),
    });
    expect(res.status).toBe(200);
    expect((await get(B('x:put'))).zset.members[0].score).toBe(Number.POSITIVE_INFINITY);
    expect(await redis.zscore('x:put', 'm')).toBe('inf');
  });
});
