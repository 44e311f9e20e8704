/**
 * Memory per key and tail latency: compiled Cairn (off-heap engine) against redis-server
 * (no persistence), started in the same run on the same machine.
 *
 * 1. Memory: N keys (`key:N`, 32-byte values), then N keys with long shared prefixes, loaded
 *    by a pipelined raw-socket loader into a fresh server each; INFO `used_memory` and process
 *    RSS (/proc) per key, total and above the empty server, with the ratio Cairn/Redis.
 * 2. Latency: M keys loaded (redis-benchmark's own key names), then redis-benchmark SET and GET
 *    over that key range; p50, p99, p99.9 per server, and the longest GC pause in Cairn
 *    during the benchmark (perf_hooks, preloaded: lib/gc-observer.mjs).
 *
 *   npm run bench:memory
 *   node bench/memory.mjs --keys 1000000 --latency-keys 5000000 --requests 1000000
 *   node bench/memory.mjs --engine map           # the Map keyspace instead
 *   node bench/memory.mjs --skip-latency
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { command, info, loadKeys } from './lib/loader.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { startCairn, startRedis } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000000' },
    'latency-keys': { type: 'string', default: '5000000' },
    requests: { type: 'string', default: '1000000' },
    clients: { type: 'string', default: '50' },
    'value-bytes': { type: 'string', default: '32' },
    engine: { type: 'string', default: 'offheap' },
    'settle-ms': { type: 'string', default: '3000' },
    runs: { type: 'string', default: '3' },
    'skip-latency': { type: 'boolean', default: false },
    'skip-memory': { type: 'boolean', default: false },
    /** Extra node flags for Cairn, e.g. --max-semi-space-size=2 (a smaller young generation). */
    'cairn-node-args': { type: 'string', default: '' },
  },
});
const KEYS = Number(flags.keys);
const LATENCY_KEYS = Number(flags['latency-keys']);
const REQUESTS = Number(flags.requests);
const CLIENTS = Number(flags.clients);
const VALUE_BYTES = Number(flags['value-bytes']);
const SETTLE_MS = Number(flags['settle-ms']);
const RUNS = Number(flags.runs);
const ENGINE = flags.engine;
const CAIRN_NODE_ARGS = flags['cairn-node-args'].split(' ').filter(Boolean);

const value = Buffer.alloc(VALUE_BYTES, 'v');
const WORKLOADS = {
  'key:N': (i) => `key:${i}`,
  // Ten tenants sharing one long prefix each: what key prefix compression is about.
  'long shared prefixes': (i) => `tenant:${i % 10}:region:eu-west-1:service:session-store:user:${i}`,
};

const dataDir = mkdtempSync(join(tmpdir(), 'cairn-bench-memory-'));
const cairnArgs = ['--engine', ENGINE, '--dir', dataDir, '--snapshot-store', 'none', '--save', ''];

function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function memoryFigures(server) {
  const m = await info(server.port, 'memory');
  return { used: Number(m.used_memory), dataset: Number(m.used_memory_dataset), rss: rssBytes(server.pid) };
}

async function measureMemory(name, keyOf) {
  const row = { workload: name };
  for (const target of ['cairn', 'redis']) {
    const server =
      target === 'cairn'
        ? await startCairn({ args: cairnArgs, nodeArgs: CAIRN_NODE_ARGS })
        : await startRedis();
    try {
      await sleep(500);
      const empty = await memoryFigures(server);
      const loadMs = await loadKeys(server.port, KEYS, keyOf, () => value);
      const dbsize = await command(server.port, 'DBSIZE');
      if (dbsize !== KEYS) throw new Error(`${target}: DBSIZE ${dbsize}, expected ${KEYS}`);
      // Let the process settle (young-generation garbage from the load, background steps).
      await sleep(SETTLE_MS);
      const full = await memoryFigures(server);
      row[target] = { empty, full, loadMs };
      process.stderr.write(`${name}: ${target} loaded ${KEYS} keys in ${(loadMs / 1000).toFixed(1)} s\n`);
    } finally {
      await server.stop();
    }
  }
  return row;
}

const perKey = (n) => (n / KEYS).toFixed(1);
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;

