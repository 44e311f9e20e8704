/**
 * Fast paths of SET and GET for the common entry: a plain string (inline, no TTL slot, no key
 * prefix, not compressed, not raw, not a collection). They read the entry's header words once
 * instead of going through the general helpers of entries.ts and write.ts, which re-derive the
 * chunk view and flags for every field. Anything else returns "not done" and the caller takes
 * the general path, so behaviour is the same either way.
 */
import { isCollection, type StoredValue } from '../values/collection.js';
import { copyIn, copyOut } from './copy.js';
import { hashBytes } from './hash.js';
import type { OffHeapKeyspace } from './keyspace.js';
import {
  entryBytes,
  F_COMPRESSED,
  F_EXTERNAL,
  F_OBJECT,
  F_PREFIX,
  F_RAW,
  F_TTL,
  HEADER_BYTES,
  isInline,
  NIL,
  refChunk,
  refOffset,
  TTL_SLOT_BYTES,
  W_LENS,
  W_META,
} from './layout.js';

/** Flags that take an entry off the plain path. */
const NOT_PLAIN = F_TTL | F_COMPRESSED | F_EXTERNAL | F_PREFIX | F_OBJECT | F_RAW;
/** Flags that keep GET from copying the value straight out of the arena. */
const NOT_DIRECT = F_COMPRESSED | F_EXTERNAL | F_OBJECT;

/**
 * SET of `value` without a TTL (`expireAtMs` 0, not `raw`) over the plain entry `ref` (just
 * found, live), in place, when its block's size class does not change: what overwriteEntry
 * does for such an entry (the access clock touched, the flags stay 0). False, with nothing
 * changed, for any other case (a collection, a value to compress, a TTL, another entry form).
 */
export function overwritePlain(
  ks: OffHeapKeyspace,
  ref: number,
  value: StoredValue,
  expireAtMs: number,
  raw: boolean,
  now: number,
): boolean {
  if (expireAtMs !== 0 || raw || isCollection(value)) return false;
  const threshold = ks.entries.compressionThreshold;
  if (threshold > 0 && value.length >= threshold) return false;
  const c = refChunk(ref);
  const o = refOffset(ref);
  const u32 = ks.arena.u32[c];
  const w = o >>> 2;
  if (((u32[w + W_META] >>> 24) & NOT_PLAIN) !== 0) return false;
  const lens = u32[w + W_LENS];
  const klen = lens & 0xffff;
  const vlen = value.length;
  if (!isInline(klen, vlen, false) || entryBytes(klen, lens >>> 16, false) !== entryBytes(klen, vlen, false))
    return false;
  ks.touchRef(ref, now);
  u32[w + W_LENS] = (klen | (vlen << 16)) >>> 0;
  copyIn(ks.arena.u8[c], o + HEADER_BYTES + klen, value);
  return true;
}

/**
 * GET's read of the live entry `ref`: its collection, or a fresh copy of its string. Strings
 * stored inline and uncompressed (TTL slot and key prefix allowed) are copied straight out.
 */
export function readStored(ks: OffHeapKeyspace, ref: number): StoredValue {
  const c = refChunk(ref);
  const o = refOffset(ref);
  const u32 = ks.arena.u32[c];
  const w = o >>> 2;
  const flags = u32[w + W_META] >>> 24;
  if ((flags & NOT_DIRECT) !== 0) return ks.entries.objectAt(ref) ?? ks.entries.readValue(ref);
  const lens = u32[w + W_LENS];
  const len = lens >>> 16;
  const off = o + ((flags & F_TTL) === 0 ? HEADER_BYTES : HEADER_BYTES + TTL_SLOT_BYTES) + (lens & 0xffff);
  return copyOut(ks.arena.u8[c], off, len);
}

/** Where prefetch leaves what it read, so the reads are not optimised away. */
const prefetchSink = { value: 0 };

/**
 * Keyspace.prefetch: read the bucket, then the first entry's header, of every key named, in
 * one loop with no dependency between keys, so the CPU has their cache misses in flight
 * together. The lookups that follow then find those lines in cache. Reads only; skipped while
 * the dict rehashes (half the keys would be in the other table).
 */
export function prefetchKeys(
  ks: OffHeapKeyspace,
  db: number,
  keys: Buffer[],
  from: number,
  step: number,
): void {
  const dict = ks.dbs[db].dict;
  const t = dict.t0;
  if (t.length === 0 || dict.rehashIdx >= 0) return;
  const mask = dict.mask0;
  const u32s = ks.arena.u32;
  const seed = ks.seed;
  let acc = 0;
  for (let j = from; j < keys.length; j += step) {
    const k = keys[j];
    const ref = t[hashBytes(k, 0, k.length, seed) & mask];
    if (ref !== NIL) acc ^= u32s[refChunk(ref)][(refOffset(ref) >>> 2) + W_META];
  }
  prefetchSink.value ^= acc;
}
