import { describe, expect, it } from 'vitest';
import type { ClientState } from '../commands/context.js';
import { plain } from '../commands/families/test-helpers.js';
import { PushReply, type Reply } from '../commands/reply.js';
import { createTestServer, type TestServer } from './testing.js';

/** A client on PSUBSCRIBE `__key*__:*` whose messages are kept as `channel message` (latin1). */
async function listen(t: TestServer): Promise<string[]> {
  const got: string[] = [];
  const sub: ClientState = t.client({
    push: (r: Reply) => {
      const items = (r as PushReply).items.map((x) => (x as Buffer).toString('latin1'));
      if (items[0] === 'pmessage') got.push(`${items[2]} ${items[3]}`);
      return true;
    },
  });
  await t.run(sub, 'PSUBSCRIBE', '__key*__:*');
  return got;
}

async function setup(flags: string): Promise<{ t: TestServer; c: ClientState; got: string[] }> {
  const t = createTestServer();
  const c = t.client();
  const got = await listen(t);
  expect(plain(await t.run(c, 'CONFIG', 'SET', 'notify-keyspace-events', flags))).toBe('+OK');
  return { t, c, got };
}

describe('keyspace notifications', () => {
  it('publish nothing while off, and on both channels once K and E are set', async () => {
    const { t, c, got } = await setup('');
    await t.run(c, 'SET', 'k', 'v');
    expect(got).toEqual([]);
    await t.run(c, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    await t.run(c, 'SET', 'k', 'w');
    expect(got).toEqual(['__keyspace@0__:k set', '__keyevent@0__:set k']);
  });

  it('publish a class only with K or E, and only the classes asked for', async () => {
    const { t, c, got } = await setup('g$');
    await t.run(c, 'SET', 'k', 'v');
    expect(got).toEqual([]);
    await t.run(c, 'CONFIG', 'SET', 'notify-keyspace-events', 'Kg');
    await t.run(c, 'SET', 'k', 'v');
    await t.run(c, 'DEL', 'k');
    expect(got).toEqual(['__keyspace@0__:k del']);
  });

  it('name the database and carry binary keys unchanged', async () => {
    const { t, c, got } = await setup('E$');
    await t.run(c, 'SELECT', '7');
    const key = Buffer.from([0, 0xff, 0x0d, 0x0a, 0x41]);
    await t.run(c, 'APPEND', key, 'x');
    expect(got).toEqual([`__keyevent@7__:append ${key.toString('latin1')}`]);
  });

  it('report `new` before the command event, only for a key that did not exist', async () => {
    const { t, c, got } = await setup('KEA');
    await t.run(c, 'CONFIG', 'SET', 'notify-keyspace-events', 'Kn$');
    await t.run(c, 'SET', 'k', '1');
    await t.run(c, 'SET', 'k', '2');
    expect(got).toEqual(['__keyspace@0__:k new', '__keyspace@0__:k set', '__keyspace@0__:k set']);
  });

  it('report `expired` for a key removed by the background cycle or on access', async () => {
    const { t, c, got } = await setup('Ex');
    await t.run(c, 'SET', 'a', '1', 'PX', '100');
    await t.run(c, 'SET', 'b', '1', 'PX', '100');
    expect(got).toEqual([]);
    t.clock.advance(101);
    expect(await t.run(c, 'GET', 'a')).toBeNull();
    expect(got).toEqual(['__keyevent@0__:expired a']);
    t.keyspace.activeExpireCycle(1000);
    expect(got).toEqual(['__keyevent@0__:expired a', '__keyevent@0__:expired b']);
  });

  it('report `evicted` before the write that made room', async () => {
    const { t, c, got } = await setup('Ke$');
    await t.run(c, 'SET', 'a', 'x'.repeat(100));
    await t.run(c, 'SET', 'b', 'x'.repeat(100));
    // maxmemory counts the Lua VMs beside the dataset, as Redis does (commands/memory-limit.ts).
    const max = t.keyspace.usedMemory() + t.server.scripting.vmMemory;
    await t.run(c, 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru', 'maxmemory', String(max));
    await t.run(c, 'SET', 'c', 'x'.repeat(100));
    expect(got).toEqual(['__keyspace@0__:a set', '__keyspace@0__:b set', '__keyspace@0__:c set']);
    await t.run(c, 'SET', 'd', 'x');
    const evicted = got.slice(3, -1);
    expect(evicted.length).toBeGreaterThan(0);
    expect(got.at(-1)).toBe('__keyspace@0__:d set');
    // (Every command evicts first while over maxmemory, as Redis does: check after the order.)
    for (const e of evicted) {
      expect(e).toMatch(/^__keyspace@0__:[abc] evicted$/);
      expect(await t.run(c, 'EXISTS', e.slice(15, 16))).toBe(0);
    }
  });

  it('report `keymiss` for read misses only, with m', async () => {
    const { t, c, got } = await setup('Em');
    await t.run(c, 'GET', 'nope');
    await t.run(c, 'OBJECT', 'ENCODING', 'nope');
    await t.run(c, 'LPOP', 'nope');
    await t.run(c, 'SET', 'k', 'v');
    await t.run(c, 'GET', 'k');
    expect(got).toEqual(['__keyevent@0__:keymiss nope']);
  });

  it('come from commands inside MULTI/EXEC, in order', async () => {
    const { t, c, got } = await setup('Elg');
    await t.run(c, 'MULTI');
    await t.run(c, 'RPUSH', 'l', 'a');
    await t.run(c, 'LPOP', 'l');
    expect(got).toEqual([]);
    await t.run(c, 'EXEC');
    expect(got).toEqual(['__keyevent@0__:rpush l', '__keyevent@0__:lpop l', '__keyevent@0__:del l']);
  });

  it("reject a bad class letter with Redis's error and keep the old setting", async () => {
    const { t, c, got } = await setup('KEA');
    expect(plain(await t.run(c, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEw'))).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
    );
    expect(plain(await t.run(c, 'CONFIG', 'GET', 'notify-keyspace-events'))).toEqual({
      map: [['notify-keyspace-events', 'AKE']],
    });
    await t.run(c, 'SET', 'k', 'v');
    expect(got).toHaveLength(2);
  });
});

describe('delivery', () => {
  it('is a pmessage push to a pattern subscriber', async () => {
    const t = createTestServer();
    const pushes: Reply[] = [];
    const sub = t.client({ push: (r) => pushes.push(r) > 0 });
    await t.run(sub, 'PSUBSCRIBE', '__key*__:*');
    const c = t.client();
    await t.run(c, 'CONFIG', 'SET', 'notify-keyspace-events', 'K$');
    await t.run(c, 'SET', 'k', 'v');
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toBeInstanceOf(PushReply);
    expect((pushes[0] as PushReply).items.map((x) => plain(x))).toEqual([
      'pmessage',
      '__key*__:*',
      '__keyspace@0__:k',
      'set',
    ]);
  });
});
