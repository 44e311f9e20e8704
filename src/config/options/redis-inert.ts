/**
 * Redis 7.0 directives for things Cairn does not have (replication, the AOF and RDB files'
 * internals, cluster, the process and its allocator, lazy freeing): CONFIG GET answers them
 * with Redis's defaults and CONFIG SET checks them as Redis does (type, bounds, enum values,
 * mutability), so clients, tools and Redis's own test suite that set them keep working. They
 * change nothing in Cairn (`inert`). Concatenated into OPTIONS by ../schema.ts; listed in
 * docs/configuration.md.
 */
import type { OptionSpec } from '../schema.js';

const INT_MAX = 2_147_483_647;
const INT_MIN = -2_147_483_648;
const MB = 1024 * 1024;

type Inert<N extends string> = OptionSpec & { readonly name: N };
type Extra = Omit<Partial<OptionSpec>, 'name' | 'type' | 'default' | 'doc'>;

function flag<N extends string>(name: N, def: 'yes' | 'no', doc: string, extra: Extra = {}): Inert<N> {
  return { name, type: 'bool', default: def, mutable: true, doc, inert: true, ...extra };
}

function int<N extends string>(
  name: N,
  def: number,
  min: number,
  max: number,
  doc: string,
  extra: Extra = {},
): Inert<N> {
  return { name, type: 'int', default: String(def), min, max, mutable: true, doc, inert: true, ...extra };
}

function bytes<N extends string>(name: N, def: number, min: number, max: number, doc: string): Inert<N> {
  return { name, type: 'bytes', default: String(def), min, max, mutable: true, doc, inert: true };
}

function text<N extends string>(name: N, def: string, doc: string, extra: Extra = {}): Inert<N> {
  return { name, type: 'string', default: def, mutable: true, doc, inert: true, ...extra };
}

function choice<N extends string>(
  name: N,
  values: readonly string[],
  doc: string,
  extra: Extra = {},
): Inert<N> {
  return { name, type: 'enum', default: values[0], values, mutable: true, doc, inert: true, ...extra };
}

const IMMUTABLE = { mutable: false } as const;
const HIDDEN = { hidden: true } as const;

/** Redis's multi-argument shutdown-on-sig* value: `default`, or any of save|nosave|now|force. */
function shutdownFlags(raw: string): { value: string } | { error: string } {
  const words = raw
    .toLowerCase()
    .split(' ')
    .filter((w) => w !== '');
  const known = ['default', 'save', 'nosave', 'now', 'force'];
  if (words.length === 0 || words.some((w) => !known.includes(w)))
    return { error: `argument(s) must be one of the following: ${known.join(', ')}` };
  return { value: words.join(' ') };
}

/** `oom-score-adj-values`: three integers, -2000..2000 (Redis's bounds). */
function oomValues(raw: string): { value: string } | { error: string } {
  const words = raw.split(' ').filter((w) => w !== '');
  if (words.length !== 3) return { error: 'Invalid oom-score-adj-values: three values expected' };
  for (const w of words) {
    const n = /^-?\d+$/.test(w) ? Number(w) : Number.NaN;
    if (!(n >= -2000 && n <= 2000)) return { error: 'Invalid oom-score-adj-values' };
  }
  return { value: words.join(' ') };
}

/** `maxmemory-clients`: a memory value, or a percentage of maxmemory (0%..100%). */
function memoryOrPercent(raw: string): { value: string } | { error: string } {
  const pct = /^(\d+)%$/.exec(raw);
  if (pct !== null) {
    const n = Number(pct[1]);
    // Redis stores a percentage as a negative number: 0% is 0, past 100% its bound check says so.
    if (n > 100) return { error: 'percentage argument must be less or equal to 100' };
    return { value: n === 0 ? '0' : `${n}%` };
  }
  const m = /^(\d+)([kmg]b?)?$/i.exec(raw);
  if (m === null) return { error: 'argument must be a memory or percent value' };
  const units: Record<string, number> = { k: 1e3, kb: 1024, m: 1e6, mb: MB, g: 1e9, gb: 1024 * MB };
  return { value: String(Number(m[1]) * (m[2] ? units[m[2].toLowerCase()] : 1)) };
}

