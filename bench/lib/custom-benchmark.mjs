/**
 * One redis-benchmark invocation of an arbitrary command (`redis-benchmark ... PUBLISH chan x`,
 * `... XADD stream:__rand_int__ * field value`), with the server's CPU time sampled before and
 * after it. redis-benchmark 7.0 exits non-zero at the first error reply, so a command the server
 * does not have (or refuses) rejects with the server's error text and the caller can report the
 * scenario as failed.
 *
 * redis-benchmark hands out requests to its clients `pipeline` at a time, so a request count
 * that is not a multiple of the pipeline sends more; `requestsFor` rounds up, so the count the
 * caller verifies is the count that was sent.
 */
import { spawn } from 'node:child_process';
import { cpuSeconds, cpuUsPer } from './servers.mjs';

/** `requests` rounded up to a multiple of `pipeline` (what redis-benchmark really sends). */
export function requestsFor(requests, pipeline) {
  return Math.ceil(requests / pipeline) * pipeline;
}

/** The arguments of one invocation; `keyspace` 0 leaves out -r. */
export function customArgs({ port, clients, requests, pipeline, keyspace = 0, argv }) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(clients), '-n', String(requests)];
  if (keyspace > 0) args.push('-r', String(keyspace));
  args.push('-P', String(pipeline), '--csv', ...argv);
  return args;
}

/** The command line as a report shows it (the port is each server's). */
export function customCommand(opts) {
  const quote = (a) => (/^[\w:.,*<>=-]+$/.test(a) ? a : `'${a}'`);
  return `redis-benchmark ${customArgs({ ...opts, port: '<port>' })
    .map(quote)
    .join(' ')}`;
}

/**
 * Run it; resolves to { rps, p50Ms, p99Ms, maxMs, ms, cpuUsPerRequest, cpuSeconds } or rejects
 * with the reason (the server's error reply, or redis-benchmark's own complaint).
 * `onSpawn(proc)` sees the child, e.g. to time from its start.
 */
export function customBenchmark({ pid, requests, onSpawn, ...opts }) {
  const args = customArgs({ ...opts, requests });
  return new Promise((resolve, reject) => {
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    const proc = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.(proc);
    let out = '';
    let err = '';
    proc.stdout.on('data', (c) => {
      out += c.toString();
    });
    proc.stderr.on('data', (c) => {
      err += c.toString();
    });
    proc.once('error', reject);
    proc.once('close', (code) => {
      const cpu1 = cpuSeconds(pid);
      const ms = performance.now() - t0;
      const serverError = /Error from server: (.*)/.exec(`${err}\n${out}`)?.[1];
      const lines = out.split('\n').filter((l) => l.startsWith('"'));
      if (code !== 0 || serverError || lines.length < 2) {
        const why = serverError ?? (err.trim().split('\n').pop() || `exit code ${code}`);
        return reject(new Error(why.trim()));
      }
      const cells = (l) => l.split(',').map((c) => c.replace(/^"|"$/g, ''));
      const header = cells(lines[0]);
      // The first cell is the command line, which may hold commas: count columns from the end.
      const row = cells(lines[1]).slice(-(header.length - 1));
      const col = (n) => Number(row[header.indexOf(n) - 1]);
      const cpu = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
      resolve({
        rps: col('rps'),
        p50Ms: col('p50_latency_ms'),
        p99Ms: col('p99_latency_ms'),
        maxMs: col('max_latency_ms'),
        ms,
        cpuSeconds: cpu,
        cpuUsPerRequest: cpuUsPer(cpu0, cpu1, requests),
      });
    });
  });
}
