/**
 * Run `redis-benchmark` and read its --csv output. `benchmarkTests` runs one invocation for a
 * list of tests, reading the CSV lines as they come (through `stdbuf -oL`) so that the server's
 * CPU time is sampled at the end of each test: every test gets its own CPU microseconds per
 * request. A test the server fails (redis-benchmark exits on an error reply) is reported as
 * failed and the rest run in a new invocation.
 */
import { execFile, spawn } from 'node:child_process';
import { cpuSeconds, cpuUsPer } from './servers.mjs';

/** redis-benchmark's own order of its tests (7.x); LPUSH_FILL is the LPUSH it runs before LRANGE. */
const ORDER = [
  'PING_INLINE',
  'PING_MBULK',
  'SET',
  'GET',
  'INCR',
  'LPUSH',
  'RPUSH',
  'LPOP',
  'RPOP',
  'SADD',
  'HSET',
  'SPOP',
  'ZADD',
  'ZPOPMIN',
  'LPUSH_FILL',
  'LRANGE_100',
  'LRANGE_300',
  'LRANGE_500',
  'LRANGE_600',
  'MSET',
  'XADD',
];
const isLrange = (t) => t.startsWith('LRANGE');

/** The arguments of one invocation. `keyspace` is -r (0: none). */
export function benchmarkArgs({
  port,
  tests,
  clients = 50,
  requests,
  pipeline = 1,
  keyspace = 100000,
  extraArgs = [],
}) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(clients), '-n', String(requests)];
  if (keyspace > 0) args.push('-r', String(keyspace));
  args.push('-P', String(pipeline), '-t', tests.map((t) => t.toLowerCase()).join(','), '--csv', ...extraArgs);
  return args;
}

/** The command line as a report shows it (the port is the server's). */
export function benchmarkCommand(opts) {
  return `redis-benchmark ${benchmarkArgs({ ...opts, port: '<port>' }).join(' ')}`;
}

/** Test name of a CSV row: "LRANGE_100 (first 100 elements)" -> LRANGE_100. */
function testName(label) {
  if (label.startsWith('LPUSH (needed')) return 'LPUSH_FILL';
  return label.split(' ')[0].toUpperCase();
}

function csvCells(line) {
  return line.split(',').map((c) => c.replace(/^"|"$/g, ''));
}

/** Parse redis-benchmark's CSV (header line, then one quoted line per test). */
export function parseCsv(text) {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('"'));
  const header = csvCells(lines[0] ?? '');
  if (header[0] !== 'test' || !header.includes('rps'))
    throw new Error(`unexpected redis-benchmark CSV:\n${text}`);
  const out = {};
  for (const line of lines.slice(1)) {
    const row = csvCells(line);
    out[testName(row[0])] = rowOf(header, row);
  }
  return out;
}

function rowOf(header, row) {
  const col = (name) => Number(row[header.indexOf(name)]);
  return {
    rps: col('rps'),
    avgMs: col('avg_latency_ms'),
    p50Ms: col('p50_latency_ms'),
    p95Ms: col('p95_latency_ms'),
    p99Ms: col('p99_latency_ms'),
    maxMs: col('max_latency_ms'),
  };
}

/**
 * One redis-benchmark run; resolves to { [TEST]: { rps, avgMs, p50Ms, p95Ms, p99Ms, maxMs } }.
 * (No CPU figures: see benchmarkTests.)
 */
export function redisBenchmark({ port, tests, clients, requests, pipeline, extraArgs = [] }) {
  const args = benchmarkArgs({ port, tests, clients, requests, pipeline, keyspace: 0, extraArgs });
  return new Promise((resolve, reject) => {
    execFile('redis-benchmark', args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err)
        return reject(new Error(`redis-benchmark ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      try {
        resolve(parseCsv(stdout));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** One invocation, CPU time of `pid` sampled as each test's CSV line arrives. */
function invoke(args, pid, requests) {
  return new Promise((resolve, reject) => {
    const proc = spawn('stdbuf', ['-oL', 'redis-benchmark', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const results = {};
    let header = null;
    let pending = '';
    let stderr = '';
    let cpuPrev = cpuSeconds(pid);
    proc.stdout.on('data', (chunk) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const raw of lines) {
        const line = raw.trim();
        if (!line.startsWith('"')) continue;
        const cells = csvCells(line);
        if (cells[0] === 'test') {
          header = cells;
          continue;
        }
        if (header === null) continue;
        const cpu = cpuSeconds(pid);
        results[testName(cells[0])] = {
          ...rowOf(header, cells),
          cpuUsPerRequest: cpuUsPer(cpuPrev, cpu, requests),
        };
        cpuPrev = cpu;
      }
    });
    proc.stderr.on('data', (c) => {
      stderr += c.toString();
    });
    proc.once('error', reject);
    proc.once('close', (code) => resolve({ code, results, stderr: stderr.trim() }));
  });
}

/**
 * Run `tests` against one server: resolves to { results: { [TEST]: {rps, p50Ms, p99Ms, maxMs,
 * cpuUsPerRequest, ...} }, failed: { [TEST]: message }, commands: [command line per invocation] }.
 * When redis-benchmark stops at an error, the first test (in its order) without a result is
 * failed (all LRANGE tests if the LPUSH that fills their list failed) and the others rerun.
 */
export async function benchmarkTests({ port, pid, tests, ...opts }) {
  const wanted = tests.map((t) => t.toUpperCase());
  const results = {};
  const failed = {};
  const commands = [];
  let remaining = wanted;
  for (let attempt = 0; remaining.length > 0 && attempt <= wanted.length; attempt++) {
    const args = benchmarkArgs({ port, tests: remaining, ...opts });
    commands.push(`redis-benchmark ${args.join(' ')}`);
    const r = await invoke(args, pid, opts.requests);
    for (const t of remaining) if (r.results[t]) results[t] = r.results[t];
    const steps = ORDER.filter(
      (t) => remaining.includes(t) || (t === 'LPUSH_FILL' && remaining.some(isLrange)),
    );
    for (const t of remaining) if (!ORDER.includes(t) && !steps.includes(t)) steps.push(t);
    const culprit = steps.find((t) => !r.results[t]);
    if (culprit === undefined) break;
    const why = r.code === 0 ? 'no result' : r.stderr.split('\n').pop() || `exit code ${r.code}`;
    if (culprit === 'LPUSH_FILL') {
      for (const t of remaining.filter(isLrange)) failed[t] = `the LPUSH that fills the list failed: ${why}`;
    } else failed[culprit] = why;
    remaining = remaining.filter((t) => !results[t] && !failed[t]);
  }
  return { results, failed, commands };
}
