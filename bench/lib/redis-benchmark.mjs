/** Run `redis-benchmark` and read its --csv output. */
import { execFile } from 'node:child_process';

/**
 * One redis-benchmark run; resolves to { [test]: { rps, avgMs, p50Ms, p95Ms, p99Ms, maxMs } }
 * keyed by the upper-case test name (SET, GET, ...).
 */
export function redisBenchmark({ port, tests, clients, requests, pipeline, extraArgs = [] }) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', tests.join(','), '-c', String(clients)];
  args.push('-n', String(requests), '-P', String(pipeline), '--csv', ...extraArgs);
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

/** Parse redis-benchmark's CSV (header line, then one quoted line per test). */
export function parseCsv(text) {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('"'));
  const cells = (l) => l.split(',').map((c) => c.replace(/^"|"$/g, ''));
  const header = cells(lines[0]);
  if (header[0] !== 'test' || !header.includes('rps'))
    throw new Error(`unexpected redis-benchmark CSV:\n${text}`);
  const col = (row, name) => Number(row[header.indexOf(name)]);
  const out = {};
  for (const line of lines.slice(1)) {
    const row = cells(line);
    out[row[0].split(' ')[0].toUpperCase()] = {
      rps: col(row, 'rps'),
      avgMs: col(row, 'avg_latency_ms'),
      p50Ms: col(row, 'p50_latency_ms'),
      p95Ms: col(row, 'p95_latency_ms'),
      p99Ms: col(row, 'p99_latency_ms'),
      maxMs: col(row, 'max_latency_ms'),
    };
  }
  return out;
}
