/**
 * Collections held by off-heap entries (layout.ts, F_OBJECT): the entry's value is a u32 id
 * into this table, which keeps the collection and the bytes it was last charged for.
 *
 * Collections live on the JS heap; the arena keeps the key, TTL and access clock, so they
 * share the one dict, TTL set, eviction sample space and SCAN with strings. A small collection
 * rests as its packed string alone (values/compact.ts: kind and count in `meta`): `get` builds
 * the object around it again, and once the commands of the current event-loop turn are done
 * (setImmediate), every object handed out or changed in that turn that is small again goes
 * back to its string. Commands run synchronously, so none holds an object across that step.
 */
import type { Collection } from '../values/collection.js';
import { compactMeta, compactString, expand } from '../values/compact.js';

/** Bytes an entry's value area holds for an object: its id. */
export const OBJECT_ID_BYTES = 4;

/** `meta` bit: the id is in `touched` (kind and count are in the low 24 bits). */
const TOUCHED = 0x1000000;
const META_MASK = 0xffffff;

export class Objects {
  /** A collection, a small one's packed string (at rest), or null (a free id). */
  private readonly objs: (Collection | string | null)[] = [null];
  /** Bytes each object was last charged for (usedMemory). */
  private readonly charged: number[] = [0];
  private meta = new Uint32Array(1024);
  private readonly freeIds: number[] = [];
  /** Ids whose object was handed out or changed since the last `rest`. */
  private touched: number[] = [];
  private restScheduled = false;
  bytes = 0;

  /** The collection of `id` (built again from its string when it rests as one). */
  get(id: number): Collection | null {
    const o = this.objs[id];
    if (typeof o !== 'string') return o;
    const obj = expand(this.meta[id] & META_MASK, o);
    this.objs[id] = obj;
    this.touch(id);
    return obj;
  }

  add(obj: Collection): number {
    const id = this.freeIds.pop() ?? this.objs.length;
    const m = obj.memory();
    this.objs[id] = obj;
    this.charged[id] = m;
    this.bytes += m;
    if (id >= this.meta.length) {
      const grown = new Uint32Array(this.meta.length * 2);
      grown.set(this.meta);
      this.meta = grown;
    }
    this.meta[id] = 0;
    this.touch(id);
    return id;
  }

  remove(id: number): void {
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
    this.touch(id);
  }

  count(): number {
    return this.objs.length - 1 - this.freeIds.length;
  }

  clear(): void {
    this.objs.length = 1;
    this.charged.length = 1;
    this.freeIds.length = 0;
    this.meta.fill(0);
    this.touched = [];
    this.bytes = 0;
  }

  private touch(id: number): void {
    if ((this.meta[id] & TOUCHED) !== 0) return;
    this.meta[id] |= TOUCHED;
    this.touched.push(id);
    if (!this.restScheduled) {
      this.restScheduled = true;
      setImmediate(this.rest);
    }
  }

  /** Every object touched since the last call that is small goes back to its string. */
  readonly rest = (): void => {
    this.restScheduled = false;
    const ids = this.touched;
    this.touched = [];
    for (const id of ids) {
      if (id >= this.objs.length) continue;
      this.meta[id] &= ~TOUCHED;
      const obj = this.objs[id];
      if (obj === null || typeof obj === 'string') continue;
      const s = compactString(obj);
      if (s === null) continue;
      const meta = compactMeta(obj);
      if (meta < 0) continue;
      this.objs[id] = s;
      this.meta[id] = meta;
    }
  };
}

/** The 4 value bytes naming object `id`. */
export function objectIdBytes(id: number): Buffer {
  const b = Buffer.allocUnsafe(OBJECT_ID_BYTES);
  b.writeUInt32LE(id, 0);
  return b;
}
