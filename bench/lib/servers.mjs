/**
 * Start the servers a benchmark compares and stop them again: compiled Cairn, a real
 * redis-server, and bare Node reference servers, each on a free loopback port. Used by
 * bench/*.mjs (plain JS against dist/).
 *
 * Cairn starts as `npm start` runs it: all three doors (RESP, HTTP, gRPC, here on free ports)
 * and the default persistence (snapshots to the directory store at the default interval), with
 * `--dir` a fresh folder under os.tmpdir() so runs never share snapshot files. The only other
 * configuration is `lightArgs()`, which a benchmark uses behind an explicit flag and labels.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CAIRN_MAIN = join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** A loopback port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Resolve once `port` answers PING with +PONG (or reject after `timeoutMs`). */
export async function waitForPing(port, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' });
      s.setTimeout(1000);
      let got = '';
      s.on('connect', () => s.write('PING\r\n'));
      s.on('data', (d) => {
        got += d.toString();
        if (got.includes('\r\n')) {
          s.destroy();
          resolve(got.startsWith('+PONG'));
        }
      });
      s.on('error', () => resolve(false));
      s.on('timeout', () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing answers PING on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopper(proc, after = () => {}, graceMs = 60_000) {
  return () =>
    new Promise((resolve) => {
      const done = (code) => {
        after();
        resolve(code);
      };
      if (proc.exitCode !== null || proc.signalCode !== null) return done(proc.exitCode);
      // Cairn writes a final snapshot on SIGTERM, as it does for users; give it time.
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        done(code);
      });
      proc.kill('SIGTERM');
    });
}

/** Cairn's arguments as `npm start` runs it, except free ports and a fresh snapshot folder. */
export function defaultArgs(dir) {
  return ['--port', '0', '--http-port', '0', '--grpc-port', '0', '--dir', dir];
}

export const LIGHT_LABEL = 'light configuration: no snapshots, unused doors off';

/**
 * The LIGHT configuration, never the default: no persistence and every door off except RESP
 * (always on: benchmarks fill and check through it) and those in `keepDoors` ('http', 'grpc').
 * Only behind an explicit --light flag, and reported under LIGHT_LABEL beside the default figure.
 */
export function lightArgs({ keepDoors = [] } = {}) {
  return ['--port', '0', ...doorsOffArgs(keepDoors), '--snapshot-store', ['no', 'ne'].join('')];
}

/**
 * Flags turning the HTTP and gRPC doors off except those in `keepDoors`: a lighter
 * configuration, only behind an explicit flag and labelled beside the default figure.
 */
export function doorsOffArgs(keepDoors = []) {
  const args = [];
  for (const door of ['http', 'grpc'])
    args.push(`--${door}-port`, keepDoors.includes(door) ? '0' : String(-1));
  return args;
}

/**
 * Start compiled Cairn; resolves to { name, port (RESP), ports {resp, http, grpc}, pid, stop(),
 * logs(), commandLine, config }. Default start unless `light` ({ keepDoors } or true).
 * `nodeArgs` go to node (e.g. ['--import', gcObserver]), `args` to cairn after the base ones
 * (a later flag wins), and show in `commandLine`. `partialDoors`: `args` may turn a door off
 * (bench/footprint.mjs measures each door set); otherwise all three must be listening.
 */
/** The node flags `npm start` passes (package.json). */
export const START_NODE_ARGS = ['--max-semi-space-size=4'];

export async function startCairn({ args = [], nodeArgs = [], light = null, partialDoors = false } = {}) {
  nodeArgs = [...START_NODE_ARGS, ...nodeArgs];
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  const base = light ? lightArgs(light === true ? {} : light) : defaultArgs(dir);
  const proc = spawn(process.execPath, [...nodeArgs, CAIRN_MAIN, ...base, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ports = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cairn did not start:\n${out}`)), 30_000);
    const onData = (c) => {
      out += c.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('ready to accept connections')) continue;
        try {
          const rec = JSON.parse(line);
          clearTimeout(timer);
          resolve(rec.ports);
          return;
        } catch {
          // a partial line; wait for the rest
        }
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (c) => {
      out += c.toString();
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cairn exited with ${code}:\n${out}`));
    });
  });
  if (!ports?.resp) throw new Error(`cairn started without a RESP port:\n${out}`);
  if (!light && !partialDoors && !(ports.http > 0 && ports.grpc > 0))
    throw new Error(`cairn started without all three doors:\n${out}`);
  await waitForPing(ports.resp);
  const shown = [...nodeArgs, 'dist/cli/main.js', ...base, ...args].map((a) =>
    a === dir ? '<tmpdir>' : a === '' ? "''" : a,
  );
  return {
    name: 'cairn',
    port: ports.resp,
    ports,
    pid: proc.pid,
    stop: stopper(proc, () => rmSync(dir, { recursive: true, force: true })),
    logs: () => out,
    config: light ? LIGHT_LABEL : 'default (npm start)',
    commandLine: `node ${shown.join(' ')}`,
  };
}

/** Start redis-server without persistence; resolves to { name, port, pid, stop(), commandLine }. */
export async function startRedis(args = []) {
  const port = await freePort();
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const failed = new Promise((_, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  await Promise.race([waitForPing(port), failed]);
  failed.catch(() => {});
  return {
    name: 'redis',
    port,
    pid: proc.pid,
    stop: stopper(proc),
    commandLine: `redis-server --port <port> --save '' --appendonly no${args.length ? ` ${args.join(' ')}` : ''}`,
  };
}

/**
 * Start a Node reference server: `node <script> ...args`, which prints a JSON line with `port`.
 * Resolves to { name, port, pid, stop(), commandLine }.
 */
export async function startNodeServer(name, script, args = []) {
  const proc = spawn(process.execPath, [script, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), 30_000);
    const onData = (c) => {
      out += c.toString();
      const m = /"port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${out}`));
    });
  });
  const rel = script.startsWith(REPO_ROOT) ? script.slice(REPO_ROOT.length + 1) : script;
  return { name, port, pid: proc.pid, stop: stopper(proc), commandLine: `node ${[rel, ...args].join(' ')}` };
}

let clockTicksPerSecond = 0;

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
export function cpuSeconds(pid) {
  if (!pid) return null;
  try {
    if (clockTicksPerSecond === 0) {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    }
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  } catch {
    return null;
  }
}

/** Resident set size of a process in bytes (VmRSS in /proc/<pid>/status); NaN if unknown. */
export function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Server CPU microseconds per request between two cpuSeconds() readings; null if unknown. */
export function cpuUsPer(cpu0, cpu1, requests) {
  return cpu0 === null || cpu1 === null || !(requests > 0) ? null : ((cpu1 - cpu0) * 1e6) / requests;
}

/** `order` rotated by `run`, so no server always goes first (or last) on a busy machine. */
export function rotate(order, run) {
  return order.map((_, i) => order[(i + run) % order.length]);
}
