/**
 * Streams: XADD, XREADGROUP and XACK throughput and the memory of a 1M-entry stream, against
 * Cairn started as `npm start` runs it (all three doors, snapshots to a fresh temp folder) and a
 * real redis-server (no persistence) in the same run; runs rotate which server goes first; the
 * tables show medians of the runs and each server's CPU microseconds per request. Scenarios:
 *
 *   xadd        redis-benchmark `XADD bench:stream:__rand_int__ * field value` over --streams
 *               streams (-r), at each pipeline; then XLEN of every stream must add up to the
 *               requests sent.
 *   xreadgroup  one stream pre-filled with reads x 10 entries (IDs 1-0, 2-0, ...), a consumer
 *               group at 0; redis-benchmark `XREADGROUP GROUP g c__rand_int__ COUNT 10 STREAMS
 *               bench:queue >` (--consumers consumer names, -r), at each pipeline; XPENDING must
 *               then count every entry. Then XACK of 10 IDs per command over the same number of
 *               clients and pipeline (bench/lib/resp-clients.mjs: redis-benchmark cannot name
 *               the IDs), whose replies must add up to every entry.
 *   memory      one stream of --entries entries (`XADD bench:mem * field value:<i>`, pipelined),
 *               XLEN verified; INFO used_memory and process RSS above the freshly started
 *               server, per entry, Cairn/Redis, and the load's CPU us per entry. Fresh servers
 *               per run, like bench/memory-types.mjs.
 *   pel         pending entries: one stream of --pel-entries entries, a group at 0, then
 *               XREADGROUP COUNT 1000 by 10 consumers in turn until all are pending (XPENDING
 *               verified); INFO used_memory and RSS after reading minus after loading, per
 *               pending entry. Fresh servers per run.
 *
 * A scenario a server fails (a stream command Cairn does not have yet, a count that does not
 * verify) is reported as failed for that server and the others go on.
 *
 *   npm run bench:streams
 *   node bench/streams.mjs --requests 20000 --reads 2000 --entries 20000 --runs 1 \
 *     --warmup 0 --settle-ms 200                 # a quick check
 *
 * Flags: --scenarios xadd,xreadgroup,memory,pel, --runs K (3), --pipelines 1,16, --clients C (50),
 *        --requests N (1000000 XADDs), --streams K (1000: -r of XADD), --reads N (100000
 *        XREADGROUP calls of COUNT 10), --consumers K (50), --entries N (1000000: memory),
 *        --pel-entries N (1000000: pel), --settle-ms (2000: pause before measuring memory), --warmup N (20000 XADDs at
 *        pipeline 16 per server, untimed), --cairn-args "..." (appended to the default start).
 */
import { parseArgs } from 'node:util';
import { customCommand, requestsFor } from './lib/custom-benchmark.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { rotate, startCairn, startRedis } from './lib/servers.mjs';
import {
  BATCH,
  memory,
  pelMemory,
  XADD_ARGV,
  XREAD_ARGV,
  xadd,
  xreadgroup,
} from './lib/stream-scenarios.mjs';

