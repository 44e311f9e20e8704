/**
 * The pub/sub hub's contract (one hub per server, shared by every door; hub.ts implements it).
 *
 * A subscriber is anything that can take a message: a RESP client (its `ClientState`), and
 * later an HTTP Server-Sent-Events stream or a gRPC Subscribe stream. To add a door:
 *
 *   const sub: PubSubSubscriber = {
 *     id: client.id,              // the door's ClientState id (CLIENT LIST, logs)
 *     acl: client.acl,            // channel permissions: ACL SETUSER drops a subscriber whose
 *                                 // user loses a channel it holds (Redis 7.0)
 *     pubsub: null,               // kept by the hub; never written by the door
 *     deliver(msg) { queue.push(msg) },   // cheap and non-throwing: queue, bound the queue
 *     close() { end the stream },
 *   };
 *   server.pubsub.subscribe(sub, 'channel', Buffer.from('news'));   // true when new
 *   ...
 *   server.pubsub.unsubscribeAll(sub);                              // when the stream ends
 *
 * Subscribing checks no ACL: the caller does (the dispatcher does for the commands, through
 * the specs' `channels` declaration and `AclUser.canAccessChannel`). PUBLISH from any door (a
 * command through the dispatcher, `ServerApi.notify` for keyspace events) reaches every
 * subscriber, synchronously, in subscription order: channel subscribers first, then the
 * subscribers of each matching pattern. Shard channels (SSUBSCRIBE/SPUBLISH) are a separate
 * namespace and never match patterns.
 */
import type { AclUser } from '../../security/acl-user.js';
import type { PushReply, SequenceReply } from '../reply.js';

/** The three namespaces: channels (SUBSCRIBE), patterns (PSUBSCRIBE), shard channels (SSUBSCRIBE). */
export type SubKind = 'channel' | 'pattern' | 'shard';

/** One published message as a subscriber receives it. */
export interface PubSubMessage {
  readonly kind: 'message' | 'pmessage' | 'smessage';
  /** Copies owned by the message: safe to keep after `deliver` returns. */
  readonly channel: Buffer;
  readonly message: Buffer;
  /** The pattern that matched (`pmessage`), else null. */
  readonly pattern: Buffer | null;
  /** Redis's reply for it (RESP3 push, RESP2 array), built once and shared by all receivers. */
  readonly reply: PushReply;
}

/** Messages of one channel published in a row, delivered at once (batch.ts): their replies in order. */
export interface PubSubBatch extends SequenceReply {
  readonly messages: readonly PubSubMessage[];
}

/** What one subscriber holds: names as latin1 strings (one char per byte), in subscription order. */
export interface Subscriptions {
  readonly channel: Set<string>;
  readonly pattern: Set<string>;
  readonly shard: Set<string>;
}

export interface PubSubSubscriber {
  readonly id: number;
  readonly acl: AclUser;
  /** Kept by the hub: null while the subscriber holds nothing (RESP2 leaves subscribed mode). */
  pubsub: Subscriptions | null;
  /** Take one message; must not throw (the hub isolates failures anyway) nor block. */
  deliver(msg: PubSubMessage): void;
  /** Take several messages of one channel at once, in order (else `deliver` gets each one). */
  deliverBatch?(batch: PubSubBatch): void;
  /** Disconnect (ACL SETUSER took away a channel it holds). */
  close(): void;
}

export interface PubSubApi {
  /** PUBLISH: the channel's subscribers, then every matching pattern's; returns the receivers. */
  publish(channel: Buffer, message: Buffer): number;
  /** SPUBLISH: the shard channel's subscribers only; returns the receivers. */
  spublish(channel: Buffer, message: Buffer): number;
  /** Add one subscription; false when the subscriber already held it. */
  subscribe(sub: PubSubSubscriber, kind: SubKind, name: Buffer): boolean;
  /** Drop one subscription; false when the subscriber did not hold it. */
  unsubscribe(sub: PubSubSubscriber, kind: SubKind, name: Buffer): boolean;
  /** Drop every subscription of the subscriber (disconnect, RESET). */
  unsubscribeAll(sub: PubSubSubscriber): void;
  /** Channel or shard channel names with subscribers, optionally filtered by a glob (PUBSUB CHANNELS). */
  names(kind: 'channel' | 'shard', pattern: Buffer | null): Buffer[];
  /** Subscribers of one channel or shard channel (PUBSUB NUMSUB / SHARDNUMSUB). */
  subscriberCount(kind: 'channel' | 'shard', name: Buffer): number;
  /** Distinct channels, patterns or shard channels with subscribers (INFO, PUBSUB NUMPAT). */
  size(kind: SubKind): number;
  /** Every subscriber holding at least one subscription. */
  subscribers(): Iterable<PubSubSubscriber>;
  /**
   * A door's command is a plain PUBLISH (true): its message may be held with the ones before it
   * to the same channel (batch.ts). Anything else (false) first delivers what is held.
   */
  batchPublishes(on: boolean): void;
  /** Deliver what is held now (before any other output to a client). */
  flushPublishes(): void;
}
