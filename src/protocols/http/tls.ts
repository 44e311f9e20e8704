/**
 * HTTPS for the HTTP door: when a certificate is configured and `http-tls` is yes, Fastify's
 * server and the extra servers for other `bind` addresses are node:https servers built from the
 * shared TLS settings (src/security/tls.ts), with the door's usual HTTP options.
 */
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type ServerOptions as HttpServerOptions,
  type RequestListener,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ConfigStore } from '../../config/store.js';
import { clientCertRefused, doorTls, type TlsSettings } from '../../security/tls.js';

/** The door's TLS settings, or null for plain HTTP. */
export function httpTls(config: ConfigStore): TlsSettings | null {
  return doorTls(config, 'http');
}

/** An HTTP server, or an HTTPS one with the shared TLS settings, with these HTTP options. */
export function createDoorServer(
  tls: TlsSettings | null,
  http: HttpServerOptions,
  handler: RequestListener,
): HttpServer {
  return tls === null
    ? createHttpServer(http, handler)
    : createHttpsServer({ ...tls.options, ...http }, handler);
}

/** Fastify's `serverFactory` for HTTPS, or undefined for Fastify's own plain HTTP server. */
export function httpsServerFactory(
  config: ConfigStore,
  http: HttpServerOptions,
): ((handler: RequestListener) => HttpServer) | undefined {
  const tls = httpTls(config);
  return tls === null ? undefined : (handler) => createDoorServer(tls, http, handler);
}

/**
 * Call `onSocket` with each connection the door serves. Over TLS that is the TLSSocket the
 * requests arrive on, once its handshake is done and its client certificate (if any) passed.
 */
export function onDoorConnection(
  server: HttpServer,
  tls: TlsSettings | null,
  onSocket: (s: Socket) => void,
): void {
  if (tls === null) {
    server.on('connection', onSocket);
    return;
  }
  server.on('secureConnection', (socket: TLSSocket) => {
    if (clientCertRefused(tls, socket)) socket.destroy();
    else onSocket(socket);
  });
}
