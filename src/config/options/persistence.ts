/**
 * Snapshots and persistence: save points, the store and its schedule, retention, timeouts;
 * concatenated into OPTIONS by ../schema.ts.
 */
import type { OptionSpec } from '../schema.js';

export const PERSISTENCE_OPTIONS = [
  {
    name: 'save',
    type: 'string',
    default: '',
    mutable: true,
    doc: 'Snapshot points: "<seconds> <changes> ..." (empty = off)',
  },
  {
    name: 'dbfilename',
    type: 'string',
    default: 'dump.cairn',
    mutable: false,
    doc: 'Snapshot file name pattern in --dir: dump.cairn gives dump-<seq>-<time>.cairn',
  },
  {
    name: 'import-rdb',
    type: 'string',
    default: '',
    mutable: false,
    doc: 'Load this Redis RDB file (Redis up to 7.0) at start instead of the latest snapshot, then take a snapshot of it',
  },
  {
    name: 'snapshot-store',
    type: 'enum',
    default: 'dir',
    values: ['dir', 'postgres', 'none'],
    mutable: false,
    doc: 'Where snapshots go: dir (files in --dir), postgres (--snapshot-postgres-url), none (no persistence)',
  },
  {
    name: 'snapshot-interval',
    type: 'int',
    default: '300',
    min: 0,
    max: 2_147_483_647,
    mutable: true,
    doc: 'Take a snapshot every this many seconds when anything changed (0 = only save points, SAVE and shutdown)',
  },
  {
    name: 'snapshot-compression',
    type: 'enum',
    default: 'lz4',
    values: ['lz4', 'none'],
    mutable: true,
    doc: 'Compress snapshot blocks with LZ4 (on the event loop, a turn every 256 kB), or not',
  },
  {
    name: 'snapshot-keep',
    type: 'int',
    default: '3',
    min: 1,
    max: 10_000,
    mutable: true,
    doc: 'Snapshots kept in the store; older ones are deleted',
  },
  {
    name: 'snapshot-timeout',
    type: 'int',
    default: '600',
    min: 0,
    max: 2_147_483_647,
    mutable: true,
    doc: 'Give up on a snapshot that takes longer, seconds (0 = never)',
  },
  {
    name: 'snapshot-on-error',
    type: 'enum',
    default: 'fail',
    values: ['fail', 'start-empty'],
    mutable: false,
    doc: 'When the latest snapshot cannot be loaded: fail (refuse to start) or start-empty',
  },
  {
    name: 'snapshot-postgres-url',
    type: 'string',
    default: '',
    mutable: false,
    doc: 'PostgreSQL connection string for --snapshot-store postgres',
  },
  {
    name: 'snapshot-breaker-reset-ms',
    type: 'int',
    default: '30000',
    min: 100,
    max: 2_147_483_647,
    mutable: false,
    doc: 'A remote snapshot store that failed is tried again after this long, milliseconds (circuit breaker)',
  },
  {
    name: 'appendonly',
    type: 'bool',
    default: 'no',
    mutable: true,
    inert: true,
    doc: 'Append-only file (Cairn has none: accepted and shown by CONFIG GET, no file is written)',
  },
] as const satisfies readonly OptionSpec[];
