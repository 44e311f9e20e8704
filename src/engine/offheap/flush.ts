/**
 * FLUSHDB, FLUSHALL and SWAPDB. Dropping everything resets the arena to one chunk at once;
 * dropping one database among others frees its entries one by one (O(keys), as Redis's
 * synchronous flush).
 */
import type { Db, OffHeapKeyspace } from './keyspace.js';

export function flushDb(ks: OffHeapKeyspace, db: number): void {
  ks.willChange(db, null);
  let othersEmpty = true;
  for (let i = 0; i < ks.databases && othersEmpty; i++)
    if (i !== db && ks.dbs[i].dict.size > 0) othersEmpty = false;
  if (othersEmpty) resetAll(ks);
  else freeDb(ks, ks.dbs[db]);
  ks.listener?.(db, null, 'flush');
}

export function flushAll(ks: OffHeapKeyspace): void {
  if (ks.before !== null) {
    // Database by database, as the before-change listener expects: empty each index (the
    // arena reset below then drops the entries of all of them at once).
    for (let i = 0; i < ks.databases; i++) {
      ks.willChange(i, null);
      ks.dbs[i].dict.clear();
      ks.dbs[i].ttl.clear();
      ks.listener?.(i, null, 'flush');
    }
    resetAll(ks);
    return;
  }
  resetAll(ks);
  for (let i = 0; i < ks.databases; i++) ks.listener?.(i, null, 'flush');
}

export function swapDb(ks: OffHeapKeyspace, a: number, b: number): void {
  ks.willChange(a, null);
  if (b !== a) ks.willChange(b, null);
  const t = ks.dbs[a];
  ks.dbs[a] = ks.dbs[b];
  ks.dbs[b] = t;
  // Pooled eviction candidates name a database: they would now point to the other one.
  ks.evictor.clear();
  ks.listener?.(a, null, 'flush');
  ks.listener?.(b, null, 'flush');
}

function freeDb(ks: OffHeapKeyspace, d: Db): void {
  const e = ks.entries;
  d.dict.forEach((ref) => {
    const size = e.blockSize(ref);
    e.dropRefs(ref);
    ks.arena.free(ref, size);
  });
  d.dict.clear();
  d.ttl.clear();
  ks.evictor.clear();
}

/** Drop everything at once: the arena goes back to one chunk. */
function resetAll(ks: OffHeapKeyspace): void {
  for (const d of ks.dbs) {
    d.dict.clear();
    d.ttl.clear();
  }
  ks.arena.reset();
  ks.entries.ext.clear();
  ks.entries.objs.clear();
  ks.entries.prefixes.clear();
  ks.defrag.reset();
  ks.evictor.clear();
}
