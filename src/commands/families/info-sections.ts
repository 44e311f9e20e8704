/**
 * The built-in INFO sections, with Redis's field names so tools that parse INFO (redis-cli,
 * ioredis's ready check, exporters, dashboards) read them unchanged. Fields Cairn has no
 * equivalent for keep Redis's neutral values (no replicas, no AOF, no forks); Cairn's own
 * figures are added under `cairn_*`-style names that no Redis parser looks for.
 */
import os from 'node:os';
import { blockedClients } from '../blocking.js';
import type { InfoSection, ServerApi } from '../context.js';
import { countedMemory } from '../memory-limit.js';
import { replicaInfo } from '../replication/role.js';
import { migrateCachedSockets } from './migrate.js';
import { REDIS_COMPAT_VERSION } from './redis-compat.js';

type Fields = Array<[string, string | number]>;

const MS_PER_S = 1000;
const US_PER_MS = 1000;
const S_PER_DAY = 86_400;
/** Redis's LRU clock: seconds, wrapping at 24 bits. */
const LRU_CLOCK_MAX = (1 << 24) - 1;
/** Shortest window over which instantaneous rates are recomputed (Redis samples every 100 ms). */
const RATE_MIN_WINDOW_MS = 100;
/**
 * The heap part of used_memory is sampled at most this often. The JS heap holds garbage that
 * every request adds to, so two INFO calls in a row would otherwise differ by the garbage of the
 * first; Redis's tests compute `used_memory - mem_not_counted_for_evict` from two INFO calls
 * and expect the dataset's share, which this keeps steady.
 */
const HEAP_SAMPLE_MS = 1000;

/** Per-server figures INFO keeps between calls: the memory peak and the last rate sample. */
interface InfoState {
  peakMemory: number;
  sampleAt: number;
  sampleCommands: number;
  sampleIn: number;
  sampleOut: number;
  opsPerSec: number;
  inKbps: number;
  outKbps: number;
  /** Clock ms of the last heap sample, and the heap bytes outside the dataset it found. */
  heapAt: number;
  heapOther: number;
}
const infoStates = new WeakMap<ServerApi, InfoState>();

function stateOf(server: ServerApi): InfoState {
  let s = infoStates.get(server);
  if (s === undefined) {
    s = {
      peakMemory: 0,
      sampleAt: server.clock.now(),
      sampleCommands: server.stats.totalCommands,
      sampleIn: server.stats.netInputBytes,
      sampleOut: server.stats.netOutputBytes,
      opsPerSec: 0,
      inKbps: 0,
      outKbps: 0,
      heapAt: Number.NEGATIVE_INFINITY,
      heapOther: 0,
    };
    infoStates.set(server, s);
  }
  return s;
}

/**
 * Rates over the time since the previous sample. Cairn has no 100 ms cron in the command layer,
 * so INFO samples when it is asked: with INFO polled every second (as monitors do) this is the
 * rate over the last second.
 */
function sampleRates(server: ServerApi): InfoState {
  const s = stateOf(server);
  const now = server.clock.now();
  const dt = now - s.sampleAt;
  const st = server.stats;
  if (st.totalCommands < s.sampleCommands) {
    // CONFIG RESETSTAT: start over.
    s.sampleAt = now;
    s.sampleCommands = st.totalCommands;
    s.sampleIn = st.netInputBytes;
    s.sampleOut = st.netOutputBytes;
    s.opsPerSec = 0;
    s.inKbps = 0;
    s.outKbps = 0;
  } else if (dt >= RATE_MIN_WINDOW_MS) {
    const secs = dt / MS_PER_S;
    s.opsPerSec = Math.round((st.totalCommands - s.sampleCommands) / secs);
    s.inKbps = (st.netInputBytes - s.sampleIn) / 1024 / secs;
    s.outKbps = (st.netOutputBytes - s.sampleOut) / 1024 / secs;
    s.sampleAt = now;
    s.sampleCommands = st.totalCommands;
    s.sampleIn = st.netInputBytes;
    s.sampleOut = st.netOutputBytes;
  }
  return s;
}

