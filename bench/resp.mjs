/**
 * RESP throughput and latency: the same redis-benchmark workloads against compiled Cairn and a
 * real redis-server (no persistence), started in the same run on the same machine. Prints the
 * medians of several runs with the ratio Cairn/Redis, and writes them to bench/results/.
 *
 *   npm run bench:resp                         # 1M requests per workload, 3 runs
 *   node bench/resp.mjs --requests 100000 --runs 1
 *   node bench/resp.mjs --cairn-port 6379      # measure a Cairn you started (e.g. under --cpu-prof)
 *
 * Flags: --requests N, --runs K, --clients C (50), --pipelines 1,16, --tests set,get,
 *        --cairn-port P, --cairn-args "...", --keyspace N (redis-benchmark -r: random keys).
 */
import { parseArgs } from 'node:util';
import { redisBenchmark } from './lib/redis-benchmark.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { startCairn, startRedis } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    clients: { type: 'string', default: '50' },
    pipelines: { type: 'string', default: '1,16' },
    tests: { type: 'string', default: 'set,get' },
    keyspace: { type: 'string', default: '0' },
    'cairn-port': { type: 'string', default: '' },
    'cairn-args': { type: 'string', default: '' },
  },
});
const requests = Number(flags.requests);
const runs = Number(flags.runs);
const clients = Number(flags.clients);
const pipelines = flags.pipelines.split(',').map(Number);
const tests = flags.tests.split(',').map((t) => t.trim().toLowerCase());
const keyspace = Number(flags.keyspace);
const extraArgs = keyspace > 0 ? ['-r', String(keyspace)] : [];

const cairn = flags['cairn-port']
  ? { port: Number(flags['cairn-port']), stop: async () => {} }
  : await startCairn({ args: flags['cairn-args'].split(' ').filter(Boolean) });
const redis = await startRedis();
const targets = { cairn, redis };

/** samples[target][pipeline][TEST] = [{ rps, p50Ms, p99Ms, ... } per run] */
const samples = { cairn: {}, redis: {} };
try {
  for (let run = 1; run <= runs; run++) {
    for (const pipeline of pipelines) {
      // Alternate which server goes first, so neither always gets the warmer machine.
      const order = run % 2 === 1 ? ['cairn', 'redis'] : ['redis', 'cairn'];
      for (const name of order) {
        const res = await redisBenchmark({
          port: targets[name].port,
          tests,
          clients,
          requests,
          pipeline,
          extraArgs,
        });
        samples[name][pipeline] ??= {};
        const perTest = samples[name][pipeline];
        for (const [test, r] of Object.entries(res)) {
          perTest[test] ??= [];
          perTest[test].push(r);
        }
        const line = Object.entries(res)
          .map(([t, r]) => `${t} ${Math.round(r.rps)} rps p50 ${r.p50Ms} ms`)
          .join(', ');
        process.stderr.write(`run ${run}/${runs} P${pipeline} ${name}: ${line}\n`);
      }
    }
  }
} finally {
  await Promise.all([cairn.stop(), redis.stop()]);
}

const rows = [];
const results = [];
const fmt = (n) => Math.round(n).toLocaleString('en-US');
for (const pipeline of pipelines) {
  for (const test of tests.map((t) => t.toUpperCase())) {
    const c = samples.cairn[pipeline]?.[test];
    const r = samples.redis[pipeline]?.[test];
    if (!c || !r) continue;
    const m = (xs, k) => median(xs.map((x) => x[k]));
    const entry = {
      test,
      pipeline,
      cairn: { rps: m(c, 'rps'), p50Ms: m(c, 'p50Ms'), p99Ms: m(c, 'p99Ms') },
      redis: { rps: m(r, 'rps'), p50Ms: m(r, 'p50Ms'), p99Ms: m(r, 'p99Ms') },
    };
    entry.ratio = entry.cairn.rps / entry.redis.rps;
    results.push(entry);
    rows.push([
      test,
      pipeline,
      fmt(entry.cairn.rps),
      fmt(entry.redis.rps),
      `${entry.ratio.toFixed(2)}x`,
      entry.cairn.p50Ms.toFixed(3),
      entry.redis.p50Ms.toFixed(3),
      entry.cairn.p99Ms.toFixed(3),
      entry.redis.p99Ms.toFixed(3),
    ]);
  }
}

const machine = machineInfo();
const command = `redis-benchmark -t ${tests.join(',')} -c ${clients} -n ${requests} -P <pipeline> --csv${extraArgs.length ? ` ${extraArgs.join(' ')}` : ''}`;
const table = markdownTable(
  [
    'test',
    'pipeline',
    'Cairn rps',
    'Redis rps',
    'Cairn/Redis',
    'Cairn p50 ms',
    'Redis p50 ms',
    'Cairn p99 ms',
    'Redis p99 ms',
  ],
  rows,
);
const markdown = [
  '# RESP benchmark: Cairn vs Redis',
  '',
  `Workload: \`${command}\`, median of ${runs} run(s) per cell, both servers on this machine in one run.`,
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}.`,
  '',
  table,
].join('\n');
process.stdout.write(`\n${markdown}\n`);
const [md, json] = writeResults('resp', markdown, {
  date: new Date().toISOString(),
  command,
  requests,
  runs,
  clients,
  machine,
  results,
  samples,
});
process.stdout.write(`\nwritten ${md}\n        ${json}\n`);
