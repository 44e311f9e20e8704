/**
 * Consumer groups of a stream (Redis's streamCG, streamConsumer, streamNACK): a group's last
 * delivered ID and read counter, its consumers, and the pending entries list (PEL) of entries
 * delivered but not acknowledged, both the group's and each consumer's ordered by ID.
 *
 * The PELs are packed (stream-pel.ts), one entry no object of its own: the group's holds per
 * entry its ID, delivery time, delivery count and the owning consumer's number; a consumer's
 * holds the IDs it owns. `Nack` is a copy of one entry, made for the commands that show them.
 */
import type { StreamID } from './stream-id.js';
import { joinU64, PackedIds, putU64 } from './stream-pel.js';

/** entries-read of a group whose counter is not known (Redis's SCG_INVALID_ENTRIES_READ). */
export const INVALID_ENTRIES_READ = -1n;

/** Heap bytes charged per pending entry, per consumer and per group (memory()). */
export const NACK_OVERHEAD_BYTES = 56;
export const CONSUMER_OVERHEAD_BYTES = 128;
export const GROUP_OVERHEAD_BYTES = 192;

/** A pending entry as it is now (a copy: changing it changes nothing). */
export interface Nack {
  readonly id: StreamID;
  /** Unix ms of the last delivery. */
  readonly deliveryTime: number;
  /** Deliveries so far (a uint64 in Redis, replied as a signed 64-bit integer). */
  readonly deliveryCount: bigint;
  readonly consumer: Consumer | null;
}

// Payload words of the group PEL: delivery time (a float64 in two words), count (high, low), owner.
const TIME = 0;
const COUNT_HI = 2;
const COUNT_LO = 3;
const OWNER = 4;
const PAYLOAD_WORDS = 5;

const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

/** The group's PEL: IDs with their delivery time, count and owner (0: none yet). */
export class GroupPel extends PackedIds {
  constructor() {
    super(PAYLOAD_WORDS);
  }

  time(): number {
    f64Words[0] = this.word(TIME);
    f64Words[1] = this.word(TIME + 1);
    return f64[0];
  }

  setTime(t: number): void {
    f64[0] = t;
    this.setWord(TIME, f64Words[0]);
    this.setWord(TIME + 1, f64Words[1]);
  }

  count(): bigint {
    const hi = this.word(COUNT_HI);
    const lo = this.word(COUNT_LO);
    return hi === 0 ? BigInt(lo) : BigInt.asIntN(64, joinU64(hi, lo));
  }

  setCount(n: bigint): void {
    const [w, i] = this.at();
    putU64(w, i + 4 + COUNT_HI, BigInt.asUintN(64, n));
  }

  /** One more delivery (wrapping as a uint64 does). */
  incrCount(): void {
    const lo = (this.word(COUNT_LO) + 1) >>> 0;
    this.setWord(COUNT_LO, lo);
    if (lo === 0) this.setWord(COUNT_HI, (this.word(COUNT_HI) + 1) >>> 0);
  }

  setCountOne(): void {
    this.setWord(COUNT_HI, 0);
    this.setWord(COUNT_LO, 1);
  }

  owner(): number {
    return this.word(OWNER);
  }

  setOwner(n: number): void {
    this.setWord(OWNER, n);
  }

  /** Add the ID located last (absent) at the cursor with these fields. */
  add(id: StreamID, time: number, count: bigint, owner: number): boolean {
    if (this.locate(id)) return false;
    this.insertAtCursor();
    this.setTime(time);
    this.setCount(count);
    this.setOwner(owner);
    return true;
  }

  remove(): void {
    this.removeAtCursor();
  }

  override clone(): GroupPel {
    const p = new GroupPel();
    this.copyInto(p);
    return p;
  }
}

export class Consumer {
  /** The IDs this consumer owns, in order. */
  pel = new PackedIds();
  constructor(
    readonly name: string,
    /** Unix ms the consumer was last seen (XREADGROUP, XCLAIM, ...). */
    public seenTime: number,
    /** Its number in the group's PEL (never 0). */
    readonly index: number,
  ) {}
}

export class ConsumerGroup {
  pel = new GroupPel();
  readonly consumers = new Map<string, Consumer>();
  private readonly byIndex = new Map<number, Consumer>();
  private nextIndex = 1;
  constructor(
    readonly name: string,
    public lastId: StreamID,
    /** Entries read so far, or INVALID_ENTRIES_READ. */
    public entriesRead: bigint,
  ) {}

  consumer(name: string): Consumer | undefined {
    return this.consumers.get(name);
  }

