/**
 * Hostile input against the compiled server, every door, with redis-server as the oracle where
 * Redis has an answer (the same bytes in give the same bytes out). What resp-protocol,
 * resp-limits and http-bounds already cover is not repeated here: this file adds nested and
 * typed frames, announced sizes that must not be reserved, a million pipelined commands,
 * half-open and reset connections, prototype keys and invalid UTF-8 through every door.
 */
import { connect, type Socket } from 'node:net';
import * as protoLoader from '@grpc/proto-loader';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, type ExpectStatic, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { CAIRN_PROTO, type CairnGrpc, cairnClient, grpc, statusOf } from './helpers/grpc.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';
import {
  type Ending,
  frame,
  type Probe,
  RawClient,
  replyCount,
  sideBySide,
  waitFor,
} from './resp-support.js';

const MB = 1024 * 1024;

let cairn: CairnProcess;
let redis: RedisProcess;
let bystander: Redis;
let rpc: CairnGrpc;
let base: string;

beforeAll(async () => {
  [cairn, redis] = await Promise.all([startCairn(), startRedis()]);
  bystander = new Redis({ port: cairn.respPort, maxRetriesPerRequest: 0 });
  await bystander.set('bystander', 'still here');
  rpc = cairnClient(cairn.grpcPort);
  base = `http://127.0.0.1:${cairn.httpPort}`;
});

afterAll(async () => {
  rpc?.close();
  bystander?.disconnect();
  await Promise.all([cairn?.stop(), redis?.stop()]);
});

async function infoField(name: string): Promise<number> {
  const info = await bystander.info();
  const m = new RegExp(`\\r\\n${name}:(\\d+)\\r\\n`).exec(info);
  if (m === null) throw new Error(`INFO has no ${name}`);
  return Number(m[1]);
}

const rss = () => infoField('used_memory_rss');
/** Heap plus external memory: unlike RSS it counts a large buffer as soon as it is allocated. */
const used = () => infoField('used_memory');
const clients = () => infoField('connected_clients');

/** The other clients are still served, and nothing reached the connection loop's catch. */
async function othersServed(): Promise<void> {
  expect(await bystander.get('bystander')).toBe('still here');
  expect(cairn.logs()).not.toMatch(/RESP connection failed|command failed with an exception/);
}

/** Send the same input to Cairn and Redis on fresh connections; both answers, once they ended. */
async function both(probe: Probe) {
  const [a, b] = await sideBySide([cairn.respPort, redis.port], probe);
  return { cairn: a, redis: b };
}

/** Both answered alike, and Redis's answer ended as the case says (a close, or n replies). */
function expectLikeRedis(got: Awaited<ReturnType<typeof both>>, ending: Ending, expect: ExpectStatic): void {
  expect(got.cairn).toEqual(got.redis);
  expect(got.redis.closed).toBe(ending === 'close');
  if (ending !== 'close') expect(replyCount(Buffer.from(got.redis.reply, 'latin1'))).toBe(ending);
}

const bin = (...bytes: number[]) => Buffer.from(bytes);

// ---- RESP: frames a client may not send -----------------------------------------------------

