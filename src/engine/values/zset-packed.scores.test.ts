/** The packed sorted set's score forms (zset-packed.ts): one char, k-byte integers, doubles. */
import { describe, expect, it } from 'vitest';
import * as P from './zset-packed.js';

const SCORES = [
  -Infinity,
  -1e300,
  -(2 ** 53),
  -(2 ** 47) - 1,
  -(2 ** 47),
  -32769,
  -32768,
  -129,
  -128,
  -1,
  -0.5,
  -0,
  0,
  5e-324,
  1,
  127,
  128,
  239,
  240,
  255,
  256,
  32767,
  32768,
  2 ** 31,
  2 ** 47 - 1,
  2 ** 47,
  2 ** 53,
  1e300,
  Infinity,
];

describe('packed sorted set scores', () => {
  it('read back every score exactly, walked both ways, in order', () => {
    const s = P.packEntries(SCORES.map((score, i) => [`m${i}`, score] as [string, number]));
    const forward: number[] = [];
    for (let p = 0; p < s.length; p = P.nextEntry(s, p)) forward.push(P.scoreAt(s, p));
    expect(forward.length).toBe(SCORES.length);
    expect(forward.map((score, i) => Object.is(score, SCORES[i]))).toEqual(SCORES.map(() => true));
    const backward: string[] = [];
    for (let p = P.lastEntry(s); p >= 0; p = P.prevEntry(s, p)) backward.push(P.memberAt(s, p));
    expect(backward).toEqual(SCORES.map((_, i) => `m${i}`).reverse());
    // Small integers take one char, others no more than a double.
    expect(P.entrySize('m', 7)).toBe(4);
    expect(P.entrySize('m', 1000)).toBe(6);
    expect(P.entrySize('m', 0.5)).toBe(12);
  });

  it('insert at the place the score orders', () => {
    let s = '';
    for (const [i, score] of [...SCORES].reverse().entries()) {
      const at = P.insertPosition(s, score, `x${i}`);
      s = P.spliceEntry(s, at, at, `x${i}`, score);
    }
    const got: number[] = [];
    for (let p = 0; p < s.length; p = P.nextEntry(s, p)) got.push(P.scoreAt(s, p));
    // -0 and 0 tie (then ordered by member): compare them as one.
    const flat = (xs: number[]) => xs.map((x) => (x === 0 ? 0 : x));
    expect(flat(got)).toEqual(flat(SCORES));
  });
});
