/**
 * Where a large stream keeps its nodes' bytes: in shared blocks rather than a Buffer each. A
 * Buffer of its own costs a node about 400 bytes beyond its listpack (the Buffer and its
 * ArrayBuffer objects, the backing store record and the allocator's header); with 100 entries
 * a node that is 4 bytes per entry.
 *
 * The node being written takes a guessed size from the block too, and gives back what it did not
 * use when it is sealed, so a stream loaded by XADD is packed without copies.
 *
 * Blocks are sized from the stream: an eighth of its listpack bytes, at most MAX_BLOCK_BYTES,
 * and a stream too small for a block of two nodes keeps a Buffer per node, so a block never
 * wastes more than about an eighth of its stream. A block is freed when no node uses it any
 * more; nodes removed from the middle of a block (XDEL of every entry of a node) leave their
 * bytes there until then, as memory freed inside an allocator's page does. Trimming from the
 * head frees blocks in order.
 */

/** The largest block. */
export const MAX_BLOCK_BYTES = 64 * 1024;

/** Shared blocks a stream packs its nodes' bytes into (NodePacker). */
export interface NodeRoom {
  /** The block `place` took room in. */
  readonly block: Buffer | null;
  /** The offset of `n` bytes taken in `block`, or -1 (then a node keeps a Buffer of its own). */
  place(n: number): number;
  /** Give back the end of the room at `base` (`cap` bytes) past `used` when it was the last taken. */
  shrink(buf: Buffer, base: number, cap: number, used: number): boolean;
}

export class NodePacker implements NodeRoom {
  block: Buffer | null = null;
  private off = 0;

  /** `streamBytes()`: the stream's listpack bytes now (block sizes follow it). */
  constructor(private readonly streamBytes: () => number) {}

  /** The offset of `n` bytes taken in `block`, or -1 when the node should keep a Buffer of its own. */
  place(n: number): number {
    const b = this.block;
    if (b !== null && this.off + n <= b.length) {
      this.off += n;
      return this.off - n;
    }
    const size = Math.min(MAX_BLOCK_BYTES, Math.floor(this.streamBytes() / 8));
    if (size < 2 * n) return -1;
    this.block = Buffer.allocUnsafeSlow(size);
    this.off = n;
    return 0;
  }

  /** Give back the room at `base` (`cap` bytes) past `used` when it was the last taken. */
  shrink(buf: Buffer, base: number, cap: number, used: number): boolean {
    if (buf !== this.block || base + cap !== this.off) return false;
    this.off = base + used;
    return true;
  }

  /** Forget the current block (the stream has no node left). */
  reset(): void {
    this.block = null;
    this.off = 0;
  }
}
