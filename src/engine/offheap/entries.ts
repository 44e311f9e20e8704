/**
 * Reading and writing entries in the arena (layout.ts). Three twists on the plain layout: a key
 * may be stored as a shared-prefix id plus the rest (prefixes.ts), a value may be stored
 * LZ4-compressed (compress.ts), and the few entries too big for an arena block keep their
 * header in the arena and their key and value in an external Buffer (externals.ts). Readers
 * always get the full key and the original value bytes.
 */

import type { Collection } from '../values/collection.js';
import type { Arena } from './arena.js';
import { compressIfSmaller, decompress } from './compress.js';
import { copyIn, copyOut } from './copy.js';
import { Externals } from './externals.js';
import { bytesEqual, bytesEqualAt, hashBytes } from './hash.js';
import {
  CLOCK_MASK,
  entryBytes,
  F_COMPRESSED,
  F_EXTERNAL,
  F_FREE,
  F_OBJECT,
  F_PREFIX,
  F_RAW,
  F_TTL,
  HEADER_BYTES,
  headerBytes,
  isInline,
  PREFIX_ID_BYTES,
  refChunk,
  refOffset,
  sizeClass,
  TTL_SLOT_BYTES,
  TWO_POW_32,
  W_EXPIRE_HI,
  W_EXPIRE_LO,
  W_FREE_SIZE,
  W_LENS,
  W_META,
  W_TTL_INDEX,
} from './layout.js';
import { Objects, objectIdBytes } from './objects.js';
import { Prefixes } from './prefixes.js';

/** The encoded form of a value as it will be stored. */
export interface StoredValue {
  bytes: Buffer;
  compressed: boolean;
  /** `bytes` is the id of a collection in `objs`. */
  object: boolean;
  /** A string in Redis's raw encoding (F_RAW); absent: false. */
  raw?: boolean;
}

export class Entries {
  readonly ext = new Externals();
  readonly objs = new Objects();
  readonly prefixes: Prefixes;
  /** Scratch space to assemble a prefixed key for hashing. */
  private scratch = Buffer.alloc(256);
  /** Values of at least this many bytes are offered to LZ4 (0 = never). */
  compressionThreshold = 0;
  readonly stored: StoredValue = { bytes: Buffer.alloc(0), compressed: false, object: false };

  constructor(
    readonly arena: Arena,
    readonly seed: number,
  ) {
    this.prefixes = new Prefixes(seed);
  }

  /** Byte offset of the key area of the inline entry at `ref` in its chunk. */
  private keyOffset(ref: number, flags: number): number {
    return refOffset(ref) + ((flags & F_TTL) === 0 ? HEADER_BYTES : HEADER_BYTES + TTL_SLOT_BYTES);
  }

  /** Prefix id of an entry (0: none). */
  prefixId(ref: number): number {
    const flags = this.flags(ref);
    if ((flags & F_PREFIX) === 0) return 0;
    const u8 = this.arena.u8[refChunk(ref)];
    const off = this.keyOffset(ref, flags);
    return u8[off] | (u8[off + 1] << 8);
  }

  flags(ref: number): number {
    return this.arena.u32[refChunk(ref)][(refOffset(ref) >>> 2) + W_META] >>> 24;
  }

  /** Set flag bits `f` of the live entry `ref`. */
  addFlags(ref: number, f: number): void {
    const u32 = this.arena.u32[refChunk(ref)];
    const w = (refOffset(ref) >>> 2) + W_META;
    u32[w] = (u32[w] | (f << 24)) >>> 0;
  }

  /** Absolute expiry (Unix ms), 0 when none. */
  expireAt(ref: number): number {
    const c = refChunk(ref);
    const o = refOffset(ref);
    const u32 = this.arena.u32[c];
    const w = o >>> 2;
    if (((u32[w + W_META] >>> 24) & F_TTL) === 0) return 0;
    return u32[w + W_EXPIRE_HI] * TWO_POW_32 + u32[w + W_EXPIRE_LO];
  }

  keyLen(ref: number): number {
    const c = refChunk(ref);
    const w = refOffset(ref) >>> 2;
    const u32 = this.arena.u32[c];
    const flags = u32[w + W_META] >>> 24;
    if ((flags & F_EXTERNAL) !== 0) return this.ext.keyLens[this.extId(ref)];
    const stored = u32[w + W_LENS] & 0xffff;
    if ((flags & F_PREFIX) === 0) return stored;
    return this.prefixes.bytes[this.prefixId(ref)].length + stored - PREFIX_ID_BYTES;
  }

  /** Id of an external entry's Buffer. */
  extId(ref: number): number {
    const u32 = this.arena.u32[refChunk(ref)];
    const w = refOffset(ref) >>> 2;
    const ttl = ((u32[w + W_META] >>> 24) & F_TTL) !== 0;
    return u32[w + (headerBytes(ttl) >>> 2)];
  }

