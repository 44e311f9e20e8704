/**
 * Correctly rounded sin, cos and asin for the arguments geo distances use, so that Cairn's
 * haversine gives the doubles Redis's does. Redis calls glibc's libm, whose results are the
 * correctly rounded ones almost always (measured: 99.9%); V8's Math.sin/cos/asin (fdlibm) differ
 * from them in the last bit for 3-9% of arguments, which shows in STOREDIST scores (printed with
 * 17 digits) and, rarely, in 4-decimal distances and at search boundaries.
 *
 * Method (Ziv's): evaluate in double-double with a computed error bound; when the rounded
 * result cannot be on the wrong side of a rounding boundary, return it, else recompute with
 * BigInt fixed point (200 bits), which is rare.
 *  - sin/cos: x = k/64 + d with |d| <= 1/128; sin and cos of k/64 come from a table (double-
 *    double, built once from the BigInt series), those of d from short polynomials; arguments
 *    in (pi/2, 3pi/2] are reduced first with pi as a double-double. Beyond 3pi/2: Math.
 *  - asin: one Newton step from Math.asin using the double-double sine; above 0.5 through
 *    asin(y) = pi/2 - 2 asin(sqrt((1 - y) / 2)), which keeps the step well conditioned.
 */

const SPLIT = 134217729; // 2^27 + 1, Dekker's splitter
const PI_HI = Math.PI;
const PI_LO = 1.2246467991473532e-16; // pi - PI_HI
const PIO2_HI = Math.PI / 2;
const PIO2_LO = 6.123233995736766e-17;
const TABLE_STEP = 64;
const TABLE_SIZE = 102; // k/64 up to pi/2 + 1/128
const FIXED_BITS = 200n;
const ONE = 1n << FIXED_BITS;
const F = Number(FIXED_BITS);
/** Below these, sin(x) and asin(x) round to x, cos(x) to 1. */
const TINY = 2 ** -26;
const COS_TINY = 2 ** -27;
const EPS_REL = 2 ** -50;
const EPS_ABS = 2 ** -100;

// Double-double results of the helpers below (no allocation on the hot path).
let oh = 0;
let ol = 0;
/** Error bound of the last core evaluation (absolute). */
let oerr = 0;

function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  oh = p;
  ol = ah * bh - p + ah * bl + al * bh + al * bl;
}

function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  oh = s;
  ol = a - (s - bb) + (b - bb);
}

// ---- BigInt fixed point: the slow path and the table ---------------------------------------

/** v * 2^200 as an integer (exact for every argument here: none has bits below 2^-200). */
function toFixed(v: number): bigint {
  return BigInt(Math.round(v * 2 ** F));
}

function fromFixed(v: bigint): number {
  return Number(v) / 2 ** F;
}

/** sin (or cos) of a fixed-point x (|x| <= 2) by its Taylor series. */
function sinFixed(x: bigint, cosine: boolean): bigint {
  const x2 = (x * x) >> FIXED_BITS;
  let term = cosine ? ONE : x;
  let sum = term;
  for (let n = cosine ? 0n : 1n; term !== 0n; n += 2n) {
    term = -((term * x2) >> FIXED_BITS) / ((n + 1n) * (n + 2n));
    sum += term;
  }
  return sum;
}

let SIN_HI: Float64Array | null = null;
let SIN_LO = new Float64Array(0);
let COS_HI = new Float64Array(0);
let COS_LO = new Float64Array(0);

function table(): Float64Array {
  if (SIN_HI !== null) return SIN_HI;
  const sh = new Float64Array(TABLE_SIZE);
  SIN_LO = new Float64Array(TABLE_SIZE);
  COS_HI = new Float64Array(TABLE_SIZE);
  COS_LO = new Float64Array(TABLE_SIZE);
  for (let k = 0; k < TABLE_SIZE; k++) {
    const x = toFixed(k / TABLE_STEP);
    const s = sinFixed(x, false);
    const c = sinFixed(x, true);
    sh[k] = fromFixed(s);
    SIN_LO[k] = fromFixed(s - toFixed(sh[k]));
    COS_HI[k] = fromFixed(c);
    COS_LO[k] = fromFixed(c - toFixed(COS_HI[k]));
  }
  SIN_HI = sh;
  return sh;
}

// ---- the double-double cores ------------------------------------------------------------

/**
 * sin (cos when `cosine`) of dh + dl, 0 <= dh <= pi/2 + 1/128, |dl| tiny, into oh/ol with its
 * error bound in oerr.
 */