describe('RESP frames that are not a command, with redis-server as the oracle', () => {
  // Each with how Redis's answer ends: it closes, or it has sent that many replies.
  const cases: Array<[string, Probe]> = [
    ['a nested array as a command', { input: '*1\r\n*1\r\n$4\r\nPING\r\n', ending: 'close' }],
    [
      'a nested array as a later argument',
      { input: '*2\r\n$4\r\nECHO\r\n*1\r\n$1\r\nx\r\n', ending: 'close' },
    ],
    ['deep nesting', { input: `${'*1\r\n'.repeat(10_000)}$4\r\nPING\r\n`, ending: 'close' }],
    [
      'a RESP3 map as an argument',
      { input: '*2\r\n$4\r\nECHO\r\n%1\r\n$1\r\na\r\n$1\r\nb\r\n', ending: 'close' },
    ],
    ['a RESP3 set as an argument', { input: '*2\r\n$4\r\nECHO\r\n~1\r\n$1\r\na\r\n', ending: 'close' }],
    // Not a multibulk: five inline lines, each an unknown command or a wrong ECHO.
    ['a RESP3 push frame as a command', { input: '>2\r\n$4\r\nECHO\r\n$1\r\na\r\n', ending: 5 }],
    ['RESP3 scalars as arguments', { input: '*3\r\n$4\r\nECHO\r\n_\r\n#t\r\n', ending: 'close' }],
    ['a RESP3 double as an argument', { input: '*2\r\n$4\r\nECHO\r\n,1.5\r\n', ending: 'close' }],
    [
      'a RESP3 verbatim string as an argument',
      { input: '*2\r\n$4\r\nECHO\r\n=7\r\ntxt:abc\r\n', ending: 'close' },
    ],
    ['a simple string where a bulk belongs', { input: '*2\r\n$4\r\nECHO\r\n+OK\r\n', ending: 'close' }],
    ['an error frame where a bulk belongs', { input: '*2\r\n$4\r\nECHO\r\n-ERR x\r\n', ending: 'close' }],
    [
      'min int64 multibulk count (skipped)',
      { input: `*-9223372036854775808\r\n${frame('PING')}`, ending: 1 },
    ],
    ['multibulk count below int64', { input: '*-9223372036854775809\r\n', ending: 'close' }],
    ['negative zero bulk length', { input: '*1\r\n$-0\r\n', ending: 'close' }],
    ['bulk length with a plus sign', { input: '*1\r\n$+4\r\nPING\r\n', ending: 'close' }],
    ['bulk length with a leading zero', { input: '*1\r\n$04\r\nPING\r\n', ending: 'close' }],
    ['bulk length with a space', { input: '*1\r\n$ 4\r\nPING\r\n', ending: 'close' }],
    ['bulk length of max int64', { input: '*1\r\n$9223372036854775807\r\n', ending: 'close' }],
    // Waits for 512 MB (reserving nothing: see below) until the client ends its side.
    [
      'bulk length at proto-max-bulk-len, no data yet',
      { input: '*2\r\n$4\r\nECHO\r\n$536870912\r\nabc', rest: 'FIN', ending: 'close' },
    ],
    ['an empty bulk', { input: `*2\r\n$4\r\nECHO\r\n$0\r\n\r\n${frame('PING')}`, ending: 2 }],
    [
      'a bulk holding CRLF and a frame',
      { input: `*2\r\n$4\r\nECHO\r\n$14\r\n*1\r\n$4\r\nPING\r\n\r\n`, ending: 1 },
    ],
  ];
  // Each case on its own connections: they can run side by side.
  for (const [name, probe] of cases) {
    it.concurrent(`answers and closes like Redis: ${name}`, async ({ expect }) => {
      expectLikeRedis(await both(probe), probe.ending, expect);
    });
  }

  it('keeps serving everyone else', othersServed);
});

// ---- RESP: announced sizes ------------------------------------------------------------------

