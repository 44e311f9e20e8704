/**
 * Data types over RESP: redis-benchmark's collection tests (random elements, -r 100000) against
 * Cairn started as `npm start` runs it (all three doors, snapshots to a fresh temp folder) and
 * redis-server (no persistence) in the same run, with Cairn's own SET and GET in the same
 * invocation, so each test's Cairn/Redis ratio can be set against Cairn's SET/GET ratio to Redis
 * (the geometric mean of the SET and GET ratios at that pipeline). The issue's criterion:
 * at pipeline 1 each type's ratio at least 0.90 of the SET/GET ratio ("within 10%"; faster
 * counts as meeting it), at pipeline 16 at least 0.70x Redis.
 *
 * One redis-benchmark invocation per server, pipeline and run (FLUSHALL first); the server's
 * CPU time is sampled as each test's CSV line arrives, so every test has its own CPU us per
 * request. redis-benchmark fills the list itself before the LRANGE tests ("LPUSH (needed to
 * benchmark LRANGE)", n elements into `mylist`). A test the server fails (redis-benchmark stops
 * at an error reply) is reported as failed and the remaining tests run in a new invocation.
 * Runs rotate which server goes first; the table shows medians.
 *
 *   npm run bench:types
 *   node bench/types.mjs --requests 20000 --runs 1 --pipelines 1     # a quick check
 *   node bench/types.mjs --light          # also a Cairn in the light configuration, labelled
 *
 * Flags: --requests N (200000 per test), --runs K (3), --clients C (50), --pipelines 1,16,
 *        --tests lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_600,mset,
 *        --keyspace N (100000: redis-benchmark -r), --light, --cairn-args "..." (appended to
 *        the default start, shown in the report), --warmup N (20000 requests per test at
 *        pipeline 16, untimed, per server before run 1; 0: none).
 */
import { parseArgs } from 'node:util';
import { command } from './lib/loader.mjs';
import { benchmarkCommand, benchmarkTests } from './lib/redis-benchmark.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { LIGHT_LABEL, rotate, startCairn, startRedis } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    clients: { type: 'string', default: '50' },
    pipelines: { type: 'string', default: '1,16' },
    tests: {
      type: 'string',
      default: 'lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_600,mset',
    },
    keyspace: { type: 'string', default: '100000' },
    light: { type: 'boolean', default: false },
    'cairn-args': { type: 'string', default: '' },
    /** Requests per test of one untimed invocation per server first (JIT warm-up); 0: none. */
    warmup: { type: 'string', default: '20000' },
  },
});
const requests = Number(flags.requests);
const runs = Number(flags.runs);
const pipelines = flags.pipelines.split(',').map(Number);
const typeTests = flags.tests.split(',').map((t) => t.trim().toUpperCase());
const allTests = ['SET', 'GET', ...typeTests.filter((t) => t !== 'SET' && t !== 'GET')];
const rbOpts = {
  tests: allTests,
  clients: Number(flags.clients),
  requests,
  keyspace: Number(flags.keyspace),
};
/** The issue's thresholds. */
const P1_OF_SETGET = 0.9;
const P16_OF_REDIS = 0.7;

const targets = { cairn: await startCairn({ args: flags['cairn-args'].split(' ').filter(Boolean) }) };
targets.redis = await startRedis();
if (flags.light) targets['cairn-light'] = await startCairn({ light: true });
const names = Object.keys(targets);

/** samples[server][pipeline][TEST] = [result per run]; failures[server][pipeline][TEST] = [message] */
const samples = Object.fromEntries(names.map((n) => [n, {}]));
const failures = Object.fromEntries(names.map((n) => [n, {}]));
const invocations = [];
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
      for (const name of rotate(names, run - 1)) {
        const t = targets[name];
        await command(t.port, 'FLUSHALL');
        const r = await benchmarkTests({ port: t.port, pid: t.pid, pipeline, ...rbOpts });
        invocations.push({ run, pipeline, server: name, commands: r.commands });
        samples[name][pipeline] ??= {};
        failures[name][pipeline] ??= {};
        const push = (into, test, v) => {
          into[test] ??= [];
          into[test].push(v);
        };
        for (const [test, res] of Object.entries(r.results)) push(samples[name][pipeline], test, res);
        for (const [test, why] of Object.entries(r.failed)) push(failures[name][pipeline], test, why);
        const ok = Object.keys(r.results).filter((k) => k !== 'LPUSH_FILL').length;
        const bad = Object.keys(r.failed);
        process.stderr.write(
          `run ${run}/${runs} P${pipeline} ${name}: ${ok} tests measured${bad.length ? `, FAILED: ${bad.join(' ')}` : ''}\n`,
        );
      }
    }
  }
} finally {
  await Promise.all(names.map((n) => targets[n].stop()));
}

const med = (xs, k) =>
  xs?.length && xs.every((x) => typeof x[k] === 'number') ? median(xs.map((x) => x[k])) : null;
