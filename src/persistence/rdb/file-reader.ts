/**
 * An RdbReader over a file, read synchronously in chunks so that memory stays bounded however
 * large the file is (one chunk plus the largest single value being read). It keeps a CRC-64 of
 * every byte consumed, which is what an RDB file's trailing checksum covers.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { RdbFormatError } from './constants.js';
import { Crc64 } from './crc64.js';
import { RdbReader } from './reader.js';

const CHUNK_BYTES = 1 << 20;

export class FileRdbReader extends RdbReader {
  private readonly fd: number;
  /** Total bytes of the file. */
  readonly size: number;
  private readonly crc = new Crc64();
  /** Absolute position up to which `crc` has been fed. */
  private crcPos = 0;
  private closed = false;

  constructor(path: string) {
    super(Buffer.alloc(0));
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  protected override fill(n: number): void {
    if (this.base + this.off + n > this.size) throw new RdbFormatError('unexpected end of file');
    this.feedCrc();
    const tail = this.buf.subarray(this.off);
    const want = Math.max(n, CHUNK_BYTES);
    const next = Buffer.allocUnsafe(Math.min(want, this.size - (this.base + this.off)));
    tail.copy(next, 0);
    let have = tail.length;
    const fileAt = this.base + this.buf.length;
    while (have < next.length) {
      const got = readSync(this.fd, next, have, next.length - have, fileAt + (have - tail.length));
      if (got === 0) throw new RdbFormatError('unexpected end of file');
      have += got;
    }
    this.base += this.off;
    this.buf = next;
    this.off = 0;
  }

  /** Feed the CRC with the bytes consumed since the last feed. */
  private feedCrc(): void {
    const from = this.crcPos - this.base;
    if (this.off > from) this.crc.update(this.buf, from, this.off);
    this.crcPos = this.base + this.off;
  }

  /** The CRC-64 of every byte consumed so far (8 bytes, little endian, as RDB stores it). */
  checksum(): Buffer {
    this.feedCrc();
    return this.crc.digest();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
