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
 *
 * Blocks of one size are reused only by values of that size, so a workload whose sizes drift
 * (eviction under maxmemory while hashes grow) would leave slabs mostly free. The owner of the
 * refs (objects.ts) empties such a slab: `evacuate` picks the emptiest slab when the slabs hold
 * much more than is live and takes its free blocks off the lists, the owner moves its live
 * blocks elsewhere (`alloc` never hands out a block of that slab meanwhile, and frees in it are
 * not listed), and `settleEvacuation` gives the slab back once it is empty.
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
  /** Slabs by index; a given-back one is an empty Buffer until its index is reused. */
  private readonly slabs: Buffer[] = [];
  /** Live bytes per slab. */
  private readonly slabLive: number[] = [];
  private readonly freeSlabs: number[] = [];
  private readonly freeHead = new Uint32Array(CLASSES);
  /** The slab bump allocation carves from (-1: none yet), and its bump pointer. */
  private cur = -1;
  private top = SLAB_BYTES;
  /** The slab being emptied (-1: none). */
  evacuating = -1;
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
      this.slabLive[slabIndex(head)] += size;
      return head;
    }
    if (this.top + size > SLAB_BYTES) this.newSlab();
    const ref = this.cur * OFFSET_UNITS + this.top / UNIT;
    this.top += size;
    this.slabLive[this.cur] += size;
    return ref;
  }

  /** Give back the block `ref` that `alloc(n)` returned. */
  free(ref: number, n: number): void {
    const size = packedBlockSize(n);
    this.liveBytes -= size;
    const s = slabIndex(ref);
    this.slabLive[s] -= size;
    if (s !== this.evacuating) this.push(ref, classOf(size));
  }

  /** The slab index of block `ref`. */
  slabOfRef(ref: number): number {
    return slabIndex(ref);
  }

  /** Copy the first `n` bytes of block `from` into block `to`. */
  copy(from: number, to: number, n: number): void {
    const off = offsetOf(from);
    this.slabOf(from).copy(this.slabOf(to), offsetOf(to), off, off + n);
  }

  /**
   * Start emptying the emptiest slab when the slabs hold over a quarter more than is live (and
   * at least two slabs more); returns it, or -1. Its free blocks leave the free lists.
   */
  evacuate(): number {
    if (this.evacuating >= 0) return this.evacuating;
    const unused = this.reservedBytes - this.liveBytes;
    if (unused < 2 * SLAB_BYTES || unused * 4 < this.liveBytes) return -1;
    let best = -1;
    for (let s = 0; s < this.slabs.length; s++) {
      if (s === this.cur || this.slabs[s].length === 0) continue;
      if (best < 0 || this.slabLive[s] < this.slabLive[best]) best = s;
    }
    if (best < 0 || this.slabLive[best] > SLAB_BYTES / 2) return -1;
    this.evacuating = best;
    for (let c = 0; c < CLASSES; c++) {
      let kept = 0;
      let last = 0;
      for (let ref = this.freeHead[c]; ref !== 0; ) {
        const next = this.slabOf(ref).readUInt32LE(offsetOf(ref));
        if (slabIndex(ref) !== best) {
          if (last === 0) kept = ref;
          else this.slabOf(last).writeUInt32LE(ref, offsetOf(last));
          last = ref;
        }
        ref = next;
      }
      if (last !== 0) this.slabOf(last).writeUInt32LE(0, offsetOf(last));
      this.freeHead[c] = kept;
    }
    return best;
  }

  /** Give the slab being emptied back once nothing lives in it; whether it was. */
  settleEvacuation(): boolean {
    const s = this.evacuating;
    if (s < 0 || this.slabLive[s] !== 0) return false;
    this.slabs[s] = EMPTY;
    this.freeSlabs.push(s);
    this.reservedBytes -= SLAB_BYTES;
    this.evacuating = -1;
    return true;
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
    this.slabLive.length = 0;
    this.freeSlabs.length = 0;
    this.freeHead.fill(0);
    this.cur = -1;
    this.evacuating = -1;
    this.top = SLAB_BYTES;
    this.reservedBytes = 0;
    this.liveBytes = 0;
  }

  private slabOf(ref: number): Buffer {
    return this.slabs[slabIndex(ref)];
  }

  private push(ref: number, c: number): void {
    this.slabOf(ref).writeUInt32LE(this.freeHead[c], offsetOf(ref));
    this.freeHead[c] = ref;
  }

  /** Start a new slab; the rest of the current one goes to the free lists, biggest blocks first. */
  private newSlab(): void {
    let rest = SLAB_BYTES - this.top;
    while (rest >= UNIT) {
      const size = largestBlockWithin(Math.min(rest, PACKED_MAX_BLOCK));
      this.push(this.cur * OFFSET_UNITS + this.top / UNIT, classOf(size));
      this.top += size;
      rest -= size;
    }
    const s = this.freeSlabs.pop() ?? this.slabs.length;
    if (s >= MAX_SLABS) throw new RangeError('packed collection blocks exhausted');
    // Zero-filled: the pages are mapped as blocks are first written.
    this.slabs[s] = Buffer.alloc(SLAB_BYTES);
    this.slabLive[s] = 0;
    this.reservedBytes += SLAB_BYTES;
    this.cur = s;
    // Ref 0 means "no block": the first unit of slab 0 is never handed out.
    this.top = s === 0 ? UNIT : 0;
  }
}

/** Node's Buffer has `latin1Slice` on its prototype; the type declarations leave it out. */
interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

const EMPTY = Buffer.alloc(0);

function slabIndex(ref: number): number {
  return Math.floor(ref / OFFSET_UNITS);
}

function offsetOf(ref: number): number {
  return (ref % OFFSET_UNITS) * UNIT;
}
