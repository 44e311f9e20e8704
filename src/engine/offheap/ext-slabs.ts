/**
 * Slabs for external entries (externals.ts): large ArrayBuffers carved into blocks of a few
 * size classes (four per power of two), reused through a free list per class. A big value that
 * is evicted, deleted or overwritten gives its block back at once for the next one, instead of
 * leaving its own ArrayBuffer for V8's next full GC to free (V8 starts one for external memory
 * only every 64 MB) in a malloc heap fragmented by values of every size: with a small maxmemory
 * that garbage and fragmentation outgrew the dataset. Entries above SLAB_MAX_BLOCK_BYTES keep a
 * Buffer of their own (malloc maps such sizes apart and unmaps them on free).
 *
 * A block's views follow the arena's rule: valid until the keyspace next changes.
 */

export const SLAB_BYTES = 4 * 1024 * 1024;
/** Largest block carved from a slab. */
export const SLAB_MAX_BLOCK_BYTES = 1024 * 1024;
/** Smallest block carved from a slab (external entries are bigger than an arena block). */
const SLAB_MIN_BLOCK_BYTES = 4096;
const MIN_CLASS_LOG2 = 12;
const CLASSES = (Math.log2(SLAB_MAX_BLOCK_BYTES) - MIN_CLASS_LOG2 + 1) * 4;

/** The block size that holds `n` bytes: n rounded up to a quarter of its power of two. */
export function slabBlockSize(n: number): number {
  const k = 31 - Math.clz32(n - 1);
  const step = 1 << (k - 2);
  return Math.ceil(n / step) * step;
}

function classOf(size: number): number {
  const k = 31 - Math.clz32(size - 1);
  return (k - MIN_CLASS_LOG2) * 4 + size / (1 << (k - 2)) - 4;
}

/** The biggest block size that is at most `n` (n >= SLAB_MIN_BLOCK_BYTES). */
function largestBlockWithin(n: number): number {
  const p = 1 << (31 - Math.clz32(n));
  const step = p >>> 2;
  return p + Math.floor((n - p) / step) * step;
}

export class ExtSlabs {
  private readonly slabs = new Set<ArrayBufferLike>();
  /** Per class: free blocks, as views of their whole block. */
  private readonly free: Buffer[][] = Array.from({ length: CLASSES }, () => []);
  private current: ArrayBuffer | null = null;
  private top = 0;
  /** Bytes of all slabs, and of the blocks handed out. */
  reservedBytes = 0;
  liveBytes = 0;

  /** `n` bytes: a block of a slab, or a Buffer of its own when `n` is outside the slab sizes. */
  alloc(n: number): Buffer {
    if (n < SLAB_MIN_BLOCK_BYTES || n > SLAB_MAX_BLOCK_BYTES) return Buffer.allocUnsafe(n);
    const size = slabBlockSize(n);
    this.liveBytes += size;
    const f = this.free[classOf(size)].pop();
    if (f !== undefined) return f.subarray(0, n);
    if (this.current === null || this.top + size > SLAB_BYTES) this.newSlab();
    const b = Buffer.from(this.current as ArrayBuffer, this.top, n);
    this.top += size;
    return b;
  }

  /** Whether `buf` is a block of a slab (as `alloc` returned it). */
  owns(buf: Buffer): boolean {
    return this.slabs.has(buf.buffer);
  }

  /** Bytes `buf` holds: its block's size when it is one, else its length. */
  sizeOf(buf: Buffer): number {
    return this.owns(buf) ? slabBlockSize(buf.length) : buf.length;
  }

  /** Give back the block of `buf` (as `alloc` returned it); other Buffers are left to the GC. */
  release(buf: Buffer): void {
    if (!this.owns(buf)) return;
    const size = slabBlockSize(buf.length);
    this.liveBytes -= size;
    this.free[classOf(size)].push(Buffer.from(buf.buffer, buf.byteOffset, size));
  }

  /** Drop every slab (the keyspace was flushed: no block is in use). */
  clear(): void {
    this.slabs.clear();
    for (const f of this.free) f.length = 0;
    this.current = null;
    this.top = 0;
    this.reservedBytes = 0;
    this.liveBytes = 0;
  }

  /** Start a new slab; the rest of the current one goes to the free lists, biggest blocks first. */
  private newSlab(): void {
    if (this.current !== null) {
      let rest = SLAB_BYTES - this.top;
      while (rest >= SLAB_MIN_BLOCK_BYTES) {
        const size = largestBlockWithin(Math.min(rest, SLAB_MAX_BLOCK_BYTES));
        this.free[classOf(size)].push(Buffer.from(this.current, this.top, size));
        this.top += size;
        rest -= size;
      }
    }
    this.current = new ArrayBuffer(SLAB_BYTES);
    this.slabs.add(this.current);
    this.top = 0;
    this.reservedBytes += SLAB_BYTES;
  }
}
