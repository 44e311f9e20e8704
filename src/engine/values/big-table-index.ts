/**
 * The index of big-table.ts: open addressing with linear probing, a slot holding an entry's
 * id + 1 (0: empty). Deleting shifts the rest of the probe run back, so there are no
 * tombstones, except in the old index while a rehash moves it to a new one MOVES_PER_WRITE
 * slots per write; lookups then read both. The table supplies each id's hash and key test.
 */

const MIN_SLOTS = 16;
const MAX_LOAD = 0.75;
/** Old index slots moved by each write while rehashing. */
const MOVES_PER_WRITE = 64;

export abstract class SlotIndex {
  protected slots: Int32Array;
  protected mask: number;
  /** The index being rehashed away from (tombstones: -1), or null. */
  protected old: Int32Array | null = null;
  protected oldMask = 0;
  protected movePos = 0;

  constructor(sizeHint: number) {
    let slots = MIN_SLOTS;
    while (slots * MAX_LOAD < sizeHint + 1) slots *= 2;
    this.slots = new Int32Array(slots);
    this.mask = slots - 1;
  }

  /** The stored hash of id `id`. */
  protected abstract hashOf(id: number): number;
  /** The block reference of id `id`. */
  protected abstract refOf(id: number): number;
  /** Id `id` holds `key` (whose hash is `h`). */
  protected abstract matches(id: number, key: string, h: number): boolean;

  protected indexBytes(): number {
    return this.slots.byteLength + (this.old === null ? 0 : this.old.byteLength);
  }

  /** After a delete leaving `n` entries: shrink the index when it is mostly empty. */
  protected maybeShrink(n: number): void {
    if (this.old === null && this.mask + 1 > MIN_SLOTS && n < (this.mask + 1) / 8) {
      this.startRehash(Math.max(MIN_SLOTS, (this.mask + 1) / 4));
    }
  }

  /** Removes the slot of `key`; returns its id, or -1 when absent. */
  protected removeKey(key: string, h: number): number {
    const i = this.findIn(this.slots, this.mask, key, h);
    if (i >= 0) {
      const id = this.slots[i] - 1;
      this.removeSlot(i);
      return id;
    }
    const old = this.old;
    if (old === null) return -1;
    const j = this.findIn(old, this.oldMask, key, h);
    if (j < 0) return -1;
    const id = old[j] - 1;
    old[j] = -1;
    return id;
  }

  /** Removes the slot of id `id` (hash `h`). */
  protected removeId(id: number, h: number): void {
    for (let i = h & this.mask; this.slots[i] !== 0; i = (i + 1) & this.mask) {
      if (this.slots[i] === id + 1) {
        this.removeSlot(i);
        return;
      }
    }
    const old = this.old;
    if (old === null) throw new Error('big table index lost an entry');
    for (let j = h & this.oldMask; old[j] !== 0; j = (j + 1) & this.oldMask) {
      if (old[j] === id + 1) {
        old[j] = -1;
        return;
      }
    }
    throw new Error('big table index lost an entry');
  }

  protected find(key: string, h: number): number {
    let i = this.findIn(this.slots, this.mask, key, h);
    if (i >= 0) return this.slots[i] - 1;
    const old = this.old;
    if (old === null) return -1;
    i = this.findIn(old, this.oldMask, key, h);
    return i >= 0 ? old[i] - 1 : -1;
  }