/** Redis's bytesToHuman: `512B`, `1.50K`, `2.00M`, ... */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  let i = 0;
  while (d >= 1024 && i < units.length - 1) {
    d /= 1024;
    i++;
  }
  return `${d.toFixed(2)}${units[i]}`;
}

/**
 * Memory as Redis reports it. The dataset figure is the engine's own accounting (the number
 * maxmemory is enforced against); the rest of the process (code, buffers, client state) is
 * the heap and external memory V8 reports beyond it. A Map keyspace holds its data in that
 * heap, so the overhead is what the heap holds beyond the dataset, never negative.
 */
export function memoryFigures(server: ServerApi): { used: number; dataset: number; m: NodeJS.MemoryUsage } {
  const m = process.memoryUsage();
  const dataset = server.keyspace.usedMemory();
  // Like Redis's used_memory (bytes handed out, not bytes reserved): the JS heap and external
  // memory, counting an off-heap engine's arenas by what is in use rather than what is reserved.
  const st = stateOf(server);
  const now = server.clock.now();
  if (now - st.heapAt >= HEAP_SAMPLE_MS) {
    const eng = server.keyspace.memoryStats?.();
    // An engine's collection values live in the heap and external Buffers like everything else:
    // taken out here with the arenas, as the dataset figure counts them.
    const inDataset = eng !== undefined ? eng.allocatedBytes + (eng.heapBytes ?? 0) : dataset;
    st.heapOther = m.heapUsed + m.external - inDataset;
    st.heapAt = now;
  }
  const used = Math.max(dataset, st.heapOther + dataset);
  return { used, dataset, m };
}

function serverSection(server: ServerApi): Fields {
  const now = server.clock.now();
  const uptimeS = Math.max(0, Math.floor((now - server.startedAt) / MS_PER_S));
  const hz = server.config.int('hz');
  return [
    ['redis_version', REDIS_COMPAT_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', '0'],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', process.arch.includes('64') ? 64 : 32],
    ['multiplexing_api', 'libuv'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', server.runId],
    ['tcp_port', server.ports.resp],
    ['tls_port', server.ports.tlsResp],
    ['server_time_usec', now * US_PER_MS],
    ['uptime_in_seconds', uptimeS],
    ['uptime_in_days', Math.floor(uptimeS / S_PER_DAY)],
    ['hz', hz],
    ['configured_hz', hz],
    ['lru_clock', Math.floor(now / MS_PER_S) & LRU_CLOCK_MAX],
    ['io_threads_active', 0],
    ['cairn_version', server.version],
    ['node_version', process.versions.node],
    ['http_port', server.ports.http],
    ['grpc_port', server.ports.grpc],
    ['engine', server.keyspace.name],
  ];
}

function clientsSection(server: ServerApi): Fields {
  return [
    // Replicas are not counted, as in Redis (listLength(server.clients) - listLength(server.slaves)).
    ['connected_clients', server.clients.count() - server.replicas.count],
    ['cluster_connections', 0],
    ['maxclients', server.config.int('maxclients')],
    ['client_recent_max_input_buffer', 0],
    ['client_recent_max_output_buffer', 0],
    ['blocked_clients', blockedClients(server)],
    ['tracking_clients', server.observers.tracking.clients],
    ['clients_in_timeout_table', server.blockedKeys.timed],
    ['connected_clients_resp', server.clients.count('resp')],
    ['connected_clients_http', server.clients.count('http')],
    ['connected_clients_grpc', server.clients.count('grpc')],
  ];
}

/** Bytes held in clients' query and output buffers (Redis's mem_clients_normal, roughly). */
function clientBuffers(server: ServerApi): number {
  let n = 0;
  for (const c of server.clients.list()) {
    const b = c.bufferStats();
    n += b.qbuf + b.omem;
  }
  return n;
}

function memorySection(server: ServerApi): Fields {
  const { used, dataset, m: heap } = memoryFigures(server);
  const rss = heap.rss;
  const st = stateOf(server);
  st.peakMemory = Math.max(st.peakMemory, used);
  const maxmemory = server.config.int('maxmemory');
  const total = os.totalmem();
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', rss],
    ['used_memory_rss_human', bytesToHuman(rss)],
    ['used_memory_peak', st.peakMemory],
    ['used_memory_peak_human', bytesToHuman(st.peakMemory)],
    ['used_memory_peak_perc', `${((used / st.peakMemory) * 100).toFixed(2)}%`],
    ['used_memory_overhead', used - dataset],
    ['used_memory_dataset', dataset],
    ['used_memory_dataset_perc', `${used === 0 ? '0.00' : ((dataset / used) * 100).toFixed(2)}%`],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    ...server.scripting.memoryInfo(),
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', server.config.get('maxmemory-policy')],
    ['mem_fragmentation_ratio', (used === 0 ? 0 : rss / used).toFixed(2)],
    // What maxmemory does not bound (see commands/memory-limit.ts).
    ['mem_not_counted_for_evict', Math.max(0, used - countedMemory(server))],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', clientBuffers(server)],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', 'v8'],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', server.stats.lazyfreedObjects],
    ['heap_used', heap.heapUsed],
    ['heap_total', heap.heapTotal],
    ['external_memory', heap.external],
  ];
}

