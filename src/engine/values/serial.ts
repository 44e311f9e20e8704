/**
 * The byte format collections are saved in (snapshots, copy-on-write copies): a flag byte
 * (type-specific: the encoding), a u32 element count, then elements as u32 length + bytes;
 * sorted-set members are followed by their score as a float64. Little endian throughout.
 */

export class SerialWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(sizeHint = 64) {
    this.buf = Buffer.allocUnsafe(Math.max(16, sizeHint));
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
    return this;
  }

  f64(v: number): this {
    this.room(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** A latin1 string (one byte per char) with its length. */
  str(s: string): this {
    this.u32(s.length);
    this.room(s.length);
    this.pos += this.buf.write(s, this.pos, s.length, 'latin1');
    return this;
  }

  /** Bytes with their length (u32). */
  blob(b: Uint8Array): this {
    this.u32(b.length);
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class SerialReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError('truncated collection value');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  str(): string {
    const n = this.u32();
    this.need(n);
    const s = this.buf.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** Bytes written by `blob`, as a view into the input. */
  blob(): Buffer {
    const n = this.u32();
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** Throws when bytes are left over (a value must be read whole). */
  end(): void {
    if (this.pos !== this.buf.length) throw new RangeError('trailing bytes after collection value');
  }
}
