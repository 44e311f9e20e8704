import { describe, expect, it } from 'vitest';
import { session } from './test-helpers.js';

const TOO_BIG = '-ERR string exceeds maximum allowed size (proto-max-bulk-len)';
const MB = 1024 * 1024;

describe('APPEND / STRLEN', () => {
  it('creates, grows and measures values, keeping the expiry', async () => {
    const s = session();
    expect(await s.run('APPEND', 'k', 'Hello')).toBe(5);
    await s.run('EXPIRE', 'k', '100');
    expect(await s.run('APPEND', 'k', ' World')).toBe(11);
    expect(await s.run('GET', 'k')).toBe('Hello World');
    expect(await s.run('TTL', 'k')).toBe(100);
    expect(await s.run('STRLEN', 'k')).toBe(11);
    expect(await s.run('STRLEN', 'missing')).toBe(0);
  });

  it('refuses to grow a value past proto-max-bulk-len', async () => {
    const s = session({ config: { 'proto-max-bulk-len': String(MB) } });
    await s.run('SETRANGE', 'k', String(MB - 2), 'ab');
    expect(await s.run('STRLEN', 'k')).toBe(MB);
    expect(await s.run('APPEND', 'k', 'x')).toBe(TOO_BIG);
    expect(await s.run('APPEND', 'k', '')).toBe(MB);
    expect(await s.run('STRLEN', 'k')).toBe(MB);
  });
});

describe('GETRANGE / SUBSTR', () => {
  it('takes inclusive ranges, negative from the end, clamped', async () => {
    const s = session();
    await s.run('SET', 'k', 'This is a string');
    expect(await s.run('GETRANGE', 'k', '0', '3')).toBe('This');
    expect(await s.run('GETRANGE', 'k', '-3', '-1')).toBe('ing');
    expect(await s.run('GETRANGE', 'k', '0', '-1')).toBe('This is a string');
    expect(await s.run('GETRANGE', 'k', '10', '100')).toBe('string');
    expect(await s.run('GETRANGE', 'k', '-100', '3')).toBe('This');
    expect(await s.run('GETRANGE', 'k', '5', '2')).toBe('');
    expect(await s.run('GETRANGE', 'k', '-3', '-5')).toBe('');
    expect(await s.run('GETRANGE', 'k', '9223372036854775807', '-9223372036854775808')).toBe('');
    expect(await s.run('SUBSTR', 'k', '0', '3')).toBe('This');
  });

  it('answers an empty string for a missing key, but checks the indexes first', async () => {
    const s = session();
    expect(await s.run('GETRANGE', 'missing', '0', '-1')).toBe('');
    expect(await s.run('GETRANGE', 'missing', 'a', '1')).toBe('-ERR value is not an integer or out of range');
    await s.run('SET', 'e', '');
    expect(await s.run('GETRANGE', 'e', '0', '-1')).toBe('');
  });
});

describe('SETRANGE', () => {
  it('overwrites in place and pads with zero bytes, keeping the expiry', async () => {
    const s = session();
    await s.run('SET', 'k', 'Hello World', 'EX', '50');
    expect(await s.run('SETRANGE', 'k', '6', 'Redis')).toBe(11);
    expect(await s.run('GET', 'k')).toBe('Hello Redis');
    expect(await s.run('TTL', 'k')).toBe(50);
    expect(await s.run('SETRANGE', 'pad', '3', 'ab')).toBe(5);
    expect(await s.raw('GET', 'pad')).toEqual(Buffer.from([0, 0, 0, 97, 98]));
  });

  it('writes nothing for an empty value', async () => {
    const s = session();
    expect(await s.run('SETRANGE', 'missing', '5', '')).toBe(0);
    expect(await s.run('EXISTS', 'missing')).toBe(0);
    await s.run('SET', 'k', 'abc');
    expect(await s.run('SETRANGE', 'k', '100', '')).toBe(3);
  });

  it('refuses negative, non-integer and oversized offsets', async () => {
    const s = session({ config: { 'proto-max-bulk-len': String(MB) } });
    expect(await s.run('SETRANGE', 'k', '-1', 'x')).toBe('-ERR offset is out of range');
    expect(await s.run('SETRANGE', 'k', 'x', 'x')).toBe('-ERR value is not an integer or out of range');
    expect(await s.run('SETRANGE', 'k', String(MB), 'x')).toBe(TOO_BIG);
    expect(await s.run('SETRANGE', 'k', '9223372036854775807', 'x')).toBe(TOO_BIG);
    expect(await s.run('EXISTS', 'k')).toBe(0);
  });
});
