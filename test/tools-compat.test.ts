/**
 * Connection and server commands against a real redis-server: the same command sequences on a
 * fresh connection to each, replies compared byte for byte (after masking the few values that
 * differ by nature: client ids). Covers the error wording clients and tools match on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Node, parseReply, RawRespClient } from './differential/resp-client.js';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';
import { frame, RawClient } from './resp-support.js';

type Step = string[];

/** Values that legitimately differ between two servers. */
function mask(reply: Buffer): string {
  return reply
    .toString('latin1')
    .replace(/(\$2\r\nid\r\n:)\d+/g, '$1<id>')
    .replace(/^:\d{10}\r\n$/, ':<unix-time>\r\n');
}

async function runSteps(port: number, steps: readonly Step[]): Promise<string[]> {
  const c = await RawRespClient.connect(port);
  try {
    const out: string[] = [];
    for (const argv of steps) out.push(`${argv.join(' ')} -> ${mask(await c.call(argv))}`);
    return out;
  } finally {
    c.close();
  }
}

const CONNECTION: Step[] = [
  ['PING'],
  ['ping', 'hello'],
  ['PING', 'a', 'b'],
  ['ECHO', 'x'],
  ['ECHO'],
  ['SELECT', '15'],
  ['SELECT', '16'],
  ['SELECT', '-1'],
  ['SELECT', 'abc'],
  ['SELECT', '4294967296'],
  ['SELECT', '0', '1'],
  ['SELECT', '0'],
  ['AUTH', 'x'],
  ['AUTH', 'default', 'x'],
  ['AUTH', 'bob', 'x'],
  ['AUTH', 'a', 'b', 'c'],
  ['HELLO', '4'],
  ['HELLO', '1'],
  ['HELLO', 'abc'],
  ['HELLO', '3', 'foo'],
  ['HELLO', '2', 'AUTH', 'default'],
  ['HELLO', '2', 'setname'],
  ['HELLO', '2', 'SETNAME', 'a b'],
  ['HELLO', '2', 'SETNAME', 'named'],
  ['CLIENT', 'GETNAME'],
  ['HELLO', '3'],
  ['CLIENT', 'GETNAME'],
  ['HELLO', '2'],
  ['RESET', 'x'],
  ['RESET'],
  ['CLIENT', 'GETNAME'],
];

const CLIENT: Step[] = [
  ['CLIENT'],
  ['CLIENT', 'foo'],
  ['CLIENT', 'GETNAME', 'x'],
  ['CLIENT', 'ID', 'x'],
  ['CLIENT', 'SETNAME'],
  ['CLIENT', 'SETNAME', 'a b'],
  ['CLIENT', 'SETNAME', 'a\nb'],
  ['CLIENT', 'SETNAME', 'worker'],
  ['CLIENT', 'GETNAME'],
  ['CLIENT', 'SETNAME', ''],
  ['CLIENT', 'GETNAME'],
  ['CLIENT', 'KILL'],
  ['CLIENT', 'KILL', '1.2.3.4:5'],
  ['CLIENT', 'KILL', 'ID', '999999'],
  ['CLIENT', 'KILL', 'ID', 'abc'],
  ['CLIENT', 'KILL', 'ID', '0'],
  ['CLIENT', 'KILL', 'foo', 'bar'],
  ['CLIENT', 'KILL', 'TYPE', 'foo'],
  ['CLIENT', 'KILL', 'TYPE', 'master'],
  ['CLIENT', 'KILL', 'USER', 'nobody'],
  ['CLIENT', 'KILL', 'LADDR', '1.1.1.1:1'],
  ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
  ['CLIENT', 'KILL', 'ID', '1', 'SKIPME'],
  ['CLIENT', 'REPLY', 'foo'],
  ['CLIENT', 'NO-EVICT', 'foo'],
  ['CLIENT', 'NO-EVICT', 'on'],
  ['CLIENT', 'NO-EVICT', 'off'],
  ['CLIENT', 'REPLY', 'ON'],
  ['CLIENT', 'LIST', 'TYPE', 'foo'],
  ['CLIENT', 'LIST', 'ID', 'abc'],
  ['CLIENT', 'LIST', 'ID'],
  ['CLIENT', 'LIST', 'foo'],
  ['CLIENT', 'LIST', 'ID', '999999'],
  ['CLIENT', 'LIST', 'TYPE', 'pubsub'],
];

