import { describe, expect, it } from 'vitest';
import { session } from './test-helpers.js';

const NOT_INT = '-ERR value is not an integer or out of range';
const OVERFLOW = '-ERR increment or decrement would overflow';

describe('INCR / DECR / INCRBY / DECRBY', () => {
  it('counts from zero and keeps the expiry', async () => {
    const s = session();
    expect(await s.run('INCR', 'c')).toBe(1);
    expect(await s.run('INCRBY', 'c', '41')).toBe(42);
    expect(await s.run('DECR', 'c')).toBe(41);
    expect(await s.run('DECRBY', 'c', '-9')).toBe(50);
    await s.run('EXPIRE', 'c', '60');
    expect(await s.run('INCR', 'c')).toBe(51);
    expect(await s.run('TTL', 'c')).toBe(60);
    expect(await s.run('GET', 'c')).toBe('51');
  });

  it('answers int64 values beyond 2^53 exactly', async () => {
    const s = session();
    await s.run('SET', 'c', '9223372036854775806');
    expect(await s.run('INCR', 'c')).toBe(9223372036854775807n);
    expect(await s.run('INCR', 'c')).toBe(OVERFLOW);
    await s.run('SET', 'c', '-9223372036854775808');
    expect(await s.run('DECR', 'c')).toBe(OVERFLOW);
    expect(await s.run('INCRBY', 'c', '9223372036854775807')).toBe(-1);
  });

  it('refuses values and increments that are not strict int64', async () => {
    const s = session();
    for (const v of ['abc', '1.5', ' 1', '+1', '-0', '01', '9223372036854775808', '']) {
      await s.run('SET', 'c', v);
      expect(await s.run('INCR', 'c')).toBe(NOT_INT);
    }
    expect(await s.run('INCRBY', 'x', '9223372036854775808')).toBe(NOT_INT);
    expect(await s.run('DECRBY', 'x', '-9223372036854775808')).toBe('-ERR decrement would overflow');
    expect(await s.run('INCRBY', 'x', '-9223372036854775808')).toBe(-9223372036854775808n);
  });
});

describe('INCRBYFLOAT', () => {
  it('adds as Redis long doubles and prints like %.17Lf without trailing zeros', async () => {
    const s = session();
    expect(await s.run('INCRBYFLOAT', 'f', '0.1')).toBe('0.1');
    expect(await s.run('INCRBYFLOAT', 'f', '0.2')).toBe('0.3');
    expect(await s.run('INCRBYFLOAT', 'f', '-0.3')).toBe('0');
    await s.run('SET', 'g', '10.5');
    expect(await s.run('INCRBYFLOAT', 'g', '0.1')).toBe('10.6');
    expect(await s.run('INCRBYFLOAT', 'h', '5.0e3')).toBe('5000');
    expect(await s.run('INCRBYFLOAT', 'i', '1.23456789012345678901234567890')).toBe('1.23456789012345679');
    expect(await s.run('INCRBYFLOAT', 'j', '0x1.8p-3')).toBe('0.1875');
    await s.run('SET', 'k', '9223372036854775807');
    expect(await s.run('INCRBYFLOAT', 'k', '1')).toBe('9223372036854775808');
  });

  it('goes past the double range like an 80-bit long double', async () => {
    const s = session();
    await s.run('INCRBYFLOAT', 'f', '1e308');
    const twice = await s.run('INCRBYFLOAT', 'f', '1e308');
    expect(twice).toMatch(/^1999999999999999999933717593116912913211201996948311344155940959898/);
    expect((twice as string).length).toBe(309);
  });

  it('keeps the expiry and refuses non-floats, NaN and infinity', async () => {
    const s = session();
    await s.run('SET', 'f', '1', 'EX', '100');
    expect(await s.run('INCRBYFLOAT', 'f', '1.5')).toBe('2.5');
    expect(await s.run('TTL', 'f')).toBe(100);
    for (const bad of ['abc', 'nan', ' 1', '1 ', '', '1e', '0x', '1e-5000']) {
      expect(await s.run('INCRBYFLOAT', 'f', bad)).toBe('-ERR value is not a valid float');
    }
    expect(await s.run('INCRBYFLOAT', 'f', 'inf')).toBe('-ERR increment would produce NaN or Infinity');
    await s.run('SET', 's', 'text');
    expect(await s.run('INCRBYFLOAT', 's', '1')).toBe('-ERR value is not a valid float');
    expect(await s.run('GET', 'f')).toBe('2.5');
  });
});
