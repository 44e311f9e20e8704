import { describe, expect, it } from 'vitest';
import { ConfigStore } from '../config/store.js';
import { ManualClock } from '../engine/clock.js';
import { createTestServer } from '../server/testing.js';
import {
  OutputGuard,
  PubSubOutputLimit,
  type SubscriptionRequest,
  subscribeAll,
  subscriptionCommands,
} from './subscriptions.js';

const B = (s: string) => Buffer.from(s);
const text = (cmds: Buffer[][]) => cmds.map((c) => c.map((a) => a.toString()).join(' '));
const empty: SubscriptionRequest = {
  channels: [],
  patterns: [],
  shards: [],
  keyspace: [],
  keyevent: [],
  db: 0,
};

describe('subscriptionCommands', () => {
  it('makes one command per kind, the keyspace conveniences as patterns of the database', () => {
    expect(subscriptionCommands(empty)).toEqual([]);
    const cmds = subscriptionCommands({
      channels: [B('a'), B('b')],
      patterns: [B('n.*')],
      shards: [B('s')],
      keyspace: [B('user:*')],
      keyevent: [B('expired')],
      db: 3,
    });
    expect(text(cmds)).toEqual([
      'SUBSCRIBE a b',
      'PSUBSCRIBE n.* __keyspace@3__:user:* __keyevent@3__:expired',
      'SSUBSCRIBE s',
    ]);
  });
});

describe('subscribeAll', () => {
  it('confirms each subscription, or undoes them all on a refusal', async () => {
    const t = createTestServer();
    const c = t.client();
    await t.run(c, 'ACL', 'SETUSER', 'u', 'on', 'nopass', '+@all', 'resetchannels', '&a');
    await t.run(c, 'AUTH', 'u', 'x');
    const ctx = t.server.context(c);
    const ok = subscribeAll(t.server, ctx, subscriptionCommands({ ...empty, channels: [B('a')] }));
    expect(ok).toEqual([{ verb: 'subscribe', name: B('a'), count: 1 }]);
    t.server.pubsub.unsubscribeAll(c);
    const refused = subscribeAll(
      t.server,
      ctx,
      subscriptionCommands({ ...empty, channels: [B('a')], patterns: [B('*')] }),
    );
    expect(refused).toMatchObject({ kind: 'NOPERM' });
    expect(c.pubsub).toBeNull();
    expect(t.server.pubsub.subscriberCount('channel', B('a'))).toBe(0);
    t.close();
  });
});

describe('OutputGuard', () => {
  it('applies the pubsub class: hard at once, soft after its seconds, followed at run time', () => {
    const config = new ConfigStore({ 'client-output-buffer-limit': 'pubsub 100 50 2' });
    const clock = new ManualClock();
    const limit = new PubSubOutputLimit(config);
    const g = new OutputGuard(limit, clock);
    expect(g.check(101)).toBe('hard');
    expect(g.check(60)).toBeNull();
    clock.advance(2000);
    expect(g.check(60)).toBeNull();
    clock.advance(1);
    expect(g.check(60)).toBe('soft');
    expect(g.check(10)).toBeNull();
    config.apply('client-output-buffer-limit', 'pubsub 0 0 0');
    expect(g.check(1e9)).toBeNull();
    limit.close();
  });
});
