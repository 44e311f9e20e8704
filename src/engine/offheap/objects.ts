/**
 * Collections held by off-heap entries (layout.ts, F_OBJECT): the entry's value is a u32 id
 * into this table, which keeps the collection and the bytes it was last charged for.
 *
 * Collections are JS objects while commands use them; the arena keeps the key, TTL and access
 * clock, so they share the one dict, TTL set, eviction sample space and SCAN with strings. A
 * small collection rests as its packed bytes alone (values/compact.ts: kind and count in
 * `meta`), in a block outside the JS heap (packed-blocks.ts): `get` builds the string and the
 * object around it again, and once the commands of the current event-loop turn are done
 * (setImmediate), or between two commands once many are out (`settle`), every object handed
 * out or changed since that is small again goes back to its block, written only when its
 * packed string changed. Commands run synchronously, so none holds an object across that step.
 */
import type { Collection } from '../values/collection.js';
import { compactMeta, compactString, expand } from '../values/compact.js';
import { PACKED_MAX_BLOCK, PackedBlocks } from './packed-blocks.js';

/** Bytes an entry's value area holds for an object: its id. */
export const OBJECT_ID_BYTES = 4;

/** `meta` bit: the id is in `touched` (kind and count are in the low 24 bits). */
const TOUCHED = 0x1000000;
/** `meta` bit: the packed bytes are in block `loc` (`lens` long), current unless an object is out. */
const IN_BLOCK = 0x2000000;
const META_MASK = 0xffffff;
/**
 * Objects out at once before `settle` puts them back between commands rather than at the end of
 * the turn: a pipelined burst over many keys would otherwise keep thousands of objects and
 * strings alive through young-generation collections, which copy and then promote them.
 */
const SETTLE_AT = 64;
/** Ids `compactStep` looks at per call. */
const COMPACT_IDS_PER_STEP = 50_000;

export class Objects {
  /**
   * A collection; a small one's packed string at rest when it is too big for a block; or null
   * (at rest in a block, or a free id).
   */
  private readonly objs: (Collection | string | null)[] = [null];
  /** Bytes each object was last charged for (usedMemory). */
  private readonly charged: number[] = [0];
  private meta = new Uint32Array(1024);
  private loc = new Uint32Array(1024);
  private lens = new Uint32Array(1024);
  readonly blocks = new PackedBlocks();
  private readonly freeIds: number[] = [];
  /** Ids whose object was handed out or changed since the last `rest`... */
  private touched: number[] = [];
  /** ...and for each, the string it was built from when that was its block's. */
  private touchedFrom: (string | null)[] = [];
  private restScheduled = false;
  /** Where `compactStep` goes on in the id table. */
  private compactCursor = 1;
  bytes = 0;

  /** The collection of `id` (built again when it rests as its bytes or its string). */
  get(id: number): Collection | null {
    let o = this.objs[id];
    let from: string | null = null;
    if (o === null) {
      if ((this.meta[id] & IN_BLOCK) === 0) return null;
      o = from = this.blocks.read(this.loc[id], this.lens[id]);
    } else if (typeof o !== 'string') return o;
    const obj = expand(this.meta[id] & META_MASK, o);
    this.objs[id] = obj;
    this.touch(id, from);
    return obj;
  }

  add(obj: Collection): number {
    const id = this.freeIds.pop() ?? this.objs.length;
    const m = obj.memory();
    this.objs[id] = obj;
    this.charged[id] = m;
    this.bytes += m;
    if (id >= this.meta.length) this.grow();
    this.meta[id] = 0;
    this.touch(id, null);
    return id;
  }

  remove(id: number): void {
    this.dropBlock(id);
    this.bytes -= this.charged[id];
    this.objs[id] = null;
    this.charged[id] = 0;
    this.meta[id] = 0;
    this.freeIds.push(id);
  }

  /** Charge an object again after it changed in place. */
  recharge(id: number): void {
    const obj = this.objs[id];
    if (obj === null || typeof obj === 'string') return;
    const m = obj.memory();
    this.bytes += m - this.charged[id];
    this.charged[id] = m;
    this.touch(id, null);
  }

