/**
 * A full consistency check of an off-heap keyspace: every chunk walks cleanly block by block,
 * the byte counters match, free lists are well linked, every live block is reachable from
 * exactly one database's dict in the bucket its hash names, and TTL sets point back and forth.
 * O(size of the arena): for tests and DEBUG-style diagnostics, never the hot path.
 */
import type { OffHeapKeyspace } from './keyspace.js';
import {
  classIndex,
  F_FREE,
  F_LINKED,
  F_TTL,
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

function fail(msg: string): never {
  throw new Error(`offheap keyspace inconsistent: ${msg}`);
}

export function verifyKeyspace(ks: OffHeapKeyspace): void {
  const a = ks.arena;
  const e = ks.entries;
  const live = new Set<number>();
  let liveTotal = 0;
  let linkedTotal = 0;
  for (let c = 0; c < a.u8.length; c++) {
    if (a.capacity[c] === 0) continue;
    const u32 = a.u32[c];
    let pos = a.chunkStart(c);
    let liveC = 0;
    while (pos < a.top[c]) {
      const ref = makeRef(c, pos);
      const flags = u32[(pos >>> 2) + W_META] >>> 24;
      let size: number;
      if ((flags & F_FREE) !== 0) {
        size = u32[(pos >>> 2) + W_FREE_SIZE];
        if ((flags & F_LINKED) !== 0) linkedTotal += size;
      } else {
        size = e.blockSize(ref);
        live.add(ref);
        liveC += size;
      }
      if (size <= 0 || size % 8 !== 0) fail(`chunk ${c} block at ${pos} has size ${size}`);
      pos += size;
    }
    if (pos !== a.top[c]) fail(`chunk ${c} walk ends at ${pos}, top ${a.top[c]}`);
    if (liveC !== a.live[c]) fail(`chunk ${c} live ${liveC} != counter ${a.live[c]}`);
    liveTotal += liveC;
  }
  if (liveTotal !== a.liveBytes) fail(`live bytes ${liveTotal} != counter ${a.liveBytes}`);
  if (linkedTotal !== a.freeBytes) fail(`free bytes ${linkedTotal} != counter ${a.freeBytes}`);

  let listed = 0;
  for (let cls = 0; cls < NUM_CLASSES; cls++) {
    let prev = NIL;
    for (
      let ref = a.freeHead[cls];
      ref !== NIL;
      ref = a.u32[refChunk(ref)][(refOffset(ref) >>> 2) + W_NEXT]
    ) {
      const w = refOffset(ref) >>> 2;
      const u32 = a.u32[refChunk(ref)];
      if (u32[w + W_META] >>> 24 !== (F_FREE | F_LINKED))
        fail(`free list ${cls} holds a non-free block ${ref}`);
      if (u32[w + W_PREV_FREE] !== prev) fail(`free list ${cls} back link broken at ${ref}`);
      if (classIndex(u32[w + W_FREE_SIZE]) !== cls) fail(`block ${ref} on the wrong free list ${cls}`);
      if (refChunk(ref) === a.evacuating) fail(`free list ${cls} holds a block of the evacuated chunk`);
      listed += u32[w + W_FREE_SIZE];
      prev = ref;
    }
  }
  if (listed !== a.freeBytes) fail(`free lists hold ${listed} bytes, counter ${a.freeBytes}`);

  const prefixRefs = new Map<number, number>();
  let indexBytes = 0;
  for (let db = 0; db < ks.databases; db++) {
    const { dict, ttl } = ks.dbs[db];
    indexBytes += (dict.t0.length + dict.t1.length + ttl.arr.length) * 4;
    let count = 0;
    let withTtl = 0;
    const tables = [dict.t0, dict.t1];
    const masks = [dict.mask0, dict.mask1];
    for (let t = 0; t < 2; t++) {
      const table = tables[t];
      for (let b = 0; b < table.length; b++) {
        for (let ref = table[b]; ref !== NIL; ref = a.u32[refChunk(ref)][(refOffset(ref) >>> 2) + W_NEXT]) {
          if (!live.delete(ref)) fail(`db ${db} reaches ${ref}, not a live block (or reached twice)`);
          if ((e.hashOf(ref) & masks[t]) !== b) fail(`db ${db} entry ${ref} in the wrong bucket`);
          count++;
          const at = e.expireAt(ref);
          if (at !== 0) withTtl++;
          const pid = e.prefixId(ref);
          if (pid !== 0) prefixRefs.set(pid, (prefixRefs.get(pid) ?? 0) + 1);
          if (at !== 0 && ttl.arr[e.ttlIndex(ref)] !== ref) fail(`db ${db} entry ${ref} TTL index broken`);
        }
      }
    }
    if (count !== dict.size) fail(`db ${db} holds ${count} entries, size says ${dict.size}`);
    if (withTtl !== ttl.len) fail(`db ${db} has ${withTtl} keys with a TTL, TTL set holds ${ttl.len}`);
    for (let i = 0; i < ttl.len; i++) {
      const ref = ttl.arr[i];
      if ((e.flags(ref) & F_TTL) === 0 || e.expireAt(ref) === 0)
        fail(`db ${db} TTL set holds ${ref} without TTL`);
      if (e.ttlIndex(ref) !== i)
        fail(`db ${db} TTL set index ${i} points to an entry that says ${e.ttlIndex(ref)}`);
    }
  }
  if (live.size !== 0) fail(`${live.size} live blocks reachable from no database`);
  const prefixes = e.prefixes;
  for (let id = 1; id < prefixes.refs.length; id++) {
    const want = prefixRefs.get(id) ?? 0;
    if (prefixes.bytes[id].length > 0 && prefixes.refs[id] !== want)
      fail(`prefix ${id} has ${prefixes.refs[id]} references, ${want} entries use it`);
    if (prefixes.bytes[id].length === 0 && want > 0) fail(`entries use released prefix ${id}`);
  }
  if (indexBytes !== ks.index.bytes) fail(`index bytes ${indexBytes} != counter ${ks.index.bytes}`);
}
