/**
 * Consumer groups of a stream (Redis's streamCG, streamConsumer, streamNACK): a group's last
 * delivered ID and read counter, its consumers, and the pending entries list (PEL) of entries
 * delivered but not acknowledged. One NACK is shared by the group PEL and its consumer's PEL;
 * both are ordered by ID.
 */
import { SortedKeyMap } from './sorted-keys.js';
import type { StreamID } from './stream-id.js';

/** entries-read of a group whose counter is not known (Redis's SCG_INVALID_ENTRIES_READ). */
export const INVALID_ENTRIES_READ = -1n;

/** Heap bytes charged per pending entry, per consumer and per group (memory()). */
export const NACK_OVERHEAD_BYTES = 96;
export const CONSUMER_OVERHEAD_BYTES = 128;
export const GROUP_OVERHEAD_BYTES = 192;

export class Nack {
  constructor(
    /** Unix ms of the last delivery. */
    public deliveryTime: number,
    /** Deliveries so far (a uint64 in Redis, replied as a signed 64-bit integer). */
    public deliveryCount: bigint,
    /** Null only while XCLAIM ... FORCE creates it. */
    public consumer: Consumer | null,
  ) {}
}

export class Consumer {
  /** ID key (stream-id.ts idKey) -> the group's NACK for it. */
  readonly pel = new SortedKeyMap<Nack>();
  constructor(
    readonly name: string,
    /** Unix ms the consumer was last seen (XREADGROUP, XCLAIM, ...). */
    public seenTime: number,
  ) {}
}

export class ConsumerGroup {
  readonly pel = new SortedKeyMap<Nack>();
  readonly consumers = new Map<string, Consumer>();
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
    const c = new Consumer(name, now);
    this.consumers.set(name, c);
    return c;
  }

  /** Remove a consumer and its pending entries (from the group PEL too); its pending count. */
  deleteConsumer(c: Consumer): number {
    const n = c.pel.size;
    for (const k of c.pel.keys()) this.pel.delete(k);
    this.consumers.delete(c.name);
    return n;
  }

  /** Consumers in name (byte) order, as Redis's radix tree lists them. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Drop the NACK at `key` from both PELs (XACK, or an entry that no longer exists). */
  ack(key: string): boolean {
    const nack = this.pel.get(key);
    if (nack === undefined) return false;
    this.pel.delete(key);
    nack.consumer?.pel.delete(key);
    return true;
  }

  /** Give the NACK at `key` to `to` (moving it out of its old consumer's PEL). */
  assign(key: string, nack: Nack, to: Consumer): void {
    if (nack.consumer === to) return;
    nack.consumer?.pel.delete(key);
    to.pel.set(key, nack);
    nack.consumer = to;
  }

  memory(): number {
    let m = GROUP_OVERHEAD_BYTES + this.name.length + this.pel.size * NACK_OVERHEAD_BYTES;
    for (const c of this.consumers.values()) m += CONSUMER_OVERHEAD_BYTES + c.name.length;
    return m;
  }

  clone(): ConsumerGroup {
    const g = new ConsumerGroup(this.name, this.lastId, this.entriesRead);
    const byName = new Map<string, Consumer>();
    for (const c of this.consumers.values()) {
      const copy = new Consumer(c.name, c.seenTime);
      byName.set(c.name, copy);
      g.consumers.set(c.name, copy);
    }
    for (const [key, nack] of this.pel.entriesFrom()) {
      const owner = nack.consumer === null ? null : (byName.get(nack.consumer.name) ?? null);
      const copy = new Nack(nack.deliveryTime, nack.deliveryCount, owner);
      g.pel.set(key, copy);
      owner?.pel.set(key, copy);
    }
    return g;
  }
}
