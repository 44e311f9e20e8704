/**
 * GC pauses with many collection elements: Cairn started as `npm start` runs it (all three
 * doors, snapshots to a fresh temp folder) with one node flag added, `--import
 * bench/lib/gc-observer.mjs`, a perf_hooks GC observer that prints every pause with its time
 * (no Cairn flag or env var is needed; node --trace-gc is not used because a pipe buffers its
 * C-stdio lines until exit, so they cannot be placed in time). redis-server (no persistence)
 * takes the same load in the same run, as the reference for throughput, latency and CPU.
 *
 * For each shape (default: 10 sets of 1M members, and 100k hashes of 100 fields: 10M elements
 * each), on fresh servers:
 *   1. write: load every element with pipelined RESP (bench/lib/loader.mjs), longest GC pause
 *      in Cairn while writing, load time and CPU us per element of both; counts verified;
 *   2. idle: the settle period with every element live;
 *   3. live: redis-benchmark SET/GET/SADD/HSET (random keys, -r 100000) while every element is
 *      live, runs rotating which server goes first; longest GC pause in Cairn per run, and
 *      rps, p99, max latency and CPU us/request of both servers (medians of the runs).
 * A shape Cairn cannot load (a command it does not have yet) is reported as failed.
 *
 *   npm run bench:gc-types
 *   node bench/gc-types.mjs --elements 200000 --requests 20000 --runs 1    # a quick check
 *
 * Flags: --shapes sets,hashes (also: strings, the same count of string keys as a baseline),
 *        --elements N (10000000 per shape), --requests N (200000 per
 *        test), --runs K (3), --clients C (50), --tests set,get,sadd,hset, --sockets N (2),
 *        --settle-ms (3000), --cairn-args "..." (appended to the default start).
 */
import { parseArgs } from 'node:util';
import { gcNodeArgs, gcPauses, summarizePauses } from './lib/gc.mjs';
import { command, info, runPipelined } from './lib/loader.mjs';
import { benchmarkCommand, benchmarkTests } from './lib/redis-benchmark.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { cpuSeconds, cpuUsPer, rotate, rssBytes, startCairn, startRedis } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    shapes: { type: 'string', default: 'sets,hashes' },
    elements: { type: 'string', default: '10000000' },
    requests: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    clients: { type: 'string', default: '50' },
    tests: { type: 'string', default: 'set,get,sadd,hset' },
    sockets: { type: 'string', default: '2' },
    'settle-ms': { type: 'string', default: '3000' },
    'cairn-args': { type: 'string', default: '' },
  },
});
const ELEMENTS = Number(flags.elements);
const RUNS = Number(flags.runs);
const SETTLE_MS = Number(flags['settle-ms']);
const SOCKETS = Number(flags.sockets);
const rbOpts = {
  tests: flags.tests.split(',').map((t) => t.trim().toUpperCase()),
  clients: Number(flags.clients),
  requests: Number(flags.requests),
  keyspace: 100000,
  pipeline: 1,
};
const PER_CMD = 100;

