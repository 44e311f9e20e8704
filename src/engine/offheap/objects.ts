/**
 * Collections held by off-heap entries (layout.ts, F_OBJECT): the entry's value is a u32 id
 * into this table, which keeps the collection object and the bytes it was last charged for.
 *
 * Collections live on the JS heap for now; the arena keeps the key, TTL and access clock, so
 * they share the one dict, TTL set, eviction sample space and SCAN with strings.
 */
import type { Collection } from '../values/collection.js';

/** Bytes an entry's value area holds for an object: its id. */
export const OBJECT_ID_BYTES = 4;

export class Objects {
  readonly objs: (Collection | null)[] = [null];
  /** Bytes each object was last charged for (usedMemory). */
  private readonly charged: number[] = [0];
  private readonly freeIds: number[] = [];
  bytes = 0;

  add(obj: Collection): number {
    const id = this.freeIds.pop() ?? this.objs.length;
    const m = obj.memory();
    this.objs[id] = obj;
    this.charged[id] = m;
    this.bytes += m;
    return id;
  }

  remove(id: number): void {
    this.bytes -= this.charged[id];
    this.objs[id] = null;
    this.charged[id] = 0;
    this.freeIds.push(id);
  }

  /** Charge an object again after it changed in place. */
  recharge(id: number): void {
    const obj = this.objs[id];
    if (obj === null) return;
    const m = obj.memory();
    this.bytes += m - this.charged[id];
    this.charged[id] = m;
  }

  count(): number {
    return this.objs.length - 1 - this.freeIds.length;
  }

  clear(): void {
    this.objs.length = 1;
    this.charged.length = 1;
    this.freeIds.length = 0;
    this.bytes = 0;
  }
}

/** The 4 value bytes naming object `id`. */
export function objectIdBytes(id: number): Buffer {
  const b = Buffer.allocUnsafe(OBJECT_ID_BYTES);
  b.writeUInt32LE(id, 0);
  return b;
}
