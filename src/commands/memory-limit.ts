/**
 * What `maxmemory` bounds. Redis compares its whole allocation (dataset, the Lua VMs, buffers,
 * its own structures) with maxmemory; Cairn's process is a JS runtime whose heap is no measure
 * of the data, so maxmemory bounds what Cairn can attribute to the data itself: the dataset as
 * the engine accounts it, plus the Lua VMs (scripts and function libraries), which Redis counts
 * too. A tiny maxmemory (Redis's tests use 1 byte) is therefore always exceeded, as in Redis.
 * INFO's `mem_not_counted_for_evict` is everything else.
 */
import type { ServerApi } from './context.js';

/** Bytes maxmemory is compared with. */
export function countedMemory(server: ServerApi): number {
  return server.keyspace.usedMemory() + server.scripting.vmMemory;
}

/**
 * Evict by the configured policy until the counted memory is within `maxBytes` (Redis's
 * performEvictions). False when it cannot get there (noeviction, or nothing left to evict).
 */
export function makeRoom(server: ServerApi, maxBytes: number): boolean {
  // While clients are paused the dataset stands still: nothing is evicted, nothing refused.
  if (server.pause.type !== 'off' && server.pause.active()) return true;
  return server.keyspace.makeRoom(maxBytes - server.scripting.vmMemory);
}
