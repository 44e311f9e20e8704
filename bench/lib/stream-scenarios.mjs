/**
 * The scenarios of bench/streams.mjs, each against one running server ({ port, pid }) and each
 * verifying the counts it produced: XADD over many streams (redis-benchmark), XREADGROUP of a
 * pre-filled queue then XACK of every entry read, and the memory of one long stream.
 */
import { customBenchmark } from './custom-benchmark.mjs';
import { command, info, runPipelined } from './loader.mjs';
import { runCommands } from './resp-clients.mjs';
import { cpuSeconds, cpuUsPer, rssBytes } from './servers.mjs';

/** Entries per XREADGROUP call and IDs per XACK. */
export const BATCH = 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const XADD_ARGV = ['XADD', 'bench:stream:__rand_int__', '*', 'field', 'value'];
export const XREAD_ARGV = [
  'XREADGROUP',
  'GROUP',
  'g',
  'c__rand_int__',
  'COUNT',
  String(BATCH),
  'STREAMS',
  'bench:queue',
  '>',
];
/** redis-benchmark's __rand_int__: 12 digits, zero-padded. */
const randKey = (prefix, i) => `${prefix}${String(i).padStart(12, '0')}`;

/**
 * XADD throughput at one pipeline over `streams` streams: `requests` (a multiple of the
 * pipeline) from redis-benchmark, then XLEN of every stream must add up to them. Resolves to the
 * redis-benchmark figures or { failed }.
 */
export async function xadd(t, { clients, pipeline, requests, streams }) {
  try {
    await command(t.port, 'FLUSHALL');
    const r = await customBenchmark({
      port: t.port,
      pid: t.pid,
      clients,
      requests,
      pipeline,
      keyspace: streams,
      argv: XADD_ARGV,
    });
    const lens = await runPipelined(t.port, streams, (i) => ['XLEN', randKey('bench:stream:', i)]);
    if (lens.errors > 0) throw new Error(`XLEN: ${lens.firstError}`);
    if (lens.sum !== requests)
      throw new Error(`the streams hold ${lens.sum} entries, ${requests} were added`);
    return r;
  } catch (e) {
    return { failed: e.message };
  }
}

/**
 * Fill bench:queue with `entries` entries, IDs 1-0 .. entries-0 (over one socket: explicit IDs
 * must arrive in order), and create group g at 0.
 */
async function fillQueue(port, entries) {
  await command(port, 'FLUSHALL');
  const fill = await runCommands(
    port,
    entries,
    (i) => ['XADD', 'bench:queue', `${i + 1}-0`, 'field', `value:${i}`],
    { clients: 1 },
  );
  if (fill.errors > 0) throw new Error(`XADD: ${fill.firstError}`);
  const created = await command(port, 'XGROUP', 'CREATE', 'bench:queue', 'g', '0');
  if (created instanceof Error) throw new Error(`XGROUP CREATE: ${created.message}`);
}

/**
 * XREADGROUP then XACK throughput at one pipeline: `reads` (a multiple of the pipeline) calls of
 * COUNT 10 by `consumers` consumer names on a queue filled with exactly reads x 10 entries, then
 * one XACK of 10 IDs per read. Resolves to { xreadgroup, xack } or { failed }.
 */
export async function xreadgroup(t, { clients, pipeline, reads, consumers }) {
  const entries = reads * BATCH;
  try {
    await fillQueue(t.port, entries);
    const read = await customBenchmark({
      port: t.port,
      pid: t.pid,
      clients,
      requests: reads,
      pipeline,
      keyspace: consumers,
      argv: XREAD_ARGV,
    });
    const pending = await command(t.port, 'XPENDING', 'bench:queue', 'g');
    if (!Array.isArray(pending) || pending[0] !== entries)
      throw new Error(`XPENDING answered ${JSON.stringify(pending)}: expected ${entries} entries read`);
    const cpu0 = cpuSeconds(t.pid);
    const acked = await runCommands(
      t.port,
      reads,
      (i) => [
        'XACK',
        'bench:queue',
        'g',
        ...Array.from({ length: BATCH }, (_, j) => `${i * BATCH + j + 1}-0`),
      ],
      { clients, pipeline },
    );
    const cpu1 = cpuSeconds(t.pid);
    if (acked.errors > 0) throw new Error(`XACK: ${acked.firstError}`);
    if (acked.sum !== entries) throw new Error(`XACK acknowledged ${acked.sum} entries of ${entries}`);
    return {
      xreadgroup: read,
      xack: {
        rps: reads / (acked.ms / 1000),
        cpuUsPerRequest: cpuUsPer(cpu0, cpu1, reads),
        serverCpuPct: cpu0 === null || cpu1 === null ? null : ((cpu1 - cpu0) / (acked.ms / 1000)) * 100,
      },
    };
  } catch (e) {
    return { failed: e.message };
  }
}

