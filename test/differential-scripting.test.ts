/**
 * Differential scripting: EVAL, EVALSHA, SCRIPT, FCALL and FUNCTION sent to a real redis-server
 * 7.0 and to Cairn at once, replies compared byte for byte in RESP2 and RESP3: conversions both
 * ways (redis.setresp(3) included), errors and their wording, the sandbox, and the libraries
 * Redis gives scripts (cjson, cmsgpack, bit, struct). What Lua 5.4 prints differently from
 * Redis's Lua 5.1 is listed as known differences at the end, asserted where it shows.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A, type KnownDifference, runScript, type Script } from './differential/script.js';
import { CAIRN_BIN, type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';

/** One EVAL of `body` with no keys, or with keys and args after it. */
const ev = (body: string, ...rest: string[]) => A(['eval', body, ...(rest.length === 0 ? ['0'] : rest)]);
const evals = (name: string, ...bodies: string[]): Script => ({ name, lines: bodies.map((b) => ev(b)) });

const conversions: Script[] = [
  evals(
    'Lua to reply: numbers, strings, booleans, nil, nested tables',
    'return 1',
    'return -42',
    'return 3.99',
    'return -3.99',
    'return 1e100',
    "return 'hello'",
    'return true',
    'return false',
    'return nil',
    "return {1, 2, 'three', {4, {5}}}",
    'return {1, 2, nil, 4}',
    'return {true, false, 1.5}',
    'return {}',
  ),
  evals(
    'Lua to reply: status and error tables',
    "return {ok = 'FINE'}",
    "return redis.status_reply('DONE')",
    "return {err = 'MYERR custom'}",
    "return redis.error_reply('MY bad')",
    "return redis.error_reply('-CODE text')",
    "return redis.error_reply('nocode')",
    "return {1, {err = 'ERR nested'}, 3}",
    // CR and LF inside an error or status become one space each (Redis's sdsmapchars).
    "error(redis.error_reply('X\\r\\n+INJECTED'))",
    "return {err = 'A\\r\\nB'}",
    "return redis.status_reply('A\\r\\n+B')",
  ),
  evals(
    'reply to Lua in RESP2: bulk, integer, nil, status, arrays, doubles',
    "redis.call('set', 'k', 'v') return redis.call('get', 'k')",
    "return redis.call('get', 'missing')",
    "return type(redis.call('get', 'missing'))",
    "return redis.call('incr', 'n')",
    "return redis.call('set', 'k', 'v')",
    "local r = redis.call('set', 'k', 'v') return type(r) .. ':' .. r.ok",
    "redis.call('rpush', 'l', 'a', 'b') return redis.call('lrange', 'l', 0, -1)",
    "redis.call('zadd', 'z', 1.5, 'm') return redis.call('zscore', 'z', 'm')",
    "redis.call('hset', 'h', 'f', 'v') return redis.call('hgetall', 'h')",
    "return redis.call('incrbyfloat', 'fl', '1.5')",
    "return redis.call('exists', 'k', 'missing')",
  ),
  evals(
    'reply to Lua with redis.setresp(3): maps, sets, doubles, nulls, booleans',
    "redis.setresp(3) redis.call('hset', 'h', 'f', 'v') local r = redis.call('hgetall', 'h') return r.map.f",
    "redis.setresp(3) redis.call('sadd', 's', 'm') local r = redis.call('smembers', 's') return tostring(r.set.m)",
    "redis.setresp(3) redis.call('zadd', 'z', 2.5, 'm') local r = redis.call('zscore', 'z', 'm') return tostring(r.double)",
    "redis.setresp(3) return type(redis.call('get', 'missing'))",
    "redis.setresp(3) return redis.call('zscore', 'z', 'm')",
    "redis.setresp(3) return redis.call('hgetall', 'h')",
    "redis.setresp(3) return redis.call('smembers', 's')",
    'redis.setresp(3) return true',
    'redis.setresp(3) return false',
    'redis.setresp(3) return {true, false}',
  ),
  evals(
    'Lua to reply: RESP3 shapes (double, map, set, big number, verbatim)',
    'return {double = 1.5}',
    'return {double = 3}',
    'return {map = {a = 1}}',
    'return {set = {a = true}}',
    "return {big_number = '1234567890123456789012345678901234567890'}",
    "return {verbatim_string = {format = 'txt', string = 'hello'}}",
  ),
  evals(
    'arguments: numbers as %.17g, strings, refused types',
    "redis.call('set', 'a', 1.5) return redis.call('get', 'a')",
    "redis.call('set', 'a', 10/3) return redis.call('get', 'a')",
    "redis.call('set', 'a', 2^60) return redis.call('get', 'a')",
    "redis.call('set', 'a', 123456789012) return redis.call('get', 'a')",
    "return redis.call('get', {})",
    'return redis.call()',
    'return redis.pcall()',
  ),
  {
    name: 'KEYS and ARGV',
    lines: [
      A(['eval', 'return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}', '2', 'k1', 'k2', 'a1']),
      A(['eval', "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])", '1', 'key', 'val']),
      A(['eval', 'return #ARGV', '0', 'x', 'y', 'z']),
    ],
  },
];

