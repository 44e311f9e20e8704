/**
 * A loopback TCP relay whose onward connections leave from another local address of this
 * machine. A server bound to 127.0.0.1 then sees a non-loopback peer (e.g. 192.0.2.2), without
 * anything listening beyond loopback: how the protected-mode tests stand in for a remote client.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';

/** A non-internal IPv4 address of this machine, or null when it has none. */
export function nonLoopbackAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return null;
}

/** Can a connection to 127.0.0.1:`port` leave from `from`? (Some sandboxes refuse.) */
export function canConnectFrom(from: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, localAddress: from });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface Relay {
  /** The loopback port clients connect to. */
  port: number;
  close(): Promise<void>;
}

/** Relay 127.0.0.1:<relay.port> to 127.0.0.1:`target`, connecting onward from `from`. */
export function startRelay(from: string, target: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: target, localAddress: from });
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr !== null ? addr.port : 0,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
