/**
 * HyperLogLog over RESP: PFADD and PFCOUNT throughput of Cairn started as `npm start` runs it
 * (all three doors, snapshots to a fresh temp folder) beside redis-server (no persistence), with
 * redis-benchmark as the load generator (random keys and elements, -r), interleaved: each run
 * rotates which server goes first. Reports requests per second, the Cairn/Redis ratio and each
 * server's CPU microseconds per request (sampled around each redis-benchmark invocation).
 *
 * Scenarios (both servers are loaded with the same data first):
 *   PFADD sparse      PFADD hll:<random key> e:<random>: many small sparse values, some new
 *   PFADD dense       PFADD hll:dense e:<random>: one dense value (10^5 elements loaded)
 *   PFADD dense x10   the same with 10 random elements per command
 *   PFCOUNT cached    PFCOUNT hll:<random key>: the estimate cached in the header
 *   PFCOUNT 2 dense   PFCOUNT hll:d1 hll:d2: a union estimated on every call (no cache)
 *   PFCOUNT 2 sparse  PFCOUNT hll:s1 hll:s2: the same over sparse values
 *   PFMERGE sparse    PFMERGE hll:m hll:s1 hll:s2 (the destination is one of the inputs)
 *
 *   npm run build && node bench/hll.mjs
 *   node bench/hll.mjs --requests 3000 --runs 1 --pipelines 1     # a quick check
 *
 * Flags: --requests N (200000 per scenario), --runs K (3), --clients C (50), --pipelines 1,16,
 *        --keyspace N (100000: redis-benchmark -r, and the sparse keys loaded), --scenarios
 *        (comma-separated names as above, default all), --cairn-args "..." (appended).
 */
import { parseArgs } from 'node:util';
import { customBenchmark, customCommand } from './lib/custom-benchmark.mjs';
import { command, runPipelined } from './lib/loader.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { rotate, startCairn, startRedis } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    clients: { type: 'string', default: '50' },
    pipelines: { type: 'string', default: '1,16' },
    keyspace: { type: 'string', default: '100000' },
    scenarios: { type: 'string', default: '' },
    'cairn-args': { type: 'string', default: '' },
  },
});
const requests = Number(flags.requests);
const runs = Number(flags.runs);
const pipelines = flags.pipelines.split(',').map(Number);
const keyspace = Number(flags.keyspace);

const R = '__rand_int__';
const SCENARIOS = {
  'PFADD sparse': ['PFADD', `hll:${R}`, `e:${R}`],
  'PFADD dense': ['PFADD', 'hll:dense', `e:${R}`],
  'PFADD dense x10': ['PFADD', 'hll:dense', ...Array.from({ length: 10 }, (_, i) => `e${i}:${R}`)],
  'PFCOUNT cached': ['PFCOUNT', `hll:${R}`],
  'PFCOUNT 2 dense': ['PFCOUNT', 'hll:d1', 'hll:d2'],
  'PFCOUNT 2 sparse': ['PFCOUNT', 'hll:s1', 'hll:s2'],
  'PFMERGE sparse': ['PFMERGE', 'hll:m', 'hll:s1', 'hll:s2'],
};
const chosen = flags.scenarios ? flags.scenarios.split(',').map((s) => s.trim()) : Object.keys(SCENARIOS);
for (const s of chosen) if (!(s in SCENARIOS)) throw new Error(`unknown scenario '${s}'`);

/**
 * The same data on each server: sparse values hll:0..hll:<keyspace-1> (5 elements each, with
 * their estimates cached), the dense hll:dense, hll:d1 and hll:d2, the sparse hll:s1 and hll:s2.
 */
