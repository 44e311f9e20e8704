/**
 * The arena: fixed-size chunks (ArrayBuffers) carved into blocks of a few size classes, with a
 * doubly linked free list per class. Chunks never grow, so each one's typed-array views are
 * created once and never go stale (a view on a resizable buffer is several times slower, and a
 * stale one silently drops writes). More memory means another chunk: chunk sizes double from
 * MIN_CHUNK_BYTES to MAX_CHUNK_BYTES, and up to MAX_CHUNKS of them take the total past 4 GiB.
 *
 * Compaction: a chunk can be "evacuated" (see defrag.ts): while it is, the allocator never
 * hands out its blocks and frees in it are not linked, so once the defragmenter has moved its
 * live entries away the chunk is empty and goes back to the system or becomes the spare.
 */
import {
  classIndex,
  F_FREE,
  F_LINKED,
  MAX_CHUNK_BYTES,
  MAX_CHUNKS,
  MIN_CHUNK_BYTES,
  makeRef,
  NIL,
  NUM_CLASSES,
  refChunk,
  refOffset,
  W_FREE_SIZE,
  W_META,
  W_NEXT,
  W_PREV_FREE,
} from './layout.js';

const EMPTY_U8 = Buffer.alloc(0);
const EMPTY_U32 = new Uint32Array(0);
/** Chunk 0 keeps its first unit unused so that ref 0 can mean NIL. */
const CHUNK0_START_BYTES = 8;

export class ArenaFullError extends RangeError {}

export class Arena {
  /** Per-chunk views, indexed by chunk id. Released ids hold empty placeholders. */
  readonly u8: Buffer[] = [];
  readonly u32: Uint32Array[] = [];
  /** Per chunk: capacity, bump pointer (bytes handed out so far) and bytes of live blocks. */
  readonly capacity: number[] = [];
  readonly top: number[] = [];
  readonly live: number[] = [];
  /** Chunk that bump allocation currently carves from (-1: none yet). */
  tail = -1;
  /** Chunk being evacuated by the defragmenter (-1: none). */
  evacuating = -1;
  /** Empty chunks kept for reuse, and ids of released chunks. */
  private readonly spares: number[] = [];
  private readonly releasedIds: number[] = [];
  /** Size the next new chunk for this many bytes instead of doubling (0: no hint). */
  private nextChunkHint = 0;
  readonly freeHead = new Uint32Array(NUM_CLASSES);
  /** Bytes in live blocks, bytes on free lists, bytes of all chunks. */
  liveBytes = 0;
  freeBytes = 0;
  reservedBytes = 0;
  /** Blocks freed so far (and resets): a block ref seen before the count moved may be stale. */
  frees = 0;

  /** A block of `size` bytes (a size class). Throws ArenaFullError past MAX_CHUNKS. */
  alloc(size: number): number {
    const cls = classIndex(size);
    let ref = this.freeHead[cls];
    while (ref !== NIL) {
      this.unlink(ref, cls, size);
      if (refChunk(ref) !== this.evacuating) {
        this.markLive(ref, size);
        return ref;
      }
      // A free block in the chunk being evacuated: drop it (it stays marked free, unlinked).
      ref = this.freeHead[cls];
    }
    let t = this.tail;
    if (t < 0 || this.top[t] + size > this.capacity[t]) t = this.newTail(size);
    const off = this.top[t];
    this.top[t] = off + size;
    ref = makeRef(t, off);
    this.markLive(ref, size);
    return ref;
  }

  private markLive(ref: number, size: number): void {
    this.live[refChunk(ref)] += size;
    this.liveBytes += size;
  }

  /** Return a live block of `size` bytes. */
  free(ref: number, size: number): void {
    this.frees++;
    const c = refChunk(ref);
    const w = refOffset(ref) >>> 2;
    const u32 = this.u32[c];
    this.live[c] -= size;
    this.liveBytes -= size;
    u32[w + W_FREE_SIZE] = size;
    if (c === this.evacuating) {
      u32[w + W_META] = F_FREE << 24;
      return;
    }
    const cls = classIndex(size);
    const head = this.freeHead[cls];
    u32[w + W_META] = (F_FREE | F_LINKED) << 24;
    u32[w + W_NEXT] = head;
    u32[w + W_PREV_FREE] = NIL;
    if (head !== NIL) this.u32[refChunk(head)][(refOffset(head) >>> 2) + W_PREV_FREE] = ref;
    this.freeHead[cls] = ref;
    this.freeBytes += size;
  }