function core(dh: number, dl: number, cosine: boolean): void {
  const sHiT = table();
  const k = Math.round(dh * TABLE_STEP);
  const d = dh - k / TABLE_STEP; // exact
  const d2 = d * d;
  // sin(d) - d and cos(d) - 1, |d| <= 2^-7: the next terms are below 2^-100.
  const t = d * d2 * (-1 / 6 + d2 * (1 / 120 + d2 * (-1 / 5040 + d2 * (1 / 362880))));
  const c = d2 * (-0.5 + d2 * (1 / 24 + d2 * (-1 / 720 + d2 * (1 / 40320))));
  const sH = sHiT[k];
  const sL = SIN_LO[k];
  const cH = COS_HI[k];
  const cL = COS_LO[k];
  let sl: number;
  let small: number;
  if (!cosine) {
    // sin(K + d) = S (1 + c) + C (d + dl + t)
    twoProd(cH, d);
    const ph = oh;
    const pl = ol;
    twoSum(sH, ph);
    const h = oh;
    small = sH * c + cH * (dl + t);
    sl = ol + pl + sL + cL * d + small;
    twoSum(h, sl);
  } else {
    // cos(K + d) = C (1 + c) - S (d + dl + t)
    twoProd(sH, d);
    const ph = oh;
    const pl = ol;
    twoSum(cH, -ph);
    const h = oh;
    small = cH * c - sH * (dl + t);
    sl = ol - pl + cL - sL * d + small;
    twoSum(h, sl);
  }
  // Rounding errors of c (on the part multiplied by c) and t, of the sum, and the terms in dl
  // left out: d * dl in cos(d + dl), dl * c in sin(d + dl).
  const byC = cosine ? cH : sH;
  const byT = cosine ? sH : cH;
  oerr =
    (Math.abs(byC * c) +
      Math.abs(byT * t) +
      Math.abs(small) +
      Math.abs(sl) +
      Math.abs(byC * d * dl) +
      Math.abs(byT * dl * c)) *
      EPS_REL +
    EPS_ABS;
}

/**
 * Whether oh (the double nearest oh + ol) is the double nearest the true value, given that
 * the true value is within `err` of oh + ol: both ends of that interval must round to oh
 * (rounding is monotonic; the margin covers the rounding of ol +- err itself).
 */
function roundsSafely(err: number): boolean {
  const e = err * 1.001;
  return oh + (ol + e) === oh && oh + (ol - e) === oh;
}

/**
 * Reduce |x| in (pi/2, 3pi/2] to pi - |x| as a double-double (exact: Sterbenz), into oh/ol.
 */
function reduceByPi(a: number): void {
  twoSum(PI_HI - a, PI_LO);
}

/** sin or cos of a double-double in [0, pi/2], correctly rounded (slow path included). */
function evaluate(h: number, l: number, cosine: boolean): number {
  core(h, l, cosine);
  if (roundsSafely(oerr)) return oh;
  return fromFixed(sinFixed(toFixed(h) + toFixed(l), cosine));
}

export function sinCR(x: number): number {
  const a = Math.abs(x);
  if (!(a <= (3 * Math.PI) / 2)) return Math.sin(x);
  if (a < TINY) return x;
  let r: number;
  if (a <= PIO2_HI) r = evaluate(a, 0, false);
  else {
    // sin(a) = sin(pi - a), with pi - a possibly negative (a just above pi).
    reduceByPi(a);
    const h = oh;
    const l = ol;
    r = h < 0 ? -evaluate(-h, -l, false) : evaluate(h, l, false);
  }
  return x < 0 ? -r : r;
}

export function cosCR(x: number): number {
  const a = Math.abs(x);
  if (!(a <= (3 * Math.PI) / 2)) return Math.cos(x);
  if (a < COS_TINY) return 1; // 1 - a^2/2 is within half an ulp (2^-54) of 1
  if (a <= PIO2_HI) return evaluate(a, 0, true);
  // cos(a) = -cos(pi - a), and cos is even.
  reduceByPi(a);
  const h = oh;
  const l = ol;
  return h < 0 ? -evaluate(-h, -l, true) : -evaluate(h, l, true);
}

/** asin of sh + sl in [0, 0.5] as a double-double into oh/ol, error bound in oerr. */
function asinSmall(sh: number, sl: number): void {
  const z0 = Math.asin(sh);
  core(z0, 0, false);
  // Newton: z = z0 + (s - sin z0) / cos z0; s - sin z0 is exact to first order (Sterbenz).
  const r = sh - oh - ol + sl;
  const cz = Math.cos(z0);
  const errSin = oerr;
  twoSum(z0, r / cz);
  oerr = (errSin + Math.abs(r) * 2 ** -50) / cz + Math.abs(r * r) + EPS_ABS;
}

/** asin by BigInt Newton steps (the slow path): sin/cos at 200 bits from Math.asin's guess. */
function asinFixed(y: number): number {
  const yf = toFixed(y);
  let z = toFixed(Math.asin(y));
  for (let i = 0; i < 4; i++) {
    const s = sinFixed(z, false);
    const c = sinFixed(z, true);
    if (c === 0n) break;
    z += ((yf - s) << FIXED_BITS) / c;
  }
  return fromFixed(z);
}

export function asinCR(y: number): number {
  const a = Math.abs(y);
  if (!(a <= 1)) return Math.asin(y);
  if (a < TINY) return y;
  let r: number;
  if (a <= 0.5) {
    asinSmall(a, 0);
    r = roundsSafely(oerr) ? oh : asinFixed(a);
  } else {
    // asin(a) = pi/2 - 2 asin(s), s = sqrt((1 - a) / 2); 1 - a and the halving are exact.
    const w = (1 - a) / 2;
    if (w === 0) return y < 0 ? -PIO2_HI : PIO2_HI;
    const s = Math.sqrt(w);
    twoProd(s, s);
    const sl = (w - oh - ol) / (2 * s);
    asinSmall(s, sl);
    const zh = oh;
    const zl = ol;
    const zerr = oerr;
    twoSum(PIO2_HI, -2 * zh);
    const lo = ol + (PIO2_LO - 2 * zl);
    twoSum(oh, lo);
    r = roundsSafely(2 * zerr + Math.abs(lo) * 2 ** -52 + EPS_ABS) ? oh : asinFixed(a);
  }
  return y < 0 ? -r : r;
}
