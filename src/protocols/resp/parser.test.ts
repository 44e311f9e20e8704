import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLL } from './bytes.js';
import { splitArgs } from './inline.js';
import { BIG_ARG_BYTES, DEFAULT_LIMITS, type ParserLimits, RespParser } from './parser.js';

interface Outcome {
  commands: string[][];
  error: string | null;
}

/** Feed chunks one after the other, pulling every complete command after each. */
function parseChunks(chunks: Buffer[], limits: ParserLimits = DEFAULT_LIMITS, authRequired = false): Outcome {
  const p = new RespParser(limits);
  p.authRequired = authRequired;
  const commands: string[][] = [];
  for (const c of chunks) {
    p.feed(c);
    for (let argv = p.next(); argv !== null; argv = p.next()) {
      commands.push(argv.map((a) => a.toString('latin1')));
    }
    if (p.error !== null) break;
  }
  return { commands, error: p.error === null ? null : (p.error.reply ?? `(close) ${p.error.reason}`) };
}

function whole(input: Buffer | string, limits?: ParserLimits): Outcome {
  return parseChunks([Buffer.from(input as string, 'latin1')], limits);
}

function byteByByte(input: Buffer | string, limits?: ParserLimits): Outcome {
  const b = Buffer.isBuffer(input) ? input : Buffer.from(input, 'latin1');
  const chunks: Buffer[] = [];
  for (let i = 0; i < b.length; i++) chunks.push(b.subarray(i, i + 1));
  return parseChunks(chunks, limits);
}

function mb(...args: Array<string | Buffer>): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a, 'latin1');
    s += `$${b.length}\r\n${b.toString('latin1')}\r\n`;
  }
  return s;
}

const PROTO = (m: string) => `ERR Protocol error: ${m}`;

/** [input, commands, error]: every fixture is checked whole and byte by byte. */
const FIXTURES: Array<[string, string[][], string | null]> = [
  [mb('PING'), [['PING']], null],
  [
    mb('SET', 'k', 'v') + mb('GET', 'k'),
    [
      ['SET', 'k', 'v'],
      ['GET', 'k'],
    ],
    null,
  ],
  [mb('SET', 'k', ''), [['SET', 'k', '']], null],
  [mb('SET', 'bin\r\n\0', '\xff\x00'), [['SET', 'bin\r\n\0', '\xff\x00']], null],
  [`*0\r\n*-1\r\n*-100\r\n${mb('PING')}`, [['PING']], null],
  // Redis skips the two bytes after a bulk without looking at them.
  ['*1\r\n$4\r\nPINGxy*1\r\n$4\r\nECHO\r\n', [['PING'], ['ECHO']], null],
  // Incomplete frames produce nothing (and no error).
  ['*2\r\n$3\r\nGET\r\n$1\r', [], null],
  ['*2\r\n$3\r\nGET', [], null],
  ['*2', [], null],
  ['PING', [], null],
  // Inline commands.
  ['PING\r\n', [['PING']], null],
  ['PING\n', [['PING']], null],
  ['set  a   b\r\n', [['set', 'a', 'b']], null],
  ['\r\n\n   \r\nPING\r\n', [['PING']], null],
  ['SET k "a b\\x41\\n\\"" \'c\\\'d\'\r\n', [['SET', 'k', 'a bA\n"', "c'd"]], null],
  ['SET k "\\q\\t"\r\n', [['SET', 'k', 'q\t']], null],
  ['SET k ab"c d"e\r\n', [], PROTO('unbalanced quotes in request')],
  ['SET k ab"c d" e\r\n', [['SET', 'k', 'abc d', 'e']], null],
  ['SET k "unterminated\r\n', [], PROTO('unbalanced quotes in request')],
  ["SET k 'unterminated\r\n", [], PROTO('unbalanced quotes in request')],
  ['SET k ""\r\n', [['SET', 'k', '']], null],
  // Redis looks for line ends with strchr(): a NUL byte hides them.
  ['SET k\0junk v\r\nPING\r\n', [], null],
  ['*1\0\r\n', [], null],
  ['*1\r\n$1\0\r\na\r\n', [], null],
  ['*1\r\n\0$1\r\na\r\n', [], null],
  ['*1\r\n$4\r\nPI\0G\r\n', [['PI\0G']], null],
  ['*1\r\n\r\n', [], PROTO("expected '$', got '\r'")],
  ['SET\tk\x0bv\r\n', [['SET', 'k\x0bv']], null],
  [`PING\r\n${mb('ECHO', 'x')}PING\r\n`, [['PING'], ['ECHO', 'x'], ['PING']], null],
  // Malformed multibulk.
  ['*abc\r\n', [], PROTO('invalid multibulk length')],
  ['*\r\n', [], PROTO('invalid multibulk length')],
  ['*01\r\n', [], PROTO('invalid multibulk length')],
  ['*+1\r\n', [], PROTO('invalid multibulk length')],
  ['* 1\r\n', [], PROTO('invalid multibulk length')],
  ['*99999999999999999999\r\n', [], PROTO('invalid multibulk length')],
  ['*-99999999999999999999\r\n', [], PROTO('invalid multibulk length')],
  ['*1048577\r\n', [], PROTO('invalid multibulk length')],
  ['*1\r\nPING\r\n', [], PROTO("expected '$', got 'P'")],
  ['*1\r\n:1\r\n', [], PROTO("expected '$', got ':'")],
  ['*1\r\n$-1\r\n', [], PROTO('invalid bulk length')],
  ['*1\r\n$abc\r\n', [], PROTO('invalid bulk length')],
  ['*1\r\n$\r\n', [], PROTO('invalid bulk length')],
  ['*1\r\n$536870913\r\n', [], PROTO('invalid bulk length')],
  ['*1\r\n$99999999999999999999999\r\n', [], PROTO('invalid bulk length')],
  // Commands before a protocol error still come out.
  [`${mb('PING')}*x\r\n${mb('PING')}`, [['PING']], PROTO('invalid multibulk length')],
];

