/**
 * RESP throughput, latency and CPU per request: the same redis-benchmark workloads, random keys
 * (-r 100000), against Cairn started as `npm start` runs it (all three doors, snapshots to a
 * fresh temp folder), a real redis-server (no persistence) and a bare Node RESP server
 * (net + Map, bench/lib/bare-resp.mjs), all in the same run on the same machine. Runs rotate
 * which server goes first; the table shows medians, the ratios Cairn/Redis and Cairn/bare, each
 * server's CPU microseconds per request and the redis-benchmark command. Results go to
 * bench/results/resp-<time>.md/.json.
 *
 *   npm run bench:resp                         # 1M requests per test, 3 runs
 *   node bench/resp.mjs --requests 100000 --runs 1
 *   node bench/resp.mjs --light                # also a Cairn in the light configuration, labelled
 *   node bench/resp.mjs --cairn-port 6379 --cairn-pid 1234   # a Cairn you started (e.g. --cpu-prof)
 *
 * Flags: --requests N (1000000), --runs K (3), --clients C (50), --pipelines 1,16,
 *        --tests set,get, --keyspace N (100000; redis-benchmark -r), --no-bare, --light,
 *        --warmup N (20000 requests per test, pipeline 16, untimed, per server before run 1),
 *        --cairn-port P, --cairn-pid PID, --cairn-args "..." (appended to the default start).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchmarkCommand, benchmarkTests } from './lib/redis-benchmark.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { LIGHT_LABEL, REPO_ROOT, rotate, startCairn, startNodeServer, startRedis } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    clients: { type: 'string', default: '50' },
    pipelines: { type: 'string', default: '1,16' },
    tests: { type: 'string', default: 'set,get' },
    keyspace: { type: 'string', default: '100000' },
    'no-bare': { type: 'boolean', default: false },
    light: { type: 'boolean', default: false },
    'cairn-port': { type: 'string', default: '' },
    'cairn-pid': { type: 'string', default: '' },
    'cairn-args': { type: 'string', default: '' },
    /** Requests per test of one untimed invocation per server first (JIT warm-up); 0: none. */
    warmup: { type: 'string', default: '20000' },
  },
});
const requests = Number(flags.requests);
const runs = Number(flags.runs);
const clients = Number(flags.clients);
const pipelines = flags.pipelines.split(',').map(Number);
const tests = flags.tests.split(',').map((t) => t.trim().toUpperCase());
const keyspace = Number(flags.keyspace);
const rbOpts = { tests, clients, requests, keyspace };

const targets = {};
targets.cairn = flags['cairn-port']
  ? {
      port: Number(flags['cairn-port']),
      pid: Number(flags['cairn-pid']) || null,
      stop: async () => {},
      commandLine: '(started by you)',
    }
  : await startCairn({ args: flags['cairn-args'].split(' ').filter(Boolean) });
targets.redis = await startRedis();
if (!flags['no-bare'])
  targets.bare = await startNodeServer('bare', join(REPO_ROOT, 'bench', 'lib', 'bare-resp.mjs'));
if (flags.light) targets['cairn-light'] = await startCairn({ light: true });
const names = Object.keys(targets);

/** samples[target][pipeline][TEST] = [{ rps, p50Ms, p99Ms, cpuUsPerRequest, ... } per run] */
const samples = Object.fromEntries(names.map((n) => [n, {}]));
const failures = Object.fromEntries(names.map((n) => [n, {}]));
try {
  if (Number(flags.warmup) > 0) {
    for (const name of names) {
      const t = targets[name];
      await benchmarkTests({
        port: t.port,
        pid: t.pid,
        ...rbOpts,
        pipeline: 16,
        requests: Number(flags.warmup),
      });
    }
  }
  for (let run = 1; run <= runs; run++) {
    for (const pipeline of pipelines) {
      // Rotate which server goes first, so none always gets the warmer (or quieter) machine.
      for (const name of rotate(names, run - 1)) {
        const t = targets[name];
        const { results, failed } = await benchmarkTests({ port: t.port, pid: t.pid, pipeline, ...rbOpts });
        samples[name][pipeline] ??= {};
        for (const [test, r] of Object.entries(results)) {
          samples[name][pipeline][test] ??= [];
          samples[name][pipeline][test].push(r);
          const cpu = r.cpuUsPerRequest === null ? '' : `, ${r.cpuUsPerRequest.toFixed(2)} us CPU/req`;
          process.stderr.write(
            `run ${run}/${runs} P${pipeline} ${name} ${test}: ${Math.round(r.rps)} rps, p50 ${r.p50Ms} ms${cpu}\n`,
          );
        }
        for (const [test, why] of Object.entries(failed)) {
          failures[name][`${test} P${pipeline}`] = why;
          process.stderr.write(`run ${run}/${runs} P${pipeline} ${name} ${test}: FAILED ${why}\n`);
        }
      }
    }
  }
} finally {
  await Promise.all(names.map((n) => targets[n].stop()));
}

