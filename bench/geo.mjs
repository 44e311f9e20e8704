/**
 * GEO over RESP: GEOADD throughput, and GEOSEARCH BYRADIUS at a few radii over a filled index,
 * with redis-benchmark against Cairn started as `npm start` runs it (all three doors, snapshots
 * to a fresh temp folder) and redis-server (no persistence) in the same run. Reports requests
 * per second, the Cairn/Redis ratio, each server's CPU microseconds per request and p99.
 *
 * - GEOADD: `GEOADD bench:geo:add 13.__rand_int__ 38.__rand_int__ m:__rand_int__` (up to
 *   --keyspace distinct members in one sorted set, which grows as the test runs).
 * - GEOSEARCH: `bench:geo:pts` is filled first with --points positions spread evenly (a fixed
 *   pseudo-random sequence, the same on both servers) over a 1 x 1 degree square around
 *   (13.5, 38.5), about 111 x 87 km; each test searches around the centre with one radius, so
 *   the radii below return about 8, 125 and 1100 members at the default 100000 points
 *   (the reply sizes are printed with the results).
 * Runs rotate which server goes first; the table shows medians.
 *
 *   npm run build && node bench/geo.mjs
 *   node bench/geo.mjs --requests 5000 --runs 1 --pipelines 1     # a quick check
 *
 * Flags: --requests N (100000 per test; GEOSEARCH tests get N / 10 above 1 km), --runs K (3),
 *        --clients C (50), --pipelines 1,16, --keyspace N (100000: redis-benchmark -r),
 *        --points N (100000), --radii 0.5,2,6 (km), --cairn-args "..." (appended to the start),
 *        --warmup N (2000 requests per test at pipeline 16, untimed, per server before run 1).
 */
import { parseArgs } from 'node:util';
import { customBenchmark, customCommand, requestsFor } from './lib/custom-benchmark.mjs';
import { command, runPipelined } from './lib/loader.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { rotate, startCairn, startRedis } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    clients: { type: 'string', default: '50' },
    pipelines: { type: 'string', default: '1,16' },
    keyspace: { type: 'string', default: '100000' },
    points: { type: 'string', default: '100000' },
    radii: { type: 'string', default: '0.5,2,6' },
    'cairn-args': { type: 'string', default: '' },
    /** Requests per test of one untimed invocation per server first (JIT warm-up); 0: none. */
    warmup: { type: 'string', default: '2000' },
  },
});
const requests = Number(flags.requests);
const runs = Number(flags.runs);
const pipelines = flags.pipelines.split(',').map(Number);
const points = Number(flags.points);
const radii = flags.radii.split(',').map(Number);
const CENTRE = [13.5, 38.5];
const ADD_KEY = 'bench:geo:add';
const PTS_KEY = 'bench:geo:pts';

/** The test list: label, argv, requests (large searches cost more per request: fewer of them). */
const TESTS = [
  {
    label: 'GEOADD',
    argv: ['GEOADD', ADD_KEY, '13.__rand_int__', '38.__rand_int__', 'm:__rand_int__'],
    n: requests,
  },
  ...radii.map((r) => ({
    label: `GEOSEARCH ${r} km`,
    argv: [
      'GEOSEARCH',
      PTS_KEY,
      'FROMLONLAT',
      String(CENTRE[0]),
      String(CENTRE[1]),
      'BYRADIUS',
      String(r),
      'km',
    ],
    n: r > 1 ? Math.max(1000, Math.round(requests / 10)) : requests,
  })),
];

/** mulberry32 from a fixed seed: the same points, in the same order, for both servers. */
function positions(n) {
  let state = 0x9e3779b9;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => [
    (CENTRE[0] + next() - 0.5).toFixed(6),
    (CENTRE[1] + next() - 0.5).toFixed(6),
  ]);
}
const POSITIONS = positions(points);
const pointArgs = (i) => ['GEOADD', PTS_KEY, ...POSITIONS[i], `p:${i}`];

async function fill(port) {
  await command(port, 'FLUSHALL');
  const r = await runPipelined(port, points, pointArgs);
  if (r.errors > 0) throw new Error(`filling ${PTS_KEY}: ${r.firstError}`);
  const sizes = {};
  for (const t of TESTS.slice(1)) sizes[t.label] = (await command(port, ...t.argv)).length;
  return sizes;
}

const targets = { cairn: await startCairn({ args: flags['cairn-args'].split(' ').filter(Boolean) }) };
targets.redis = await startRedis();
const names = Object.keys(targets);
const samples = {};
const commands = new Set();
const replySizes = {};
try {
  const warmup = Number(flags.warmup);
  if (warmup > 0) {
    for (const name of names) {
      const t = targets[name];
      await fill(t.port);
      for (const test of TESTS) {
        const opts = {
          clients: Number(flags.clients),
          requests: requestsFor(warmup, 16),
          pipeline: 16,
          argv: test.argv,
        };
        await customBenchmark({ port: t.port, pid: t.pid, keyspace: Number(flags.keyspace), ...opts });
      }
    }
  }
  for (let run = 0; run < runs; run++) {
    for (const name of rotate(names, run)) {
      const t = targets[name];
      replySizes[name] = await fill(t.port);
      for (const p of pipelines) {
        for (const test of TESTS) {
          const opts = {
            clients: Number(flags.clients),
            requests: requestsFor(test.n, p),
            pipeline: p,
            argv: test.argv,
          };
          if (test.label === 'GEOADD') opts.keyspace = Number(flags.keyspace);
          const r = await customBenchmark({ port: t.port, pid: t.pid, ...opts });
          commands.add(customCommand(opts));
          const key = `${test.label} P${p}`;
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
  for (const test of TESTS) {
    const key = `${test.label} P${p}`;
    const c = med('cairn', key, 'rps');
    const r = med('redis', key, 'rps');
    rows.push([
      key,
      Math.round(c),
      Math.round(r),
      `${(c / r).toFixed(2)}x`,
      med('cairn', key, 'cpuUsPerRequest')?.toFixed(1),
      med('redis', key, 'cpuUsPerRequest')?.toFixed(1),
      med('cairn', key, 'p99Ms'),
      med('redis', key, 'p99Ms'),
    ]);
  }
}

const machine = machineInfo();
const sizeLine = TESTS.slice(1)
  .map((t) => `${t.label}: ${replySizes.cairn?.[t.label]} members (redis ${replySizes.redis?.[t.label]})`)
  .join('; ');
const md = [
  '# GEO: GEOADD and GEOSEARCH BYRADIUS',
  '',
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}, load ${machine.loadAverage}.`,
  `Cairn: ${targets.cairn.commandLine}. Redis: ${targets.redis.commandLine}.`,
  `${runs} run(s), medians; ${flags.clients} clients; GEOADD with -r ${flags.keyspace}; the search index holds ${points} points.`,
  `Reply sizes: ${sizeLine}.`,
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
  'Commands:',
  '',
  ...[...commands].map((c) => `    ${c}`),
].join('\n');
console.log(md);
const [mdPath] = writeResults('geo', md, { machine, samples, rows, replySizes });
console.log(`\nwritten: ${mdPath}`);
