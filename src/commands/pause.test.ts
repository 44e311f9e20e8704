import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../engine/clock.js';
import { createTestServer, type TestServer } from '../server/testing.js';
import { blockedClients } from './blocking.js';
import { plain } from './families/test-helpers.js';
import type { Reply } from './reply.js';

let t: TestServer;
afterEach(() => t?.close());

/** True when `p` settled already (microtasks flushed). */
async function settled(p: Promise<Reply>): Promise<boolean> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('CLIENT PAUSE', () => {
  it('WRITE holds writes and may-replicate commands until UNPAUSE, reads run', async () => {
    t = createTestServer();
    const admin = t.client();
    const c = t.client();
    expect(plain(await t.run(admin, 'CLIENT', 'PAUSE', '60000', 'WRITE'))).toBe('+OK');
    expect(plain(await t.run(c, 'GET', 'k'))).toBeNull();
    expect(plain(await t.run(c, 'EVAL', '#!lua flags=no-writes\nreturn 1', '0'))).toBe(1);
    const set = t.run(c, 'SET', 'k', 'v');
    const pub = t.run(t.client(), 'PUBLISH', 'ch', 'm');
    const script = t.run(t.client(), 'EVAL', 'return 1', '0');
    expect(await settled(set)).toBe(false);
    expect(await settled(pub)).toBe(false);
    expect(await settled(script)).toBe(false);
    expect(blockedClients(t.server)).toBe(3);
    expect(plain(await t.run(admin, 'GET', 'k'))).toBeNull();
    expect(plain(await t.run(admin, 'CLIENT', 'UNPAUSE'))).toBe('+OK');
    expect(plain(await set)).toBe('+OK');
    expect(plain(await pub)).toBe(0);
    expect(plain(await script)).toBe(1);
    expect(blockedClients(t.server)).toBe(0);
    expect(plain(await t.run(admin, 'GET', 'k'))).toBe('v');
  });

  it('ALL holds every command, and the pause ends by itself at its timeout', async () => {
    const clock = new ManualClock();
    t = createTestServer({ clock });
    const admin = t.client();
    expect(plain(await t.run(admin, 'CLIENT', 'PAUSE', '100'))).toBe('+OK');
    const get = t.run(t.client(), 'PING');
    expect(await settled(get)).toBe(false);
    clock.advance(100);
    // The next check of the pause notices its end and lets the held command run.
    expect(t.server.pause.active()).toBe(false);
    expect(plain(await get)).toBe('+PONG');
  });

  it('holds an EXEC whose queue writes, not one that only reads; refuses bad arguments', async () => {
    t = createTestServer();
    const admin = t.client();
    const reader = t.client();
    const writer = t.client();
    await t.run(reader, 'MULTI');
    await t.run(reader, 'GET', 'x');
    await t.run(writer, 'MULTI');
    await t.run(writer, 'SET', 'x', '1');
    await t.run(admin, 'CLIENT', 'PAUSE', '60000', 'WRITE');
    expect(plain(await t.run(reader, 'EXEC'))).toEqual([null]);
    const exec = t.run(writer, 'EXEC');
    expect(await settled(exec)).toBe(false);
    await t.run(admin, 'CLIENT', 'UNPAUSE');
    expect(plain(await exec)).toEqual(['+OK']);
    expect(plain(await t.run(admin, 'CLIENT', 'PAUSE', '10', 'SOME'))).toBe(
      '-ERR CLIENT PAUSE mode must be WRITE or ALL',
    );
    expect(plain(await t.run(admin, 'CLIENT', 'PAUSE', '-1'))).toBe('-ERR timeout is negative');
    expect(plain(await t.run(admin, 'CLIENT', 'PAUSE', 'x'))).toBe(
      '-ERR timeout is not an integer or out of range',
    );
  });
});
