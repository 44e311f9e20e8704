/**
 * Reads the snapshot format (format.ts) incrementally: feed it chunks of any size (down to one
 * byte) with `push`, then call `end`. Every block is checked (header CRC before its length is
 * trusted, payload CRC before a record is read) and so is the whole file (END block), so a
 * damaged or cut-off snapshot is reported with the byte offset and the problem, as a
 * SnapshotError. Records are handed out as views valid only during the callback.
 */
import { crc32 } from 'node:zlib';
import { uncompressSync } from '../util/lz4.js';

/** Highest value type code (values/collection.ts TYPE_CODES: 0-4, and 15 for streams). */
const MAX_TYPE_CODE = 15;
const LZ4_MAX_EXPANSION = 255;

import {
  BLOCK_HEADER_BYTES,
  BLOCK_LZ4,
  BLOCK_TRAILER_BYTES,
  BlockType,
  FORMAT_VERSION,
  MAGIC,
  MAX_FUNCTIONS_BLOCK_BYTES,
  MAX_META_BLOCK_BYTES,
  PREAMBLE_BYTES,
  RECORD_HAS_EXPIRY,
  RECORD_TYPED,
  SnapshotError,
  type SnapshotHeader,
  type SnapshotTrailer,
} from './format.js';
import { RecordBatch } from './record-batch.js';

export interface DecodeHandlers {
  header?(h: SnapshotHeader): void;
  /** `type`: the value's type code (0: a string; else `value` is the type's serialized form). */
  record?(db: number, key: Buffer, value: Buffer, expireAt: number, type: number): void;
  /**
   * All records of a KEYS block at once, as offsets into `payload` (instead of `record`, when
   * given): what bulk loaders use, with no allocation per record.
   */
  records?(payload: Buffer, batch: RecordBatch): void;
  end?(t: SnapshotTrailer): void;
  /** The FUNCTIONS block's payload (function libraries as a FUNCTION DUMP payload). */
  functions?(payload: Buffer): void;
}

type Stage = 'preamble' | 'block-header' | 'block-body' | 'done';

export class SnapshotDecoder {
  private chunks: Buffer[] = [];
  private avail = 0;
  private stage: Stage = 'preamble';
  /** File offset of the next unread byte. */
  private offset = 0;
  private crc = 0;
  private blockType = 0;
  private blockLen = 0;
  private blockFlags = 0;
  private blockStart = 0;
  private blockHead: Buffer | null = null;
  private records = 0;
  private readonly batch = new RecordBatch();
  private keyBlocks = 0;
  header: SnapshotHeader | null = null;
  trailer: SnapshotTrailer | null = null;

  constructor(
    private readonly source: string,
    private readonly handlers: DecodeHandlers = {},
  ) {}

  /** Bytes consumed so far. */
  get position(): number {
    return this.offset;
  }

  private fail(problem: 'corrupt' | 'truncated', detail: string): never {
    throw new SnapshotError(this.source, problem, detail);
  }

