/**
 * Gives back soon, when `maxmemory` is set, the memory of short-lived Buffers: the copies of
 * big values that requests, replies and snapshots make. Many of them live long enough (a slow
 * client, a snapshot's pipeline) to reach V8's old generation, where only a full GC frees
 * them; V8 starts one on its own only once such external memory has grown by 64 MB since the
 * last, so under heavy traffic of big values with a small maxmemory that garbage (and the
 * malloc heap it leaves fragmented) outgrew the dataset itself. (The stored values themselves
 * live in slabs that are reused at once: engine/offheap/ext-slabs.ts.)
 *
 * This watches the bytes held by ArrayBuffers and asks for a full GC once their low point over
 * the last WINDOW_TICKS checks (TICK_MS apart) is a quarter of maxmemory (between
 * MIN_STEP_BYTES and MAX_STEP_BYTES) above what the last collection left. The low point skips
 * short-lived buffers (requests in flight, which scavenges free) and follows what only a full
 * GC frees. Growth that is live data (the dataset filling up) costs one collection per step;
 * with no maxmemory V8 keeps its own schedule.
 *
 * Not started by the server yet: it waits for a soak on a quiet machine (docs/memory-under-load.md).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ConfigStore } from '../config/store.js';

const TICK_MS = 250;
/** Checks a growth must last through (it shows in the window's low point). */
export const WINDOW_TICKS = 4;
const MIN_STEP_BYTES = 8 * 1024 * 1024;
/** V8's own step (its external-memory soft limit): above this, collecting early gains nothing. */
const MAX_STEP_BYTES = 64 * 1024 * 1024;
const STEP_SHARE_OF_MAXMEMORY = 4;

export interface ReclaimStats {
  /** Full collections asked for, and the milliseconds they took. */
  collections: number;
  ms: number;
}

let collect: (() => void) | null | undefined;

/** V8's full-GC function (`gc`), exposed for this module only; null where it cannot be had. */
export function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') {
    collect = g;
    return collect;
  }
  try {
    setFlagsFromString('--expose-gc');
    // A new context gets `gc` on its global; the server's own global stays as it was.
    collect = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
  } catch {
    collect = null;
  }
  return collect;
}

/** Bytes of growth in ArrayBuffer memory that trigger a collection under `maxmemory`. */
export function reclaimStep(maxmemory: number): number {
  return Math.min(MAX_STEP_BYTES, Math.max(MIN_STEP_BYTES, Math.floor(maxmemory / STEP_SHARE_OF_MAXMEMORY)));
}

/** Watches ArrayBuffer memory against `maxmemory` (see the top of this file). */
export class MemoryReclaim {
  readonly stats: ReclaimStats = { collections: 0, ms: 0 };
  private baseline = process.memoryUsage().arrayBuffers;
  /** The last WINDOW_TICKS samples, oldest first. */
  private readonly recent: number[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly config: Pick<ConfigStore, 'int'>) {}

  /** Check every TICK_MS until `stop`. */
  start(): this {
    this.timer ??= setInterval(() => this.check(), TICK_MS);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One check (a sample of the window): true when it ran a collection. */
  check(): boolean {
    const maxmemory = this.config.int('maxmemory');
    if (maxmemory <= 0) return false;
    const held = process.memoryUsage().arrayBuffers;
    // V8 collected on its own meanwhile: start again from there.
    if (held < this.baseline) this.baseline = held;
    this.recent.push(held);
    if (this.recent.length > WINDOW_TICKS) this.recent.shift();
    if (
      this.recent.length < WINDOW_TICKS ||
      Math.min(...this.recent) - this.baseline < reclaimStep(maxmemory)
    )
      return false;
    const gc = collector();
    if (gc === null) return false;
    const t0 = performance.now();
    gc();
    this.stats.ms += performance.now() - t0;
    this.stats.collections++;
    this.baseline = process.memoryUsage().arrayBuffers;
    this.recent.length = 0;
    return true;
  }
}
