/**
 * The number of nodes Redis's radix tree (rax.c) has for a set of stream node keys, for XINFO
 * STREAM's `radix-tree-nodes`. Keys are the 16-byte big-endian master IDs of the stream's
 * nodes. rax keeps itself compressed: a chain of single-child positions is one node, a
 * position with several children is one branching node, each key ends in a leaf node, and an
 * empty tree is its root alone. Its insert splits and its delete re-merges chains, so the count
 * depends only on the set of keys.
 */
import type { StreamID } from './stream-id.js';

const KEY_BYTES = 16;

function keyBytes(id: StreamID): Uint8Array {
  const b = new Uint8Array(KEY_BYTES);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, id.ms);
  v.setBigUint64(8, id.seq);
  return b;
}

/** Nodes at depth `d` for keys[lo..hi) (sorted, distinct, sharing their first d bytes). */
function nodesAt(keys: Uint8Array[], lo: number, hi: number, d: number): number {
  let count = 0;
  for (;;) {
    if (d === KEY_BYTES) return count + 1;
    // Bytes shared by every key from d on: sorted, so the first and last keys tell.
    const a = keys[lo];
    const z = keys[hi - 1];
    let l = d;
    while (l < KEY_BYTES && a[l] === z[l]) l++;
    count++;
    if (l > d) {
      // A compressed node for the chain; continue below it.
      d = l;
      continue;
    }
    // A branching node: one child per distinct byte at d.
    let i = lo;
    while (i < hi) {
      let j = i + 1;
      while (j < hi && keys[j][d] === keys[i][d]) j++;
      count += nodesAt(keys, i, j, d + 1);
      i = j;
    }
    return count;
  }
}

/** rax->numnodes for a tree holding these IDs (ascending). */
export function raxNodeCount(ids: readonly StreamID[]): number {
  if (ids.length === 0) return 1;
  const keys = ids.map(keyBytes);
  return nodesAt(keys, 0, keys.length, 0);
}
