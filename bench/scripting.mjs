/**
 * Scripting over RESP: EVALSHA of a script making 1 and 10 redis.call's, at pipeline 1 and 16,
 * with redis-benchmark against Cairn started as `npm start` runs it (all three doors, snapshots
 * to a fresh temp folder) and redis-server (no persistence) in the same run. Reports requests
 * per second, the Cairn/Redis ratio (the criterion: at least 0.5x), each server's CPU
 * microseconds per request, and the cost of one redis.call in microseconds (CPU per request of
 * the 10-call script minus the 1-call script, divided by 9).
 *
 *   npm run bench:scripting
 *   node bench/scripting.mjs --requests 20000 --runs 1       # a quick check
 *
 * Flags: --requests N (200000 per test), --runs K (3), --clients C (50), --pipelines 1,16,
 *        --keyspace N (100000: redis-benchmark -r), --cairn-args "..." (appended to the start).
 */
import { parseArgs } from 'node:util';
import { customBenchmark, customCommand } from './lib/custom-benchmark.mjs';
import { command } from './lib/loader.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { rotate, startCairn, startRedis } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    clients: { type: 'string', default: '50' },
    pipelines: { type: 'string', default: '1,16' },
    keyspace: { type: 'string', default: '100000' },
    'cairn-args': { type: 'string', default: '' },
  },
});
const requests = Number(flags.requests);
const runs = Number(flags.runs);
const pipelines = flags.pipelines.split(',').map(Number);
/** The threshold: EVALSHA throughput at least half of Redis's. */
const MIN_RATIO = 0.5;

/** The scripts: one call, and ten (five SET and five GET of the same random key). */
const SCRIPTS = {
  'EVALSHA 1 call': "return redis.call('set', KEYS[1], ARGV[1])",
  'EVALSHA 10 calls':
    "local v for i = 1, 5 do redis.call('set', KEYS[1], ARGV[1]) v = redis.call('get', KEYS[1]) end return v",
};

/** One redis-benchmark run of a custom command; resolves to { rps, p50Ms, p99Ms, cpuUsPerRequest, command }. */
async function runBenchmark(port, pid, argv, pipeline) {
  const opts = { clients: Number(flags.clients), requests, pipeline, keyspace: Number(flags.keyspace), argv };
  const r = await customBenchmark({ port, pid, ...opts });
  return { ...r, command: customCommand(opts) };
}

const targets = { cairn: await startCairn({ args: flags['cairn-args'].split(' ').filter(Boolean) }) };
targets.redis = await startRedis();
const names = Object.keys(targets);
const samples = {};
const commands = new Set();
try {
  const shas = {};
  for (const name of names) {
    shas[name] = {};
    for (const [label, body] of Object.entries(SCRIPTS)) {
      shas[name][label] = String(await command(targets[name].port, 'SCRIPT', 'LOAD', body));
    }
  }
  for (let run = 0; run < runs; run++) {
    for (const name of rotate(names, run)) {
      const t = targets[name];
      await command(t.port, 'FLUSHALL');
      for (const p of pipelines) {
        for (const label of Object.keys(SCRIPTS)) {
          const argv = ['EVALSHA', shas[name][label], '1', 'key:__rand_int__', 'value'];
          const r = await runBenchmark(t.port, t.pid, argv, p);
          commands.add(r.command);
          const key = `${label} P${p}`;
          samples[name] ??= {};
          samples[name][key] ??= [];
          samples[name][key].push(r);
          console.log(
            `${name} run ${run + 1} ${key}: ${Math.round(r.rps)} rps, ${r.cpuUsPerRequest?.toFixed(1)} us CPU/req`,
          );
        }
      }
    }
  }
} finally {
  await Promise.all(names.map((n) => targets[n].stop()));
}

const med = (name, key, field) => median(samples[name][key].map((r) => r[field]));
const rows = [];
for (const p of pipelines) {
  for (const label of Object.keys(SCRIPTS)) {
    const key = `${label} P${p}`;
    const c = med('cairn', key, 'rps');
    const r = med('redis', key, 'rps');
    rows.push([
      key,
      Math.round(c),
      Math.round(r),
      `${(c / r).toFixed(2)}x${c / r >= MIN_RATIO ? '' : ' (below 0.5x)'}`,
      med('cairn', key, 'cpuUsPerRequest')?.toFixed(1),
      med('redis', key, 'cpuUsPerRequest')?.toFixed(1),
      med('cairn', key, 'p99Ms'),
      med('redis', key, 'p99Ms'),
    ]);
  }
}
const perCall = (name, p) => {
  const one = med(name, `EVALSHA 1 call P${p}`, 'cpuUsPerRequest');
  const ten = med(name, `EVALSHA 10 calls P${p}`, 'cpuUsPerRequest');
  return one === null || ten === null ? null : (ten - one) / 9;
};
const callRows = pipelines.map((p) => [
  `P${p}`,
  perCall('cairn', p)?.toFixed(2),
  perCall('redis', p)?.toFixed(2),
]);

const machine = machineInfo();
const md = [
  '# Scripting: EVALSHA with 1 and 10 redis.call',
  '',
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}, load ${machine.loadAverage}.`,
  `Cairn: ${targets.cairn.commandLine}. Redis: ${targets.redis.commandLine}.`,
  `${runs} run(s), medians; ${requests} requests per test, ${flags.clients} clients, random keys (-r ${flags.keyspace}).`,
  '',
  markdownTable(
    [
      'test',
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
  '',
  'CPU microseconds per redis.call ((10 calls - 1 call) / 9):',
  '',
  markdownTable(['pipeline', 'cairn', 'redis'], callRows),
  '',
  'Commands:',
  '',
  ...[...commands].map((c) => `    ${c}`),
].join('\n');
console.log(md);
const [mdPath] = writeResults('scripting', md, { machine, samples, rows, callRows });
console.log(`\nwritten: ${mdPath}`);
