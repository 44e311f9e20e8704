/**
 * In-place edits of string values (Keyspace.patchString), for commands that change a few bytes
 * of what may be a large value (SETBIT, BITFIELD): the engines edit the stored bytes instead of
 * copying the whole value per command. Growth keeps spare room the way Redis's sdsMakeRoomFor
 * does (double below 1 MB, then 1 MB more), so a bitmap grown a little at a time costs
 * amortized O(1) per write rather than a copy of the value each time. The spare room is
 * counted as memory, as Redis counts an sds string's allocation.
 */

/** Changes `bytes` during the call (never keeps them); true when it changed any byte. */
export type StringEdit = (bytes: Buffer) => boolean;

/** Redis's SDS_MAX_PREALLOC: below it room doubles, above it grows by this much. */
const MAX_PREALLOC_BYTES = 1024 * 1024;

/**
 * Backing stores allocated here: one value each, at offset 0, and the bytes past the value's
 * end are zeros no view has ever exposed, so a longer view is the value zero-padded.
 */
const ROOMY = new WeakSet<ArrayBufferLike>();

/** Redis's greedy growth for a string of `n` bytes. */
export function capacityFor(n: number): number {
  return n < MAX_PREALLOC_BYTES ? n * 2 : n + MAX_PREALLOC_BYTES;
}

/** Bytes a stored string costs: its whole backing store when it has spare room here. */
export function storedBytes(v: Uint8Array): number {
  return ROOMY.has(v.buffer) ? v.buffer.byteLength : v.length;
}

/**
 * `v` made at least `minLength` bytes long (zero-padded) and safe to change: `v` itself when
 * long enough and not `shared`; a longer view of its store when that has room; else a copy in
 * a new store (with spare room when it had to grow). `shared` bytes (handed out to a reader
 * who may still hold them) are always copied.
 */
export function editable(v: Buffer, minLength: number, shared: boolean): Buffer {
  const need = Math.max(minLength, v.length);
  if (!shared) {
    if (need === v.length) return v;
    if (ROOMY.has(v.buffer) && need <= v.buffer.byteLength) return Buffer.from(v.buffer, 0, need);
  }
  const store = new ArrayBuffer(need === v.length ? need : capacityFor(need));
  if (store.byteLength > need) ROOMY.add(store);
  const out = Buffer.from(store, 0, need);
  v.copy(out);
  return out;
}
