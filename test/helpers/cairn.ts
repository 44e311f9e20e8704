/**
 * Start the compiled Cairn server as a child process on free ports, as a user would run it.
 * Requires `npm run build` (the test command builds first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './tmp.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CAIRN_BIN = join(REPO_ROOT, 'dist', 'cli', 'main.js');

export interface CairnProcess {
  respPort: number;
  /** RESP over TLS (`--tls-port`); 0 when off. */
  tlsRespPort: number;
  httpPort: number;
  grpcPort: number;
  proc: ChildProcess;
  /** Everything the server logged so far (stdout + stderr). */
  logs(): string;
  /** Send a signal (default SIGTERM) and resolve with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves when the process exits by itself. */
  exited: Promise<number | null>;
}

export interface StartOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Milliseconds to wait for the ready line. */
  timeoutMs?: number;
}

export async function startCairn(opts: StartOptions = {}): Promise<CairnProcess> {
  const extra = opts.args ?? [];
  // Each server gets its own snapshot directory unless the test chose one, so no test loads
  // another test's data.
  const dir = extra.includes('--dir') ? [] : ['--dir', tempDir('cairn-test-')];
  // No shedding for event-loop delay unless the test asks for it: on a loaded machine (CI runs
  // files in parallel) the delay passes the 1000 ms default and HTTP/gRPC answer 503 at random.
  const shed = extra.includes('--shed-event-loop-delay-ms') ? [] : ['--shed-event-loop-delay-ms', '0'];
  const args = [CAIRN_BIN, '--port', '0', '--http-port', '0', '--grpc-port', '0', ...dir, ...shed, ...extra];
  const proc = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // 'close', not 'exit': it comes once stdout and stderr have ended too, so logs() then holds
  // every line the server wrote (after 'exit' the pipe may still deliver its last lines).
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  const ready = new Promise<{ resp: number; http: number; grpc: number; tlsResp?: number }>(
    (resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`cairn did not become ready in time:\n${out}`)),
        opts.timeoutMs ?? 20_000,
      );
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        for (const line of out.split('\n')) {
          if (!line.includes('ready to accept connections')) continue;
          try {
            const rec = JSON.parse(line) as { ports: { resp: number; http: number; grpc: number } };
            clearTimeout(timer);
            resolve(rec.ports);
            return;
          } catch {
            // not a complete JSON line yet
          }
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', (c: Buffer) => {
        out += c.toString();
      });
      exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`cairn exited with ${code} before ready:\n${out}`));
      });
    },
  );
  const ports = await ready;
  return {
    respPort: ports.resp,
    tlsRespPort: ports.tlsResp ?? 0,
    httpPort: ports.http,
    grpcPort: ports.grpc,
    proc,
    logs: () => out,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
