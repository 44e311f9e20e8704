/**
 * The doors the server opens, in start order. HTTP and gRPC are imported only when they are
 * turned on: their frameworks cost about 24 MB of RSS that a RESP-only server should not pay.
 */
import { startRespDoor } from '../protocols/resp/server.js';
import type { DoorStarter } from './lifecycle.js';

export const DOORS: readonly DoorStarter[] = [
  { door: 'resp', portOption: 'port', tlsPortOption: 'tls-port', start: startRespDoor },
  {
    door: 'http',
    portOption: 'http-port',
    start: async (host, opts) => (await import('../protocols/http/server.js')).startHttpDoor(host, opts),
  },
  {
    door: 'grpc',
    portOption: 'grpc-port',
    start: async (host, opts) => (await import('../protocols/grpc/server.js')).startGrpcDoor(host, opts),
  },
];