  count(): number {
    return this.objs.length - 1 - this.freeIds.length;
  }

  clear(): void {
    this.objs.length = 1;
    this.charged.length = 1;
    this.freeIds.length = 0;
    this.meta.fill(0);
    this.blocks.clear();
    this.compactCursor = 1;
    this.touched = [];
    this.touchedFrom = [];
    this.bytes = 0;
  }

  private touch(id: number, from: string | null): void {
    if ((this.meta[id] & TOUCHED) !== 0) return;
    this.meta[id] |= TOUCHED;
    this.touched.push(id);
    this.touchedFrom.push(from);
    if (!this.restScheduled) {
      this.restScheduled = true;
      setImmediate(this.rest);
    }
  }

  /** Between commands: put the objects back now when many are out. */
  settle(): void {
    if (this.touched.length >= SETTLE_AT) this.rest();
  }

  /** Every object touched since the last call that is small goes back to its block. */
  readonly rest = (): void => {
    this.restScheduled = false;
    const ids = this.touched;
    const from = this.touchedFrom;
    this.touched = [];
    this.touchedFrom = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id >= this.objs.length) continue;
      this.meta[id] &= ~TOUCHED;
      const obj = this.objs[id];
      if (obj === null || typeof obj === 'string') continue;
      const s = compactString(obj);
      const meta = s === null ? -1 : compactMeta(obj);
      if (s === null || meta < 0) {
        this.dropBlock(id);
      } else if (s.length > PACKED_MAX_BLOCK) {
        this.dropBlock(id);
        this.objs[id] = s;
        this.meta[id] = meta;
      } else {
        this.place(id, s, from[i]);
        this.objs[id] = null;
        this.meta[id] = meta | IN_BLOCK;
      }
    }
  };

  /** Keep `s` in the block of `id`: unchanged since it was built from it (`from`), or written. */
  private place(id: number, s: string, from: string | null): void {
    if ((this.meta[id] & IN_BLOCK) !== 0) {
      if (from === s) return;
      if (!this.blocks.sameBlock(this.lens[id], s.length)) {
        this.blocks.free(this.loc[id], this.lens[id]);
        this.loc[id] = this.blocks.alloc(s.length);
      }
    } else {
      this.loc[id] = this.blocks.alloc(s.length);
    }
    this.lens[id] = s.length;
    this.blocks.write(this.loc[id], s);
  }

  /**
   * Background: when the slabs hold much more than is live (packed-blocks.ts), move the blocks
   * of the emptiest slab elsewhere, a bounded slice of the id table per call, and give that slab
   * back once it is empty. Objects out (touched) are moved on a later pass.
   */
  compactStep(): void {
    const b = this.blocks;
    const s = b.evacuate();
    if (s < 0) return;
    const end = Math.min(this.objs.length, this.compactCursor + COMPACT_IDS_PER_STEP);
    for (let id = this.compactCursor; id < end; id++) {
      const m = this.meta[id];
      if ((m & IN_BLOCK) === 0 || (m & TOUCHED) !== 0 || b.slabOfRef(this.loc[id]) !== s) continue;
      const n = this.lens[id];
      const to = b.alloc(n);
      b.copy(this.loc[id], to, n);
      b.free(this.loc[id], n);
      this.loc[id] = to;
    }
    this.compactCursor = end >= this.objs.length ? 1 : end;
    b.settleEvacuation();
  }

  /** Give back the block of `id`, if it has one. */
  private dropBlock(id: number): void {
    if ((this.meta[id] & IN_BLOCK) === 0) return;
    this.blocks.free(this.loc[id], this.lens[id]);
    this.meta[id] &= ~IN_BLOCK;
  }

  private grow(): void {
    const n = this.meta.length * 2;
    for (const name of ['meta', 'loc', 'lens'] as const) {
      const grown = new Uint32Array(n);
      grown.set(this[name]);
      this[name] = grown;
    }
  }
}

/** The 4 value bytes naming object `id`. */
export function objectIdBytes(id: number): Buffer {
  const b = Buffer.allocUnsafe(OBJECT_ID_BYTES);
  b.writeUInt32LE(id, 0);
  return b;
}