  /** Does the entry at `ref` hold exactly the bytes of `key`? */
  keyEquals(ref: number, key: Buffer): boolean {
    const c = refChunk(ref);
    const o = refOffset(ref);
    const u32 = this.arena.u32[c];
    const w = o >>> 2;
    const flags = u32[w + W_META] >>> 24;
    const len = key.length;
    if ((flags & (F_EXTERNAL | F_PREFIX)) === 0) {
      if ((u32[w + W_LENS] & 0xffff) !== len) return false;
      return bytesEqual(
        this.arena.u8[c],
        o + ((flags & F_TTL) === 0 ? HEADER_BYTES : HEADER_BYTES + TTL_SLOT_BYTES),
        key,
        len,
      );
    }
    if ((flags & F_EXTERNAL) === 0) {
      // Prefixed: the prefix from the table, the rest from the arena.
      const u8 = this.arena.u8[c];
      const off = this.keyOffset(ref, flags);
      const p = this.prefixes.bytes[u8[off] | (u8[off + 1] << 8)];
      const rest = (u32[w + W_LENS] & 0xffff) - PREFIX_ID_BYTES;
      if (p.length + rest !== len) return false;
      // The rest first: keys sharing a prefix differ there.
      return bytesEqualAt(u8, off + PREFIX_ID_BYTES, key, p.length, rest) && bytesEqual(p, 0, key, p.length);
    }
    const id = this.extId(ref);
    if (this.ext.keyLens[id] !== len) return false;
    return bytesEqual(this.ext.bufs[id], 0, key, len);
  }

  /** Hash of the key stored at `ref` (rehashing, relocation). */
  hashOf(ref: number): number {
    const c = refChunk(ref);
    const o = refOffset(ref);
    const u32 = this.arena.u32[c];
    const flags = u32[(o >>> 2) + W_META] >>> 24;
    if ((flags & (F_EXTERNAL | F_PREFIX)) === 0) {
      const off = o + ((flags & F_TTL) === 0 ? HEADER_BYTES : HEADER_BYTES + TTL_SLOT_BYTES);
      return hashBytes(this.arena.u8[c], off, u32[(o >>> 2) + W_LENS] & 0xffff, this.seed);
    }
    if ((flags & F_EXTERNAL) === 0) {
      const len = this.assembleKey(ref, flags);
      return hashBytes(this.scratch, 0, len, this.seed);
    }
    const id = this.extId(ref);
    return hashBytes(this.ext.bufs[id], 0, this.ext.keyLens[id], this.seed);
  }

  /** Copy a prefixed entry's full key into `scratch`; returns its length. */
  private assembleKey(ref: number, flags: number): number {
    const c = refChunk(ref);
    const u8 = this.arena.u8[c];
    const off = this.keyOffset(ref, flags);
    const p = this.prefixes.bytes[u8[off] | (u8[off + 1] << 8)];
    const rest = (this.arena.u32[c][(refOffset(ref) >>> 2) + W_LENS] & 0xffff) - PREFIX_ID_BYTES;
    const len = p.length + rest;
    if (this.scratch.length < len) this.scratch = Buffer.alloc(Math.max(len, this.scratch.length * 2));
    p.copy(this.scratch, 0);
    u8.copy(this.scratch, p.length, off + PREFIX_ID_BYTES, off + PREFIX_ID_BYTES + rest);
    return len;
  }

  /** A fresh copy of the key at `ref`. */
  copyKey(ref: number): Buffer {
    const c = refChunk(ref);
    const o = refOffset(ref);
    const u32 = this.arena.u32[c];
    const flags = u32[(o >>> 2) + W_META] >>> 24;
    if ((flags & F_EXTERNAL) !== 0) {
      const id = this.extId(ref);
      return Buffer.from(this.ext.bufs[id].subarray(0, this.ext.keyLens[id]));
    }
    if ((flags & F_PREFIX) !== 0) {
      const len = this.assembleKey(ref, flags);
      return copyOut(this.scratch, 0, len);
    }
    const off = o + ((flags & F_TTL) === 0 ? HEADER_BYTES : HEADER_BYTES + TTL_SLOT_BYTES);
    const len = u32[(o >>> 2) + W_LENS] & 0xffff;
    return copyOut(this.arena.u8[c], off, len);
  }

  /**
   * The key at `ref` without copying: a view into the arena (or scratch space for a prefixed
   * key). Valid only until the keyspace next changes or assembles another key.
   */
  keyView(ref: number): Buffer {
    const c = refChunk(ref);
    const o = refOffset(ref);
    const u32 = this.arena.u32[c];
    const flags = u32[(o >>> 2) + W_META] >>> 24;
    if ((flags & F_EXTERNAL) !== 0) {
      const id = this.extId(ref);
      return this.ext.bufs[id].subarray(0, this.ext.keyLens[id]);
    }
    if ((flags & F_PREFIX) !== 0) return this.scratch.subarray(0, this.assembleKey(ref, flags));
    const off = this.keyOffset(ref, flags);
    return this.arena.u8[c].subarray(off, off + (u32[(o >>> 2) + W_LENS] & 0xffff));
  }

