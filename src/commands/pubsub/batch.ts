/**
 * Messages of one channel published in a row by one connection's pipeline (PUBLISH ch m1,
 * PUBLISH ch m2, ...), held by the hub and handed to each subscriber at once.
 *
 * A door asks for it around a command that is a plain PUBLISH (`PubSubApi.batchPublishes`); the
 * hub then keeps the messages of consecutive PUBLISHes to the same channel instead of fanning
 * each out, and delivers them all when anything else happens: another command, a publish to
 * another channel or with patterns subscribed, any (un)subscription, any other push to a client,
 * the end of the door's batch of input. Each subscriber gets the same messages in the same order,
 * and nothing it receives can come between them, so what any client sees is what per-message
 * delivery would show; the cost per subscriber is one call and one copy for the whole run.
 *
 * Holding a message costs one copy of its bytes: the payloads are appended to one buffer of the
 * batch (`data`, message i ending at `ends[i]`), with no object per message. A RESP door renders
 * the whole batch from that once per protocol (push-wire.ts) and copies the bytes into each
 * subscriber's output. `messages` (for subscribers that take messages one by one: HTTP and gRPC
 * streams, a client inside EXEC) and `replies` (the batch as a SequenceReply of the messages'
 * PushReplies, for a generic renderer) are made only when asked for. A batch's buffer is never
 * written again once the batch exists, so the messages may be views into it.
 */
import { type Reply, SequenceReply } from '../reply.js';
import { Message } from './message.js';
import type { PubSubBatch, PubSubMessage } from './types.js';

/**
 * A SequenceReply to every door (`instanceof SequenceReply` holds: see the prototype link below)
 * whose `replies` are made when first read, so a batch that only a RESP door renders never makes
 * an object per message.
 */
export class PushBatch implements PubSubBatch {
  private built: PubSubMessage[] | null = null;

  /** `channel`: the channel's name (shared, never written); `data`/`ends`: the payloads. */
  constructor(
    readonly channel: Buffer,
    readonly data: Buffer,
    readonly ends: readonly number[],
  ) {}

  get replies(): readonly Reply[] {
    return this.messages.map((m) => m.reply);
  }

  get messages(): readonly PubSubMessage[] {
    if (this.built === null) {
      const ends = this.ends;
      const out: PubSubMessage[] = new Array(ends.length);
      let start = 0;
      for (let i = 0; i < ends.length; i++) {
        out[i] = new Message('message', this.channel, this.data.subarray(start, ends[i]), null);
        start = ends[i];
      }
      this.built = out;
    }
    return this.built;
  }
}

// Not `extends SequenceReply`: its constructor would set `replies` on every batch.
Object.setPrototypeOf(PushBatch.prototype, SequenceReply.prototype);

/** At most this many messages (or bytes of messages) are held before they are delivered. */
export const BATCH_MAX_MESSAGES = 256;
export const BATCH_MAX_BYTES = 256 * 1024;
/** The first buffer of a batch holds this many messages of the first one's size (it doubles as needed). */
export const BATCH_FIRST_MESSAGES = 16;
