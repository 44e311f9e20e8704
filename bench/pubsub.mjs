/**
 * Pub/sub fan-out: PUBLISH to one channel with 1, 100 and 1000 subscribers, against Cairn started
 * as `npm start` runs it (all three doors, snapshots to a fresh temp folder) and a real
 * redis-server (no persistence) in the same run; runs rotate which server goes first; the tables
 * show medians of the runs.
 *
 * Throughput: redis-benchmark publishes (`PUBLISH <channel> <payload>`, pipelined, so the
 * publisher is not the bottleneck); the subscribers live in a separate process
 * (bench/lib/pubsub-subscriber.mjs) with one raw TCP socket each that SUBSCRIBEs and only counts
 * bytes (fixed-size payloads: messages = bytes / wire size; each socket must receive exactly the
 * number published, no more). Elapsed runs from the first delivery to the last expected one.
 * Reported: messages delivered per second (publishes x subscribers / elapsed), publishes per
 * second, the server's CPU microseconds per delivered message, and the subscriber process's
 * CPU use (near 100% would mean the reader, not the server, set the pace).
 *
 * Latency: a paced publisher (one raw socket, min(--latency-rate, --latency-deliveries /
 * subscribers) publishes per second) puts process.hrtime.bigint() in each payload; sampled
 * subscriber sockets time each arrival on the same monotonic clock. Reported: p50, p99 and max
 * delivery latency (after --latency-warmup-ms).
 *
 *   npm run bench:pubsub                       # 1, 100, 1000 subscribers, RESP2, 3 runs
 *   node bench/pubsub.mjs --subscribers 1,10 --deliveries 20000 --min-publishes 1000 \
 *     --latency-seconds 1 --runs 1 --warmup 0    # a quick check
 *
 * Flags: --subscribers 1,100,1000, --runs K (3), --resp 2 (2,3 adds RESP3 subscribers),
 *        --modes throughput,latency, --deliveries N (2000000: deliveries per throughput scenario;
 *        publishes = N / subscribers), --min-publishes N (10000), --clients C (10: redis-benchmark
 *        -c), --pipeline P (16: redis-benchmark -P), --payload B (32 bytes), --sub-procs K (1:
 *        subscriber processes sharing the sockets), --latency-rate R (20000 publishes/s at most),
 *        --latency-deliveries D (200000 deliveries/s at most), --latency-seconds S (5),
 *        --latency-warmup-ms (500), --latency-sockets K (10 timed sockets), --stall-ms (10000: a
 *        scenario fails when deliveries stop this long), --warmup N (20000 publishes to the
 *        first subscriber count, per server, untimed), --cairn-args "..." (appended to the start).
 */