const fmt = (n) => (n === null ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const fixed = (n, digits) => (n === null || n === undefined ? 'n/a' : n.toFixed(digits));
const med = (xs, k) =>
  xs?.length && xs.every((x) => typeof x[k] === 'number') ? median(xs.map((x) => x[k])) : null;
const side = (xs) => ({
  rps: med(xs, 'rps'),
  p50Ms: med(xs, 'p50Ms'),
  p99Ms: med(xs, 'p99Ms'),
  cpuUsPerRequest: med(xs, 'cpuUsPerRequest'),
});
const ratio = (a, b) => (a === null || b === null ? null : a / b);
const x = (r) => (r === null ? 'n/a' : `${r.toFixed(2)}x`);

const refs = names.filter((n) => n !== 'cairn');
const label = { redis: 'Redis', bare: 'bare', 'cairn-light': 'Cairn light' };
const header = ['test', 'pipeline', 'Cairn rps'];
for (const n of refs) header.push(`${label[n]} rps`, `Cairn/${label[n]}`);
header.push('Cairn p50 / p99 ms', 'Redis p50 / p99 ms', 'Cairn CPU us/req');
for (const n of refs) header.push(`${label[n]} CPU us/req`);
const rows = [];
const results = [];
for (const pipeline of pipelines) {
  for (const test of tests) {
    const entry = { test, pipeline };
    for (const n of names) entry[n] = side(samples[n][pipeline]?.[test]);
    for (const n of refs) entry[`ratio_${n}`] = ratio(entry.cairn.rps, entry[n].rps);
    results.push(entry);
    const row = [test, pipeline, fmt(entry.cairn.rps)];
    for (const n of refs) row.push(fmt(entry[n].rps), x(entry[`ratio_${n}`]));
    row.push(
      `${fixed(entry.cairn.p50Ms, 3)} / ${fixed(entry.cairn.p99Ms, 3)}`,
      `${fixed(entry.redis.p50Ms, 3)} / ${fixed(entry.redis.p99Ms, 3)}`,
      fixed(entry.cairn.cpuUsPerRequest, 2),
    );
    for (const n of refs) row.push(fixed(entry[n].cpuUsPerRequest, 2));
    rows.push(row);
  }
}

const machine = machineInfo();
const commands = pipelines.map((p) => benchmarkCommand({ ...rbOpts, pipeline: p }));
const failedLines = names.flatMap((n) =>
  Object.entries(failures[n]).map(([t, why]) => `- ${n} ${t}: ${why}`),
);
const markdown = [
  '# RESP benchmark: Cairn vs Redis vs a bare Node server',
  '',
  `Median of ${runs} run(s) per cell, every server on this machine in one run, order rotated per run, after an untimed warm-up (${flags.warmup} requests per test at pipeline 16).`,
  "Commands (one invocation per server, pipeline and run; the port is each server's):",
  ...commands.map((c) => `- \`${c}\``),
  '',
  `- Cairn: \`${targets.cairn.commandLine}\` (${targets.cairn.config ?? 'external'})`,
  `- Redis: \`${targets.redis.commandLine}\``,
  ...(targets.bare
    ? [`- bare: \`${targets.bare.commandLine}\` (node:net + Map, SET/GET/MSET/INCR/PING)`]
    : []),
  ...(targets['cairn-light']
    ? [`- Cairn light (${LIGHT_LABEL}): \`${targets['cairn-light'].commandLine}\``]
    : []),
  '',
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}.`,
  `Load average when the run ended: ${machine.loadAverage}.`,
  'CPU us/req: the server process CPU time (user + system) per request, sampled as each test ends.',
  '',
  markdownTable(header, rows),
  ...(failedLines.length ? ['', 'Failed tests:', ...failedLines] : []),
].join('\n');
process.stdout.write(`\n${markdown}\n`);
const [md, json] = writeResults('resp', markdown, {
  date: new Date().toISOString(),
  commands,
  servers: Object.fromEntries(names.map((n) => [n, targets[n].commandLine])),
  requests,
  runs,
  clients,
  keyspace,
  machine,
  results,
  failures,
  samples,
});
process.stdout.write(`\nwritten ${md}\n        ${json}\n`);
