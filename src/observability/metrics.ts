/**
 * Prometheus metrics (prom-client). Almost everything is read at scrape time from what the
 * server already counts (`server.stats`, `server.clients`, the keyspace), so serving requests
 * costs nothing extra. Per-command, per-door counts and latencies come from a `CommandObserver`
 * the lifecycle installs on the dispatcher; it only bumps numbers in typed arrays (no label
 * hashing, no allocation) and the scrape turns them into series.
 */
import { Counter, collectDefaultMetrics, Gauge, type Histogram, Registry } from 'prom-client';
import type { Door, ServerApi } from '../commands/context.js';
import type { CommandObserver } from '../commands/dispatch.js';
import type { TableEntry } from '../commands/registry.js';
import { peekPressure } from './pressure.js';

/** Histogram bucket bounds, seconds: commands run in microseconds, a slow one in milliseconds. */
export const LATENCY_BUCKETS_S = [
  0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
  0.1, 1,
] as const;
const BUCKETS_MS = LATENCY_BUCKETS_S.map((s) => s * 1000);
const NB = BUCKETS_MS.length;

const DOORS: readonly Door[] = ['resp', 'http', 'grpc'];
const ND = DOORS.length;

function doorIndex(door: Door): number {
  return door === 'resp' ? 0 : door === 'http' ? 1 : 2;
}

/** One command's figures, per door: index `d` in calls/failed/sumMs, `d * (NB + 1) + b` in buckets. */
interface CommandAcc {
  readonly name: string;
  readonly calls: Float64Array;
  readonly failed: Float64Array;
  readonly sumMs: Float64Array;
  /** Timed calls, weighted by the dispatcher's sampling: the histogram's `_count`. */
  readonly timed: Float64Array;
  /** Non-cumulative counts per bucket; the last slot of each door is +Inf. */
  readonly buckets: Float64Array;
}

export interface Metrics {
  readonly registry: Registry;
  readonly observer: CommandObserver;
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * A histogram whose buckets are filled elsewhere (the observer's arrays) and read at scrape
 * time. prom-client's registry accepts any object that answers `get()` in its metric format.
 */
class ObservedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly accs: Map<TableEntry, CommandAcc>,
  ) {}

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    for (const acc of this.accs.values()) {
      for (let d = 0; d < ND; d++) {
        if (acc.timed[d] === 0) continue;
        const labels = { command: acc.name, door: DOORS[d] };
        let cum = 0;
        for (let b = 0; b < NB; b++) {
          cum += acc.buckets[d * (NB + 1) + b];
          values.push({
            labels: { ...labels, le: LATENCY_BUCKETS_S[b] },
            value: cum,
            metricName: `${this.name}_bucket`,
          });
        }
        values.push({
          labels: { ...labels, le: '+Inf' },
          value: acc.timed[d],
          metricName: `${this.name}_bucket`,
        });
        values.push({ labels, value: acc.sumMs[d] / 1000, metricName: `${this.name}_sum` });
        values.push({ labels, value: acc.timed[d], metricName: `${this.name}_count` });
      }
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export function createMetrics(server: ServerApi, opts: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  const accs = new Map<TableEntry, CommandAcc>();

  const observer: CommandObserver = (entry, door, ms, failed, weight) => {
    let acc = accs.get(entry);
    if (acc === undefined) {
      acc = {
        name: entry.fullName,
        calls: new Float64Array(ND),
        failed: new Float64Array(ND),
        sumMs: new Float64Array(ND),
        timed: new Float64Array(ND),
        buckets: new Float64Array(ND * (NB + 1)),
      };
      accs.set(entry, acc);
    }
    const d = doorIndex(door);
    acc.calls[d]++;
    if (failed) acc.failed[d]++;
    if (weight === 0) return;
    acc.timed[d] += weight;
    acc.sumMs[d] += ms * weight;
    let b = 0;
    while (b < NB && ms > BUCKETS_MS[b]) b++;
    acc.buckets[d * (NB + 1) + b] += weight;
  };

  const perCommand = (name: string, help: string, pick: (a: CommandAcc) => Float64Array) =>
    new Counter({
      name,
      help,
      labelNames: ['command', 'door'],
      registers: [registry],
      collect() {
        this.reset();
        for (const acc of accs.values()) {
          const arr = pick(acc);
          for (let d = 0; d < ND; d++)
            if (arr[d] > 0) this.inc({ command: acc.name, door: DOORS[d] }, arr[d]);
        }
      },
    });
  perCommand('cairn_commands_total', 'Commands executed, by command and door.', (a) => a.calls);
  perCommand(
    'cairn_command_errors_total',
    'Commands that answered an error, by command and door.',
    (a) => a.failed,
  );
  registry.registerMetric(
    new ObservedHistogram(
      'cairn_command_duration_seconds',
      'Time spent in command handlers, by command and door.',
      accs,
    ) as unknown as Histogram,
  );

  const stats = server.stats;
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });

