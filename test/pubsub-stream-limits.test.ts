/**
 * Pub/sub streams count as the doors' other long-lived work: an SSE stream holds its HTTP
 * connection (a client toward `maxclients`), a gRPC Subscribe is a listed client like Watch;
 * both are refused while the server sheds load. In-process servers, raw sockets for HTTP so
 * that no pooled connection of the test runner counts.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { drain, grpc, headers, startGrpcInProcess } from './helpers/grpc.js';
import { type HttpCairn, startHttpCairn } from './helpers/http.js';
import { waitFor } from './resp-support.js';

const B = (s: string) => Buffer.from(s);

/** GET `path` on a fresh connection; resolves with the status line once the headers are in. */
function rawGet(port: number, path: string): Promise<{ status: number; socket: Socket; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: cairn\r\nAccept: text/event-stream\r\n\r\n`),
    );
    let buf = '';
    socket.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.removeAllListeners('data');
      resolve({ status: Number(buf.slice(9, 12)), socket, head: buf });
    });
    socket.once('error', reject);
  });
}

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

describe('HTTP Server-Sent Events', () => {
  async function server(config: Record<string, string>): Promise<HttpCairn> {
    const c = await startHttpCairn({ config, resp: false });
    cleanup.push(() => c.stop());
    return c;
  }

  it('hold a client each toward maxclients', async () => {
    const c = await server({ maxclients: '2' });
    const path = '/v1/subscribe?channel=m';
    const one = await rawGet(c.httpPort, path);
    const two = await rawGet(c.httpPort, path);
    cleanup.push(() => {
      one.socket.destroy();
      two.socket.destroy();
    });
    expect([one.status, two.status]).toEqual([200, 200]);
    const three = await rawGet(c.httpPort, path);
    three.socket.destroy();
    expect(three.status).toBe(503);
    expect(three.head).toMatch(/max number of clients reached/);
    one.socket.destroy();
    await waitFor(() => c.t.server.clients.count('http') === 1, 10_000, 'the connection to close');
    const four = await rawGet(c.httpPort, path);
    four.socket.destroy();
    expect(four.status).toBe(200);
  });

  it('are refused with 503 and Retry-After while the server sheds load', async () => {
    const c = await server({});
    const before = await rawGet(c.httpPort, '/v1/subscribe?channel=s');
    before.socket.destroy();
    expect(before.status).toBe(200);
    c.t.server.config.apply('shed-rss-bytes', '1');
    let shed = { status: 0, head: '' };
    await waitFor(
      async () => {
        const r = await rawGet(c.httpPort, '/v1/subscribe?channel=s');
        r.socket.destroy();
        shed = r;
        return r.status === 503;
      },
      10_000,
      'shedding',
    );
    expect(shed.head).toMatch(/retry-after: \d+/i);
    c.t.server.config.apply('shed-rss-bytes', '0');
  });
});

describe('gRPC Subscribe', () => {
  it('is a listed client toward maxclients, and is refused while the server sheds load', async () => {
    const s = await startGrpcInProcess({ maxclients: '1' });
    cleanup.push(() => s.close());
    const first = s.client.stream('Subscribe', { channels: [B('m')] });
    const firstEnded = drain(first);
    await headers(first);
    expect(s.ts.server.clients.count('grpc')).toBe(1);
    const second = await drain(s.client.stream('Subscribe', { channels: [B('m')] }));
    expect(second.status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(second.status.details).toMatch(/max number of clients reached/);
    first.cancel();
    await firstEnded;
    await waitFor(() => s.ts.server.clients.count('grpc') === 0, 10_000, 'the first to close');

    s.ts.server.config.apply('shed-rss-bytes', '1');
    let code = 0;
    await waitFor(
      async () => {
        // Not shed yet: the stream would last, so give it a short deadline.
        const attempt = s.client.stream('Subscribe', { channels: [B('m')] }, { timeoutMs: 300 });
        code = (await drain(attempt)).status.code;
        return code !== grpc.status.DEADLINE_EXCEEDED;
      },
      10_000,
      'shedding',
    );
    expect(code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    s.ts.server.config.apply('shed-rss-bytes', '0');
  });
});
