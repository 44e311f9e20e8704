/**
 * Sorted-set argument parsing and score replies, as t_zset.c and util.c do them:
 * - scores (ZADD, ZINCRBY, WEIGHTS) with string2d: the whole argument must be what strtod
 *   reads (decimal, hex float, inf), no leading space, not NaN, no overflow or underflow to 0;
 * - score ranges with zslParseRange: strtod up to the first NUL, leading space allowed,
 *   overflow to inf and underflow to 0 accepted, `(` for an exclusive end;
 * - lex ranges with zslParseLexRange: `[x` / `(x` / `-` / `+`;
 * - integers with string2ll (getLongFromObjectOrReply).
 */
import { LEX_MAX, LEX_MIN, type LexBound, LexRange, ScoreRange } from '../../engine/values/zset-ranges.js';
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { bulkStringsFor, DoubleReply, type Reply } from '../reply.js';

export const notFloatRange = new ErrorReply('ERR', 'ERR min or max is not a float');
export const notLexRange = new ErrorReply('ERR', 'ERR min or max not valid string range item');
export const nanScore = new ErrorReply('ERR', 'ERR resulting score is not a number (NaN)');

const DEC_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;
const INF_RE = /^[+-]?(?:inf|infinity)$/i;
/** Decimal digits that make a number non-zero ("0e-400" is zero, "1e-400" underflowed). */
const NONZERO_DIGIT_RE = /[1-9]/;
/** C's isspace. */
const SPACE_RE = /^[ \t\n\v\f\r]/;
const LEADING_SPACE_RE = /^[ \t\n\v\f\r]+/;

/** Exponents beyond this only mean "overflow" or "underflow": clamp before BigInt shifts. */
const HEX_EXP_CLAMP = 5000;

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/** m * 2^e rounded to the nearest double, ties to even, subnormals included (m > 0). */
function ldexpRounded(m: bigint, e: number): number {
  const bits = bitLength(m);
  const top = bits - 1 + e; // the value lies in [2^top, 2^(top+1))
  if (top > 1023) return Number.POSITIVE_INFINITY;
  const precision = top >= -1022 ? 53 : 53 - (-1022 - top);
  const shift = bits - precision;
  let q = m;
  let k = e;
  if (shift > 0) {
    q = m >> BigInt(shift);
    const rem = m - (q << BigInt(shift));
    const half = 1n << BigInt(shift - 1);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    k = e + shift;
  }
  if (q === 0n) return 0;
  // q has at most 53 bits and q * 2^k is representable: both steps are exact.
  return Number(q) * 2 ** k;
}

/**
 * strtod's reading of a whole string (no leading space, nothing after): the value, or null when
 * it is not all a number. `range` is true for an overflow or an underflow to zero (ERANGE).
 */
function strtodWhole(s: string): { v: number; range: boolean } | null {
  if (DEC_RE.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v)) return { v, range: true };
    const mantissa = s.replace(/[eE].*$/, '');
    return { v, range: v === 0 && NONZERO_DIGIT_RE.test(mantissa) };
  }
  if (INF_RE.test(s))
    return { v: s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY, range: false };
  const h = HEX_RE.exec(s);
  if (h === null) return null;
  const [, sign, int, frac = '', exp] = h;
  if (int.length + frac.length === 0) return null;
  const neg = sign === '-';
  const m = BigInt(`0x${int}${frac}`);
  if (m === 0n) return { v: neg ? -0 : 0, range: false };
  const p = exp === undefined ? 0 : Math.max(-HEX_EXP_CLAMP, Math.min(HEX_EXP_CLAMP, Number(exp)));
  const mag = ldexpRounded(m, p - 4 * frac.length);
  return { v: neg ? -mag : mag, range: mag === 0 || mag === Number.POSITIVE_INFINITY };
}

/** Longest all-digit score read without strtod: below 2^53, so every such integer is exact. */
const FAST_DIGITS = 15;

