/**
 * Memory accounting of the off-heap keyspace for MEMORY USAGE / STATS / DOCTOR / PURGE and
 * INFO memory. The dataset figure (usedMemory) is exact for the engine's own bytes: live
 * blocks (size-class rounded, as Redis counts malloc'd sizes), external values, index arrays.
 */
import type { EngineMemoryStats } from '../types.js';
import { EXTERNAL_OVERHEAD_BYTES } from './externals.js';
import type { OffHeapKeyspace } from './keyspace.js';
import { F_EXTERNAL, NIL } from './layout.js';

/** Bytes one key costs: its block, its external bytes, one bucket slot and a TTL set slot. */
export function keyMemoryUsage(ks: OffHeapKeyspace, db: number, key: Buffer): number | null {
  if (!ks.exists(db, key)) return null;
  const ref = ks.dbs[db].dict.find(key, ks.hash(key));
  if (ref === NIL) return null;
  const e = ks.entries;
  let bytes = e.blockSize(ref);
  if ((e.flags(ref) & F_EXTERNAL) !== 0)
    bytes += e.keyLen(ref) + e.storedValueLen(ref) + EXTERNAL_OVERHEAD_BYTES;
  const obj = e.objectAt(ref);
  if (obj !== null) bytes += obj.memory();
  // A bucket slot per key at load factor 1.
  return bytes + 4 + (e.expireAt(ref) !== 0 ? 4 : 0);
}

export function memoryStats(ks: OffHeapKeyspace): EngineMemoryStats {
  const a = ks.arena;
  const ext = ks.entries.ext;
  const dbs: EngineMemoryStats['dbs'] = [];
  for (let db = 0; db < ks.databases; db++) {
    const { dict, ttl } = ks.dbs[db];
    if (dict.size === 0) continue;
    dbs.push({ db, mainBytes: (dict.t0.length + dict.t1.length) * 4, expiresBytes: ttl.arr.length * 4 });
  }
  const d = ks.defrag.stats();
  const packed = ks.entries.objs.blocks;
  // Small collections at rest are charged with their objects (datasetBytes); their slabs' unused
  // space is the engine's like the arena's.
  const packedUnused = packed.reservedBytes - packed.liveBytes;
  return {
    datasetBytes: a.liveBytes + ext.bytes + ks.entries.objs.bytes + ks.entries.prefixes.memory,
    indexBytes: ks.index.bytes,
    // Slabs count whole (their free blocks too), other external Buffers by what they hold.
    allocatedBytes:
      a.reservedBytes +
      ks.index.bytes +
      ext.bytes -
      ext.slabs.liveBytes +
      ext.slabs.reservedBytes +
      packedUnused,
    fragmentationBytes: a.reservedBytes - a.liveBytes + packedUnused,
    dbs,
    extra: [
      ['engine', ks.name],
      ['arena.chunks', a.chunkCount()],
      ['arena.reserved', a.reservedBytes],
      ['arena.handed-out', a.usedBytes()],
      ['arena.live', a.liveBytes],
      ['arena.free-lists', a.freeBytes],
      ['external.values', ext.count()],
      ['external.bytes', ext.bytes],
      ['external.slab-bytes', ext.slabs.reservedBytes],
      ['external.slab-live', ext.slabs.liveBytes],
      ['packed.slab-bytes', packed.reservedBytes],
      ['packed.live', packed.liveBytes],
      ['compression.threshold', ks.entries.compressionThreshold],
      ['prefixes.count', ks.entries.prefixes.count()],
      ['prefixes.bytes', ks.entries.prefixes.memory],
      ['defrag.running', d.running ? 1 : 0],
      ['defrag.chunks-evacuated', d.chunksEvacuated],
      ['defrag.entries-moved', d.entriesMoved],
      ['defrag.bytes-moved', d.bytesMoved],
    ],
  };
}

/** Compact the arena for up to `budgetMs` (emptiest chunks first), then release spare chunks. */
export function purge(ks: OffHeapKeyspace, budgetMs: number): void {
  const start = performance.now();
  while (performance.now() - start < budgetMs) {
    const before = ks.defrag.stats().chunksEvacuated;
    const running = ks.defrag.step(budgetMs - (performance.now() - start), 'purge');
    if (!running && ks.defrag.stats().chunksEvacuated === before) break;
  }
  ks.arena.releaseSpares();
}
