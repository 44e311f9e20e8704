import { describe, expect, it } from 'vitest';
import { ErrorReply } from '../../errors.js';
import { parseBlockTimeout } from './block-timeout.js';

const parse = (s: string) => {
  const v = parseBlockTimeout(Buffer.from(s));
  return v instanceof ErrorReply ? v.message : v;
};

describe('parseBlockTimeout (as redis-server 7.0.15 reads a blocking timeout)', () => {
  it('reads seconds as milliseconds, rounded up', () => {
    expect(parse('0')).toBe(0);
    expect(parse('1')).toBe(1000);
    expect(parse('1.5')).toBe(1500);
    expect(parse('0.1')).toBe(100);
    expect(parse('0.001')).toBe(1);
    expect(parse('0.0009')).toBe(1);
    expect(parse('1e-3')).toBe(1);
    expect(parse('0x10')).toBe(16_000);
    // ceil of a small negative number is -0: wait for ever.
    expect(parse('-0.0001')).toBe(0);
    expect(parse('9223372036854775')).toBe(9_223_372_036_854_775_000);
  });

  it('refuses what Redis refuses, with its words', () => {
    for (const s of ['-1', '-0.5', 'inf', '-inf', '1e300', '0x7FFFFFFFFFFFFF', '9223372036854776'])
      expect(parse(s), s).toBe('ERR timeout is negative');
    for (const s of ['abc', 'nan', ' 1', '1 ', '', '1e', '--1'])
      expect(parse(s), s).toBe('ERR timeout is not a float or out of range');
  });
});