function memoryTable(rows) {
  const header = [
    'workload',
    'figure',
    'Cairn bytes/key',
    'Redis bytes/key',
    'Cairn/Redis',
    'Cairn above empty',
    'Redis above empty',
    'ratio above empty',
  ];
  const out = [];
  for (const r of rows) {
    for (const [fig, label] of [
      ['used', 'INFO used_memory'],
      ['dataset', 'INFO used_memory_dataset'],
      ['rss', 'process RSS'],
    ]) {
      const c = r.cairn.full[fig];
      const d = r.redis.full[fig];
      const ce = c - r.cairn.empty[fig];
      const de = d - r.redis.empty[fig];
      out.push([r.workload, label, perKey(c), perKey(d), ratio(c, d), perKey(ce), perKey(de), ratio(ce, de)]);
    }
  }
  return markdownTable(header, out);
}

/** redis-benchmark's percentile distribution: the first line at or past `pct`. */
function percentileMs(text, pct) {
  for (const m of text.matchAll(/^\s*([\d.]+)% <= ([\d.]+) milliseconds/gm)) {
    if (Number(m[1]) >= pct) return Number(m[2]);
  }
  return Number.NaN;
}

function redisBenchmark(port, test) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', test, '-n', String(REQUESTS)];
  args.push('-c', String(CLIENTS), '-r', String(LATENCY_KEYS), '-d', String(VALUE_BYTES));
  return new Promise((resolve, reject) => {
    execFile('redis-benchmark', args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(err);
      // Progress lines end in \r; the report follows the last "======" header.
      const report = stdout.slice(stdout.lastIndexOf('======'));
      const rps = Number(/throughput summary: ([\d.]+) requests per second/.exec(report)?.[1]);
      resolve({
        rps,
        p50: percentileMs(report, 50),
        p99: percentileMs(report, 99),
        p999: percentileMs(report, 99.9),
      });
    });
  });
}

/** GC pauses reported by the preloaded observer (lib/gc-observer.mjs) within [from, to] (Unix ms). */
function gcPauses(text, from, to) {
  const out = [];
  for (const m of text.matchAll(/^cairn-gc (\S+) ([\d.]+) (\d+)$/gm)) {
    const at = Number(m[3]);
    if (at >= from && at <= to) out.push({ kind: m[1], ms: Number(m[2]) });
  }
  return out;
}

async function measureLatency() {
  const keyOf = (i) => `key:${String(i).padStart(12, '0')}`;
  const gcObserver = fileURLToPath(new URL('./lib/gc-observer.mjs', import.meta.url));
  const cairn = await startCairn({ args: cairnArgs, nodeArgs: ['--import', gcObserver, ...CAIRN_NODE_ARGS] });
  const loadStart = Date.now();
  const redis = await startRedis();
  const result = { cairn: {}, redis: {}, gc: null };
  try {
    for (const [name, server] of [
      ['cairn', cairn],
      ['redis', redis],
    ]) {
      const ms = await loadKeys(server.port, LATENCY_KEYS, keyOf, () => value);
      process.stderr.write(`latency: ${name} loaded ${LATENCY_KEYS} keys in ${(ms / 1000).toFixed(1)} s\n`);
      result[name].full = await memoryFigures(server);
    }
    await sleep(SETTLE_MS);
    const benchStart = Date.now();
    const samples = { cairn: { set: [], get: [] }, redis: { set: [], get: [] } };
    for (let run = 0; run < RUNS; run++) {
      for (const test of ['set', 'get']) {
        // Alternate which server goes first.
        const order = (run + (test === 'set' ? 0 : 1)) % 2 === 0 ? ['cairn', 'redis'] : ['redis', 'cairn'];
        for (const name of order) {
          const server = name === 'cairn' ? cairn : redis;
          const r = await redisBenchmark(server.port, test);
          samples[name][test].push(r);
          process.stderr.write(`latency run ${run + 1}: ${name} ${test} ${JSON.stringify(r)}\n`);
        }
      }
    }
    for (const name of ['cairn', 'redis'])
      for (const test of ['set', 'get']) {
        const runs = samples[name][test];
        result[name][test] = Object.fromEntries(
          ['rps', 'p50', 'p99', 'p999'].map((k) => [k, median(runs.map((r) => r[k]))]),
        );
        result[name][`${test}Runs`] = runs;
      }
    // Let the observer's last lines arrive.
    await sleep(200);
    const pauses = gcPauses(cairn.logs(), benchStart, Date.now());
    const longest = pauses.reduce((a, p) => (p.ms > a.ms ? p : a), { kind: 'none', ms: 0 });
    const loadPauses = gcPauses(cairn.logs(), loadStart, benchStart);
    result.gc = {
      events: pauses.length,
      longest,
      fullGcs: pauses.filter((p) => p.kind === 'mark-compact').length,
      longestDuringLoad: loadPauses.reduce((a, p) => Math.max(a, p.ms), 0),
    };
  } finally {
    await cairn.stop();
    await redis.stop();
  }
  return result;
}