  /** Take exactly `n` bytes if buffered (a view when they sit in one chunk), else null. */
  private take(n: number): Buffer | null {
    if (this.avail < n) return null;
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0];
        const k = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, k);
        filled += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.avail -= n;
    this.offset += n;
    return out;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.stage === 'done')
      this.fail('corrupt', `unexpected data after the END block at byte ${this.offset}`);
    this.chunks.push(chunk);
    this.avail += chunk.length;
    while (this.step()) {
      // keep going while whole units are buffered
    }
  }

  /** Process one unit (preamble, block header or block body). False when more bytes are needed. */
  private step(): boolean {
    switch (this.stage) {
      case 'preamble': {
        const b = this.take(PREAMBLE_BYTES);
        if (b === null) return false;
        if (!b.subarray(0, MAGIC.length).equals(MAGIC))
          throw new SnapshotError(
            this.source,
            'not-a-snapshot',
            'the file does not start with the Cairn snapshot magic',
          );
        const version = b.readUInt32LE(MAGIC.length);
        if (version > FORMAT_VERSION)
          throw new SnapshotError(
            this.source,
            'newer-format',
            `format version ${version} is newer than this Cairn reads (${FORMAT_VERSION}); upgrade Cairn to load it`,
          );
        if (version < 1) this.fail('corrupt', `format version ${version} does not exist`);
        this.crc = crc32(b, this.crc);
        this.stage = 'block-header';
        return true;
      }
      case 'block-header': {
        this.blockStart = this.offset;
        const h = this.take(BLOCK_HEADER_BYTES);
        if (h === null) return false;
        if (crc32(h.subarray(0, 6)) !== h.readUInt32LE(6))
          this.fail('corrupt', `block header at byte ${this.blockStart} fails its checksum`);
        this.blockType = h[0];
        this.blockLen = h.readUInt32LE(2);
        this.blockFlags = h[1];
        const allowed = this.blockType === BlockType.KEYS ? BLOCK_LZ4 : 0;
        if ((h[1] & ~allowed) !== 0)
          this.fail('corrupt', `block at byte ${this.blockStart} has unknown flags ${h[1]}`);
        this.checkOrder();
        this.blockHead = Buffer.from(h);
        this.stage = 'block-body';
        return true;
      }
      case 'block-body': {
        const body = this.take(this.blockLen + BLOCK_TRAILER_BYTES);
        if (body === null) return false;
        const payload = body.subarray(0, this.blockLen);
        if (crc32(payload) !== body.readUInt32LE(this.blockLen))
          this.fail('corrupt', `block at byte ${this.blockStart} fails its checksum`);
        this.stage = 'block-header';
        this.onBlock(payload, body);
        return true;
      }
      default:
        return false;
    }
  }

  private checkOrder(): void {
    const t = this.blockType;
    const at = `block at byte ${this.blockStart}`;
    if (t !== BlockType.HEADER && t !== BlockType.KEYS && t !== BlockType.END && t !== BlockType.FUNCTIONS)
      this.fail('corrupt', `${at} has unknown type ${t}`);
    if (t === BlockType.FUNCTIONS && (this.keyBlocks > 0 || this.blockLen > MAX_FUNCTIONS_BLOCK_BYTES))
      this.fail('corrupt', `${at}: a FUNCTIONS block out of place or implausibly long`);
    if ((t === BlockType.HEADER) !== (this.header === null))
      this.fail('corrupt', `${at}: the HEADER block must come first, once`);
    if (t !== BlockType.KEYS && t !== BlockType.FUNCTIONS && this.blockLen > MAX_META_BLOCK_BYTES)
      this.fail('corrupt', `${at}: implausible length ${this.blockLen}`);
  }

  private onBlock(payload: Buffer, body: Buffer): void {
    const t = this.blockType;
    if (t === BlockType.END) {
      this.onEnd(payload);
      return;
    }
    this.crc = crc32(this.blockHead!, this.crc);
    this.crc = crc32(body, this.crc);
    if (t === BlockType.HEADER) {
      const h = this.json(payload) as SnapshotHeader;
      if (typeof h.createdAt !== 'number' || typeof h.databases !== 'number')
        this.fail('corrupt', 'the HEADER block lacks createdAt or databases');
      this.header = h;
      this.handlers.header?.(h);
      return;
    }
    if (t === BlockType.FUNCTIONS) {
      this.handlers.functions?.(Buffer.from(payload));
      return;
    }
    this.keyBlocks++;
    if ((this.blockFlags & BLOCK_LZ4) === 0) this.readRecords(payload);
    else {
      let raw: Buffer;
      // LZ4 expands data at most ~255-fold: a larger declared size is corruption, refused before
      // the decompressor allocates it (a flipped length byte must not cost gigabytes).
      const declared = payload.length >= 4 ? payload.readUInt32LE(0) : -1;
      if (declared < 0 || declared > (payload.length - 4) * LZ4_MAX_EXPANSION + 64) {
        this.fail(
          'corrupt',
          `block at byte ${this.blockStart} declares an impossible size (${declared} bytes)`,
        );
      }
      try {
        raw = uncompressSync(payload);
      } catch (err) {
        this.fail(
          'corrupt',
          `block at byte ${this.blockStart} does not decompress: ${(err as Error).message}`,
        );
      }
      this.readRecords(raw);
    }
  }

  private onEnd(payload: Buffer): void {
    const t = this.json(payload) as SnapshotTrailer;
    const problems: string[] = [];
    if (t.crc32 !== this.crc >>> 0) problems.push('whole-file checksum mismatch');
    if (t.bytes !== this.blockStart)
      problems.push(`END block says ${t.bytes} bytes precede it, found ${this.blockStart}`);
    if (t.records !== this.records)
      problems.push(`END block says ${t.records} records, found ${this.records}`);
    if (t.blocks !== this.keyBlocks)
      problems.push(`END block says ${t.blocks} key blocks, found ${this.keyBlocks}`);
    if (problems.length > 0) this.fail('corrupt', problems.join('; '));
    this.trailer = t;
    this.stage = 'done';
    if (this.avail > 0) this.fail('corrupt', `unexpected data after the END block at byte ${this.offset}`);
    this.handlers.end?.(t);
  }

  private json(payload: Buffer): unknown {
    try {
      return JSON.parse(payload.toString('utf8'));
    } catch {
      return this.fail('corrupt', `block at byte ${this.blockStart} holds malformed JSON`);
    }
  }

  private readRecords(p: Buffer): void {
    const onRecord = this.handlers.record;
    const batch = this.handlers.records === undefined ? null : this.batch;
    if (batch !== null) batch.count = 0;
    const n = p.length;
    let i = 0;
    const bad = (what: string): never =>
      this.fail('corrupt', `record ${this.records} in block at byte ${this.blockStart}: ${what}`);
    // Varints are inlined: this loop runs once per key on every load.
    while (i < n) {
      let db = 0;
      let shift = 0;
      for (;;) {
        if (i >= n || shift > 28) bad('bad database number');
        const c = p[i++];
        db += (c & 0x7f) * 2 ** shift;
        if (c < 0x80) break;
        shift += 7;
      }
      if (i >= n) bad('cut short');
      const flags = p[i++];
      if ((flags & ~(RECORD_HAS_EXPIRY | RECORD_TYPED)) !== 0) bad(`unknown flags ${flags}`);
      let type = 0;
      if (flags & RECORD_TYPED) {
        if (i >= n) bad('cut short');
        type = p[i++];
        if (type === 0 || type > MAX_TYPE_CODE || (type > 4 && type < MAX_TYPE_CODE))
          bad(`unknown value type ${type}`);
      }
      let expireAt = 0;
      if (flags & RECORD_HAS_EXPIRY) {
        if (i + 8 > n) bad('cut short');
        expireAt = p.readDoubleLE(i);
        i += 8;
        if (!(expireAt > 0) || !Number.isFinite(expireAt)) bad(`bad expiry ${expireAt}`);
      }
      const lens = [0, 0];
      for (let j = 0; j < 2; j++) {
        let v = 0;
        shift = 0;
        for (;;) {
          if (i >= n || shift > 28) bad('bad length');
          const c = p[i++];
          v += (c & 0x7f) * 2 ** shift;
          if (c < 0x80) break;
          shift += 7;
        }
        lens[j] = v;
      }
      const keyEnd = i + lens[0];
      const valEnd = keyEnd + lens[1];
      if (valEnd > n) bad('lengths run past the block');
      if (batch !== null) batch.push(db, i, keyEnd, valEnd, expireAt, type);
      else if (onRecord !== undefined)
        onRecord(db, p.subarray(i, keyEnd), p.subarray(keyEnd, valEnd), expireAt, type);
      i = valEnd;
      this.records++;
    }
    if (batch !== null) this.handlers.records?.(p, batch);
  }

  /** The input is over: throws unless the END block was read. */
  end(): void {
    if (this.stage === 'done') return;
    const where =
      this.stage === 'preamble'
        ? 'inside the preamble'
        : this.stage === 'block-header'
          ? `at byte ${this.offset + this.avail}, where a block should start`
          : `inside the block at byte ${this.blockStart} (${this.blockLen + BLOCK_TRAILER_BYTES} body bytes expected, ${this.avail} present)`;
    this.fail('truncated', `the data ends ${where}, before the END block`);
  }
}

/** Decode a whole stream; resolves with header and trailer once every check has passed. */
export async function decodeStream(
  source: string,
  chunks: AsyncIterable<Buffer>,
  handlers: DecodeHandlers = {},
  onProgress?: (bytes: number) => void,
): Promise<{ header: SnapshotHeader; trailer: SnapshotTrailer }> {
  const dec = new SnapshotDecoder(source, handlers);
  for await (const c of chunks) {
    dec.push(c);
    onProgress?.(dec.position);
  }
  dec.end();
  return { header: dec.header!, trailer: dec.trailer! };
}
