/**
 * The hash behind Redis's HyperLogLog: MurmurHash64A (MurmurHash2, 64-bit, made endian-neutral
 * by Redis) with seed 0xadc83b19, and hllPatLen, which splits a hash into a register index (the
 * low 14 bits) and the length of the "000...1" run of the remaining bits.
 *
 * JavaScript has no fast 64-bit integers (BigInt allocates), so the 64-bit state is kept as two
 * unsigned 32-bit halves and multiplied with Math.imul plus a 16-bit split for the high word of
 * the low product. The results come back through module variables: the hot path (one call per
 * PFADD element) allocates nothing.
 */

/** m = 0xc6a4a7935bd1e995, as halves. */
const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const SEED = 0xadc83b19 | 0;

/** HLL_P: bits of the hash that index a register. */
export const HLL_P = 14;
export const HLL_REGISTERS = 1 << HLL_P;
const P_MASK = HLL_REGISTERS - 1;

// The last hash, as signed 32-bit halves: int32 values stay small integers in V8, where
// unsigned ones past 2^31 would be boxed on every store to these variables.
let hHi = 0;
let hLo = 0;

/** Register index of the last `patLen` call. */
export let patIndex = 0;

/**
 * High word of (hi, lo) * m modulo 2^64 (the low word is Math.imul(lo, M_LO)). The low words'
 * product needs all 64 bits: lo is split into 16-bit halves so that each partial product is
 * exact in a double.
 */
function mulHi(hi: number, lo: number): number {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const p00 = a0 * 0xe995; // M_LO & 0xffff
  const mid = a1 * 0xe995 + a0 * 0x5bd1 + (p00 >>> 16); // < 2^34
  const carry = (mid / 65536) | 0; // < 2^18: truncation is floor
  return (a1 * 0x5bd1 + carry + Math.imul(lo, M_HI) + Math.imul(hi, M_LO)) | 0;
}

/**
 * MurmurHash64A of `data[start, start + len)`, left in hHi/hLo. Reads the 8-byte blocks little
 * endian, as Redis does on every architecture.
 */
function murmur64a(data: Uint8Array, start: number, len: number, seed: number): void {
  // h = seed ^ (len * m): len is below 2^32, the seed has no high half.
  let hi = mulHi(0, len);
  let lo = Math.imul(len, M_LO) ^ seed;
  const blocksEnd = start + (len - (len & 7));
  let i = start;
  for (; i < blocksEnd; i += 8) {
    let kLo = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    let kHi = data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24);
    // k *= m; k ^= k >> 47; k *= m
    let t = mulHi(kHi, kLo);
    kLo = Math.imul(kLo, M_LO) ^ (t >>> 15);
    kHi = mulHi(t, kLo);
    kLo = Math.imul(kLo, M_LO);
    // h ^= k; h *= m
    hi ^= kHi;
    lo ^= kLo;
    t = mulHi(hi, lo);
    lo = Math.imul(lo, M_LO);
    hi = t;
  }
  const rest = len & 7;
  if (rest > 0) {
    // The tail bytes go to bits 0..55 of h, the first byte lowest.
    if (rest >= 7) hi ^= data[i + 6] << 16;
    if (rest >= 6) hi ^= data[i + 5] << 8;
    if (rest >= 5) hi ^= data[i + 4];
    if (rest >= 4) lo ^= data[i + 3] << 24;
    if (rest >= 3) lo ^= data[i + 2] << 16;
    if (rest >= 2) lo ^= data[i + 1] << 8;
    lo ^= data[i];
    const t = mulHi(hi, lo);
    lo = Math.imul(lo, M_LO);
    hi = t;
  }
  // h ^= h >> 47; h *= m; h ^= h >> 47
  lo ^= hi >>> 15;
  const t = mulHi(hi, lo);
  lo = Math.imul(lo, M_LO);
  hHi = t;
  hLo = lo ^ (t >>> 15);
}

/** MurmurHash64A with an explicit seed, as an unsigned bigint (tests and tools, not hot). */
export function murmurHash64A(data: Uint8Array, seed = SEED): bigint {
  murmur64a(data, 0, data.length, seed | 0);
  return (BigInt(hHi >>> 0) << 32n) | BigInt(hLo >>> 0);
}

/**
 * Redis's hllPatLen: the run length (1..51) of the pattern "000..1" in the hash bits above the
 * index, counting the final 1, with bit 50 forced on so that the run ends. The register index
 * is left in `patIndex`.
 */
export function patLen(data: Uint8Array, start = 0, len = data.length): number {
  murmur64a(data, start, len, SEED);
  patIndex = hLo & P_MASK;
  // After the shift by 14, the low word contributes bits 0..17 and the high word 18..49.
  const low = hLo >>> HLL_P;
  if (low !== 0) return 32 - Math.clz32(low & -low);
  if (hHi !== 0) return 32 - Math.clz32(hHi & -hHi) + 18;
  return 51;
}
