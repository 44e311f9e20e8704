/**
 * Raw TLS probes of a server's doors: how a connection with given client credentials ends,
 * seen from the client: did the handshake finish, with which error did the connection end, did
 * the server answer a first request. What a refused client sees, exactly, not just "it failed".
 */
import { type ConnectionOptions, connect } from 'node:tls';
import type { CairnProcess } from './cairn.js';

export interface TlsOutcome {
  /** The handshake finished on the client's side. */
  handshake: boolean;
  /** The error code the connection ended with, if any (a TLS alert from the server, ...). */
  error: string | null;
  /** The server sent bytes after the handshake: it answered the first request. */
  answered: boolean;
}

/** Served: handshake done, the server answered. */
export const SERVED: TlsOutcome = { handshake: true, error: null, answered: true };
/** No certificate where one is required: the server's TLS 1.3 "certificate required" alert. */
export const CERT_REQUIRED: TlsOutcome = {
  handshake: true,
  error: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  answered: false,
};
/**
 * A certificate that does not verify: in TLS 1.3 the client's side of the handshake is done
 * before the server checks it; the server then closes without a byte of service.
 */
export const CERT_REFUSED: TlsOutcome = { handshake: true, error: null, answered: false };

/** The HTTP/2 connection preface and an empty SETTINGS frame: a gRPC server answers SETTINGS. */
const H2_PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);

/** A raw TLS connection to `port` that sends `hello` once the handshake is done; how it ended. */
export function tlsProbe(port: number, opts: ConnectionOptions, hello: string | Buffer): Promise<TlsOutcome> {
  return new Promise<TlsOutcome>((resolve) => {
    const out: TlsOutcome = { handshake: false, error: null, answered: false };
    const s = connect({ host: '127.0.0.1', port, ...opts });
    const timer = setTimeout(() => {
      out.error = 'no ending in 15 s';
      s.destroy();
    }, 15_000);
    s.on('secureConnect', () => {
      out.handshake = true;
      s.write(hello);
    });
    s.on('data', () => {
      out.answered = true;
      // Served: that is all this probe needs to know.
      s.end();
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      out.error ??= e.code ?? e.message;
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** Probe each door of `srv` (RESP on tls-port, HTTPS, gRPC) with `opts`. */
export async function probeTlsDoors(srv: CairnProcess, opts: ConnectionOptions) {
  return {
    resp: await tlsProbe(srv.tlsRespPort, opts, '*1\r\n$4\r\nPING\r\n'),
    http: await tlsProbe(srv.httpPort, opts, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'),
    grpc: await tlsProbe(srv.grpcPort, { ...opts, ALPNProtocols: ['h2'] }, H2_PREFACE),
  };
}
