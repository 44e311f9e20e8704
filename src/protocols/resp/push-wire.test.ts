import { describe, expect, it } from 'vitest';
import { PushBatch } from '../../commands/pubsub/batch.js';
import { PubSubHub } from '../../commands/pubsub/hub.js';
import type { PubSubBatch, PubSubSubscriber } from '../../commands/pubsub/types.js';
import { SequenceReply } from '../../commands/reply.js';
import type { AclUser } from '../../security/acl-user.js';
import { OutputBuffer, writeReply } from './encoder.js';
import { writePush } from './push-wire.js';

/** Publish `payloads` to `channel` as one held batch; return the batch the subscriber got. */
function batchOf(channel: string, payloads: Buffer[]): PubSubBatch {
  const hub = new PubSubHub();
  const got: PubSubBatch[] = [];
  const sub: PubSubSubscriber = {
    id: 1,
    acl: {} as AclUser,
    pubsub: null,
    deliver() {
      throw new Error('expected a batch');
    },
    deliverBatch(b) {
      got.push(b);
    },
    close() {},
  };
  hub.subscribe(sub, 'channel', Buffer.from(channel));
  hub.batchPublishes(true);
  for (const p of payloads) expect(hub.publish(Buffer.from(channel), p)).toBe(1);
  hub.batchPublishes(false);
  expect(got).toHaveLength(1);
  expect(got[0]).toBeInstanceOf(PushBatch);
  return got[0];
}

/** What the generic encoder renders for each message's own reply, one after another. */
function oneByOne(batch: PubSubBatch, resp: 2 | 3): Buffer {
  const out = new OutputBuffer();
  for (const m of batch.messages) writeReply(out, m.reply, resp);
  return Buffer.from(out.take());
}

function rendered(batch: PubSubBatch, resp: 2 | 3): Buffer {
  const out = new OutputBuffer();
  writePush(out, batch as PushBatch, resp);
  return Buffer.from(out.take());
}

describe('a batch of published messages on the wire', () => {
  const lengths = [0, 1, 9, 10, 10, 10, 64, 65, 65, 99, 100, 1000, 3, 3, 70000];
  const payloads = lengths.map((n, i) => Buffer.alloc(n, 97 + (i % 26)));

  it('is byte for byte the messages rendered one by one, in RESP2 and RESP3', () => {
    for (const channel of ['ch', 'a channel name that is longer than most', '']) {
      const batch = batchOf(channel, payloads);
      expect(batch.messages.map((m) => m.message.length)).toEqual(lengths);
      for (const resp of [2, 3] as const) {
        const wire = rendered(batch, resp);
        expect(wire.equals(oneByOne(batch, resp))).toBe(true);
        expect(wire[0]).toBe(resp === 2 ? 0x2a : 0x3e);
      }
    }
    const first = rendered(batchOf('ch', [Buffer.from('hello')]), 2).toString();
    expect(first).toBe('*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n');
  });

  it('keeps each batch its bytes when the next one is rendered, and is a SequenceReply elsewhere', () => {
    const a = batchOf('ch', [Buffer.from('one'), Buffer.from('two')]);
    const b = batchOf('ch', [Buffer.from('three')]);
    const wireA = rendered(a, 2);
    rendered(b, 2);
    expect(rendered(a, 2).equals(wireA)).toBe(true);
    expect(a.messages.map((m) => m.message.toString())).toEqual(['one', 'two']);
    // A door that knows no batches renders its replies.
    expect(a).toBeInstanceOf(SequenceReply);
    for (const resp of [2, 3] as const) {
      const out = new OutputBuffer();
      writeReply(out, a, resp);
      expect(Buffer.from(out.take()).toString()).toBe(rendered(a, resp).toString());
    }
  });
});