describe('announced sizes are not reserved up front', () => {
  it('holds many 1M-element multibulk headers without their memory, and serves others', async () => {
    const [before, usedBefore] = [await rss(), await used()];
    const base = await clients();
    const held: RawClient[] = [];
    for (let i = 0; i < 40; i++) {
      const c = await RawClient.connect(cairn.respPort);
      c.send(i % 2 === 0 ? '*1000000\r\n$3\r\nSET\r\n' : '*1048576\r\n');
      held.push(c);
    }
    await waitFor(async () => (await clients()) === base + 40, 10_000, 'the clients to connect');
    // Reserving argument slots for the count would be 8 MB per client here, 320 MB in all.
    expect((await rss()) - before).toBeLessThan(64 * MB);
    expect((await used()) - usedBefore).toBeLessThan(64 * MB);
    await othersServed();
    for (const c of held) expect(c.receivedBytes).toBe(0);
    for (const c of held) c.close();
    await waitFor(async () => (await clients()) === base, 10_000, 'the clients to leave');
  });

  it('holds bulks announced at proto-max-bulk-len without reserving them', async () => {
    const [before, usedBefore] = [await rss(), await used()];
    const held: RawClient[] = [];
    for (let i = 0; i < 16; i++) {
      const c = await RawClient.connect(cairn.respPort);
      // 512 MB announced, 40 KB sent: the value is assembled as it arrives.
      c.send(
        Buffer.concat([
          Buffer.from('*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$536870912\r\n'),
          Buffer.alloc(40_000, 120),
        ]),
      );
      held.push(c);
    }
    await waitFor(
      async () => /qbuf=4\d{4} /.test(String(await bystander.client('LIST'))),
      10_000,
      'the data',
    );
    // Reserving the announced size would be 8 GB (counted by used_memory even before use).
    expect((await used()) - usedBefore).toBeLessThan(128 * MB);
    expect((await rss()) - before).toBeLessThan(128 * MB);
    await othersServed();
    for (const c of held) c.close();
  });

  it('serves others while a large command trickles in, then runs it', async () => {
    const c = await RawClient.connect(cairn.respPort);
    const pairs = 1000;
    c.send(`*${2 * pairs + 1}\r\n$4\r\nMSET\r\n`);
    for (let i = 0; i < pairs; i += 125) {
      const args: string[] = [];
      for (let k = i; k < i + 125; k++) args.push(`trickle:${k}`, String(k));
      // The arguments alone: a frame without its `*N` header.
      c.send(frame(...args).subarray(`*${args.length}\r\n`.length));
      const t0 = Date.now();
      expect(await bystander.ping()).toBe('PONG');
      // A server blocked on the open command would not answer at all; this bound only catches a slow one.
      expect(Date.now() - t0).toBeLessThan(5000);
      // Nothing runs before the last argument is in.
      if (i + 125 < pairs) expect(await bystander.exists('trickle:0')).toBe(0);
    }
    expect(await c.readUntil('+OK\r\n')).toBe('+OK\r\n');
    expect(await bystander.get(`trickle:${pairs - 1}`)).toBe(String(pairs - 1));
    c.close();
  });
});

// ---- RESP: a million pipelined commands ------------------------------------------------------

/** Write `total` INCR commands, honouring backpressure; resolves when all are written. */
async function writeIncrs(s: Socket, total: number): Promise<void> {
  const one = frame('INCR', 'pipe:ctr');
  const batch = Buffer.concat(Array.from({ length: 10_000 }, () => one));
  for (let sent = 0; sent < total; sent += 10_000) {
    if (!s.write(batch)) await new Promise((r) => s.once('drain', r));
  }
}