  /** The value at `ref` without copying when stored uncompressed; same validity as keyView. */
  valueView(ref: number): Buffer {
    const c = refChunk(ref);
    const o = refOffset(ref);
    const u32 = this.arena.u32[c];
    const flags = u32[(o >>> 2) + W_META] >>> 24;
    if ((flags & F_COMPRESSED) !== 0) return this.readValue(ref);
    if ((flags & F_EXTERNAL) !== 0) {
      const id = this.extId(ref);
      return this.ext.bufs[id].subarray(this.ext.keyLens[id]);
    }
    const lens = u32[(o >>> 2) + W_LENS];
    const off = this.keyOffset(ref, flags) + (lens & 0xffff);
    return this.arena.u8[c].subarray(off, off + (lens >>> 16));
  }

  /** A fresh copy of the (decompressed) value at `ref`. */
  readValue(ref: number): Buffer {
    const c = refChunk(ref);
    const o = refOffset(ref);
    const u32 = this.arena.u32[c];
    const w = o >>> 2;
    const flags = u32[w + W_META] >>> 24;
    let out: Buffer;
    if ((flags & F_EXTERNAL) === 0) {
      const lens = u32[w + W_LENS];
      const off =
        o + ((flags & F_TTL) === 0 ? HEADER_BYTES : HEADER_BYTES + TTL_SLOT_BYTES) + (lens & 0xffff);
      if ((flags & F_COMPRESSED) !== 0)
        return decompress(this.arena.u8[c].subarray(off, off + (lens >>> 16)));
      out = copyOut(this.arena.u8[c], off, lens >>> 16);
    } else {
      const id = this.extId(ref);
      const view = this.ext.bufs[id].subarray(this.ext.keyLens[id]);
      // The external Buffer is replaced, never mutated, so a compressed view is safe to decode.
      out = (flags & F_COMPRESSED) !== 0 ? decompress(view) : Buffer.from(view);
    }
    return out;
  }

  /** Bytes the value occupies as stored (compressed size when compressed). */
  storedValueLen(ref: number): number {
    const u32 = this.arena.u32[refChunk(ref)];
    const w = refOffset(ref) >>> 2;
    if (((u32[w + W_META] >>> 24) & F_EXTERNAL) === 0) return u32[w + W_LENS] >>> 16;
    const id = this.extId(ref);
    return this.ext.bufs[id].length - this.ext.keyLens[id];
  }

  /** Block size of a live entry or a free block: what a chunk walk steps over. */
  blockSize(ref: number): number {
    const u32 = this.arena.u32[refChunk(ref)];
    const w = refOffset(ref) >>> 2;
    const flags = u32[w + W_META] >>> 24;
    if ((flags & F_FREE) !== 0) return u32[w + W_FREE_SIZE];
    const ttl = (flags & F_TTL) !== 0;
    if ((flags & F_EXTERNAL) !== 0) return sizeClass(headerBytes(ttl) + 4);
    const lens = u32[w + W_LENS];
    return entryBytes(lens & 0xffff, lens >>> 16, ttl);
  }

  /**
   * Encode a value for storage: LZ4 when long enough and the result is usefully smaller; as is
   * when `raw` (Keyspace.set's raw strings).
   */
  encode(value: Buffer, raw = false): StoredValue {
    const s = this.stored;
    const z = raw ? null : compressIfSmaller(value, this.compressionThreshold);
    s.bytes = z ?? value;
    s.compressed = z !== null;
    s.object = false;
    s.raw = raw;
    return s;
  }

  /** Encode a collection for storage: it joins the object table, the entry holds its id. */
  encodeObject(obj: Collection): StoredValue {
    const s = this.stored;
    s.bytes = objectIdBytes(this.objs.add(obj));
    s.compressed = false;
    s.object = true;
    s.raw = false;
    return s;
  }

  /** Id in `objs` of an F_OBJECT entry's collection. */
  objectId(ref: number): number {
    return this.valueView(ref).readUInt32LE(0);
  }

  /** The collection of an entry, or null for a string entry. */
  objectAt(ref: number): Collection | null {
    if ((this.flags(ref) & F_OBJECT) === 0) return null;
    return this.objs.get(this.objectId(ref));
  }

