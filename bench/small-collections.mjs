/**
 * Commands on many small collections: 100k hashes (listpack) of 10 and of 100 fields loaded
 * into Cairn, started as `npm start` runs it (all three doors, snapshots to a fresh temp
 * folder), and into redis-server (no persistence), then redis-benchmark HGET and HSET of an
 * existing field of a random one of them (`hash:__rand_int__`, the keys spelled as
 * redis-benchmark spells them) at pipeline 1 and 16. redis-benchmark's own HSET test writes one
 * growing key, so it never measures the small encodings that most applications' hashes are.
 * Reports requests per second, the Cairn/Redis ratio and each server's CPU microseconds per
 * request; runs rotate which server goes first; medians.
 *
 *   npm run bench:small-collections
 *   node bench/small-collections.mjs --fields 10 --requests 20000 --runs 1     # a quick check
 *
 * Flags: --fields 10,100, --keys N (100000), --requests N (200000 per test), --runs K (3),
 *        --clients C (50), --pipelines 1,16, --cairn-args "..." (appended to the start).
 */
import { parseArgs } from 'node:util';
import { customBenchmark, customCommand } from './lib/custom-benchmark.mjs';
import { command, runPipelined } from './lib/loader.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { rotate, startCairn, startRedis } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    fields: { type: 'string', default: '10,100' },
    keys: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    clients: { type: 'string', default: '50' },
    pipelines: { type: 'string', default: '1,16' },
    'cairn-args': { type: 'string', default: '' },
  },
});
const KEYS = Number(flags.keys);
const runs = Number(flags.runs);
const pipelines = flags.pipelines.split(',').map(Number);
const fieldCounts = flags.fields.split(',').map(Number);

/** redis-benchmark's __rand_int__: 12 digits, zero-padded. */
const key = (i) => `hash:${String(i).padStart(12, '0')}`;
const TESTS = {
  HGET: ['HGET', 'hash:__rand_int__', 'field:7'],
  HSET: ['HSET', 'hash:__rand_int__', 'field:7', 'xyz'],
};

async function load(port, fields) {
  await command(port, 'FLUSHALL');
  const r = await runPipelined(
    port,
    KEYS,
    (i) => ['HSET', key(i), ...Array.from({ length: fields }, (_, j) => [`field:${j}`, `v${i}:${j}`]).flat()],
    { sockets: 2 },
  );
  if (r.errors > 0) throw new Error(`load failed: ${r.firstError}`);
  const size = await command(port, 'DBSIZE');
  if (size !== KEYS) throw new Error(`loaded ${size} keys, expected ${KEYS}`);
}

const targets = { cairn: await startCairn({ args: flags['cairn-args'].split(' ').filter(Boolean) }) };
targets.redis = await startRedis();
const names = Object.keys(targets);
const samples = {};
const commands = new Set();
try {
  for (const fields of fieldCounts) {
    for (const name of names) await load(targets[name].port, fields);
    for (let run = 0; run < runs; run++) {
      for (const name of rotate(names, run)) {
        const t = targets[name];
        for (const p of pipelines) {
          for (const [label, argv] of Object.entries(TESTS)) {
            const opts = {
              clients: Number(flags.clients),
              requests: Number(flags.requests),
              pipeline: p,
              keyspace: KEYS,
              argv,
            };
            const r = await customBenchmark({ port: t.port, pid: t.pid, ...opts });
            commands.add(customCommand(opts));
            const k = `${label} ${fields} fields P${p}`;
            samples[name] ??= {};
            samples[name][k] ??= [];
            samples[name][k].push(r);
            console.log(
              `${name} run ${run + 1} ${k}: ${Math.round(r.rps)} rps, ${r.cpuUsPerRequest?.toFixed(2)} us CPU/req`,
            );
          }
        }
      }
    }
  }
} finally {
  await Promise.all(names.map((n) => targets[n].stop()));
}

const med = (name, k, field) => median(samples[name][k].map((r) => r[field]));
const rows = Object.keys(samples.cairn).map((k) => {
  const c = med('cairn', k, 'rps');
  const r = med('redis', k, 'rps');
  return [
    k,
    Math.round(c),
    Math.round(r),
    `${(c / r).toFixed(2)}x`,
    med('cairn', k, 'cpuUsPerRequest')?.toFixed(2),
    med('redis', k, 'cpuUsPerRequest')?.toFixed(2),
    med('cairn', k, 'p99Ms'),
    med('redis', k, 'p99Ms'),
  ];
});

const machine = machineInfo();
const md = [
  '# Small collections: HGET / HSET on 100k listpack hashes',
  '',
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}, load ${machine.loadAverage}.`,
  `Cairn: ${targets.cairn.commandLine}. Redis: ${targets.redis.commandLine}.`,
  `${KEYS} hashes of ${flags.fields} fields (\`field:N\` -> \`vK:N\`) loaded before each field count's runs; ${runs} run(s), medians; ${flags.requests} requests per test, ${flags.clients} clients.`,
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
const [mdPath] = writeResults('small-collections', md, { machine, samples, rows });
console.log(`\nwritten: ${mdPath}`);
