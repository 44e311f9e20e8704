/**
 * Redis 7.0's RDB format numbers (rdb.h): value type codes, file opcodes, length and string
 * encodings. RDB version 10 is what Redis 7.0 writes (files, DUMP payloads, FUNCTION DUMP)
 * and the highest it reads.
 */

export const RDB_VERSION = 10;

/** Value type codes: the byte before a value (in a file after the key's opcodes; first in DUMP). */
export const RdbType = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  /** Sorted set with binary (IEEE 754) scores. */
  ZSET_2: 5,
  MODULE: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
} as const;

export type RdbTypeCode = (typeof RdbType)[keyof typeof RdbType];

/** Redis's rdbIsObjectType: 0..7 and 9..19 (8 was never used). */
export function isObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 19);
}

/** Opcodes of the file format, in the type byte's place. */
export const RdbOpcode = {
  /** Function library (7.0 GA). */
  FUNCTION2: 245,
  /** Function library of 7.0 release candidates (not readable any more by 7.0 GA). */
  FUNCTION: 246,
  MODULE_AUX: 247,
  /** LRU idle time of the next key, seconds (a length). */
  IDLE: 248,
  /** LFU counter of the next key (one byte). */
  FREQ: 249,
  /** Auxiliary field: two strings. */
  AUX: 250,
  /** Hash table size hints: two lengths. */
  RESIZEDB: 251,
  /** Expiry of the next key, Unix ms, 8 bytes little endian. */
  EXPIRETIME_MS: 252,
  /** Expiry of the next key, Unix seconds, 4 bytes (old files). */
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/** The top two bits of a length's first byte. */
export const RDB_6BITLEN = 0;
export const RDB_14BITLEN = 1;
/** A whole first byte: a 32-bit / 64-bit big-endian length follows. */
export const RDB_32BITLEN = 0x80;
export const RDB_64BITLEN = 0x81;
/** Top bits 11: not a length but a special string encoding (RDB_ENC_*) in the low 6 bits. */
export const RDB_ENCVAL = 3;

export const RDB_ENC_INT8 = 0;
export const RDB_ENC_INT16 = 1;
export const RDB_ENC_INT32 = 2;
export const RDB_ENC_LZF = 3;

/** Module value opcodes (a module value is a sequence of these, ended by EOF). */
export const RDB_MODULE_OPCODE_EOF = 0;

/** Quicklist node containers in LIST_QUICKLIST_2. */
export const QUICKLIST_NODE_CONTAINER_PLAIN = 1;
export const QUICKLIST_NODE_CONTAINER_PACKED = 2;

/** Thrown for any malformed RDB data; callers map it to their error (RESTORE: "Bad data format"). */
export class RdbFormatError extends Error {
  override name = 'RdbFormatError';
}
