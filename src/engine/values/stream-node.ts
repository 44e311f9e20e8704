/**
 * One node of a stream: what Redis keeps in one listpack of its radix tree. Entries are
 * appended in ID order and never moved; a deleted entry stays as a tombstone (its flag set)
 * until the whole node goes, exactly as Redis marks entries deleted inside a listpack. The
 * node's first entry is its "master": its ID is the node's radix-tree key and its field names
 * are the ones later entries may share (SAMEFIELDS), which changes the listpack's size.
 */
import type { StreamID } from './stream-id.js';
import { compareIds } from './stream-id.js';
import { deltaBytes, LP_HEADER_AND_END_BYTES, lpIntBytes, lpStringBytes } from './stream-listpack.js';

/** JS heap bytes charged per entry and per node on top of element bytes (memory()). */
export const ENTRY_OVERHEAD_BYTES = 64;
export const NODE_OVERHEAD_BYTES = 128;
/** Per field or value string. */
const STRING_OVERHEAD_BYTES = 16;

/** The flags element of an entry: 0 or SAMEFIELDS (2), DELETED (1) added later; always 2 bytes. */
const FLAGS_ELEMENT_BYTES = 2;

export class StreamNode {
  readonly ids: StreamID[] = [];
  /** Field, value, field, value... per entry. */
  readonly fields: string[][] = [];
  /** 1 where the entry is a tombstone. */
  dead: Uint8Array;
  /** Entries not deleted (the listpack's "count"). */
  live = 0;
  /** Tombstones (the listpack's "deleted"). */
  deleted = 0;
  /** Listpack bytes less the two counters, whose size depends on their values. */
  private fixedBytes: number;
  /** Heap bytes charged for this node (memory()). */
  heapBytes = NODE_OVERHEAD_BYTES;
  readonly masterFields: string[];

  /** A node holding its first entry. */
  constructor(id: StreamID, fieldValues: string[]) {
    const n = fieldValues.length / 2;
    this.masterFields = [];
    let bytes = LP_HEADER_AND_END_BYTES + lpIntBytes(n) + lpIntBytes(0);
    for (let i = 0; i < fieldValues.length; i += 2) {
      this.masterFields.push(fieldValues[i]);
      bytes += lpStringBytes(fieldValues[i]);
    }
    this.fixedBytes = bytes;
    this.dead = new Uint8Array(8);
    this.push(id, fieldValues);
  }

  get master(): StreamID {
    return this.ids[0];
  }

  get lastId(): StreamID {
    return this.ids[this.ids.length - 1];
  }

  /** The listpack's size in Redis (lpBytes). */
  lpBytes(): number {
    return this.fixedBytes + lpIntBytes(this.live) + lpIntBytes(this.deleted);
  }

  private sameFields(fieldValues: string[]): boolean {
    const m = this.masterFields;
    if (fieldValues.length !== m.length * 2) return false;
    for (let i = 0; i < m.length; i++) if (fieldValues[i * 2] !== m[i]) return false;
    return true;
  }

  /** Append an entry (its ID above every ID in the node). */
  push(id: StreamID, fieldValues: string[]): void {
    const n = fieldValues.length / 2;
    const master = this.ids.length === 0 ? id : this.master;
    const same = this.ids.length === 0 || this.sameFields(fieldValues);
    let bytes = FLAGS_ELEMENT_BYTES + deltaBytes(id.ms, master.ms) + deltaBytes(id.seq, master.seq);
    let heap = ENTRY_OVERHEAD_BYTES;
    for (let i = 0; i < fieldValues.length; i += 2) {
      if (!same) bytes += lpStringBytes(fieldValues[i]);
      bytes += lpStringBytes(fieldValues[i + 1]);
      heap += fieldValues[i].length + fieldValues[i + 1].length + 2 * STRING_OVERHEAD_BYTES;
    }
    // lp-count: the elements of the entry after its flags, to walk the listpack backwards.
    const lpCount = same ? n + 3 : 2 * n + 4;
    if (!same) bytes += lpIntBytes(n);
    bytes += lpIntBytes(lpCount);
    this.fixedBytes += bytes;
    this.heapBytes += heap;
    const i = this.ids.length;
    if (i === this.dead.length) {
      const grown = new Uint8Array(i * 2);
      grown.set(this.dead);
      this.dead = grown;
    }
    this.ids.push(id);
    this.fields.push(fieldValues);
    this.live++;
  }

  /** Mark entry `i` deleted; false when it already was. */
  kill(i: number): boolean {
    if (this.dead[i] === 1) return false;
    this.dead[i] = 1;
    this.live--;
    this.deleted++;
    return true;
  }

  /** Index of the first entry with ID >= `id` (ids.length when none). */
  lowerBound(id: StreamID): number {
    const a = this.ids;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(a[mid], id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the entry with exactly `id`, tombstone or not; -1 when none. */
  indexOf(id: StreamID): number {
    const i = this.lowerBound(id);
    return i < this.ids.length && compareIds(this.ids[i], id) === 0 ? i : -1;
  }

  /** A deep copy (entries are immutable, so their arrays are shared). */
  clone(): StreamNode {
    const c = Object.create(StreamNode.prototype) as StreamNode;
    Object.assign(c, this, {
      ids: this.ids.slice(),
      fields: this.fields.slice(),
      dead: this.dead.slice(),
      masterFields: this.masterFields,
    });
    return c;
  }
}
