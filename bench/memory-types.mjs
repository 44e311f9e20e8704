/**
 * Memory of collections: the same data loaded into Cairn, started as `npm start` runs it (all
 * three doors, snapshots to a fresh temp folder), and into redis-server (no persistence, its
 * default encodings), then INFO used_memory and process RSS (/proc/<pid>/status VmRSS) of each,
 * in total and above the empty server, per element, with the ratio Cairn/Redis and each
 * server's CPU microseconds per element loaded. Scenarios:
 *
 *   hashes       100k hashes of 10 small fields (HSET key f v x10)
 *   big-hash     one hash of 1M fields           (HSET, 100 fields per command)
 *   big-set      one set of 1M members           (SADD, 100 per command)
 *   big-zset     one sorted set of 1M members    (ZADD, 100 per command)
 *   lists        100k lists of 10 items          (RPUSH key x10)
 *   zsets        100k sorted sets of 10 members  (ZADD key s m x10)
 *   intsets      100k sets of 10 integers        (SADD key x10: intset)
 *   sets         100k sets of 10 small strings   (SADD key x10: hashtable)
 *
 * Loading is pipelined raw RESP over a few sockets (bench/lib/loader.mjs runPipelined), then
 * the counts are verified (HLEN/SCARD/ZCARD/LLEN of every key, DBSIZE). A scenario Cairn fails
 * (e.g. a command it does not have yet) is reported as failed and the others go on. Each
 * scenario starts fresh servers; which one loads first alternates; medians of the runs.
 *
 *   npm run bench:memory-types
 *   node bench/memory-types.mjs --scale 0.01 --runs 1 --settle-ms 200     # a quick check
 *   node bench/memory-types.mjs --scenarios hashes,lists
 *
 * Flags: --scenarios (all), --scale F (1: multiplies every count), --runs K (3),
 *        --settle-ms (2000: pause before measuring, for GC and background steps),
 *        --sockets N (2), --cairn-args "..." (appended to the default start, shown in the report).
 */
import { parseArgs } from 'node:util';
import { command, info, runPipelined } from './lib/loader.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { cpuSeconds, cpuUsPer, rotate, rssBytes, startCairn, startRedis } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    scenarios: { type: 'string', default: 'hashes,big-hash,big-set,big-zset,lists,zsets,intsets,sets' },
    scale: { type: 'string', default: '1' },
    runs: { type: 'string', default: '3' },
    'settle-ms': { type: 'string', default: '2000' },
    sockets: { type: 'string', default: '2' },
    'cairn-args': { type: 'string', default: '' },
  },
});
const SCALE = Number(flags.scale);
const RUNS = Number(flags.runs);
const SETTLE_MS = Number(flags['settle-ms']);
const SOCKETS = Number(flags.sockets);
const CAIRN_ARGS = flags['cairn-args'].split(' ').filter(Boolean);
const scaled = (n) => Math.max(1, Math.round(n * SCALE));
/** Elements per command when one collection gets all of them. */
const PER_CMD = 100;

/** Many small collections: `keys` keys of `per` elements, one command per key. */
function many(keys, per, write, count) {
  return {
    keys,
    elements: keys * per,
    load: { count: keys, cmd: (i) => write(i, per) },
    verify: { count: keys, cmd: (i) => [count, keyName(write, i)] },
  };
}
const keyName = (write, i) => write(i, 0)[1];

/** One big collection of `elements`, PER_CMD elements per command. */
function one(elements, write, count) {
  const cmds = Math.ceil(elements / PER_CMD);
  return {
    keys: 1,
    elements,
    load: { count: cmds, cmd: (c) => write(c * PER_CMD, Math.min(PER_CMD, elements - c * PER_CMD)) },
    verify: { count: 1, cmd: () => [count, write(0, 0)[1]] },
  };
}