const side = (name, pipeline, test) => {
  const xs = samples[name][pipeline]?.[test];
  if (!xs?.length) return null;
  return {
    rps: med(xs, 'rps'),
    p50Ms: med(xs, 'p50Ms'),
    p99Ms: med(xs, 'p99Ms'),
    cpuUsPerRequest: med(xs, 'cpuUsPerRequest'),
    runs: xs.length,
  };
};
const n0 = (v) => (v === null || v === undefined ? 'n/a' : Math.round(v).toLocaleString('en-US'));
const f = (v, d = 2) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(d));
const x = (v) => (v === null || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(2)}x`);

const header = [
  'test',
  'P',
  'server',
  'Cairn rps',
  'Redis rps',
  'Cairn/Redis',
  '÷ Cairn SET/GET ratio',
  'criterion',
  'Cairn p50 / p99 ms',
  'Redis p50 / p99 ms',
  'Cairn CPU us/req',
  'Redis CPU us/req',
];
const rows = [];
const results = [];
for (const pipeline of pipelines) {
  for (const cairnName of names.filter((n) => n !== 'redis')) {
    const ratioOf = (test) => {
      const c = side(cairnName, pipeline, test);
      const r = side('redis', pipeline, test);
      return c && r ? c.rps / r.rps : null;
    };
    const setRatio = ratioOf('SET');
    const getRatio = ratioOf('GET');
    const setGet = setRatio !== null && getRatio !== null ? Math.sqrt(setRatio * getRatio) : null;
    for (const test of allTests) {
      const c = side(cairnName, pipeline, test);
      const r = side('redis', pipeline, test);
      const ratio = ratioOf(test);
      const rel = ratio !== null && setGet !== null ? ratio / setGet : null;
      let verdict = '';
      if (test !== 'SET' && test !== 'GET') {
        if (pipeline === 1) verdict = rel === null ? 'n/a' : rel >= P1_OF_SETGET ? 'meets' : 'BELOW';
        else if (pipeline === 16)
          verdict = ratio === null ? 'n/a' : ratio >= P16_OF_REDIS ? 'meets' : 'BELOW';
      }
      const why = failures[cairnName][pipeline]?.[test];
      results.push({
        test,
        pipeline,
        server: cairnName,
        cairn: c,
        redis: r,
        ratio,
        setGetRatio: setGet,
        rel,
        verdict,
        failed: why ?? null,
      });
      rows.push([
        test,
        pipeline,
        cairnName === 'cairn' ? 'Cairn (default)' : 'Cairn (light)',
        c ? n0(c.rps) : why ? 'FAILED' : 'n/a',
        r ? n0(r.rps) : 'FAILED',
        x(ratio),
        test === 'SET' || test === 'GET' ? `(SET/GET: ${x(setGet)})` : x(rel),
        verdict,
        c ? `${f(c.p50Ms, 3)} / ${f(c.p99Ms, 3)}` : 'n/a',
        r ? `${f(r.p50Ms, 3)} / ${f(r.p99Ms, 3)}` : 'n/a',
        f(c?.cpuUsPerRequest),
        f(r?.cpuUsPerRequest),
      ]);
    }
  }
}

const failedLines = [];
for (const n of names)
  for (const [p, tests] of Object.entries(failures[n]))
    for (const [t, whys] of Object.entries(tests))
      failedLines.push(`- ${n} P${p} ${t} (${whys.length} run(s)): ${whys[0]}`);

const machine = machineInfo();
const commands = pipelines.map((p) => benchmarkCommand({ ...rbOpts, pipeline: p }));
const md = [
  "# Data types over RESP: Cairn vs Redis, against Cairn's own SET/GET",
  '',
  `Median of ${runs} run(s) per cell, both servers on this machine in one run, order rotated per run, FLUSHALL before each invocation, after an untimed warm-up (${flags.warmup} requests per test at pipeline 16).`,
  "Commands (one invocation per server, pipeline and run; the port is each server's):",
  ...commands.map((c) => `- \`${c}\``),
  '',
  `- Cairn: \`${targets.cairn.commandLine}\` (default start)`,
  `- Redis: \`${targets.redis.commandLine}\``,
  ...(targets['cairn-light']
    ? [`- Cairn (light; ${LIGHT_LABEL}): \`${targets['cairn-light'].commandLine}\``]
    : []),
  '',
  `÷ Cairn SET/GET ratio: the test's Cairn/Redis over the geometric mean of Cairn/Redis for SET and GET at the same pipeline.`,
  `criterion: pipeline 1, at least ${P1_OF_SETGET} of the SET/GET ratio; pipeline 16, at least ${P16_OF_REDIS}x Redis.`,
  'CPU us/req: the server process CPU time (user + system) per request, sampled as each test ends.',
  "LRANGE tests read `mylist`, filled by redis-benchmark's own LPUSH of n elements just before them (not in the table).",
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}; load average ${machine.loadAverage}.`,
  '',
  markdownTable(header, rows),
  ...(failedLines.length ? ['', 'Failed tests:', ...failedLines] : []),
].join('\n');
process.stdout.write(`\n${md}\n`);
const [mdPath, jsonPath] = writeResults('types', md, {
  date: new Date().toISOString(),
  commands,
  servers: Object.fromEntries(names.map((n) => [n, targets[n].commandLine])),
  requests,
  runs,
  machine,
  results,
  failures,
  invocations,
  samples,
});
process.stdout.write(`\nwritten ${mdPath}\n        ${jsonPath}\n`);
