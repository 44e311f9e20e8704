/**
 * The RESP wire protocol against the compiled server, with a real redis-server as the oracle for
 * malformed input: the same bytes in must give the same bytes out, and the connection must be
 * closed exactly where Redis closes it. Meanwhile another client keeps being served.
 */
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';
import { frame, RawClient } from './resp-support.js';

let cairn: CairnProcess;
let redis: RedisProcess;
let bystander: Redis;

beforeAll(async () => {
  [cairn, redis] = await Promise.all([
    startCairn({ args: ['--client-query-buffer-limit', '1mb'] }),
    startRedis(['--client-query-buffer-limit', '1mb']),
  ]);
  bystander = new Redis({ port: cairn.respPort, maxRetriesPerRequest: 0 });
  await bystander.set('bystander', 'still here');
});

afterAll(async () => {
  bystander?.disconnect();
  await Promise.all([cairn?.stop(), redis?.stop()]);
});

/** Send the same input to Cairn and Redis on fresh connections; both answers. */
async function both(input: string | Buffer) {
  const [c, r] = await Promise.all([RawClient.connect(cairn.respPort), RawClient.connect(redis.port)]);
  try {
    const [a, b] = await Promise.all([c.exchange(input), r.exchange(input)]);
    return { cairn: a, redis: b };
  } finally {
    c.close();
    r.close();
  }
}

const BAD_INPUT: Array<[string, string | Buffer]> = [
  ['non-numeric multibulk length', '*x\r\n'],
  ['empty multibulk length', '*\r\n'],
  ['multibulk length with a plus sign', '*+1\r\n'],
  ['multibulk length past int64', '*99999999999999999999\r\n'],
  ['negative bulk length', '*1\r\n$-1\r\n'],
  ['non-numeric bulk length', '*1\r\n$abc\r\n'],
  ['bulk length past proto-max-bulk-len', '*1\r\n$536870913\r\n'],
  ['absurd bulk length', '*1\r\n$99999999999999999999999\r\n'],
  ['inline where a bulk was expected', '*1\r\nPING\r\n'],
  ['empty line where a bulk was expected', '*1\r\n\r\n'],
  ['integer frame where a bulk was expected', '*2\r\n$3\r\nGET\r\n:1\r\n'],
  ['unbalanced double quotes', 'SET k "abc\r\n'],
  ['unbalanced single quotes', "SET k 'abc\r\n"],
  ['text after a closing quote', 'SET k "a"b\r\n'],
  [
    'replies before a protocol error',
    Buffer.concat([frame('SET', 'a', '1'), frame('GET', 'a'), Buffer.from('*1\r\n$x\r\n'), frame('PING')]),
  ],
  ['negative and zero multibulk counts', Buffer.concat([Buffer.from('*-1\r\n*0\r\n*-7\r\n'), frame('PING')])],
  ['blank inline lines', '\r\n\n  \r\nPING\r\n'],
  ['bytes after a bulk are skipped unchecked', '*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n'],
  ['inline commands with quotes', 'ECHO "a\\x41\\n" \'b\\\'c\'\r\nECHO "x y"\r\n'],
  ['a NUL hides the end of an inline line', 'PING\0\r\nPING\r\n'],
  ['a NUL hides the end of a count line', '*1\0\r\n$4\r\nPING\r\n'],
  ['truncated frame', '*2\r\n$4\r\nECHO\r\n$5\r\nhel'],
  ['truncated count', '*2\r\n$4'],
  ['long inline line without an end', `PING ${'x'.repeat(70 * 1024)}`],
  ['long count line without an end', `*${'1'.repeat(70 * 1024)}`],
  ['long bulk count line without an end', `*1\r\n$${'1'.repeat(70 * 1024)}`],
  [
    'past client-query-buffer-limit',
    Buffer.concat([Buffer.from('*2\r\n$4\r\nECHO\r\n$3000000\r\n'), Buffer.alloc(1_200_000, 120)]),
  ],
  ['multibulk past proto-max-bulk-len is checked per bulk', '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$600000000\r\n'],
];