describe('a million pipelined commands from one client', () => {
  it('are all answered, in order, with memory bounded, while another client is served', async () => {
    const TOTAL = 1_000_000;
    const before = await rss();
    const s = connect(cairn.respPort, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    let next = 1;
    let carry = '';
    let wrong: string | null = null;
    const done = new Promise<void>((resolve, reject) => {
      s.on('error', reject);
      s.on('data', (d: Buffer) => {
        const lines = (carry + d.toString('latin1')).split('\r\n');
        carry = lines.pop()!;
        for (const line of lines) {
          if (wrong === null && line !== `:${next}`) wrong = `reply ${next} was ${JSON.stringify(line)}`;
          next++;
        }
        if (next > TOTAL) resolve();
      });
    });
    let peak = before;
    let pings = 0;
    let finished = false;
    const watcher = (async () => {
      while (!finished) {
        peak = Math.max(peak, await rss());
        if ((await bystander.ping()) === 'PONG' && !finished) pings++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await writeIncrs(s, TOTAL);
    await done;
    finished = true;
    await watcher;
    s.destroy();
    expect(wrong).toBeNull();
    expect(next - 1).toBe(TOTAL);
    expect(await bystander.get('pipe:ctr')).toBe(String(TOTAL));
    // The bystander was answered while the pipeline ran, not only after it.
    expect(pings).toBeGreaterThan(0);
    // 27 MB of commands and 8 MB of replies went through (measured: ~15 MB of growth at the peak);
    // holding on to either, or to anything per command, would pass this bound.
    expect(peak - before).toBeLessThan(128 * MB);
  });
});

// ---- RESP: half-open and vanished clients -----------------------------------------------------

describe('half-open and reset connections', () => {
  it('keeps a client that sent half a command and went silent, and serves the others', async () => {
    const base = await clients();
    const c = await RawClient.connect(cairn.respPort);
    c.send('*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$5\r\nab');
    await waitFor(async () => /qbuf=2 /.test(String(await bystander.client('LIST'))), 15_000, 'qbuf');
    expect(await clients()).toBe(base + 1);
    await othersServed();
    // The half command never ran; a FIN now ends the client without running it.
    c.socket.end();
    await waitFor(async () => (await clients()) === base, 15_000, 'the client to leave');
    expect(await bystander.exists('half')).toBe(0);
  });

  it('drops clients that vanish with a reset mid-command, mid-bulk and mid-reply', async () => {
    const base = await clients();
    const socks: RawClient[] = [];
    const inputs = [
      '*3\r\n$3\r\nSET\r\n$5\r\nreset\r\n$100\r\nabc',
      '*2\r\n$3\r\nGET\r\n',
      `*3\r\n$3\r\nSET\r\n$5\r\nreset\r\n$${64 * 1024}\r\n${'x'.repeat(1000)}`,
      'SET reset "unterminated',
      Buffer.concat(Array.from({ length: 2000 }, () => frame('GET', 'bystander'))),
    ];
    for (let i = 0; i < 50; i++) {
      const c = await RawClient.connect(cairn.respPort);
      c.send(inputs[i % inputs.length]);
      socks.push(c);
    }
    await waitFor(async () => (await clients()) === base + 50, 15_000, 'the clients to connect');
    for (const c of socks) c.socket.resetAndDestroy();
    await waitFor(async () => (await clients()) === base, 15_000, 'the reset clients to be dropped');
    expect(await bystander.exists('reset')).toBe(0);
    await othersServed();
  });
});

// ---- RESP: bytes that are not UTF-8 -----------------------------------------------------------

describe('RESP arguments are bytes, with redis-server as the oracle', () => {
  const bad = bin(0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xc0, 0xaf, 0x00, 0x0d, 0x0a);
  const commands = [
    frame('SELECT', '9'),
    frame('FLUSHDB'),
    frame('SET', bad, bad),
    frame('GET', bad),
    frame('KEYS', '*'),
    frame('APPEND', bad, bin(0x80)),
    frame('STRLEN', bad),
    frame('MSET', bin(0xfe, 0xff), bad, bin(0x00), bin(0x80)),
    frame('MGET', bin(0xfe, 0xff), bin(0x00), 'missing'),
    frame('ECHO', bin(0xf5, 0x80)),
    frame('EXISTS', bin(0xff, 0xfe)),
    frame('RENAME', bad, bin(0xe2, 0x82)),
    frame('TYPE', bin(0xe2, 0x82)),
    frame('CLIENT', 'SETNAME', bin(0xff)),
    frame('CLIENT', 'SETNAME', bin(0xc3, 0xa9)),
    frame('CLIENT', 'SETNAME', 'a b'),
    frame('CLIENT', 'SETNAME', 'plain-name'),
    frame('CLIENT', 'GETNAME'),
    frame('FLUSHDB'),
  ];
  // One reply per command.
  const script: Probe = { input: Buffer.concat(commands), ending: commands.length };

  it('stores, reads and lists keys and values of any bytes, and vets client names, like Redis', async () => {
    const got = await both(script);
    expectLikeRedis(got, script.ending, expect);
    expect(got.cairn.reply).toContain('$12\r\n');
  });

  it('does the same for a RESP3 client, whose commands are still arrays of bulks', async () => {
    const got = await both({ ...script, setup: { input: frame('HELLO', '3'), ending: 1 } });
    expectLikeRedis(got, script.ending, expect);
    expect(got.cairn.reply).toContain('_\r\n');
  });
});

// ---- HTTP: prototype keys -----------------------------------------------------------------------

interface HttpAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of several shapes
  json: any;
}

async function http(method: string, path: string, body?: string | Buffer, type = 'application/json') {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': type },
    body,
  });
  const text = await r.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: json stays null and the test says so
  }
  return { status: r.status, json } as HttpAnswer;
}

