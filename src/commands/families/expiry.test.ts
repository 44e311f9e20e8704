import { describe, expect, it } from 'vitest';
import { session } from './test-helpers.js';

const NOW = 1_700_000_000_000;

describe('EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT', () => {
  it('set relative and absolute expiry times, and keys expire with the clock', async () => {
    const s = session();
    await s.run('MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    expect(await s.run('EXPIRE', 'a', '10')).toBe(1);
    expect(await s.run('PEXPIRE', 'b', '1500')).toBe(1);
    expect(await s.run('EXPIREAT', 'c', String(NOW / 1000 + 20))).toBe(1);
    expect(await s.run('PEXPIREAT', 'd', String(NOW + 2500))).toBe(1);
    expect(await s.run('PEXPIRETIME', 'a')).toBe(NOW + 10_000);
    expect(await s.run('PEXPIRETIME', 'b')).toBe(NOW + 1500);
    expect(await s.run('EXPIRETIME', 'c')).toBe(NOW / 1000 + 20);
    expect(await s.run('PTTL', 'd')).toBe(2500);
    s.t.clock.advance(2500);
    expect(await s.run('MGET', 'a', 'b', 'c', 'd')).toEqual(['1', null, '3', null]);
    expect(await s.run('EXPIRE', 'missing', '10')).toBe(0);
  });

  it('a time already past deletes the key and answers 1', async () => {
    const s = session();
    await s.run('MSET', 'a', '1', 'b', '2');
    expect(await s.run('EXPIRE', 'a', '-1')).toBe(1);
    expect(await s.run('PEXPIREAT', 'b', String(NOW))).toBe(1);
    expect(await s.run('EXISTS', 'a', 'b')).toBe(0);
  });

  it('NX / XX / GT / LT compare with the current expiry (none counts as infinite)', async () => {
    const s = session();
    await s.run('SET', 'k', 'v');
    expect(await s.run('EXPIRE', 'k', '100', 'XX')).toBe(0);
    expect(await s.run('EXPIRE', 'k', '100', 'GT')).toBe(0);
    expect(await s.run('EXPIRE', 'k', '100', 'NX')).toBe(1);
    expect(await s.run('EXPIRE', 'k', '200', 'NX')).toBe(0);
    expect(await s.run('EXPIRE', 'k', '50', 'GT')).toBe(0);
    expect(await s.run('EXPIRE', 'k', '200', 'GT')).toBe(1);
    expect(await s.run('EXPIRE', 'k', '300', 'LT')).toBe(0);
    expect(await s.run('EXPIRE', 'k', '150', 'LT', 'XX')).toBe(1);
    expect(await s.run('TTL', 'k')).toBe(150);
    await s.run('PERSIST', 'k');
    expect(await s.run('EXPIRE', 'k', '10', 'LT')).toBe(1);
  });

  it('refuses option mixes, unknown options and int64 overflow with Redis words', async () => {
    const s = session();
    await s.run('SET', 'k', 'v');
    expect(await s.run('EXPIRE', 'k', '10', 'NX', 'XX')).toBe(
      '-ERR NX and XX, GT or LT options at the same time are not compatible',
    );
    expect(await s.run('EXPIRE', 'k', '10', 'GT', 'LT')).toBe(
      '-ERR GT and LT options at the same time are not compatible',
    );
    expect(await s.run('EXPIRE', 'k', 'abc', 'foo')).toBe('-ERR Unsupported option foo');
    expect(await s.run('EXPIRE', 'k', '10', Buffer.from('bar\0baz'))).toBe('-ERR Unsupported option bar');
    expect(await s.run('EXPIRE', 'k', 'abc')).toBe('-ERR value is not an integer or out of range');
    expect(await s.run('EXPIRE', 'k', '9223372036854776')).toBe(
      "-ERR invalid expire time in 'expire' command",
    );
    expect(await s.run('EXPIRE', 'k', '9223372036854775')).toBe(
      "-ERR invalid expire time in 'expire' command",
    );
    expect(await s.run('PEXPIRE', 'k', '9223372036854775807')).toBe(
      "-ERR invalid expire time in 'pexpire' command",
    );
    expect(await s.run('EXPIREAT', 'k', '-9223372036854776')).toBe(
      "-ERR invalid expire time in 'expireat' command",
    );
    expect(await s.run('TTL', 'k')).toBe(-1);
  });
});

describe('TTL / PTTL / EXPIRETIME / PEXPIRETIME / PERSIST', () => {
  it('answer -2 for a missing key, -1 without expiry, and round seconds to nearest', async () => {
    const s = session();
    expect(await s.run('TTL', 'missing')).toBe(-2);
    expect(await s.run('PEXPIRETIME', 'missing')).toBe(-2);
    await s.run('SET', 'k', 'v');
    expect(await s.run('PTTL', 'k')).toBe(-1);
    expect(await s.run('EXPIRETIME', 'k')).toBe(-1);
    await s.run('PEXPIRE', 'k', '1500');
    expect(await s.run('TTL', 'k')).toBe(2);
    s.t.clock.advance(1001);
    expect(await s.run('TTL', 'k')).toBe(0);
    expect(await s.run('PTTL', 'k')).toBe(499);
    await s.run('PEXPIREAT', 'k', String(NOW + 1_999_499));
    expect(await s.run('EXPIRETIME', 'k')).toBe(NOW / 1000 + 1999);
    await s.run('PEXPIREAT', 'k', String(NOW + 1_999_500));
    expect(await s.run('EXPIRETIME', 'k')).toBe(NOW / 1000 + 2000);
  });

  it('PERSIST removes an expiry and says whether there was one', async () => {
    const s = session();
    expect(await s.run('PERSIST', 'missing')).toBe(0);
    await s.run('SET', 'k', 'v', 'EX', '10');
    expect(await s.run('PERSIST', 'k')).toBe(1);
    expect(await s.run('PERSIST', 'k')).toBe(0);
    expect(await s.run('TTL', 'k')).toBe(-1);
  });
});
