/** The doors the server opens, in start order. */
import { startRespDoor } from '../protocols/resp/server.js';
import type { DoorStarter } from './lifecycle.js';

export const DOORS: readonly DoorStarter[] = [{ door: 'resp', portOption: 'port', start: startRespDoor }];