const { values: flags } = parseArgs({
  options: {
    scenarios: { type: 'string', default: 'xadd,xreadgroup,memory,pel' },
    runs: { type: 'string', default: '3' },
    pipelines: { type: 'string', default: '1,16' },
    clients: { type: 'string', default: '50' },
    requests: { type: 'string', default: '1000000' },
    streams: { type: 'string', default: '1000' },
    reads: { type: 'string', default: '100000' },
    consumers: { type: 'string', default: '50' },
    entries: { type: 'string', default: '1000000' },
    'pel-entries': { type: 'string', default: '1000000' },
    'settle-ms': { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '20000' },
    'cairn-args': { type: 'string', default: '' },
  },
});
const list = (s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const SCENARIOS = list(flags.scenarios);
for (const s of SCENARIOS)
  if (!['xadd', 'xreadgroup', 'memory', 'pel'].includes(s))
    throw new Error(`unknown scenario ${s} (xadd, xreadgroup, memory, pel)`);
const RUNS = Number(flags.runs);
const PIPELINES = list(flags.pipelines).map(Number);
const CLIENTS = Number(flags.clients);
const STREAMS = Number(flags.streams);
const CONSUMERS = Number(flags.consumers);
const ENTRIES = Number(flags.entries);
const PEL_ENTRIES = Number(flags['pel-entries']);
const CAIRN_ARGS = flags['cairn-args'].split(' ').filter(Boolean);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** samples[test][`P${pipeline}`][server] = [result per run]; memory[server] = [result per run] */
const samples = {};
const mem = { cairn: [], redis: [] };
const pel = { cairn: [], redis: [] };
const commandLines = {};
const push = (run, test, pipeline, name, r) => {
  samples[test] ??= {};
  samples[test][pipeline] ??= { cairn: [], redis: [] };
  samples[test][pipeline][name].push(r);
  const what = r.failed
    ? `FAILED ${r.failed}`
    : `${Math.round(r.rps)} rps, ${r.cpuUsPerRequest?.toFixed(2)} us CPU/req`;
  process.stderr.write(`run ${run + 1}/${RUNS} ${test} P${pipeline} ${name}: ${what}\n`);
};

if (SCENARIOS.includes('xadd') || SCENARIOS.includes('xreadgroup')) {
  const targets = {};
  try {
    targets.cairn = await startCairn({ args: CAIRN_ARGS });
    targets.redis = await startRedis();
    for (const k of ['cairn', 'redis']) commandLines[k] = targets[k].commandLine;
    if (Number(flags.warmup) > 0)
      for (const name of ['cairn', 'redis'])
        await xadd(targets[name], {
          clients: CLIENTS,
          pipeline: 16,
          requests: requestsFor(Number(flags.warmup), 16),
          streams: STREAMS,
        });
    for (let run = 0; run < RUNS; run++) {
      for (const pipeline of PIPELINES) {
        // Rotate which server goes first, so none always gets the warmer (or quieter) machine.
        for (const name of rotate(['cairn', 'redis'], run)) {
          const t = targets[name];
          if (SCENARIOS.includes('xadd'))
            push(
              run,
              'XADD',
              pipeline,
              name,
              await xadd(t, {
                clients: CLIENTS,
                pipeline,
                requests: requestsFor(Number(flags.requests), pipeline),
                streams: STREAMS,
              }),
            );
          if (SCENARIOS.includes('xreadgroup')) {
            const r = await xreadgroup(t, {
              clients: CLIENTS,
              pipeline,
              reads: requestsFor(Number(flags.reads), pipeline),
              consumers: CONSUMERS,
            });
            push(run, 'XREADGROUP', pipeline, name, r.failed ? r : r.xreadgroup);
            push(run, 'XACK', pipeline, name, r.failed ? r : r.xack);
          }
        }
      }
    }
  } finally {
    await Promise.all(Object.values(targets).map((t) => t.stop()));
  }
}

if (SCENARIOS.includes('memory')) {
  for (let run = 0; run < RUNS; run++) {
    const servers = {};
    try {
      servers.cairn = await startCairn({ args: CAIRN_ARGS });
      servers.redis = await startRedis();
      for (const k of ['cairn', 'redis']) commandLines[k] = servers[k].commandLine;
      await sleep(500);
      for (const who of rotate(['cairn', 'redis'], run)) {
        const r = await memory(servers[who], { entries: ENTRIES, settleMs: Number(flags['settle-ms']) });
        mem[who].push(r);
        process.stderr.write(
          `memory run ${run + 1}/${RUNS} ${who}: ${r.failed ? `FAILED ${r.failed}` : `loaded in ${(r.loadMs / 1000).toFixed(1)} s`}\n`,
        );
      }
    } finally {
      await Promise.all(Object.values(servers).map((s) => s.stop()));
    }
  }
}

if (SCENARIOS.includes('pel')) {
  for (let run = 0; run < RUNS; run++) {
    const servers = {};
    try {
      servers.cairn = await startCairn({ args: CAIRN_ARGS });
      servers.redis = await startRedis();
      for (const k of ['cairn', 'redis']) commandLines[k] = servers[k].commandLine;
      for (const who of rotate(['cairn', 'redis'], run)) {
        const r = await pelMemory(servers[who], {
          entries: PEL_ENTRIES,
          settleMs: Number(flags['settle-ms']),
        });
        pel[who].push(r);
        process.stderr.write(
          `pel run ${run + 1}/${RUNS} ${who}: ${r.failed ? `FAILED ${r.failed}` : `read in ${(r.readMs / 1000).toFixed(1)} s`}\n`,
        );
      }
    } finally {
      await Promise.all(Object.values(servers).map((s) => s.stop()));
    }
  }
}

const fmt = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');
const fixed = (v, digits) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const x = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
const med = (xs, k) => {
  const ok = (xs ?? []).filter((r) => !r.failed && Number.isFinite(r[k]));
  return ok.length ? median(ok.map((r) => r[k])) : null;
};
const failures = [];
const DESCRIBE = {
  XADD: `1 entry, ${STREAMS} streams`,
  XREADGROUP: `COUNT ${BATCH}, 1 stream, ${CONSUMERS} consumers`,
  XACK: `${BATCH} IDs`,
};
const GENERATOR = {
  XADD: (p) =>
    customCommand({
      clients: CLIENTS,
      requests: requestsFor(Number(flags.requests), p),
      pipeline: p,
      keyspace: STREAMS,
      argv: XADD_ARGV,
    }),
  XREADGROUP: (p) =>
    customCommand({
      clients: CLIENTS,
      requests: requestsFor(Number(flags.reads), p),
      pipeline: p,
      keyspace: CONSUMERS,
      argv: XREAD_ARGV,
    }),
  XACK: (p) =>
    `bench/lib/resp-clients.mjs: ${CLIENTS} clients, pipeline ${p}, XACK bench:queue g <10 IDs read>`,
};
const tputRows = [];
const summary = { throughput: {}, memory: null, pel: null };
for (const [test, byPipeline] of Object.entries(samples)) {
  for (const [pipeline, bySide] of Object.entries(byPipeline)) {
    for (const [name, xs] of Object.entries(bySide))
      for (const r of xs) if (r.failed) failures.push(`- ${test} P${pipeline} ${name}: ${r.failed}`);
    const side = (k) => ({
      rps: med(bySide[k], 'rps'),
      p50Ms: med(bySide[k], 'p50Ms'),
      p99Ms: med(bySide[k], 'p99Ms'),
      cpuUsPerRequest: med(bySide[k], 'cpuUsPerRequest'),
      serverCpuPct: med(bySide[k], 'serverCpuPct'),
    });
    const c = side('cairn');
    const r = side('redis');
    summary.throughput[`${test} P${pipeline}`] = {
      test,
      pipeline: Number(pipeline),
      command: GENERATOR[test](Number(pipeline)),
      cairn: c,
      redis: r,
    };
    const lat = (s) => (s.p50Ms === null ? 'n/a' : `${fixed(s.p50Ms, 3)} / ${fixed(s.p99Ms, 3)}`);
    tputRows.push([
      test,
      DESCRIBE[test],
      pipeline,
      c.rps === null ? 'FAILED' : fmt(c.rps),
      r.rps === null ? 'FAILED' : fmt(r.rps),
      x(c.rps, r.rps),
      lat(c),
      lat(r),
      fixed(c.cpuUsPerRequest, 2),
      fixed(r.cpuUsPerRequest, 2),
    ]);
  }
}

const memRows = [];
if (SCENARIOS.includes('memory')) {
  const side = (who) => {
    for (const r of mem[who]) if (r.failed) failures.push(`- memory ${who}: ${r.failed}`);
    const ok = mem[who].filter((r) => !r.failed);
    if (ok.length === 0) return null;
    const m = (f) => median(ok.map(f));
    return {
      used: m((r) => r.full.used),
      usedAbove: m((r) => r.full.used - r.empty.used),
      rss: m((r) => r.full.rss),
      rssAbove: m((r) => r.full.rss - r.empty.rss),
      cpuUsPerEntry: m((r) => r.cpuUsPerEntry ?? Number.NaN),
    };
  };
  const c = side('cairn');
  const d = side('redis');
  summary.memory = { entries: ENTRIES, cairn: c, redis: d };
  const per = (s, k) => (s ? s[k] / ENTRIES : Number.NaN);
  for (const [fig, above, label] of [
    ['used', 'usedAbove', 'INFO used_memory'],
    ['rss', 'rssAbove', 'process RSS'],
  ]) {
    memRows.push([
      label,
      c ? fixed(per(c, fig), 1) : 'FAILED',
      d ? fixed(per(d, fig), 1) : 'FAILED',
      x(per(c, fig), per(d, fig)),
      c ? fixed(per(c, above), 1) : 'FAILED',
      d ? fixed(per(d, above), 1) : 'FAILED',
      x(per(c, above), per(d, above)),
      `${fixed(c?.cpuUsPerEntry, 2)} / ${fixed(d?.cpuUsPerEntry, 2)}`,
    ]);
  }
}

const pelRows = [];
if (SCENARIOS.includes('pel')) {
  const side = (who) => {
    for (const r of pel[who]) if (r.failed) failures.push(`- pel ${who}: ${r.failed}`);
    const ok = pel[who].filter((r) => !r.failed);
    if (ok.length === 0) return null;
    const m = (f) => median(ok.map(f)) / PEL_ENTRIES;
    return {
      used: m((r) => r.full.used - r.loaded.used),
      rss: m((r) => r.full.rss - r.loaded.rss),
      cpuUsPerEntry: m((r) => (r.cpuUsPerEntry ?? Number.NaN) * PEL_ENTRIES),
    };
  };
  const c = side('cairn');
  const d = side('redis');
  summary.pel = { entries: PEL_ENTRIES, cairn: c, redis: d };
  for (const [fig, label] of [
    ['used', 'INFO used_memory'],
    ['rss', 'process RSS'],
  ])
    pelRows.push([
      label,
      c ? fixed(c[fig], 1) : 'FAILED',
      d ? fixed(d[fig], 1) : 'FAILED',
      x(c?.[fig], d?.[fig]),
      `${fixed(c?.cpuUsPerEntry, 2)} / ${fixed(d?.cpuUsPerEntry, 2)}`,
    ]);
}

const machine = machineInfo();
const command0 = `node bench/streams.mjs ${process.argv.slice(2).join(' ')}`.trim();
const md = [
  '# Streams: Cairn vs Redis',
  '',
  `\`${command0}\`: medians of ${RUNS} run(s), both servers on this machine in one run, order rotated per run.`,
  `- Cairn: \`${commandLines.cairn}\` (default start)`,
  `- Redis: \`${commandLines.redis}\``,
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}; load average ${machine.loadAverage}.`,
  '',
  ...(tputRows.length
    ? [
        '## Throughput',
        '',
        `Requests per second and latency from redis-benchmark (XACK: the replies counted by bench/lib/resp-clients.mjs, no latency); CPU us/req: the server process's user+system time per request. Every count is verified (XLEN of every stream after XADD, XPENDING after XREADGROUP, XACK's replies). Commands (the port is each server's):`,
        ...Object.values(summary.throughput).map((s) => `- ${s.test} P${s.pipeline}: \`${s.command}\``),
        '',
        markdownTable(
          [
            'test',
            'per request',
            'pipeline',
            'Cairn rps',
            'Redis rps',
            'Cairn/Redis',
            'Cairn p50 / p99 ms',
            'Redis p50 / p99 ms',
            'Cairn CPU us/req',
            'Redis CPU us/req',
          ],
          tputRows,
        ),
        '',
        ...Object.values(summary.throughput)
          .filter((s) => s.test === 'XACK')
          .map(
            (s) =>
              `XACK P${s.pipeline}: the server was busy ${fixed(s.cairn.serverCpuPct, 0)}% (Cairn) / ${fixed(s.redis.serverCpuPct, 0)}% (Redis) of the time; well under 100% means the Node client set the pace, and CPU us/req is the figure to compare.`,
          ),
        '',
      ]
    : []),
  ...(memRows.length
    ? [
        `## Memory of one stream of ${ENTRIES.toLocaleString('en-US')} entries`,
        '',
        `\`XADD bench:mem * field value:<i>\`, pipelined raw RESP (bench/lib/resp-clients.mjs), XLEN verified; fresh servers per run, measured ${flags['settle-ms']} ms after loading. B/entry: bytes per entry; "above empty": minus the freshly started server's figure. Load CPU: the server's user+system time while loading, per entry.`,
        '',
        markdownTable(
          [
            'figure',
            'Cairn B/entry',
            'Redis B/entry',
            'Cairn/Redis',
            'Cairn B/entry above empty',
            'Redis B/entry above empty',
            'ratio above empty',
            'load CPU us/entry Cairn / Redis',
          ],
          memRows,
        ),
        '',
      ]
    : []),
  ...(pelRows.length
    ? [
        `## Memory of ${PEL_ENTRIES.toLocaleString('en-US')} pending entries`,
        '',
        `One stream of ${PEL_ENTRIES.toLocaleString('en-US')} entries (loaded as above), a group at 0, then \`XREADGROUP GROUP g c<i mod 10> COUNT 1000 STREAMS bench:pel >\` until every entry is pending (XPENDING verified); fresh servers per run. B/pending entry: the figure after reading minus after loading (each ${flags['settle-ms']} ms after), per entry: the group's and the consumers' PELs. Read CPU: the server's user+system time while reading, per entry.`,
        '',
        markdownTable(
          [
            'figure',
            'Cairn B/pending entry',
            'Redis B/pending entry',
            'Cairn/Redis',
            'read CPU us/entry Cairn / Redis',
          ],
          pelRows,
        ),
        '',
      ]
    : []),
  ...(failures.length ? ['Failed:', ...failures] : []),
].join('\n');
console.log(md);
const [mdPath, jsonPath] = writeResults('streams', md, {
  date: new Date().toISOString(),
  command: command0,
  commandLines,
  machine,
  flags,
  summary,
  samples,
  memory: mem,
  pel,
});
console.log(`\nwritten ${mdPath}\n        ${jsonPath}`);