const SERVER: Step[] = [
  ['CONFIG'],
  ['CONFIG', 'foo'],
  ['CONFIG', 'GET'],
  ['CONFIG', 'GET', 'maxmemory'],
  ['CONFIG', 'GET', 'save'],
  ['CONFIG', 'GET', 'appendonly'],
  ['CONFIG', 'GET', 'HZ'],
  ['CONFIG', 'GET', 'nosuch'],
  ['CONFIG', 'SET', 'hz'],
  ['CONFIG', 'SET', 'hz', '1', '2'],
  ['CONFIG', 'SET', 'nosuch', '1'],
  ['CONFIG', 'SET', 'hz', '5', 'nosuch', '1'],
  ['CONFIG', 'SET', 'hz', '5', 'hz', '6'],
  ['CONFIG', 'SET', 'hz', '5', 'databases', '4'],
  ['CONFIG', 'SET', 'maxmemory', 'abc'],
  ['CONFIG', 'SET', 'maxmemory', '-5'],
  ['CONFIG', 'SET', 'hz', 'abc'],
  ['CONFIG', 'SET', 'maxclients', 'abc'],
  ['CONFIG', 'SET', 'timeout', '-1'],
  ['CONFIG', 'SET', 'maxmemory', '1mb', 'timeout', '7'],
  ['CONFIG', 'GET', 'maxmemory'],
  ['CONFIG', 'GET', 'timeout'],
  ['CONFIG', 'SET', 'maxmemory', '0', 'timeout', '0'],
  ['CONFIG', 'RESETSTAT'],
  ['COMMAND', 'foo'],
  ['COMMAND', 'INFO', 'nosuch'],
  ['COMMAND', 'DOCS', 'nosuch'],
  ['COMMAND', 'GETKEYS', 'ping'],
  ['COMMAND', 'GETKEYS', 'nosuch', 'a'],
  ['COMMAND', 'GETKEYS', 'ping', 'x'],
  ['COMMAND', 'GETKEYS', 'client', 'list'],
  ['COMMAND', 'GETKEYS', 'client', 'nosuch'],
  ['COMMAND', 'GETKEYS', 'set', 'a', 'b'],
  ['COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c', 'd'],
  ['COMMAND', 'GETKEYS', 'get', 'a', 'b'],
  ['COMMAND', 'LIST', 'FILTERBY', 'foo', 'x'],
  ['COMMAND', 'LIST', 'foo'],
  ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'],
  ['INFO', 'nosuch'],
  ['WAIT'],
  ['WAIT', 'a', '0'],
  ['WAIT', '0', 'a'],
  ['WAIT', '0', '-1'],
  ['WAIT', '0', '0'],
  ['WAIT', '-1', '0'],
  ['SHUTDOWN', 'foo'],
  ['SHUTDOWN', 'ABORT'],
  ['SHUTDOWN', 'SAVE', 'NOSAVE'],
  ['SHUTDOWN', 'ABORT', 'NOW'],
  ['BGSAVE', 'foo'],
  ['LASTSAVE'],
  ['TIME', 'x'],
];

/** The RESP3 shapes: maps, nulls, verbatim strings. */
const RESP3: Step[] = [
  ['HELLO', '3'],
  ['CONFIG', 'GET', 'timeout'],
  ['CONFIG', 'GET', 'nosuch'],
  ['CLIENT', 'GETNAME'],
  ['CLIENT', 'LIST', 'ID', '999999'],
  ['INFO', 'nosuch'],
  ['COMMAND', 'INFO', 'nosuch'],
  ['COMMAND', 'DOCS', 'nosuch'],
  ['COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c', 'd'],
  ['PING'],
  ['PING', 'x'],
  ['WAIT', '0', '0'],
  ['HELLO', '4'],
  ['CLIENT', 'REPLY', 'ON'],
  ['RESET'],
  ['CONFIG', 'GET', 'maxmemory'],
];

const AUTH: Step[] = [
  ['PING'],
  ['HELLO'],
  ['HELLO', '3'],
  ['HELLO', '3', 'AUTH', 'default', 'nope'],
  ['HELLO', '3', 'AUTH', 'bob', 'sekret'],
  ['HELLO', '4', 'AUTH', 'default', 'nope'],
  ['HELLO', '2', 'SETNAME', 'a b', 'AUTH', 'default', 'sekret'],
  ['CLIENT', 'GETNAME'],
  ['AUTH', 'x', 'y', 'z'],
  ['AUTH', 'nope'],
  ['AUTH', 'sekret'],
  ['AUTH', 'default', 'sekret'],
  ['PING'],
  ['SELECT', '1'],
  ['RESET'],
  ['PING'],
  ['HELLO', '2', 'AUTH', 'default', 'sekret', 'SETNAME', 'app'],
  ['CLIENT', 'GETNAME'],
  ['RESET'],
  ['CLIENT', 'GETNAME'],
  ['MULTI'],
  ['AUTH', 'sekret'],
  ['MULTI'],
  ['PING'],
  ['RESET'],
  ['PING'],
];

