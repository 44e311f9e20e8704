/** One published message (PubSubMessage), with its reply built on first use and shared. */
import { PushReply } from '../reply.js';
import type { PubSubMessage } from './types.js';

const MESSAGE = Buffer.from('message');
const PMESSAGE = Buffer.from('pmessage');
const SMESSAGE = Buffer.from('smessage');

export class Message implements PubSubMessage {
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
