/**
 * The server under soak: compiled Cairn with all three doors on free loopback ports (port 0,
 * read back from the ready line), its log kept in a bounded buffer and counted by level, and its
 * resident set size read from /proc. In the secure soak (`access` given, `args` carrying the TLS
 * and ACL flags) RESP is TLS-only: `ports.resp` is then the TLS port (`tlsResp` in the ready
 * line, as test/helpers/cairn.ts reads it), and readiness is a PING over TLS after an AUTH.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { REPO_ROOT, START_NODE_ARGS, waitForPing } from '../bench/lib/servers.mjs';

/** Log lines kept for the report (the first warnings and errors, and the last lines). */
const KEEP_NOTABLE_LINES = 30;
const KEEP_TAIL_LINES = 50;
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;
/** pino levels. */
const WARN = 40;

/** `access`: { ca, username, password } to reach a secure server (null for a plain one). */
export async function startServer(args, access = null) {
  const main = join(REPO_ROOT, 'dist', 'cli', 'main.js');
  const t0 = performance.now();
  const proc = spawn(
    process.execPath,
    // Node's flags as `npm start` passes them (package.json), so the soak measures that server.
    [...START_NODE_ARGS, main, '--port', '0', '--http-port', '0', '--grpc-port', '0', ...args],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log = {
    byLevel: {},
    notable: [],
    tail: [],
    snapshots: [],
    loaded: null,
    upToDate: false,
    partial: '',
  };
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const ports = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`cairn did not start:\n${log.tail.join('\n')}`)),
      READY_TIMEOUT_MS,
    );
    const onLine = (line) => {
      const rec = readLine(log, line);
      if (rec?.msg === 'ready to accept connections') {
        clearTimeout(timer);
        resolve(access ? { ...rec.ports, resp: rec.ports.tlsResp ?? 0 } : rec.ports);
      }
    };
    proc.stdout.on('data', (c) => feed(log, c, onLine));
    proc.stderr.on('data', (c) => feed(log, c, onLine));
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`cairn exited with ${code} before it was ready:\n${log.tail.join('\n')}`));
    });
  });
  if (!ports.resp) throw new Error(`cairn started without a RESP port: ${JSON.stringify(ports)}`);
  await (access ? waitForTlsPing(ports.resp, access) : waitForPing(ports.resp));
  return {
    ports,
    pid: proc.pid,
    log,
    exited,
    readyMs: performance.now() - t0,
    alive: () => proc.exitCode === null && proc.signalCode === null,
    /** SIGTERM (SIGKILL after a minute); resolves with { code, signal }. */
    stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const t = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
        exited.then(() => clearTimeout(t));
        proc.kill('SIGTERM');
      }
      return exited;
    },
    /** SIGKILL at once (no drain, no final snapshot); resolves with { code, signal }. */
    kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      return exited;
    },
  };
}

/** Resolve once `port` answers AUTH and PING over TLS (or reject after `timeoutMs`). */
async function waitForTlsPing(port, { ca, username, password }, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const s = tlsConnect({ port, host: '127.0.0.1', ca, timeout: 1000 });
    s.on('timeout', () => s.destroy(new Error('timeout')));
    try {
      await once(s, 'secureConnect');
      s.write(`AUTH ${username} ${password}\r\nPING\r\n`);
      let got = '';
      while (got.split('\r\n').length <= 2) got += (await once(s, 'data'))[0].toString();
      if (got === '+OK\r\n+PONG\r\n') return;
      last = got;
    } catch (e) {
      last = e.message;
    } finally {
      s.destroy();
    }
    if (Date.now() > deadline) throw new Error(`no PING over TLS on port ${port}: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function feed(log, chunk, onLine) {
  const text = log.partial + chunk.toString();
  const lines = text.split('\n');
  log.partial = lines.pop();
  for (const line of lines) if (line.length > 0) onLine(line);
}

/** Count a log line by level, keep the notable ones, note snapshots; returns the parsed record. */
function readLine(log, line) {
  log.tail.push(line);
  if (log.tail.length > KEEP_TAIL_LINES) log.tail.shift();
  let rec;
  try {
    rec = JSON.parse(line);
  } catch {
    log.byLevel.unparsed = (log.byLevel.unparsed ?? 0) + 1;
    if (log.notable.length < KEEP_NOTABLE_LINES) log.notable.push(line);
    return null;
  }
  log.byLevel[rec.level] = (log.byLevel[rec.level] ?? 0) + 1;
  if (rec.level >= WARN && log.notable.length < KEEP_NOTABLE_LINES) log.notable.push(line);
  if (typeof rec.msg === 'string' && rec.msg.startsWith('snapshot saved')) {
    log.snapshots.push({ keys: rec.keys, bytes: rec.bytes, ms: rec.ms, copied: rec.copied });
  }
  if (typeof rec.msg === 'string' && rec.msg.startsWith('no changes since the last snapshot'))
    log.upToDate = true;
  if (typeof rec.msg === 'string' && rec.msg.startsWith('snapshot loaded')) {
    log.loaded = { keys: rec.keys, expired: rec.expired, ms: rec.ms, source: rec.source };
  }
  return rec;
}

/** Resident set size of a process in bytes (Linux /proc); null when it cannot be read. */
export function rssBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? null : Number(m[1]) * 1024;
  } catch {
    return null;
  }
}

/** INFO text as { field: value }. */
export function parseInfo(text) {
  const out = {};
  for (const line of String(text).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}