/** A score of 1..15 ASCII digits (redis-benchmark's, most clients'): its value, else -1. */
function digitsScore(arg: Buffer): number {
  const n = arg.length;
  if (n > FAST_DIGITS) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = arg[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Redis's string2d (getDoubleFromObject): the score, or null when not a valid float. */
export function parseScore(arg: Buffer): number | null {
  if (arg.length === 0) return null;
  const fast = digitsScore(arg);
  if (fast >= 0) return fast;
  const s = arg.toString('latin1');
  if (SPACE_RE.test(s)) return null;
  const r = strtodWhole(s);
  if (r === null || r.range || Number.isNaN(r.v)) return null;
  return r.v;
}

/** One end of a score range (zslParseRange): `(` makes it exclusive. Null when not a float. */
function parseRangeEnd(arg: Buffer): { v: number; ex: boolean } | null {
  const z = arg.indexOf(0);
  let s = (z < 0 ? arg : arg.subarray(0, z)).toString('latin1');
  const ex = s.charCodeAt(0) === 40; // '('
  if (ex) s = s.slice(1);
  // strtod of "" reads nothing and leaves the end pointer on the terminator: 0.
  if (s.length === 0) return { v: 0, ex };
  const t = s.replace(LEADING_SPACE_RE, '');
  if (t.length === 0) return null;
  const r = strtodWhole(t);
  if (r === null || Number.isNaN(r.v)) return null;
  return { v: r.v, ex };
}

export function parseScoreRange(min: Buffer, max: Buffer): ScoreRange | null {
  const lo = parseRangeEnd(min);
  const hi = parseRangeEnd(max);
  if (lo === null || hi === null) return null;
  return new ScoreRange(lo.v, hi.v, lo.ex, hi.ex);
}

/** zslParseLexRangeItem: `+` / `-` alone (as C strings), or `(` / `[` and the bytes after. */
function parseLexEnd(arg: Buffer): { v: LexBound; ex: boolean } | null {
  if (arg.length === 0) return null;
  const c = arg[0];
  const alone = arg.length === 1 || arg[1] === 0;
  if (c === 43) return alone ? { v: LEX_MAX, ex: true } : null; // '+'
  if (c === 45) return alone ? { v: LEX_MIN, ex: true } : null; // '-'
  if (c === 40) return { v: arg.toString('latin1', 1), ex: true }; // '('
  if (c === 91) return { v: arg.toString('latin1', 1), ex: false }; // '['
  return null;
}

export function parseLexRange(min: Buffer, max: Buffer): LexRange | null {
  const lo = parseLexEnd(min);
  const hi = parseLexEnd(max);
  if (lo === null || hi === null) return null;
  return new LexRange(lo.v, hi.v, lo.ex, hi.ex);
}

/** The most any index or count can matter: beyond it, values act the same as at it. */
const INDEX_CLAMP = 2 ** 53;

/** getLongFromObjectOrReply: an int64 (clamped to +-2^53, far past any set size), or the error. */
export function parseLong(arg: Buffer): number | ErrorReply {
  const v = parseInt64(arg);
  if (v === null) return Errors.notInteger;
  if (v > BigInt(INDEX_CLAMP)) return INDEX_CLAMP;
  if (v < BigInt(-INDEX_CLAMP)) return -INDEX_CLAMP;
  return Number(v);
}

/** getRangeLongFromObjectOrReply with one message for both failures (as ZMPOP's COUNT). */
export function parseLongInRange(
  arg: Buffer,
  min: bigint,
  max: bigint,
  msg: ErrorReply,
): number | ErrorReply {
  const v = parseInt64(arg);
  if (v === null || v < min || v > max) return msg;
  return Number(
    v > BigInt(INDEX_CLAMP) ? BigInt(INDEX_CLAMP) : v < BigInt(-INDEX_CLAMP) ? BigInt(-INDEX_CLAMP) : v,
  );
}

/**
 * Redis's rank sanitizing (ZRANGE, ZREMRANGEBYRANK): negative ranks count from the end, start
 * is clamped at 0 and end at the last rank; null when the range is empty.
 */
export function rankRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  return [start, end >= len ? len - 1 : end];
}

/** Integers printed as `%.17g` prints them (no exponent below 1e17): String() has the same digits. */
const PLAIN_INTEGER_MAX = 2 ** 53;

export function scoreReply(score: number): DoubleReply {
  // -0 is printed "-0" (formatDouble), String(-0) would give "0".
  if (score !== 0 && Number.isInteger(score) && score < PLAIN_INTEGER_MAX && score > -PLAIN_INTEGER_MAX)
    return new DoubleReply(score, String(score));
  return new DoubleReply(score);
}

/**
 * Collects member (and score) replies: RESP2 flat, RESP3 as [member, score] pairs when scores
 * are asked for, as Redis 7 answers ZRANGE WITHSCORES and friends.
 */
export class ScoredReply {
  private readonly items: Reply[] = [];
  /** Members only (no scores): kept as strings, given as `bulkStringsFor` (no Buffer each). */
  private readonly members: string[] = [];
  private readonly nested: boolean;

  constructor(
    private readonly ctx: CommandContext,
    readonly withScores: boolean,
  ) {
    this.nested = withScores && ctx.client.resp === 3;
  }

  push(member: string, score: number): void {
    if (!this.withScores) {
      this.members.push(member);
      return;
    }
    const m = Buffer.from(member, 'latin1');
    if (this.nested) this.items.push([m, scoreReply(score)]);
    else this.items.push(m, scoreReply(score));
  }

  /** Entries pushed so far (pairs count once). */
  get length(): number {
    if (!this.withScores) return this.members.length;
    return this.nested ? this.items.length : this.items.length / 2;
  }

  /** The reply: an array of what was pushed. */
  get out(): Reply {
    return this.withScores ? this.items : bulkStringsFor(this.ctx.client, this.members);
  }
}
