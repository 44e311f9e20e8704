import { describe, expect, it } from 'vitest';
import { createTestServer } from './testing.js';

describe('ServerApi.onNotify', () => {
  it('hears every notification whatever notify-keyspace-events says, until it stops listening', async () => {
    const t = createTestServer();
    const c = t.client();
    const heard: string[] = [];
    const stop = t.server.onNotify((event, key, db) => heard.push(`${db} ${event} ${key.toString()}`));
    await t.run(c, 'HSET', 'h', 'f', 'v');
    await t.run(c, 'RPUSH', 'l', 'a');
    await t.run(c, 'LPOP', 'l');
    expect(heard).toEqual(['0 new h', '0 hset h', '0 new l', '0 rpush l', '0 lpop l', '0 del l']);
    // Nothing was published: the option is off.
    expect(t.server.pubsub.size('pattern')).toBe(0);
    stop();
    await t.run(c, 'SET', 's', 'v');
    expect(heard).toHaveLength(6);
    t.close();
  });
});
