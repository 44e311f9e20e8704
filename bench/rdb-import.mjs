/**
 * RDB import benchmark: one dump.rdb written by redis-server, loaded three ways in the same run:
 * - redis-server starting on it (`--dir D --dbfilename dump.rdb`), until it answers PING;
 * - Cairn started as `npm start` starts it (every door, the directory store) with
 *   `--import-rdb dump.rdb`, until it answers PING (the doors open first and answer LOADING);
 * - `cairn import dump.rdb --dir D` (read the file and write a Cairn snapshot), until it exits.
 * Reported per way: wall seconds, peak RSS (VmHWM), CPU seconds; medians of interleaved runs.
 *
 *   npm run build && node bench/rdb-import.mjs                 (5M keys, 3 runs)
 *   node bench/rdb-import.mjs --keys 500000 --runs 1          (a quick look)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { command } from './lib/loader.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import {
  cpuSeconds,
  defaultArgs,
  freePort,
  REPO_ROOT,
  rotate,
  START_NODE_ARGS,
  startRedis,
  waitForPing,
} from './lib/servers.mjs';

const { values: opts } = parseArgs({
  options: {
    keys: { type: 'string', default: '5000000' },
    runs: { type: 'string', default: '3' },
    'value-bytes': { type: 'string', default: '32' },
  },
});
const KEYS = Number(opts.keys);
const RUNS = Number(opts.runs);
const VALUE_BYTES = Number(opts['value-bytes']);
const CAIRN_MAIN = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const LOAD_TIMEOUT_MS = 600_000;

function peakRss(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function kill(proc, signal = 'SIGKILL') {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}

/** Spawn, wait until PING answers PONG (the data is loaded), read peak RSS and CPU, kill. */
async function untilServing(name, cmd, args, port) {
  const t0 = performance.now();
  const proc = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (c) => {
    err += c.toString();
  });
  const died = new Promise((_, reject) =>
    proc.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${err}`))),
  );
  await Promise.race([waitForPing(port, LOAD_TIMEOUT_MS), died]);
  died.catch(() => {});
  const seconds = (performance.now() - t0) / 1000;
  const r = { seconds, peakRss: peakRss(proc.pid), cpu: cpuSeconds(proc.pid) };
  await kill(proc);
  return r;
}

/** Spawn a command that runs to its end, sampling its peak RSS and CPU just before it exits. */
function untilExit(cmd, args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const proc = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c) => {
      out += c.toString();
    });
    proc.stderr.on('data', (c) => {
      out += c.toString();
    });
    let peak = 0;
    let cpu = null;
    const timer = setInterval(() => {
      const p = peakRss(proc.pid);
      if (p > peak) peak = p;
      cpu = cpuSeconds(proc.pid) ?? cpu;
    }, 20);
    proc.once('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`exit ${code}: ${out}`));
      resolve({ seconds: (performance.now() - t0) / 1000, peakRss: peak, cpu });
    });
  });
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'cairn-bench-rdb-'));
  const redisDir = join(work, 'redis');
  mkdirSync(redisDir);
  const seed = await startRedis(['--dir', redisDir, '--enable-debug-command', 'yes']);
  const populated = await command(seed.port, 'DEBUG', 'POPULATE', String(KEYS), 'key', String(VALUE_BYTES));
  const size = await command(seed.port, 'DBSIZE');
  if (size !== KEYS) throw new Error(`DEBUG POPULATE gave ${size} keys (${String(populated)})`);
  await command(seed.port, 'SAVE');
  await seed.stop();
  const file = join(redisDir, 'dump.rdb');
  const fileBytes = statSync(file).size;
  console.error(`dump.rdb: ${KEYS} keys, ${fileBytes} bytes`);

  const ways = {
    'redis-server loading dump.rdb': async () => {
      const port = await freePort();
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
      return untilServing(
        'redis',
        'redis-server',
        [...args, '--dir', redisDir, '--dbfilename', 'dump.rdb'],
        port,
      );
    },
    'cairn --import-rdb (npm start defaults)': async () => {
      const port = await freePort();
      const dir = mkdtempSync(join(work, 'cairn-'));
      const args = [
        ...START_NODE_ARGS,
        CAIRN_MAIN,
        ...defaultArgs(dir),
        '--port',
        String(port),
        '--import-rdb',
        file,
      ];
      const r = await untilServing('cairn', process.execPath, args, port);
      rmSync(dir, { recursive: true, force: true });
      return r;
    },
    'cairn import (file to snapshot)': async () => {
      const dir = mkdtempSync(join(work, 'cairn-'));
      const r = await untilExit(process.execPath, [
        ...START_NODE_ARGS,
        CAIRN_MAIN,
        'import',
        file,
        '--dir',
        dir,
      ]);
      rmSync(dir, { recursive: true, force: true });
      return r;
    },
  };
  const names = Object.keys(ways);
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const name of rotate(names, run)) {
      const r = await ways[name]();
      results[name].push(r);
      console.error(
        `run ${run + 1} ${name}: ${r.seconds.toFixed(2)} s, peak RSS ${(r.peakRss / 2 ** 20).toFixed(0)} MB`,
      );
    }
  }
  rmSync(work, { recursive: true, force: true });

  const base = median(results[names[0]].map((r) => r.seconds));
  const rows = names.map((n) => {
    const s = median(results[n].map((r) => r.seconds));
    return [
      n,
      s.toFixed(2),
      (s / base).toFixed(2),
      (median(results[n].map((r) => r.peakRss)) / 2 ** 20).toFixed(0),
      median(results[n].map((r) => r.cpu ?? Number.NaN)).toFixed(2),
    ];
  });
  const m = machineInfo();
  const md = [
    `# RDB import: ${KEYS} string keys (${VALUE_BYTES}-byte values, DEBUG POPULATE), dump.rdb ${fileBytes} bytes`,
    '',
    `Machine: ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.redis}; load average ${m.loadAverage}.`,
    '',
    `Command: \`node bench/rdb-import.mjs --keys ${KEYS} --runs ${RUNS}\`; medians of ${RUNS} interleaved runs.`,
    'Time: from spawning the process until it answers PING (data loaded), or until `cairn import` exits.',
    '',
    markdownTable(['way', 'seconds', 'time / Redis', 'peak RSS MB', 'CPU s'], rows),
  ].join('\n');
  writeResults('rdb-import', md, { keys: KEYS, fileBytes, results });
  console.log(md);
}

await main();