/** Cairn has no allocator to defragment: `activedefrag yes` is refused, as by a Redis built without it. */
function noDefrag(raw: string): { value: string } | { error: string } {
  const v = raw.toLowerCase();
  if (v === 'no') return { value: 'no' };
  if (v === 'yes')
    return { error: 'Active defragmentation cannot be enabled: this server has no defragmenting allocator' };
  return { error: "argument must be 'yes' or 'no'" };
}

const REPLICATION = [
  text('replicaof', '', 'Master to replicate (Cairn has no replication)', IMMUTABLE),
  text('masteruser', '', 'User to authenticate to a master with', HIDDEN),
  text('masterauth', '', 'Password to authenticate to a master with', HIDDEN),
  flag('replica-serve-stale-data', 'yes', 'Replicas answer while out of sync'),
  flag('replica-read-only', 'yes', 'Replicas refuse writes'),
  flag('replica-lazy-flush', 'no', 'Replicas flush in the background on full sync'),
  flag('replica-ignore-maxmemory', 'yes', 'Replicas do not evict on their own'),
  flag('replica-announced', 'yes', 'Replica is listed by Sentinel'),
  flag('replica-ignore-disk-write-errors', 'no', 'Replicas carry on after disk write errors'),
  text('replica-announce-ip', '', 'Address a replica announces'),
  int('replica-announce-port', 0, 0, 65535, 'Port a replica announces'),
  int('replica-priority', 100, 0, INT_MAX, 'Sentinel promotion priority'),
  flag('repl-diskless-sync', 'yes', 'Full sync streams the RDB over the socket'),
  int('repl-diskless-sync-delay', 5, 0, INT_MAX, 'Seconds to wait for more replicas before a diskless sync'),
  int('repl-diskless-sync-max-replicas', 0, 0, INT_MAX, 'Replicas that start a diskless sync at once'),
  choice('repl-diskless-load', ['disabled', 'on-empty-db', 'swapdb'], 'How a replica loads a full sync'),
  flag('repl-disable-tcp-nodelay', 'no', 'Disable TCP_NODELAY on the replication link'),
  int('repl-ping-replica-period', 10, 1, INT_MAX, 'Seconds between pings to replicas'),
  int('repl-timeout', 60, 1, INT_MAX, 'Replication timeout, seconds'),
  bytes('repl-backlog-size', MB, 1, Number.MAX_SAFE_INTEGER, 'Replication backlog, bytes'),
  int(
    'repl-backlog-ttl',
    3600,
    0,
    Number.MAX_SAFE_INTEGER,
    'Seconds before a backlog without replicas is freed',
  ),
  int('min-replicas-to-write', 0, 0, INT_MAX, 'Refuse writes with fewer good replicas'),
  int('min-replicas-max-lag', 10, 0, INT_MAX, 'Lag in seconds of a good replica'),
  choice(
    'propagation-error-behavior',
    ['ignore', 'panic', 'panic-on-replicas'],
    'What a replica does on an error in the stream',
  ),
];

