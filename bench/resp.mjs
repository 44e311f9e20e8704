/**
 * RESP throughput and latency: the same redis-benchmark workloads against compiled Cairn and a
 * real redis-server (no persistence), started in the same run on the same machine. Prints the
 * medians of several runs with the ratio Cairn/Redis, and writes them to bench/results/.
 *
 *   npm run bench:resp                         # 1M requests per workload, 3 runs
 *   node bench/resp.mjs --requests 100000 --runs 1
 *   node bench/resp.mjs --cairn-port 6379 --cairn-pid 1234   # a Cairn you started (e.g. --cpu-prof)
 *
 * Flags: --requests N, --runs K, --clients C (50), --pipelines 1,16, --tests set,get,
 *        --cairn-port P, --cairn-pid PID, --cairn-args "...", --keyspace N (redis-benchmark -r).
 *
 * Besides throughput and latency it reports each server's CPU time per request (user + system,
 * from /proc): on a shared machine that figure moves far less than requests per second.
 */
import { parseArgs } from 'node:util';
import { redisBenchmark } from './lib/redis-benchmark.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { cpuSeconds, startCairn, startRedis } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    clients: { type: 'string', default: '50' },
    pipelines: { type: 'string', default: '1,16' },
    tests: { type: 'string', default: 'set,get' },
    keyspace: { type: 'string', default: '0' },
    'cairn-port': { type: 'string', default: '' },
    'cairn-pid': { type: 'string', default: '' },
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
  ? { port: Number(flags['cairn-port']), pid: Number(flags['cairn-pid']) || null, stop: async () => {} }
  : await startCairn({ args: flags['cairn-args'].split(' ').filter(Boolean) });
const redis = await startRedis();
const targets = { cairn, redis };

/** samples[target][pipeline][TEST] = [{ rps, p50Ms, p99Ms, cpuUsPerRequest, ... } per run] */
const samples = { cairn: {}, redis: {} };
try {
  for (let run = 1; run <= runs; run++) {
    // Alternate which server goes first, so neither always gets the warmer (or quieter) machine.
    const order = run % 2 === 1 ? ['cairn', 'redis'] : ['redis', 'cairn'];
    for (const pipeline of pipelines) {
      for (const test of tests) {
        for (const name of order) {
          const target = targets[name];
          const cpu0 = target.pid ? cpuSeconds(target.pid) : null;
          const res = await redisBenchmark({
            port: target.port,
            tests: [test],
            clients,
            requests,
            pipeline,
            extraArgs,
          });
          const cpu1 = target.pid ? cpuSeconds(target.pid) : null;
          samples[name][pipeline] ??= {};
          const perTest = samples[name][pipeline];
          for (const [t, r] of Object.entries(res)) {
            r.cpuUsPerRequest = cpu0 !== null && cpu1 !== null ? ((cpu1 - cpu0) * 1e6) / requests : null;
            perTest[t] ??= [];
            perTest[t].push(r);
            const cpu = r.cpuUsPerRequest === null ? '' : `, ${r.cpuUsPerRequest.toFixed(2)} us CPU/req`;
            process.stderr.write(
              `run ${run}/${runs} P${pipeline} ${name} ${t}: ${Math.round(r.rps)} rps, p50 ${r.p50Ms} ms${cpu}\n`,
            );
          }
        }
      }
    }
  }
} finally {
  await Promise.all([cairn.stop(), redis.stop()]);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const fixed = (n, digits) => (n === null ? 'n/a' : n.toFixed(digits));
const med = (xs, k) => (xs.every((x) => typeof x[k] === 'number') ? median(xs.map((x) => x[k])) : null);
const side = (xs) => ({
  rps: med(xs, 'rps'),
  p50Ms: med(xs, 'p50Ms'),
  p99Ms: med(xs, 'p99Ms'),
  cpuUsPerRequest: med(xs, 'cpuUsPerRequest'),
});

const rows = [];
const results = [];
for (const pipeline of pipelines) {
  for (const test of tests.map((t) => t.toUpperCase())) {
    const c = samples.cairn[pipeline]?.[test];
    const r = samples.redis[pipeline]?.[test];
    if (!c || !r) continue;
    const entry = { test, pipeline, cairn: side(c), redis: side(r) };
    entry.ratio = entry.cairn.rps / entry.redis.rps;
    results.push(entry);
    rows.push([
      test,
      pipeline,
      fmt(entry.cairn.rps),
      fmt(entry.redis.rps),
      `${entry.ratio.toFixed(2)}x`,
      fixed(entry.cairn.p50Ms, 3),
      fixed(entry.redis.p50Ms, 3),
      fixed(entry.cairn.p99Ms, 3),
      fixed(entry.redis.p99Ms, 3),
      fixed(entry.cairn.cpuUsPerRequest, 2),
      fixed(entry.redis.cpuUsPerRequest, 2),
    ]);
  }
}

const machine = machineInfo();
const rArg = extraArgs.length ? ` ${extraArgs.join(' ')}` : '';
const command = `redis-benchmark -t <set|get> -c ${clients} -n ${requests} -P <pipeline> --csv${rArg}`;
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
    'Cairn CPU us/req',
    'Redis CPU us/req',
  ],
  rows,
);
const markdown = [
  '# RESP benchmark: Cairn vs Redis',
  '',
  `Workload: \`${command}\`, median of ${runs} run(s) per cell, both servers on this machine in one run.`,
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}.`,
  `Load average when the run ended: ${machine.loadAverage}.`,
  'CPU us/req: the server process CPU time (user + system) per request.',
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