const POLLUTERS = [
  '{"__proto__":{"ttl_ms":60000,"polluted":"yes"}}',
  '{"constructor":{"prototype":{"ttl_ms":60000,"polluted":"yes"}}}',
  '{"value":"v","__proto__":{"ttl_ms":60000}}',
  '{"key":"k","value":"v","__proto__":{"ttl_ms":60000}}',
  '[["SET","k","v"],{"__proto__":{"ttl_ms":60000}}]',
  '{"keys":["a"],"__proto__":{"encoding":"base64"}}',
];
const JSON_ROUTES: Array<[string, string]> = [
  ['PUT', '/v1/keys/proto:target'],
  ['PUT', '/v1/keys/proto:target/ttl'],
  ['POST', '/v1/keys/proto:counter/incr'],
  ['POST', '/v1/kv'],
  ['PUT', '/v1/kv'],
  ['POST', '/v1/mget'],
  ['POST', '/'],
  ['POST', '/pipeline'],
  ['POST', '/multi-exec'],
];

describe('HTTP bodies with __proto__, constructor and prototype', () => {
  it('pollute no prototype in the server, through any JSON route', async () => {
    await Promise.all(
      JSON_ROUTES.flatMap(([method, path]) =>
        POLLUTERS.map(async (body) => {
          const r = await http(method, path, body);
          expect(r.status, `${method} ${path} ${body}`).toBeLessThan(500);
        }),
      ),
    );
    // A polluted Object.prototype would hand `ttl_ms` to every body that lacks one.
    await bystander.del('proto:plain', 'proto:plain2');
    expect((await http('PUT', '/v1/keys/proto:plain', '{"value":"v"}')).status).toBe(200);
    expect((await http('POST', '/v1/kv', '{"key":"proto:plain2","value":"v"}')).status).toBe(200);
    expect(await bystander.pttl('proto:plain')).toBe(-1);
    expect(await bystander.pttl('proto:plain2')).toBe(-1);
    // `{"value": "v", "__proto__": {...}}` is an unknown field, refused whole.
    expect((await http('PUT', '/v1/keys/proto:x', POLLUTERS[2])).status).toBe(400);
    expect(await bystander.exists('proto:x')).toBe(0);
  });

  it('store keys literally named __proto__, constructor and prototype through every route', async () => {
    await bystander.del('__proto__', 'constructor', 'prototype');
    const put = await http('PUT', '/v1/kv', '{"__proto__":"x","constructor":"c","prototype":"p"}');
    expect(put.json).toEqual({ ok: true, count: 3 });
    expect(await bystander.mget('__proto__', 'constructor', 'prototype')).toEqual(['x', 'c', 'p']);
    expect((await http('GET', '/v1/keys/__proto__')).json).toMatchObject({ key: '__proto__', value: 'x' });
    expect((await http('GET', '/v1/keys?key=__proto__&key=constructor')).json.values).toEqual(['x', 'c']);
    expect((await http('POST', '/v1/mget', '{"keys":["prototype","__proto__"]}')).json.values).toEqual([
      'p',
      'x',
    ]);
    expect((await http('GET', '/get/__proto__')).json).toEqual({ result: 'x' });
    expect((await http('POST', '/', '["MSET","__proto__","1","constructor","2"]')).json).toEqual({
      result: 'OK',
    });
    expect((await http('POST', '/', '["MGET","__proto__","constructor"]')).json).toEqual({
      result: ['1', '2'],
    });
    const piped = await http('POST', '/pipeline', '[["SET","__proto__","y"],["GET","__proto__"]]');
    expect(piped.json).toEqual([{ result: 'OK' }, { result: 'y' }]);
    expect((await http('PUT', '/v1/keys/constructor/ttl', '{"ttl_ms":60000}')).status).toBe(200);
    expect(await bystander.pttl('constructor')).toBeGreaterThan(0);
    expect((await http('DELETE', '/v1/keys/__proto__')).status).toBe(204);
    expect(await bystander.exists('__proto__')).toBe(0);
  });
});

