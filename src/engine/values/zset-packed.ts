/**
 * A small sorted set packed into one latin1 string, as Redis keeps it in one listpack: entries
 * in (score, member bytes) order, each
 *
 *   [member length header (packed.ts)][member bytes][score][back length]
 *
 * where the score is, as a listpack stores an integral score as an integer: one char below 240
 * for an integer 0..239; 240 + k then k chars (k = 1..6, big-endian two's complement) for
 * another integer of up to 48 bits; 255 then 8 chars (an IEEE double) for the rest, -0 included;
 * and the back length is the entry's length without itself (one char below 255, else four
 * chars u32 little-endian then 255), so the string can be walked backwards as a listpack is.
 * An entry is named by the offset where it starts; the functions here read and rebuild the
 * string, always producing one flat string that holds no reference to the old one.
 */
import { elementAt, elementEnd, elementEquals, headerSize, lengthAt } from './packed.js';
import type { NodeRange } from './skiplist.js';

const LONG = 255;
/** Score tags: below SMALL_INT the integer itself; SMALL_INT + k: k bytes follow; DOUBLE: 8. */
const SMALL_INT = 240;
const DOUBLE = 255;
/** 2^47: integers in [-2^47, 2^47) take at most 6 bytes. */
const INT_LIMIT = 2 ** 47;

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);

/** The member of the entry at `p`. */
export function memberAt(s: string, p: number): string {
  return elementAt(s, p);
}

function readScore(s: string, q: number): number {
  const c = s.charCodeAt(q);
  if (c < SMALL_INT) return c;
  if (c === DOUBLE) {
    for (let i = 0; i < 8; i++) u8[i] = s.charCodeAt(q + 1 + i);
    return f64[0];
  }
  const k = c - SMALL_INT;
  let v = 0;
  for (let i = 1; i <= k; i++) v = v * 256 + s.charCodeAt(q + i);
  const top = 2 ** (8 * k);
  return v >= top / 2 ? v - top : v;
}

/** Chars the score at `q` takes. */
function scoreCharsAt(s: string, q: number): number {
  const c = s.charCodeAt(q);
  if (c < SMALL_INT) return 1;
  return c === DOUBLE ? 9 : 1 + c - SMALL_INT;
}

/** Chars `score` takes. */
function scoreSize(score: number): number {
  if (score >= 0 && score < SMALL_INT && Number.isInteger(score) && !Object.is(score, -0)) return 1;
  if (!Number.isInteger(score) || score < -INT_LIMIT || score >= INT_LIMIT || Object.is(score, -0)) return 9;
  let k = 1;
  while (score < -(2 ** (8 * k - 1)) || score >= 2 ** (8 * k - 1)) k++;
  return 1 + k;
}

/** The score of the entry at `p`. */
export function scoreAt(s: string, p: number): number {
  return readScore(s, elementEnd(s, p));
}

function backSize(len: number): number {
  return len < LONG ? 1 : 5;
}

/** Where the entry after the one at `p` starts (s.length after the last). */
export function nextEntry(s: string, p: number): number {
  const q = elementEnd(s, p);
  const body = q + scoreCharsAt(s, q) - p;
  return p + body + backSize(body);
}

/** Where the entry before the one at `p` starts, or -1. */
export function prevEntry(s: string, p: number): number {
  if (p === 0) return -1;
  const c = s.charCodeAt(p - 1);
  if (c < LONG) return p - 1 - c;
  const len =
    s.charCodeAt(p - 5) +
    s.charCodeAt(p - 4) * 0x100 +
    s.charCodeAt(p - 3) * 0x10000 +
    s.charCodeAt(p - 2) * 0x1000000;
  return p - 5 - len;
}

/** Where the last entry starts, or -1. */
export function lastEntry(s: string): number {
  return s.length === 0 ? -1 : prevEntry(s, s.length);
}

/** The entry of member `m`, or -1. */
export function find(s: string, m: string): number {
  for (let p = 0; p < s.length; p = nextEntry(s, p)) if (elementEquals(s, p, m)) return p;
  return -1;
}

/** Chars the entry of (m, score) takes. */
export function entrySize(m: string, score: number): number {
  const body = headerSize(m.length) + m.length + scoreSize(score);
  return body + backSize(body);
}

