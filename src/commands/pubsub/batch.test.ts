import { describe, expect, it } from 'vitest';
import type { AclUser } from '../../security/acl-user.js';
import { PushBatch } from './batch.js';
import { PubSubHub } from './hub.js';
import type { PubSubBatch, PubSubMessage, PubSubSubscriber } from './types.js';

const b = (s: string) => Buffer.from(s);
let nextId = 1;

/** A subscriber that records each message and, when it takes batches, each batch's size. */
function probe(takesBatches: boolean) {
  const got: string[] = [];
  const batches: number[] = [];
  const p: PubSubSubscriber = {
    id: nextId++,
    acl: {} as AclUser,
    pubsub: null,
    deliver(msg: PubSubMessage) {
      got.push(`${msg.channel} ${msg.message}`);
    },
    close() {},
  };
  if (takesBatches) {
    p.deliverBatch = (batch: PubSubBatch) => {
      expect(batch).toBeInstanceOf(PushBatch);
      expect(batch.replies).toHaveLength(batch.messages.length);
      batches.push(batch.messages.length);
      for (const m of batch.messages) got.push(`${m.channel} ${m.message}`);
    };
  }
  return { p, got, batches };
}

describe('PubSubHub batches of PUBLISH', () => {
  it('holds consecutive publishes to one channel and delivers them at once, in order', () => {
    const hub = new PubSubHub();
    const a = probe(true);
    const s = probe(false);
    hub.subscribe(a.p, 'channel', b('ch'));
    hub.subscribe(s.p, 'channel', b('ch'));
    const msg = Buffer.from('m1');
    hub.batchPublishes(true);
    expect(hub.publish(b('ch'), msg)).toBe(2);
    // The caller's buffer may be reused at once: the hub holds a copy.
    msg.write('zz');
    expect(hub.publish(b('ch'), b('m2'))).toBe(2);
    expect(hub.publish(b('ch'), b('m3'))).toBe(2);
    expect(a.got).toEqual([]);
    hub.batchPublishes(false);
    expect(a.got).toEqual(['ch m1', 'ch m2', 'ch m3']);
    expect(a.batches).toEqual([3]);
    // A subscriber without deliverBatch gets each message by itself.
    expect(s.got).toEqual(['ch m1', 'ch m2', 'ch m3']);
    // Not batching: delivered at once.
    hub.publish(b('ch'), b('m4'));
    expect(a.got.at(-1)).toBe('ch m4');
  });

  it('keeps the order across channels and with subscription changes in between', () => {
    const hub = new PubSubHub();
    const a = probe(true);
    hub.subscribe(a.p, 'channel', b('x'));
    hub.subscribe(a.p, 'channel', b('y'));
    hub.batchPublishes(true);
    hub.publish(b('x'), b('1'));
    hub.publish(b('x'), b('2'));
    hub.publish(b('y'), b('3'));
    expect(a.got).toEqual(['x 1', 'x 2']);
    hub.publish(b('nobody'), b('4'));
    expect(a.got).toEqual(['x 1', 'x 2', 'y 3']);
    hub.publish(b('x'), b('5'));
    hub.unsubscribe(a.p, 'channel', b('x'));
    expect(a.got).toEqual(['x 1', 'x 2', 'y 3', 'x 5']);
    hub.publish(b('x'), b('6'));
    hub.publish(b('y'), b('7'));
    hub.flushPublishes();
    expect(a.got).toEqual(['x 1', 'x 2', 'y 3', 'x 5', 'y 7']);
    hub.batchPublishes(false);
  });

  it('does not hold while patterns are subscribed, and bounds what it holds', () => {
    const hub = new PubSubHub();
    const a = probe(true);
    hub.subscribe(a.p, 'channel', b('ch'));
    hub.subscribe(a.p, 'pattern', b('c*'));
    hub.batchPublishes(true);
    expect(hub.publish(b('ch'), b('1'))).toBe(2);
    expect(a.got).toEqual(['ch 1', 'ch 1']);
    hub.unsubscribe(a.p, 'pattern', b('c*'));
    for (let i = 0; i < 1000; i++) hub.publish(b('ch'), b(String(i)));
    expect(a.got.length).toBeGreaterThan(2);
    expect(a.got.length).toBeLessThan(1002);
    hub.batchPublishes(false);
    expect(a.got).toHaveLength(1002);
    expect(a.got.at(-1)).toBe('ch 999');
    expect(Math.max(...a.batches)).toBeLessThanOrEqual(256);
  });
});
