/**
 * The off-heap entry layout and the arena's size classes. Everything here is a number: the
 * keyspace reads and writes entries through fixed typed-array views of each arena chunk.
 *
 * A reference (`ref`) names an 8-byte-aligned block: chunk id in the high bits, offset in
 * 8-byte units in the low OFFSET_BITS. Ref 0 is NIL (chunk 0 never hands out offset 0).
 *
 * Live entry (little endian, u32 words from the block start):
 *   w0  next      next entry in the same hash bucket (NIL ends the chain)
 *   w1  meta      flags (bits 24-31) | access clock (0-23), as Redis's 24-bit `lru` field:
 *                 LRU policies: Unix seconds mod 2^24; LFU policies: decay time in minutes
 *                 mod 2^16 (bits 8-23) | logarithmic counter (0-7)
 *   w2  lens      inline: stored key length (bits 0-15) | stored value length (16-31); external: 0
 *   [TTL slot, when F_TTL]  w3, w4: expireAt (Unix ms, 0 = none) as low and high 32 bits;
 *                           w5: index of the entry in its database's TTL set
 *   then inline: key bytes (F_PREFIX: u16 prefix id, then the bytes after the prefix), value
 *   bytes; external: u32 id of an out-of-arena Buffer [key][value]
 *
 * Free block (at least 16 bytes): w0 next free, w1 flags (F_FREE [| F_LINKED]), w2 previous
 * free, w3 size in bytes.
 */

/** Offsets are counted in 8-byte units: every block is 8-byte aligned. */
export const UNIT_SHIFT = 3;
export const OFFSET_BITS = 21;
export const OFFSET_MASK = (1 << OFFSET_BITS) - 1;
/**
 * Largest chunk: 2^21 units of 8 bytes. Chunks stay modest so that the bytes allocated but
 * not yet used (the tail chunk's rest) stay small, and a chunk is a cheap unit to evacuate.
 */
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
/** The first chunk; later chunks double up to MAX_CHUNK_BYTES. */
export const MIN_CHUNK_BYTES = 1024 * 1024;
/** 32 - OFFSET_BITS bits of chunk id: 2048 chunks of 16 MiB = 32 GiB of arena. */
export const MAX_CHUNKS = 1 << (32 - OFFSET_BITS);
export const NIL = 0;

export const W_NEXT = 0;
export const W_META = 1;
export const W_LENS = 2;
/** Free blocks reuse the first words: previous-free pointer and block size. */
export const W_PREV_FREE = 2;
export const W_FREE_SIZE = 3;
/** Expiry (low, high 32 bits) and TTL set index, inside the TTL slot. */
export const W_EXPIRE_LO = 3;
export const W_EXPIRE_HI = 4;
export const W_TTL_INDEX = 5;

export const HEADER_BYTES = 12;
export const TTL_SLOT_BYTES = 12;
/** 24 bits of access clock in the meta word. */
export const CLOCK_MASK = 0xffffff;
/** 2^32, to split an expiry time into two words. */
export const TWO_POW_32 = 0x100000000;

/** The entry has a TTL slot (expireAt may still be 0 after PERSIST). */
export const F_TTL = 1;
/** The stored value is LZ4-compressed (lz4-napi block format, size prepended). */
export const F_COMPRESSED = 2;
/** Key and value live in an external Buffer; the block holds its id. */
export const F_EXTERNAL = 4;
/** The key area holds a u16 prefix id (prefixes.ts), then the key's remaining bytes. */
export const F_PREFIX = 32;
/** Bytes of the prefix id at the start of a prefixed entry's key area. */
export const PREFIX_ID_BYTES = 2;
/** The value is a u32 id into the collection table (objects.ts). Live entries only. */
export const F_OBJECT = 64;
/**
 * A live string in Redis's `raw` encoding whatever its length (OBJECT ENCODING): written in
 * place by APPEND, SETRANGE, SETBIT or BITFIELD, as Redis unshares such a value into a raw sds.
 */
export const F_RAW = 128;
/** A free block. */
export const F_FREE = 8;
/** A free block that is on its size class's free list. */
export const F_LINKED = 16;

/** Largest block kept in the arena; bigger entries go external. Both lengths then fit 16 bits. */
export const MAX_INLINE_BLOCK_BYTES = 64 * 1024;
/** Size classes are multiples of 8 bytes up to here, then four classes per power of two. */
const SMALL_CLASS_LIMIT_BYTES = 1024;
const SMALL_CLASSES = SMALL_CLASS_LIMIT_BYTES >>> UNIT_SHIFT;
export const NUM_CLASSES = SMALL_CLASSES + 1 + 4 * 6;

/** The block size (a size class) that holds `n` bytes. */
export function sizeClass(n: number): number {
  if (n <= SMALL_CLASS_LIMIT_BYTES) return (n + 7) & ~7;
  const k = 31 - Math.clz32(n - 1);
  const step = 1 << (k - 2);
  return Math.ceil(n / step) * step;
}

/** Free-list index of a block size returned by `sizeClass`. */
export function classIndex(size: number): number {
  if (size <= SMALL_CLASS_LIMIT_BYTES) return size >>> UNIT_SHIFT;
  const k = 31 - Math.clz32(size - 1);
  const step = 1 << (k - 2);
  return SMALL_CLASSES + 1 + (k - 10) * 4 + (size / step - 5);
}

export function refChunk(ref: number): number {
  return ref >>> OFFSET_BITS;
}

/** Byte offset of a block inside its chunk. */
export function refOffset(ref: number): number {
  return (ref & OFFSET_MASK) << UNIT_SHIFT;
}

export function makeRef(chunk: number, byteOffset: number): number {
  return ((chunk << OFFSET_BITS) | (byteOffset >>> UNIT_SHIFT)) >>> 0;
}

/** Bytes of header (with TTL slot when `ttl`) before the key. */
export function headerBytes(ttl: boolean): number {
  return ttl ? HEADER_BYTES + TTL_SLOT_BYTES : HEADER_BYTES;
}

/** Block size for an entry; `external` when it does not fit inline. */
export function entryBytes(keyLen: number, storedLen: number, ttl: boolean): number {
  const raw = headerBytes(ttl) + keyLen + storedLen;
  return raw <= MAX_INLINE_BLOCK_BYTES ? sizeClass(raw) : sizeClass(headerBytes(ttl) + 4);
}

export function isInline(keyLen: number, storedLen: number, ttl: boolean): boolean {
  return headerBytes(ttl) + keyLen + storedLen <= MAX_INLINE_BLOCK_BYTES;
}