/** Where (score, m) belongs: the first entry ordered after it (s.length when none). */
export function insertPosition(s: string, score: number, m: string): number {
  let p = 0;
  for (; p < s.length; p = nextEntry(s, p)) {
    const e = elementEnd(s, p);
    const sc = readScore(s, e);
    if (sc > score) break;
    if (sc === score) {
      const len = lengthAt(s, p);
      if (s.slice(p + headerSize(len), e) > m) break;
    }
  }
  return p;
}

let scratch = Buffer.allocUnsafe(4096);

function room(n: number): Buffer {
  if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
  return scratch;
}

function putEntry(buf: Buffer, p: number, m: string, score: number): number {
  const n = m.length;
  const start = p;
  if (n < LONG) buf[p++] = n;
  else {
    buf[p] = LONG;
    buf.writeUInt32LE(n, p + 1);
    p += 5;
  }
  p += buf.write(m, p, 'latin1');
  const size = scoreSize(score);
  if (size === 1) buf[p++] = score;
  else if (size === 9) {
    buf[p++] = DOUBLE;
    f64[0] = score;
    for (let i = 0; i < 8; i++) buf[p++] = u8[i];
  } else {
    const k = size - 1;
    buf[p++] = SMALL_INT + k;
    let v = score < 0 ? score + 2 ** (8 * k) : score;
    for (let i = k; i > 0; i--) {
      buf[p + i - 1] = v % 256;
      v = Math.floor(v / 256);
    }
    p += k;
  }
  const body = p - start;
  if (body < LONG) buf[p++] = body;
  else {
    buf.writeUInt32LE(body, p);
    buf[p + 4] = LONG;
    p += 5;
  }
  return p;
}

/** `s` with chars [from, to) replaced by the entry (m, score), or by nothing when m is null. */
export function spliceEntry(s: string, from: number, to: number, m: string | null, score = 0): string {
  const mid = m === null ? 0 : entrySize(m, score);
  const size = s.length - (to - from) + mid;
  const buf = room(Math.max(size, s.length));
  buf.write(s, 0, 'latin1');
  buf.copyWithin(from + mid, to, s.length);
  if (m !== null) putEntry(buf, from, m, score);
  return buf.toString('latin1', 0, size);
}

/** Entries packed from (member, score) pairs already in order. */
export function packEntries(pairs: Iterable<[string, number]>): string {
  let buf = room(4096);
  let p = 0;
  for (const [m, score] of pairs) {
    const need = p + entrySize(m, score);
    if (need > buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, buf.length * 2));
      buf.copy(grown, 0, 0, p);
      scratch = grown;
      buf = grown;
    }
    p = putEntry(buf, p, m, score);
  }
  return buf.toString('latin1', 0, p);
}

/** zzlIsInRange / zzlIsInLexRange: whether any entry can lie in `r`. */
function touches(s: string, r: NodeRange): boolean {
  if (r.empty || s.length === 0) return false;
  const last = lastEntry(s);
  return r.gteMin(scoreAt(s, last), memberAt(s, last)) && r.lteMax(scoreAt(s, 0), memberAt(s, 0));
}

/** zzlFirstInRange / zzlFirstInLexRange: walked from the head; the entry or -1. */
export function firstInRange(s: string, r: NodeRange): number {
  if (!touches(s, r)) return -1;
  for (let p = 0; p < s.length; p = nextEntry(s, p)) {
    const score = scoreAt(s, p);
    const m = memberAt(s, p);
    if (r.gteMin(score, m)) return r.lteMax(score, m) ? p : -1;
  }
  return -1;
}

/** zzlLastInRange / zzlLastInLexRange: walked from the tail; the entry or -1. */
export function lastInRange(s: string, r: NodeRange): number {
  if (!touches(s, r)) return -1;
  for (let p = lastEntry(s); p >= 0; p = prevEntry(s, p)) {
    const score = scoreAt(s, p);
    const m = memberAt(s, p);
    if (r.lteMax(score, m)) return r.gteMin(score, m) ? p : -1;
  }
  return -1;
}

/** The entry at a 0-based rank, or -1. */
export function entryAtRank(s: string, rank: number): number {
  let p = 0;
  for (let i = 0; i < rank && p < s.length; i++) p = nextEntry(s, p);
  return p < s.length ? p : -1;
}

/** The 0-based rank of the entry at `p`. */
export function rankOfEntry(s: string, p: number): number {
  let rank = 0;
  for (let q = 0; q < p; q = nextEntry(s, q)) rank++;
  return rank;
}
