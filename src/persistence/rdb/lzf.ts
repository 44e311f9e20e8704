/**
 * LZF, as liblzf 3.6 in Redis 7.0 (lzf_c.c, lzf_d.c) is built there: HLOG 16, VERY_FAST on,
 * ULTRA_FAST off, CHECK_INPUT on. The compressor follows lzf_compress step by step (hash,
 * match extension, the VERY_FAST re-hash after a match, the output bound tests), so its output
 * is Redis's byte for byte and it gives up exactly where Redis does. One difference: Redis
 * leaves its hash table uninitialised (INIT_HTAB 0), so a stale slot can, rarely, offer a
 * match the clean table here does not; the output is equivalent, not always identical.
 *
 * Format: 000LLLLL + L+1 literal bytes; LLLooooo oooooooo (back reference of L+2 bytes, offset
 * o+1); 111ooooo LLLLLLLL oooooooo (back reference of L+9 bytes).
 */
import { RdbFormatError } from './constants.js';

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

let htab = new Int32Array(HSIZE);

/** VERY_FAST's IDX: ((h >> (24 - HLOG)) - h * 5) & (HSIZE - 1), in 32-bit unsigned arithmetic. */
function idx(h: number): number {
  return ((h >>> (24 - HLOG)) - h * 5) & (HSIZE - 1);
}

/**
 * lzf_compress(src, src.length, out, outLimit): the compressed bytes, or null when they would
 * not fit in `outLimit` bytes. The default limit is Redis's for RDB strings (rdbSaveLzfStringObject:
 * at least 4 bytes saved, so null for inputs of 4 bytes or less); quicklist nodes use the
 * input's length.
 */
export function lzfCompress(src: Uint8Array, outLimit = src.length - 4): Buffer | null {
  const inLen = src.length;
  if (inLen === 0 || outLimit <= 0) return null;
  // Slots hold input positions; 0 doubles as "empty" since lzf never refers to position 0.
  if (htab.length !== HSIZE) htab = new Int32Array(HSIZE);
  else htab.fill(0);
  const out = Buffer.allocUnsafe(outLimit + 4);
  const outEnd = outLimit;
  let ip = 0;
  let op = 1; // the run header of the first literal run is at 0
  let lit = 0;
  let hval = ((src[0] << 8) | (src[1] ?? 0)) >>> 0;
  while (ip < inLen - 2) {
    hval = ((hval << 8) | src[ip + 2]) >>> 0;
    const slot = idx(hval);
    const ref = htab[slot];
    htab[slot] = ip;
    const off = ip - ref - 1;
    if (
      ref > 0 &&
      off < MAX_OFF &&
      src[ref + 2] === src[ip + 2] &&
      src[ref] === src[ip] &&
      src[ref + 1] === src[ip + 1]
    ) {
      let len = 2;
      let maxlen = inLen - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      out[op - lit - 1] = (lit - 1) & 0xff; // stop the literal run
      if (lit === 0) op--; // no literals: drop the empty run's header
      len = matchLength(src, ref, ip, len, maxlen);
      len -= 2;
      ip++;
      if (len < 7) out[op++] = (off >> 8) + (len << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start a run
      ip += len + 1;
      if (ip >= inLen - 2) break;
      // VERY_FAST: hash the two positions before the new one.
      ip -= 2;
      hval = ((src[ip] << 8) | src[ip + 1]) >>> 0;
      hval = ((hval << 8) | src[ip + 2]) >>> 0;
      htab[idx(hval)] = ip;
      ip++;
      hval = ((hval << 8) | src[ip + 2]) >>> 0;
      htab[idx(hval)] = ip;
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = src[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return null;
  while (ip < inLen) {
    lit++;
    out[op++] = src[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = (lit - 1) & 0xff;
  if (lit === 0) op--;
  return Buffer.from(out.subarray(0, op));
}

/**
 * lzf_compress's match extension: 16 unrolled comparisons while more than 16 bytes may match,
 * then one at a time up to `maxlen`. Returns the number of matching bytes (it can pass maxlen
 * by the unrolled step, as in C; the bytes compared always exist).
 */
function matchLength(src: Uint8Array, ref: number, ip: number, len: number, maxlen: number): number {
  if (maxlen > 16) {
    for (let k = 0; k < 16; k++) {
      len++;
      if (src[ref + len] !== src[ip + len]) return len;
    }
  }
  do len++;
  while (len < maxlen && src[ref + len] === src[ip + len]);
  return len;
}

/**
 * lzf_decompress into exactly `outLen` bytes; RdbFormatError when the input is malformed or
 * does not produce exactly that many bytes (Redis's "Invalid LZF compressed string").
 */
export function lzfDecompress(src: Uint8Array, outLen: number): Buffer {
  const out = Buffer.alloc(outLen);
  const inEnd = src.length;
  let ip = 0;
  let op = 0;
  while (ip < inEnd) {
    let ctrl = src[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLen || ip + ctrl > inEnd) throw new RdbFormatError('invalid LZF data');
      out.set(src.subarray(ip, ip + ctrl), op);
      op += ctrl;
      ip += ctrl;
      continue;
    }
    let len = ctrl >> 5;
    let ref = op - ((ctrl & 0x1f) << 8) - 1;
    if (ip >= inEnd) throw new RdbFormatError('invalid LZF data');
    if (len === 7) {
      len += src[ip++];
      if (ip >= inEnd) throw new RdbFormatError('invalid LZF data');
    }
    ref -= src[ip++];
    len += 2;
    if (op + len > outLen || ref < 0) throw new RdbFormatError('invalid LZF data');
    for (; len > 0; len--) out[op++] = out[ref++];
  }
  if (op !== outLen) throw new RdbFormatError('invalid LZF data');
  return out;
}
