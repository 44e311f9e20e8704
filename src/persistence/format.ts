/**
 * The Cairn snapshot file format, version 1. Everything is little endian.
 *
 *   preamble   8-byte magic "\x89CAIRN\r\n" + u32 format version (12 bytes). The magic's high
 *              byte and CR LF catch files mangled by text-mode transfers, as PNG's does.
 *   blocks     [u8 type][u8 flags][u32 payload length][u32 CRC-32 of those 6 bytes]
 *              [payload][u32 CRC-32 of the payload]
 *              The header CRC lets a reader reject a damaged length before trusting it.
 *              Flags: bit 0 (KEYS blocks only) = the payload is LZ4-compressed (lz4-napi block
 *              format: u32 uncompressed size, then the LZ4 block); the CRC covers the stored
 *              bytes. Other bits must be 0.
 *     HEADER   (once, first) JSON: format, createdAt (Unix ms of the snapshot instant),
 *              databases, engine, keysAtStart (a hint for progress), cairnVersion,
 *              keysPerDb ([db, keys] pairs at the start, to size indexes; optional)
 *     KEYS     (0..n) records, each whole inside one block:
 *              varint db, u8 record flags (bit 0: has expiry; others must be 0),
 *              [f64 expireAt, Unix ms, when bit 0], varint key length, varint value length,
 *              key bytes, value bytes
 *     END      (once, last) JSON: records, blocks (KEYS blocks), bytes (file offset of the END
 *              block), crc32 (CRC-32 of every byte before the END block)
 *   Nothing may follow the END block.
 *
 * A key normally appears once. A key changed while the snapshot ran, after the iteration had
 * passed it, appears twice with identical bytes; readers keep the last record.
 */

export const MAGIC = Buffer.from([0x89, 0x43, 0x41, 0x49, 0x52, 0x4e, 0x0d, 0x0a]);
/** 2: records may carry a value type (RECORD_TYPED). Version 1 files still load. */
export const FORMAT_VERSION = 2;
export const PREAMBLE_BYTES = MAGIC.length + 4;

export const BLOCK_HEADER_BYTES = 10;
export const BLOCK_TRAILER_BYTES = 4;
/** KEYS blocks are closed once their payload reaches this size (a bigger record gets its own). */
export const BLOCK_TARGET_BYTES = 64 * 1024;
/** HEADER and END payloads are small JSON documents; anything bigger is corruption. */
export const MAX_META_BLOCK_BYTES = 64 * 1024;

export const BlockType = { HEADER: 1, KEYS: 2, END: 3, FUNCTIONS: 4 } as const;
/**
 * FUNCTIONS (at most once, right after HEADER, only when libraries exist): the function
 * libraries as a FUNCTION DUMP payload (src/scripting/dump.ts). Bounded separately from the
 * JSON blocks.
 */
export const MAX_FUNCTIONS_BLOCK_BYTES = 64 * 1024 * 1024;
export type BlockTypeCode = (typeof BlockType)[keyof typeof BlockType];

export const RECORD_HAS_EXPIRY = 1;
/**
 * The flags byte is followed by a type code byte (values/collection.ts TYPE_CODES) and the
 * value bytes are that type's serialized form; without it the value is a string.
 */
export const RECORD_TYPED = 2;
/** Block flag: the payload is LZ4-compressed. */
export const BLOCK_LZ4 = 1;

export interface SnapshotHeader {
  format: number;
  /** Unix ms of the instant the snapshot shows. */
  createdAt: number;
  databases: number;
  engine: string;
  /** Keys counted when the snapshot started (including some that may be expired): a hint. */
  keysAtStart: number;
  /**
   * [database, keys] for the non-empty databases (the first 256) when the snapshot started:
   * loaders size their indexes with it. Absent in snapshots written before it existed.
   */
  keysPerDb?: [number, number][];
  cairnVersion: string;
}

export interface SnapshotTrailer {
  records: number;
  blocks: number;
  /** File offset of the END block. */
  bytes: number;
  crc32: number;
}

export type SnapshotProblem = 'corrupt' | 'truncated' | 'newer-format' | 'not-a-snapshot' | 'incompatible';

/** A snapshot that cannot be used, with the name of the file (or store object) and the problem. */
export class SnapshotError extends Error {
  constructor(
    readonly source: string,
    readonly problem: SnapshotProblem,
    detail: string,
  ) {
    super(`snapshot ${source}: ${problem}: ${detail}`);
    this.name = 'SnapshotError';
  }
}
