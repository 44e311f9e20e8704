/**
 * Out-of-arena storage for entries too big for an arena block (layout.ts, F_EXTERNAL): one
 * Buffer [key][value] per entry, by id. Buffers are replaced, never mutated, except a string's
 * value bytes edited in place by Keyspace.patchString (patch.ts): readers copy them or read
 * them synchronously. A Buffer with spare room for growth (string-patch.ts) counts its room.
 * Buffers come from `alloc` (a block of ext-slabs.ts when the size fits one), which removing
 * or replacing an entry gives back.
 */
import { storedBytes } from '../string-patch.js';
import { ExtSlabs } from './ext-slabs.js';

/** Per-Buffer bookkeeping charged to each external entry (object headers, backing store). */
export const EXTERNAL_OVERHEAD_BYTES = 96;

/** Out-of-arena storage for big entries: id -> Buffer [key][value]. */
export class Externals {
  readonly bufs: Buffer[] = [Buffer.alloc(0)];
  readonly keyLens: number[] = [0];
  private readonly freeIds: number[] = [];
  readonly slabs = new ExtSlabs();
  bytes = 0;

  /** A Buffer of `n` bytes for `add` or `replace`. */
  alloc(n: number): Buffer {
    return this.slabs.alloc(n);
  }

  add(buf: Buffer, keyLen: number): number {
    const id = this.freeIds.pop() ?? this.bufs.length;
    this.bufs[id] = buf;
    this.keyLens[id] = keyLen;
    this.bytes += this.sizeOf(buf) + EXTERNAL_OVERHEAD_BYTES;
    return id;
  }

  remove(id: number): void {
    this.bytes -= this.sizeOf(this.bufs[id]) + EXTERNAL_OVERHEAD_BYTES;
    this.slabs.release(this.bufs[id]);
    this.bufs[id] = this.bufs[0];
    this.keyLens[id] = 0;
    this.freeIds.push(id);
  }

  /** Put `buf` (the same key, a longer or moved value) in place of the Buffer of `id`. */
  replace(id: number, buf: Buffer): void {
    const old = this.bufs[id];
    this.bytes += this.sizeOf(buf) - this.sizeOf(old);
    this.bufs[id] = buf;
    if (old !== buf) this.slabs.release(old);
  }

  /** Bytes a stored Buffer costs: its slab block, or its store (with any spare room). */
  private sizeOf(buf: Buffer): number {
    return this.slabs.owns(buf) ? this.slabs.sizeOf(buf) : storedBytes(buf);
  }

  count(): number {
    return this.bufs.length - 1 - this.freeIds.length;
  }

  clear(): void {
    this.bufs.length = 1;
    this.keyLens.length = 1;
    this.freeIds.length = 0;
    this.slabs.clear();
    this.bytes = 0;
  }
}
