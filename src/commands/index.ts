/** Every command family, assembled into the one table all doors share. */
import { aofCommands } from './families/aof.js';
import { bitmapCommands } from './families/bitmap.js';
import { zsetBlockingCommands } from './families/bzpop.js';
import { clusterCommands } from './families/cluster.js';
import { connectionCommands } from './families/connection.js';
import { debugCommands } from './families/debug.js';
import { dumpCommands } from './families/dump.js';
import { expiryCommands } from './families/expiry.js';
import { geoCommands } from './families/geo.js';
import { hashCommands } from './families/hash.js';
import { hyperloglogCommands } from './families/hyperloglog.js';
import { keyCommands } from './families/keys.js';
import { latencyCommands } from './families/latency.js';
import { listCommands } from './families/list.js';
import { memoryCommands } from './families/memory.js';
import { migrateCommands } from './families/migrate.js';
import { monitorCommands } from './families/monitor.js';
import { pubsubCommands } from './families/pubsub.js';
import { replicationCommands } from './families/replication.js';
import { scriptingCommands } from './families/scripting.js';
import { functionCommands } from './families/scripting-functions.js';
import { serverCommands } from './families/server.js';
import { setCommands } from './families/set.js';
import { sortCommands } from './families/sort.js';
import { streamCommands } from './families/stream.js';
import { stringCommands } from './families/strings.js';
import { transactionCommands } from './families/transactions.js';
import { zsetCommands } from './families/zset.js';
import { CommandTable } from './registry.js';

export const COMMAND_FAMILIES = [
  stringCommands,
  bitmapCommands,
  keyCommands,
  expiryCommands,
  connectionCommands,
  serverCommands,
  transactionCommands,
  memoryCommands,
  monitorCommands,
  debugCommands,
  aofCommands,
  replicationCommands,
  dumpCommands,
  hashCommands,
  setCommands,
  sortCommands,
  listCommands,
  zsetBlockingCommands,
  zsetCommands,
  geoCommands,
  streamCommands,
  hyperloglogCommands,
  pubsubCommands,
  scriptingCommands,
  functionCommands,
  clusterCommands,
  migrateCommands,
  latencyCommands,
] as const;

export function createCommandTable(): CommandTable {
  return new CommandTable(COMMAND_FAMILIES);
}
