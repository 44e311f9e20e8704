/** The doors the server opens, in start order. */
import { startGrpcDoor } from '../protocols/grpc/server.js';
import { startHttpDoor } from '../protocols/http/server.js';
import { startRespDoor } from '../protocols/resp/server.js';
import type { DoorStarter } from './lifecycle.js';

export const DOORS: readonly DoorStarter[] = [
  { door: 'resp', portOption: 'port', start: startRespDoor },
  { door: 'http', portOption: 'http-port', start: startHttpDoor },
  { door: 'grpc', portOption: 'grpc-port', start: startGrpcDoor },
];
