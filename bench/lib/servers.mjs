/**
 * Start the servers a benchmark compares: compiled Cairn and a real redis-server, each on a free
 * loopback port, and stop them again. Used by bench/*.mjs (plain JS against dist/).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

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

function stopper(proc) {
  return () =>
    new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      proc.kill('SIGTERM');
    });
}

/**
 * Start compiled Cairn with only the RESP door; resolves to { port, pid, stop() }.
 * `nodeArgs` go to node (e.g. ['--cpu-prof']), `args` to cairn.
 */
export async function startCairn({ args = [], nodeArgs = [] } = {}) {
  const main = join(REPO_ROOT, 'dist', 'cli', 'main.js');
  const proc = spawn(
    process.execPath,
    // Benchmarks compare against redis-server without persistence: snapshots off unless asked.
    [
      ...nodeArgs,
      main,
      '--port',
      '0',
      '--http-port',
      '-1',
      '--grpc-port',
      '-1',
      ...(args.includes('--snapshot-store') || args.includes('--dir') ? [] : ['--snapshot-store', 'none']),
      ...args,
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cairn did not start:\n${out}`)), 20_000);
    const onData = (c) => {
      out += c.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('ready to accept connections')) continue;
        try {
          const rec = JSON.parse(line);
          clearTimeout(timer);
          resolve(rec.ports.resp);
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
  if (!port) throw new Error(`cairn started without a RESP port:\n${out}`);
  await waitForPing(port);
  return { port, pid: proc.pid, stop: stopper(proc), logs: () => out };
}

/** Start redis-server without persistence; resolves to { port, pid, stop() }. */
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
  return { port, pid: proc.pid, stop: stopper(proc) };
}

let clockTicksPerSecond = 0;

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
export function cpuSeconds(pid) {
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