  protected findIn(t: Int32Array, mask: number, key: string, h: number): number {
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = t[i];
      if (s === 0) return -1;
      if (s > 0 && this.matches(s - 1, key, h)) return i;
    }
  }

  /** The id whose entry is at `ref` (its key hashing to `h`), or -1 (a dead entry). */
  protected idAt(ref: number, h: number): number {
    let t = this.slots;
    let mask = this.mask;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = h & mask; ; i = (i + 1) & mask) {
        const s = t[i];
        if (s === 0) break;
        if (s > 0 && this.hashOf(s - 1) === h && this.refOf(s - 1) === ref) return s - 1;
      }
      if (this.old === null) return -1;
      t = this.old;
      mask = this.oldMask;
    }
    return -1;
  }

  /** Points the slot of id `from` (hash `h`) at id `to`. */
  protected relink(from: number, to: number, h: number): void {
    let t = this.slots;
    let mask = this.mask;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = h & mask; ; i = (i + 1) & mask) {
        const s = t[i];
        if (s === 0) break;
        if (s === from + 1) {
          t[i] = to + 1;
          return;
        }
      }
      if (this.old === null) break;
      t = this.old;
      mask = this.oldMask;
    }
    throw new Error('big table index lost an entry');
  }

  protected insertSlot(id: number, h: number): void {
    const t = this.slots;
    const mask = this.mask;
    let i = h & mask;
    while (t[i] !== 0) i = (i + 1) & mask;
    t[i] = id + 1;
  }

  /** Empties slot `i` of the current index, moving later entries of its run back (no tombstones). */
  protected removeSlot(i: number): void {
    const t = this.slots;
    const mask = this.mask;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const s = t[j];
      if (s === 0) break;
      const home = this.hashOf(s - 1) & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        t[i] = s;
        i = j;
      }
    }
    t[i] = 0;
  }

  /** Before adding entry number `n` + 1: grow the index when it would pass the load limit. */
  protected makeRoom(n: number): void {
    if (n + 1 <= (this.mask + 1) * MAX_LOAD) return;
    if (this.old !== null) this.finishRehash();
    if (n + 1 > (this.mask + 1) * MAX_LOAD) this.startRehash((this.mask + 1) * 2);
  }

  protected startRehash(slots: number): void {
    if (this.old !== null) this.finishRehash();
    this.old = this.slots;
    this.oldMask = this.mask;
    this.slots = new Int32Array(slots);
    this.mask = slots - 1;
    this.movePos = 0;
  }

  /** Moves a few slots of the old index to the current one. */
  protected step(): void {
    const old = this.old;
    if (old === null) return;
    const end = Math.min(old.length, this.movePos + MOVES_PER_WRITE);
    for (let i = this.movePos; i < end; i++) {
      const s = old[i];
      if (s > 0) {
        this.insertSlot(s - 1, this.hashOf(s - 1));
        old[i] = -1;
      }
    }
    this.movePos = end;
    if (end === old.length) this.old = null;
  }

  protected finishRehash(): void {
    while (this.old !== null) this.step();
  }

  /**
   * The index's figures (DEBUG HTSTATS-KEY): the index being rehashed away from first, then
   * the current one (the rehash target), as Redis lists a dict's tables.
   */
  indexStats(): IndexStats[] {
    const out: IndexStats[] = [];
    if (this.old !== null) out.push(slotStats(this.old));
    out.push(slotStats(this.slots));
    return out;
  }
}

/**
 * One index's figures. A probe run (consecutive non-empty slots) is what a lookup walks, the
 * chain of open addressing: `runs[k]` counts the runs of k slots (`runs[0]`: empty slots).
 */
export interface IndexStats {
  size: number;
  /** Entries in the index (tombstones excluded). */
  elements: number;
  /** Slots holding an entry (one each in open addressing). */
  slots: number;
  maxRun: number;
  runs: Map<number, number>;
}

function slotStats(t: Int32Array): IndexStats {
  const runs = new Map<number, number>();
  let elements = 0;
  let empty = 0;
  let maxRun = 0;
  const add = (len: number) => {
    if (len === 0) return;
    runs.set(len, (runs.get(len) ?? 0) + 1);
    if (len > maxRun) maxRun = len;
  };
  // A run wrapping past the end continues at slot 0: start counting after an empty slot.
  const start = t.indexOf(0);
  if (start < 0) {
    for (const s of t) if (s > 0) elements++;
    add(t.length);
  } else {
    let len = 0;
    for (let k = 1; k <= t.length; k++) {
      const s = t[(start + k) % t.length];
      if (s === 0) {
        empty++;
        add(len);
        len = 0;
        continue;
      }
      if (s > 0) elements++;
      len++;
    }
    add(len);
  }
  if (empty > 0) runs.set(0, empty);
  return { size: t.length, elements, slots: elements, maxRun, runs };
}
