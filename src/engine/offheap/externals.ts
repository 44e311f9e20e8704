/**
 * Out-of-arena storage for entries too big for an arena block (layout.ts, F_EXTERNAL): one
 * Buffer [key][value] per entry, by id. Buffers are replaced, never mutated, except a string's
 * value bytes edited in place by Keyspace.patchString (patch.ts): readers copy them or read
 * them synchronously. A Buffer with spare room for growth (string-patch.ts) counts its room.
 */
import { storedBytes } from '../string-patch.js';

/** Per-Buffer bookkeeping charged to each external entry (object headers, backing store). */
export const EXTERNAL_OVERHEAD_BYTES = 96;

/** Out-of-arena storage for big entries: id -> Buffer [key][value]. */
export class Externals {
  readonly bufs: Buffer[] = [Buffer.alloc(0)];
  readonly keyLens: number[] = [0];
  private readonly freeIds: number[] = [];
  bytes = 0;

  add(buf: Buffer, keyLen: number): number {
    const id = this.freeIds.pop() ?? this.bufs.length;
    this.bufs[id] = buf;
    this.keyLens[id] = keyLen;
    this.bytes += storedBytes(buf) + EXTERNAL_OVERHEAD_BYTES;
    return id;
  }

  remove(id: number): void {
    this.bytes -= storedBytes(this.bufs[id]) + EXTERNAL_OVERHEAD_BYTES;
    this.bufs[id] = this.bufs[0];
    this.keyLens[id] = 0;
    this.freeIds.push(id);
  }

  /** Put `buf` (the same key, a longer or moved value) in place of the Buffer of `id`. */
  replace(id: number, buf: Buffer): void {
    this.bytes += storedBytes(buf) - storedBytes(this.bufs[id]);
    this.bufs[id] = buf;
  }

  count(): number {
    return this.bufs.length - 1 - this.freeIds.length;
  }

  clear(): void {
    this.bufs.length = 1;
    this.keyLens.length = 1;
    this.freeIds.length = 0;
    this.bytes = 0;
  }
}
