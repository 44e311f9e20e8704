/**
 * Writes the snapshot format (format.ts) as a stream of Buffers, one per block, so a snapshot
 * never sits whole in memory. Two parts:
 * - `RecordWriter` packs records into KEYS payloads of about BLOCK_TARGET_BYTES;
 * - `Framer` turns payloads into checksummed blocks, in file order, and keeps what the END
 *   block needs (offset, whole-file CRC, block count).
 * Between the two a payload may be compressed (captureStream does it, lz4-block.ts).
 * `SnapshotEncoder` puts them together synchronously, without compression.
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
  RECORD_TYPED,
  type SnapshotHeader,
  type SnapshotTrailer,
} from './format.js';

const EMPTY = Buffer.alloc(0);

/** Largest encoded size of a record's fixed part: db varint, flags, type, expiry, two length varints. */
const RECORD_FIXED_MAX_BYTES = 5 + 1 + 1 + 8 + 5 + 5;

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[pos++] = n;
  return pos;
}

/** Where a RecordWriter gets its payload Buffers (buffer-pool.ts), when not new ones. */
export interface PayloadSource {
  acquire(n: number): Buffer;
}

/** Packs records into KEYS payloads. */
export class RecordWriter {
  /** The payload being filled; allocated when a record needs it (EMPTY after a flush). */
  private buf: Buffer = EMPTY;
  /** The payload's size as the format sees it (a pooled `buf` may be bigger). */
  private cap = 0;
  private pos = 0;
  private records = 0;
  private readonly out: Buffer[] = [];
  private outBytes = 0;

  /**
   * `pool`: payloads come from it (their owner gives them back once written); block
   * boundaries are the same either way.
   */
  constructor(private readonly pool: PayloadSource | null = null) {}

  /**
   * Add one key (a string key is latin1: one char per byte). `expireAt` 0 means none; `type`
   * is the value's type code (0: a string, whose bytes `value` is).
   */
  add(db: number, key: Buffer | string, value: Buffer, expireAt: number, type = 0): void {
    const need = RECORD_FIXED_MAX_BYTES + key.length + value.length;
    if (this.pos + need > this.cap) {
      this.flush();
      this.cap = Math.max(need, BLOCK_TARGET_BYTES);
      this.buf = this.pool !== null ? this.pool.acquire(this.cap) : Buffer.allocUnsafe(this.cap);
    }
    const b = this.buf;
    let p = writeVarint(b, this.pos, db);
    b[p++] = (expireAt !== 0 ? RECORD_HAS_EXPIRY : 0) | (type !== 0 ? RECORD_TYPED : 0);
    if (type !== 0) b[p++] = type;
    if (expireAt !== 0) {
      b.writeDoubleLE(expireAt, p);
      p += 8;
    }
    p = writeVarint(b, p, key.length);
    p = writeVarint(b, p, value.length);
    p += typeof key === 'string' ? b.write(key, p, 'latin1') : key.copy(b, p);
    p += value.copy(b, p);
    this.pos = p;
    this.records++;
    if (p >= BLOCK_TARGET_BYTES) this.flush();
  }

  /** Close the current payload (if it holds anything). */
  flush(): void {
    if (this.pos === 0) return;
    const payload = this.buf.subarray(0, this.pos);
    this.out.push(payload);
    this.outBytes += payload.length;
    // The next payload is allocated for its first record: a big one gets a buffer of its size
    // rather than a block-sized one it would not fit in.
    this.buf = EMPTY;
    this.cap = 0;
    this.pos = 0;
  }

  /** Completed payloads since the last call, in order. */
  take(): Buffer[] {
    this.outBytes = 0;
    return this.out.splice(0, this.out.length);
  }

  /** Bytes in completed payloads not taken yet. */
  get pendingBytes(): number {
    return this.outBytes;
  }

  get recordCount(): number {
    return this.records;
  }
}

/** Frames blocks in file order and tracks the whole-file checksum. */
export class Framer {
  /** `version`: the format version to write (tests write older ones to check they load). */
  constructor(private readonly version: number = FORMAT_VERSION) {}

  private offset = 0;
  private crc = 0;
  private keyBlocks = 0;

