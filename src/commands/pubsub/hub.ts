/**
 * The pub/sub hub (Redis's pubsub.c): who listens to which channel, pattern and shard channel,
 * and the fan-out of PUBLISH / SPUBLISH. The contract and how a door plugs in are in types.ts.
 *
 * Two indexes are kept in step: server-side `name -> subscribers` maps (for publishing and
 * PUBSUB introspection) and each subscriber's own `Subscriptions` (for UNSUBSCRIBE without
 * arguments, CLIENT LIST sub=/psub=/ssub=, and dropping everything on disconnect). A name with
 * no subscriber left is removed, so abandoned channels cost nothing.
 *
 * Publishing is one Map lookup for the channel plus one glob match per distinct pattern (as in
 * Redis, patterns are not indexed). The message is copied once per publish and the reply built
 * once and shared, so the cost per receiver is its `deliver` call. A pipeline of PUBLISH to one
 * channel is delivered as one batch per subscriber (batch.ts): each message is then one copy of
 * its payload into the batch's buffer, and a repeat of the held channel skips the Map lookup.
 */
import { globMatch } from '../../util/glob.js';
import { sameBytes } from '../../util/same-bytes.js';
import { BATCH_FIRST_MESSAGES, BATCH_MAX_BYTES, BATCH_MAX_MESSAGES, PushBatch } from './batch.js';
import { Message } from './message.js';
import type { PubSubApi, PubSubSubscriber, SubKind, Subscriptions } from './types.js';

/** Smallest buffer of a held batch (Buffer.allocUnsafe takes it from Node's shared pool). */
const BATCH_MIN_BYTES = 512;
const EMPTY = Buffer.alloc(0);

/** The subscribers of one name, with the name's bytes (for PUBSUB CHANNELS and pmessage). */
interface Entry {
  readonly name: Buffer;
  readonly subs: Set<PubSubSubscriber>;
}