describe('connection and server commands, byte for byte against redis-server', () => {
  let cairn: CairnProcess;
  let redis: RedisProcess;

  beforeAll(async () => {
    [cairn, redis] = await Promise.all([startCairn(), startRedis()]);
  });
  afterAll(async () => {
    await Promise.all([cairn?.stop(), redis?.stop()]);
  });

  for (const [name, steps] of Object.entries({ CONNECTION, CLIENT, SERVER, RESP3 })) {
    it(`${name}: same replies`, async () => {
      const [ours, theirs] = await Promise.all([
        runSteps(cairn.respPort, steps),
        runSteps(redis.port, steps),
      ]);
      expect(ours).toEqual(theirs);
    });
  }

  it('QUIT answers OK and closes, even with arguments', async () => {
    for (const port of [cairn.respPort, redis.port]) {
      // Raw bytes and the close event itself: a command sent after QUIT could meet ECONNRESET
      // before the close is seen, so nothing is sent after it.
      const c = await RawClient.connect(port);
      c.send(frame('QUIT', 'x'));
      expect(await c.waitClosed(15_000)).toBe('+OK\r\n');
    }
  });

  it('TIME answers two bulk strings, the server clock', async () => {
    const c = await RawRespClient.connect(cairn.respPort);
    const node = parseReply(await c.call(['TIME']));
    c.close();
    expect(node.t).toBe('array');
    const [s, us] = (node as { items: Array<{ b: Buffer }> }).items.map((i) => Number(i.b.toString()));
    expect(Math.abs(s * 1000 + us / 1000 - Date.now())).toBeLessThan(5_000);
    expect(us).toBeLessThan(1_000_000);
  });

  /**
   * What redis-cli 7 asserts while reading COMMAND DOCS at start (cliInitCommandHelpEntries,
   * cliConcatArguments): a failed assert would abort the interactive shell.
   */
  it('COMMAND DOCS has the shape redis-cli reads at start, in RESP2 and RESP3', async () => {
    for (const proto of ['2', '3']) {
      const c = await RawRespClient.connect(cairn.respPort);
      await c.call(['HELLO', proto]);
      const docs = parseReply(await c.call(['COMMAND', 'DOCS']));
      c.close();
      expect(docs.t).toBe(proto === '2' ? 'array' : 'map');
      const checkArgs = (args: Node) => {
        expect(args.t).toBe('array');
        for (const a of (args as { items: Node[] }).items) {
          expect(['array', 'map']).toContain(a.t);
          const kv = (a as { items: Node[] }).items;
          const keys = kv.filter((_, i) => i % 2 === 0).map((k) => (k as { b: Buffer }).b.toString());
          expect(keys).toContain('name');
          expect(keys).toContain('type');
          for (let i = 0; i < kv.length; i += 2) {
            const key = keys[i / 2];
            const v = kv[i + 1];
            if (key === 'flags') {
              expect(['set', 'array']).toContain(v.t);
              for (const f of (v as { items: Node[] }).items) expect(f.t).toBe('simple');
            } else if (key === 'arguments') checkArgs(v);
            else expect(v.t).toBe('bulk');
          }
        }
      };
      const checkEntry = (entry: Node) => {
        expect(['array', 'map']).toContain(entry.t);
        const kv = (entry as { items: Node[] }).items;
        for (let i = 0; i < kv.length; i += 2) {
          expect(kv[i].t).toBe('bulk');
          const key = (kv[i] as { b: Buffer }).b.toString();
          const v = kv[i + 1];
          if (key === 'summary' || key === 'since' || key === 'group') expect(v.t).toBe('bulk');
          if (key === 'arguments') checkArgs(v);
          if (key === 'subcommands') {
            expect(['array', 'map']).toContain(v.t);
            const subs = (v as { items: Node[] }).items;
            for (let j = 0; j < subs.length; j += 2) {
              expect(subs[j].t).toBe('bulk');
              checkEntry(subs[j + 1]);
            }
          }
        }
      };
      const items = (docs as { items: Node[] }).items;
      expect(items.length).toBeGreaterThan(20);
      for (let i = 0; i < items.length; i += 2) {
        expect(items[i].t).toBe('bulk');
        checkEntry(items[i + 1]);
      }
    }
  });
});

describe('authentication, byte for byte against redis-server with requirepass', () => {
  it('same replies', async () => {
    const [cairn, redis] = await Promise.all([
      startCairn({ args: ['--requirepass', 'sekret'] }),
      startRedis(['--requirepass', 'sekret']),
    ]);
    try {
      const [ours, theirs] = await Promise.all([runSteps(cairn.respPort, AUTH), runSteps(redis.port, AUTH)]);
      expect(ours).toEqual(theirs);
    } finally {
      await Promise.all([cairn.stop(), redis.stop()]);
    }
  });
});