  /** Take a linked free block off its list (the defragmenter passing over it, or alloc). */
  unlink(ref: number, cls: number, size: number): void {
    const u32 = this.u32[refChunk(ref)];
    const w = refOffset(ref) >>> 2;
    const next = u32[w + W_NEXT];
    const prev = u32[w + W_PREV_FREE];
    if (prev === NIL) this.freeHead[cls] = next;
    else this.u32[refChunk(prev)][(refOffset(prev) >>> 2) + W_NEXT] = next;
    if (next !== NIL) this.u32[refChunk(next)][(refOffset(next) >>> 2) + W_PREV_FREE] = prev;
    u32[w + W_META] = F_FREE << 24;
    this.freeBytes -= size;
  }

  /** Start bump-allocating from an empty chunk big enough for `size`. */
  private newTail(size: number): number {
    const spare = this.spares.pop();
    if (spare !== undefined && this.capacity[spare] >= size) {
      this.tail = spare;
      return spare;
    }
    if (spare !== undefined) this.release(spare);
    const want = Math.max(size, this.nextChunkHint > 0 ? this.nextChunkHint : this.reservedBytes);
    this.nextChunkHint = 0;
    let bytes = MIN_CHUNK_BYTES;
    while (bytes < want && bytes < MAX_CHUNK_BYTES) bytes *= 2;
    const id = this.releasedIds.pop() ?? this.u8.length;
    if (id >= MAX_CHUNKS) throw new ArenaFullError(`arena full: ${MAX_CHUNKS} chunks in use`);
    const ab = new ArrayBuffer(bytes);
    this.u8[id] = Buffer.from(ab);
    this.u32[id] = new Uint32Array(ab);
    this.capacity[id] = bytes;
    this.top[id] = id === 0 ? CHUNK0_START_BYTES : 0;
    this.live[id] = 0;
    this.reservedBytes += bytes;
    this.tail = id;
    return id;
  }

  private release(c: number): void {
    this.reservedBytes -= this.capacity[c];
    this.u8[c] = EMPTY_U8;
    this.u32[c] = EMPTY_U32;
    this.capacity[c] = 0;
    this.top[c] = 0;
    this.releasedIds.push(c);
  }

  /** Bytes handed out by bump allocation in every chunk (live + free + dropped). */
  usedBytes(): number {
    let n = 0;
    for (let c = 0; c < this.top.length; c++) n += this.top[c];
    return n;
  }

  chunkCount(): number {
    return this.u8.length - this.releasedIds.length;
  }

  /** Capacity of the largest spare chunk (0: none). */
  spareCapacity(): number {
    let n = 0;
    for (const c of this.spares) n = Math.max(n, this.capacity[c]);
    return n;
  }

  /**
   * Stop bump-allocating from the tail chunk (so it can be evacuated); the next chunk takes
   * over. A new chunk is then sized for `liveBytes` rather than for the whole arena.
   */
  retireTail(liveBytes: number): void {
    this.tail = -1;
    this.nextChunkHint = liveBytes;
  }

  startEvacuation(c: number): void {
    this.evacuating = c;
  }

  /** Where a chunk's blocks begin (chunk 0 reserves NIL). */
  chunkStart(c: number): number {
    return c === 0 ? CHUNK0_START_BYTES : 0;
  }

  /** The evacuated chunk is empty: keep it as the spare (one at most) or release it. */
  finishEvacuation(): void {
    const c = this.evacuating;
    this.evacuating = -1;
    if (c < 0) return;
    this.top[c] = this.chunkStart(c);
    if (this.spares.length === 0) this.spares.push(c);
    else this.release(c);
  }

  /** Give every spare chunk back (MEMORY PURGE). */
  releaseSpares(): void {
    for (const c of this.spares) this.release(c);
    this.spares.length = 0;
  }

  /** Drop every block: all chunks but chunk 0 are released. */
  reset(): void {
    this.frees++;
    for (let c = 1; c < this.u8.length; c++) if (this.capacity[c] > 0) this.release(c);
    this.freeHead.fill(NIL);
    this.spares.length = 0;
    this.evacuating = -1;
    this.liveBytes = 0;
    this.freeBytes = 0;
    if (this.u8.length > 0 && this.capacity[0] > 0) {
      this.top[0] = CHUNK0_START_BYTES;
      this.live[0] = 0;
      this.tail = 0;
    } else {
      this.tail = -1;
    }
  }
}
