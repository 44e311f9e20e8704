/**
 * The gRPC door of the compiled server (`node dist/cli/main.js`), next to the other doors: a key
 * written through one door reads back byte-identical through the others, Watch sees writes made
 * over RESP and HTTP, and SIGTERM ends watches and exits cleanly.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type CairnGrpc, cairnClient, drain, grpc, headers, type Msg, statusOf } from './helpers/grpc.js';
import { waitFor } from './resp-support.js';

const B = (s: string) => Buffer.from(s);
const { status } = grpc;
/** Every byte value, so nothing can survive by accident of an encoding. */
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
/** The shutdown snapshot would otherwise land in the working directory. */
const NO_SNAPSHOTS = ['--snapshot-store', 'none'];

let cairn: CairnProcess;
let client: CairnGrpc;
let redis: Redis;
beforeAll(async () => {
  cairn = await startCairn({ args: NO_SNAPSHOTS });
  expect(cairn.grpcPort).toBeGreaterThan(0);
  expect(cairn.httpPort).toBeGreaterThan(0);
  client = cairnClient(cairn.grpcPort);
  redis = new Redis({ port: cairn.respPort, host: '127.0.0.1', lazyConnect: true });
  await redis.connect();
});
afterAll(async () => {
  client?.close();
  redis?.disconnect();
  await cairn?.stop();
});

describe('cross-door', () => {
  it('reads over RESP and HTTP what was written over gRPC, byte for byte', async () => {
    const key = Buffer.concat([B('x:'), ALL_BYTES.subarray(0, 8)]);
    await client.unary('Set', { key, value: ALL_BYTES, ttl_ms: '600000' });
    expect(await redis.getBuffer(key)).toEqual(ALL_BYTES);
    expect(await redis.pttl(key)).toBeGreaterThan(590_000);
    const path = [...key].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    const res = await fetch(`http://127.0.0.1:${cairn.httpPort}/v1/keys/${path}`, {
      headers: { accept: 'application/octet-stream' },
    });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(ALL_BYTES);
  });

  it('reads over gRPC what was written over RESP', async () => {
    await redis.set(B('x:from-resp'), ALL_BYTES);
    expect((await client.unary('Get', { key: B('x:from-resp') })).value).toEqual(ALL_BYTES);
    await redis.incrby('x:counter', 41);
    expect((await client.unary('Incr', { key: B('x:counter') })).value).toBe('42');
    expect(await redis.get('x:counter')).toBe('42');
  });

  it('shares one error vocabulary', async () => {
    await redis.set('x:text', 'abc');
    const err = await statusOf(client.unary('Incr', { key: B('x:text') }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    await expect(redis.incr('x:text')).rejects.toThrow(`ERR ${err.details}`);
  });
});

describe('Watch across doors', () => {
  it('sees writes, deletes and flushes made over RESP and HTTP', async () => {
    const stream = client.stream('Watch', { prefix: B('watched:') });
    const events: Msg[] = [];
    stream.on('data', (m: Msg) => events.push(m));
    const ended = drain(stream);
    await headers(stream);
    await redis.set('watched:a', '1');
    await redis.set('ignored:a', '1');
    await redis.del('watched:a');
    const res = await fetch(`http://127.0.0.1:${cairn.httpPort}/v1/keys/watched:h`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'v',
    });
    expect(res.status).toBeLessThan(300);
    await redis.flushdb();
    const expected = ['set watched:a', 'delete watched:a', 'set watched:h', 'flush '];
    await waitFor(() => events.length >= expected.length, 15_000, `${expected.length} events`);
    expect(
      events.map((e) => `${e.kind.replace('EVENT_KIND_', '').toLowerCase()} ${e.key.toString()}`),
    ).toEqual(expected);
    stream.cancel();
    expect((await ended).status.code).toBe(status.CANCELLED);
  });
});

describe('shutdown', () => {
  it('ends watches with UNAVAILABLE on SIGTERM and exits 0', async () => {
    const own = await startCairn({ args: NO_SNAPSHOTS });
    const c = cairnClient(own.grpcPort);
    const stream = c.stream('Watch', { prefix: B('') });
    const ended = drain(stream);
    await headers(stream);
    const exit = own.stop('SIGTERM');
    expect((await ended).status.code).toBe(status.UNAVAILABLE);
    expect(await exit).toBe(0);
    c.close();
  });
});
