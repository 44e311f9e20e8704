import { describe, expect, it } from 'vitest';
import { addLongDouble, formatLongDouble, type LongDouble, parseLongDouble } from './long-double.js';

function ld(s: string): LongDouble {
  const v = parseLongDouble(Buffer.from(s, 'latin1'));
  if (v === null) throw new Error(`not a float: ${s}`);
  return v;
}

const sum = (a: string, b: string) => formatLongDouble(addLongDouble(ld(a), ld(b)));

describe('long double emulation', () => {
  it('parses what strtold reads, whole', () => {
    for (const ok of [
      '0',
      '-0',
      '1',
      '+1',
      '.5',
      '5.',
      '1e3',
      '1E-3',
      '0x10',
      '0X1.8P1',
      'inf',
      '-Infinity',
      '1e4000',
    ]) {
      expect(parseLongDouble(Buffer.from(ok)), ok).not.toBeNull();
    }
    for (const bad of [
      '',
      ' 1',
      '1 ',
      '.',
      'e1',
      '1e',
      '1e+',
      '0x',
      '0x1p',
      'nan',
      'infin',
      '1..2',
      '1\0',
      '--1',
    ]) {
      expect(parseLongDouble(Buffer.from(bad)), JSON.stringify(bad)).toBeNull();
    }
  });

  it('refuses overflow and underflow to zero, accepts subnormals', () => {
    expect(parseLongDouble(Buffer.from('1e4933'))).toBeNull();
    expect(parseLongDouble(Buffer.from('1.18e4932'))).not.toBeNull();
    expect(parseLongDouble(Buffer.from('1e-5000'))).toBeNull();
    expect(parseLongDouble(Buffer.from('3.0e-4940'))).not.toBeNull();
    expect(parseLongDouble(Buffer.from('0e999999999999'))).not.toBeNull();
    expect(parseLongDouble(Buffer.from('1'.repeat(5120)))).toBeNull();
  });

  it('rounds sums to 64 significant bits and prints them like %.17Lf', () => {
    expect(sum('0.1', '0.2')).toBe('0.3');
    expect(sum('10.5', '0.1')).toBe('10.6');
    expect(sum('1.23456789012345678901234567890', '0')).toBe('1.23456789012345679');
    expect(sum('1.5e-20', '0')).toBe('0');
    expect(sum('-1.5e-20', '0')).toBe('0');
    expect(sum('0x1.8p-3', '0')).toBe('0.1875');
    expect(sum('9223372036854775807', '1')).toBe('9223372036854775808');
    // As redis-server 7.0.15 prints it (1e308 is not exact in binary).
    expect(sum('1e308', '0')).toBe(
      '99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048',
    );
    expect(sum('1', '-1')).toBe('0');
  });

  it('breaks printing ties to even, as glibc does', () => {
    // 2^-18 = 0.000003814697265625 has 18 decimals; the 17-digit tie rounds to the even 2.
    expect(sum('3.814697265625e-06', '0')).toBe('0.00000381469726562');
    expect(sum('7.62939453125e-06', '0')).toBe('0.00000762939453125');
    expect(sum('0.000000000000000015', '0')).toBe('0.00000000000000002');
  });

  it('keeps infinities and NaN apart from finite results', () => {
    expect(addLongDouble(ld('inf'), ld('1')).kind).toBe('inf');
    expect(addLongDouble(ld('inf'), ld('-inf')).kind).toBe('nan');
    expect(addLongDouble(ld('1.18e4932'), ld('1.18e4932')).kind).toBe('inf');
  });
});
