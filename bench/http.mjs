/**
 * HTTP throughput and latency: autocannon GET and PUT of 32-byte values over 100k keys, 50
 * connections, against compiled Cairn's `/v1/keys/{key}` and, in the same run, a bare
 * `node:http` server doing the same Map get/set with JSON.stringify (same JSON shapes as
 * Cairn's answers). Each server runs in its own process; runs rotate which goes first.
 * Prints the medians of several runs with the ratio Cairn/bare, and writes them to
 * bench/results/.
 *
 *   npm run bench:http
 *   node bench/http.mjs --duration 5 --runs 1 --engines map
 *   node bench/http.mjs --cairn-port 8080 --cairn-pid 1234   # a Cairn you started (e.g. under --cpu-prof)
 *
 * Besides throughput and latency it reports each server's CPU time per request (from
 * /proc/<pid>/stat): on a small machine the load generator often saturates first, and CPU per
 * request still shows what each server spends.
 *
 * Flags: --duration S (10), --runs K (3), --connections C (50), --keys N (100000),
 *        --value-bytes B (32), --ops get,put, --engines map,offheap (one Cairn per keyspace
 *        engine), --cairn-port P, --cairn-pid PID, "--cairn-args=--flag value ...".
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
    engines: { type: 'string', default: 'map,offheap' },
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
  const args = [
    main,
    '--port',
    '0',
    '--http-port',
    '0',
    '--grpc-port',
    '-1',
    '--snapshot-store',
    'none',
    ...extra,
  ];
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

/** One server under test: Cairn with an engine, or the bare reference. */
async function startTargets() {
  const targets = [];
  if (flags['cairn-port']) {
    targets.push({
      name: 'cairn',
      port: Number(flags['cairn-port']),
      pid: Number(flags['cairn-pid']) || null,
      stop: async () => {},
    });
  } else {
    const extra = flags['cairn-args'].split(' ').filter(Boolean);
    for (const engine of flags.engines.split(',').map((e) => e.trim())) {
      const t = await startCairnHttp(['--engine', engine, ...extra]);
      targets.push({ name: `cairn ${engine}`, ...t });
    }
  }
  targets.push({ name: 'bare', ...(await startBare()) });
  return targets;
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

  const targets = await startTargets();
  /** samples[target][op] = [{ rps, p50Ms, p99Ms, cpuUsPerReq } per run] */
  const samples = Object.fromEntries(targets.map((t) => [t.name, {}]));
  try {
    // Fill every key once on each (and warm the JIT), so GETs hit.
    for (const t of targets) await load(t, 'put', { ...opts, amount: opts.keys });
    for (let run = 1; run <= runs; run++) {
      for (const op of ops) {
        // Rotate the order, so no server always gets the warmer (or busier) machine.
        const order = targets.map((_, i) => targets[(i + run) % targets.length]);
        for (const t of order) {
          const r = await load(t, op, opts);
          samples[t.name][op] ??= [];
          samples[t.name][op].push(r);
          process.stderr.write(
            `run ${run} ${op} ${t.name}: ${Math.round(r.rps)} req/s p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms` +
              ` cpu ${r.cpuUsPerReq?.toFixed(1) ?? '?'} us/req\n`,
          );
        }
      }
    }
  } finally {
    for (const t of targets) await t.stop();
  }

  const m = (name, op, field) => {
    const v = samples[name][op].map((s) => s[field]);
    return v.some((x) => x === null || x === undefined) ? null : median(v);
  };
  const us = (x) => (x === null ? '?' : x.toFixed(1));
  const rows = [];
  const summary = {};
  for (const op of ops) {
    const bare = {
      rps: m('bare', op, 'rps'),
      p50Ms: m('bare', op, 'p50Ms'),
      p99Ms: m('bare', op, 'p99Ms'),
      cpuUsPerReq: m('bare', op, 'cpuUsPerReq'),
    };
    summary[op] = { bare };
    for (const t of targets) {
      if (t.name === 'bare') continue;
      const s = {
        rps: m(t.name, op, 'rps'),
        p50Ms: m(t.name, op, 'p50Ms'),
        p99Ms: m(t.name, op, 'p99Ms'),
        cpuUsPerReq: m(t.name, op, 'cpuUsPerReq'),
      };
      s.ratio = s.rps / bare.rps;
      // Work per request compared (bare/Cairn CPU time; 1.0 = the same, lower = Cairn does more).
      s.cpuRatio = s.cpuUsPerReq && bare.cpuUsPerReq ? bare.cpuUsPerReq / s.cpuUsPerReq : null;
      summary[op][t.name] = s;
      rows.push([
        op.toUpperCase(),
        t.name,
        Math.round(s.rps),
        Math.round(bare.rps),
        `${s.ratio.toFixed(2)}x`,
        `${s.p50Ms} / ${s.p99Ms}`,
        `${bare.p50Ms} / ${bare.p99Ms}`,
        `${us(s.cpuUsPerReq)} / ${us(bare.cpuUsPerReq)}`,
        s.cpuRatio === null ? '?' : `${s.cpuRatio.toFixed(2)}x`,
      ]);
    }
  }
  const machine = machineInfo();
  const table = markdownTable(
    [
      'op',
      'server',
      'Cairn req/s',
      'bare req/s',
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
      `${opts.keys} keys, ${opts.valueBytes}-byte values; Cairn \`/v1/keys/{key}\` (per keyspace engine, no ` +
      'persistence) vs a bare node:http server over a Map with JSON.stringify, each in its own process.',
    `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; ` +
      `load average at the end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}. CPU us/req: each server's user+system time per request.`,
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
