/**
 * The connection family: session state (PING ECHO QUIT RESET SELECT), authentication and
 * protocol (AUTH HELLO) and CLIENT. Each part lives in its own file; this one assembles them.
 */
import type { CommandSpec } from '../spec.js';
import { authCommands } from './auth.js';
import { clientCommand } from './client.js';
import { sessionCommands } from './session.js';

export const connectionCommands: readonly CommandSpec[] = [
  ...sessionCommands,
  ...authCommands,
  clientCommand,
];
