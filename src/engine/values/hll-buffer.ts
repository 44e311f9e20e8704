/**
 * The byte layout of Redis's HyperLogLog values (see hll.ts), the buffer a command works in,
 * and the dense registers' 6-bit packing.
 */
import { HLL_REGISTERS } from './hll-hash.js';

export { HLL_REGISTERS };
export const HLL_HDR_SIZE = 16;
/** Bits per dense register, and its largest value. */
const HLL_BITS = 6;
export const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
/** 12304 bytes: the header and 16384 6-bit registers. */
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * HLL_BITS + 7) >> 3);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
/** Offset of the byte holding the cache's validity bit (card[7]). */
const CARD_TOP = 15;

/** A value being read or changed; `bytes[0, len)` is the representation. */
export class HllBuffer {
  bytes: Uint8Array = EMPTY;
  len = 0;
  /** False while `bytes` is the engine's (read only). */
  owned = false;
  private scratch: Buffer = Buffer.alloc(HLL_DENSE_SIZE + 8);

  /** Work on `value` (not copied until `own`). */
  load(value: Uint8Array): this {
    this.bytes = value;
    this.len = value.length;
    this.owned = false;
    return this;
  }

  /** Make `bytes` writable with room for `extra` more bytes past `len` (plus a terminator). */
  own(extra = 0): void {
    const need = this.len + extra + 1;
    if (this.owned && this.bytes.length >= need) return;
    if (this.scratch.length < need) {
      const bigger = Buffer.alloc(Math.max(need, this.scratch.length * 2));
      if (this.owned) bigger.set(this.bytes.subarray(0, this.len));
      this.scratch = bigger;
    }
    if (!this.owned) this.scratch.set(this.bytes.subarray(0, this.len));
    this.bytes = this.scratch;
    this.scratch[this.len] = 0;
    this.owned = true;
  }

  /** Replace the whole representation with a copy of `src[0, len)`. */
  replace(src: Uint8Array, len: number): void {
    if (this.scratch.length < len + 4) this.scratch = Buffer.alloc(len + 4);
    this.scratch.set(src.subarray(0, len));
    this.bytes = this.scratch;
    this.owned = true;
    this.setLen(len);
  }

  /** Resize to `len` bytes (owned), keeping the terminator byte zero, as sdsIncrLen does. */
  setLen(len: number): void {
    this.len = len;
    this.bytes[len] = 0;
  }

  /** A fresh empty sparse HLL (createHLLObject): one XZERO opcode covering every register. */
  reset(): this {
    this.owned = false;
    this.len = 0;
    this.own(HLL_HDR_SIZE + 2);
    const b = this.bytes;
    b.fill(0, 0, HLL_HDR_SIZE + 3);
    b[0] = 0x48; // H
    b[1] = 0x59; // Y
    b[2] = 0x4c; // L
    b[3] = 0x4c; // L
    b[4] = HLL_SPARSE;
    b[HLL_HDR_SIZE] = 0x40 | ((HLL_REGISTERS - 1) >> 8);
    b[HLL_HDR_SIZE + 1] = (HLL_REGISTERS - 1) & 0xff;
    this.len = HLL_HDR_SIZE + 2;
    return this;
  }

  /** The representation as a Buffer view (the engine copies what it stores). */
  view(): Buffer {
    const b = this.bytes;
    return Buffer.from(b.buffer, b.byteOffset, this.len);
  }

  get encoding(): number {
    return this.bytes[4];
  }

  invalidateCache(): void {
    this.own();
    this.bytes[CARD_TOP] |= 0x80;
  }

  cacheValid(): boolean {
    return (this.bytes[CARD_TOP] & 0x80) === 0;
  }
}

const EMPTY = new Uint8Array(0);

/**
 * Redis's isHLLObjectOrReply, past the type check: at least a header, the "HYLL" magic, a known
 * encoding, and the exact length for a dense value.
 */
export function isHll(v: Uint8Array): boolean {
  if (v.length < HLL_HDR_SIZE) return false;
  if (v[0] !== 0x48 || v[1] !== 0x59 || v[2] !== 0x4c || v[3] !== 0x4c) return false;
  if (v[4] > HLL_SPARSE) return false;
  return v[4] !== HLL_DENSE || v.length === HLL_DENSE_SIZE;
}

// ---- dense registers -------------------------------------------------------------------

/** Register `i` of dense registers starting at `at` (HLL_DENSE_GET_REGISTER). */
export function denseGet(b: Uint8Array, at: number, i: number): number {
  const bit = i * HLL_BITS;
  const byte = at + (bit >>> 3);
  const fb = bit & 7;
  return ((b[byte] >>> fb) | (b[byte + 1] << (8 - fb))) & HLL_REGISTER_MAX;
}

/** HLL_DENSE_SET_REGISTER (the caller owns `b`). */
export function denseSetRaw(b: Uint8Array, at: number, i: number, v: number): void {
  const bit = i * HLL_BITS;
  const byte = at + (bit >>> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  b[byte] = (b[byte] & ~(HLL_REGISTER_MAX << fb)) | (v << fb);
  b[byte + 1] = (b[byte + 1] & ~(HLL_REGISTER_MAX >>> fb8)) | (v >>> fb8);
}

/** hllDenseSet: raise register `index` to `count`; 1 when it changed, else 0. */
export function hllDenseSet(h: HllBuffer, index: number, count: number): number {
  if (count <= denseGet(h.bytes, HLL_HDR_SIZE, index)) return 0;
  h.own();
  denseSetRaw(h.bytes, HLL_HDR_SIZE, index, count);
  return 1;
}
