/**
 * A small pool of reusable Buffers for the snapshot pipeline (KEYS payloads and their LZ4
 * output). A snapshot used to allocate a new Buffer per block and per big record, a dataset's
 * worth of them every snapshot, freed only when V8 collected them (promoted ones at its next
 * full GC) and leaving malloc's heap grown and fragmented between collections
 * (docs/memory-under-load.md). With the pool a snapshot reuses the same few MB of blocks.
 *
 * Sizes go by classes: the block size times a power of two, up to MAX_POOLED_BYTES; a bigger
 * request gets a Buffer of its own that is never pooled. Released blocks are kept while the
 * pool holds at most `retainBytes`; beyond that they are left to the GC.
 */
import { BLOCK_TARGET_BYTES } from './format.js';

/** Largest Buffer kept for reuse, bytes. */
export const MAX_POOLED_BYTES = 4 * 1024 * 1024;
/** Bytes the shared pool keeps between uses. */
const DEFAULT_RETAIN_BYTES = 8 * 1024 * 1024;

export interface PoolStats {
  /** Buffers allocated for the pool (a stable count means the blocks are being reused). */
  allocated: number;
  /** Bytes held for reuse now. */
  retainedBytes: number;
}

/** The class size for `n` bytes: BLOCK_TARGET_BYTES times a power of two. */
function classBytes(n: number): number {
  let c = BLOCK_TARGET_BYTES;
  while (c < n) c *= 2;
  return c;
}

export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  readonly stats: PoolStats = { allocated: 0, retainedBytes: 0 };

  constructor(private readonly retainBytes = DEFAULT_RETAIN_BYTES) {}

  /** A Buffer of at least `n` bytes (its contents are not cleared). */
  acquire(n: number): Buffer {
    if (n > MAX_POOLED_BYTES) return Buffer.allocUnsafeSlow(n);
    const size = classBytes(n);
    const ab = this.free.get(size)?.pop();
    if (ab !== undefined) {
      this.stats.retainedBytes -= size;
      return Buffer.from(ab);
    }
    this.stats.allocated++;
    return Buffer.allocUnsafeSlow(size);
  }

  /**
   * Give back a Buffer from `acquire` (or a view into one) once nothing reads it any more.
   * Anything else (a view into Node's shared pool, an odd size) is ignored.
   */
  release(b: Buffer): void {
    const ab = b.buffer;
    const size = ab.byteLength;
    if (
      !(ab instanceof ArrayBuffer) ||
      size > MAX_POOLED_BYTES ||
      size !== classBytes(size) ||
      this.stats.retainedBytes + size > this.retainBytes
    )
      return;
    let list = this.free.get(size);
    if (list === undefined) {
      list = [];
      this.free.set(size, list);
    }
    list.push(ab);
    this.stats.retainedBytes += size;
  }
}

/** The pool snapshots share (one runs at a time; a second one would only allocate more). */
export const snapshotBuffers = new BufferPool();
