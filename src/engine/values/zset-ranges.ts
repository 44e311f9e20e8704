/**
 * The intervals sorted-set range commands search: Redis's zrangespec (scores, each end
 * inclusive or exclusive) and zlexrangespec (member bytes, with `-` and `+` as the smallest and
 * largest string). Both answer the NodeRange questions the skiplist asks.
 */
import type { NodeRange } from './skiplist.js';

export class ScoreRange implements NodeRange {
  readonly empty: boolean;
  readonly byMember = false;

  constructor(
    readonly min: number,
    readonly max: number,
    readonly minex: boolean,
    readonly maxex: boolean,
  ) {
    this.empty = min > max || (min === max && (minex || maxex));
  }

  gteMin(score: number): boolean {
    return this.minex ? score > this.min : score >= this.min;
  }

  lteMax(score: number): boolean {
    return this.maxex ? score < this.max : score <= this.max;
  }
}

/** `-`: below every string. */
export const LEX_MIN: unique symbol = Symbol('lex-min');
/** `+`: above every string. */
export const LEX_MAX: unique symbol = Symbol('lex-max');
export type LexBound = string | typeof LEX_MIN | typeof LEX_MAX;

/** Redis's sdscmplex: byte order, with the two sentinels at the ends (and equal to themselves). */
export function compareLex(a: LexBound, b: LexBound): number {
  if (a === b) return 0;
  if (a === LEX_MIN || b === LEX_MAX) return -1;
  if (a === LEX_MAX || b === LEX_MIN) return 1;
  return a < b ? -1 : 1;
}

export class LexRange implements NodeRange {
  readonly empty: boolean;
  readonly byMember = true;

  /** `-` and `+` are exclusive, as zslParseLexRangeItem makes them. */
  constructor(
    readonly min: LexBound,
    readonly max: LexBound,
    readonly minex: boolean,
    readonly maxex: boolean,
  ) {
    const cmp = compareLex(min, max);
    this.empty = cmp > 0 || (cmp === 0 && (minex || maxex));
  }

  gteMin(_score: number, member: string): boolean {
    const c = compareLex(member, this.min);
    return this.minex ? c > 0 : c >= 0;
  }

  lteMax(_score: number, member: string): boolean {
    const c = compareLex(member, this.max);
    return this.maxex ? c < 0 : c <= 0;
  }
}