const errors: Script[] = [
  evals(
    'errors: sandbox, globals, readonly tables',
    'return x',
    'x = 1',
    'redis.call = nil',
    "string.foo = 'bar'",
    "return rawset(_G, 'x', 1)",
    "getmetatable('').__index.upper = nil",
    'return _G.nothing',
    'os.exit()',
    "return require('x')",
    'return dofile',
    'return print',
    'return type(loadstring)',
    'return type(unpack)',
    'return _VERSION',
  ),
  evals(
    'errors: raised, runtime, commands from scripts',
    "error('boom')",
    "error({err = 'MYERR table error'})",
    'local a = nil; return a + 1',
    "return redis.call('nosuch')",
    "return redis.call('get')",
    "return redis.pcall('get')",
    "return redis.call('multi')",
    "return redis.call('subscribe', 'c')",
    "return redis.call('blpop', 'l', 1)",
    "redis.call('set', 'str', 'v') return redis.call('lpush', 'str', 'x')",
    "redis.call('set', 'str', 'v') return redis.pcall('lpush', 'str', 'x')",
    "local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), e}",
    "return redis.call('set', 'k', 'v', 'ex', -1)",
    'return 1 +',
    'return math.random(0)',
    'return math.random(3, 1)',
    'return math.random(1, 2, 3)',
    'redis.setresp(4)',
    'redis.log(99, "x")',
  ),
  {
    name: 'errors: EVAL arguments, NOSCRIPT, shebang flags',
    lines: [
      A(['script', 'flush']),
      A(['eval', 'return 1', '-1']),
      A(['eval', 'return 1', '2', 'a']),
      A(['eval', 'return 1', 'x']),
      A(['evalsha', 'ffffffffffffffffffffffffffffffffffffffff', '0']),
      A(['evalsha', 'abc', '0']),
      A(['eval', '#!lua\nreturn x', '0']),
      A(['eval', "#!lua flags=no-writes\nreturn redis.call('set','a','b')", '0']),
      A(['eval', '#!lua flags=bad\nreturn 1', '0']),
      A(['eval', '#!luax\nreturn 1', '0']),
      A(['eval', '#!lua foo=bar\nreturn 1', '0']),
      A(['eval_ro', "return redis.call('set', 'a', 'b')", '0']),
      A(['eval_ro', "return redis.call('get', 'a')", '0']),
    ],
  },
];

const cache: Script[] = [
  {
    name: 'SCRIPT LOAD, EXISTS, EVALSHA, FLUSH',
    lines: [
      A(['script', 'flush']),
      A(['script', 'load', 'return 42']),
      A(['evalsha', '1fa00e76656cc152ad327c13fe365858fd7be306', '0']),
      A(['evalsha', '1FA00E76656CC152AD327C13FE365858FD7BE306', '0']),
      A([
        'script',
        'exists',
        '1fa00e76656cc152ad327c13fe365858fd7be306',
        'ffffffffffffffffffffffffffffffffffffffff',
      ]),
      A(['script', 'load', 'return +']),
      A(['script', 'flush', 'async']),
      A(['script', 'exists', '1fa00e76656cc152ad327c13fe365858fd7be306']),
      A(['evalsha', '1fa00e76656cc152ad327c13fe365858fd7be306', '0']),
      A(['script', 'flush', 'bad']),
      A(['script', 'kill']),
      A(['function', 'kill']),
    ],
  },
];