describe('RespParser fixtures', () => {
  for (const [input, commands, error] of FIXTURES) {
    it(`parses ${JSON.stringify(input).slice(0, 60)}`, () => {
      expect(whole(input)).toEqual({ commands, error });
      expect(byteByByte(input)).toEqual({ commands, error });
    });
  }
});

describe('RespParser bounds', () => {
  const small: ParserLimits = {
    maxBulkLen: 100,
    maxMultibulkLen: 3,
    maxInlineSize: 16,
    maxQueryBuffer: 1000,
  };

  it('applies proto-max-bulk-len and proto-max-multibulk-len from its limits', () => {
    expect(whole(mb('a', 'b', 'c'), small).error).toBeNull();
    expect(whole(mb('a', 'b', 'c', 'd'), small).error).toBe(PROTO('invalid multibulk length'));
    expect(whole(mb('x'.repeat(100)), small).error).toBeNull();
    expect(whole(mb('x'.repeat(101)), small).error).toBe(PROTO('invalid bulk length'));
  });

  it('refuses long inline lines and count lines', () => {
    expect(whole('PING 0123456789\r\n', small).error).toBeNull();
    expect(whole('PING 01234567890123\r\n', small).error).toBe(PROTO('too big inline request'));
    expect(byteByByte('PING 01234567890123', small).error).toBe(PROTO('too big inline request'));
    expect(whole(`*${'1'.repeat(20)}`, small).error).toBe(PROTO('too big mbulk count string'));
    expect(whole(`*1\r\n$${'1'.repeat(20)}`, small).error).toBe(PROTO('too big bulk count string'));
    expect(whole('PING 0123456789', small).error).toBeNull();
    expect(whole('PING\0 0123456789\r\n', small).error).toBe(PROTO('too big inline request'));
    expect(whole('*1\r\n$1\0xxxxxxxxxxxxxxxxxxxx', small).error).toBe(PROTO('too big bulk count string'));
  });

  it('closes without a reply past client-query-buffer-limit', () => {
    const p = new RespParser(small);
    p.feed(Buffer.from('*2\r\n$3\r\nSET\r\n$100\r\n'));
    expect(p.next()).toBeNull();
    expect(p.error).toBeNull();
    p.feed(Buffer.alloc(990, 120));
    expect(p.next()).toBeNull();
    expect(p.error).toEqual({ reply: null, reason: 'reached max query buffer length' });
  });

  it('refuses large counts before authentication, as Redis does', () => {
    expect(parseChunks([Buffer.from(mb(...'abcdefghijk'.split('')))], DEFAULT_LIMITS, true).error).toBe(
      PROTO('unauthenticated multibulk length'),
    );
    expect(parseChunks([Buffer.from(mb('AUTH', 'x'.repeat(16385)))], DEFAULT_LIMITS, true).error).toBe(
      PROTO('unauthenticated bulk length'),
    );
    expect(parseChunks([Buffer.from(mb('AUTH', 'x'.repeat(16384)))], DEFAULT_LIMITS, true).error).toBeNull();
  });
});

