/**
 * Streams through the HTTP and gRPC doors of the compiled server: GET /v1/keys/{key} and gRPC
 * Get answer a stream whole (entries oldest first, each with its ID and its field/value pairs,
 * repeated fields kept), an empty stream as no entries, bytes that are not UTF-8 as base64; a
 * stream cannot be written whole (PUT takes hash, list, set and sorted set bodies only), and
 * the command API runs the stream commands like any other.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type CairnGrpc, cairnClient, type Msg } from './helpers/grpc.js';
import { call } from './helpers/http.js';

const B = (s: string) => Buffer.from(s);

let cairn: CairnProcess;
let client: CairnGrpc;
let redis: Redis;
let base: string;
beforeAll(async () => {
  cairn = await startCairn({ args: ['--snapshot-store', 'none'] });
  client = cairnClient(cairn.grpcPort);
  redis = new Redis({ port: cairn.respPort, host: '127.0.0.1' });
  base = `http://127.0.0.1:${cairn.httpPort}`;
});
afterAll(async () => {
  client?.close();
  redis?.disconnect();
  await cairn?.stop();
});
beforeEach(async () => {
  await redis.flushall();
});

describe('streams on the HTTP and gRPC doors', () => {
  it('GET /v1/keys/{key} answers the entries with IDs and field/value pairs', async () => {
    await redis.xadd('s', '1-1', 'f', 'v', 'f', 'again');
    await redis.xadd('s', '2-0', 'n', '2');
    await redis.xadd('s', '3-0', 'n', '3');
    await redis.xdel('s', '2-0');
    await redis.pexpire('s', 600_000);
    const r = await call(base, 'GET', '/v1/keys/s');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      key: 's',
      type: 'stream',
      encoding: 'utf8',
      value: [
        {
          id: '1-1',
          fields: [
            ['f', 'v'],
            ['f', 'again'],
          ],
        },
        { id: '3-0', fields: [['n', '3']] },
      ],
    });
    expect(r.json.ttl_ms).toBeGreaterThan(590_000);
    await redis.xgroup('CREATE', 'empty', 'g', '$', 'MKSTREAM');
    const e = await call(base, 'GET', '/v1/keys/empty');
    expect(e.status).toBe(200);
    expect(e.json).toMatchObject({ type: 'stream', value: [] });
    await redis.xadd(B('bin'), '5-0', Buffer.from([0xff]), 'x');
    const b = await call(base, 'GET', '/v1/keys/bin');
    expect(b.json).toMatchObject({ encoding: 'base64', value: [{ id: '5-0', fields: [['/w==', 'eA==']] }] });
  });

  it('a stream cannot be PUT whole; XADD through the command API writes one', async () => {
    const put = await call(base, 'PUT', '/v1/keys/s', { type: 'stream', value: [] });
    expect(put.status).toBe(400);
    const add = await call(base, 'POST', '/', ['XADD', 's', '7-0', 'via', 'http']);
    expect(add.json).toEqual({ result: '7-0' });
    expect(await redis.xrange('s', '-', '+')).toEqual([['7-0', ['via', 'http']]]);
  });

  it('gRPC Get answers a stream whole', async () => {
    await redis.xadd('s', '1-0', 'a', '1', 'b', '2');
    await redis.xadd('s', '18446744073709551615-18446744073709551615', 'z', '');
    const r = await client.unary('Get', { key: B('s') });
    expect(r.type).toBe('VALUE_TYPE_STREAM');
    expect(r.collection).toBe('stream');
    expect(
      r.stream.entries.map((e: Msg) => [
        e.id,
        e.fields.map((f: Msg) => [f.field.toString(), f.value.toString()]),
      ]),
    ).toEqual([
      [
        '1-0',
        [
          ['a', '1'],
          ['b', '2'],
        ],
      ],
      ['18446744073709551615-18446744073709551615', [['z', '']]],
    ]);
  });
});
