/**
 * HTTP throughput and latency: autocannon GET and PUT of 32-byte values over 100k keys, 50
 * connections, against compiled Cairn's `/v1/keys/{key}` and, in the same run, a bare
 * `node:http` server doing the same Map get/set with JSON.stringify (same JSON shapes as
 * Cairn's answers). Each server runs in its own process; runs alternate which goes first.
 * Prints the medians of several runs with the ratio Cairn/bare, and writes them to
 * bench/results/.
 *
 *   npm run bench:http
 *   node bench/http.mjs --duration 5 --runs 1
 *   node bench/http.mjs --cairn-port 8080 --cairn-pid 1234   # a Cairn you started (e.g. under --cpu-prof)
 *
 * Besides throughput and latency it reports each server's CPU time per request (from
 * /proc/<pid>/stat): on a small machine the load generator often saturates first, and CPU per
 * request still shows what each server spends.
 *
 * Flags: --duration S (10), --runs K (3), --connections C (50), --keys N (100000),
 *        --value-bytes B (32), --ops get,put, --cairn-port P, --cairn-pid PID, --cairn-args "...".
 * Internal: --bare-server runs the bare reference server and prints its port.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { REPO_ROOT } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    keys: { type: 'string', default: '100000' },
    'value-bytes': { type: 'string', default: '32' },
    ops: { type: 'string', default: 'get,put' },
    'cairn-port': { type: 'string', default: '' },
    'cairn-pid': { type: 'string', default: '' },
    'cairn-args': { type: 'string', default: '' },
    'bare-server': { type: 'boolean', default: false },
  },
});

// ---- the reference: a bare node:http server over a Map ------------------------------------

function serveBare() {
  const map = new Map();
  const PREFIX = '/v1/keys/';
  // The fastest plain form: one write with Content-Length (writeHead before end would chunk).
  const send = (res, status, body) => {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  const server = createServer((req, res) => {
    const url = req.url;
    if (!url.startsWith(PREFIX)) {
      send(res, 404, JSON.stringify({ error: { code: 'not_found', message: 'no route' } }));
      return;
    }
    const key = decodeURIComponent(url.slice(PREFIX.length));
    if (req.method === 'GET') {
      const value = map.get(key);
      if (value === undefined)
        send(res, 404, JSON.stringify({ error: { code: 'not_found', message: 'no such key' } }));
      else send(res, 200, JSON.stringify({ key, value, encoding: 'utf8', ttl_ms: null }));
      return;
    }
    if (req.method === 'PUT') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        map.set(key, body.value);
        send(res, 200, JSON.stringify({ ok: true }));
      });
      return;
    }
    send(res, 405, '{}');
  });
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1', () =>
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`),
  );
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

// ---- the run -------------------------------------------------------------------------------

/** Spawn a node process and resolve with the first JSON line `pick` accepts. */
function spawnServer(args, pick, what) {
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out}`)), 20_000);
    proc.stdout.on('data', (c) => {
      out += c.toString();
      for (const line of out.split('\n')) {
        let rec;
        try {
          rec = JSON.parse(line);
        } catch {
          continue;
        }
        const port = pick(rec);
        if (port === undefined) continue;
        clearTimeout(timer);
        if (!port) reject(new Error(`${what} started without an HTTP port:\n${out}`));
        resolve({ port, pid: proc.pid, stop: () => stop(proc) });
        return;
      }
    });
    proc.stderr.on('data', (c) => {
      out += c.toString();
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${out}`));
    });
  });
}

function stop(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

function startCairnHttp(extra) {
  const main = join(REPO_ROOT, 'dist', 'cli', 'main.js');
  // No persistence (as redis-server --save ''): the door is measured, not snapshots.
  const args = [main, '--port', '0', '--http-port', '0', '--grpc-port', '-1', '--snapshot-store', 'none', ...extra];
  return spawnServer(
    args,
    (rec) => (rec.msg?.includes('ready to accept connections') ? rec.ports.http : undefined),
    'cairn',
  );
}

function startBare() {
  return spawnServer(
    [join(REPO_ROOT, 'bench', 'http.mjs'), '--bare-server'],
    (rec) => rec.port,
    'bare server',
  );
}

function runCannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** Printable, URL-safe keys: `key:000042`. */
function keyPath(i) {
  return `/v1/keys/key:${String(i).padStart(6, '0')}`;
}

function valueFor(i, bytes) {
  return `v${String(i).padStart(6, '0')}`.padEnd(bytes, 'x');
}

const CLOCK_TICKS_PER_S = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far; null when unknown. */
function cpuSeconds(pid) {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat; 12 and 13 after pid and comm.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}

async function load(target, op, { keys, valueBytes, connections, duration, amount }) {
  const port = target.port;
  const cpu0 = cpuSeconds(target.pid);
  let n = 0;
  const body = (i) => JSON.stringify({ value: valueFor(i, valueBytes) });
  const request =
    op === 'get'
      ? {
          method: 'GET',
          setupRequest: (req) => {
            req.path = keyPath(Math.floor(Math.random() * keys));
            return req;
          },
        }
      : {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => {
            // Sequential in the fill run (every key once), random afterwards.
            const i = amount ? n++ % keys : Math.floor(Math.random() * keys);
            req.path = keyPath(i);
            req.body = body(i);
            return req;
          },
        };
  const res = await runCannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    ...(amount ? { amount } : { duration }),
    requests: [request],
  });
  const bad = res.non2xx + res.errors + res.timeouts;
  if (bad > 0) throw new Error(`${op} on port ${port}: ${bad} failed requests (${res.non2xx} non-2xx)`);
  const cpu1 = cpuSeconds(target.pid);
  const cpuUsPerReq = cpu0 === null || cpu1 === null ? null : ((cpu1 - cpu0) * 1e6) / res.requests.total;
  return {
    rps: res.requests.average,
    p50Ms: res.latency.p50,
    p99Ms: res.latency.p99,
    total: res.requests.total,
    cpuUsPerReq,
  };
}

