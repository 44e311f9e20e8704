/**
 * Differential checks of what Redis 7.0's own test suite leans on in the introspection, scripting,
 * latency and client units: COMMAND GETKEYSANDFLAGS and the key specs of COMMAND INFO, DEBUG
 * PROTOCOL's RESP3 types, CLUSTER in a standalone server, LATENCY, MIGRATE's argument errors,
 * CLIENT PAUSE's, the error statistics of commands refused inside scripts, function library
 * headers, the frozen time of a script, the maxmemory of an empty dataset, the query buffer
 * CLIENT INFO shows for its own command. Each case runs on a real redis-server and on Cairn;
 * replies are compared byte for byte, or after a normalisation named in the case.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawRespClient } from './differential/resp-client.js';
import { CAIRN_BIN, type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

type Cmd = string[];

interface Case {
  readonly name: string;
  readonly commands: readonly Cmd[];
  /** Turns one reply into what is compared (default: the raw bytes). */
  readonly normalise?: (reply: string, cmd: Cmd) => string;
}

/** `name:calls=1,usec=...,rejected_calls=0,failed_calls=1` -> the counters only. */
function statsOnly(reply: string, cmd: Cmd): string {
  if (cmd[0] !== 'INFO') return reply;
  return reply
    .split('\r\n')
    .filter(
      (l) => l.startsWith('errorstat_') || l.startsWith('total_error_replies') || l.startsWith('cmdstat_'),
    )
    .map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, ''))
    .sort()
    .join('\n');
}

const KEY_COMMANDS: Cmd[] = [
  ['set', 'k1', 'v1'],
  ['set', 'k1', 'v1', 'get'],
  ['mset', 'k1', 'v1', 'k2', 'v2'],
  ['LMOVE', 'k1', 'k2', 'left', 'right'],
  ['sort', 'k1', 'store', 'k2'],
  ['sort_ro', 'k1', 'by', 'w*'],
  ['xread', 'count', '2', 'streams', 'a', 'b', '0', '0'],
  ['zunionstore', 'd', '2', 'a', 'b', 'weights', '1', '2'],
  ['eval', 'return 1', '0'],
  ['eval', 'return 1', '2', 'a', 'b', 'c'],
  ['fcall_ro', 'f', '1', 'a'],
  ['bitfield', 'k', 'get', 'u8', '0'],
  ['bitfield', 'k', 'set', 'u8', '0', '1'],
  ['migrate', 'h', '1', 'k', '0', '0'],
  ['migrate', 'h', '1', '', '0', '0', 'auth', 'p', 'keys', 'a', 'b'],
  ['memory', 'usage', 'k'],
  ['object', 'encoding', 'k'],
  ['georadius', 'k', '0', '0', '1', 'km', 'store', 'd'],
  ['blmpop', '0', '2', 'a', 'b', 'left'],
  ['nosuchcommand', 'x'],
  ['get'],
  ['ping'],
];

const INFO_COMMANDS = [
  'get',
  'set',
  'lmove',
  'sort',
  'xread',
  'zunionstore',
  'eval',
  'migrate',
  'georadius',
  'memory|usage',
  'object|encoding',
  'bitfield',
  'lcs',
  'blmpop',
  'ssubscribe',
];