const SCENARIOS = {
  hashes: () =>
    many(
      scaled(100_000),
      10,
      (i, n) => [
        'HSET',
        `hash:${i}`,
        ...Array.from({ length: n }, (_, j) => [`field${j}`, `v${i % 1000}:${j}`]).flat(),
      ],
      'HLEN',
    ),
  'big-hash': () =>
    one(
      scaled(1_000_000),
      (from, n) => [
        'HSET',
        'bighash',
        ...Array.from({ length: n }, (_, j) => [`field:${from + j}`, `value:${from + j}`]).flat(),
      ],
      'HLEN',
    ),
  'big-set': () =>
    one(
      scaled(1_000_000),
      (from, n) => ['SADD', 'bigset', ...Array.from({ length: n }, (_, j) => `member:${from + j}`)],
      'SCARD',
    ),
  'big-zset': () =>
    one(
      scaled(1_000_000),
      (from, n) => [
        'ZADD',
        'bigzset',
        ...Array.from({ length: n }, (_, j) => [String(from + j), `member:${from + j}`]).flat(),
      ],
      'ZCARD',
    ),
  lists: () =>
    many(
      scaled(100_000),
      10,
      (i, n) => ['RPUSH', `list:${i}`, ...Array.from({ length: n }, (_, j) => `item:${i}:${j}`)],
      'LLEN',
    ),
  zsets: () =>
    many(
      scaled(100_000),
      10,
      (i, n) => [
        'ZADD',
        `zset:${i}`,
        ...Array.from({ length: n }, (_, j) => [String((i % 1000) + j), `member:${j}`]).flat(),
      ],
      'ZCARD',
    ),
  intsets: () =>
    many(
      scaled(100_000),
      10,
      (i, n) => ['SADD', `intset:${i}`, ...Array.from({ length: n }, (_, j) => String(i * 10 + j))],
      'SCARD',
    ),
  sets: () =>
    many(
      scaled(100_000),
      10,
      (i, n) => ['SADD', `set:${i}`, ...Array.from({ length: n }, (_, j) => `m:${i % 1000}:${j}`)],
      'SCARD',
    ),
};
const DESCRIPTIONS = {
  hashes: '100k hashes of 10 small fields',
  'big-hash': 'one hash of 1M fields',
  'big-set': 'one set of 1M members',
  'big-zset': 'one sorted set of 1M members',
  lists: '100k lists of 10 items',
  zsets: '100k sorted sets of 10 members',
  intsets: '100k sets of 10 integers',
  sets: '100k sets of 10 small strings',
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function figures(server) {
  const m = await info(server.port, 'memory');
  return { used: Number(m.used_memory), rss: rssBytes(server.pid) };
}

/** Load one scenario into one running, empty server and measure; never throws for a failed load. */
async function measureOne(server, sc) {
  const empty = await figures(server);
  const cpu0 = cpuSeconds(server.pid);
  const load = await runPipelined(server.port, sc.load.count, sc.load.cmd, { sockets: SOCKETS });
  const cpuUsPerElement = cpuUsPer(cpu0, cpuSeconds(server.pid), sc.elements);
  if (load.errors > 0)
    return { failed: `${load.errors} errors while loading, first: ${load.firstError.slice(0, 80)}` };
  const verify = await runPipelined(server.port, sc.verify.count, sc.verify.cmd, { sockets: SOCKETS });
  const dbsize = await command(server.port, 'DBSIZE');
  if (verify.errors > 0) return { failed: `verify: ${verify.firstError}` };
  if (verify.sum !== sc.elements || dbsize !== sc.keys)
    return {
      failed: `verify: ${verify.sum} elements in ${dbsize} keys, expected ${sc.elements} in ${sc.keys}`,
    };
  await sleep(SETTLE_MS);
  const full = await figures(server);
  return { empty, full, loadMs: load.ms, cpuUsPerElement };
}

const names = flags.scenarios.split(',').map((s) => s.trim());
for (const n of names)
  if (!SCENARIOS[n]) throw new Error(`unknown scenario ${n} (${Object.keys(SCENARIOS).join(', ')})`);
/** samples[scenario][server] = [measureOne result per run] */
const samples = {};
const commandLines = {};
let turn = 0;
for (const name of names) {
  const sc = SCENARIOS[name]();
  samples[name] = { cairn: [], redis: [] };
  for (let run = 0; run < RUNS; run++) {
    const servers = { cairn: await startCairn({ args: CAIRN_ARGS }), redis: await startRedis() };
    for (const k of ['cairn', 'redis']) commandLines[k] = servers[k].commandLine;
    try {
      await sleep(500);
      for (const who of rotate(['cairn', 'redis'], turn++)) {
        const r = await measureOne(servers[who], sc);
        samples[name][who].push(r);
        process.stderr.write(
          `${name} run ${run + 1}/${RUNS} ${who}: ${r.failed ? `FAILED ${r.failed}` : `loaded in ${(r.loadMs / 1000).toFixed(1)} s`}\n`,
        );
      }
    } finally {
      await Promise.all([servers.cairn.stop(), servers.redis.stop()]);
    }
  }
}

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const x = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
const header = [
  'scenario',
  'elements',
  'figure',
  'Cairn B/elem',
  'Redis B/elem',
  'Cairn/Redis',
  'Cairn B/elem above empty',
  'Redis B/elem above empty',
  'ratio above empty',
  'load CPU us/elem Cairn / Redis',
];
const rows = [];
const summary = {};
const failures = [];
for (const name of names) {
  const sc = SCENARIOS[name]();
  const side = (who) => {
    const ok = samples[name][who].filter((r) => !r.failed);
    for (const r of samples[name][who]) if (r.failed) failures.push(`- ${name} ${who}: ${r.failed}`);
    if (ok.length === 0) return null;
    const m = (f) => median(ok.map(f));
    return {
      used: m((r) => r.full.used),
      usedAbove: m((r) => r.full.used - r.empty.used),
      rss: m((r) => r.full.rss),
      rssAbove: m((r) => r.full.rss - r.empty.rss),
      cpuUsPerElement: m((r) => r.cpuUsPerElement ?? Number.NaN),
    };
  };
  const c = side('cairn');
  const d = side('redis');
  summary[name] = { elements: sc.elements, keys: sc.keys, cairn: c, redis: d };
  for (const [fig, above, label] of [
    ['used', 'usedAbove', 'INFO used_memory'],
    ['rss', 'rssAbove', 'process RSS'],
  ]) {
    const per = (s, k) => (s ? s[k] / sc.elements : Number.NaN);
    const cpu = `${fmt(c?.cpuUsPerElement, 2)} / ${fmt(d?.cpuUsPerElement, 2)}`;
    rows.push([
      `${name} (${DESCRIPTIONS[name]}${SCALE !== 1 ? `, scale ${SCALE}` : ''})`,
      sc.elements.toLocaleString('en-US'),
      label,
      c ? fmt(per(c, fig)) : 'FAILED',
      d ? fmt(per(d, fig)) : 'FAILED',
      x(per(c, fig), per(d, fig)),
      c ? fmt(per(c, above)) : 'FAILED',
      d ? fmt(per(d, above)) : 'FAILED',
      x(per(c, above), per(d, above)),
      cpu,
    ]);
  }
}
const machine = machineInfo();
const command0 = `node bench/memory-types.mjs ${process.argv.slice(2).join(' ')}`.trim();
const md = [
  '# Memory of collections: Cairn vs Redis',
  '',
  `\`${command0}\`: medians of ${RUNS} run(s); fresh servers per scenario and run; loaded with pipelined RESP over ${SOCKETS} socket(s), counts verified.`,
  `- Cairn: \`${commandLines.cairn}\` (default start)`,
  `- Redis: \`${commandLines.redis}\` (default encodings)`,
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}; load average ${machine.loadAverage}.`,
  'B/elem: bytes per element (hash field, set or sorted-set member, list item); "above empty": minus the freshly started server\'s figure.',
  "load CPU us/elem: the server's user+system time while loading, per element.",
  '',
  markdownTable(header, rows),
  ...(failures.length ? ['', 'Failed:', ...failures] : []),
].join('\n');
console.log(md);
const [mdPath] = writeResults('memory-types', md, {
  command: command0,
  commandLines,
  machine,
  scale: SCALE,
  runs: RUNS,
  summary,
  samples,
});
console.log(`\nwritten to ${mdPath}`);
