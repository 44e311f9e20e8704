/**
 * gRPC unary throughput and latency: Get and Set of random keys (over 100k keys, all present)
 * with N calls in flight over one channel and over several, against Cairn started as
 * `npm start` runs it (all three doors, snapshots to a fresh temp folder) and, in the same run,
 * a minimal grpc-js server answering the same messages (same .proto, @grpc/proto-loader) from a
 * Map. Each server runs in its own process; the client (the load generator) is this process.
 * Prints the medians of several runs, servers rotated per run, with the ratio Cairn/minimal, and
 * the server CPU time per call (which does not depend on whether the client or the server is
 * the bottleneck). Writes bench/results/grpc-<time>.md/.json.
 *
 *   npm run bench:grpc
 *   node bench/grpc.mjs --seconds 2 --runs 1 --channels 1
 *   node bench/grpc.mjs --light          # also a Cairn in the light configuration, labelled
 *   node bench/grpc.mjs --cairn-port 50051 --cairn-pid 1234   # a Cairn you started (e.g. --cpu-prof)
 *
 * Flags: --seconds S per measurement (2), --warmup-ms (500), --runs K (5), --concurrency N (50),
 *        --channels 1,4, --ops set,get, --keys N (100000), --value-bytes B (32), --cairn-port P,
 *        --cairn-resp-port R (6379; fills your Cairn), --cairn-pid (for its CPU time),
 *        --cairn-args "..." (appended to the default start), --light.
 *        --no-control (skip the second minimal server that measures the noise).
 * Internal: --serve-minimal [--fill N] runs the reference server and prints `{"port":N}`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { loadKeys } from './lib/loader.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { cpuSeconds, LIGHT_LABEL, REPO_ROOT, rotate, startCairn, startNodeServer } from './lib/servers.mjs';

const PROTO = join(REPO_ROOT, 'proto', 'cairn', 'v1', 'cairn.proto');

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    'warmup-ms': { type: 'string', default: '500' },
    runs: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '50' },
    channels: { type: 'string', default: '1,4' },
    ops: { type: 'string', default: 'set,get' },
    keys: { type: 'string', default: '100000' },
    'value-bytes': { type: 'string', default: '32' },
    'cairn-port': { type: 'string', default: '' },
    'cairn-resp-port': { type: 'string', default: '6379' },
    'cairn-pid': { type: 'string', default: '' },
    'cairn-args': { type: 'string', default: '' },
    light: { type: 'boolean', default: false },
    'serve-minimal': { type: 'boolean', default: false },
    fill: { type: 'string', default: '0' },
    control: { type: 'boolean', default: true },
  },
  allowNegative: true,
});

function loadService() {
  const def = protoLoader.loadSync(PROTO, { longs: String, enums: String, defaults: true, oneofs: true });
  return grpc.loadPackageDefinition(def).cairn.v1.CairnService;
}

// ---- the reference: the least a grpc-js server can do to answer Get and Set ----------------
if (flags['serve-minimal']) {
  const CairnService = loadService();
  const map = new Map();
  const value = Buffer.alloc(Number(flags['value-bytes']), 'v');
  for (let i = 0; i < Number(flags.fill); i++) map.set(`key:${i}`, value);
  const server = new grpc.Server();
  server.addService(CairnService.service, {
    Get(call, cb) {
      const v = map.get(call.request.key.toString('latin1'));
      if (v === undefined) cb({ code: grpc.status.NOT_FOUND, details: 'no such key' });
      else cb(null, { value: v });
    },
    Set(call, cb) {
      map.set(call.request.key.toString('latin1'), call.request.value);
      cb(null, {});
    },
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
  process.on('SIGTERM', () => server.forceShutdown());
} else {
  await main();
}

// ---- servers ------------------------------------------------------------------------------

async function startCairnGrpc(light) {
  const c = await startCairn(
    light ? { light: { keepDoors: ['grpc'] } } : { args: flags['cairn-args'].split(' ').filter(Boolean) },
  );
  if (!(c.ports.grpc > 0)) throw new Error('cairn started without its gRPC door');
  return { ...c, port: c.ports.grpc, respPort: c.ports.resp };
}

function startMinimal(keys, valueBytes) {
  const args = ['--serve-minimal', '--fill', String(keys), '--value-bytes', String(valueBytes)];
  return startNodeServer('minimal', fileURLToPath(import.meta.url), args);
}

/** CPU time (user + system) a process has used, in ms. */
function cpuMs(pid) {
  const s = pid ? cpuSeconds(pid) : null;
  return s === null ? Number.NaN : s * 1000;
}

