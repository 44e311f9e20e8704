/**
 * A push sent to many clients (a published message) is rendered once per protocol: the last
 * one's bytes are kept and copied into each subscriber's output. A push made of bulk strings
 * only (message, pmessage, smessage, invalidations of keys) is rendered straight into a buffer
 * of its exact size; any other goes through the encoder.
 */
import { PushBatch } from '../../commands/pubsub/batch.js';
import type { PubSubBatch } from '../../commands/pubsub/types.js';
import { PushReply, type Reply } from '../../commands/reply.js';
import { OutputBuffer, writeReply } from './encoder.js';
import { appendWire } from './push-flush.js';

/** Render an out-of-band reply: a published message or batch from its shared bytes, else afresh. */
export function writePush(out: OutputBuffer, reply: Reply, resp: 2 | 3): void {
  if (reply instanceof PushReply) appendWire(out, pushWire(reply, resp));
  else if (reply instanceof PushBatch) appendWire(out, batchWire(reply, resp));
  else writeReply(out, reply, resp);
}

const lastPush: [PushReply | null, PushReply | null] = [null, null];
const lastWire: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
const scratch = new OutputBuffer(4096);

/** The RESP bytes of `reply` in protocol `resp` (shared: copy them, never change them). */
export function pushWire(reply: PushReply, resp: 2 | 3): Buffer {
  const i = resp - 2;
  if (lastPush[i] !== reply) {
    lastWire[i] = renderBulks(reply.items, resp) ?? renderAny(reply, resp);
    lastPush[i] = reply;
  }
  return lastWire[i];
}

const lastBatch: [PubSubBatch | null, PubSubBatch | null] = [null, null];
const lastBatchWire: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];

/** The RESP bytes of every message of `batch`, one after another (shared, as pushWire's). */
export function batchWire(batch: PubSubBatch, resp: 2 | 3): Buffer {
  const i = resp - 2;
  if (lastBatch[i] !== batch) {
    scratch.reset(64 * 1024);
    for (const r of batch.replies) {
      const w = r instanceof PushReply ? renderBulks(r.items, resp) : null;
      if (w === null) writeReply(scratch, r, resp);
      else appendWire(scratch, w);
    }
    lastBatchWire[i] = Buffer.from(scratch.take());
    lastBatch[i] = batch;
  }
  return lastBatchWire[i];
}

function renderAny(reply: PushReply, resp: 2 | 3): Buffer {
  scratch.reset(64 * 1024);
  writeReply(scratch, reply, resp);
  return Buffer.from(scratch.take());
}

/** Decimal digits of a non-negative safe integer. */
function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

function putUint(buf: Buffer, p: number, n: number, width: number): number {
  for (let i = p + width - 1; i >= p; i--) {
    buf[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return p + width;
}

/** `>N` / `*N` then `$len\r\n<bytes>\r\n` per item, or null when an item is not a Buffer. */
function renderBulks(items: PushReply['items'], resp: 2 | 3): Buffer | null {
  const count = items.length;
  const countWidth = digits(count);
  let size = 3 + countWidth;
  for (let i = 0; i < count; i++) {
    const item = items[i];
    if (!(item instanceof Buffer)) return null;
    size += 5 + digits(item.length) + item.length;
  }
  const buf = Buffer.allocUnsafe(size);
  buf[0] = resp === 2 ? 42 : 62; // '*' or '>'
  let p = putUint(buf, 1, count, countWidth);
  buf[p++] = 13;
  buf[p++] = 10;
  for (let i = 0; i < count; i++) {
    const item = items[i] as Buffer;
    const n = item.length;
    buf[p++] = 36; // '$'
    p = putUint(buf, p, n, digits(n));
    buf[p++] = 13;
    buf[p++] = 10;
    buf.set(item, p);
    p += n;
    buf[p++] = 13;
    buf[p++] = 10;
  }
  return buf;
}
