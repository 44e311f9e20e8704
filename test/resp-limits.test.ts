/**
 * Bounds of the RESP door against the compiled server: output buffer limits and backpressure for
 * clients that do not read, maxclients, and limits changed at run time with CONFIG SET. The
 * server's memory must stay bounded and other clients must keep being served.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { frame, RawClient, rssBytes, waitFor } from './resp-support.js';

const VALUE_BYTES = 100 * 1024;
const GETS = 3000; // ~300 MB of replies if nothing held them back

let cairn: CairnProcess;
let admin: Redis;

beforeAll(async () => {
  cairn = await startCairn({ args: ['--client-output-buffer-limit', 'normal 1mb 512kb 5'] });
  admin = new Redis({ port: cairn.respPort, maxRetriesPerRequest: 0 });
  await admin.set('big', Buffer.alloc(VALUE_BYTES, 'x'));
});

afterAll(async () => {
  admin?.disconnect();
  await cairn?.stop();
});

/** A client that sends GETS pipelined GETs of the big value and reads nothing. */
async function nonReader(): Promise<RawClient> {
  const c = await RawClient.connect(cairn.respPort);
  c.socket.pause();
  const one = frame('GET', 'big');
  c.send(Buffer.concat(Array.from({ length: GETS }, () => one)));
  return c;
}

async function connectedClients(): Promise<number> {
  const info = await admin.info('clients');
  return Number(/connected_clients:(\d+)/.exec(info)![1]);
}

describe('a client that never reads its replies', () => {
  it('is disconnected by the output buffer limit, and memory stays bounded', async () => {
    const before = rssBytes(cairn.proc.pid!);
    const c = await nonReader();
    await waitFor(
      () => cairn.logs().includes('Client closed for overcoming of output buffer limits'),
      20_000,
      'the limit',
    );
    expect(rssBytes(cairn.proc.pid!) - before).toBeLessThan(150 * 1024 * 1024);
    await waitFor(async () => (await connectedClients()) === 1, 5000, 'the client to be gone');
    expect(await admin.ping()).toBe('PONG');
    // It got some replies, far fewer than it asked for.
    c.socket.resume();
    await c.waitClosed();
    expect(c.receivedBytes).toBeLessThan(GETS * VALUE_BYTES);
  });

  it('without a limit is held back instead, then gets every reply once it reads', async () => {
    await admin.config('SET', 'client-output-buffer-limit', 'normal 0 0 0');
    try {
      const before = rssBytes(cairn.proc.pid!);
      const c = await nonReader();
      // Wait until replies back up inside the server: the door stops running its commands.
      await waitFor(
        async () => /omem=[1-9]\d{5,}/.test(String(await admin.client('LIST'))),
        20_000,
        'output to back up',
      );
      expect(rssBytes(cairn.proc.pid!) - before).toBeLessThan(150 * 1024 * 1024);
      expect(await admin.get('missing')).toBeNull();
      c.socket.resume();
      const header = `$${VALUE_BYTES}\r\n`;
      const total = GETS * (header.length + VALUE_BYTES + 2);
      await c.read(total, 60_000);
      expect(c.receivedBytes).toBe(total);
      expect(c.received.subarray(0, header.length).toString()).toBe(header);
      c.close();
    } finally {
      await admin.config('SET', 'client-output-buffer-limit', 'normal 1mb 512kb 5');
    }
  });
});

describe('limits set at run time', () => {
  it('refuses clients past maxclients with the Redis error', async () => {
    const clients = await connectedClients();
    await admin.config('SET', 'maxclients', String(clients + 1));
    try {
      const ok = await RawClient.connect(cairn.respPort);
      ok.send('PING\r\n');
      await ok.readUntil('+PONG\r\n');
      const refused = await RawClient.connect(cairn.respPort);
      expect(await refused.waitClosed()).toBe('-ERR max number of clients reached\r\n');
      ok.close();
    } finally {
      await admin.config('SET', 'maxclients', '10000');
    }
    const info = await admin.info('stats');
    expect(Number(/rejected_connections:(\d+)/.exec(info)![1])).toBeGreaterThanOrEqual(1);
  });

  it('applies proto-max-bulk-len changed with CONFIG SET', async () => {
    await admin.config('SET', 'proto-max-bulk-len', '1mb');
    try {
      const c = await RawClient.connect(cairn.respPort);
      c.send(`*2\r\n$4\r\nECHO\r\n$${2 * 1024 * 1024}\r\n`);
      expect(await c.waitClosed()).toBe('-ERR Protocol error: invalid bulk length\r\n');
    } finally {
      await admin.config('SET', 'proto-max-bulk-len', '512mb');
    }
    // Back at 512mb the same size passes (SET: a 2 MB reply would trip the output limit).
    const c = await RawClient.connect(cairn.respPort);
    c.send(frame('SET', 'two-mb', Buffer.alloc(2 * 1024 * 1024, 'y')));
    expect(await c.readUntil('\r\n')).toBe('+OK\r\n');
    c.close();
    expect(await admin.strlen('two-mb')).toBe(2 * 1024 * 1024);
  });
});

describe('closing clients', () => {
  it('closes a connection killed by CLIENT KILL from another client', async () => {
    const c = await RawClient.connect(cairn.respPort);
    c.send(frame('CLIENT', 'ID'));
    const id = /:(\d+)\r\n/.exec(await c.readUntil('\r\n'))![1];
    expect(await admin.client('KILL', 'ID', id)).toBe(1);
    await c.waitClosed();
    expect(await admin.ping()).toBe('PONG');
  });

  it('closes clients idle longer than `timeout`', async () => {
    const srv = await startCairn({ args: ['--timeout', '1'] });
    try {
      const idle = await RawClient.connect(srv.respPort);
      idle.send('PING\r\n');
      await idle.readUntil('+PONG\r\n');
      // The idle check runs once a second: the client goes within two or three seconds.
      await idle.waitClosed(5000);
    } finally {
      await srv.stop();
    }
  });
});
