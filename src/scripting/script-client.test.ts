/**
 * The client view scripts run as (script-client.ts) and the VM's memory of short strings
 * (lua/shared-bytes.ts): what the view reads from the caller, what it keeps to itself, and
 * that a remembered string is handed out again only while its bytes are the same.
 */
import { describe, expect, it } from 'vitest';
import { createTestServer } from '../server/testing.js';
import { SharedBytes } from './lua/shared-bytes.js';
import { ScriptClient, scriptClient } from './script-client.js';

describe('the script client view', () => {
  it("reads the caller's session and keeps the script's changes to itself", async () => {
    const t = createTestServer();
    const caller = t.client();
    caller.db = 3;
    caller.name = 'worker';
    const view = scriptClient(caller);
    expect(view.db).toBe(3);
    expect(view.resp).toBe(2);
    expect(view.name).toBe('worker');
    expect(view.id).toBe(caller.id);
    expect(view.user).toBe(caller.user);
    // The caller changing a field shows through until the script sets its own.
    caller.name = 'renamed';
    expect(view.name).toBe('renamed');
    view.db = 5;
    view.name = 'inside';
    view.watchDirty = true;
    expect(caller.db).toBe(3);
    expect(caller.name).toBe('renamed');
    expect(caller.watchDirty).toBe(false);
    expect(view.name).toBe('inside');
    // The next run starts from the caller again, with the same view.
    const again = scriptClient(caller);
    expect(again).toBe(view);
    expect(again.db).toBe(3);
    expect(again.name).toBe('renamed');
    expect(again.watchDirty).toBe(false);
    t.close();
  });

  it('leaves the caller an ordinary object and gives every view one class', () => {
    const t = createTestServer();
    const a = t.client();
    const b = t.client();
    const va = scriptClient(a);
    const vb = scriptClient(b);
    expect(va).not.toBe(vb);
    expect(Object.getPrototypeOf(va)).toBe(ScriptClient.prototype);
    expect(Object.getPrototypeOf(vb)).toBe(ScriptClient.prototype);
    expect(va.caller).toBe(a);
    expect(va.context(t.server).client).toBe(va);
    expect(va.context(t.server)).toBe(va.context(t.server));
    t.close();
  });

  it('a SELECT inside a script does not move the caller', async () => {
    const t = createTestServer();
    await t.server.scripting.init();
    const c = t.client();
    await t.run(c, 'set', 'k', 'db0');
    const r = await t.run(c, 'eval', "redis.call('select', 1) redis.call('set', 'k', 'db1') return 1", '0');
    expect(r).toBe(1);
    expect(c.db).toBe(0);
    expect((await t.run(c, 'get', 'k'))?.toString()).toBe('db0');
    await t.run(c, 'select', '1');
    expect((await t.run(c, 'get', 'k'))?.toString()).toBe('db1');
    t.close();
  });
});

describe('shared short strings', () => {
  it('gives back the remembered Buffer only for the same address and bytes', () => {
    const heap = new Uint8Array(256);
    heap.set(Buffer.from('set'), 64);
    const cache = new SharedBytes();
    expect(cache.find(heap, 64, 3)).toBeNull();
    const b = Buffer.from('set');
    cache.remember(64, b);
    expect(cache.find(heap, 64, 3)).toBe(b);
    // Another length, another address, or other bytes at that address: not that string.
    expect(cache.find(heap, 64, 2)).toBeNull();
    expect(cache.find(heap, 72, 3)).toBeNull();
    heap.set(Buffer.from('get'), 64);
    expect(cache.find(heap, 64, 3)).toBeNull();
  });
});
