/** Server-wide counters (INFO stats, commandstats, errorstats), reset by CONFIG RESETSTAT. */
import type { ServerStats } from '../commands/context.js';
import type { CommandStats, CommandTable } from '../commands/registry.js';

export function createStats(table: CommandTable): ServerStats {
  const commands = new Map<string, CommandStats>();
  // The dispatcher updates each entry's own stats object; INFO reads the same objects here.
  for (const e of table.all()) commands.set(e.fullName, e.stats);
  const stats: ServerStats = {
    totalCommands: 0,
    totalConnections: 0,
    rejectedConnections: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
    expiredKeys: 0,
    evictedKeys: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    errorReplies: 0,
    lazyfreedObjects: 0,
    commands,
    commandsByDoor: { resp: 0, http: 0, grpc: 0 },
    errors: new Map(),
    reset() {
      stats.totalCommands = 0;
      stats.totalConnections = 0;
      stats.rejectedConnections = 0;
      stats.keyspaceHits = 0;
      stats.keyspaceMisses = 0;
      stats.expiredKeys = 0;
      stats.evictedKeys = 0;
      stats.netInputBytes = 0;
      stats.netOutputBytes = 0;
      stats.errorReplies = 0;
      stats.lazyfreedObjects = 0;
      stats.commandsByDoor = { resp: 0, http: 0, grpc: 0 };
      stats.errors.clear();
      for (const c of commands.values()) {
        c.calls = 0;
        c.usec = 0;
        c.failed = 0;
        c.rejected = 0;
        c.hist = null;
      }
    },
  };
  return stats;
}
