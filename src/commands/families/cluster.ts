/**
 * CLUSTER, READONLY, READWRITE and ASKING, as a Redis 7.0 server started without
 * `cluster-enabled` answers them: every one is refused with "This instance has cluster support
 * disabled". Cairn runs standalone (see docs/diagnostics.md); the commands are in the table
 * with Redis's arity and flags so that COMMAND, ACL rules and scripts (CLUSTER RESET is
 * no-script) see them as Redis does.
 */
import { ErrorReply } from '../../errors.js';
import type { Reply } from '../reply.js';
import { type CommandFlag, type CommandSpec, command } from '../spec.js';

const disabled = new ErrorReply('ERR', 'ERR This instance has cluster support disabled');
const refuse = (): Reply => disabled;

/** Redis 7.0's CLUSTER subcommands: name, arity, flags, since, summary, complexity. */
const SUBCOMMANDS: ReadonlyArray<readonly [string, number, CommandFlag[], string, string, string]> = [
  [
    'addslots',
    -3,
    ['admin', 'stale'],
    '3.0.0',
    'Assign new hash slots to receiving node',
    'O(N) where N is the total number of hash slot arguments',
  ],
  [
    'addslotsrange',
    -4,
    ['admin', 'stale'],
    '7.0.0',
    'Assign new hash slots to receiving node',
    'O(N) where N is the total number of the slots between the start slot and end slot arguments.',
  ],
  ['bumpepoch', 2, ['admin', 'stale'], '3.0.0', 'Advance the cluster config epoch', 'O(1)'],
  [
    'count-failure-reports',
    3,
    ['admin', 'stale'],
    '3.0.0',
    'Return the number of failure reports active for a given node',
    'O(N) where N is the number of failure reports',
  ],
  [
    'countkeysinslot',
    3,
    ['stale'],
    '3.0.0',
    'Return the number of local keys in the specified hash slot',
    'O(1)',
  ],
  [
    'delslots',
    -3,
    ['admin', 'stale'],
    '3.0.0',
    'Set hash slots as unbound in receiving node',
    'O(N) where N is the total number of hash slot arguments',
  ],
  [
    'delslotsrange',
    -4,
    ['admin', 'stale'],
    '7.0.0',
    'Set hash slots as unbound in receiving node',
    'O(N) where N is the total number of the slots between the start slot and end slot arguments.',
  ],
  [
    'failover',
    -2,
    ['admin', 'stale'],
    '3.0.0',
    'Forces a replica to perform a manual failover of its master.',
    'O(1)',
  ],
  ['flushslots', 2, ['admin', 'stale'], '3.0.0', "Delete a node's own slots information", 'O(1)'],
  ['forget', 3, ['admin', 'stale'], '3.0.0', 'Remove a node from the nodes table', 'O(1)'],
  [
    'getkeysinslot',
    4,
    ['stale'],
    '3.0.0',
    'Return local key names in the specified hash slot',
    'O(log(N)) where N is the number of requested keys',
  ],
  ['help', 2, ['loading', 'stale'], '5.0.0', 'Show helpful text about the different subcommands', 'O(1)'],
  ['info', 2, ['stale'], '3.0.0', 'Provides info about Redis Cluster node state', 'O(1)'],
  [
    'keyslot',
    3,
    ['stale'],
    '3.0.0',
    'Returns the hash slot of the specified key',
    'O(N) where N is the number of bytes in the key',
  ],
  [
    'links',
    2,
    ['stale'],
    '7.0.0',
    'Returns a list of all TCP links to and from peer nodes in cluster',
    'O(N) where N is the total number of Cluster nodes',
  ],
  ['meet', -4, ['admin', 'stale'], '3.0.0', 'Force a node cluster to handshake with another node', 'O(1)'],
  ['myid', 2, ['stale'], '3.0.0', 'Return the node id', 'O(1)'],
  [
    'nodes',
    2,
    ['stale'],
    '3.0.0',
    'Get Cluster config for the node',
    'O(N) where N is the total number of Cluster nodes',
  ],
  ['replicas', 3, ['admin', 'stale'], '5.0.0', 'List replica nodes of the specified master node', 'O(1)'],
  [
    'replicate',
    3,
    ['admin', 'stale'],
    '3.0.0',
    'Reconfigure a node as a replica of the specified master node',
    'O(1)',
  ],
  [
    'reset',
    -2,
    ['admin', 'stale', 'no-script'],
    '3.0.0',
    'Reset a Redis Cluster node',
    'O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect.',
  ],
  ['saveconfig', 2, ['admin', 'stale'], '3.0.0', 'Forces the node to save cluster state on disk', 'O(1)'],
  ['set-config-epoch', 3, ['admin', 'stale'], '3.0.0', 'Set the configuration epoch in a new node', 'O(1)'],
  ['setslot', -4, ['admin', 'stale'], '3.0.0', 'Bind a hash slot to a specific node', 'O(1)'],
  [
    'shards',
    2,
    ['stale'],
    '7.0.0',
    'Get array of cluster slots to node mappings',
    'O(N) where N is the total number of cluster nodes',
  ],
  ['slaves', 3, ['admin', 'stale'], '3.0.0', 'List replica nodes of the specified master node', 'O(1)'],
  [
    'slots',
    2,
    ['stale'],
    '3.0.0',
    'Get array of Cluster slot to node mappings',
    'O(N) where N is the total number of Cluster nodes',
  ],
];

const GROUP = { group: 'cluster' } as const;

export const clusterCommands: readonly CommandSpec[] = [
  command({
    ...GROUP,
    name: 'cluster',
    arity: -2,
    summary: 'A container for cluster commands',
    since: '3.0.0',
    complexity: 'Depends on subcommand.',
    subcommands: SUBCOMMANDS.map(([name, arity, flags, since, summary, complexity]) =>
      command({ ...GROUP, name, arity, flags, since, summary, complexity, handler: refuse }),
    ),
  }),
  ...(
    [
      [
        'readonly',
        ['fast', 'loading', 'stale'],
        'Enables read queries for a connection to a cluster replica node',
      ],
      [
        'readwrite',
        ['fast', 'loading', 'stale'],
        'Disables read queries for a connection to a cluster replica node',
      ],
      ['asking', ['fast'], 'Sent by cluster clients after an -ASK redirect'],
    ] as const
  ).map(([name, flags, summary]) =>
    command({
      ...GROUP,
      name,
      arity: 1,
      flags: [...flags],
      categories: ['connection'],
      since: '3.0.0',
      summary,
      complexity: 'O(1)',
      syntax: '',
      handler: refuse,
    }),
  ),
];
