/**
 * Seeded randomness and the argument values the differential test draws from: keys, values
 * (binary, numeric, long), integers at and past the int64 edges, floats, expiry times.
 */

/** mulberry32: small, fast, and good enough to drive a test from a 32-bit seed. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  /** Pick by weight: [[weight, value], ...]. */
  weighted<T>(table: ReadonlyArray<readonly [number, T]>): T {
    let total = 0;
    for (const [w] of table) total += w;
    let r = this.next() * total;
    for (const [w, v] of table) {
      r -= w;
      if (r < 0) return v;
    }
    return table[table.length - 1][1];
  }
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A small pool, so commands keep meeting the same keys; a few are binary or odd. */
export const KEYS: readonly Buffer[] = [
  b('k1'),
  b('k2'),
  b('k3'),
  b('k4'),
  b('n1'),
  b('n2'),
  b('f1'),
  b('s1'),
  b('{tag}a'),
  b('bin\x00\xff\r\n'),
  b('sp ace'),
  Buffer.from('ключ', 'utf8'),
  b(''),
];

/** Words for OBJECT/KEYS patterns. */
export const PATTERNS: readonly Buffer[] = [
  b('*'),
  b('k*'),
  b('k?'),
  b('*1'),
  b('[kn]1'),
  b('[^k]*'),
  b('[a-f]1'),
  b('\\*'),
  b('{tag}*'),
  b('bin*'),
  b('*a*e*'),
  b('s[p]*'),
  b('nomatch'),
  b(''),
  b('['),
  b('k[1-'),
];

/** Integer arguments: edges of int64 and beyond, and strings that are almost integers. */
export const INT_EDGES: readonly string[] = [
  '0',
  '1',
  '-1',
  '2',
  '9999',
  '10000',
  '-10000',
  '9223372036854775807',
  '-9223372036854775808',
  '9223372036854775806',
  '-9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '99999999999999999999',
  '123456789012345678901',
  '4611686018427387904',
  '-4611686018427387904',
  '9007199254740993',
  '+1',
  '-0',
  '01',
  ' 1',
  '1 ',
  '1.5',
  'abc',
  '',
  '0x10',
  '1e3',
];

export function intArg(rng: Rng): string {
  if (rng.chance(0.5)) return rng.pick(INT_EDGES);
  if (rng.chance(0.5)) return String(rng.range(-1000, 1000));
  return String(BigInt(rng.range(-(2 ** 30), 2 ** 30)) * BigInt(rng.range(1, 2 ** 30)));
}

const FLOAT_SPECIALS: readonly string[] = [
  '0',
  '-0',
  '0.1',
  '0.2',
  '-0.3',
  '1e308',
  '-1e308',
  '1.7976931348623157e308',
  '1e4000',
  '1e4933',
  '1e-4940',
  '1e-5000',
  '5e-18',
  '1e-17',
  '3.0000000000000000001',
  'inf',
  '-inf',
  '+inf',
  'Infinity',
  'nan',
  '0x1p3',
  '0x1.8p-3',
  '0x',
  '.5',
  '5.',
  '.',
  '1e',
  '1e+',
  ' 1',
  '1 ',
  '1.0e2.0',
  '',
  '0.00000000000000000001',
  '123456789.123456789',
  '-123456789012345678901234567890.5',
  '9223372036854775807',
];

export function floatArg(rng: Rng): string {
  if (rng.chance(0.3)) return rng.pick(FLOAT_SPECIALS);
  const sign = rng.pick(['', '', '-', '+']);
  const int = String(rng.range(0, rng.pick([9, 999, 999999])));
  const frac = rng.chance(0.7) ? `.${String(rng.range(0, 99999999)).padStart(rng.range(1, 9), '0')}` : '';
  const exp = rng.chance(0.2) ? `e${rng.pick(['', '-', '+'])}${rng.range(0, 30)}` : '';
  return `${sign}${int}${frac}${exp}`;
}

/** Values to store: short and long text, integers and floats, binary bytes, empty. */
export function valueArg(rng: Rng): Buffer {
  return rng.weighted<() => Buffer>([
    [3, () => b(rng.pick(['a', 'abc', 'hello', 'ohmytext', 'mynewtext', 'abcabcab', 'x'.repeat(44)]))],
    [2, () => b(String(rng.range(-20, 20000)))],
    [2, () => b(intArg(rng))],
    [1, () => b(floatArg(rng))],
    [2, () => rng.bytes(rng.range(0, 64))],
    [1, () => b('y'.repeat(rng.range(40, 50)))],
    [1, () => b(randomText(rng, rng.range(45, 300)))],
    [1, () => Buffer.alloc(0)],
  ])();
}

/** Text over a tiny alphabet, so LCS finds long common runs. */
export function randomText(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += 'abcd'[rng.int(4)];
  return s;
}
