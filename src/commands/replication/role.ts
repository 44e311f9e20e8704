/**
 * The replica role, as far as Cairn has one. `REPLICAOF host port` makes the server a replica
 * of that master as Redis's state machine sees it before the link comes up, and it stays
 * there: Cairn does not connect to the master nor load its data (the link is always down).
 * What a Redis replica in that state does, Cairn does:
 *
 * - writes are refused with READONLY while `replica-read-only` is yes (an EXEC too when it
 *   holds a write), and commands not flagged `stale` with MASTERDOWN while
 *   `replica-serve-stale-data` is no (an EXEC when one of its commands is not);
 * - its replicas are disconnected, and SYNC / PSYNC answer NOMASTERLINK;
 * - INFO replication and ROLE describe a replica whose link is down.
 *
 * `REPLICAOF NO ONE` makes it a master again, with its data as it was.
 */
import type { ConfigStore } from '../../config/store.js';
import { ErrorReply } from '../../errors.js';
import type { TableEntry } from '../registry.js';
import type { Reply } from '../reply.js';

/** The master this server was told to follow. */
export interface MasterLink {
  readonly host: string;
  readonly port: number;
}

export const readOnlyReplica = new ErrorReply(
  'UNAVAILABLE',
  "READONLY You can't write against a read only replica.",
);
export const masterDown = new ErrorReply(
  'UNAVAILABLE',
  "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
);
export const noMasterLink = new ErrorReply(
  'UNAVAILABLE',
  "NOMASTERLINK Can't SYNC while not connected with my master",
);

function stale(entry: TableEntry): boolean {
  return entry.spec.flags.includes('stale');
}

/**
 * Redis's processCommand checks on a replica: READONLY for a write (`writes`: the command or
 * its EXEC queue writes), then MASTERDOWN for a command, or a queued one, not flagged `stale`.
 */
export function replicaRefusal(
  config: ConfigStore,
  entry: TableEntry,
  queue: readonly Buffer[][] | null,
  writes: boolean,
  resolve: (argv: Buffer[]) => TableEntry | ErrorReply,
): ErrorReply | null {
  if (writes && config.bool('replica-read-only')) return readOnlyReplica;
  if (config.bool('replica-serve-stale-data')) return null;
  if (!stale(entry)) return masterDown;
  if (entry.fullName === 'exec' && queue !== null) {
    for (const argv of queue) {
      const e = resolve(argv);
      if (!(e instanceof ErrorReply) && !stale(e)) return masterDown;
    }
  }
  return null;
}

/** INFO replication's replica fields, for a link that never came up. */
export function replicaInfo(
  link: MasterLink,
  offset: number,
  config: ConfigStore,
): Array<[string, string | number]> {
  return [
    ['role', 'slave'],
    ['master_host', link.host],
    ['master_port', link.port],
    ['master_link_status', 'down'],
    ['master_last_io_seconds_ago', -1],
    ['master_sync_in_progress', 0],
    ['slave_read_repl_offset', offset],
    ['slave_repl_offset', offset],
    ['master_link_down_since_seconds', -1],
    ['slave_priority', config.int('replica-priority')],
    ['slave_read_only', config.bool('replica-read-only') ? 1 : 0],
    ['replica_announced', 1],
  ];
}

/** ROLE of a replica still trying to reach its master. */
export function replicaRole(link: MasterLink): Reply {
  return [Buffer.from('slave'), Buffer.from(link.host, 'latin1'), link.port, Buffer.from('connect'), -1];
}