const libs: Script[] = [
  evals(
    'cjson',
    'return cjson.encode({1, 2, {a = 1}})',
    "return cjson.encode({a = 'x/y', b = nil})",
    'return cjson.encode({})',
    'return cjson.encode(1.5)',
    "return cjson.encode('quote\" back\\\\ nl\\n')",
    'return cjson.encode({a = cjson.null})',
    'return cjson.decode(\'[1,2,{"a":1.5}]\')',
    'return cjson.decode(\'{"k":"v"}\').k',
    "return type(cjson.decode('null'))",
    'return cjson.encode(cjson.decode(\'[1,"two",true,false]\'))',
    "return cjson.decode('[1,2')",
    'return cjson.encode(function() end)',
  ),
  evals(
    'cmsgpack',
    'return cmsgpack.pack({1, 2, 3})',
    "return cmsgpack.pack('abc', 300, -5, 1.5, true, {a = 1})",
    'return {cmsgpack.unpack(cmsgpack.pack(1, 70000, -200, "s"))}',
    "local t = cmsgpack.unpack(cmsgpack.pack({x = 'y'})) return t.x",
    'return cmsgpack.pack(2^40)',
  ),
  evals(
    'bit',
    'return bit.band(0xff, 0x0f)',
    'return bit.bor(1, 2, 4)',
    'return bit.bxor(0xf0, 0xff)',
    'return bit.bnot(0)',
    'return bit.tobit(0xffffffff)',
    'return bit.lshift(1, 31)',
    'return bit.rshift(-1, 28)',
    'return bit.arshift(-256, 4)',
    'return bit.rol(0x12345678, 8)',
    'return bit.ror(0x12345678, 8)',
    'return bit.bswap(0x12345678)',
    'return bit.tohex(255)',
    'return bit.tohex(-1, -4)',
  ),
  evals(
    'struct',
    "return struct.pack('>I2', 258)",
    "return struct.pack('<i4', -2)",
    "return {struct.unpack('>I2', 'ab')}",
    "return {struct.unpack('<hB', struct.pack('<hB', -3, 250))}",
    "return struct.size('>iId')",
    "return {struct.unpack('s', 'abc\\0rest')}",
  ),
  evals(
    'sha1hex, math.random after randomseed, 5.1 helpers',
    "return redis.sha1hex('')",
    "return redis.sha1hex('hello')",
    'math.randomseed(7) return {math.random(100), math.random(5, 9), tostring(math.random())}',
    "return string.format('%d', 3.5)",
    'return tostring(10 / 2)',
    'return tostring(1 / 3)',
    'return table.getn({1, 2, 3})',
    'return unpack({1, 2})',
    "return loadstring('return 7')()",
    'return math.mod(7, 3)',
    'return redis.REDIS_VERSION_NUM >= 0x070000',
  ),
];

const LIB =
  "#!lua name=mylib\nredis.register_function('echo', function(keys, args) return {keys[1], args[1]} end)\nredis.register_function{function_name='ro', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='read only'}\n";

