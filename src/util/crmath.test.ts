import { describe, expect, it } from 'vitest';
import { asinCR, cosCR, sinCR } from './crmath.js';

/** A C "%a" hex float (as glibc prints it). */
function hexFloat(s: string): number {
  const m = /^(-?)0x([01])(?:\.([0-9a-f]+))?p([+-]\d+)$/.exec(s);
  if (m === null) throw new Error(`bad hex float ${s}`);
  const frac = m[3] ?? '';
  const v = (Number.parseInt(m[2] + frac, 16) / 16 ** frac.length) * 2 ** Number(m[4]);
  return m[1] === '-' ? -v : v;
}

const FN = { s: sinCR, c: cosCR, a: asinCR } as const;

/**
 * glibc 2.36's results (x86-64, the libm redis-server calls), printed with %a: thresholds
 * where cos stops rounding to 1, arguments reduced by pi, asin near 1 and at 0.5.
 */
const GLIBC: Array<[keyof typeof FN, number, string]> = [
  ['c', 1.3e-8, '0x1.fffffffffffffp-1'],
  ['c', 1.05e-8, '0x1p+0'],
  ['c', 7.45e-9, '0x1p+0'],
  ['c', 1.4901161193847656e-8, '0x1.fffffffffffffp-1'],
  ['c', 7.450580596923828e-9, '0x1p+0'],
  ['s', 1.4901161193847656e-8, '0x1p-26'],
  ['s', 1.5e-8, '0x1.01b2b29a4692bp-26'],
  ['a', 1.5e-8, '0x1.01b2b29a4692bp-26'],
  ['s', Math.PI, '0x1.1a62633145c07p-53'],
  ['s', Math.PI / 2, '0x1p+0'],
  ['s', 3141592e-6, '0x1.5ee4b2791a46fp-21'],
  ['s', -31415926e-7, '-0x1.cc553391a625fp-25'],
  ['s', 1.5707963, '0x1.ffffffffffffdp-1'],
  ['s', 0.5, '0x1.eaee8744b05fp-2'],
  ['s', 0.001, '0x1.0624da5218a62p-10'],
  ['s', 2.5, '0x1.326af0dcfcab1p-1'],
  ['c', Math.PI / 2, '0x1.1a62633145c07p-54'],
  ['c', 1.4844222297453322, '0x1.61593b3e09a43p-4'],
  ['c', 0.7, '0x1.87996529f9d93p-1'],
  ['c', 3, '-0x1.fae04be85e5d2p-1'],
  ['c', -2.2, '-0x1.2d5004b88ad7p-1'],
  ['c', 0.0001, '0x1.ffffffd50ce24p-1'],
  ['a', 1, '0x1.921fb54442d18p+0'],
  ['a', 0.5, '0x1.0c152382d7366p-1'],
  ['a', 0.9999999999, '0x1.921ec8003f9d8p+0'],
  ['a', 0.9999999999999999, '0x1.921fb50442d18p+0'],
  ['a', 0.3, '0x1.380159e14f6ffp-2'],
  ['a', 0.75, '0x1.b235315c680dcp-1'],
  ['a', 0.00001, '0x1.4f8b588e4e94p-17'],
];

// ---- an independent reference: BigInt series at 256 bits, rounded by Number(bigint) ----

const BITS = 256n;
const ONE = 1n << BITS;

function big(x: number): bigint {
  return BigInt(x * 2 ** 256);
}

function series(x: bigint, cosine: boolean): bigint {
  const x2 = (x * x) >> BITS;
  let term = cosine ? ONE : x;
  let sum = term;
  for (let n = cosine ? 0n : 1n; term !== 0n; n += 2n) {
    term = -((term * x2) >> BITS) / ((n + 1n) * (n + 2n));
    sum += term;
  }
  return sum;
}

const round = (v: bigint) => Number(v) / 2 ** 256;

/** asin by bisection on the series: the largest z (at 2^-256) with sin(z) <= y. */
function asinRef(y: number): number {
  const target = big(y);
  let lo = 0n;
  let hi = big(Math.PI / 2) + 1n;
  // 2^-256 resolution needs ~256 halvings from 2; 120 suffice for rounding to 53 bits.
  for (let i = 0; i < 120; i++) {
    const mid = (lo + hi) >> 1n;
    if (series(mid, false) <= target) lo = mid;
    else hi = mid;
  }
  return round(lo);
}

describe('correctly rounded sin, cos, asin', () => {
  it.each(GLIBC)('%s(%d) is what glibc answers', (f, x, hex) => {
    expect(FN[f](x)).toBe(hexFloat(hex));
  });

  it('are correctly rounded on random arguments, where Math is not always', () => {
    let state = 12345;
    const rnd = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    let mathDiffers = 0;
    for (let i = 0; i < 400; i++) {
      const x = (rnd() - 0.5) * 3;
      const sin = round(series(big(Math.abs(x)), false)) * Math.sign(x);
      const cos = round(series(big(Math.abs(x)), true));
      expect(sinCR(x)).toBe(sin);
      expect(cosCR(x)).toBe(cos);
      if (Math.sin(x) !== sin || Math.cos(x) !== cos) mathDiffers++;
    }
    for (let i = 0; i < 60; i++) {
      const y = Math.sqrt(rnd());
      expect(asinCR(y)).toBe(asinRef(y));
      expect(asinCR(-y)).toBe(-asinRef(y));
    }
    // The reason this module exists.
    expect(mathDiffers).toBeGreaterThan(0);
  });

  it('keep signs, zeros and what Math answers outside their range', () => {
    expect(Object.is(sinCR(-0), -0)).toBe(true);
    expect(cosCR(0)).toBe(1);
    expect(asinCR(0)).toBe(0);
    expect(asinCR(1.5)).toBeNaN();
    expect(sinCR(Number.NaN)).toBeNaN();
    expect(sinCR(100)).toBe(Math.sin(100));
    expect(cosCR(-100)).toBe(Math.cos(-100));
  });
});