async function load(port) {
  await command(port, 'FLUSHALL');
  const add = async (count, cmd) => {
    const r = await runPipelined(port, count, cmd);
    if (r.errors > 0) throw new Error(`loading failed: ${r.firstError}`);
  };
  const five = (i) => Array.from({ length: 5 }, (_, j) => `e:${(i * 7919 + j * 104729) % 1_000_000}`);
  await add(keyspace, (i) => ['PFADD', `hll:${i}`, ...five(i)]);
  await add(keyspace, (i) => ['PFCOUNT', `hll:${i}`]);
  const batch = (key, from) => (i) => [
    'PFADD',
    key,
    ...Array.from({ length: 100 }, (_, j) => `${from}${i * 100 + j}`),
  ];
  await add(1000, batch('hll:dense', 'x'));
  await add(500, batch('hll:d1', 'a'));
  await add(500, batch('hll:d2', 'b'));
  await add(3, batch('hll:s1', 'c'));
  await add(3, batch('hll:s2', 'd'));
  const enc = await command(port, 'PFDEBUG', 'ENCODING', 'hll:s1');
  if (enc !== 'sparse') throw new Error(`hll:s1 should be sparse, is ${enc}`);
}

const targets = { cairn: await startCairn({ args: flags['cairn-args'].split(' ').filter(Boolean) }) };
targets.redis = await startRedis();
const names = Object.keys(targets);
const samples = {};
const failures = [];
const commands = new Set();
try {
  for (let run = 0; run < runs; run++) {
    for (const name of rotate(names, run)) {
      const t = targets[name];
      await load(t.port);
      for (const p of pipelines) {
        for (const label of chosen) {
          const opts = {
            clients: Number(flags.clients),
            requests,
            pipeline: p,
            keyspace,
            argv: SCENARIOS[label],
          };
          commands.add(customCommand(opts));
          const key = `${label} P${p}`;
          try {
            const r = await customBenchmark({ port: t.port, pid: t.pid, ...opts });
            samples[name] ??= {};
            samples[name][key] ??= [];
            samples[name][key].push(r);
            console.log(
              `${name} run ${run + 1} ${key}: ${Math.round(r.rps)} rps, ${r.cpuUsPerRequest?.toFixed(2)} us CPU/req`,
            );
          } catch (e) {
            failures.push(`${name} run ${run + 1} ${key}: ${e.message}`);
            console.log(`${name} run ${run + 1} ${key}: FAILED ${e.message}`);
          }
        }
      }
    }
  }
} finally {
  await Promise.all(names.map((n) => targets[n].stop()));
}

const med = (name, key, field) => {
  const xs = samples[name]?.[key]?.map((r) => r[field]).filter((v) => typeof v === 'number');
  return xs?.length ? median(xs) : null;
};
const fmt = (v, d = 0) => (v === null ? 'n/a' : v.toFixed(d));
const rows = [];
for (const p of pipelines) {
  for (const label of chosen) {
    const key = `${label} P${p}`;
    const c = med('cairn', key, 'rps');
    const r = med('redis', key, 'rps');
    rows.push([
      key,
      fmt(c),
      fmt(r),
      c === null || r === null ? 'n/a' : `${(c / r).toFixed(2)}x`,
      fmt(med('cairn', key, 'cpuUsPerRequest'), 2),
      fmt(med('redis', key, 'cpuUsPerRequest'), 2),
      fmt(med('cairn', key, 'p99Ms'), 3),
      fmt(med('redis', key, 'p99Ms'), 3),
    ]);
  }
}

const machine = machineInfo();
const md = [
  '# HyperLogLog: PFADD, PFCOUNT, PFMERGE',
  '',
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}, load ${machine.loadAverage}.`,
  `Cairn: ${targets.cairn.commandLine}. Redis: ${targets.redis.commandLine}.`,
  `${runs} run(s), medians; ${requests} requests per scenario, ${flags.clients} clients, random keys and elements (-r ${keyspace}).`,
  '',
  markdownTable(
    [
      'scenario',
      'cairn rps',
      'redis rps',
      'cairn/redis',
      'cairn CPU us/req',
      'redis CPU us/req',
      'cairn p99 ms',
      'redis p99 ms',
    ],
    rows,
  ),
  ...(failures.length ? ['', 'Failed:', '', ...failures.map((f) => `- ${f}`)] : []),
  '',
  'Commands:',
  '',
  ...[...commands].map((c) => `    ${c}`),
].join('\n');
console.log(md);
const [mdPath] = writeResults('hll', md, { machine, samples, rows, failures });
console.log(`\nwritten: ${mdPath}`);
