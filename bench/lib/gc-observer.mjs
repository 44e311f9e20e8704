/**
 * Preloaded into a benchmarked Node server (`node --import bench/lib/gc-observer.mjs ...`):
 * reports every garbage collection pause on stderr as `cairn-gc <kind> <pause ms> <unix ms>`,
 * so a benchmark can take the longest pause inside its own time window. (--trace-gc prints
 * through C stdio, which a pipe buffers until exit, so its lines cannot be placed in time.)
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental-marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

new PerformanceObserver((list) => {
  let lines = '';
  for (const e of list.getEntries()) {
    const kind = KINDS[e.detail?.kind ?? e.kind] ?? 'other';
    lines += `cairn-gc ${kind} ${e.duration.toFixed(3)} ${Math.round(performance.timeOrigin + e.startTime)}\n`;
  }
  process.stderr.write(lines);
}).observe({ entryTypes: ['gc'] });
