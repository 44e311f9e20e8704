import { describe, expect, it } from 'vitest';
import { DoubleReply } from '../reply.js';
import { parseScore, scoreReply } from './zset-args.js';

const score = (s: string) => parseScore(Buffer.from(s, 'latin1'));

describe('parseScore', () => {
  it('reads plain digit strings (redis-benchmark scores) as strtod does', () => {
    expect(score('0')).toBe(0);
    expect(Object.is(score('0'), 0)).toBe(true);
    expect(score('000000012345')).toBe(12345);
    expect(score('999999999999999')).toBe(999_999_999_999_999);
    // 16 and more digits go through the full reading: the nearest double.
    expect(score('12345678901234567')).toBe(12345678901234568);
    expect(score('9007199254740993')).toBe(9007199254740992);
  });

  it('still reads signs, fractions and exponents, and refuses what is not a float', () => {
    expect(Object.is(score('-0'), -0)).toBe(true);
    expect(score('+5')).toBe(5);
    expect(score('-12')).toBe(-12);
    expect(score('1.5')).toBe(1.5);
    expect(score('1e3')).toBe(1000);
    expect(score('inf')).toBe(Number.POSITIVE_INFINITY);
    for (const bad of ['', ' 1', '1 ', '12a', '0x', 'nan', '1e400']) expect(score(bad)).toBeNull();
  });
});

describe('scoreReply', () => {
  it('prints integers as %.17g does and leaves other scores to the double formatter', () => {
    expect(scoreReply(12345)).toEqual(new DoubleReply(12345, '12345'));
    expect(scoreReply(-7)).toEqual(new DoubleReply(-7, '-7'));
    expect(scoreReply(2 ** 53 - 1).text).toBe('9007199254740991');
    // -0 prints as "-0", 2^53 and fractions through formatDouble.
    expect(scoreReply(-0).text).toBeUndefined();
    expect(scoreReply(2 ** 53).text).toBeUndefined();
    expect(scoreReply(1.5).text).toBeUndefined();
  });
});