const FILES = [
  flag('rdbcompression', 'yes', 'Compress strings in the RDB file (snapshots: snapshot-compression)'),
  flag('rdbchecksum', 'yes', 'Checksum the RDB file (snapshots are always checksummed)', IMMUTABLE),
  flag('rdb-del-sync-files', 'no', 'Delete RDB files used only for replication'),
  flag('rdb-save-incremental-fsync', 'yes', 'fsync the RDB file every 4 MB while writing'),
  flag('stop-writes-on-bgsave-error', 'yes', 'Refuse writes after a failed background save'),
  int('rdb-key-save-delay', 0, INT_MIN, INT_MAX, 'Microseconds of sleep per key saved (a test hook)', HIDDEN),
  int('key-load-delay', 0, INT_MIN, INT_MAX, 'Microseconds of sleep per key loaded (a test hook)', HIDDEN),
  int(
    'loading-process-events-interval-bytes',
    2 * MB,
    1024,
    INT_MAX,
    'Bytes loaded between event-loop turns',
    HIDDEN,
  ),
  text('appendfilename', 'appendonly.aof', 'Base name of the AOF files', IMMUTABLE),
  text('appenddirname', 'appendonlydir', 'Directory of the AOF files', IMMUTABLE),
  choice('appendfsync', ['everysec', 'always', 'no'], 'When the AOF is fsynced'),
  flag('no-appendfsync-on-rewrite', 'no', 'Skip AOF fsync during a rewrite'),
  int('auto-aof-rewrite-percentage', 100, 0, INT_MAX, 'AOF growth that triggers a rewrite, percent'),
  bytes(
    'auto-aof-rewrite-min-size',
    64 * MB,
    0,
    Number.MAX_SAFE_INTEGER,
    'Smallest AOF rewritten automatically',
  ),
  flag('aof-load-truncated', 'yes', 'Load a truncated AOF'),
  flag('aof-use-rdb-preamble', 'yes', 'Start a rewritten AOF with an RDB image'),
  flag('aof-timestamp-enabled', 'no', 'Timestamp annotations in the AOF'),
  flag('aof-rewrite-incremental-fsync', 'yes', 'fsync the AOF every 4 MB during a rewrite'),
  flag('aof-disable-auto-gc', 'no', 'Keep AOF history files'),
];

const CLUSTER = [
  flag('cluster-enabled', 'no', 'Cluster mode', IMMUTABLE),
  text('cluster-config-file', 'nodes.conf', 'Cluster state file', IMMUTABLE),
  int('cluster-port', 0, 0, 65535, 'Cluster bus port', IMMUTABLE),
  int('cluster-node-timeout', 15000, 0, Number.MAX_SAFE_INTEGER, 'Cluster node timeout, milliseconds'),
  int('cluster-replica-validity-factor', 10, 0, INT_MAX, 'Replica data age factor for failover'),
  int('cluster-migration-barrier', 1, 0, INT_MAX, 'Replicas a master keeps before one migrates'),
  flag('cluster-require-full-coverage', 'yes', 'Refuse queries while slots are uncovered'),
  flag('cluster-replica-no-failover', 'no', 'Replicas never fail over'),
  flag('cluster-allow-reads-when-down', 'no', 'Serve reads while the cluster is down'),
  flag('cluster-allow-pubsubshard-when-down', 'yes', 'Serve shard pub/sub while the cluster is down'),
  flag('cluster-allow-replica-migration', 'yes', 'Replicas may migrate to orphaned masters'),
  text('cluster-announce-ip', '', 'Address announced on the cluster bus'),
  text('cluster-announce-hostname', '', 'Hostname announced on the cluster bus'),
  int('cluster-announce-port', 0, 0, 65535, 'Client port announced on the cluster bus'),
  int('cluster-announce-bus-port', 0, 0, 65535, 'Bus port announced on the cluster bus'),
  int('cluster-announce-tls-port', 0, 0, 65535, 'TLS port announced on the cluster bus'),
  choice(
    'cluster-preferred-endpoint-type',
    ['ip', 'hostname', 'unknown-endpoint'],
    'Endpoint shown in redirections',
  ),
  bytes('cluster-link-sendbuf-limit', 0, 0, Number.MAX_SAFE_INTEGER, 'Send buffer limit of a cluster link'),
  flag('tls-cluster', 'no', 'TLS on the cluster bus'),
  flag('tls-replication', 'no', 'TLS on replication links'),
];

