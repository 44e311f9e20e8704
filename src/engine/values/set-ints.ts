/**
 * An intset packed into one latin1 string, as Redis keeps it in one intset: the members as
 * fixed-width integers in ascending order, every member as wide as the widest needs (2, 4 or 8
 * bytes, widened for all when a wider member comes, never narrowed). Each integer is stored
 * big-endian with its sign bit flipped (offset binary), so the strings' char order is the
 * numbers' order and a lookup is a binary search comparing chars. Writes rebuild the string in
 * a scratch buffer, so it stays one flat string.
 */

const TWO_32 = 0x1_0000_0000;
const TWO_31 = 0x8000_0000;
const SIGN_64 = 1n << 63n;

/** Bytes per member an int64 in canonical decimal needs: 2, 4 or 8. */
export function intWidth(m: string): number {
  if (m.length >= 12) return 8;
  const n = Number(m);
  if (n >= -0x8000 && n <= 0x7fff) return 2;
  return n >= -TWO_31 && n < TWO_31 ? 4 : 8;
}

function chars(u: number, w: number): string {
  if (w === 2) return String.fromCharCode(u >>> 8, u & 0xff);
  return String.fromCharCode(u >>> 24, (u >>> 16) & 0xff, (u >>> 8) & 0xff, u & 0xff);
}

/** The `w` chars of a canonical int64 string that fits that width. */
export function encodeInt(m: string, w: number): string {
  if (w === 2) return chars(Number(m) + 0x8000, 2);
  if (w === 4) return chars(Number(m) + TWO_31, 4);
  let hiU: number;
  let lo: number;
  if (m.length < 16) {
    const n = Number(m);
    const hi = Math.floor(n / TWO_32);
    lo = n - hi * TWO_32;
    hiU = hi + TWO_31;
  } else {
    const u = BigInt.asUintN(64, BigInt(m)) ^ SIGN_64;
    hiU = Number(u >> 32n);
    lo = Number(u & 0xffff_ffffn);
  }
  return chars(hiU, 4) + chars(lo, 4);
}

function u32At(s: string, p: number): number {
  return (
    s.charCodeAt(p) * 0x100_0000 +
    s.charCodeAt(p + 1) * 0x1_0000 +
    s.charCodeAt(p + 2) * 0x100 +
    s.charCodeAt(p + 3)
  );
}

/** The member at index `i` of an intset of width `w`, in canonical decimal. */
export function decodeInt(s: string, i: number, w: number): string {
  const p = i * w;
  if (w === 2) return String(s.charCodeAt(p) * 0x100 + s.charCodeAt(p + 1) - 0x8000);
  if (w === 4) return String(u32At(s, p) - TWO_31);
  const hi = u32At(s, p) - TWO_31;
  const lo = u32At(s, p + 4);
  if (hi >= -0x20_0000 && hi < 0x20_0000) return String(hi * TWO_32 + lo);
  return String(BigInt(hi) * 0x1_0000_0000n + BigInt(lo));
}

/** Compares the member at char `p` with `probe` (both `w` chars). */
function compareAt(s: string, p: number, probe: string, w: number): number {
  for (let k = 0; k < w; k++) {
    const d = s.charCodeAt(p + k) - probe.charCodeAt(k);
    if (d !== 0) return d;
  }
  return 0;
}

/** The index of `probe` (encoded at width `w`), or -(where it would go) - 1. */
export function search(s: string, probe: string, w: number): number {
  let lo = 0;
  let hi = s.length / w - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareAt(s, mid * w, probe, w);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

let scratch = Buffer.allocUnsafe(4096);

/** `s` with chars [from, to) replaced by `ins`, as one flat string. */
export function spliceChars(s: string, from: number, to: number, ins: string): string {
  const size = s.length - (to - from) + ins.length;
  if (scratch.length < Math.max(size, s.length))
    scratch = Buffer.allocUnsafe(Math.max(size, s.length, scratch.length * 2));
  const buf = scratch;
  buf.write(s, 0, 'latin1');
  buf.copyWithin(from + ins.length, to, s.length);
  buf.write(ins, from, 'latin1');
  return buf.toString('latin1', 0, size);
}

/** The members of an intset of width `w` at width `to` (wider). */
export function widen(s: string, w: number, to: number): string {
  const n = s.length / w;
  let out = '';
  for (let i = 0; i < n; i++) out += encodeInt(decodeInt(s, i, w), to);
  return spliceChars(out, 0, 0, '');
}