import { parseArgs } from 'node:util';
import { customBenchmark, customCommand, requestsFor } from './lib/custom-benchmark.mjs';
import { command } from './lib/loader.mjs';
import { pacedPublish, startSubscribers } from './lib/pubsub-clients.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { cpuSeconds, rotate, startCairn, startRedis } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1,100,1000' },
    runs: { type: 'string', default: '3' },
    resp: { type: 'string', default: '2' },
    modes: { type: 'string', default: 'throughput,latency' },
    deliveries: { type: 'string', default: '2000000' },
    'min-publishes': { type: 'string', default: '10000' },
    clients: { type: 'string', default: '10' },
    pipeline: { type: 'string', default: '16' },
    payload: { type: 'string', default: '32' },
    'sub-procs': { type: 'string', default: '1' },
    'latency-rate': { type: 'string', default: '20000' },
    'latency-deliveries': { type: 'string', default: '200000' },
    'latency-seconds': { type: 'string', default: '5' },
    'latency-warmup-ms': { type: 'string', default: '500' },
    'latency-sockets': { type: 'string', default: '10' },
    'stall-ms': { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '20000' },
    'cairn-args': { type: 'string', default: '' },
  },
});
const list = (s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const SUBSCRIBERS = list(flags.subscribers).map(Number);
const RUNS = Number(flags.runs);
const PROTOCOLS = list(flags.resp).map(Number);
const MODES = list(flags.modes);
const CLIENTS = Number(flags.clients);
const PIPELINE = Number(flags.pipeline);
const PAYLOAD = Number(flags.payload);
const SUB_PROCS = Number(flags['sub-procs']);
const STALL_MS = Number(flags['stall-ms']);
for (const p of PROTOCOLS) if (p !== 2 && p !== 3) throw new Error(`--resp takes 2 and/or 3, not ${p}`);
for (const m of MODES)
  if (m !== 'throughput' && m !== 'latency') throw new Error(`unknown mode ${m} (throughput, latency)`);
if (!(PAYLOAD >= 20)) throw new Error('--payload must be at least 20 bytes (it carries a timestamp)');

const publishesFor = (n) =>
  requestsFor(Math.max(Number(flags['min-publishes']), Math.ceil(Number(flags.deliveries) / n)), PIPELINE);
const rateFor = (n) => Math.min(Number(flags['latency-rate']), Number(flags['latency-deliveries']) / n);
const payload = 'x'.repeat(PAYLOAD);

let channelSeq = 0;
/** A channel of its own per scenario, so no earlier subscriber can ever receive. */
const nextChannel = () => `bench:pubsub:${++channelSeq}`;

async function subscribe(t, n, resp, sampleSockets) {
  const channel = nextChannel();
  const subs = await startSubscribers({
    port: t.port,
    sockets: n,
    procs: SUB_PROCS,
    channel,
    resp,
    payloadSize: PAYLOAD,
    sampleSockets,
    stallMs: STALL_MS,
  });
  const numsub = await command(t.port, 'PUBSUB', 'NUMSUB', channel);
  if (!Array.isArray(numsub) || Number(numsub[1]) !== n) {
    await subs.stop();
    throw new Error(`PUBSUB NUMSUB ${channel} answered ${JSON.stringify(numsub)}, expected ${n}`);
  }
  return { subs, channel };
}

/** One throughput measurement; never throws (a failure comes back as { failed }). */
async function throughput(t, n, resp, publishes = publishesFor(n)) {
  let subs = null;
  let bench = null;
  try {
    const s = await subscribe(t, n, resp, 0);
    subs = s.subs;
    const done = subs.expect(publishes);
    done.catch(() => {});
    const cpu0 = cpuSeconds(t.pid);
    const rb = await customBenchmark({
      port: t.port,
      pid: t.pid,
      clients: CLIENTS,
      requests: publishes,
      pipeline: PIPELINE,
      argv: ['PUBLISH', s.channel, payload],
      onSpawn: (p) => {
        bench = p;
      },
    });
    const d = await done;
    const cpu1 = cpuSeconds(t.pid);
    const extra = await subs.verify();
    if (extra > 0) throw new Error(`${extra} bytes arrived past the ${publishes} messages published`);
    const seconds = Number(d.lastNs - d.firstNs) / 1e9;
    const deliveries = publishes * n;
    return {
      publishes,
      deliveries,
      seconds,
      deliveriesPerSec: deliveries / seconds,
      publishesPerSec: publishes / seconds,
      benchmarkRps: rb.rps,
      cpuUsPerDelivery: cpu0 === null || cpu1 === null ? null : ((cpu1 - cpu0) * 1e6) / deliveries,
      subscriberCpuPct: (d.cpuUs / (seconds * 1e6)) * 100,
    };
  } catch (e) {
    return { failed: e.message };
  } finally {
    if (bench && bench.exitCode === null && bench.signalCode === null) bench.kill('SIGKILL');
    await subs?.stop();
  }
}

/** One latency measurement; never throws. */
async function latency(t, n, resp) {
  let subs = null;
  try {
    const s = await subscribe(t, n, resp, Number(flags['latency-sockets']));
    subs = s.subs;
    const warmupNs = BigInt(Math.round(Number(flags['latency-warmup-ms']) * 1e6));
    subs.measureFrom(process.hrtime.bigint() + warmupNs);
    const rate = rateFor(n);
    const cpu0 = cpuSeconds(t.pid);
    const p = await pacedPublish({
      port: t.port,
      channel: s.channel,
      rate,
      durationMs: Number(flags['latency-seconds']) * 1000,
      payloadSize: PAYLOAD,
      receivers: n,
    });
    if (p.errors > 0) throw new Error(`PUBLISH failed: ${p.firstError}`);
    if (p.wrongReceivers > 0)
      throw new Error(`${p.wrongReceivers} PUBLISH replies did not count ${n} receivers`);
    const d = await subs.expect(p.sent);
    const cpu1 = cpuSeconds(t.pid);
    const extra = await subs.verify();
    if (extra > 0) throw new Error(`${extra} bytes arrived past the ${p.sent} messages published`);
    const ms = (ns) => (ns === null ? null : ns / 1e6);
    return {
      rate,
      achievedRate: p.sent / (p.sendMs / 1000),
      publishes: p.sent,
      samples: d.latency.count,
      p50Ms: ms(d.latency.p50Ns),
      p99Ms: ms(d.latency.p99Ns),
      p999Ms: ms(d.latency.p999Ns),
      maxMs: ms(d.latency.maxNs),
      serverCpuPct: cpu0 === null || cpu1 === null ? null : ((cpu1 - cpu0) / (p.ms / 1000)) * 100,
    };
  } catch (e) {
    return { failed: e.message };
  } finally {
    await subs?.stop();
  }
}

const targets = {};
/** samples[mode][`${n} RESP${resp}`][server] = [result per run] */
const samples = { throughput: {}, latency: {} };
try {
  targets.cairn = await startCairn({ args: flags['cairn-args'].split(' ').filter(Boolean) });
  targets.redis = await startRedis();
  const names = Object.keys(targets);
  if (Number(flags.warmup) > 0 && MODES.includes('throughput')) {
    for (const name of names) {
      const r = await throughput(
        targets[name],
        SUBSCRIBERS[0],
        PROTOCOLS[0],
        requestsFor(Number(flags.warmup), PIPELINE),
      );
      process.stderr.write(`warm-up ${name}: ${r.failed ? `FAILED ${r.failed}` : 'done'}\n`);
    }
  }
  for (let run = 1; run <= RUNS; run++) {
    for (const n of SUBSCRIBERS) {
      for (const resp of PROTOCOLS) {
        const key = `${n} RESP${resp}`;
        // Rotate which server goes first, so none always gets the warmer (or quieter) machine.
        for (const name of rotate(names, run - 1)) {
          for (const mode of MODES) {
            const r =
              mode === 'throughput'
                ? await throughput(targets[name], n, resp)
                : await latency(targets[name], n, resp);
            samples[mode][key] ??= { cairn: [], redis: [] };
            samples[mode][key][name].push(r);
            const what = r.failed
              ? `FAILED ${r.failed}`
              : mode === 'throughput'
                ? `${Math.round(r.deliveriesPerSec)} deliveries/s, ${r.cpuUsPerDelivery?.toFixed(3)} us CPU/delivery, subscriber CPU ${r.subscriberCpuPct.toFixed(0)}%`
                : `${Math.round(r.rate)} publishes/s: p50 ${r.p50Ms?.toFixed(3)} ms, p99 ${r.p99Ms?.toFixed(3)} ms, max ${r.maxMs?.toFixed(3)} ms`;
            process.stderr.write(
              `run ${run}/${RUNS} ${mode} ${n} subscribers RESP${resp} ${name}: ${what}\n`,
            );
          }
        }
      }
    }
  }
} finally {
  await Promise.all(Object.values(targets).map((t) => t.stop()));
}

const fmt = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');
const fixed = (v, digits) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const ratio = (a, b) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a';
/** Median of field `k` over the runs that did not fail (null when all failed). */
const med = (xs, k) => {
  const ok = (xs ?? []).filter((x) => !x.failed && Number.isFinite(x[k]));
  return ok.length ? median(ok.map((x) => x[k])) : null;
};
const failures = [];
for (const mode of MODES)
  for (const [key, bySide] of Object.entries(samples[mode]))
    for (const [name, xs] of Object.entries(bySide))
      for (const x of xs) if (x.failed) failures.push(`- ${mode} ${key} ${name}: ${x.failed}`);

const summary = { throughput: {}, latency: {} };
const tputRows = [];
const latRows = [];
for (const n of SUBSCRIBERS) {
  for (const resp of PROTOCOLS) {
    const key = `${n} RESP${resp}`;
    const tp = samples.throughput[key];
    if (tp) {
      const side = (k) => ({
        deliveriesPerSec: med(tp[k], 'deliveriesPerSec'),
        publishesPerSec: med(tp[k], 'publishesPerSec'),
        cpuUsPerDelivery: med(tp[k], 'cpuUsPerDelivery'),
        subscriberCpuPct: med(tp[k], 'subscriberCpuPct'),
      });
      const c = side('cairn');
      const r = side('redis');
      summary.throughput[key] = { subscribers: n, resp, publishes: publishesFor(n), cairn: c, redis: r };
      tputRows.push([
        n,
        resp,
        publishesFor(n).toLocaleString('en-US'),
        c.deliveriesPerSec === null ? 'FAILED' : fmt(c.deliveriesPerSec),
        r.deliveriesPerSec === null ? 'FAILED' : fmt(r.deliveriesPerSec),
        ratio(c.deliveriesPerSec, r.deliveriesPerSec),
        fmt(c.publishesPerSec),
        fmt(r.publishesPerSec),
        fixed(c.cpuUsPerDelivery, 3),
        fixed(r.cpuUsPerDelivery, 3),
        `${fixed(c.subscriberCpuPct, 0)}% / ${fixed(r.subscriberCpuPct, 0)}%`,
      ]);
    }
    const lt = samples.latency[key];
    if (lt) {
      const side = (k) => ({
        p50Ms: med(lt[k], 'p50Ms'),
        p99Ms: med(lt[k], 'p99Ms'),
        maxMs: med(lt[k], 'maxMs'),
        samples: med(lt[k], 'samples'),
        achievedRate: med(lt[k], 'achievedRate'),
        serverCpuPct: med(lt[k], 'serverCpuPct'),
      });
      const c = side('cairn');
      const r = side('redis');
      summary.latency[key] = { subscribers: n, resp, rate: rateFor(n), cairn: c, redis: r };
      const three = (s) =>
        s.p50Ms === null ? 'FAILED' : `${fixed(s.p50Ms, 3)} / ${fixed(s.p99Ms, 3)} / ${fixed(s.maxMs, 3)}`;
      latRows.push([
        n,
        resp,
        fmt(rateFor(n)),
        fmt(rateFor(n) * n),
        three(c),
        three(r),
        `${fmt(c.samples)} / ${fmt(r.samples)}`,
      ]);
    }
  }
}

const machine = machineInfo();
const command0 = `node bench/pubsub.mjs ${process.argv.slice(2).join(' ')}`.trim();
const benchLine = customCommand({
  clients: CLIENTS,
  requests: '<publishes>',
  pipeline: PIPELINE,
  argv: ['PUBLISH', '<channel>', `<${PAYLOAD} bytes>`],
});
const md = [
  '# Pub/sub fan-out: Cairn vs Redis',
  '',
  `\`${command0}\`: medians of ${RUNS} run(s), both servers on this machine in one run, order rotated per run${Number(flags.warmup) > 0 ? `, after an untimed warm-up of ${flags.warmup} publishes per server` : ''}.`,
  `- Cairn: \`${targets.cairn?.commandLine}\` (${targets.cairn?.config})`,
  `- Redis: \`${targets.redis?.commandLine}\``,
  `- Publisher (throughput): \`${benchLine}\`; publishes = max(${flags['min-publishes']}, ${flags.deliveries} / subscribers), rounded up to a multiple of ${PIPELINE}.`,
  `- Subscribers: ${SUB_PROCS} separate Node process(es) (bench/lib/pubsub-subscriber.mjs), one raw socket per subscriber, SUBSCRIBE, bytes counted; ${PAYLOAD}-byte payloads.`,
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.redis}; load average ${machine.loadAverage}.`,
  '',
  ...(MODES.includes('throughput')
    ? [
        '## Throughput',
        '',
        "deliveries/s: publishes x subscribers / elapsed, elapsed from the first delivery to the last expected one (every socket received exactly the messages published). CPU us/delivery: the server process's user+system time over the scenario per delivered message. Subscriber CPU: the subscriber process(es)' CPU time over elapsed (near 100%: the reader may have set the pace).",
        '',
        markdownTable(
          [
            'subscribers',
            'RESP',
            'publishes',
            'Cairn deliveries/s',
            'Redis deliveries/s',
            'Cairn/Redis',
            'Cairn publishes/s',
            'Redis publishes/s',
            'Cairn CPU us/delivery',
            'Redis CPU us/delivery',
            'subscriber CPU Cairn / Redis',
          ],
          tputRows,
        ),
        '',
      ]
    : []),
  ...(MODES.includes('latency')
    ? [
        '## Delivery latency',
        '',
        `A paced publisher (one raw socket, a batch each millisecond) sends min(${flags['latency-rate']}, ${flags['latency-deliveries']} / subscribers) publishes/s for ${flags['latency-seconds']} s; each payload carries process.hrtime.bigint() at sending; ${flags['latency-sockets']} sampled sockets time the arrival on the same clock. The first ${flags['latency-warmup-ms']} ms are not timed. ms from PUBLISH written to message read.`,
        '',
        markdownTable(
          [
            'subscribers',
            'RESP',
            'publishes/s',
            'deliveries/s',
            'Cairn p50 / p99 / max ms',
            'Redis p50 / p99 / max ms',
            'timed deliveries Cairn / Redis',
          ],
          latRows,
        ),
        '',
      ]
    : []),
  ...(failures.length ? ['Failed:', ...failures] : []),
].join('\n');
console.log(md);
const [mdPath, jsonPath] = writeResults('pubsub', md, {
  date: new Date().toISOString(),
  command: command0,
  publisher: benchLine,
  servers: Object.fromEntries(Object.entries(targets).map(([k, t]) => [k, t.commandLine])),
  machine,
  flags,
  summary,
  samples,
});
console.log(`\nwritten ${mdPath}\n        ${jsonPath}`);
