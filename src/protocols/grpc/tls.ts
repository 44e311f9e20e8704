/**
 * gRPC over TLS. grpc-js's own TLS credentials cannot say `tls-auth-clients optional` (ask for
 * a certificate, verify it when presented) nor `tls-protocols`, so the door listens with
 * node:tls servers built from the shared settings (src/security/tls.ts), as the RESP door
 * does, and hands each established connection to grpc-js through a connection injector. The
 * HTTP/2 inside is grpc-js's as usual; ALPN offers only `h2`, as gRPC requires.
 */
import { isIPv6, type Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import { type Server, ServerCredentials } from '@grpc/grpc-js';
import { createTlsServer, type TlsSettings } from '../../security/tls.js';

export interface GrpcTlsListeners {
  /** The port bound (picked by the first listener when asked for 0). */
  readonly port: number;
  /** Stop accepting connections; established ones are grpc-js's to drain. */
  close(): void;
}

function listen(srv: TlsServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen({ host, port, ipv6Only: isIPv6(host), exclusive: true }, () => {
      srv.off('error', reject);
      const a = srv.address();
      resolve(typeof a === 'object' && a !== null ? a.port : port);
    });
  });
}

/** Listen on every host (one port for all) and feed the connections to `server`. */
export async function listenGrpcTls(
  server: Server,
  hosts: readonly string[],
  port: number,
  tls: TlsSettings,
  onHandshakeError: (err: Error, socket: Socket) => void,
): Promise<GrpcTlsListeners> {
  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  const listeners: TlsServer[] = [];
  let open = true;
  const close = () => {
    open = false;
    for (const l of listeners) l.close();
  };
  try {
    for (const host of hosts) {
      const srv = createTlsServer(
        tls,
        { ALPNProtocols: ['h2'] },
        // A handshake still running when the door stops accepting ends without service.
        (socket) => (open ? injector.injectConnection(socket) : socket.destroy()),
        onHandshakeError,
      );
      listeners.push(srv);
      port = await listen(srv, host, port);
    }
  } catch (err) {
    close();
    injector.destroy();
    throw err;
  }
  return { port, close };
}
