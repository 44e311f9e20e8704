/**
 * Byte blocks for small collections at rest (objects.ts): the packed bytes of a listpack hash,
 * a packed list, an intset or a listpack sorted set between the commands that use it, outside
 * the JS heap, so that V8's collector neither marks nor moves them (100k hashes of 100 short
 * fields are 145 MB of strings otherwise, and a full collection of them paused 26-33 ms).
 *
 * 1 MiB slabs carved into blocks of 8-byte steps up to 128 bytes, then eight sizes per power
 * of two up to PACKED_MAX_BLOCK (at most 1/8 of a block unused); a free block links to the next free one of its size through its
 * first four bytes, so the free lists hold nothing on the heap either. A block is named by a
 * u32 ref: slab index above the offset in 8-byte units (ref 0, the first unit of slab 0, is
 * never handed out).
 */

const SLAB_LOG2 = 20;
const SLAB_BYTES = 1 << SLAB_LOG2;
const UNIT_LOG2 = 3;
const UNIT = 1 << UNIT_LOG2;
const OFFSET_UNITS = 1 << (SLAB_LOG2 - UNIT_LOG2);
/** Largest packed value kept in a block; a bigger one (a raised listpack limit) stays a string. */
export const PACKED_MAX_BLOCK = 64 * 1024;
/** Up to 128 bytes: one class per 8 bytes; above: eight per power of two up to 64 KiB. */
const SMALL_MAX = 128;
const SMALL_CLASSES = SMALL_MAX / UNIT;
const CLASSES = SMALL_CLASSES + (Math.log2(PACKED_MAX_BLOCK) - 7) * 8;
/** Refs are u32: 2^15 slabs of 1 MiB. */
const MAX_SLABS = 2 ** 32 / OFFSET_UNITS;

/** The block size that holds `n` bytes (1 <= n <= PACKED_MAX_BLOCK). */
export function packedBlockSize(n: number): number {
  if (n <= SMALL_MAX) return Math.max(UNIT, (n + UNIT - 1) & ~(UNIT - 1));
  const step = 1 << (28 - Math.clz32(n - 1));
  return Math.ceil(n / step) * step;
}

function classOf(size: number): number {
  if (size <= SMALL_MAX) return size / UNIT - 1;
  const k = 31 - Math.clz32(size - 1);
  return SMALL_CLASSES + (k - 7) * 8 + size / (1 << (k - 3)) - 9;
}

/** The biggest block size that is at most `n` (n >= UNIT). */
function largestBlockWithin(n: number): number {
  if (n <= SMALL_MAX) return n & ~(UNIT - 1);
  const p = 1 << (31 - Math.clz32(n));
  const step = p >>> 3;
  return p + Math.floor((n - p) / step) * step;
}

export class PackedBlocks {
  private readonly slabs: Buffer[] = [];
  private readonly freeHead = new Uint32Array(CLASSES);
  /** Bump pointer in the last slab. */
  private top = SLAB_BYTES;
  /** Bytes of all slabs, and of the blocks handed out. */
  reservedBytes = 0;
  liveBytes = 0;

  /** A block for `n` bytes (1 <= n <= PACKED_MAX_BLOCK). */
  alloc(n: number): number {
    const size = packedBlockSize(n);
    this.liveBytes += size;
    const c = classOf(size);
    const head = this.freeHead[c];
    if (head !== 0) {
      this.freeHead[c] = this.slabOf(head).readUInt32LE(offsetOf(head));
      return head;
    }
    if (this.top + size > SLAB_BYTES) this.newSlab();
    const ref = (this.slabs.length - 1) * OFFSET_UNITS + this.top / UNIT;
    this.top += size;
    return ref;
  }

  /** Give back the block `ref` that `alloc(n)` returned. */
  free(ref: number, n: number): void {
    const size = packedBlockSize(n);
    this.liveBytes -= size;
    this.push(ref, classOf(size));
  }

  /** Whether a block for `n` bytes is the block that `m` bytes have. */
  sameBlock(n: number, m: number): boolean {
    return packedBlockSize(n) === packedBlockSize(m);
  }

  /** Write latin1 `s` (one byte per char) at the start of block `ref`. */
  write(ref: number, s: string): void {
    this.slabOf(ref).write(s, offsetOf(ref), s.length, 'latin1');
  }

  /** The first `n` bytes of block `ref` as a latin1 string. */
  read(ref: number, n: number): string {
    const off = offsetOf(ref);
    // What toString('latin1', ...) calls after checking its arguments (these are in range).
    return (this.slabOf(ref) as Latin1Buffer).latin1Slice(off, off + n);
  }

  /** Drop every slab (no block is in use). */
  clear(): void {
    this.slabs.length = 0;
    this.freeHead.fill(0);
    this.top = SLAB_BYTES;
    this.reservedBytes = 0;
    this.liveBytes = 0;
  }

  private slabOf(ref: number): Buffer {
    return this.slabs[Math.floor(ref / OFFSET_UNITS)];
  }

  private push(ref: number, c: number): void {
    this.slabOf(ref).writeUInt32LE(this.freeHead[c], offsetOf(ref));
    this.freeHead[c] = ref;
  }

  /** Start a new slab; the rest of the last one goes to the free lists, biggest blocks first. */
  private newSlab(): void {
    const last = this.slabs.length - 1;
    let rest = SLAB_BYTES - this.top;
    while (rest >= UNIT) {
      const size = largestBlockWithin(Math.min(rest, PACKED_MAX_BLOCK));
      this.push(last * OFFSET_UNITS + this.top / UNIT, classOf(size));
      this.top += size;
      rest -= size;
    }
    if (this.slabs.length >= MAX_SLABS) throw new RangeError('packed collection blocks exhausted');
    // Zero-filled: the pages are mapped as blocks are first written.
    this.slabs.push(Buffer.alloc(SLAB_BYTES));
    this.reservedBytes += SLAB_BYTES;
    // Ref 0 means "no block": the first unit of slab 0 is never handed out.
    this.top = this.slabs.length === 1 ? UNIT : 0;
  }
}

/** Node's Buffer has `latin1Slice` on its prototype; the type declarations leave it out. */
interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

function offsetOf(ref: number): number {
  return (ref % OFFSET_UNITS) * UNIT;
}
