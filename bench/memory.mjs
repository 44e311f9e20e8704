/**
 * Memory per key and tail latency: Cairn started as `npm start` runs it (all three doors,
 * snapshots to a fresh temp folder; off-heap engine, the default) against redis-server (no
 * persistence), started in the same run on the same machine.
 *
 * 1. Memory: N keys (`key:N`, 32-byte values), then N keys with long shared prefixes, loaded
 *    by a pipelined raw-socket loader into a fresh server each; INFO `used_memory` and process
 *    RSS (/proc) per key, total and above the empty server, with the ratio Cairn/Redis, and
 *    each server's CPU microseconds per key loaded. Which server loads first alternates.
 * 2. Latency: M keys loaded (redis-benchmark's own key names), then redis-benchmark SET and GET
 *    over that key range (random keys, -r M); p50, p99, p99.9 and CPU us/request per server,
 *    and the longest GC pause in Cairn during the benchmark (perf_hooks, preloaded:
 *    lib/gc-observer.mjs).
 *
 *   npm run bench:memory
 *   node bench/memory.mjs --keys 1000000 --latency-keys 5000000 --requests 1000000
 *   node bench/memory.mjs --engine map           # the Map keyspace instead (labelled)
 *   node bench/memory.mjs --skip-latency
 */
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { GC_OBSERVER, gcNodeArgs, gcPauses } from './lib/gc.mjs';
import { command, info, loadKeys } from './lib/loader.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { cpuSeconds, cpuUsPer, rssBytes, startCairn, startRedis } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000000' },
    'latency-keys': { type: 'string', default: '5000000' },
    requests: { type: 'string', default: '1000000' },
    clients: { type: 'string', default: '50' },
    'value-bytes': { type: 'string', default: '32' },
    /** Empty: Cairn's default engine (offheap). */
    engine: { type: 'string', default: '' },
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
const ENGINE = flags.engine || 'offheap (default)';
const CAIRN_NODE_ARGS = flags['cairn-node-args'].split(' ').filter(Boolean);

const value = Buffer.alloc(VALUE_BYTES, 'v');
const WORKLOADS = {
  'key:N': (i) => `key:${i}`,
  // Ten tenants sharing one long prefix each: what key prefix compression is about.
  'long shared prefixes': (i) => `tenant:${i % 10}:region:eu-west-1:service:session-store:user:${i}`,
};

/** Cairn starts with its defaults (bench/lib/servers.mjs); only --engine, when given, is added. */
const cairnArgs = flags.engine ? ['--engine', flags.engine] : [];
/** The command lines actually used, for the report. */
const commandLines = {};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function memoryFigures(server) {
  const m = await info(server.port, 'memory');
  return { used: Number(m.used_memory), dataset: Number(m.used_memory_dataset), rss: rssBytes(server.pid) };
}

