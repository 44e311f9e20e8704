/**
 * The keys, members, scores and range ends the sorted-set differential steps draw from
 * (zset.ts, zset-multi.ts), and small helpers to build steps.
 */
import { floatArg, type Rng } from '../random.js';
import { b, type GenState, type Step } from './collection-runner.js';

export const ZKEYS = ['z1', 'z2', 'z3', 'z4'].map(b);
/** Only score 0 and lex-safe commands: lex ranges over it are always defined. */
export const LEX_KEY = b('zl');
export const SET_KEY = b('zs-set');
export const HASH_KEY = b('zs-hash');
export const STRING_KEY = b('zs-str');
export const ALL_ZSETS = [...ZKEYS, LEX_KEY];

const MEMBERS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'x:1', '1', '-3', '', 'bin\x00\xff', 'ab', 'abc'];
const SCORES = [
  '0',
  '-0',
  '1',
  '2',
  '2.5',
  '-1',
  '0.1',
  '-0.3',
  '+inf',
  '-inf',
  'inf',
  '1e17',
  '1e308',
  '-1e308',
  '3.0000000000000004e-8',
  '2.98023223876953125e-8',
  '123456789.123456789',
  '4611686018427387904',
  '9007199254740993',
  '5e-324',
  '0x1p-3',
];
export const RANGE_ENDS = [
  '-inf',
  '+inf',
  '(-inf',
  '0',
  '(0',
  '1',
  '(1',
  '2.5',
  '(2.5',
  '-1',
  '1e17',
  '(',
  '',
  ' 1',
  'nan',
  'abc',
  '1e400',
  '[1',
];
export const LEX_ENDS = [
  '-',
  '+',
  '[a',
  '(a',
  '[b',
  '(c',
  '[d',
  '(e',
  '[ab',
  '(abc',
  '[',
  '(',
  'a',
  '',
  '[h',
  '(x:1',
  '+x',
];
export const COUNTS = [
  '0',
  '1',
  '2',
  '3',
  '-1',
  '-2',
  '5',
  '10',
  '100',
  'x',
  '1.5',
  '',
  '9223372036854775807',
  '-9223372036854775808',
];
export const OFFSETS = ['0', '1', '2', '-1', '5', '100', 'x', '-5'];

export function member(rng: Rng): Buffer {
  return rng.weighted<() => Buffer>([
    [24, () => b(rng.pick(MEMBERS))],
    [4, () => b(`m${rng.range(0, 40)}`)],
    [1, () => b('y'.repeat(rng.range(8, 12)))],
    [1, () => b('L'.repeat(rng.range(60, 70)))],
  ])();
}

export function score(rng: Rng): string {
  return rng.weighted<() => string>([
    [10, () => rng.pick(SCORES)],
    [6, () => String(rng.range(-20, 20))],
    [3, () => (rng.range(-2000, 2000) / 16).toString()],
    [2, () => floatArg(rng)],
  ])();
}

export function zkey(rng: Rng): Buffer {
  return rng.weighted([
    [16, rng.pick(ZKEYS)],
    [1, SET_KEY],
    [1, HASH_KEY],
    [1, STRING_KEY],
  ]);
}

/** Redis's last reported encoding of a key. */
export const enc = (g: GenState, k: Buffer) => g.encodings.get(k.toString('latin1'));
export const step = (argv: Buffer[], keys: Buffer[], extra: Partial<Step> = {}): Step => ({
  argv,
  keys,
  ...extra,
});
export const zsetKeys = (ks: Buffer[]) => ks.filter((k) => ALL_ZSETS.some((z) => z.equals(k)));
export const bs = (xs: string[]) => xs.map(b);

/** A key a lex range is defined on: the lex key, or a key Redis last reported as a listpack. */
export function lexKey(g: GenState): Buffer {
  const rng = g.rng;
  const listpacks = ZKEYS.filter((k) => enc(g, k) === 'listpack' || enc(g, k) === null);
  if (listpacks.length > 0 && rng.chance(0.4)) return rng.pick(listpacks);
  return rng.chance(0.9) ? LEX_KEY : rng.pick([STRING_KEY, HASH_KEY]);
}
