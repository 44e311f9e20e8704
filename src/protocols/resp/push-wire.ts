/**
 * A push sent to many clients (a published message) is rendered once per protocol: the last
 * one's bytes are kept and copied into each subscriber's output. A push made of bulk strings
 * only (message, pmessage, smessage, invalidations of keys) is rendered straight into a buffer
 * of its exact size; any other goes through the encoder.
 */
import { PushBatch } from '../../commands/pubsub/batch.js';
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

const lastBatch: [PushBatch | null, PushBatch | null] = [null, null];
const lastBatchWire: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
/** Where batches are rendered, per protocol: reused, since each subscriber copies the bytes at once. */
const batchScratch: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
/** A larger rendering gets a buffer of its own instead of becoming the scratch. */
const KEEP_SCRATCH_BYTES = 256 * 1024;

/**
 * The RESP bytes of every message of `batch`, one after another: shared, and valid only until
 * the next batch is rendered (writePush copies them into the client's output at once).
 */
export function batchWire(batch: PushBatch, resp: 2 | 3): Buffer {
  const i = resp - 2;
  if (lastBatch[i] !== batch) {
    const size = batchSize(batch);
    let buf = batchScratch[i];
    if (size > buf.length) {
      buf = Buffer.allocUnsafeSlow(Math.max(size, 2 * buf.length, 4096));
      if (buf.length <= KEEP_SCRATCH_BYTES) batchScratch[i] = buf;
    }
    renderBatch(batch, resp, buf);
    lastBatchWire[i] = buf.subarray(0, size);
    lastBatch[i] = batch;
  }
  return lastBatchWire[i];
}

const MESSAGE_KIND = Buffer.from('$7\r\nmessage\r\n');
let headChannel: Buffer | null = null;
let head: Buffer = Buffer.alloc(0);

/**
 * What every message of a channel starts with after its first byte (`*` or `>`):
 * `3\r\n$7\r\nmessage\r\n$<n>\r\n<channel>\r\n`. Kept for the last channel (the hub hands
 * the same Buffer for a channel's every batch).
 */
function messageHead(channel: Buffer): Buffer {
  if (headChannel !== channel) {
    const n = channel.length;
    const lenWidth = digits(n);
    const h = Buffer.allocUnsafe(3 + MESSAGE_KIND.length + 3 + lenWidth + n + 2);
    h[0] = 51; // '3'
    h[1] = 13;
    h[2] = 10;
    h.set(MESSAGE_KIND, 3);
    putBulk(h, 3 + MESSAGE_KIND.length, channel);
    head = h;
    headChannel = channel;
  }
  return head;
}

/** Payloads up to this size are copied byte by byte (cheaper than a call into C++). */
const SMALL_COPY_BYTES = 64;

/** Bytes of the `message` pushes of `batch`. */
function batchSize(batch: PushBatch): number {
  const hn = messageHead(batch.channel).length;
  const ends = batch.ends;
  let size = 0;
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const n = ends[i] - start;
    size += 1 + hn + 3 + digits(n) + n + 2;
    start = ends[i];
  }
  return size;
}

/**
 * `message` pushes for every payload of the batch into `buf`. A message whose payload is as long
 * as the previous one's repeats that one's framing up to the payload (a short byte copy).
 */
function renderBatch(batch: PushBatch, resp: 2 | 3, buf: Buffer): void {
  const h = messageHead(batch.channel);
  const ends = batch.ends;
  const data = batch.data;
  const first = resp === 2 ? 42 : 62; // '*' or '>'
  let p = 0;
  let start = 0;
  let framed = -1; // payload length of the framing at [frameAt, frameEnd)
  let frameAt = 0;
  let frameEnd = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i];
    const n = end - start;
    if (n === framed) {
      for (let k = frameAt; k < frameEnd; k++) buf[p++] = buf[k];
    } else {
      frameAt = p;
      buf[p++] = first;
      buf.set(h, p);
      p += h.length;
      buf[p++] = 36; // '$'
      p = putUint(buf, p, n, digits(n));
      buf[p++] = 13;
      buf[p++] = 10;
      frameEnd = p;
      framed = n;
    }
    if (n <= SMALL_COPY_BYTES) for (let j = start; j < end; j++) buf[p++] = data[j];
    else p += data.copy(buf, p, start, end);
    buf[p++] = 13;
    buf[p++] = 10;
    start = end;
  }
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

/** `$<n>\r\n<bytes>\r\n` at `p`; the offset after it. */
function putBulk(buf: Buffer, p: number, bytes: Buffer): number {
  const n = bytes.length;
  buf[p++] = 36; // '$'
  p = putUint(buf, p, n, digits(n));
  buf[p++] = 13;
  buf[p++] = 10;
  buf.set(bytes, p);
  p += n;
  buf[p++] = 13;
  buf[p++] = 10;
  return p;
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
    p = putBulk(buf, p, items[i] as Buffer);
  }
  return buf;
}