const CASES: Case[] = [
  {
    name: 'COMMAND GETKEYSANDFLAGS and GETKEYS',
    commands: KEY_COMMANDS.flatMap((c) => [
      ['COMMAND', 'GETKEYSANDFLAGS', ...c],
      ['COMMAND', 'GETKEYS', ...c],
    ]),
  },
  {
    name: 'COMMAND INFO key specs',
    commands: INFO_COMMANDS.map((c) => ['COMMAND', 'INFO', c]),
    // Key specs are the 9th element; tips and the rest of the entry are compared elsewhere.
    normalise: (reply) => reply.slice(reply.indexOf('flags')),
  },
  {
    name: 'DEBUG PROTOCOL in RESP2 and RESP3',
    commands: ['bignum', 'attrib', 'push', 'verbatim', 'map', 'nosuchtype'].flatMap((t) => [
      ['DEBUG', 'PROTOCOL', t],
    ]),
  },
  {
    name: 'DEBUG PROTOCOL over RESP3',
    commands: [
      ['HELLO', '3'],
      ['DEBUG', 'PROTOCOL', 'bignum'],
      ['DEBUG', 'PROTOCOL', 'attrib'],
      ['DEBUG', 'PROTOCOL', 'set'],
    ],
    normalise: (reply, cmd) => (cmd[0] === 'HELLO' ? '' : reply),
  },
  {
    name: 'CLUSTER and friends in a standalone server',
    commands: [
      ['CLUSTER', 'INFO'],
      ['CLUSTER', 'KEYSLOT', 'x'],
      ['CLUSTER', 'nosuch'],
      ['READONLY'],
      ['READWRITE'],
      ['ASKING'],
      ['EVAL', "return redis.pcall('cluster', 'reset')", '0'],
    ],
    normalise: (reply) => reply.replace(/script: \w+/, 'script: X'),
  },
  {
    name: 'LATENCY without events, and its errors',
    commands: [
      ['LATENCY', 'RESET'],
      ['LATENCY', 'LATEST'],
      ['LATENCY', 'HISTORY', 'command'],
      ['LATENCY', 'RESET', 'nosuch'],
      ['LATENCY', 'GRAPH', 'nosuch'],
      ['LATENCY', 'HELP'],
      ['LATENCY', 'HELP', 'xxx'],
      ['LATENCY', 'nosuch'],
      ['LATENCY', 'HISTOGRAM', 'nosuch'],
    ],
  },
  {
    name: 'LATENCY HISTOGRAM counts calls per command and subcommand',
    commands: [
      ['CONFIG', 'RESETSTAT'],
      ['SET', 'a', 'b'],
      ['SET', 'c', 'd'],
      ['CLIENT', 'ID'],
      ['LATENCY', 'HISTOGRAM', 'set', 'client', 'blabla'],
    ],
    // Bucket bounds depend on the machine: keep the names and the calls.
    normalise: (reply, cmd) =>
      cmd[0] === 'LATENCY'
        ? [...reply.matchAll(/\$\d+\r\n([a-z|]+)\r\n\*4\r\n\$5\r\ncalls\r\n:(\d+)/g)]
            .map((m) => `${m[1]}=${m[2]}`)
            .sort()
            .join(',')
        : cmd[0] === 'CLIENT'
          ? ''
          : reply,
  },
  {
    name: 'MIGRATE argument errors and NOKEY',
    commands: [
      ['MIGRATE', '127.0.0.1', '1', 'nokey', '0', '100'],
      ['MIGRATE', '127.0.0.1', '1', '', '0', '100', 'KEYS', 'a', 'b'],
      ['MIGRATE', '127.0.0.1', '1', 'k', '0', '100', 'KEYS', 'a'],
      ['MIGRATE', '127.0.0.1', '1', 'k', '0', '100', 'AUTH'],
      ['MIGRATE', '127.0.0.1', '1', 'k', '0', '100', 'AUTH2', 'u'],
      ['MIGRATE', '127.0.0.1', '1', 'k', '0', '100', 'bogus'],
      ['MIGRATE', '127.0.0.1', '1', 'k', 'x', '100'],
      ['MIGRATE', '127.0.0.1', '1', 'k', '0', 'x'],
    ],
  },
  {
    name: 'CLIENT PAUSE argument errors, and a zero pause',
    commands: [
      ['CLIENT', 'PAUSE', '100', 'bogus'],
      ['CLIENT', 'PAUSE', 'x'],
      ['CLIENT', 'PAUSE', '-1'],
      ['CLIENT', 'PAUSE', '1', 'WRITE', 'extra'],
      ['CLIENT', 'PAUSE', '0'],
      ['SET', 'x', '1'],
      ['CLIENT', 'UNPAUSE'],
    ],
  },
  {
    name: 'errors of commands refused inside scripts count once',
    commands: [
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['CONFIG', 'RESETSTAT'],
      ['EVAL', "return redis.call('set','x','y')", '1', 'x'],
      ['INFO', 'all'],
      ['CONFIG', 'RESETSTAT'],
      ['EVAL', "return redis.pcall('set','x','y')", '1', 'x'],
      ['INFO', 'all'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
      ['CONFIG', 'RESETSTAT'],
      ['EVAL', "return redis.call('select',99)", '0'],
      ['INFO', 'all'],
      ['CONFIG', 'RESETSTAT'],
      ['EVAL_RO', "local t = redis.pcall('set','x','y') return t['err']", '1', 'x'],
      ['EVAL_RO', "return redis.call('publish','ch','m')", '0'],
      ['INFO', 'all'],
    ],
    normalise: (reply, cmd) => statsOnly(reply.replace(/script: \w+/, 'script: X'), cmd),
  },
  {
    name: 'function library headers and names',
    commands: [
      ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'LOAD', '#!lua name="foo"\nredis.register_function(\'Hello\', function() return 1 end)'],
      ['FCALL', 'HELLO', '0'],
      ['FCALL', 'hello', '0'],
      ['FUNCTION', 'LOAD', "#!lua name=a name=b\nredis.register_function('x', function() return 1 end)"],
      ['FUNCTION', 'LOAD', "#!lua NAME=c\nredis.register_function('y', function() return 1 end)"],
      ['FUNCTION', 'LOAD', "#!lua name=d foo=bar\nredis.register_function('z', function() return 1 end)"],
      ['FUNCTION', 'RESTORE', 'a', 'b', 'c'],
      ['FUNCTION', 'FLUSH', 'sync', 'extra'],
      ['FUNCTION', 'FLUSH', 'bogus'],
      ['FUNCTION', 'FLUSH'],
    ],
  },
  {
    name: 'a script sees one time and a protected _G metatable',
    commands: [
      ['DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '1'],
      [
        'EVAL',
        "redis.call('SET', 'key', 'v', 'PX', '1') redis.call('DEBUG', 'SLEEP', '0.01') return redis.call('EXISTS', 'key')",
        '0',
      ],
      ['DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '0'],
      ['EXISTS', 'key'],
      ['EVAL', 'local g = getmetatable(_G) g.__index = {}', '0'],
      ['EVAL', "return redis.call('DEBUG', 'SLEEP', '0')", '0'],
    ],
    normalise: (reply) => reply.replace(/script: \w+/, 'script: X'),
  },
  {
    name: 'maxmemory 1 refuses writes even with no data',
    commands: [
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['SET', 'k', 'v'],
      ['EVAL', '#!lua\nreturn 1', '0'],
      ['EVAL', '#!lua flags=no-writes\nreturn 1', '0'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
      ['CONFIG', 'SET', 'maxmemory-clients', '200%'],
      ['CONFIG', 'SET', 'maxmemory-clients', '0%'],
      ['CONFIG', 'GET', 'maxmemory-clients'],
    ],
  },
  {
    name: 'CLIENT INFO shows its own command as the query buffer',
    commands: [
      ['CLIENT', 'INFO'],
      ['CLIENT', 'LIST', 'ID', '1'],
    ],
    normalise: (reply, cmd) => (cmd[1] === 'INFO' ? (/ qbuf=\d+ /.exec(reply)?.[0] ?? reply) : ''),
  },
  {
    name: 'CONFIG REWRITE without a config file, immutable options',
    commands: [
      ['CONFIG', 'REWRITE'],
      ['CONFIG', 'SET', 'daemonize', 'no'],
      ['CONFIG', 'SET', 'databases', '16'],
    ],
  },
];

describe('differential introspection: Cairn vs redis-server', () => {
  let redis: RedisProcess;
  let cairn: CairnProcess;

  beforeAll(async () => {
    if (!existsSync(CAIRN_BIN)) throw new Error(`${CAIRN_BIN} is missing: run \`npm run build\` first`);
    [redis, cairn] = await Promise.all([startRedis(['--enable-debug-command', 'yes']), startCairn()]);
  });

  afterAll(async () => {
    await Promise.all([redis?.stop(), cairn?.stop()]);
  });

  async function run(port: number, c: Case): Promise<string[]> {
    const client = await RawRespClient.connect(port);
    try {
      await client.callMany([['FLUSHALL'], ['FUNCTION', 'FLUSH'], ['CONFIG', 'RESETSTAT']]);
      const out: string[] = [];
      for (const cmd of c.commands) {
        const reply = (await client.call(cmd)).toString('latin1');
        out.push(c.normalise ? c.normalise(reply, cmd) : reply);
      }
      return out;
    } finally {
      client.close();
    }
  }

  for (const c of CASES) {
    it(c.name, async () => {
      const want = await run(redis.port, c);
      const got = await run(cairn.respPort, c);
      expect(got).toEqual(want);
    });
  }

  it('DEBUG PROTOCOL PUSH: a push, then a plain reply', async () => {
    const push = async (port: number): Promise<string[]> => {
      const client = await RawRespClient.connect(port);
      try {
        await client.call(['HELLO', '3']);
        const raw = Buffer.from('*3\r\n$5\r\nDEBUG\r\n$8\r\nPROTOCOL\r\n$4\r\npush\r\n');
        return (await client.sendRaw(raw, 2)).map((b) => b.toString('latin1'));
      } finally {
        client.close();
      }
    };
    const want = await push(redis.port);
    expect(want[0]).toBe('>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n');
    expect(await push(cairn.respPort)).toEqual(want);
  });
});