// ---- HTTP: invalid UTF-8 ------------------------------------------------------------------------

/** Invalid UTF-8 inside a JSON string: lone continuation, overlong, surrogate, truncated, > U+10FFFF. */
const NOT_UTF8 = [
  bin(0x80),
  bin(0xc0, 0xaf),
  bin(0xed, 0xa0, 0x80),
  bin(0xe2, 0x82),
  bin(0xf5, 0x80, 0x80, 0x80),
];
const RESOURCE_JSON: Array<[string, string, (s: Buffer) => Buffer]> = [
  ['PUT', '/v1/keys/utf8:k', (s) => Buffer.concat([Buffer.from('{"value":"'), s, Buffer.from('"}')])],
  ['POST', '/v1/kv', (s) => Buffer.concat([Buffer.from('{"key":"'), s, Buffer.from('","value":"v"}')])],
  ['PUT', '/v1/kv', (s) => Buffer.concat([Buffer.from('{"'), s, Buffer.from('":"v"}')])],
  ['POST', '/v1/mget', (s) => Buffer.concat([Buffer.from('{"keys":["'), s, Buffer.from('"]}')])],
  [
    'PUT',
    '/v1/keys/utf8:k/ttl',
    (s) => Buffer.concat([Buffer.from('{"ttl_ms":1,"x":"'), s, Buffer.from('"}')]),
  ],
];
const COMMAND_JSON: Array<[string, (s: Buffer) => Buffer]> = [
  ['/', (s) => Buffer.concat([Buffer.from('["SET","utf8:k","'), s, Buffer.from('"]')])],
  ['/pipeline', (s) => Buffer.concat([Buffer.from('[["SET","utf8:k","'), s, Buffer.from('"]]')])],
  ['/multi-exec', (s) => Buffer.concat([Buffer.from('[["SET","'), s, Buffer.from('","v"]]')])],
];

describe('HTTP input that is not UTF-8', () => {
  it('refuses JSON bodies with invalid UTF-8 with 400 in the resource error shape', async () => {
    for (const [method, path, body] of RESOURCE_JSON) {
      for (const s of NOT_UTF8) {
        const r = await http(method, path, body(s));
        expect(r.status, `${method} ${path} ${s.toString('hex')}`).toBe(400);
        expect(r.json).toEqual({ error: { code: 'bad_request', message: expect.stringMatching(/UTF-8/) } });
      }
    }
    expect(await bystander.exists('utf8:k')).toBe(0);
  });

  it('refuses them with 400 in the command API shape on the command routes', async () => {
    for (const [path, body] of COMMAND_JSON) {
      for (const s of NOT_UTF8) {
        const r = await http('POST', path, body(s));
        expect(r.status, `${path} ${s.toString('hex')}`).toBe(400);
        expect(r.json).toEqual({ error: expect.stringMatching(/^ERR .*UTF-8/) });
      }
    }
    expect(await bystander.exists('utf8:k')).toBe(0);
  });

  it('takes invalid UTF-8 in paths as key bytes, in the path form of the command API too', async () => {
    const key = bin(0xff, 0xfe, 0xc0, 0xaf);
    const path = [...key].map((b) => `%${b.toString(16)}`).join('');
    expect(
      (await http('POST', `/set/${path}`, bin(0xed, 0xa0, 0x80), 'application/octet-stream')).json,
    ).toEqual({
      result: 'OK',
    });
    expect(await bystander.getBuffer(key)).toEqual(bin(0xed, 0xa0, 0x80));
    const r = await fetch(`${base}/get/${path}`, { headers: { 'upstash-encoding': 'base64' } });
    expect(await r.json()).toEqual({ result: bin(0xed, 0xa0, 0x80).toString('base64') });
    const resource = await http('GET', `/v1/keys/${path}`);
    expect(resource.json).toMatchObject({ key: key.toString('base64'), key_encoding: 'base64' });
    expect((await http('DELETE', `/del/${path}%2F`)).status).toBe(404);
    await bystander.del(key);
  });

  it('answers an unknown command named by invalid UTF-8 with a JSON error', async () => {
    const r = await http('GET', '/%FF%FE/x');
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: expect.stringMatching(/^ERR unknown command/) });
  });
});