  /**
   * Write a whole entry into the block at `ref` (allocated with `entryBytes` for the stored
   * key length: `storedKeyLen(key, prefixId)`). With `prefixId`, the key area holds the id and
   * the key bytes after the prefix; the caller owns the prefix reference. `ttlIndex` is only
   * used with a slot.
   */
  write(
    ref: number,
    key: Buffer,
    prefixId: number,
    sv: StoredValue,
    ttl: boolean,
    clock: number,
    expireAt: number,
    ttlIndex: number,
  ): void {
    const c = refChunk(ref);
    const o = refOffset(ref);
    const u32 = this.arena.u32[c];
    const w = o >>> 2;
    const value = sv.bytes;
    const plen = prefixId === 0 ? 0 : this.prefixes.bytes[prefixId].length;
    const keyLen = prefixId === 0 ? key.length : PREFIX_ID_BYTES + key.length - plen;
    let flags =
      (ttl ? F_TTL : 0) |
      (sv.compressed ? F_COMPRESSED : 0) |
      (prefixId === 0 ? 0 : F_PREFIX) |
      (sv.object ? F_OBJECT : 0) |
      (sv.raw === true ? F_RAW : 0);
    const inline = isInline(keyLen, value.length, ttl);
    if (!inline) flags = (flags | F_EXTERNAL) & ~F_PREFIX;
    u32[w + W_META] = ((flags << 24) | (clock & CLOCK_MASK)) >>> 0;
    const hb = headerBytes(ttl);
    if (ttl) {
      u32[w + W_EXPIRE_LO] = expireAt % TWO_POW_32;
      u32[w + W_EXPIRE_HI] = Math.floor(expireAt / TWO_POW_32);
      u32[w + W_TTL_INDEX] = ttlIndex;
    }
    if (inline) {
      u32[w + W_LENS] = (keyLen | (value.length << 16)) >>> 0;
      const u8 = this.arena.u8[c];
      let off = o + hb;
      if (prefixId !== 0) {
        u8[off] = prefixId & 0xff;
        u8[off + 1] = prefixId >>> 8;
        off += PREFIX_ID_BYTES;
        for (let i = plen; i < key.length; i++) u8[off++] = key[i];
      } else {
        copyIn(u8, off, key);
        off += key.length;
      }
      copyIn(u8, off, value);
    } else {
      u32[w + W_LENS] = 0;
      const buf = this.ext.alloc(key.length + value.length);
      key.copy(buf, 0);
      value.copy(buf, key.length);
      u32[w + (hb >>> 2)] = this.ext.add(buf, key.length);
    }
  }

  /** Bytes the key area of an inline entry takes for `key` stored with `prefixId`. */
  storedKeyLen(key: Buffer, prefixId: number): number {
    return prefixId === 0 ? key.length : PREFIX_ID_BYTES + key.length - this.prefixes.bytes[prefixId].length;
  }

  /**
   * Release what an entry's value holds outside the arena (before the value is replaced or
   * its block freed): external bytes, a collection.
   */
  dropExternal(ref: number): void {
    const flags = this.flags(ref);
    if ((flags & F_OBJECT) !== 0) this.objs.remove(this.objectId(ref));
    if ((flags & F_EXTERNAL) !== 0) this.ext.remove(this.extId(ref));
  }

  /** Release everything an entry refers to: external bytes, a collection and its prefix. */
  dropRefs(ref: number): void {
    const flags = this.flags(ref);
    if ((flags & F_OBJECT) !== 0) this.objs.remove(this.objectId(ref));
    if ((flags & F_EXTERNAL) !== 0) this.ext.remove(this.extId(ref));
    else if ((flags & F_PREFIX) !== 0) this.prefixes.release(this.prefixId(ref));
  }

  ttlIndex(ref: number): number {
    return this.arena.u32[refChunk(ref)][(refOffset(ref) >>> 2) + W_TTL_INDEX];
  }

  setTtlIndex(ref: number, i: number): void {
    this.arena.u32[refChunk(ref)][(refOffset(ref) >>> 2) + W_TTL_INDEX] = i;
  }

  /** Set the expiry of an entry that has a TTL slot. */
  setExpireAt(ref: number, at: number): void {
    const u32 = this.arena.u32[refChunk(ref)];
    const w = refOffset(ref) >>> 2;
    u32[w + W_EXPIRE_LO] = at % TWO_POW_32;
    u32[w + W_EXPIRE_HI] = Math.floor(at / TWO_POW_32);
  }

  /** The 24-bit access clock (LRU seconds or LFU decay time + counter). */
  clock(ref: number): number {
    return this.arena.u32[refChunk(ref)][(refOffset(ref) >>> 2) + W_META] & CLOCK_MASK;
  }

  setClock(ref: number, clock: number): void {
    const u32 = this.arena.u32[refChunk(ref)];
    const w = (refOffset(ref) >>> 2) + W_META;
    u32[w] = ((u32[w] & 0xff000000) | (clock & CLOCK_MASK)) >>> 0;
  }
}