const PROCESS = [
  flag('daemonize', 'no', 'Run in the background', IMMUTABLE),
  choice('supervised', ['no', 'upstart', 'systemd', 'auto'], 'Supervision protocol', IMMUTABLE),
  text('pidfile', '', 'PID file', IMMUTABLE),
  text('logfile', '', 'Log file (Cairn logs JSON lines to stdout)', IMMUTABLE),
  flag('syslog-enabled', 'no', 'Log to syslog', IMMUTABLE),
  text('syslog-ident', 'redis', 'Syslog identity', IMMUTABLE),
  choice(
    'syslog-facility',
    ['local0', 'user', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'],
    'Syslog facility',
    IMMUTABLE,
  ),
  flag('always-show-logo', 'no', 'Show the ASCII logo at start', IMMUTABLE),
  flag('set-proc-title', 'yes', 'Set the process title', IMMUTABLE),
  text('proc-title-template', '{title} {listen-addr} {server-mode}', 'Process title template'),
  text('unixsocket', '', 'Unix socket path', IMMUTABLE),
  int('unixsocketperm', 0, 0, 0o777, 'Unix socket permissions', IMMUTABLE),
  int('tcp-backlog', 511, 0, INT_MAX, 'TCP listen backlog', IMMUTABLE),
  int('socket-mark-id', 0, 0, 4_294_967_295, 'Socket mark (SO_MARK)', IMMUTABLE),
  text('bind-source-addr', '', 'Source address of outgoing connections'),
  int('io-threads', 1, 1, 128, 'I/O threads', IMMUTABLE),
  flag('io-threads-do-reads', 'no', 'I/O threads also read and parse', IMMUTABLE),
  text('server_cpulist', '', 'CPU affinity of the main thread', IMMUTABLE),
  text('bio_cpulist', '', 'CPU affinity of background I/O threads', IMMUTABLE),
  text('aof_rewrite_cpulist', '', 'CPU affinity of the AOF rewrite child', IMMUTABLE),
  text('bgsave_cpulist', '', 'CPU affinity of the BGSAVE child', IMMUTABLE),
  choice('oom-score-adj', ['no', 'yes', 'relative', 'absolute'], 'Adjust the kernel OOM score'),
  text('oom-score-adj-values', '0 200 800', 'OOM score adjustments of master, replica and child', {
    normalise: oomValues,
  }),
  flag('disable-thp', 'yes', 'Disable transparent huge pages', IMMUTABLE),
  flag('jemalloc-bg-thread', 'yes', "jemalloc's background purge thread"),
  flag('crash-log-enabled', 'yes', 'Log a stack trace on a crash'),
  flag('crash-memcheck-enabled', 'yes', 'Run a memory check on a crash'),
  flag('use-exit-on-panic', 'no', 'exit() rather than abort() on a panic', HIDDEN),
  int('watchdog-period', 0, 0, INT_MAX, 'Software watchdog period, milliseconds', HIDDEN),
  text('shutdown-on-sigint', 'default', 'SIGINT shutdown flags: default, or save|nosave|now|force', {
    normalise: shutdownFlags,
  }),
  text('shutdown-on-sigterm', 'default', 'SIGTERM shutdown flags: default, or save|nosave|now|force', {
    normalise: shutdownFlags,
  }),
  choice(
    'enable-protected-configs',
    ['no', 'yes', 'local'],
    'Allow CONFIG SET of protected configs',
    IMMUTABLE,
  ),
  choice(
    'enable-module-command',
    ['no', 'yes', 'local'],
    'Allow the MODULE command (Cairn has no modules)',
    IMMUTABLE,
  ),
  text('ignore-warnings', '', 'Start-up warnings to silence'),
];

const MEMORY = [
  text('activedefrag', 'no', 'Active defragmentation (cannot be enabled: no defragmenting allocator)', {
    normalise: noDefrag,
  }),
  int('active-defrag-cycle-min', 1, 1, 99, 'Least CPU effort of defragmentation, percent'),
  int('active-defrag-cycle-max', 25, 1, 99, 'Most CPU effort of defragmentation, percent'),
  int('active-defrag-threshold-lower', 10, 0, 1000, 'Fragmentation that starts defragmentation, percent'),
  int('active-defrag-threshold-upper', 100, 0, 1000, 'Fragmentation for the most effort, percent'),
  bytes(
    'active-defrag-ignore-bytes',
    100 * MB,
    1,
    Number.MAX_SAFE_INTEGER,
    'Fragmentation waste below which nothing is done',
  ),
  int(
    'active-defrag-max-scan-fields',
    1000,
    1,
    Number.MAX_SAFE_INTEGER,
    'Fields above which a key is defragmented apart',
  ),
  flag('activerehashing', 'yes', 'Spend CPU on incremental rehashing'),
  flag('dynamic-hz', 'yes', 'Raise hz with the number of clients'),
  int('maxmemory-eviction-tenacity', 10, 0, 100, 'Eviction effort per command'),
  text(
    'maxmemory-clients',
    '0',
    'Memory all clients may use before some are evicted (bytes or % of maxmemory)',
    {
      normalise: memoryOrPercent,
    },
  ),
  flag('lazyfree-lazy-eviction', 'no', 'Free evicted values in the background'),
  flag('lazyfree-lazy-expire', 'no', 'Free expired values in the background'),
  flag('lazyfree-lazy-server-del', 'no', 'Free values deleted by the server in the background'),
  flag('lazyfree-lazy-user-del', 'no', 'DEL frees in the background, as UNLINK'),
  flag('lazyfree-lazy-user-flush', 'no', 'FLUSHALL/FLUSHDB without a mode run ASYNC'),
  flag('latency-tracking', 'yes', 'Per-command latency percentiles (Cairn always tracks them)'),
];

const TLS_EXTRA = [
  int('tls-session-cache-size', 20 * 1024, 0, INT_MAX, 'TLS session cache entries'),
  int('tls-session-cache-timeout', 300, 0, INT_MAX, 'TLS session cache timeout, seconds'),
  flag('tls-session-caching', 'yes', 'Cache TLS sessions'),
  flag('tls-prefer-server-ciphers', 'no', "Prefer the server's cipher order"),
  text('tls-client-cert-file', '', 'Client certificate for outgoing TLS links'),
  text('tls-client-key-file', '', 'Client key for outgoing TLS links'),
  text('tls-client-key-file-pass', '', 'Passphrase of tls-client-key-file', HIDDEN),
  text('tls-dh-params-file', '', 'Diffie-Hellman parameters file'),
  text('tls-ca-cert-dir', '', 'Directory of CA certificates'),
];

export const INERT_OPTIONS = [...REPLICATION, ...FILES, ...CLUSTER, ...PROCESS, ...MEMORY, ...TLS_EXTRA];

/** Redis's older (slave-*) names of the options above, to the current ones. */
export const INERT_ALIASES: Readonly<Record<string, string>> = {
  slaveof: 'replicaof',
  'slave-serve-stale-data': 'replica-serve-stale-data',
  'slave-read-only': 'replica-read-only',
  'slave-lazy-flush': 'replica-lazy-flush',
  'slave-ignore-maxmemory': 'replica-ignore-maxmemory',
  'slave-announce-ip': 'replica-announce-ip',
  'slave-announce-port': 'replica-announce-port',
  'slave-priority': 'replica-priority',
  'repl-ping-slave-period': 'repl-ping-replica-period',
  'min-slaves-to-write': 'min-replicas-to-write',
  'min-slaves-max-lag': 'min-replicas-max-lag',
  'cluster-slave-validity-factor': 'cluster-replica-validity-factor',
  'cluster-slave-no-failover': 'cluster-replica-no-failover',
};