// ---- gRPC ---------------------------------------------------------------------------------------

describe('gRPC input', () => {
  it('declares every field a request carries as bytes or numbers, never as string', () => {
    const def = protoLoader.loadSync(CAIRN_PROTO, { keepCase: true });
    type Field = { name: string; type: string; typeName: string };
    type Desc = { type?: { field?: Field[] } };
    const seen = new Set<string>();
    const strings: string[] = [];
    const walk = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const d = def[name] as Desc | undefined;
      for (const f of d?.type?.field ?? []) {
        if (f.type === 'TYPE_STRING') strings.push(`${name}.${f.name}`);
        if (f.type === 'TYPE_MESSAGE') walk(`cairn.v1.${f.typeName.split('.').pop()}`);
      }
    };
    const requests = Object.keys(def).filter((n) => n.startsWith('cairn.v1.') && n.endsWith('Request'));
    expect(requests.length).toBeGreaterThan(5);
    for (const n of requests) walk(n);
    expect(strings).toEqual([]);
  });

  it('round-trips invalid UTF-8 keys and values, and echoes them in errors without harm', async () => {
    const key = bin(0xff, 0xc0, 0xaf, 0xed, 0xa0, 0x80);
    const value = bin(0xf5, 0x80, 0x00, 0xfe);
    expect(await rpc.unary('Set', { key, value })).toEqual({});
    expect((await rpc.unary('Get', { key })).value).toEqual(value);
    expect(await bystander.getBuffer(key)).toEqual(value);
    const unknown = await statusOf(rpc.unary('Execute', { args: [bin(0xff, 0xfe), key] }));
    expect(unknown.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(unknown.details).toMatch(/^ERR unknown command|unknown command/);
    const echoed = await rpc.unary('Execute', { args: [Buffer.from('ECHO'), value] });
    expect(echoed.reply).toMatchObject({ kind: 'bulk', bulk: value });
    await bystander.del(key);
  });

  it('answers a request that is not protobuf with an error status, and keeps serving', async () => {
    const garbage = [
      bin(0xff, 0xff, 0xff, 0xff),
      bin(0x0a, 0x7f, 0x01),
      bin(0x12, 0xff, 0xff, 0xff, 0xff, 0x0f),
    ];
    for (const g of garbage) {
      const code = await new Promise<number>((resolve) => {
        rpc.raw.makeUnaryRequest(
          '/cairn.v1.CairnService/Get',
          (b: Buffer) => b,
          (b: Buffer) => b,
          g,
          (err: grpc.ServiceError | null) => resolve(err?.code ?? grpc.status.OK),
        );
      });
      expect(code).not.toBe(grpc.status.OK);
    }
    await rpc.unary('Set', { key: Buffer.from('grpc:after'), value: Buffer.from('ok') });
    expect((await rpc.unary('Get', { key: Buffer.from('grpc:after') })).value).toEqual(Buffer.from('ok'));
    await othersServed();
  });
});
