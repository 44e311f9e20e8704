/** The doors the server opens, in start order. */
import type { DoorStarter } from './lifecycle.js';

export const DOORS: readonly DoorStarter[] = [];