/** A shape: how to load ELEMENTS elements and how to count them back. */
const SHAPES = {
  sets: () => {
    const sets = 10;
    const perSet = Math.ceil(ELEMENTS / sets);
    const cmdsPerSet = Math.ceil(perSet / PER_CMD);
    return {
      label: `${sets} sets of ${perSet.toLocaleString('en-US')} members`,
      keys: sets,
      elements: sets * perSet,
      load: {
        count: sets * cmdsPerSet,
        cmd: (c) => {
          const k = Math.floor(c / cmdsPerSet);
          const from = (c % cmdsPerSet) * PER_CMD;
          const n = Math.min(PER_CMD, perSet - from);
          return ['SADD', `set:${k}`, ...Array.from({ length: n }, (_, j) => `member:${from + j}`)];
        },
      },
      verify: { count: sets, cmd: (k) => ['SCARD', `set:${k}`] },
    };
  },
  hashes: () => {
    const fields = 100;
    const hashes = Math.ceil(ELEMENTS / fields);
    return {
      label: `${hashes.toLocaleString('en-US')} hashes of ${fields} fields`,
      keys: hashes,
      elements: hashes * fields,
      load: {
        count: hashes,
        cmd: (i) => [
          'HSET',
          `hash:${i}`,
          ...Array.from({ length: fields }, (_, j) => [`field:${j}`, `v${i}:${j}`]).flat(),
        ],
      },
      verify: { count: hashes, cmd: (i) => ['HLEN', `hash:${i}`] },
    };
  },
  /** Not a collection: the same number of string keys (MSET), as a baseline. */
  strings: () => {
    const cmds = Math.ceil(ELEMENTS / PER_CMD);
    return {
      label: `${(cmds * PER_CMD).toLocaleString('en-US')} string keys (baseline)`,
      keys: cmds * PER_CMD,
      elements: cmds * PER_CMD,
      load: {
        count: cmds,
        cmd: (c) => [
          'MSET',
          ...Array.from({ length: PER_CMD }, (_, j) => [`key:${c * PER_CMD + j}`, `v${j}`]).flat(),
        ],
      },
      verify: null,
    };
  },
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function write(server, shape) {
  const cpu0 = cpuSeconds(server.pid);
  const from = Date.now();
  const load = await runPipelined(server.port, shape.load.count, shape.load.cmd, { sockets: SOCKETS });
  const to = Date.now();
  const out = {
    from,
    to,
    loadMs: load.ms,
    cpuUsPerElement: cpuUsPer(cpu0, cpuSeconds(server.pid), shape.elements),
  };
  if (load.errors > 0)
    return { ...out, failed: `${load.errors} errors while loading, first: ${load.firstError.slice(0, 80)}` };
  const verify = shape.verify
    ? await runPipelined(server.port, shape.verify.count, shape.verify.cmd, { sockets: SOCKETS })
    : { errors: 0, sum: shape.elements };
  const dbsize = await command(server.port, 'DBSIZE');
  if (verify.errors > 0 || verify.sum !== shape.elements || dbsize !== shape.keys)
    return { ...out, failed: `verify: ${verify.firstError ?? `${verify.sum} elements in ${dbsize} keys`}` };
  return out;
}

async function measureShape(name, index) {
  const shape = SHAPES[name]();
  const servers = {
    cairn: await startCairn({ args: flags['cairn-args'].split(' ').filter(Boolean), nodeArgs: gcNodeArgs() }),
  };
  servers.redis = await startRedis();
  const out = {
    shape: name,
    label: shape.label,
    elements: shape.elements,
    commandLines: {},
    write: {},
    live: {},
    idle: null,
  };
  for (const k of ['cairn', 'redis'])
    out.commandLines[k] = servers[k].commandLine.replace(
      /--import \S+/,
      '--import bench/lib/gc-observer.mjs',
    );
  try {
    await sleep(500);
    for (const who of rotate(['cairn', 'redis'], index)) {
      out.write[who] = await write(servers[who], shape);
      process.stderr.write(
        `${name} ${who}: ${out.write[who].failed ?? `loaded in ${(out.write[who].loadMs / 1000).toFixed(1)} s`}\n`,
      );
    }
    const w = out.write.cairn;
    out.write.cairnGc = summarizePauses(gcPauses(servers.cairn.logs(), w.from, w.to));
    if (w.failed) return out;
    const idleFrom = Date.now();
    await sleep(SETTLE_MS);
    out.idle = summarizePauses(gcPauses(servers.cairn.logs(), idleFrom, Date.now()));
    for (const who of ['cairn', 'redis']) {
      const m = await info(servers[who].port, 'memory');
      out[`${who}Memory`] = { used: Number(m.used_memory), rss: rssBytes(servers[who].pid) };
    }
    for (let run = 0; run < RUNS; run++) {
      for (const who of rotate(['cairn', 'redis'], run)) {
        const s = servers[who];
        const from = Date.now();
        const r = await benchmarkTests({ port: s.port, pid: s.pid, ...rbOpts });
        const gc = who === 'cairn' ? summarizePauses(gcPauses(s.logs(), from, Date.now())) : null;
        out.live[who] ??= [];
        out.live[who].push({ ...r, gc });
        process.stderr.write(
          `${name} live run ${run + 1}/${RUNS} ${who}: ${Object.keys(r.results).length} tests` +
            `${gc ? `, longest GC pause ${gc.longestMs} ms` : ''}` +
            `${Object.keys(r.failed).length ? `, FAILED ${Object.keys(r.failed).join(' ')}` : ''}\n`,
        );
      }
    }
  } finally {
    await sleep(200); // the observer's last lines
    await Promise.all([servers.cairn.stop(), servers.redis.stop()]);
  }
  return out;
}

const shapes = flags.shapes.split(',').map((s) => s.trim());
for (const s of shapes)
  if (!SHAPES[s]) throw new Error(`unknown shape ${s} (${Object.keys(SHAPES).join(', ')})`);
const all = [];
for (const [i, name] of shapes.entries()) all.push(await measureShape(name, i));

const f = (v, d = 2) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(d));
const x = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
const gcCell = (g) => (g ? `${f(g.longestMs)} (${g.longestKind})` : 'n/a');
const gcCount = (g) => (g ? `${g.count} / ${g.markCompacts} / ${f(g.totalMs, 0)}` : 'n/a');
const gcHeader = [
  'shape',
  'phase',
  'Cairn longest GC pause ms (kind)',
  'GC pauses / mark-compacts / total ms',
];
const gcRows = [];
const loadHeader = [
  'shape',
  'Cairn load s',
  'Redis load s',
  'Cairn/Redis time',
  'Cairn CPU us/elem',
  'Redis CPU us/elem',
  'Cairn RSS MiB',
  'Redis RSS MiB',
];
const loadRows = [];
const liveHeader = [
  'shape',
  'test',
  'Cairn rps',
  'Redis rps',
  'Cairn/Redis',
  'Cairn p99 / max ms',
  'Redis p99 / max ms',
  'Cairn CPU us/req',
  'Redis CPU us/req',
];
const liveRows = [];
const failures = [];
for (const s of all) {
  const head = `${s.shape} (${s.label})`;
  const wc = s.write.cairn;
  const wr = s.write.redis;
  if (wc?.failed) failures.push(`- ${s.shape} cairn: ${wc.failed}`);
  if (wr?.failed) failures.push(`- ${s.shape} redis: ${wr.failed}`);
  gcRows.push([
    head,
    `write ${s.elements.toLocaleString('en-US')} elements`,
    wc?.failed ? 'FAILED' : gcCell(s.write.cairnGc),
    gcCount(s.write.cairnGc),
  ]);
  if (s.idle) gcRows.push([head, `idle ${SETTLE_MS} ms, all live`, gcCell(s.idle), gcCount(s.idle)]);
  const mib = (b) => f(b / 2 ** 20, 0);
  loadRows.push([
    head,
    wc?.failed ? 'FAILED' : f(wc.loadMs / 1000),
    wr?.failed ? 'FAILED' : f(wr.loadMs / 1000),
    wc?.failed || wr?.failed ? 'n/a' : x(wc.loadMs, wr.loadMs),
    f(wc?.cpuUsPerElement),
    f(wr?.cpuUsPerElement),
    s.cairnMemory ? mib(s.cairnMemory.rss) : 'n/a',
    s.redisMemory ? mib(s.redisMemory.rss) : 'n/a',
  ]);
  if (!s.live.cairn) continue;
  const gcRuns = s.live.cairn.map((r) => r.gc);
  const medGc = {
    longestMs: median(gcRuns.map((g) => g.longestMs)),
    longestKind: `median of ${gcRuns.length}; max ${f(Math.max(...gcRuns.map((g) => g.longestMs)))}`,
    count: median(gcRuns.map((g) => g.count)),
    markCompacts: median(gcRuns.map((g) => g.markCompacts)),
    totalMs: median(gcRuns.map((g) => g.totalMs)),
  };
  gcRows.push([head, `live: redis-benchmark ${rbOpts.tests.join(',')}`, gcCell(medGc), gcCount(medGc)]);
  for (const test of rbOpts.tests) {
    const m = (who, k) => {
      const xs = (s.live[who] ?? []).map((r) => r.results[test]?.[k]).filter((v) => typeof v === 'number');
      return xs.length ? median(xs) : null;
    };
    const why = s.live.cairn.map((r) => r.failed[test]).find(Boolean);
    if (why) failures.push(`- ${s.shape} live cairn ${test}: ${why}`);
    liveRows.push([
      head,
      test,
      why ? 'FAILED' : f(m('cairn', 'rps'), 0),
      f(m('redis', 'rps'), 0),
      x(m('cairn', 'rps'), m('redis', 'rps')),
      `${f(m('cairn', 'p99Ms'), 3)} / ${f(m('cairn', 'maxMs'), 3)}`,
      `${f(m('redis', 'p99Ms'), 3)} / ${f(m('redis', 'maxMs'), 3)}`,
      f(m('cairn', 'cpuUsPerRequest')),
      f(m('redis', 'cpuUsPerRequest')),
    ]);
  }
}
const machine = machineInfo();
const command0 = `node bench/gc-types.mjs ${process.argv.slice(2).join(' ')}`.trim();
const md = [
  '# GC pauses with collections: Cairn (and Redis as the reference)',
  '',
  `\`${command0}\`; live phase: \`${benchmarkCommand(rbOpts)}\`, medians of ${RUNS} run(s), order rotated per run.`,
  `- Cairn: \`${all[0]?.commandLines.cairn}\` (default start plus the GC observer)`,
  `- Redis: \`${all[0]?.commandLines.redis}\``,
  `Loading: pipelined RESP over ${SOCKETS} socket(s), ${PER_CMD} members per SADD / one HSET of 100 fields per hash; counts verified.`,
  'GC pauses: perf_hooks entries from bench/lib/gc-observer.mjs preloaded into Cairn, each pause placed in a phase by its start time.',
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}; load average ${machine.loadAverage}.`,
  '',
  '## GC pauses in Cairn',
  '',
  markdownTable(gcHeader, gcRows),
  '',
  '## Loading',
  '',
  markdownTable(loadHeader, loadRows),
  ...(liveRows.length
    ? ['', '## Live phase: redis-benchmark with every element live', '', markdownTable(liveHeader, liveRows)]
    : []),
  ...(failures.length ? ['', 'Failed:', ...failures] : []),
].join('\n');
console.log(md);
const [mdPath] = writeResults('gc-types', md, {
  command: command0,
  rbOpts,
  machine,
  runs: RUNS,
  shapes: all,
});
console.log(`\nwritten to ${mdPath}`);
