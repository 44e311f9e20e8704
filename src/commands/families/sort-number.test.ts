import { describe, expect, it } from 'vitest';
import { sortScore } from './sort-number.js';

// What redis-server 7.0.15 (glibc strtod) accepts as a SORT weight, and the values it reads.
const ACCEPTED: Array<[string, number]> = [
  ['12', 12],
  ['-0', -0],
  ['00012', 12],
  [' 1', 1],
  ['\t3', 3],
  ['', 0],
  ['+5', 5],
  ['.5', 0.5],
  ['5.', 5],
  [' +.5e1', 5],
  ['1.e2', 100],
  ['1E5', 1e5],
  ['0x10', 16],
  ['0X1P3', 8],
  ['0x.8', 0.5],
  ['0x1.', 1],
  ['inf', Infinity],
  ['-inf', -Infinity],
  ['INF', Infinity],
  ['infinity', Infinity],
  ['1\x002', 1],
  ['1e308', 1e308],
  ['1.7976931348623158e308', 1.7976931348623157e308],
  ['0x1.fffffffffffffp1023', 1.7976931348623157e308],
  ['0e-400', 0],
  ['0.0000e5', 0],
  ['2.2250738585072014e-308', 2.2250738585072014e-308],
  ['2.2250738585072013e-308', 2.2250738585072014e-308],
  ['0x1p-1022', 2.2250738585072014e-308],
  ['0x1.fffffffffffff8p-1023', 2.2250738585072014e-308],
  ['0x1p-1074', 5e-324],
  ['0x1.8p-1070', 24 * 2 ** -1074],
];

const REFUSED = [
  '1 ',
  'nan',
  '-nan',
  'nanx',
  'nan(123)',
  '1e400',
  '1.7976931348623159e308',
  '0x1p1024',
  '1e-400',
  '1e-310',
  '-1e-310',
  '4.9e-324',
  '2.5e-324',
  '2.2250738585072012e-308',
  '2.2250738585072011e-308',
  '0x0.00000000000008p-1022',
  '0x3p-1076',
  '1e',
  '1e+',
  '0x1p',
  '-0x',
  '0x',
  '.e2',
  '.',
  '-',
  '+',
  ' ',
  'infinit',
  '1,5',
  'abc',
];

describe('sortScore (strtod as SORT uses it)', () => {
  it.each(ACCEPTED)('reads %j', (text, value) => {
    expect(sortScore(text)).toBe(value);
  });

  it.each(REFUSED)('refuses %j', (text) => {
    expect(sortScore(text)).toBeNull();
  });

  it('accepts exact decimal subnormals and refuses inexact ones', () => {
    // 2^-1074 written out exactly (751 significant digits) is exact; rounded, it is not.
    let exact = 1n;
    for (let i = 0; i < 1074; i++) exact *= 5n;
    const digits = exact.toString();
    const text = `0.${'0'.repeat(1074 - digits.length)}${digits}`;
    expect(sortScore(text)).toBe(5e-324);
    expect(sortScore(`${text}1`)).toBeNull();
  });
});