async function figures(server) {
  const m = await info(server.port, 'memory');
  return { used: Number(m.used_memory), rss: rssBytes(server.pid) };
}

/**
 * Load `entries` entries into one stream of a fresh, empty server and measure INFO used_memory
 * and RSS before and `settleMs` after; never throws (a failure comes back as { failed }).
 */
export async function memory(server, { entries, settleMs }) {
  try {
    const empty = await figures(server);
    const cpu0 = cpuSeconds(server.pid);
    const load = await runCommands(server.port, entries, (i) => [
      'XADD',
      'bench:mem',
      '*',
      'field',
      `value:${i}`,
    ]);
    const cpuUsPerEntry = cpuUsPer(cpu0, cpuSeconds(server.pid), entries);
    if (load.errors > 0) throw new Error(`${load.errors} errors while loading, first: ${load.firstError}`);
    const len = await command(server.port, 'XLEN', 'bench:mem');
    const dbsize = await command(server.port, 'DBSIZE');
    if (len !== entries || dbsize !== 1)
      throw new Error(`XLEN ${len} in ${dbsize} key(s), expected ${entries} in 1`);
    await sleep(settleMs);
    return { empty, full: await figures(server), loadMs: load.ms, cpuUsPerEntry };
  } catch (e) {
    return { failed: e.message };
  }
}

/** Entries per XREADGROUP call while filling the PEL, and the consumers taking turns. */
const PEL_READ_COUNT = 1000;
const PEL_CONSUMERS = 10;

/**
 * The memory of pending entries: one stream of `entries` entries (as `memory` loads it), then a
 * group at 0 and XREADGROUP ... COUNT 1000 by 10 consumers in turn until every entry is pending
 * (XPENDING verified). INFO used_memory and RSS after loading and after reading, `settleMs`
 * after each; the difference is what the PELs (group and consumers) take.
 */
export async function pelMemory(server, { entries, settleMs }) {
  try {
    const load = await runCommands(server.port, entries, (i) => [
      'XADD',
      'bench:pel',
      '*',
      'field',
      `value:${i}`,
    ]);
    if (load.errors > 0) throw new Error(`${load.errors} errors while loading, first: ${load.firstError}`);
    const created = await command(server.port, 'XGROUP', 'CREATE', 'bench:pel', 'g', '0');
    if (created instanceof Error) throw new Error(`XGROUP CREATE: ${created.message}`);
    await sleep(settleMs);
    const loaded = await figures(server);
    const reads = Math.ceil(entries / PEL_READ_COUNT);
    const cpu0 = cpuSeconds(server.pid);
    // One socket, so the reads (and the consumers' turns) go in order.
    const read = await runCommands(
      server.port,
      reads,
      (i) => [
        'XREADGROUP',
        'GROUP',
        'g',
        `c${i % PEL_CONSUMERS}`,
        'COUNT',
        String(PEL_READ_COUNT),
        'STREAMS',
        'bench:pel',
        '>',
      ],
      { clients: 1, pipeline: 4 },
    );
    const cpuUsPerEntry = cpuUsPer(cpu0, cpuSeconds(server.pid), entries);
    if (read.errors > 0) throw new Error(`XREADGROUP: ${read.firstError}`);
    const pending = await command(server.port, 'XPENDING', 'bench:pel', 'g');
    if (!Array.isArray(pending) || pending[0] !== entries)
      throw new Error(
        `XPENDING answered ${JSON.stringify(pending)?.slice(0, 200)}: expected ${entries} pending`,
      );
    await sleep(settleMs);
    return { loaded, full: await figures(server), readMs: read.ms, cpuUsPerEntry };
  } catch (e) {
    return { failed: e.message };
  }
}
