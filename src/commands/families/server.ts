/**
 * The server family: COMMAND, CONFIG, INFO, and the administrative commands (TIME, LASTSAVE,
 * SAVE, BGSAVE, SHUTDOWN, WAIT). Each part lives in its own file; this one assembles them.
 */
import type { CommandSpec } from '../spec.js';
import { aclCommand } from './acl.js';
import { commandCommand } from './command-info.js';
import { configCommand } from './config-cmd.js';
import { infoCommand } from './info.js';
import { adminCommands } from './server-admin.js';
import { slowlogCommand } from './slowlog.js';

export const serverCommands: readonly CommandSpec[] = [
  aclCommand,
  commandCommand,
  configCommand,
  infoCommand,
  slowlogCommand,
  ...adminCommands,
];
