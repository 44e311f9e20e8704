/** Every command family, assembled into the one table all doors share. */
import { zsetBlockingCommands } from './families/bzpop.js';
import { connectionCommands } from './families/connection.js';
import { debugCommands } from './families/debug.js';
import { expiryCommands } from './families/expiry.js';
import { hashCommands } from './families/hash.js';
import { keyCommands } from './families/keys.js';
import { listCommands } from './families/list.js';
import { memoryCommands } from './families/memory.js';
import { monitorCommands } from './families/monitor.js';
import { pubsubCommands } from './families/pubsub.js';
import { scriptingCommands } from './families/scripting.js';
import { functionCommands } from './families/scripting-functions.js';
import { serverCommands } from './families/server.js';
import { setCommands } from './families/set.js';
import { streamCommands } from './families/stream.js';
import { stringCommands } from './families/strings.js';
import { transactionCommands } from './families/transactions.js';
import { zsetCommands } from './families/zset.js';
import { CommandTable } from './registry.js';

export const COMMAND_FAMILIES = [
  stringCommands,
  keyCommands,
  expiryCommands,
  connectionCommands,
  serverCommands,
  transactionCommands,
  memoryCommands,
  monitorCommands,
  debugCommands,
  hashCommands,
  setCommands,
  listCommands,
  zsetBlockingCommands,
  zsetCommands,
  streamCommands,
  pubsubCommands,
  scriptingCommands,
  functionCommands,
] as const;

export function createCommandTable(): CommandTable {
  return new CommandTable(COMMAND_FAMILIES);
}
