import { describe, expect, it } from 'vitest';
import type { AclUser } from '../../security/acl-user.js';
import { PushReply } from '../reply.js';
import { PubSubHub, subscriptionCount } from './hub.js';
import type { PubSubMessage, PubSubSubscriber } from './types.js';

const b = (s: string) => Buffer.from(s);

interface Probe extends PubSubSubscriber {
  got: string[];
  closed: boolean;
}

let nextId = 1;
function probe(): Probe {
  const p: Probe = {
    id: nextId++,
    acl: {} as AclUser,
    pubsub: null,
    got: [],
    closed: false,
    deliver(msg: PubSubMessage) {
      p.got.push(
        [msg.kind, msg.pattern?.toString() ?? '-', msg.channel.toString(), msg.message.toString()].join(' '),
      );
    },
    close() {
      p.closed = true;
    },
  };
  return p;
}

describe('PubSubHub', () => {
  it('delivers to channel subscribers, then to each matching pattern, and counts receivers', () => {
    const hub = new PubSubHub();
    const a = probe();
    const c = probe();
    expect(hub.subscribe(a, 'channel', b('news'))).toBe(true);
    expect(hub.subscribe(a, 'channel', b('news'))).toBe(false);
    hub.subscribe(c, 'pattern', b('n*'));
    hub.subscribe(c, 'pattern', b('x*'));
    hub.subscribe(a, 'pattern', b('new?'));
    expect(hub.publish(b('news'), b('hi'))).toBe(3);
    expect(a.got).toEqual(['message - news hi', 'pmessage new? news hi']);
    expect(c.got).toEqual(['pmessage n* news hi']);
    expect(hub.publish(b('other'), b('x'))).toBe(0);
    expect(subscriptionCount(a.pubsub, 'channel')).toBe(2);
    expect(hub.size('channel')).toBe(1);
    expect(hub.size('pattern')).toBe(3);
  });

  it('keeps shard channels apart: SPUBLISH reaches only shard subscribers, never patterns', () => {
    const hub = new PubSubHub();
    const a = probe();
    hub.subscribe(a, 'shard', b('orders'));
    hub.subscribe(a, 'pattern', b('*'));
    expect(hub.spublish(b('orders'), b('1'))).toBe(1);
    expect(a.got).toEqual(['smessage - orders 1']);
    // PUBLISH on the same name reaches the pattern, not the shard subscription.
    expect(hub.publish(b('orders'), b('2'))).toBe(1);
    expect(a.got[1]).toBe('pmessage * orders 2');
    expect(subscriptionCount(a.pubsub, 'shard')).toBe(1);
    expect(subscriptionCount(a.pubsub, 'channel')).toBe(1);
    expect(hub.subscriberCount('shard', b('orders'))).toBe(1);
    expect(hub.subscriberCount('channel', b('orders'))).toBe(0);
  });

  it('forgets names nobody listens to and clears the subscriber when it holds nothing', () => {
    const hub = new PubSubHub();
    const a = probe();
    const c = probe();
    hub.subscribe(a, 'channel', b('x'));
    hub.subscribe(c, 'channel', b('x'));
    hub.subscribe(a, 'shard', b('s'));
    expect(hub.unsubscribe(a, 'channel', b('nope'))).toBe(false);
    expect(hub.unsubscribe(a, 'channel', b('x'))).toBe(true);
    expect(hub.subscriberCount('channel', b('x'))).toBe(1);
    expect(a.pubsub).not.toBeNull();
    hub.unsubscribeAll(a);
    expect(a.pubsub).toBeNull();
    expect(hub.size('shard')).toBe(0);
    expect([...hub.subscribers()]).toEqual([c]);
    hub.unsubscribe(c, 'channel', b('x'));
    expect(c.pubsub).toBeNull();
    expect(hub.size('channel')).toBe(0);
    expect([...hub.subscribers()]).toEqual([]);
  });

  it('lists active names, optionally by glob, binary-safe', () => {
    const hub = new PubSubHub();
    const a = probe();
    const bin = Buffer.from([0xff, 0x00, 0x41]);
    for (const n of ['news.eu', 'news.us', 'sport']) hub.subscribe(a, 'channel', b(n));
    hub.subscribe(a, 'channel', bin);
    hub.subscribe(a, 'shard', b('news.shard'));
    expect(hub.names('channel', null).map(String).sort()).toContain('sport');
    expect(hub.names('channel', null)).toHaveLength(4);
    expect(hub.names('channel', b('news.*')).map(String).sort()).toEqual(['news.eu', 'news.us']);
    expect(hub.names('shard', b('news.*')).map(String)).toEqual(['news.shard']);
    expect(hub.names('channel', null).some((n) => n.equals(bin))).toBe(true);
    expect(hub.publish(bin, b('m'))).toBe(1);
  });

  it('hands out copies: the publisher may reuse its buffers, and one reply is shared', () => {
    const hub = new PubSubHub();
    const kept: PubSubMessage[] = [];
    const a = { ...probe(), deliver: (m: PubSubMessage) => kept.push(m) };
    const c = { ...probe(), deliver: (m: PubSubMessage) => kept.push(m) };
    hub.subscribe(a, 'channel', b('ch'));
    hub.subscribe(c, 'channel', b('ch'));
    const channel = b('ch');
    const message = b('payload');
    hub.publish(channel, message);
    message.fill(0);
    channel.fill(0);
    expect(kept[0].message.toString()).toBe('payload');
    expect(kept[0].channel.toString()).toBe('ch');
    expect(kept[0]).toBe(kept[1]);
    expect(kept[0].reply).toBeInstanceOf(PushReply);
    expect(kept[0].reply.items.map(String)).toEqual(['message', 'ch', 'payload']);
  });

  it('a subscriber whose deliver throws does not stop the others', () => {
    const errors: unknown[] = [];
    const hub = new PubSubHub((err) => errors.push(err));
    const bad = {
      ...probe(),
      deliver: () => {
        throw new Error('boom');
      },
    };
    const good = probe();
    hub.subscribe(bad, 'channel', b('c'));
    hub.subscribe(good, 'channel', b('c'));
    expect(hub.publish(b('c'), b('m'))).toBe(2);
    expect(good.got).toEqual(['message - c m']);
    expect(errors).toHaveLength(1);
  });

  it('a subscriber may leave while a message is being fanned out', () => {
    const hub = new PubSubHub();
    const others = [probe(), probe()];
    const leaver: Probe = { ...probe(), deliver: () => hub.unsubscribeAll(leaver) };
    hub.subscribe(leaver, 'channel', b('c'));
    for (const o of others) hub.subscribe(o, 'channel', b('c'));
    expect(hub.publish(b('c'), b('m'))).toBe(3);
    expect(others.map((o) => o.got.length)).toEqual([1, 1]);
    expect(hub.subscriberCount('channel', b('c'))).toBe(2);
  });
});