  new Counter({
    name: 'cairn_door_commands_total',
    help: 'Commands executed, by door.',
    labelNames: ['door'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of DOORS) this.inc({ door: d }, stats.commandsByDoor[d]);
    },
  });
  new Counter({
    name: 'cairn_commands_rejected_total',
    help: 'Commands refused before running (auth, loading, out of memory), by command.',
    labelNames: ['command'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, s] of stats.commands) if (s.rejected > 0) this.inc({ command: name }, s.rejected);
    },
  });
  new Counter({
    name: 'cairn_error_replies_total',
    help: 'Error replies, by error prefix (ERR, WRONGTYPE, NOAUTH, ...).',
    labelNames: ['prefix'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [prefix, n] of stats.errors) this.inc({ prefix }, n);
    },
  });
  counter(
    'cairn_expired_keys_total',
    'Keys removed because their time to live ran out.',
    () => stats.expiredKeys,
  );
  counter('cairn_evicted_keys_total', 'Keys evicted to stay under maxmemory.', () => stats.evictedKeys);
  counter('cairn_keyspace_hits_total', 'Successful key lookups.', () => stats.keyspaceHits);
  counter('cairn_keyspace_misses_total', 'Failed key lookups.', () => stats.keyspaceMisses);
  counter(
    'cairn_connections_received_total',
    'Connections accepted, all doors.',
    () => stats.totalConnections,
  );
  counter(
    'cairn_rejected_connections_total',
    'Connections refused at maxclients.',
    () => stats.rejectedConnections,
  );

  const keyspace = server.keyspace;
  new Gauge({
    name: 'cairn_keys',
    help: 'Keys per database.',
    labelNames: ['db'],
    registers: [registry],
    collect() {
      this.reset();
      for (let db = 0; db < keyspace.databases; db++) {
        const n = keyspace.dbSize(db);
        if (n > 0 || db === 0) this.set({ db }, n);
      }
    },
  });
  new Gauge({
    name: 'cairn_keys_with_expiry',
    help: 'Keys with a time to live, per database.',
    labelNames: ['db'],
    registers: [registry],
    collect() {
      this.reset();
      for (let db = 0; db < keyspace.databases; db++) {
        const n = keyspace.expiresCount(db);
        if (n > 0 || db === 0) this.set({ db }, n);
      }
    },
  });
  new Gauge({
    name: 'cairn_connected_clients',
    help: 'Open client connections, by door.',
    labelNames: ['door'],
    registers: [registry],
    collect() {
      for (const d of DOORS) this.set({ door: d }, server.clients.count(d));
    },
  });
  gauge('cairn_dataset_memory_bytes', 'Bytes attributed to the dataset.', () => keyspace.usedMemory());
  gauge('cairn_maxmemory_bytes', 'The maxmemory limit, bytes (0 = none).', () =>
    server.config.int('maxmemory'),
  );
  gauge('cairn_changes_since_last_save', 'Writes since the last snapshot.', () => server.dirty);
  gauge('cairn_loading', '1 while the dataset is being loaded.', () => (server.loading ? 1 : 0));
  gauge('cairn_under_pressure', '1 while HTTP and gRPC shed load (shed-* thresholds passed).', () =>
    peekPressure(server)?.underPressure() ? 1 : 0,
  );
  counter(
    'cairn_shed_requests_total',
    'HTTP requests and gRPC calls refused because the server was under pressure.',
    () => peekPressure(server)?.shed ?? 0,
  );
  gauge('cairn_slowlog_entries', 'Entries in the slow log now (SLOWLOG LEN).', () => server.slowlog.length);
  gauge('cairn_closing', '1 once shutdown has begun.', () => (server.closing ? 1 : 0));
  gauge(
    'cairn_uptime_seconds',
    'Seconds since the server started.',
    () => (server.clock.now() - server.startedAt) / 1000,
  );

  // Process figures (resident memory, heap, event-loop delay, GC) under prom-client's names.
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry });
  return { registry, observer };
}

const byServer = new WeakMap<ServerApi, Metrics>();

/**
 * The one metrics set of a server: the lifecycle installs its observer on the dispatcher and
 * the HTTP door serves its registry, without either passing it to the other.
 */
export function metricsFor(server: ServerApi): Metrics {
  let m = byServer.get(server);
  if (m === undefined) {
    m = createMetrics(server);
    byServer.set(server, m);
  }
  return m;
}
