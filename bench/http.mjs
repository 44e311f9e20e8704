/**
 * HTTP throughput, latency and CPU per request: wrk (installed with apt-get when missing) with
 * random keys over 100k keys and 32-byte values, GET /v1/keys/{key}, PUT /v1/keys/{key} and
 * POST /v1/kv, against Cairn started as `npm start` runs it (all three doors, snapshots to a
 * fresh temp folder) and, in the same run, a bare `node:http` server doing the same Map get/set
 * with JSON.stringify (same JSON shapes as Cairn's answers). Each server runs in its own process;
 * runs rotate which goes first. wrk's Lua script (random keys, JSON bodies) is written to
 * os.tmpdir() at run time. Both servers hold every key before the first measurement (Cairn
 * filled through RESP, the bare server in process), so every GET is a hit. Prints medians with
 * the ratio Cairn/bare, each server's CPU microseconds per request and the wrk command; writes
 * bench/results/http-<time>.md/.json.
 *
 *   npm run bench:http
 *   node bench/http.mjs --seconds 3 --runs 1
 *   node bench/http.mjs --light                 # also a Cairn in the light configuration, labelled
 *   node bench/http.mjs --cairn-port 8080 --cairn-resp-port 6379 --cairn-pid 1234   # your Cairn
 *
 * Flags: --seconds S (10), --warmup S (2 per op and server, untimed), --runs K (3),
 *        --connections C (50), --threads T (1: wrk's threads; the rest of the machine is the
 *        servers'), --keys N (100000),
 *        --value-bytes B (32), --ops get,put,post, --light, --cairn-args "..." (appended to
 *        the default start), --cairn-port, --cairn-resp-port, --cairn-pid.
 * Internal: --bare-server [--fill N] runs the bare reference server and prints {"port":N}.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadKeys } from './lib/loader.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { cpuSeconds, cpuUsPer, LIGHT_LABEL, rotate, startCairn, startNodeServer } from './lib/servers.mjs';
import { ensureWrk, keyOf, runWrk, valueAt, writeWrkScript, wrkArgs } from './lib/wrk.mjs';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    runs: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    threads: { type: 'string', default: '1' },
    keys: { type: 'string', default: '100000' },
    'value-bytes': { type: 'string', default: '32' },
    ops: { type: 'string', default: 'get,put,post' },
    light: { type: 'boolean', default: false },
    'cairn-args': { type: 'string', default: '' },
    'cairn-port': { type: 'string', default: '' },
    'cairn-resp-port': { type: 'string', default: '6379' },
    'cairn-pid': { type: 'string', default: '' },
    'bare-server': { type: 'boolean', default: false },
    fill: { type: 'string', default: '0' },
  },
});
const opts = {
  keys: Number(flags.keys),
  valueBytes: Number(flags['value-bytes']),
  connections: Number(flags.connections),
  threads: Number(flags.threads),
  seconds: Number(flags.seconds),
};

// ---- the reference: a bare node:http server over a Map ------------------------------------

function serveBare() {
  const map = new Map();
  for (let i = 0; i < Number(flags.fill); i++) map.set(keyOf(i), valueAt(i, opts.valueBytes));
  const PREFIX = '/v1/keys/';
  // The fastest plain form: one write with Content-Length (writeHead before end would chunk).
  const send = (res, status, body) => {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  const withBody = (req, fn) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => fn(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
  };
  const server = createServer((req, res) => {
    const url = req.url;
    if (req.method === 'POST' && url === '/v1/kv') {
      withBody(req, (body) => {
        map.set(body.key, body.value);
        send(res, 200, JSON.stringify({ ok: true }));
      });
      return;
    }
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
      withBody(req, (body) => {
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

async function startTargets() {
  const targets = [];
  if (flags['cairn-port']) {
    targets.push({
      name: 'cairn',
      port: Number(flags['cairn-port']),
      respPort: Number(flags['cairn-resp-port']),
      pid: Number(flags['cairn-pid']) || null,
      stop: async () => {},
      commandLine: '(started by you)',
    });
  } else {
    const c = await startCairn({ args: flags['cairn-args'].split(' ').filter(Boolean) });
    targets.push({ ...c, port: c.ports.http, respPort: c.ports.resp });
  }
  if (flags.light) {
    const c = await startCairn({ light: { keepDoors: ['http'] } });
    targets.push({ ...c, name: 'cairn-light', port: c.ports.http, respPort: c.ports.resp });
  }
  const script = fileURLToPath(import.meta.url);
  const bareArgs = ['--bare-server', '--fill', String(opts.keys), '--value-bytes', String(opts.valueBytes)];
  targets.push(await startNodeServer('bare', script, bareArgs));
  // Every key present before the first measurement, so GETs hit on every server.
  for (const t of targets) {
    if (t.respPort) await loadKeys(t.respPort, opts.keys, keyOf, (i) => valueAt(i, opts.valueBytes));
  }
  return targets;
}

/** `warmup`: socket errors (wrk's 2 s timeouts while a route compiles on first use) are allowed. */
async function load(target, op, script, seconds, warmup = false) {
  const cpu0 = cpuSeconds(target.pid);
  const r = await runWrk({ url: `http://127.0.0.1:${target.port}`, script, ...opts, seconds });
  const cpu1 = cpuSeconds(target.pid);
  if (warmup && r.errors > 0)
    console.log(`warm-up ${op} on ${target.name}: ${r.errors} socket errors (ignored)`);
  if ((warmup ? 0 : r.errors) + r.non2xx > 0)
    throw new Error(`${op} on ${target.name}: ${r.errors} socket errors, ${r.non2xx} non-2xx answers`);
  return { ...r, cpuUsPerReq: cpuUsPer(cpu0, cpu1, r.total) };
}

