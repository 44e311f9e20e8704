/**
 * Writes the snapshot format (format.ts) as a sequence of Buffers, one per block, so a snapshot
 * is streamed to its store and never built whole in memory. The encoder is synchronous and
 * keeps only the block being filled.
 */
import { crc32 } from 'node:zlib';
import {
  BLOCK_HEADER_BYTES,
  BLOCK_TARGET_BYTES,
  BLOCK_TRAILER_BYTES,
  BlockType,
  type BlockTypeCode,
  FORMAT_VERSION,
  MAGIC,
  PREAMBLE_BYTES,
  RECORD_HAS_EXPIRY,
  type SnapshotHeader,
  type SnapshotTrailer,
} from './format.js';

/** Largest encoded size of a record's fixed part: db varint, flags, expiry, two length varints. */
const RECORD_FIXED_MAX_BYTES = 5 + 1 + 8 + 5 + 5;

/** Frame `payload` (already written at `buf[BLOCK_HEADER_BYTES..]`) as a block in place. */
function frame(buf: Buffer, type: BlockTypeCode, payloadLen: number): Buffer {
  buf[0] = type;
  buf[1] = 0;
  buf.writeUInt32LE(payloadLen, 2);
  buf.writeUInt32LE(crc32(buf.subarray(0, 6)), 6);
  const end = BLOCK_HEADER_BYTES + payloadLen;
  buf.writeUInt32LE(crc32(buf.subarray(BLOCK_HEADER_BYTES, end)), end);
  return buf.subarray(0, end + BLOCK_TRAILER_BYTES);
}

function jsonBlock(type: BlockTypeCode, doc: object): Buffer {
  const payload = Buffer.from(JSON.stringify(doc), 'utf8');
  const buf = Buffer.allocUnsafe(BLOCK_HEADER_BYTES + payload.length + BLOCK_TRAILER_BYTES);
  payload.copy(buf, BLOCK_HEADER_BYTES);
  return frame(buf, type, payload.length);
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[pos++] = n;
  return pos;
}

export class SnapshotEncoder {
  private buf: Buffer;
  /** Write position inside `buf` (payload starts at BLOCK_HEADER_BYTES). */
  private pos = BLOCK_HEADER_BYTES;
  private offset = 0;
  private crc = 0;
  private records = 0;
  private blocks = 0;
  private readonly out: Buffer[] = [];

  constructor(header: Omit<SnapshotHeader, 'format'>) {
    this.buf = this.newBlockBuffer(BLOCK_TARGET_BYTES);
    const pre = Buffer.allocUnsafe(PREAMBLE_BYTES);
    MAGIC.copy(pre, 0);
    pre.writeUInt32LE(FORMAT_VERSION, MAGIC.length);
    this.push(pre);
    this.push(jsonBlock(BlockType.HEADER, { format: FORMAT_VERSION, ...header }));
  }

  private newBlockBuffer(payloadCapacity: number): Buffer {
    return Buffer.allocUnsafe(BLOCK_HEADER_BYTES + payloadCapacity + BLOCK_TRAILER_BYTES);
  }

  private push(b: Buffer): void {
    this.crc = crc32(b, this.crc);
    this.offset += b.length;
    this.out.push(b);
  }

  /** Add one key (a string key is latin1: one char per byte). `expireAt` 0 means none. */
  add(db: number, key: Buffer | string, value: Buffer, expireAt: number): void {
    const need = RECORD_FIXED_MAX_BYTES + key.length + value.length;
    const capacity = this.buf.length - BLOCK_HEADER_BYTES - BLOCK_TRAILER_BYTES;
    if (this.pos - BLOCK_HEADER_BYTES + need > capacity) {
      this.flushBlock();
      if (need > capacity) this.buf = this.newBlockBuffer(need);
    }
    const b = this.buf;
    let p = writeVarint(b, this.pos, db);
    if (expireAt !== 0) {
      b[p++] = RECORD_HAS_EXPIRY;
      b.writeDoubleLE(expireAt, p);
      p += 8;
    } else {
      b[p++] = 0;
    }
    p = writeVarint(b, p, key.length);
    p = writeVarint(b, p, value.length);
    p += typeof key === 'string' ? b.write(key, p, 'latin1') : key.copy(b, p);
    p += value.copy(b, p);
    this.pos = p;
    this.records++;
    if (p - BLOCK_HEADER_BYTES >= BLOCK_TARGET_BYTES) this.flushBlock();
  }

  /** Close the current KEYS block (if it holds anything) so `take()` returns it. */
  flushBlock(): void {
    const len = this.pos - BLOCK_HEADER_BYTES;
    if (len === 0) return;
    this.push(frame(this.buf, BlockType.KEYS, len));
    this.blocks++;
    this.buf = this.newBlockBuffer(BLOCK_TARGET_BYTES);
    this.pos = BLOCK_HEADER_BYTES;
  }

  /** Completed blocks since the last call, in file order. */
  take(): Buffer[] {
    return this.out.splice(0, this.out.length);
  }

  /** Bytes in completed blocks not taken yet. */
  pendingBytes(): number {
    let n = 0;
    for (const b of this.out) n += b.length;
    return n;
  }

  get recordCount(): number {
    return this.records;
  }

  /** Close the last KEYS block and append the END block. */
  finish(): SnapshotTrailer {
    this.flushBlock();
    const trailer: SnapshotTrailer = {
      records: this.records,
      blocks: this.blocks,
      bytes: this.offset,
      crc32: this.crc >>> 0,
    };
    const end = jsonBlock(BlockType.END, trailer);
    this.offset += end.length;
    this.out.push(end);
    return trailer;
  }

  /** Total bytes produced so far (after `finish`, the file size). */
  get size(): number {
    return this.offset;
  }
}
