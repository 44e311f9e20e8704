/**
 * LZ4 block compression into a caller's buffer, for snapshot KEYS blocks. The output is the
 * format lz4-napi reads (`uncompressSync`): the uncompressed size as a u32 LE, then one LZ4
 * block. lz4-napi's own `compress` hands back a new native buffer per call, allocated by the
 * allocator it bundles and freed only when V8 collects the Buffer; a snapshot made a dataset's
 * worth of them every time, and that allocator kept the pages resident
 * (docs/memory-under-load.md). This writes into buffers the snapshot reuses instead.
 *
 * The algorithm is LZ4's greedy "fast" one (hash of the next 4 bytes, the last position seen
 * for it, skipping ahead faster through data that does not match), with the block format's
 * end rules: the last 5 bytes are literals and no match starts within the last 12.
 */

const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const MAX_OFFSET = 65_535;
const HASH_LOG = 16;
/** Failed probes before the step grows (LZ4's skip trigger). */
const SKIP_TRIGGER = 6;
const SIZE_PREFIX_BYTES = 4;
/** Positions are stored offset by a base that grows per call, so the table is never cleared. */
const BASE_RESET = 2 ** 30;

const table = new Int32Array(1 << HASH_LOG);
let base = 1;

/** Bytes `compressBlockInto` may need for `n` input bytes (size prefix included). */
export function lz4Bound(n: number): number {
  return SIZE_PREFIX_BYTES + n + Math.floor(n / 255) + 16;
}

function read32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

function hash(v: number): number {
  return Math.imul(v, 2654435761) >>> (32 - HASH_LOG);
}

/** A length beyond a token's 4 bits: 255s, then the rest. */
function writeLength(dst: Uint8Array, op: number, n: number): number {
  while (n >= 255) {
    dst[op++] = 255;
    n -= 255;
  }
  dst[op++] = n;
  return op;
}

function literals(
  src: Buffer,
  from: number,
  to: number,
  dst: Buffer,
  op: number,
  matchNibble: number,
): number {
  const n = to - from;
  const t = op++;
  if (n >= 15) {
    dst[t] = 0xf0 | matchNibble;
    op = writeLength(dst, op, n - 15);
  } else dst[t] = (n << 4) | matchNibble;
  return op + src.copy(dst, op, from, to);
}

/**
 * Compress `src` into `dst` (at least `lz4Bound(src.length)` bytes) as size prefix + LZ4 block;
 * returns the bytes written.
 */
export function compressBlockInto(src: Buffer, dst: Buffer): number {
  const n = src.length;
  if (dst.length < lz4Bound(n)) throw new RangeError('LZ4 output buffer too small');
  dst.writeUInt32LE(n, 0);
  let op = SIZE_PREFIX_BYTES;
  if (base + n + 1 >= BASE_RESET) {
    table.fill(0);
    base = 1;
  }
  const b = base;
  base += n + 1;
  let anchor = 0;
  if (n >= MF_LIMIT + 1) {
    const mfLimit = n - MF_LIMIT;
    const matchLimit = n - LAST_LITERALS;
    table[hash(read32(src, 0))] = b;
    let ip = 1;
    outer: for (;;) {
      let ref = -1;
      let probes = 1 << SKIP_TRIGGER;
      let step = 1;
      for (;;) {
        if (ip > mfLimit) break outer;
        const v = read32(src, ip);
        const h = hash(v);
        ref = table[h] - b;
        table[h] = ip + b;
        if (ref >= 0 && ip - ref <= MAX_OFFSET && read32(src, ref) === v) break;
        ip += step;
        step = probes++ >>> SKIP_TRIGGER;
      }
      while (ip > anchor && ref > 0 && src[ip - 1] === src[ref - 1]) {
        ip--;
        ref--;
      }
      let len = MIN_MATCH;
      while (ip + len < matchLimit && src[ip + len] === src[ref + len]) len++;
      const ml = len - MIN_MATCH;
      op = literals(src, anchor, ip, dst, op, Math.min(ml, 15));
      const offset = ip - ref;
      dst[op++] = offset & 0xff;
      dst[op++] = offset >>> 8;
      if (ml >= 15) op = writeLength(dst, op, ml - 15);
      ip += len;
      anchor = ip;
      if (ip > mfLimit) break;
      table[hash(read32(src, ip - 2))] = ip - 2 + b;
    }
  }
  return literals(src, anchor, n, dst, op, 0);
}