function persistenceSection(server: ServerApi): Fields {
  return [
    ['loading', server.loading ? 1 : 0],
    ['async_loading', 0],
    ['rdb_changes_since_last_save', server.dirty],
    ['rdb_bgsave_in_progress', 0],
    ['rdb_last_save_time', Math.floor(server.lastSave() / MS_PER_S)],
    ['rdb_last_bgsave_status', 'ok'],
    ['rdb_last_bgsave_time_sec', -1],
    ['rdb_current_bgsave_time_sec', -1],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_write_status', 'ok'],
  ];
}

function statsSection(server: ServerApi): Fields {
  const st = server.stats;
  const rates = sampleRates(server);
  return [
    ['total_connections_received', st.totalConnections],
    ['total_commands_processed', st.totalCommands],
    ['instantaneous_ops_per_sec', rates.opsPerSec],
    ['total_net_input_bytes', st.netInputBytes],
    ['total_net_output_bytes', st.netOutputBytes],
    ['instantaneous_input_kbps', rates.inKbps.toFixed(2)],
    ['instantaneous_output_kbps', rates.outKbps.toFixed(2)],
    ['rejected_connections', st.rejectedConnections],
    ['sync_full', 0],
    ['sync_partial_ok', 0],
    ['sync_partial_err', 0],
    ['expired_keys', st.expiredKeys],
    ['expired_stale_perc', '0.00'],
    ['expired_time_cap_reached_count', 0],
    ['evicted_keys', st.evictedKeys],
    ['evicted_clients', 0],
    ['keyspace_hits', st.keyspaceHits],
    ['keyspace_misses', st.keyspaceMisses],
    ['pubsub_channels', server.pubsub.size('channel')],
    ['pubsub_patterns', server.pubsub.size('pattern')],
    ['pubsubshard_channels', server.pubsub.size('shard')],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', migrateCachedSockets(server)],
    ['tracking_total_keys', server.observers.tracking.figures().keys],
    ['tracking_total_items', server.observers.tracking.figures().items],
    ['tracking_total_prefixes', server.observers.tracking.figures().prefixes],
    ['unexpected_error_replies', 0],
    ['total_error_replies', st.errorReplies],
    ['total_commands_processed_resp', st.commandsByDoor.resp],
    ['total_commands_processed_http', st.commandsByDoor.http],
    ['total_commands_processed_grpc', st.commandsByDoor.grpc],
  ];
}

function replicationSection(server: ServerApi): Fields {
  const replicas = server.replicas;
  const backlogSize = 1048576;
  const backlog = replicas.backlog(backlogSize);
  const following = replicas.following;
  return [
    ...(following === null
      ? ([['role', 'master']] as Fields)
      : replicaInfo(following, replicas.offset, server.config)),
    ['connected_slaves', replicas.count],
    ...replicas.replicaLines(server.clock.now()),
    ['master_failover_state', 'no-failover'],
    ['master_replid', server.runId],
    ['master_replid2', '0'.repeat(40)],
    ['master_repl_offset', replicas.offset],
    ['second_repl_offset', -1],
    ['repl_backlog_active', backlog.active],
    ['repl_backlog_size', backlogSize],
    ['repl_backlog_first_byte_offset', backlog.firstByte],
    ['repl_backlog_histlen', backlog.histlen],
  ];
}

