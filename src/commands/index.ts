/** Every command family, assembled into the one table all doors share. */
import { connectionCommands } from './families/connection.js';
import { debugCommands } from './families/debug.js';
import { expiryCommands } from './families/expiry.js';
import { keyCommands } from './families/keys.js';
import { memoryCommands } from './families/memory.js';
import { serverCommands } from './families/server.js';
import { stringCommands } from './families/strings.js';
import { transactionCommands } from './families/transactions.js';
import { CommandTable } from './registry.js';

export const COMMAND_FAMILIES = [
  stringCommands,
  keyCommands,
  expiryCommands,
  connectionCommands,
  serverCommands,
  transactionCommands,
  memoryCommands,
  debugCommands,
] as const;

export function createCommandTable(): CommandTable {
  return new CommandTable(COMMAND_FAMILIES);
}
