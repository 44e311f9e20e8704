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
 * channel is delivered as one batch per subscriber (batch.ts).
 */
import { globMatch } from '../../util/glob.js';
import { PushReply } from '../reply.js';
import { BATCH_MAX_BYTES, BATCH_MAX_MESSAGES, PushBatch } from './batch.js';
import type { PubSubApi, PubSubMessage, PubSubSubscriber, SubKind, Subscriptions } from './types.js';

const MESSAGE = Buffer.from('message');
const PMESSAGE = Buffer.from('pmessage');
const SMESSAGE = Buffer.from('smessage');

class Message implements PubSubMessage {
  private built: PushReply | null = null;

  constructor(
    readonly kind: 'message' | 'pmessage' | 'smessage',
    readonly channel: Buffer,
    readonly message: Buffer,
    readonly pattern: Buffer | null,
  ) {}

  get reply(): PushReply {
    if (this.built === null) {
      const { kind, channel, message, pattern } = this;
      this.built = new PushReply(
        kind === 'pmessage'
          ? [PMESSAGE, pattern!, channel, message]
          : [kind === 'message' ? MESSAGE : SMESSAGE, channel, message],
      );
    }
    return this.built;
  }
}

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
  /** The channel whose messages are held, and the messages (none held when null). */
  private heldEntry: Entry | null = null;
  private held: Message[] = [];
  private heldBytes = 0;

  /** `onDeliveryError`: a subscriber's deliver threw (the others still get the message). */
  constructor(private readonly onDeliveryError: (err: unknown, sub: PubSubSubscriber) => void = () => {}) {}

  publish(channel: Buffer, message: Buffer): number {
    const channels = this.index.channel;
    const patterns = this.index.pattern;
    if (this.batching && patterns.size === 0) {
      const entry = channels.get(channel.toString('latin1'));
      if (entry !== undefined) return this.hold(entry, channel, message);
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
  private hold(entry: Entry, channel: Buffer, message: Buffer): number {
    if (this.heldEntry !== entry) {
      if (this.heldEntry !== null) this.flushPublishes();
      this.heldEntry = entry;
    }
    this.held.push(new Message('message', Buffer.from(channel), Buffer.from(message), null));
    this.heldBytes += channel.length + message.length;
    const receivers = entry.subs.size;
    if (this.held.length >= BATCH_MAX_MESSAGES || this.heldBytes >= BATCH_MAX_BYTES) this.flushPublishes();
    return receivers;
  }

  flushPublishes(): void {
    const entry = this.heldEntry;
    if (entry === null) return;
    const msgs = this.held;
    this.heldEntry = null;
    this.held = [];
    this.heldBytes = 0;
    if (msgs.length === 1) {
      this.fanOut(entry.subs, msgs[0]);
      return;
    }
    const batch = new PushBatch(msgs);
    for (const s of entry.subs) {
      try {
        if (s.deliverBatch !== undefined) s.deliverBatch(batch);
        else for (const m of msgs) s.deliver(m);
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