async function main() {
  const opts = {
    keys: Number(flags.keys),
    valueBytes: Number(flags['value-bytes']),
    connections: Number(flags.connections),
    duration: Number(flags.duration),
  };
  const runs = Number(flags.runs);
  const ops = flags.ops.split(',').map((o) => o.trim().toLowerCase());

  const cairn = flags['cairn-port']
    ? { port: Number(flags['cairn-port']), pid: Number(flags['cairn-pid']) || null, stop: async () => {} }
    : await startCairnHttp(flags['cairn-args'].split(' ').filter(Boolean));
  const bare = await startBare();
  const targets = { cairn, bare };
  const samples = { cairn: {}, bare: {} };
  try {
    // Fill every key once on both (and warm the JIT), so GETs hit.
    for (const name of ['cairn', 'bare']) await load(targets[name], 'put', { ...opts, amount: opts.keys });
    for (let run = 1; run <= runs; run++) {
      for (const op of ops) {
        const order = run % 2 === 1 ? ['cairn', 'bare'] : ['bare', 'cairn'];
        for (const name of order) {
          const r = await load(targets[name], op, opts);
          samples[name][op] ??= [];
          samples[name][op].push(r);
          process.stderr.write(
            `run ${run} ${op} ${name}: ${Math.round(r.rps)} req/s p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms` +
              ` cpu ${r.cpuUsPerReq?.toFixed(1) ?? '?'} us/req\n`,
          );
        }
      }
    }
  } finally {
    await cairn.stop();
    await bare.stop();
  }

  const rows = [];
  const summary = {};
  for (const op of ops) {
    const m = (name, field) => {
      const v = samples[name][op].map((s) => s[field]);
      return v.some((x) => x === null) ? null : median(v);
    };
    const s = {
      cairnRps: m('cairn', 'rps'),
      bareRps: m('bare', 'rps'),
      cairnP50Ms: m('cairn', 'p50Ms'),
      cairnP99Ms: m('cairn', 'p99Ms'),
      bareP50Ms: m('bare', 'p50Ms'),
      bareP99Ms: m('bare', 'p99Ms'),
      cairnCpuUsPerReq: m('cairn', 'cpuUsPerReq'),
      bareCpuUsPerReq: m('bare', 'cpuUsPerReq'),
    };
    s.ratio = s.cairnRps / s.bareRps;
    // Efficiency: how much more work per request Cairn does (bare/Cairn CPU, 1.0 = the same).
    s.cpuRatio = s.cairnCpuUsPerReq && s.bareCpuUsPerReq ? s.bareCpuUsPerReq / s.cairnCpuUsPerReq : null;
    const us = (x) => (x === null ? '?' : x.toFixed(1));
    summary[op] = s;
    rows.push([
      op.toUpperCase(),
      Math.round(s.cairnRps),
      Math.round(s.bareRps),
      `${s.ratio.toFixed(2)}x`,
      `${s.cairnP50Ms} / ${s.cairnP99Ms}`,
      `${s.bareP50Ms} / ${s.bareP99Ms}`,
      `${us(s.cairnCpuUsPerReq)} / ${us(s.bareCpuUsPerReq)}`,
      s.cpuRatio === null ? '?' : `${s.cpuRatio.toFixed(2)}x`,
    ]);
  }
  const machine = machineInfo();
  const table = markdownTable(
    [
      'op',
      'Cairn req/s',
      'bare node:http req/s',
      'Cairn/bare',
      'Cairn p50/p99 ms',
      'bare p50/p99 ms',
      'CPU us/req Cairn / bare',
      'CPU bare/Cairn',
    ],
    rows,
  );
  const markdown = [
    `# HTTP benchmark (${new Date().toISOString()})`,
    '',
    `autocannon, ${opts.connections} connections, ${opts.duration} s per run, median of ${runs} runs; ` +
      `${opts.keys} keys, ${opts.valueBytes}-byte values; Cairn \`/v1/keys/{key}\` vs a bare node:http server ` +
      'over a Map with JSON.stringify.',
    `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; ` +
      `load average at the end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}. CPU us/req is each server's user+system time per request.`,
    '',
    table,
  ].join('\n');
  process.stdout.write(`\n${markdown}\n`);
  const files = writeResults('http', markdown, { flags, opts, runs, machine, summary, samples });
  process.stdout.write(`\nwritten: ${files.join(', ')}\n`);
}

// Last, so that every declaration above is initialised.
if (flags['bare-server']) {
  serveBare();
} else {
  await main();
}