export class PubSubHub implements PubSubApi {
  private readonly index: Record<SubKind, Map<string, Entry>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };
  /** Subscribers with at least one subscription. */
  private readonly live = new Set<PubSubSubscriber>();
  /** The running command is a plain PUBLISH that may join the held batch (batch.ts). */
  private batching = false;
  /** The channel whose messages are held (none held when null), and their payloads (batch.ts). */
  private heldEntry: Entry | null = null;
  private heldData: Buffer = EMPTY;
  private heldEnds: number[] = [];

  /** `onDeliveryError`: a subscriber's deliver threw (the others still get the message). */
  constructor(private readonly onDeliveryError: (err: unknown, sub: PubSubSubscriber) => void = () => {}) {}

  publish(channel: Buffer, message: Buffer): number {
    const channels = this.index.channel;
    const patterns = this.index.pattern;
    if (this.batching && patterns.size === 0) {
      const held = this.heldEntry;
      if (held !== null && sameBytes(channel, held.name)) return this.hold(held, message);
      const entry = channels.size === 0 ? undefined : channels.get(channel.toString('latin1'));
      if (entry !== undefined) return this.hold(entry, message);
    }
    if (this.heldEntry !== null) this.flushPublishes();
    if (channels.size === 0 && patterns.size === 0) return 0;
    let receivers = 0;
    let ch: Buffer | null = null;
    let msg: Buffer | null = null;
    const entry = channels.size === 0 ? undefined : channels.get(channel.toString('latin1'));
    if (entry !== undefined) {
      ch = Buffer.from(channel);
      msg = Buffer.from(message);
      receivers += this.fanOut(entry.subs, new Message('message', ch, msg, null));
    }
    for (const p of patterns.values()) {
      if (!globMatch(p.name, channel)) continue;
      ch ??= Buffer.from(channel);
      msg ??= Buffer.from(message);
      receivers += this.fanOut(p.subs, new Message('pmessage', ch, msg, p.name));
    }
    return receivers;
  }

  spublish(channel: Buffer, message: Buffer): number {
    if (this.heldEntry !== null) this.flushPublishes();
    const shards = this.index.shard;
    if (shards.size === 0) return 0;
    const entry = shards.get(channel.toString('latin1'));
    if (entry === undefined) return 0;
    return this.fanOut(entry.subs, new Message('smessage', Buffer.from(channel), Buffer.from(message), null));
  }

  private fanOut(subs: Set<PubSubSubscriber>, msg: Message): number {
    let n = 0;
    for (const s of subs) {
      n++;
      try {
        s.deliver(msg);
      } catch (err) {
        this.onDeliveryError(err, s);
      }
    }
    return n;
  }

  batchPublishes(on: boolean): void {
    if (!on && this.heldEntry !== null) this.flushPublishes();
    this.batching = on;
  }

  /** Keep a message of `entry` with the ones held before it (delivering those first if another channel's). */
  private hold(entry: Entry, message: Buffer): number {
    if (this.heldEntry !== entry) {
      if (this.heldEntry !== null) this.flushPublishes();
      this.heldEntry = entry;
    }
    const ends = this.heldEnds;
    const start = ends.length === 0 ? 0 : ends[ends.length - 1];
    const end = start + message.length;
    let data = this.heldData;
    if (end > data.length) {
      // A fresh buffer per batch: a delivered batch's bytes are never written again.
      const grown = Buffer.allocUnsafe(
        Math.max(
          end,
          2 * data.length,
          Math.min(BATCH_FIRST_MESSAGES * message.length, BATCH_MAX_BYTES),
          BATCH_MIN_BYTES,
        ),
      );
      if (start > 0) data.copy(grown, 0, 0, start);
      data = grown;
      this.heldData = grown;
    }
    data.set(message, start);
    ends.push(end);
    const receivers = entry.subs.size;
    if (ends.length >= BATCH_MAX_MESSAGES || end >= BATCH_MAX_BYTES) this.flushPublishes();
    return receivers;
  }

  flushPublishes(): void {
    const entry = this.heldEntry;
    if (entry === null) return;
    const batch = new PushBatch(entry.name, this.heldData, this.heldEnds);
    this.heldEntry = null;
    this.heldData = EMPTY;
    this.heldEnds = [];
    for (const s of entry.subs) {
      try {
        if (s.deliverBatch !== undefined) s.deliverBatch(batch);
        else for (const m of batch.messages) s.deliver(m);
      } catch (err) {
        this.onDeliveryError(err, s);
      }
    }
  }

  subscribe(sub: PubSubSubscriber, kind: SubKind, name: Buffer): boolean {
    if (this.heldEntry !== null) this.flushPublishes();
    const key = name.toString('latin1');
    let own = sub.pubsub;
    if (own === null) {
      own = { channel: new Set(), pattern: new Set(), shard: new Set() };
      sub.pubsub = own;
      this.live.add(sub);
    }
    const mine = own[kind];
    if (mine.has(key)) return false;
    mine.add(key);
    const index = this.index[kind];
    let entry = index.get(key);
    if (entry === undefined) {
      entry = { name: Buffer.from(name), subs: new Set() };
      index.set(key, entry);
    }
    entry.subs.add(sub);
    return true;
  }

  unsubscribe(sub: PubSubSubscriber, kind: SubKind, name: Buffer): boolean {
    if (this.heldEntry !== null) this.flushPublishes();
    const own = sub.pubsub;
    if (own === null) return false;
    const key = name.toString('latin1');
    if (!own[kind].delete(key)) return false;
    this.detach(sub, kind, key);
    if (own.channel.size === 0 && own.pattern.size === 0 && own.shard.size === 0) {
      sub.pubsub = null;
      this.live.delete(sub);
    }
    return true;
  }

  unsubscribeAll(sub: PubSubSubscriber): void {
    if (this.heldEntry !== null) this.flushPublishes();
    const own = sub.pubsub;
    if (own === null) return;
    for (const kind of ['channel', 'pattern', 'shard'] as const) {
      for (const key of own[kind]) this.detach(sub, kind, key);
    }
    sub.pubsub = null;
    this.live.delete(sub);
  }

  private detach(sub: PubSubSubscriber, kind: SubKind, key: string): void {
    const index = this.index[kind];
    const entry = index.get(key);
    if (entry === undefined) return;
    entry.subs.delete(sub);
    if (entry.subs.size === 0) index.delete(key);
  }

  names(kind: 'channel' | 'shard', pattern: Buffer | null): Buffer[] {
    const out: Buffer[] = [];
    for (const e of this.index[kind].values()) {
      if (pattern === null || globMatch(pattern, e.name)) out.push(e.name);
    }
    return out;
  }

  subscriberCount(kind: 'channel' | 'shard', name: Buffer): number {
    return this.index[kind].get(name.toString('latin1'))?.subs.size ?? 0;
  }

  size(kind: SubKind): number {
    return this.index[kind].size;
  }

  subscribers(): Iterable<PubSubSubscriber> {
    if (this.heldEntry !== null) this.flushPublishes();
    return this.live;
  }
}

/** Redis's subscription count in confirmations: channels + patterns, or shard channels alone. */
export function subscriptionCount(own: Subscriptions | null, kind: SubKind): number {
  if (own === null) return 0;
  return kind === 'shard' ? own.shard.size : own.channel.size + own.pattern.size;
}
