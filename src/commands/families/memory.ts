/**
 * MEMORY USAGE | STATS | DOCTOR | PURGE | MALLOC-STATS | HELP, with Redis 7.0's field names and
 * wording. Figures come from the engine (`Keyspace.memoryUsage` / `memoryStats`) when it has
 * them, and from the process otherwise; the allocator fields describe V8's heap plus the
 * engine's own buffers, the closest thing Cairn has to jemalloc's view.
 */

import type { EngineMemoryStats, Keyspace } from '../../engine/types.js';
import { isCollection } from '../../engine/values/collection.js';
import { Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext, ServerApi } from '../context.js';
import { DoubleReply, MapReply, OK, type Reply, VerbatimReply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { memoryFigures } from './info-sections.js';
import { helpReply } from './redis-compat.js';

/** What a key costs in an engine that cannot say (the Map keyspace): Map entry, objects, Buffer. */
const ESTIMATED_KEY_OVERHEAD_BYTES = 160;
/** MEMORY PURGE compacts for at most this long, ms. */
const PURGE_BUDGET_MS = 100;
/** MEMORY DOCTOR's thresholds (Redis: memory.c getMemoryDoctorReport). */
const DOCTOR_EMPTY_BYTES = 5 * 1024 * 1024;
const DOCTOR_PEAK_RATIO = 1.5;
const DOCTOR_RSS_RATIO = 1.4;
const DOCTOR_MIN_EXCESS_BYTES = 10 * 1024 * 1024;
const DOCTOR_CLIENT_BUFFER_BYTES = 200 * 1024;
const DOCTOR_MAXMEMORY_SHARE = 0.9;

const HELP_LINES = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

/** The peak of total memory seen by MEMORY STATS, per server. */
const peaks = new WeakMap<ServerApi, number>();

function usage(ctx: CommandContext, argv: Buffer[]): Reply {
  // Redis samples up to SAMPLES elements of a collection and extrapolates; Cairn accounts each
  // collection's bytes as it changes, so the answer is exact in O(1) and SAMPLES is only checked.
  for (let j = 3; j < argv.length; j++) {
    if (argv[j].toString('latin1').toLowerCase() !== 'samples' || j + 1 >= argv.length) return Errors.syntax;
    const n = parseInt64(argv[++j]);
    if (n === null) return Errors.notInteger;
    if (n < 0n) return Errors.syntax;
  }
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const key = argv[2];
  if (ks.memoryUsage !== undefined) return ks.memoryUsage(db, key);
  if (!ks.exists(db, key)) return null;
  const e = ks.peekEntry(db, key);
  if (e === null) return null;
  const v = e.value;
  return key.length + (isCollection(v) ? v.memory() : v.length) + ESTIMATED_KEY_OVERHEAD_BYTES;
}

/** Engine figures, estimated for engines that keep the data on the JS heap. */
function engineStats(ks: Keyspace): EngineMemoryStats {
  if (ks.memoryStats !== undefined) return ks.memoryStats();
  const dataset = ks.usedMemory();
  return {
    datasetBytes: dataset,
    indexBytes: 0,
    allocatedBytes: 0,
    fragmentationBytes: 0,
    dbs: [],
    extra: [],
  };
}

interface Figures {
  used: number;
  peak: number;
  dataset: number;
  keys: number;
  clients: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  rss: number;
  engine: EngineMemoryStats;
}

function figures(server: ServerApi): Figures {
  const { used, dataset, m } = memoryFigures(server);
  const peak = Math.max(peaks.get(server) ?? 0, used);
  peaks.set(server, peak);
  let keys = 0;
  for (let db = 0; db < server.keyspace.databases; db++) keys += server.keyspace.dbSize(db);
  let clients = 0;
  for (const c of server.clients.list()) {
    const b = c.bufferStats();
    clients += b.qbuf + b.omem;
  }
  return {
    used,
    peak,
    dataset,
    keys,
    clients,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    rss: m.rss,
    engine: engineStats(server.keyspace),
  };
}

function ratio(a: number, b: number): DoubleReply {
  return new DoubleReply(b === 0 ? 0 : a / b);
}

function stats(ctx: CommandContext): Reply {
  const f = figures(ctx.server);
  const allocated = f.heapUsed + f.external;
  const active = f.heapTotal + f.external;
  const out: Array<[Reply, Reply]> = [];
  const put = (name: string, v: Reply) => out.push([Buffer.from(name), v]);
  put('peak.allocated', f.peak);
  put('total.allocated', f.used);
  put('startup.allocated', 0);
  put('replication.backlog', 0);
  put('clients.slaves', 0);
  put('clients.normal', f.clients);
  put('cluster.links', 0);
  put('aof.buffer', 0);
  put('lua.caches', 0);
  put('functions.caches', 0);
  for (const d of f.engine.dbs) {
    put(
      `db.${d.db}`,
      new MapReply([
        [Buffer.from('overhead.hashtable.main'), d.mainBytes],
        [Buffer.from('overhead.hashtable.expires'), d.expiresBytes],
      ]),
    );
  }
  put('overhead.total', f.used - f.dataset);
  put('keys.count', f.keys);
  put('keys.bytes-per-key', f.keys === 0 ? 0 : Math.floor(f.used / f.keys));
  put('dataset.bytes', f.dataset);
  put('dataset.percentage', new DoubleReply(f.used === 0 ? 0 : (f.dataset * 100) / f.used));
  put('peak.percentage', new DoubleReply(f.peak === 0 ? 0 : (f.used * 100) / f.peak));
  put('allocator.allocated', allocated);
  put('allocator.active', active);
  put('allocator.resident', f.rss);
  put('allocator-fragmentation.ratio', ratio(active, allocated));
  put('allocator-fragmentation.bytes', active - allocated);
  put('allocator.rss-ratio', ratio(f.rss, active));
  put('allocator.rss-bytes', f.rss - active);
  put('rss-overhead.ratio', new DoubleReply(1));
  put('rss-overhead.bytes', 0);
  put('fragmentation', ratio(f.rss, f.used));
  put('fragmentation.bytes', f.rss - f.used);
  // Cairn's own: what the engine holds, how much of it is in use.
  put('engine.dataset.bytes', f.engine.datasetBytes);
  put('engine.index.bytes', f.engine.indexBytes);
  put('engine.allocated.bytes', f.engine.allocatedBytes);
  put('engine.fragmentation.bytes', f.engine.fragmentationBytes);
  for (const [k, v] of f.engine.extra) put(k, typeof v === 'number' ? v : Buffer.from(v));
  return new MapReply(out);
}

function mb(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** Redis's doctor, with Cairn's own checks (arena fragmentation, maxmemory headroom). */
export function doctorReport(server: ServerApi): string {
  const f = figures(server);
  if (f.used < DOCTOR_EMPTY_BYTES) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.";
  }
  const issues: string[] = [];
  if (f.peak > f.used * DOCTOR_PEAK_RATIO) {
    issues.push(
      ` * Peak memory: In the past this instance used more than 150% the memory that is currently using (peak ${mb(f.peak)}, now ${mb(f.used)}). The process keeps part of that memory: RSS stays higher than the dataset needs until it is reused or compacted (MEMORY PURGE).`,
    );
  }
  if (f.rss > f.used * DOCTOR_RSS_RATIO && f.rss - f.used > DOCTOR_MIN_EXCESS_BYTES) {
    issues.push(
      ` * High process RSS overhead: This instance has an RSS of ${mb(f.rss)} for ${mb(f.used)} of used memory (ratio ${(f.rss / f.used).toFixed(2)}). Part of it is the Node.js runtime itself, which matters less as the dataset grows; the rest is memory freed but not yet returned.`,
    );
  }
  const e = f.engine;
  if (e.fragmentationBytes > DOCTOR_MIN_EXCESS_BYTES && e.fragmentationBytes > e.datasetBytes / 2) {
    issues.push(
      ` * Arena fragmentation: The keyspace holds ${mb(e.allocatedBytes)} of buffers for ${mb(e.datasetBytes)} of data; ${mb(e.fragmentationBytes)} are free blocks or unused space. Active defragmentation compacts it in the background; MEMORY PURGE compacts now.`,
    );
  }
  const clientsCount = server.clients.count();
  if (clientsCount > 0 && f.clients / clientsCount > DOCTOR_CLIENT_BUFFER_BYTES) {
    issues.push(
      ` * Big client buffers: The clients' input and output buffers average more than 200 KB each (${mb(f.clients)} in total). This is usually a client not reading its replies fast enough, or very large pipelines.`,
    );
  }
  const max = server.config.int('maxmemory');
  if (
    max > 0 &&
    f.dataset > max * DOCTOR_MAXMEMORY_SHARE &&
    server.config.get('maxmemory-policy') === 'noeviction'
  ) {
    issues.push(
      ` * Near maxmemory: The dataset uses ${mb(f.dataset)} of a maxmemory of ${mb(max)} with the noeviction policy: writes will soon be refused with OOM errors.`,
    );
  }
  if (issues.length === 0) {
    return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.";
  }
  return `Sam, I detected a few issues in this Cairn instance memory implants:\n\n${issues.join('\n\n')}\n\nI'm here to keep you safe, Sam. I want to help you.\n`;
}

function purgeMemory(ctx: CommandContext): Reply {
  ctx.server.keyspace.purge?.(PURGE_BUDGET_MS);
  return OK;
}

const SUB = { group: 'server', since: '4.0.0', complexity: 'O(1)', syntax: '' } as const;

export const memoryCommands: readonly CommandSpec[] = [
  command({
    name: 'memory',
    arity: -2,
    group: 'server',
    summary: 'A container for memory diagnostics commands',
    since: '4.0.0',
    complexity: 'Depends on subcommand.',
    syntax: '',
    subcommands: [
      command({
        ...SUB,
        name: 'doctor',
        arity: 2,
        summary: 'Outputs a memory problems report',
        handler: (ctx) => new VerbatimReply('txt', doctorReport(ctx.server)),
      }),
      command({
        ...SUB,
        name: 'help',
        arity: 2,
        flags: ['loading', 'stale'],
        summary: 'Show helpful text about the different subcommands',
        handler: (_ctx, argv) => helpReply(argv[0], HELP_LINES),
      }),
      command({
        ...SUB,
        name: 'malloc-stats',
        arity: 2,
        summary: 'Show allocator internal stats',
        complexity: 'Depends on how much memory is allocated, could be slow',
        handler: () => new VerbatimReply('txt', 'Stats not supported for the current allocator'),
      }),
      command({
        ...SUB,
        name: 'purge',
        arity: 2,
        summary: 'Ask the allocator to release memory',
        complexity: 'Depends on how much memory is allocated, could be slow',
        handler: purgeMemory,
      }),
      command({
        ...SUB,
        name: 'stats',
        arity: 2,
        summary: 'Show memory usage details',
        handler: stats,
      }),
      command({
        ...SUB,
        name: 'usage',
        arity: -3,
        flags: ['readonly'],
        firstKey: 2,
        lastKey: 2,
        step: 1,
        summary: 'Estimate the memory usage of a key',
        complexity: 'O(N) where N is the number of samples.',
        syntax: 'key [SAMPLES count]',
        handler: usage,
      }),
    ],
  }),
];