async function measureMemory(name, keyOf, index) {
  const row = { workload: name };
  // Alternate which server loads first.
  for (const target of index % 2 === 0 ? ['cairn', 'redis'] : ['redis', 'cairn']) {
    const server =
      target === 'cairn'
        ? await startCairn({ args: cairnArgs, nodeArgs: CAIRN_NODE_ARGS })
        : await startRedis();
    commandLines[target] = server.commandLine;
    try {
      await sleep(500);
      const empty = await memoryFigures(server);
      const cpu0 = cpuSeconds(server.pid);
      const loadMs = await loadKeys(server.port, KEYS, keyOf, () => value);
      const cpuUsPerKey = cpuUsPer(cpu0, cpuSeconds(server.pid), KEYS);
      const dbsize = await command(server.port, 'DBSIZE');
      if (dbsize !== KEYS) throw new Error(`${target}: DBSIZE ${dbsize}, expected ${KEYS}`);
      // Let the process settle (young-generation garbage from the load, background steps).
      await sleep(SETTLE_MS);
      const full = await memoryFigures(server);
      row[target] = { empty, full, loadMs, cpuUsPerKey };
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
    'load CPU us/key Cairn / Redis',
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
      const cpu = `${r.cairn.cpuUsPerKey?.toFixed(2) ?? '?'} / ${r.redis.cpuUsPerKey?.toFixed(2) ?? '?'}`;
      out.push([
        r.workload,
        label,
        perKey(c),
        perKey(d),
        ratio(c, d),
        perKey(ce),
        perKey(de),
        ratio(ce, de),
        cpu,
      ]);
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

function redisBenchmark({ port, pid }, test) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', test, '-n', String(REQUESTS)];
  args.push('-c', String(CLIENTS), '-r', String(LATENCY_KEYS), '-d', String(VALUE_BYTES));
  const cpu0 = cpuSeconds(pid);
  return new Promise((resolve, reject) => {
    execFile('redis-benchmark', args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(err);
      const cpuUsPerRequest = cpuUsPer(cpu0, cpuSeconds(pid), REQUESTS);
      // Progress lines end in \r; the report follows the last "======" header.
      const report = stdout.slice(stdout.lastIndexOf('======'));
      const rps = Number(/throughput summary: ([\d.]+) requests per second/.exec(report)?.[1]);
      resolve({
        rps,
        p50: percentileMs(report, 50),
        p99: percentileMs(report, 99),
        p999: percentileMs(report, 99.9),
        cpuUsPerRequest,
      });
    });
  });
}

async function measureLatency() {
  const keyOf = (i) => `key:${String(i).padStart(12, '0')}`;
  const cairn = await startCairn({ args: cairnArgs, nodeArgs: [...gcNodeArgs(), ...CAIRN_NODE_ARGS] });
  commandLines.cairn = cairn.commandLine.replace(GC_OBSERVER, 'bench/lib/gc-observer.mjs');
  const loadStart = Date.now();
  const redis = await startRedis();
  commandLines.redis = redis.commandLine;
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
          const r = await redisBenchmark(server, test);
          samples[name][test].push(r);
          process.stderr.write(`latency run ${run + 1}: ${name} ${test} ${JSON.stringify(r)}\n`);
        }
      }
    }
    for (const name of ['cairn', 'redis'])
      for (const test of ['set', 'get']) {
        const runs = samples[name][test];
        result[name][test] = Object.fromEntries(
          ['rps', 'p50', 'p99', 'p999', 'cpuUsPerRequest'].map((k) => [
            k,
            median(runs.map((r) => r[k] ?? Number.NaN)),
          ]),
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
      ['cpuUsPerRequest', 'CPU us/req'],
    ])
      rows.push([test.toUpperCase(), label, +c[k].toFixed(3), +d[k].toFixed(3), ratio(c[k], d[k])]);
  }
  return markdownTable(['test', 'figure', 'Cairn', 'Redis', 'Cairn/Redis'], rows);
}

const machine = machineInfo();
const report = [
  `# Memory per key and latency: Cairn (${ENGINE} engine) vs Redis`,
  '',
  `\`node bench/memory.mjs --keys ${KEYS} --latency-keys ${LATENCY_KEYS} --requests ${REQUESTS} --runs ${RUNS} --clients ${CLIENTS} --value-bytes ${VALUE_BYTES} ${flags.engine ? ` --engine ${flags.engine}` : ''}${CAIRN_NODE_ARGS.length > 0 ? ` --cairn-node-args='${CAIRN_NODE_ARGS.join(' ')}'` : ''}\``,
  '',
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}.`,
];
const json = { machine, keys: KEYS, latencyKeys: LATENCY_KEYS, requests: REQUESTS, engine: ENGINE };
try {
  if (!flags['skip-memory']) {
    const rows = [];
    for (const [i, [name, keyOf]] of Object.entries(WORKLOADS).entries())
      rows.push(await measureMemory(name, keyOf, i));
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
  report.splice(3, 0, `Cairn: \`${commandLines.cairn}\`; Redis: \`${commandLines.redis}\`.`);
}
const md = report.join('\n');
console.log(md);
const [mdPath] = writeResults('memory', md, json);
console.log(`\nwritten to ${mdPath}`);
