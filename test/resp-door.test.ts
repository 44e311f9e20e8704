/**
 * The RESP door's listener and shutdown order, in process over real sockets: bind addresses,
 * stop accepting, let in-flight commands finish, then force-close after the grace period.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../src/commands/reply.js';
import { OK } from '../src/commands/reply.js';
import type { DoorHandle, DoorHost } from '../src/protocols/door.js';
import { startRespDoor } from '../src/protocols/resp/server.js';
import { createTestServer } from '../src/server/testing.js';
import { frame, RawClient, waitFor } from './resp-support.js';

/** The test server's host, plus a SLOWTEST command that answers when the test says so. */
function slowHost() {
  const ts = createTestServer();
  const base = ts.host;
  const pending: Array<(r: Reply) => void> = [];
  const host: DoorHost = {
    server: base.server,
    table: base.table,
    logger: base.logger,
    openClient: (init) => base.openClient(init),
    ephemeralClient: (init) => base.ephemeralClient(init),
    closeClient: (c) => base.closeClient(c),
    context: (c, signal, deadline) => base.context(c, signal, deadline),
    execute: (ctx, argv) =>
      argv[0].toString() === 'SLOWTEST'
        ? new Promise<Reply>((r) => pending.push(r))
        : base.execute(ctx, argv),
  };
  return { ts, host, pending };
}

let door: DoorHandle | null = null;
afterEach(async () => {
  await door?.close(0);
  door = null;
});

describe('startRespDoor', () => {
  it('listens on every bind address, skipping optional ones that do not exist', async () => {
    const { host } = slowHost();
    door = await startRespDoor(host, { host: '127.0.0.1 -192.0.2.1', port: 0 });
    expect(door.port).toBeGreaterThan(0);
    const r = new Redis({ port: door.port, lazyConnect: true });
    await r.connect();
    expect(await r.ping()).toBe('PONG');
    r.disconnect();
  });

  it('fails to start on an address it cannot bind', async () => {
    const { host } = slowHost();
    await expect(startRespDoor(host, { host: '192.0.2.1', port: 0 })).rejects.toThrow();
  });

  it('stops accepting, lets in-flight commands finish, then closes', async () => {
    const { host, pending } = slowHost();
    door = await startRespDoor(host, { host: '127.0.0.1', port: 0 });
    const busy = await RawClient.connect(door.port);
    const idle = await RawClient.connect(door.port);
    busy.send(frame('SLOWTEST'));
    await waitFor(() => pending.length === 1, 5000, 'the command to start');

    await door.stopAccepting();
    await expect(RawClient.connect(door.port)).rejects.toThrow();
    idle.send('PING\r\n');
    await idle.readUntil('+PONG\r\n');

    const closing = door.close(10_000);
    await idle.waitClosed();
    expect(busy.closed).toBe(false);
    pending[0](OK);
    await closing;
    expect(await busy.waitClosed()).toBe('+OK\r\n');
    door = null;
  });

  it('force-closes clients still busy after the grace period', async () => {
    const { host, ts, pending } = slowHost();
    door = await startRespDoor(host, { host: '127.0.0.1', port: 0 });
    const busy = await RawClient.connect(door.port);
    busy.send(frame('SLOWTEST'));
    await waitFor(() => pending.length === 1, 5000, 'the command to start');
    await door.close(50);
    await busy.waitClosed();
    expect(busy.text()).toBe('');
    expect(ts.server.clients.count()).toBe(0);
    door = null;
  });
});
