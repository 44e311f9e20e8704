/**
 * A push sent to many clients (a published message) is rendered once per protocol: the last
 * one's bytes are kept and copied into each subscriber's output.
 */
import type { PushReply } from '../../commands/reply.js';
import { OutputBuffer, writeReply } from './encoder.js';

const lastPush: [PushReply | null, PushReply | null] = [null, null];
const lastWire: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
const scratch = new OutputBuffer(4096);

/** The RESP bytes of `reply` in protocol `resp` (shared: copy them, never change them). */
export function pushWire(reply: PushReply, resp: 2 | 3): Buffer {
  const i = resp - 2;
  if (lastPush[i] !== reply) {
    scratch.reset(64 * 1024);
    writeReply(scratch, reply, resp);
    lastWire[i] = Buffer.from(scratch.take());
    lastPush[i] = reply;
  }
  return lastWire[i];
}