function latencyTable(r) {
  const rows = [];
  for (const test of ['set', 'get']) {
    const c = r.cairn[test];
    const d = r.redis[test];
    rows.push([test.toUpperCase(), 'rps', Math.round(c.rps), Math.round(d.rps), ratio(c.rps, d.rps)]);
    for (const [k, label] of [
      ['p50', 'p50 ms'],
      ['p99', 'p99 ms'],
      ['p999', 'p99.9 ms'],
    ])
      rows.push([test.toUpperCase(), label, c[k], d[k], ratio(c[k], d[k])]);
  }
  return markdownTable(['test', 'figure', 'Cairn', 'Redis', 'Cairn/Redis'], rows);
}

const machine = machineInfo();
const report = [
  `# Memory per key and latency: Cairn (${ENGINE} engine) vs Redis`,
  '',
  `\`node bench/memory.mjs --keys ${KEYS} --latency-keys ${LATENCY_KEYS} --requests ${REQUESTS} --runs ${RUNS} --clients ${CLIENTS} --value-bytes ${VALUE_BYTES} --engine ${ENGINE}${CAIRN_NODE_ARGS.length > 0 ? ` --cairn-node-args='${CAIRN_NODE_ARGS.join(' ')}'` : ''}\``,
  '',
  `Cairn: \`node ${CAIRN_NODE_ARGS.map((a) => `${a} `).join('')}dist/cli/main.js --port 0 --http-port -1 --grpc-port -1 ${cairnArgs.join(' ').replace(dataDir, '<tmpdir>')}\`; Redis: \`redis-server --save '' --appendonly no\`.`,
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}.`,
];
const json = { machine, keys: KEYS, latencyKeys: LATENCY_KEYS, requests: REQUESTS, engine: ENGINE };
try {
  if (!flags['skip-memory']) {
    const rows = [];
    for (const [name, keyOf] of Object.entries(WORKLOADS)) rows.push(await measureMemory(name, keyOf));
    json.memory = rows;
    report.push(
      '',
      `## Memory: ${KEYS.toLocaleString('en-US')} keys, ${VALUE_BYTES}-byte values`,
      '',
      memoryTable(rows),
    );
  }
  if (!flags['skip-latency']) {
    const lat = await measureLatency();
    json.latency = lat;
    report.push(
      '',
      `## Latency: ${LATENCY_KEYS.toLocaleString('en-US')} keys loaded, \`redis-benchmark -t set|get -n ${REQUESTS} -c ${CLIENTS} -r ${LATENCY_KEYS} -d ${VALUE_BYTES}\`, medians of ${RUNS} runs`,
      '',
      latencyTable(lat),
      '',
      `RSS with ${LATENCY_KEYS.toLocaleString('en-US')} keys: Cairn ${(lat.cairn.full.rss / 2 ** 20).toFixed(0)} MiB, Redis ${(lat.redis.full.rss / 2 ** 20).toFixed(0)} MiB (${ratio(lat.cairn.full.rss, lat.redis.full.rss)}).`,
      `Cairn GC during the benchmark (perf_hooks, bench/lib/gc-observer.mjs): ${lat.gc.events} pauses, longest ${lat.gc.longest.ms} ms (${lat.gc.longest.kind}), ${lat.gc.fullGcs} full (mark-compact) GCs; longest pause while loading ${LATENCY_KEYS.toLocaleString('en-US')} keys: ${lat.gc.longestDuringLoad} ms.`,
    );
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
const md = report.join('\n');
console.log(md);
const [mdPath] = writeResults('memory', md, json);
console.log(`\nwritten to ${mdPath}`);
