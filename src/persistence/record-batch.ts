/**
 * The records of one KEYS block as the decoder hands them to a bulk loader: offsets into the
 * block's (decompressed) payload instead of a Buffer view per key and value, so decoding a
 * block allocates nothing per record. Valid only during the `records` callback.
 */
const INITIAL_RECORDS = 1024;

export class RecordBatch {
  count = 0;
  db = new Float64Array(INITIAL_RECORDS);
  keyStart = new Uint32Array(INITIAL_RECORDS);
  keyEnd = new Uint32Array(INITIAL_RECORDS);
  valEnd = new Uint32Array(INITIAL_RECORDS);
  /** Unix ms, 0 when none. */
  expireAt = new Float64Array(INITIAL_RECORDS);
  /** Value type code (0: a string). */
  type = new Uint8Array(INITIAL_RECORDS);

  /** Append a record (the arrays double as needed; a block bounds how many). */
  push(db: number, keyStart: number, keyEnd: number, valEnd: number, expireAt: number, type: number): void {
    const k = this.count;
    if (k === this.db.length) this.grow();
    this.db[k] = db;
    this.keyStart[k] = keyStart;
    this.keyEnd[k] = keyEnd;
    this.valEnd[k] = valEnd;
    this.expireAt[k] = expireAt;
    this.type[k] = type;
    this.count = k + 1;
  }

  private grow(): void {
    const n = this.db.length * 2;
    const more = <T extends Uint32Array | Float64Array | Uint8Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.db = more(this.db, new Float64Array(n));
    this.keyStart = more(this.keyStart, new Uint32Array(n));
    this.keyEnd = more(this.keyEnd, new Uint32Array(n));
    this.valEnd = more(this.valEnd, new Uint32Array(n));
    this.expireAt = more(this.expireAt, new Float64Array(n));
    this.type = more(this.type, new Uint8Array(n));
  }
}