function cpuSection(): Fields {
  const cpu = process.cpuUsage();
  const secs = (us: number) => (us / 1e6).toFixed(6);
  return [
    ['used_cpu_sys', secs(cpu.system)],
    ['used_cpu_user', secs(cpu.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
  ];
}

/** `cmdstat_get:calls=..,usec=..,usec_per_call=..,rejected_calls=..,failed_calls=..`, used commands only. */
function commandstatsSection(server: ServerApi): Fields {
  const out: Fields = [];
  for (const [name, s] of server.stats.commands) {
    if (s.calls === 0 && s.failed === 0 && s.rejected === 0) continue;
    const usec = Math.round(s.usec);
    const perCall = s.calls === 0 ? 0 : usec / s.calls;
    out.push([
      `cmdstat_${name}`,
      `calls=${s.calls},usec=${usec},usec_per_call=${perCall.toFixed(2)},rejected_calls=${s.rejected},failed_calls=${s.failed}`,
    ]);
  }
  return out;
}

/** Redis's latency-tracking-info-percentiles default. */
const LATENCY_PERCENTILES = [50, 99, 99.9] as const;

/**
 * `latency_percentiles_usec_get:p50=1.003,p99=3.007,p99.9=5.001`, per command with timed calls
 * (estimates: see the dispatcher's sampling; buckets are within 12.5%).
 */
function latencystatsSection(server: ServerApi): Fields {
  const out: Fields = [];
  for (const [name, s] of server.stats.commands) {
    if (s.hist === null || s.hist.total === 0) continue;
    const h = s.hist;
    out.push([
      `latency_percentiles_usec_${name}`,
      LATENCY_PERCENTILES.map((p) => `p${p}=${h.percentile(p).toFixed(3)}`).join(','),
    ]);
  }
  return out;
}

/** `errorstat_ERR:count=N`, in the sorted order of Redis's radix tree. */
function errorstatsSection(server: ServerApi): Fields {
  return [...server.stats.errors]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([prefix, n]) => [`errorstat_${prefix}`, `count=${n}`]);
}

function keyspaceSection(server: ServerApi): Fields {
  const ks = server.keyspace;
  const out: Fields = [];
  for (let db = 0; db < ks.databases; db++) {
    const keys = ks.dbSize(db);
    if (keys === 0) continue;
    out.push([`db${db}`, `keys=${keys},expires=${ks.expiresCount(db)},avg_ttl=0`]);
  }
  return out;
}

export interface BuiltinSection {
  readonly name: string;
  readonly title: string;
  /** Part of a bare INFO / INFO default. */
  readonly inDefault: boolean;
  readonly build: (server: ServerApi) => Fields;
}

/** In Redis's order; INFO always prints sections in this order, whatever order they were asked in. */
export const BUILTIN_SECTIONS: readonly BuiltinSection[] = [
  { name: 'server', title: 'Server', inDefault: true, build: serverSection },
  { name: 'clients', title: 'Clients', inDefault: true, build: clientsSection },
  { name: 'memory', title: 'Memory', inDefault: true, build: memorySection },
  { name: 'persistence', title: 'Persistence', inDefault: true, build: persistenceSection },
  { name: 'stats', title: 'Stats', inDefault: true, build: statsSection },
  { name: 'replication', title: 'Replication', inDefault: true, build: replicationSection },
  { name: 'cpu', title: 'CPU', inDefault: true, build: cpuSection },
  { name: 'modules', title: 'Modules', inDefault: true, build: () => [] },
  { name: 'commandstats', title: 'Commandstats', inDefault: false, build: commandstatsSection },
  { name: 'errorstats', title: 'Errorstats', inDefault: true, build: errorstatsSection },
  { name: 'latencystats', title: 'Latencystats', inDefault: false, build: latencystatsSection },
  { name: 'cluster', title: 'Cluster', inDefault: true, build: () => [['cluster_enabled', 0]] },
  { name: 'keyspace', title: 'Keyspace', inDefault: true, build: keyspaceSection },
];

export type { Fields, InfoSection };