describe('RespParser buffers', () => {
  it('hands out views into the chunk for values inside it', () => {
    const chunk = Buffer.from(mb('SET', 'key', 'value'));
    const p = new RespParser();
    p.feed(chunk);
    const argv = p.next()!;
    expect(argv[2].buffer).toBe(chunk.buffer);
    expect(p.buffered).toBe(0);
  });

  it('assembles a large bulk that spans chunks in one buffer', () => {
    const value = Buffer.alloc(3 * BIG_ARG_BYTES + 7, 7);
    const input = Buffer.from(mb('SET', 'k', value) + mb('GET', 'k'), 'latin1');
    for (const size of [1000, 4096, 65536, 3 * BIG_ARG_BYTES + 20]) {
      const p = new RespParser();
      const got: Buffer[][] = [];
      for (let i = 0; i < input.length; i += size) {
        p.feed(input.subarray(i, i + size));
        for (let a = p.next(); a !== null; a = p.next()) got.push(a);
      }
      expect(got.length).toBe(2);
      expect(got[0][2].equals(value)).toBe(true);
      expect(got[1].map(String)).toEqual(['GET', 'k']);
      expect(p.buffered).toBe(0);
    }
  });

  it('keeps earlier arguments intact while later chunks arrive', () => {
    const p = new RespParser();
    p.feed(Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab'));
    expect(p.next()).toBeNull();
    p.feed(Buffer.from('c'));
    p.feed(Buffer.from('de\r\n*1\r\n$4\r\nPI'));
    const a = p.next()!;
    p.feed(Buffer.from('NG\r\n'));
    const b = p.next()!;
    expect(a.map(String)).toEqual(['SET', 'k', 'abcde']);
    expect(b.map(String)).toEqual(['PING']);
  });

  it('does not reserve a huge announced bulk up front', () => {
    const p = new RespParser();
    p.feed(Buffer.from(`*2\r\n$3\r\nSET\r\n$${500 * 1024 * 1024}\r\n${'x'.repeat(40000)}`));
    expect(p.next()).toBeNull();
    expect(p.error).toBeNull();
    expect(p.buffered).toBe(40000);
  });
});

describe('parseLL', () => {
  const ll = (s: string) => parseLL(Buffer.from(s), 0, s.length);
  it('follows string2ll', () => {
    expect(ll('0')).toBe(0);
    expect(ll('123')).toBe(123);
    expect(ll('-5')).toBe(-5);
    expect(ll('9223372036854775807')).toBe(2 ** 63);
    for (const bad of ['', '-', '-0', '00', '01', '+1', ' 1', '1 ', '1a', '9223372036854775808']) {
      expect(ll(bad)).toBeNaN();
    }
    expect(ll('-9223372036854775808')).toBe(-(2 ** 63));
    expect(ll('-9223372036854775809')).toBeNaN();
  });
});

describe('splitArgs', () => {
  const split = (s: string) =>
    splitArgs(Buffer.from(s, 'latin1'), 0, s.length)?.map((b) => b.toString('latin1')) ?? null;
  it('splits like sdssplitargs', () => {
    expect(split('')).toEqual([]);
    expect(split('   ')).toEqual([]);
    expect(split('a "b\\x7a\\x7"')).toEqual(['a', 'bzx7']);
    expect(split("'a\\nb'")).toEqual(['a\\nb']);
    expect(split('"a"b')).toBeNull();
    expect(split("'a'b")).toBeNull();
  });
});

// ---- properties ---------------------------------------------------------------------------

const argArb = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: BIG_ARG_BYTES - 2, max: BIG_ARG_BYTES * 2 })
      .map((n) => Buffer.alloc(n, n % 251)),
  },
);
const plainWord = fc.stringMatching(/^[A-Za-z0-9:_-]{1,12}$/);
const commandArb = fc.oneof(
  fc
    .array(argArb, { minLength: 1, maxLength: 6 })
    .map((args) => ({ wire: Buffer.from(mb(...args), 'latin1'), args })),
  fc.array(plainWord, { minLength: 1, maxLength: 5 }).map((words) => ({
    wire: Buffer.from(`${words.join(' ')}\r\n`),
    args: words.map((w) => Buffer.from(w)),
  })),
);

describe('RespParser properties', () => {
  it('yields the same commands however a valid stream is split', () => {
    fc.assert(
      fc.property(
        fc.array(commandArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (cmds, cutSeeds) => {
          const stream = Buffer.concat(cmds.map((c) => c.wire));
          const cuts = [...new Set(cutSeeds.map((s) => s % (stream.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let last = 0;
          for (const c of [...cuts, stream.length]) {
            chunks.push(stream.subarray(last, c));
            last = c;
          }
          const got = parseChunks(chunks);
          expect(got.error).toBeNull();
          expect(got.commands).toEqual(cmds.map((c) => c.args.map((a) => a.toString('latin1'))));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on random bytes, and a split does not change the outcome', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc
        .array(fc.constantFrom('*', '$', '\r', '\n', '1', '0', '-', '3', ' ', '"', "'", 'a', '\\', 'x'), {
          maxLength: 80,
        })
        .map((a) => Uint8Array.from(Buffer.from(a.join(''), 'latin1'))),
    );
    const limits: ParserLimits = {
      maxBulkLen: 1024 * 1024,
      maxMultibulkLen: 100,
      maxInlineSize: 64,
      maxQueryBuffer: 4096,
    };
    fc.assert(
      fc.property(bytes, fc.nat(), (arr, cut) => {
        const b = Buffer.from(arr);
        const at = cut % (b.length + 1);
        const one = parseChunks([b], limits);
        const two = parseChunks([b.subarray(0, at), b.subarray(at)], limits);
        expect(two).toEqual(one);
      }),
      { numRuns: 2000 },
    );
  });
});
