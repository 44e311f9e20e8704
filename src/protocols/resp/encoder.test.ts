import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BooleanReply,
  DoubleReply,
  ErrorReply,
  MapReply,
  NO_REPLY,
  NULL_ARRAY,
  OK,
  PONG,
  type Reply,
  SetReply,
  SimpleReply,
  VerbatimReply,
} from '../../commands/reply.js';
import { formatDouble, OutputBuffer, writeReply } from './encoder.js';

function render(r: Reply, resp: 2 | 3): string {
  const out = new OutputBuffer(8);
  writeReply(out, r, resp);
  return out.take().toString('latin1');
}

const b = (s: string) => Buffer.from(s, 'latin1');

/** [reply, RESP2, RESP3] */
const FIXTURES: Array<[string, Reply, string, string]> = [
  ['OK', OK, '+OK\r\n', '+OK\r\n'],
  ['status', PONG, '+PONG\r\n', '+PONG\r\n'],
  ['status with newline', new SimpleReply('a\r\nb'), '+a  b\r\n', '+a  b\r\n'],
  ['bulk', b('hello'), '$5\r\nhello\r\n', '$5\r\nhello\r\n'],
  ['empty bulk', b(''), '$0\r\n\r\n', '$0\r\n\r\n'],
  ['binary bulk', b('\r\n\0\xff'), '$4\r\n\r\n\0\xff\r\n', '$4\r\n\r\n\0\xff\r\n'],
  ['null', null, '$-1\r\n', '_\r\n'],
  ['null array', NULL_ARRAY, '*-1\r\n', '_\r\n'],
  ['zero', 0, ':0\r\n', ':0\r\n'],
  ['integer', 1234567890123, ':1234567890123\r\n', ':1234567890123\r\n'],
  ['negative', -42, ':-42\r\n', ':-42\r\n'],
  ['max safe', Number.MAX_SAFE_INTEGER, ':9007199254740991\r\n', ':9007199254740991\r\n'],
  ['bigint', 9223372036854775807n, ':9223372036854775807\r\n', ':9223372036854775807\r\n'],
  ['negative bigint', -9223372036854775808n, ':-9223372036854775808\r\n', ':-9223372036854775808\r\n'],
  ['error', new ErrorReply('ERR', 'ERR syntax error'), '-ERR syntax error\r\n', '-ERR syntax error\r\n'],
  ['error with newlines', new ErrorReply('ERR', 'ERR a\r\nb\nc'), '-ERR a  b c\r\n', '-ERR a  b c\r\n'],
  ['empty array', [], '*0\r\n', '*0\r\n'],
  [
    'array',
    [b('a'), 1, null, [OK]],
    '*4\r\n$1\r\na\r\n:1\r\n$-1\r\n*1\r\n+OK\r\n',
    '*4\r\n$1\r\na\r\n:1\r\n_\r\n*1\r\n+OK\r\n',
  ],
  ['double', new DoubleReply(1.5), '$3\r\n1.5\r\n', ',1.5\r\n'],
  ['double 0.1', new DoubleReply(0.1), '$19\r\n0.10000000000000001\r\n', ',0.10000000000000001\r\n'],
  ['inf', new DoubleReply(Number.POSITIVE_INFINITY), '$3\r\ninf\r\n', ',inf\r\n'],
  ['-inf', new DoubleReply(Number.NEGATIVE_INFINITY), '$4\r\n-inf\r\n', ',-inf\r\n'],
  ['true', new BooleanReply(true), ':1\r\n', '#t\r\n'],
  ['false', new BooleanReply(false), ':0\r\n', '#f\r\n'],
  [
    'map',
    new MapReply([
      [b('a'), 1],
      [b('b'), [b('x')]],
    ]),
    '*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*1\r\n$1\r\nx\r\n',
    '%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*1\r\n$1\r\nx\r\n',
  ],
  ['set', new SetReply([b('a'), b('b')]), '*2\r\n$1\r\na\r\n$1\r\nb\r\n', '~2\r\n$1\r\na\r\n$1\r\nb\r\n'],
  ['verbatim', new VerbatimReply('txt', 'héllo'), '$6\r\nh\xc3\xa9llo\r\n', '=10\r\ntxt:h\xc3\xa9llo\r\n'],
  ['no reply', NO_REPLY, '', ''],
  ['no reply inside an array', [NO_REPLY], '*1\r\n$-1\r\n', '*1\r\n_\r\n'],
  ['unicode status', new SimpleReply('ünïcode'), '+\xc3\xbcn\xc3\xafcode\r\n', '+\xc3\xbcn\xc3\xafcode\r\n'],
];

describe('writeReply', () => {
  for (const [name, reply, resp2, resp3] of FIXTURES) {
    it(`renders ${name}`, () => {
      expect(render(reply, 2)).toBe(resp2);
      expect(render(reply, 3)).toBe(resp3);
    });
  }

  it('renders large bulks and long texts, growing the buffer', () => {
    const big = Buffer.alloc(100_000, 97);
    const s = render([big, new SimpleReply('x'.repeat(5000))], 2);
    expect(s.startsWith('*2\r\n$100000\r\naaa')).toBe(true);
    expect(s.endsWith(`+${'x'.repeat(5000)}\r\n`)).toBe(true);
    expect(s.length).toBe(4 + 9 + 100_000 + 2 + 5003);
  });

  it('never writes over bytes it handed out', () => {
    const out = new OutputBuffer(16);
    writeReply(out, b('first'), 2);
    const first = out.take();
    writeReply(out, b('second value that forces the buffer to grow'), 2);
    expect(first.toString()).toBe('$5\r\nfirst\r\n');
    expect(out.take().toString()).toBe('$43\r\nsecond value that forces the buffer to grow\r\n');
  });

  it('renders any integer as its decimal form', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(render(n, 2)).toBe(`:${n}\r\n`);
      }),
    );
  });
});

describe('formatDouble (%.17g, as Redis 7.0)', () => {
  // Expected strings from C printf("%.17g").
  const CASES: Array<[number, string]> = [
    [1.5, '1.5'],
    [0.1, '0.10000000000000001'],
    [-0.1, '-0.10000000000000001'],
    [3, '3'],
    [1e21, '1e+21'],
    [1e17, '1e+17'],
    [1e16, '10000000000000000'],
    [123456789012345680, '1.2345678901234568e+17'],
    [1.2345678901234568e-5, '1.2345678901234568e-05'],
    [0.0001, '0.0001'],
    [0.00001, '1.0000000000000001e-05'],
    [-2.5e-300, '-2.5e-300'],
    [5e-324, '4.9406564584124654e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [100, '100'],
    [-0, '-0'],
    [3.14, '3.1400000000000001'],
    [2 ** 53, '9007199254740992'],
    [1 / 3, '0.33333333333333331'],
    [Number.NaN, 'nan'],
    // Ties round to even in C (toExponential rounds them up).
    [2 ** -25, '2.9802322387695312e-08'],
    [-(2 ** -25), '-2.9802322387695312e-08'],
    [2 ** -25 * 3, '8.9406967163085938e-08'],
  ];
  for (const [x, s] of CASES) {
    it(`formats ${x}`, () => expect(formatDouble(x)).toBe(s));
  }

  it('round-trips every finite double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Object.is(Number(formatDouble(x)), x)).toBe(true);
      }),
    );
  });
});
