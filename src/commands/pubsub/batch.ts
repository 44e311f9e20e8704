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
 * The batch is a SequenceReply of the messages' PushReplies (a RESP door renders it once per
 * protocol and copies the bytes into each subscriber's output); `messages` is for subscribers that
 * take messages one by one (HTTP and gRPC streams, a client inside EXEC).
 */
import { SequenceReply } from '../reply.js';
import type { PubSubBatch, PubSubMessage } from './types.js';

export class PushBatch extends SequenceReply implements PubSubBatch {
  constructor(readonly messages: readonly PubSubMessage[]) {
    super(messages.map((m) => m.reply));
  }
}

/** At most this many messages (or bytes of messages) are held before they are delivered. */
export const BATCH_MAX_MESSAGES = 256;
export const BATCH_MAX_BYTES = 256 * 1024;