// ---- load ----------------------------------------------------------------------------------

function percentile(sorted, p) {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Store every key once (untimed), so each measured Get is a hit: Cairn through RESP, pipelined. */
async function prefill(target, opts) {
  if (!target.respPort) return; // the minimal server fills its Map at start (--fill)
  const value = Buffer.alloc(opts.valueBytes, 'v');
  await loadKeys(
    target.respPort,
    opts.keys,
    (i) => `key:${i}`,
    () => value,
  );
}

/**
 * Keep `concurrency` calls in flight, spread over `channels` connections, for `seconds`;
 * each finished call starts the next. Returns calls/s, latency percentiles and server CPU.
 */
async function measure({ port, pid }, op, channels, opts) {
  const CairnService = loadService();
  // A local subchannel pool per client: each channel gets its own HTTP/2 connection.
  const clients = Array.from(
    { length: channels },
    () =>
      new CairnService(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
      }),
  );
  await Promise.all(
    clients.map((c) => new Promise((r, j) => c.waitForReady(Date.now() + 5000, (e) => (e ? j(e) : r())))),
  );
  const value = Buffer.alloc(opts.valueBytes, 'v');
  const keys = Array.from({ length: opts.keys }, (_, i) => Buffer.from(`key:${i}`));
  let recording = false;
  let stopping = false;
  let done = 0;
  let errors = 0;
  let lat = new Float64Array(1 << 20);
  const record = (ms) => {
    if (done === lat.length) {
      const grown = new Float64Array(lat.length * 2);
      grown.set(lat);
      lat = grown;
    }
    lat[done++] = ms;
  };
  const workers = Array.from({ length: opts.concurrency }, (_, w) => {
    const client = clients[w % channels];
    return new Promise((resolve) => {
      const issue = () => {
        if (stopping) return resolve();
        const key = keys[Math.floor(Math.random() * keys.length)];
        const t0 = performance.now();
        const cb = (err) => {
          if (recording) {
            if (err) errors++;
            else record(performance.now() - t0);
          }
          issue();
        };
        if (op === 'set') client.Set({ key, value }, cb);
        else client.Get({ key }, cb);
      };
      issue();
    });
  });
  await new Promise((r) => setTimeout(r, opts.warmupMs));
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  recording = true;
  await new Promise((r) => setTimeout(r, opts.seconds * 1000));
  recording = false;
  const elapsedMs = performance.now() - t0;
  const cpu1 = cpuMs(pid);
  stopping = true;
  await Promise.all(workers);
  for (const c of clients) c.close();
  const sorted = lat.slice(0, done).sort();
  return {
    rps: done / (elapsedMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    serverCpuUsPerCall: ((cpu1 - cpu0) * 1000) / Math.max(done, 1),
    errors,
  };
}

// ---- the run -------------------------------------------------------------------------------

async function main() {
  const opts = {
    seconds: Number(flags.seconds),
    warmupMs: Number(flags['warmup-ms']),
    concurrency: Number(flags.concurrency),
    keys: Number(flags.keys),
    valueBytes: Number(flags['value-bytes']),
  };
  const runs = Number(flags.runs);
  const channelCounts = flags.channels.split(',').map(Number);
  const ops = flags.ops.split(',').map((o) => o.trim().toLowerCase());

  const cairn = flags['cairn-port']
    ? {
        port: Number(flags['cairn-port']),
        respPort: Number(flags['cairn-resp-port']),
        pid: flags['cairn-pid'] ? Number(flags['cairn-pid']) : null,
        stop: async () => {},
        commandLine: '(started by you)',
      }
    : await startCairnGrpc(false);
  const minimal = await startMinimal(opts.keys, opts.valueBytes);
  // A second, identical minimal server measured the same way: control/minimal shows how far
  // two equal servers drift apart on this machine, i.e. how much of `ratio` is noise.
  const control = flags.control ? await startMinimal(opts.keys, opts.valueBytes) : null;
  const targets = { cairn, minimal };
  if (control) targets.control = control;
  if (flags.light) targets['cairn-light'] = await startCairnGrpc(true);
  const names = Object.keys(targets);
  await Promise.all(names.map((n) => prefill(targets[n], opts)));
  /** samples[op][channels][target] = per-run results */
  const samples = {};
  try {
    for (let run = 1; run <= runs; run++) {
      for (const channels of channelCounts) {
        for (const op of ops) {
          // Rotate which server goes first, so none always gets the warmer (or busier) machine.
          for (const name of rotate(names, run)) {
            const r = await measure(targets[name], op, channels, opts);
            samples[op] ??= {};
            samples[op][channels] ??= Object.fromEntries(names.map((n) => [n, []]));
            samples[op][channels][name].push(r);
            process.stderr.write(
              `run ${run}/${runs} ${op} ${channels}ch ${name}: ${Math.round(r.rps)} calls/s, ` +
                `p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ` +
                `server ${r.serverCpuUsPerCall.toFixed(1)} µs CPU/call${r.errors ? `, ${r.errors} errors` : ''}\n`,
            );
          }
        }
      }
    }
  } finally {
    await Promise.all(names.map((n) => targets[n].stop()));
  }

  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const header = [
    'op',
    'channels',
    'server',
    'Cairn calls/s',
    'minimal calls/s',
    'ratio',
    'Cairn p50 / p99 ms',
    'minimal p50 / p99 ms',
    'Cairn CPU µs/call',
    'minimal CPU µs/call',
    'CPU ratio',
    ...(control ? ['control ratio'] : []),
  ];
  const rows = [];
  const results = [];
  for (const op of ops) {
    for (const channels of channelCounts) {
      const s = samples[op][channels];
      const m = (name, k) => median(s[name].map((r) => r[k]));
      for (const c of names.filter((n) => n.startsWith('cairn'))) {
        const ratio = m(c, 'rps') / m('minimal', 'rps');
        // Like `ratio`, higher is better for Cairn: minimal's CPU per call over Cairn's.
        const cpuRatio = m('minimal', 'serverCpuUsPerCall') / m(c, 'serverCpuUsPerCall');
        rows.push([
          op.toUpperCase(),
          channels,
          c === 'cairn' ? 'Cairn (default)' : 'Cairn (light)',
          fmt(m(c, 'rps')),
          fmt(m('minimal', 'rps')),
          `${ratio.toFixed(2)}x`,
          `${m(c, 'p50Ms').toFixed(2)} / ${m(c, 'p99Ms').toFixed(2)}`,
          `${m('minimal', 'p50Ms').toFixed(2)} / ${m('minimal', 'p99Ms').toFixed(2)}`,
          m(c, 'serverCpuUsPerCall').toFixed(1),
          m('minimal', 'serverCpuUsPerCall').toFixed(1),
          `${cpuRatio.toFixed(2)}x`,
          ...(control ? [`${(m('control', 'rps') / m('minimal', 'rps')).toFixed(2)}x`] : []),
        ]);
        results.push({ op, channels, server: c, ratio, cpuRatio, ...s });
      }
    }
  }
  const table = markdownTable(header, rows);
  const machine = machineInfo();
  const command = `node bench/grpc.mjs ${process.argv.slice(2).join(' ')}`.trim();
  const md = [
    '# gRPC door: Cairn vs a minimal grpc-js server',
    '',
    `Medians of ${runs} run(s), ${opts.seconds} s each after ${opts.warmupMs} ms warm-up; ${opts.concurrency} calls in flight,`,
    `random keys over ${opts.keys} keys (all present), ${opts.valueBytes}-byte values. Minimal: grpc-js + proto-loader answering Get/Set from a Map.`,
    `Load generator: grpc-js clients in the benchmark process (\`node bench/grpc.mjs\`), one call per key picked at random.`,
    `- Cairn (default): \`${cairn.commandLine}\``,
    ...(targets['cairn-light']
      ? [`- Cairn (light; ${LIGHT_LABEL}): \`${targets['cairn-light'].commandLine}\``]
      : []),
    `- minimal: \`${minimal.commandLine}\``,
    `ratio = Cairn calls/s over minimal calls/s. Server CPU per call is the server process's user+system`,
    `time over the measurement; CPU ratio = minimal's CPU per call over Cairn's (above 1: Cairn cheaper).`,
    ...(control
      ? [`control ratio = a second minimal server over the first: the run-to-run noise of this machine.`]
      : []),
    '',
    table,
    '',
    `Command: \`${command}\``,
    `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}`,
  ].join('\n');
  process.stdout.write(`\n${md}\n`);
  const [mdPath, jsonPath] = writeResults('grpc', md, { command, machine, opts, runs, results });
  process.stdout.write(`\nwrote ${mdPath}\n      ${jsonPath}\n`);
}
