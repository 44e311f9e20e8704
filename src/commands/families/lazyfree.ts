/**
 * Redis frees a large value in a background thread (UNLINK, FLUSHDB/FLUSHALL ASYNC) and counts
 * it in INFO memory `lazyfreed_objects`. Cairn never frees a value synchronously: dropping the
 * last reference leaves the work to the collector, off the command's path. So these commands
 * cost the same as DEL here; the counter follows Redis's rule (lazyfree.c) so that it reads the
 * same: a value counts when freeing it takes more than LAZYFREE_THRESHOLD allocations in Redis,
 * and an asynchronous flush counts every key it drops.
 */
import { isCollection, type StoredValue } from '../../engine/values/collection.js';
import { StreamValue } from '../../engine/values/stream.js';
import type { CommandContext } from '../context.js';

/** Redis's LAZYFREE_THRESHOLD: values of fewer allocations are freed at once even by UNLINK. */
const LAZYFREE_THRESHOLD = 64;
/** Bytes of one quicklist node for list-max-listpack-size -1..-5 (4 KB .. 64 KB). */
const QUICKLIST_NODE_BYTES = [4096, 8192, 16384, 32768, 65536];

/**
 * Redis's lazyfreeGetFreeEffort: the allocations freeing `v` takes. Lists count quicklist nodes
 * (estimated from the node size limit, since Cairn does not keep nodes), hashtable-encoded
 * hashes and sets and skiplist-encoded sorted sets count elements, streams count radix-tree
 * nodes plus, per group, one allocation and the first group's PEL size; everything else is one.
 */
export function freeEffort(v: StoredValue, listFill: number): number {
  if (!isCollection(v)) return 1;
  switch (v.type) {
    case 'list': {
      if (v.size() === 0) return 0;
      if (listFill > 0) return Math.ceil(v.size() / listFill);
      const nodeBytes = QUICKLIST_NODE_BYTES[Math.min(-listFill, 5) - 1];
      return Math.max(1, Math.ceil(v.memory() / nodeBytes));
    }
    case 'hash':
    case 'set':
      return v.encoding() === 'hashtable' ? v.size() : 1;
    case 'zset':
      return v.encoding() === 'skiplist' ? v.size() : 1;
    case 'stream': {
      if (!(v instanceof StreamValue)) return 1;
      let effort = v.raxNodes();
      const first = v.groups.values().next();
      if (!first.done) effort += v.groups.size * (1 + first.value.pel.size);
      return effort;
    }
    default:
      return 1;
  }
}

/** UNLINK: count the values among `keys` (argv[1..]) that Redis would free in the background. */
export function countUnlinked(ctx: CommandContext, argv: readonly Buffer[]): void {
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const fill = ctx.server.config.int('list-max-listpack-size');
  for (let i = 1; i < argv.length; i++) {
    const e = ks.exists(db, argv[i]) ? ks.peekEntry(db, argv[i]) : null;
    if (e !== null && freeEffort(e.value, fill) > LAZYFREE_THRESHOLD) ctx.server.stats.lazyfreedObjects++;
  }
}

/** FLUSHDB ASYNC (`db`) or FLUSHALL ASYNC (every database): every key dropped counts. */
export function countFlushedAsync(ctx: CommandContext, db: number | null): void {
  const ks = ctx.server.keyspace;
  let n = 0;
  if (db !== null) n = ks.dbSize(db);
  else for (let d = 0; d < ks.databases; d++) n += ks.dbSize(d);
  ctx.server.stats.lazyfreedObjects += n;
}
