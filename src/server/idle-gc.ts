/**
 * One full garbage collection once the server has gone quiet after work that grew the JS heap.
 *
 * A burst of commands (a bulk load, a pipeline of writes) leaves the heap holding garbage and
 * the young generation grown to its limit; V8 collects the old generation only when allocation
 * drives it there, so a server that then goes quiet keeps that memory resident indefinitely
 * (measured on 100k small lists: 41-45 bytes of RSS per element 2-12 s after loading, 27-29
 * after one full collection; docs/memory-under-load.md). Redis's memory has no such tail. Here
 * the cron asks,
 * once no command has run for IDLE_MS and the heap grew by GROWTH_BYTES since the last
 * collection this module made, for one full collection: nobody is waiting then, and the pause
 * (a few milliseconds for the small heap Cairn keeps, since values live off it) is taken at
 * most once per quiet period.
 */
import { getHeapStatistics } from 'node:v8';
import { collector } from './memory-reclaim.js';

/** Quiet time (no command) before collecting. */
export const IDLE_MS = 1000;
/** Heap growth since the last idle collection worth one. */
export const GROWTH_BYTES = 4 * 1024 * 1024;

export interface IdleGcOptions {
  /** The full collection (default: V8's `gc`); null: never collect. */
  gc?: (() => void) | null;
  /** Bytes in use on the JS heap (default: V8's heap statistics). */
  heapUsed?: () => number;
}

export class IdleGc {
  /** Collections made (INFO is not told; tests and logs read it). */
  collections = 0;
  private readonly gc: (() => void) | null;
  private readonly heapUsed: () => number;
  private lastCommands = -1;
  private quietSince = 0;
  /** A command ran since the last check that found the heap grown, or since the last collection. */
  private active = false;
  private baseline: number;

  constructor(opts: IdleGcOptions = {}) {
    this.gc = opts.gc === undefined ? collector() : opts.gc;
    this.heapUsed = opts.heapUsed ?? (() => getHeapStatistics().used_heap_size);
    this.baseline = this.heapUsed();
  }

  /** Called by the server's cron with the commands run so far and the clock (ms). */
  tick(commands: number, now: number): boolean {
    if (commands !== this.lastCommands) {
      this.lastCommands = commands;
      this.quietSince = now;
      this.active = true;
      return false;
    }
    if (!this.active || this.gc === null || now - this.quietSince < IDLE_MS) return false;
    // Once per quiet period, whatever the heap says.
    this.active = false;
    if (this.heapUsed() - this.baseline < GROWTH_BYTES) return false;
    this.gc();
    this.collections++;
    this.baseline = this.heapUsed();
    return true;
  }
}