describe('malformed input, with redis-server as the oracle', () => {
  for (const [name, input] of BAD_INPUT) {
    it(`answers and closes like Redis: ${name}`, async () => {
      const got = await both(input);
      expect(got.cairn).toEqual(got.redis);
      expect(await bystander.get('bystander')).toBe('still here');
    });
  }

  it('finishes a truncated frame when the rest arrives', async () => {
    const c = await RawClient.connect(cairn.respPort);
    c.send('*2\r\n$4\r\nECHO\r\n$5\r\nhel');
    c.send('lo\r\n');
    expect(await c.readUntil('hello\r\n')).toBe('$5\r\nhello\r\n');
    c.close();
  });

  it('refuses garbage bytes with a clear error and keeps the connection', async () => {
    const c = await RawClient.connect(cairn.respPort);
    c.send(Buffer.from([0x16, 0x03, 0x01, 0x41, 0xff, 0xfe, 0x0d, 0x0a]));
    const text = await c.readUntil('\r\n');
    expect(text.startsWith('-ERR unknown command')).toBe(true);
    c.send('PING\r\n');
    await c.readUntil('+PONG\r\n');
    expect(c.closed).toBe(false);
    c.close();
  });

  it('waits on a 1M-element multibulk header without reserving for it, then serves others', async () => {
    const c = await RawClient.connect(cairn.respPort);
    c.send(`*1000000\r\n${frame('x').toString().slice(4).repeat(1000)}`);
    const other = await RawClient.connect(cairn.respPort);
    other.send('PING\r\n');
    await other.readUntil('+PONG\r\n');
    const list = String(await bystander.client('LIST'));
    expect(list).toMatch(/qbuf=/);
    expect(c.closed).toBe(false);
    expect(c.receivedBytes).toBe(0);
    c.close();
    other.close();
  });

  it('refuses a multibulk count past proto-max-multibulk-len', async () => {
    const c = await RawClient.connect(cairn.respPort);
    c.send('*1048577\r\n');
    expect(await c.waitClosed()).toBe('-ERR Protocol error: invalid multibulk length\r\n');
  });
});

describe('random input', () => {
  it('survives random bytes from many clients and keeps serving', async () => {
    const inputs = fc.sample(
      fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc
          .array(
            fc.constantFrom(
              '*',
              '$',
              '\r\n',
              '1',
              '0',
              '-',
              '9',
              'PING',
              ' ',
              '"',
              "'",
              '\\x',
              '\0',
              'SET k v',
            ),
            {
              minLength: 1,
              maxLength: 200,
            },
          )
          .map((a) => Uint8Array.from(Buffer.from(a.join(''), 'latin1'))),
      ),
      { numRuns: 200, seed: 42 },
    );
    for (let i = 0; i < inputs.length; i += 20) {
      await Promise.all(
        inputs.slice(i, i + 20).map(async (bytes) => {
          const c = await RawClient.connect(cairn.respPort);
          c.send(Buffer.from(bytes));
          c.send(frame('PING'));
          // Either the server answers (ending with the PONG when the frame stayed in sync) or it
          // closes after a protocol error; it never stays silent on a complete frame forever.
          await c.exchange(Buffer.alloc(0), 100);
          c.close();
        }),
      );
    }
    expect(await bystander.get('bystander')).toBe('still here');
    expect(cairn.logs()).not.toMatch(/RESP connection failed|command failed with an exception/);
    const info = await bystander.info('clients');
    expect(Number(/connected_clients:(\d+)/.exec(info)![1])).toBeLessThan(5);
  });
});

describe('pipelining', () => {
  it('answers 10k commands sent in one write, in order', async () => {
    const c = await RawClient.connect(cairn.respPort);
    const parts: Buffer[] = [];
    let expected = '';
    for (let i = 0; i < 5000; i++) {
      parts.push(frame('SET', `pipe:${i}`, `value-${i}`), frame('GET', `pipe:${i}`));
      expected += `+OK\r\n$${`value-${i}`.length}\r\nvalue-${i}\r\n`;
    }
    c.send(Buffer.concat(parts));
    await c.read(expected.length);
    expect(c.text()).toBe(expected);
    c.close();
  });

  it('answers a pipeline split at every possible place', async () => {
    const input = Buffer.concat([
      frame('SET', 'split', 'v'),
      Buffer.from('GET split\r\n'),
      frame('ECHO', 'é'),
    ]);
    const c = await RawClient.connect(cairn.respPort);
    for (let i = 0; i < input.length; i++) c.send(input.subarray(i, i + 1));
    expect(await c.readUntil('\xc3\xa9\r\n')).toBe('+OK\r\n$1\r\nv\r\n$2\r\n\xc3\xa9\r\n');
    c.close();
  });

  it('answers QUIT and runs nothing pipelined behind it', async () => {
    const c = await RawClient.connect(cairn.respPort);
    c.send(Buffer.concat([frame('SET', 'afterquit', '0'), frame('QUIT'), frame('SET', 'afterquit', '1')]));
    expect(await c.waitClosed()).toBe('+OK\r\n+OK\r\n');
    expect(await bystander.get('afterquit')).toBe('0');
  });
});
