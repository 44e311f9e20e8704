/**
 * gRPC unary throughput and latency: Get and Set with N calls in flight over one channel and
 * over several, against compiled Cairn's gRPC door and, in the same run, a minimal grpc-js
 * server answering the same messages (same .proto, @grpc/proto-loader) from a Map. Each server
 * runs in its own process; the client is this process. Prints the medians of several runs
 * with the ratio Cairn/minimal, and the server CPU time per call (which does not depend on
 * whether the client or the server is the bottleneck). Writes bench/results/grpc-<time>.md/.json.
 *
 *   npm run bench:grpc
 *   node bench/grpc.mjs --seconds 2 --runs 1 --channels 1
 *   node bench/grpc.mjs --cairn-port 50051 --cairn-pid 1234   # a Cairn you started (e.g. --cpu-prof)
 *
 * Flags: --seconds S per measurement (2), --warmup-ms (500), --runs K (5), --concurrency N (50),
 *        --channels 1,4, --ops set,get, --keys N (10000), --value-bytes B (32), --cairn-port P,
 *        --cairn-pid (for its CPU time).
 *        --no-control (skip the second minimal server that measures the noise).
 * Internal: --serve-minimal runs the reference server and prints `port <n>`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { REPO_ROOT } from './lib/servers.mjs';

const PROTO = join(REPO_ROOT, 'proto', 'cairn', 'v1', 'cairn.proto');
/** Linux reports process CPU time in clock ticks of 10 ms (USER_HZ 100). */
const CLOCK_TICK_MS = 10;

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    'warmup-ms': { type: 'string', default: '500' },
    runs: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '50' },
    channels: { type: 'string', default: '1,4' },
    ops: { type: 'string', default: 'set,get' },
    keys: { type: 'string', default: '10000' },
    'value-bytes': { type: 'string', default: '32' },
    'cairn-port': { type: 'string', default: '' },
    'cairn-pid': { type: 'string', default: '' },
    'serve-minimal': { type: 'boolean', default: false },
    control: { type: 'boolean', default: true },
  },
});

function loadService() {
  const def = protoLoader.loadSync(PROTO, { longs: String, enums: String, defaults: true, oneofs: true });
  return grpc.loadPackageDefinition(def).cairn.v1.CairnService;
}

// ---- the reference: the least a grpc-js server can do to answer Get and Set ----------------
if (flags['serve-minimal']) {
  const CairnService = loadService();
  const map = new Map();
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
    process.stdout.write(`port ${port}\n`);
  });
  process.on('SIGTERM', () => server.forceShutdown());
} else {
  await main();
}

// ---- servers -------------------------------------------------------------------------------

function spawnServer(args, portOf) {
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    const onData = (c) => {
      out += c.toString();
      const p = portOf(out);
      if (p !== null) {
        clearTimeout(timer);
        resolve(p);
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const stop = () =>
    new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 10_000).unref();
    });
  return port.then((p) => ({ port: p, pid: proc.pid, stop }));
}

function startCairnGrpc() {
  const main = join(REPO_ROOT, 'dist', 'cli', 'main.js');
  // No persistence, like redis-server --save '': the benchmark measures the door, not snapshots.
  const args = [main, '--port', '0', '--http-port', '-1', '--grpc-port', '0', '--snapshot-store', 'none'];
  return spawnServer(args, (out) => {
    for (const line of out.split('\n')) {
      if (!line.includes('ready to accept connections')) continue;
      try {
        const rec = JSON.parse(line);
        if (!(rec.ports?.grpc > 0)) throw new Error(`cairn started without its gRPC door:\n${out}`);
        return rec.ports.grpc;
      } catch (e) {
        if (e instanceof SyntaxError) continue;
        throw e;
      }
    }
    return null;
  });
}

function startMinimal() {
  return spawnServer([join(REPO_ROOT, 'bench', 'grpc.mjs'), '--serve-minimal'], (out) => {
    const m = /port (\d+)/.exec(out);
    return m ? Number(m[1]) : null;
  });
}

/** CPU time (user + system) a process has used, in ms. */
function cpuMs(pid) {
  if (pid === null) return Number.NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

// ---- load ----------------------------------------------------------------------------------

function percentile(sorted, p) {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Store every key once (untimed), so each measured Get is a hit on either server. */
async function prefill({ port }, opts) {
  const CairnService = loadService();
  const client = new CairnService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const value = Buffer.alloc(opts.valueBytes, 'v');
  let next = 0;
  const worker = () =>
    new Promise((resolve, reject) => {
      const issue = () => {
        if (next >= opts.keys) return resolve();
        client.Set({ key: Buffer.from(`key:${next++}`), value }, (err) => (err ? reject(err) : issue()));
      };
      issue();
    });
  await Promise.all(Array.from({ length: 16 }, worker));
  client.close();
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
  let next = 0;
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
        const key = keys[next++ % keys.length];
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
        pid: flags['cairn-pid'] ? Number(flags['cairn-pid']) : null,
        stop: async () => {},
      }
    : await startCairnGrpc();
  const minimal = await startMinimal();
  // A second, identical minimal server measured the same way: control/minimal shows how far
  // two equal servers drift apart on this machine, i.e. how much of `ratio` is noise.
  const control = flags.control ? await startMinimal() : null;
  const targets = control ? { cairn, minimal, control } : { cairn, minimal };
  const names = Object.keys(targets);
  await Promise.all(names.map((n) => prefill(targets[n], opts)));
  /** samples[op][channels][target] = per-run results */
  const samples = {};
  try {
    for (let run = 1; run <= runs; run++) {
      for (const channels of channelCounts) {
        for (const op of ops) {
          // Rotate which server goes first, so none always gets the warmer (or busier) machine.
          const order = names.map((_, i) => names[(i + run) % names.length]);
          for (const name of order) {
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
      const ratio = m('cairn', 'rps') / m('minimal', 'rps');
      // Like `ratio`, higher is better for Cairn: minimal's CPU per call over Cairn's.
      const cpuRatio = m('minimal', 'serverCpuUsPerCall') / m('cairn', 'serverCpuUsPerCall');
      rows.push([
        op.toUpperCase(),
        channels,
        fmt(m('cairn', 'rps')),
        fmt(m('minimal', 'rps')),
        `${ratio.toFixed(2)}x`,
        `${m('cairn', 'p50Ms').toFixed(2)} / ${m('cairn', 'p99Ms').toFixed(2)}`,
        `${m('minimal', 'p50Ms').toFixed(2)} / ${m('minimal', 'p99Ms').toFixed(2)}`,
        m('cairn', 'serverCpuUsPerCall').toFixed(1),
        m('minimal', 'serverCpuUsPerCall').toFixed(1),
        `${cpuRatio.toFixed(2)}x`,
        ...(control ? [`${(m('control', 'rps') / m('minimal', 'rps')).toFixed(2)}x`] : []),
      ]);
      results.push({ op, channels, ratio, cpuRatio, ...s });
    }
  }
  const table = markdownTable(header, rows);
  const machine = machineInfo();
  const command = `node bench/grpc.mjs ${process.argv.slice(2).join(' ')}`.trim();
  const md = [
    '# gRPC door: Cairn vs a minimal grpc-js server',
    '',
    `Medians of ${runs} run(s), ${opts.seconds} s each after ${opts.warmupMs} ms warm-up; ${opts.concurrency} calls in flight,`,
    `${opts.keys} keys, ${opts.valueBytes}-byte values. Minimal: grpc-js + proto-loader answering Get/Set from a Map.`,
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