async function main() {
  ensureWrk();
  const runs = Number(flags.runs);
  const ops = flags.ops.split(',').map((o) => o.trim().toLowerCase());
  const scripts = Object.fromEntries(ops.map((op) => [op, writeWrkScript(op, opts)]));
  const targets = await startTargets();
  const names = targets.map((t) => t.name);
  /** samples[target][op] = [{ rps, p50Ms, p99Ms, cpuUsPerReq } per run] */
  const samples = Object.fromEntries(names.map((n) => [n, {}]));
  try {
    // Warm the JIT of every server on every op (untimed).
    for (const t of targets) for (const op of ops) await load(t, op, scripts[op], Number(flags.warmup), true);
    for (let run = 1; run <= runs; run++) {
      for (const op of ops) {
        // Rotate the order, so no server always gets the warmer (or busier) machine.
        for (const t of rotate(targets, run - 1)) {
          const r = await load(t, op, scripts[op], opts.seconds);
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
    for (const path of Object.values(scripts)) rmSync(dirname(path), { recursive: true, force: true });
  }

  const m = (name, op, field) => {
    const v = samples[name][op].map((s) => s[field]);
    return v.some((x) => x === null || x === undefined) ? null : median(v);
  };
  const us = (x) => (x === null ? '?' : x.toFixed(1));
  const ms = (x) => (x === null ? '?' : x.toFixed(2));
  const rows = [];
  const summary = {};
  for (const op of ops) {
    const side = (n) => ({
      rps: m(n, op, 'rps'),
      p50Ms: m(n, op, 'p50Ms'),
      p99Ms: m(n, op, 'p99Ms'),
      cpuUsPerReq: m(n, op, 'cpuUsPerReq'),
    });
    const bare = side('bare');
    summary[op] = { bare };
    for (const name of names.filter((n) => n !== 'bare')) {
      const s = side(name);
      s.ratio = s.rps / bare.rps;
      // Work per request compared (bare/Cairn CPU time; 1.0 = the same, lower = Cairn does more).
      s.cpuRatio = s.cpuUsPerReq && bare.cpuUsPerReq ? bare.cpuUsPerReq / s.cpuUsPerReq : null;
      summary[op][name] = s;
      rows.push([
        op.toUpperCase(),
        name === 'cairn' ? 'Cairn (default)' : 'Cairn (light)',
        Math.round(s.rps),
        Math.round(bare.rps),
        `${s.ratio.toFixed(2)}x`,
        `${ms(s.p50Ms)} / ${ms(s.p99Ms)}`,
        `${ms(bare.p50Ms)} / ${ms(bare.p99Ms)}`,
        us(s.cpuUsPerReq),
        us(bare.cpuUsPerReq),
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
      'Cairn CPU us/req',
      'bare CPU us/req',
      'CPU bare/Cairn',
    ],
    rows,
  );
  const commands = ops.map(
    (op) =>
      `wrk ${wrkArgs({ ...opts, url: 'http://127.0.0.1:<port>', script: `<tmpdir>/${op}.lua` }).join(' ')}`,
  );
  const byName = Object.fromEntries(targets.map((t) => [t.name, t]));
  const markdown = [
    `# HTTP benchmark: Cairn vs a bare node:http server (${new Date().toISOString()})`,
    '',
    `wrk, ${opts.threads} thread(s), ${opts.connections} connections, ${opts.seconds} s per run, median of ${runs} runs; ` +
      `random keys over ${opts.keys} keys (all present), ${opts.valueBytes}-byte values. GET and PUT \`/v1/keys/{key}\`, ` +
      'POST `/v1/kv`. The Lua script (random key per request, JSON bodies) is generated by bench/lib/wrk.mjs.',
    'Commands:',
    ...commands.map((c) => `- \`${c}\``),
    '',
    `- Cairn (default): \`${byName.cairn.commandLine}\``,
    ...(byName['cairn-light']
      ? [`- Cairn (light; ${LIGHT_LABEL}): \`${byName['cairn-light'].commandLine}\``]
      : []),
    `- bare: \`${byName.bare.commandLine}\` (node:http over a Map, JSON.stringify)`,
    '',
    `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; ` +
      `load average at the end ${machine.loadAverage}. CPU us/req: each server's user+system time per request.`,
    '',
    table,
  ].join('\n');
  process.stdout.write(`\n${markdown}\n`);
  const files = writeResults('http', markdown, { flags, opts, runs, commands, machine, summary, samples });
  process.stdout.write(`\nwritten: ${files.join(', ')}\n`);
}

// Last, so that every declaration above is initialised.
if (flags['bare-server']) serveBare();
else await main();
