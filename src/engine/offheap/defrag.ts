/**
 * Active defragmentation in small time-budgeted steps. Free blocks of one size class cannot
 * serve another, so deletions and value-size changes leave holes. When holes pass a threshold,
 * the chunk with the lowest share of live bytes is evacuated: its live entries move to free
 * blocks elsewhere (or the tail), the bucket links and TTL-set slots that pointed to them are
 * repointed, and the emptied chunk is released. Work resumes where the last step stopped;
 * operations between steps are safe because the arena never allocates in the chunk under
 * evacuation (arena.ts).
 */
import type { OffHeapKeyspace } from './keyspace.js';
import { classIndex, F_FREE, F_LINKED, makeRef, W_FREE_SIZE, W_META } from './layout.js';
import { moveEntry } from './relayout.js';

/** Start when holes exceed this many bytes (Redis: active-defrag-ignore-bytes, scaled down)... */
const DEFRAG_MIN_WASTE_BYTES = 8 * 1024 * 1024;
/** ...and this share of the arena (Redis: active-defrag-threshold-lower). */
const DEFRAG_MIN_WASTE_PERCENT = 10;
/** Only chunks with at most this share of live bytes are worth evacuating. */
const EVACUATE_MAX_LIVE_PERCENT = 75;
/** Blocks walked between clock checks. */
const BLOCKS_PER_CLOCK_CHECK = 256;

export type DefragMode = 'background' | 'purge' | 'all';

export interface DefragStats {
  running: boolean;
  chunksEvacuated: number;
  entriesMoved: number;
  bytesMoved: number;
}

export class Defragmenter {
  private victim = -1;
  private pos = 0;
  private chunksEvacuated = 0;
  private entriesMoved = 0;
  private bytesMoved = 0;

  constructor(private readonly ks: OffHeapKeyspace) {}

  /** Bytes the arena has handed out that are not live (holes, free blocks, abandoned tails). */
  wasteBytes(): number {
    const a = this.ks.arena;
    return a.usedBytes() - a.liveBytes;
  }

  needed(): boolean {
    if (this.victim >= 0) return true;
    const a = this.ks.arena;
    const waste = this.wasteBytes();
    return waste > DEFRAG_MIN_WASTE_BYTES && waste * 100 > a.usedBytes() * DEFRAG_MIN_WASTE_PERCENT;
  }

  /**
   * Work for up to `budgetMs` on one chunk: pick a victim when none is in progress, move its
   * live entries away, release it when empty. Modes: `background` takes chunks at most
   * EVACUATE_MAX_LIVE_PERCENT live; `purge` too, and also the tail chunk, giving bump
   * allocation a new chunk sized for its live bytes; `all` takes any chunk in use (tests).
   * Returns true while the victim is unfinished.
   */
  step(budgetMs: number, mode: DefragMode = 'background'): boolean {
    const start = performance.now();
    const a = this.ks.arena;
    const e = this.ks.entries;
    if (this.victim < 0 && !this.pick(mode)) return false;
    const c = this.victim;
    const u32 = a.u32[c];
    let n = 0;
    while (this.pos < a.top[c]) {
      const ref = makeRef(c, this.pos);
      const w = this.pos >>> 2;
      const flags = u32[w + W_META] >>> 24;
      let size: number;
      if ((flags & F_FREE) !== 0) {
        size = u32[w + W_FREE_SIZE];
        if ((flags & F_LINKED) !== 0) a.unlink(ref, classIndex(size), size);
      } else {
        size = e.blockSize(ref);
        this.relocate(ref, size);
      }
      this.pos += size;
      if (++n % BLOCKS_PER_CLOCK_CHECK === 0 && performance.now() - start > budgetMs) return true;
    }
    a.finishEvacuation();
    this.victim = -1;
    this.chunksEvacuated++;
    return false;
  }

  /** Choose the non-tail chunk with the lowest live share. */
  private pick(mode: DefragMode): boolean {
    const a = this.ks.arena;
    let best = -1;
    let bestPercent = mode === 'all' ? 101 : EVACUATE_MAX_LIVE_PERCENT;
    // The tail chunk qualifies only when a spare chunk can take over bump allocation and hold
    // its live entries: otherwise evacuating it would just allocate a new chunk.
    const spare = a.spareCapacity();
    for (let c = 0; c < a.top.length; c++) {
      const used = a.top[c] - a.chunkStart(c);
      if (used <= 0 || a.capacity[c] === 0) continue;
      if (c === a.tail && a.live[c] > spare && mode !== 'purge') continue;
      const percent = (a.live[c] * 100) / used;
      if (percent < bestPercent) {
        best = c;
        bestPercent = percent;
      }
    }
    if (best < 0) return false;
    if (best === a.tail) a.retireTail(a.live[best]);
    this.victim = best;
    this.pos = a.chunkStart(best);
    a.startEvacuation(best);
    return true;
  }

  /** Move one live entry out of the victim chunk, repointing whatever referred to it. */
  private relocate(ref: number, size: number): void {
    const ks = this.ks;
    const h = ks.entries.hashOf(ref);
    for (let db = 0; db < ks.databases; db++) {
      const d = ks.dbs[db];
      if (d.dict.size === 0 || !d.dict.locate(ref, h)) continue;
      moveEntry(ks, d, ref, size);
      this.entriesMoved++;
      this.bytesMoved += size;
      return;
    }
    throw new Error(`defrag: entry ${ref} is in no database`);
  }

  /** Everything was dropped (flush): forget the evacuation in progress. */
  reset(): void {
    this.victim = -1;
    this.pos = 0;
  }

  stats(): DefragStats {
    return {
      running: this.victim >= 0,
      chunksEvacuated: this.chunksEvacuated,
      entriesMoved: this.entriesMoved,
      bytesMoved: this.bytesMoved,
    };
  }
}

/** Buckets moved per background rehash batch between clock checks. */
const REHASH_BATCH_BUCKETS = 100;

/** Background upkeep: finish rehashing every database, then defragment, within `budgetMs`. */
export function backgroundStep(ks: OffHeapKeyspace, budgetMs: number): void {
  const start = performance.now();
  for (const d of ks.dbs) {
    while (d.dict.rehashStep(REHASH_BATCH_BUCKETS)) if (performance.now() - start > budgetMs) return;
  }
  const left = budgetMs - (performance.now() - start);
  if (left > 0 && ks.defrag.needed()) ks.defrag.step(left);
  // Small collections' slabs (a bounded step; nothing to do unless they are mostly unused).
  if (performance.now() - start < budgetMs) ks.entries.objs.compactStep();
}