  /** Add a consumer; null when one of that name exists. */
  createConsumer(name: string, now: number): Consumer | null {
    if (this.consumers.has(name)) return null;
    const c = new Consumer(name, now, this.nextIndex++);
    this.consumers.set(name, c);
    this.byIndex.set(c.index, c);
    return c;
  }

  /** Remove a consumer and its pending entries (from the group PEL too); its pending count. */
  deleteConsumer(c: Consumer): number {
    const n = c.pel.size;
    for (const id of c.pel.ids()) if (this.pel.locate(id)) this.pel.remove();
    this.consumers.delete(c.name);
    this.byIndex.delete(c.index);
    return n;
  }

  /** Consumers in name (byte) order, as Redis's radix tree lists them. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The pending entry at the group PEL's cursor, as a copy. */
  private nackAtCursor(id: StreamID): Nack {
    const p = this.pel;
    return {
      id,
      deliveryTime: p.time(),
      deliveryCount: p.count(),
      consumer: this.byIndex.get(p.owner()) ?? null,
    };
  }

  /** The pending entry `id`, as a copy, or undefined. */
  pending(id: StreamID): Nack | undefined {
    return this.pel.locate(id) ? this.nackAtCursor(id) : undefined;
  }

  /**
   * Pending entries in ID order from the first >= `from` (all when absent), as copies. The PEL
   * may change between two steps.
   */
  *pendingFrom(from?: StreamID): IterableIterator<Nack> {
    // idsFrom gives each ID with the cursor on it.
    for (const id of this.pel.idsFrom(from)) yield this.nackAtCursor(id);
  }

  /** A consumer's pending entries in ID order from the first >= `from`, as copies. */
  *consumerPendingFrom(c: Consumer, from?: StreamID): IterableIterator<Nack> {
    for (const id of c.pel.idsFrom(from)) {
      if (this.pel.locate(id)) yield this.nackAtCursor(id);
    }
  }

  /**
   * XREADGROUP delivered `id` to `c` at `now`: pending for `c` with count 1 (an entry pending
   * for another consumer moves over).
   */
  deliver(id: StreamID, now: number, c: Consumer): void {
    const p = this.pel;
    if (p.locate(id)) {
      const owner = p.owner();
      p.setTime(now);
      p.setCountOne();
      if (owner !== c.index) {
        p.setOwner(c.index);
        this.byIndex.get(owner)?.pel.delete(id);
        c.pel.insert(id);
      }
      return;
    }
    p.add(id, now, 1n, c.index);
    c.pel.insert(id);
  }

  /** Add a pending entry (owned by `c`, or by nobody yet while loading); false when pending. */
  addPending(id: StreamID, time: number, count: bigint, c: Consumer | null): boolean {
    if (!this.pel.add(id, time, count, c?.index ?? 0)) return false;
    c?.pel.insert(id);
    return true;
  }

  /**
   * Change the pending entry `id` (which must be pending): its time (kept with null), its count
   * (`count`, or one more with 'incr', or kept with null), and its owner `to` (moving it
   * between consumers' PELs).
   */
  update(id: StreamID, time: number | null, count: bigint | 'incr' | null, to: Consumer): void {
    const p = this.pel;
    if (!p.locate(id)) throw new Error('stream: not pending');
    if (time !== null) p.setTime(time);
    if (count === 'incr') p.incrCount();
    else if (count !== null) p.setCount(count);
    const owner = p.owner();
    if (owner === to.index) return;
    p.setOwner(to.index);
    this.byIndex.get(owner)?.pel.delete(id);
    to.pel.insert(id);
  }

  /** Drop the pending entry `id` from both PELs (XACK, or an entry that no longer exists). */
  ack(id: StreamID): boolean {
    const p = this.pel;
    if (!p.locate(id)) return false;
    const owner = p.owner();
    p.remove();
    this.byIndex.get(owner)?.pel.delete(id);
    return true;
  }

  /** Pending entries with no owner (none once loaded). */
  unowned(): number {
    let owned = 0;
    for (const c of this.consumers.values()) owned += c.pel.size;
    return this.pel.size - owned;
  }

  memory(): number {
    let m = GROUP_OVERHEAD_BYTES + this.name.length + this.pel.size * NACK_OVERHEAD_BYTES;
    for (const c of this.consumers.values()) m += CONSUMER_OVERHEAD_BYTES + c.name.length;
    return m;
  }

  clone(): ConsumerGroup {
    const g = new ConsumerGroup(this.name, this.lastId, this.entriesRead);
    g.nextIndex = this.nextIndex;
    g.pel = this.pel.clone();
    for (const c of this.consumers.values()) {
      const copy = new Consumer(c.name, c.seenTime, c.index);
      copy.pel = c.pel.clone();
      g.consumers.set(c.name, copy);
      g.byIndex.set(c.index, copy);
    }
    return g;
  }
}