const functions: Script[] = [
  {
    name: 'FUNCTION LOAD, FCALL, FCALL_RO, LIST, DELETE',
    lines: [
      A(['function', 'flush']),
      A(['function', 'load', LIB]),
      A(['fcall', 'echo', '1', 'k', 'a']),
      A(['set', 'k', 'v']),
      A(['fcall_ro', 'ro', '1', 'k']),
      A(['fcall_ro', 'echo', '1', 'k', 'a']),
      A(['fcall', 'nosuch', '0']),
      A(['fcall', 'echo', '5']),
      A(['fcall', 'echo', 'x']),
      A(['fcall', 'echo', '-1']),
      A(['function', 'list', 'libraryname', 'nomatch*']),
      A(['function', 'stats']),
      A(['function', 'load', LIB]),
      A(['function', 'load', 'replace', LIB]),
      A(['function', 'delete', 'mylib']),
      A(['function', 'delete', 'mylib']),
      A(['fcall', 'echo', '0']),
    ],
  },
  {
    name: 'FUNCTION LOAD errors',
    lines: [
      A(['function', 'flush']),
      A(['function', 'load', 'no header']),
      A(['function', 'load', '#!lua name=x']),
      A(['function', 'load', '#!js name=x\nreturn 1']),
      A(['function', 'load', '#!lua\nx']),
      A(['function', 'load', '#!lua name=a foo=bar\nx']),
      A(['function', 'load', '#!lua name=bad-name!\nx']),
      A(['function', 'load', "#!lua name=l2\nreturn string.len('a')"]),
      A(['function', 'load', '#!lua name=l3\nlocal x = redis.call']),
      A(['function', 'load', '#!lua name=l4\ny = 5']),
      A(['function', 'load', '#!lua name=l5\n']),
      A(['function', 'load', "#!lua name=l6\nredis.register_function('bad name', function() return 1 end)"]),
      A([
        'function',
        'load',
        "#!lua name=l7\nredis.register_function('f', function() end)\nredis.register_function('f', function() end)",
      ]),
      A(['function', 'load', "#!lua name=l8\nredis.register_function{function_name='f'}"]),
      A([
        'function',
        'load',
        "#!lua name=l9\nredis.register_function{function_name='f', callback=function() end, flags={'bogus'}}",
      ]),
      A(['function', 'load', '#!lua name=l10\nreturn +']),
      A(['function', 'load', 'foo', '#!lua name=x\n']),
      A(['function', 'flush', 'bad']),
      A(['function', 'restore', 'junk']),
      A(['function', 'restore', 'junk', 'badpolicy']),
      A(['function', 'list', 'withcode', 'withcode']),
      A(['function', 'list', 'libraryname']),
      A(['function', 'list', 'foo']),
    ],
  },
  {
    name: 'functions at run time: errors, flags, KEYS and ARGV are arguments',
    lines: [
      A(['function', 'flush']),
      A([
        'function',
        'load',
        "#!lua name=rt\nredis.register_function('boom', function() error('oops') end)\nredis.register_function('glob', function() return x end)\nredis.register_function('args', function(k, a) return {#k, #a, type(KEYS)} end)",
      ]),
      A(['fcall', 'boom', '0']),
      A(['fcall', 'glob', '0']),
      A(['fcall', 'args', '2', 'a', 'b', 'c']),
    ],
  },
  {
    name: 'FUNCTION DUMP and RESTORE',
    lines: [
      A(['function', 'flush']),
      A(['function', 'restore', Buffer.from('0a005d9b5c400f7fa2da', 'hex').toString('latin1')]),
      A(['function', 'load', LIB]),
      A(['function', 'restore', Buffer.from('0a005d9b5c400f7fa2da', 'hex').toString('latin1'), 'flush']),
      A(['fcall', 'echo', '0']),
    ],
  },
];

/** Where Lua 5.4 shows through: each asserted to differ, so a fix shows up as a failing test. */
const knownDifferences: KnownDifference[] = [
  {
    name: 'a float that is integral concatenates as "5.0" in Lua 5.4 ("5" in 5.1)',
    lines: [ev("return 'n=' .. (10 / 2)")],
    differsAt: 'line 1, reply 1',
  },
];

describe('differential scripting: Cairn vs redis-server', () => {
  let redis: RedisProcess;
  let cairn: CairnProcess;

  beforeAll(async () => {
    if (!existsSync(CAIRN_BIN)) throw new Error(`${CAIRN_BIN} is missing: run \`npm run build\` first`);
    [redis, cairn] = await Promise.all([startRedis(), startCairn({ args: ['--snapshot-store', 'none'] })]);
  });

  afterAll(async () => {
    await Promise.all([redis?.stop(), cairn?.stop()]);
  });

  for (const resp of [2, 3] as const) {
    describe(`RESP${resp}`, () => {
      for (const s of [...conversions, ...errors, ...cache, ...libs, ...functions]) {
        it(s.name, () => runScript(s, redis.port, cairn.respPort, resp));
      }
      for (const s of knownDifferences) {
        it(`KNOWN DIFFERENCE: ${s.name}`, async () => {
          await expect(runScript(s, redis.port, cairn.respPort, resp)).rejects.toThrow(
            `${s.differsAt}: replies differ`,
          );
        });
      }
    });
  }
});
