/**
 * Redis's CRC-64 (crc64.c): the Jones polynomial 0xad93d23594c935a9, reflected in and out
 * (table polynomial 0x95ac9329ac4bc9b5), initial value 0, no final xor. It checks DUMP
 * payloads, FUNCTION DUMP payloads and RDB files (the 8 bytes after EOF), always stored little
 * endian. `crc64(Buffer.from('123456789'))` is e9c6d914c4b8d9ca.
 *
 * The 64-bit state is kept as two unsigned 32-bit halves, so the table walk stays in small
 * integers (no BigInt per byte), and eight bytes are folded per step (slicing-by-8).
 */

/** Slicing-by-8 tables: T[k][n] is the CRC of byte n followed by k zero bytes, in halves. */
const SLICES = 8;
const HI: Uint32Array[] = [];
const LO: Uint32Array[] = [];
(() => {
  const polyHi = 0x95ac9329;
  const polyLo = 0xac4bc9b5;
  const hi0 = new Uint32Array(256);
  const lo0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let hi = 0;
    let lo = n;
    for (let k = 0; k < 8; k++) {
      const lsb = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (lsb) {
        hi = (hi ^ polyHi) >>> 0;
        lo = (lo ^ polyLo) >>> 0;
      }
    }
    hi0[n] = hi;
    lo0[n] = lo;
  }
  HI.push(hi0);
  LO.push(lo0);
  for (let k = 1; k < SLICES; k++) {
    const ph = HI[k - 1];
    const pl = LO[k - 1];
    const h = new Uint32Array(256);
    const l = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      // One more zero byte: shift the previous entry right by 8 and fold its low byte in.
      const idx = pl[n] & 0xff;
      l[n] = (((pl[n] >>> 8) | ((ph[n] & 0xff) << 24)) ^ lo0[idx]) >>> 0;
      h[n] = ((ph[n] >>> 8) ^ hi0[idx]) >>> 0;
    }
    HI.push(h);
    LO.push(l);
  }
})();
const [H0, H1, H2, H3, H4, H5, H6, H7] = HI;
const [L0, L1, L2, L3, L4, L5, L6, L7] = LO;

/** An incremental CRC-64: feed chunks with `update`, read the 8 bytes with `digest`. */
export class Crc64 {
  private hi = 0;
  private lo = 0;

  /** Continue from a previous value (Redis's crc64(crc, ...)), given as 8 little-endian bytes. */
  constructor(seed?: Uint8Array) {
    if (seed !== undefined) {
      if (seed.length !== 8) throw new RangeError('a CRC-64 seed is 8 bytes');
      const b = Buffer.from(seed.buffer, seed.byteOffset, 8);
      this.lo = b.readUInt32LE(0);
      this.hi = b.readUInt32LE(4);
    }
  }

  update(data: Uint8Array, start = 0, end = data.length): this {
    let hi = this.hi;
    let lo = this.lo;
    let i = start;
    // Eight bytes at a time (as Redis's crcspeed does), then byte by byte.
    for (; i + 8 <= end; i += 8) {
      const a = (lo ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24))) >>> 0;
      const b = (hi ^ (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24))) >>> 0;
      const a0 = a & 0xff;
      const a1 = (a >>> 8) & 0xff;
      const a2 = (a >>> 16) & 0xff;
      const a3 = a >>> 24;
      const b0 = b & 0xff;
      const b1 = (b >>> 8) & 0xff;
      const b2 = (b >>> 16) & 0xff;
      const b3 = b >>> 24;
      lo = (L7[a0] ^ L6[a1] ^ L5[a2] ^ L4[a3] ^ L3[b0] ^ L2[b1] ^ L1[b2] ^ L0[b3]) >>> 0;
      hi = (H7[a0] ^ H6[a1] ^ H5[a2] ^ H4[a3] ^ H3[b0] ^ H2[b1] ^ H1[b2] ^ H0[b3]) >>> 0;
    }
    for (; i < end; i++) {
      const idx = (lo ^ data[i]) & 0xff;
      lo = (((lo >>> 8) | ((hi & 0xff) << 24)) ^ L0[idx]) >>> 0;
      hi = ((hi >>> 8) ^ H0[idx]) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  /** The CRC so far, 8 bytes little endian (as Redis stores it). Does not reset. */
  digest(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32LE(this.lo, 0);
    out.writeUInt32LE(this.hi, 4);
    return out;
  }

  /** The CRC so far as an unsigned 64-bit integer. */
  value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

/** Redis's crc64(seed, data): 8 bytes, little endian. `seed` is a previous result (default 0). */
export function crc64(data: Uint8Array, seed?: Uint8Array): Buffer {
  return new Crc64(seed).update(data).digest();
}
