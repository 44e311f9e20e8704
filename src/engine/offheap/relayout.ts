/**
 * Moving an entry to another block: with or without a TTL slot (EXPIRE on a key that had
 * none), or unchanged to another chunk (defragmentation). The caller has just found or located
 * the entry in its database's dict, so the bucket link can be repointed.
 */
import type { Db, OffHeapKeyspace } from './keyspace.js';
import {
  CLOCK_MASK,
  entryBytes,
  F_EXTERNAL,
  F_TTL,
  headerBytes,
  refChunk,
  refOffset,
  sizeClass,
  W_EXPIRE_HI,
  W_EXPIRE_LO,
  W_LENS,
  W_META,
  W_TTL_INDEX,
} from './layout.js';

/** Copy the entry at `ref` into a new block with (`slot`) or without a TTL slot. */
export function relayout(ks: OffHeapKeyspace, d: Db, ref: number, slot: boolean): number {
  const arena = ks.arena;
  const e = ks.entries;
  const oldSize = e.blockSize(ref);
  const sc = refChunk(ref);
  const so = refOffset(ref);
  const su32 = arena.u32[sc];
  const sw = so >>> 2;
  const meta = su32[sw + W_META];
  const flags = meta >>> 24;
  const hadSlot = (flags & F_TTL) !== 0;
  const external = (flags & F_EXTERNAL) !== 0;
  const lens = su32[sw + W_LENS];
  const newSize = external ? sizeClass(headerBytes(slot) + 4) : entryBytes(lens & 0xffff, lens >>> 16, slot);
  const nref = arena.alloc(newSize);
  const dc = refChunk(nref);
  const dof = refOffset(nref);
  const du32 = arena.u32[dc];
  const dw = dof >>> 2;
  const newFlags = slot ? flags | F_TTL : flags & ~F_TTL;
  du32[dw + W_META] = ((newFlags << 24) | (meta & CLOCK_MASK)) >>> 0;
  du32[dw + W_LENS] = lens;
  const at = e.expireAt(ref);
  if (slot) {
    du32[dw + W_EXPIRE_LO] = hadSlot ? su32[sw + W_EXPIRE_LO] : 0;
    du32[dw + W_EXPIRE_HI] = hadSlot ? su32[sw + W_EXPIRE_HI] : 0;
    du32[dw + W_TTL_INDEX] = hadSlot ? su32[sw + W_TTL_INDEX] : 0;
  }
  const sh = headerBytes(hadSlot);
  const dh = headerBytes(slot);
  const bodyLen = external ? 4 : (lens & 0xffff) + (lens >>> 16);
  arena.u8[sc].copy(arena.u8[dc], dof + dh, so + sh, so + sh + bodyLen);
  d.dict.replaceFound(ref, nref);
  if (at !== 0) d.ttl.arr[su32[sw + W_TTL_INDEX]] = nref;
  arena.free(ref, oldSize);
  return nref;
}

/** Move a live entry unchanged to a new block (never in the chunk being evacuated). */
export function moveEntry(ks: OffHeapKeyspace, d: Db, ref: number, size: number): number {
  const arena = ks.arena;
  const nref = arena.alloc(size);
  const sc = refChunk(ref);
  const so = refOffset(ref);
  arena.u8[sc].copy(arena.u8[refChunk(nref)], refOffset(nref), so, so + size);
  d.dict.replaceFound(ref, nref);
  const e = ks.entries;
  if (e.expireAt(ref) !== 0) d.ttl.arr[e.ttlIndex(ref)] = nref;
  arena.free(ref, size);
  return nref;
}