  private count(b: Buffer): Buffer {
    this.crc = crc32(b, this.crc);
    this.offset += b.length;
    return b;
  }

  /** The preamble and the HEADER block. */
  start(header: Omit<SnapshotHeader, 'format'>): Buffer {
    const pre = Buffer.allocUnsafe(PREAMBLE_BYTES);
    MAGIC.copy(pre, 0);
    pre.writeUInt32LE(this.version, MAGIC.length);
    this.count(pre);
    const doc = Buffer.from(JSON.stringify({ format: this.version, ...header }), 'utf8');
    return Buffer.concat([pre, this.block(BlockType.HEADER, doc, 0)]);
  }

  block(type: BlockTypeCode, payload: Buffer, flags: number): Buffer {
    const b = frame(type, payload, flags);
    if (type === BlockType.KEYS) this.keyBlocks++;
    return type === BlockType.END ? b : this.count(b);
  }

  /**
   * A KEYS block as three Buffers to write in order (header, `payload` itself, checksum),
   * the same bytes as `block` without copying the payload: a snapshot copies the dataset out
   * once, into payloads, rather than a second time into blocks.
   */
  keysBlockParts(payload: Buffer, flags: number): [Buffer, Buffer, Buffer] {
    const head = Buffer.allocUnsafe(BLOCK_HEADER_BYTES);
    writeBlockHeader(head, BlockType.KEYS, flags, payload.length);
    const tail = Buffer.allocUnsafe(BLOCK_TRAILER_BYTES);
    tail.writeUInt32LE(crc32(payload), 0);
    this.keyBlocks++;
    this.count(head);
    this.count(payload);
    this.count(tail);
    return [head, payload, tail];
  }

  /** The END block; `records` is the number of records written. */
  end(records: number): { block: Buffer; trailer: SnapshotTrailer } {
    const trailer: SnapshotTrailer = {
      records,
      blocks: this.keyBlocks,
      bytes: this.offset,
      crc32: this.crc >>> 0,
    };
    const block = this.block(BlockType.END, Buffer.from(JSON.stringify(trailer), 'utf8'), 0);
    this.offset += block.length;
    return { block, trailer };
  }

  /** Bytes framed so far (after `end`, the file size). */
  get size(): number {
    return this.offset;
  }
}

/** A block's header: type, flags, payload length and the header's own checksum. */
function writeBlockHeader(b: Buffer, type: BlockTypeCode, flags: number, length: number): void {
  b[0] = type;
  b[1] = flags;
  b.writeUInt32LE(length, 2);
  b.writeUInt32LE(crc32(b.subarray(0, 6)), 6);
}

function frame(type: BlockTypeCode, payload: Buffer, flags: number): Buffer {
  const b = Buffer.allocUnsafe(BLOCK_HEADER_BYTES + payload.length + BLOCK_TRAILER_BYTES);
  writeBlockHeader(b, type, flags, payload.length);
  payload.copy(b, BLOCK_HEADER_BYTES);
  b.writeUInt32LE(crc32(payload), BLOCK_HEADER_BYTES + payload.length);
  return b;
}

/** The whole format, synchronously and uncompressed: records in, blocks out. */
export class SnapshotEncoder {
  private readonly records = new RecordWriter();
  private readonly framer: Framer;
  private readonly out: Buffer[] = [];

  constructor(header: Omit<SnapshotHeader, 'format'>, version = FORMAT_VERSION) {
    this.framer = new Framer(version);
    this.out.push(this.framer.start(header));
  }

  add(db: number, key: Buffer | string, value: Buffer, expireAt: number, type = 0): void {
    this.records.add(db, key, value, expireAt, type);
  }

  private frameTaken(): void {
    for (const p of this.records.take()) this.out.push(this.framer.block(BlockType.KEYS, p, 0));
  }

  /** Completed blocks since the last call, in file order. */
  take(): Buffer[] {
    this.frameTaken();
    return this.out.splice(0, this.out.length);
  }

  /** Close the last KEYS block and append the END block. */
  finish(): SnapshotTrailer {
    this.records.flush();
    this.frameTaken();
    const { block, trailer } = this.framer.end(this.records.recordCount);
    this.out.push(block);
    return trailer;
  }

  get size(): number {
    return this.framer.size;
  }
}
