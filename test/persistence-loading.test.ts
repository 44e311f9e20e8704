/**
 * While the latest snapshot loads, the doors are open but refuse to serve data: RESP answers
 * LOADING, /readyz and the data routes are 503, gRPC health is NOT_SERVING and calls
 * UNAVAILABLE. No client may ever see half the data.
 *
 * The loading is held open by the test: the snapshot file is a named pipe, and the test writes
 * the snapshot's bytes into it (half, then the rest) once it has seen every door refuse.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { service as healthService } from 'grpc-health-check';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { CAIRN_BIN, REPO_ROOT, startCairn } from './helpers/cairn.js';
import { cairnClient, grpc, type Msg, statusOf } from './helpers/grpc.js';
import { tempDir } from './helpers/tmp.js';
import { waitFor } from './resp-support.js';

const KEYS = 20_000;
/** Value length: 20,000 of these make a ~10 MB snapshot. */
const VALUE = 512;

/** A snapshot of KEYS keys with values LZ4 cannot shrink; its name, its bytes, and one key. */
async function makeSnapshot(): Promise<{ name: string; bytes: Buffer; probe: [string, string] }> {
  const dir = tempDir('cairn-loading-');
  const first = await startCairn({ args: ['--dir', dir, '--grpc-port', '-1', '--http-port', '-1'] });
  const writer = new Redis({ port: first.respPort });
  const values = randomBytes((KEYS * VALUE * 3) / 4).toString('base64');
  const valueAt = (i: number) => values.slice(i * VALUE, (i + 1) * VALUE);
  for (let base = 0; base < KEYS; base += 5000) {
    const p = writer.pipeline();
    for (let i = base; i < base + 5000; i++) p.set(`k:${i}`, valueAt(i));
    await p.exec();
  }
  writer.disconnect();
  expect(await first.stop('SIGTERM')).toBe(0);
  const [name] = readdirSync(dir).filter((f) => f.endsWith('.cairn'));
  const i = KEYS - 1;
  return { name, bytes: readFileSync(join(dir, name)), probe: [`k:${i}`, valueAt(i)] };
}

/** Start the server on `dir` and resolve with its doors' ports once all three listen. */
function spawnCairn(dir: string): { proc: ChildProcess; logs: () => string; ports: Promise<number[]> } {
  const proc = spawn(
    process.execPath,
    [CAIRN_BIN, '--dir', dir, '--port', '0', '--http-port', '0', '--grpc-port', '0'],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const ports = new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the doors did not open:\n${out}`)), 30_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const found = ['resp', 'http', 'grpc'].map((d) =>
        new RegExp(`${d} door listening on [^:]+:(\\d+)`).exec(out),
      );
      if (found.every((m) => m !== null)) {
        clearTimeout(timer);
        resolve(found.map((m) => Number(m![1])));
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
  });
  return { proc, logs: () => out, ports };
}

function healthCheck(port: number): Promise<string> {
  const Ctor = grpc.makeGenericClientConstructor(healthService, 'Health');
  const c = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as grpc.Client &
    Record<string, (req: Msg, cb: (err: Error | null, res: Msg) => void) => void>;
  return new Promise<string>((resolve, reject) =>
    c.check({ service: '' }, (err, res) => {
      c.close();
      if (err) reject(err);
      else resolve(res.status);
    }),
  );
}

describe('startup while loading a snapshot', () => {
  it('refuses on every door until every key is in, then serves all of them', async () => {
    const snap = await makeSnapshot();
    expect(snap.bytes.length).toBeGreaterThan(8 * 1024 * 1024);
    const dir = tempDir('cairn-loading-');
    const fifo = join(dir, snap.name);
    execFileSync('mkfifo', [fifo]);

    const srv = spawnCairn(dir);
    let reader: Redis | null = null;
    const rpc = { client: null as ReturnType<typeof cairnClient> | null };
    try {
      const [respPort, httpPort, grpcPort] = await srv.ports;
      reader = new Redis({ port: respPort, maxRetriesPerRequest: 0, enableReadyCheck: false });
      reader.on('error', () => {});
      rpc.client = cairnClient(grpcPort);
      const [key, value] = snap.probe;
      const http = (path: string) => fetch(`http://127.0.0.1:${httpPort}${path}`);

      /** Every door refuses, each in its own way; none answers with data. */
      const refusing = async () => {
        await expect(reader!.get(key)).rejects.toThrow(/^LOADING Cairn is loading the dataset in memory/);
        await expect(reader!.dbsize()).rejects.toThrow(/^LOADING /);
        const ready = await http('/readyz');
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({ ready: false, loading: true });
        const data = await http(`/v1/keys/${key}`);
        expect(data.status).toBe(503);
        expect(((await data.json()) as { error: { code: string } }).error.code).toBe('loading');
        expect(await healthCheck(grpcPort)).toBe('NOT_SERVING');
        const st = await statusOf(rpc.client!.unary('Get', { key: Buffer.from(key) }, { timeoutMs: 10_000 }));
        expect(st.code).toBe(grpc.status.UNAVAILABLE);
        expect(st.details).toMatch(/loading/i);
      };

      // Not a byte of the snapshot has arrived yet.
      await refusing();
      const fh = await open(fifo, 'w');
      try {
        // Half the file: a pipe holds 64 KB and the reader buffers 1 MB, so once this write is
        // done the server has taken in most of it, thousands of keys.
        const half = snap.bytes.length >> 1;
        await fh.write(snap.bytes, 0, half);
        await refusing();
        await fh.write(snap.bytes, half, snap.bytes.length - half);
      } finally {
        await fh.close();
      }

      await waitFor(() => srv.logs().includes('ready to accept connections'), 60_000, 'the ready line');
      // Served now, and in full, through every door.
      expect(await reader.dbsize()).toBe(KEYS);
      expect(await reader.get(key)).toBe(value);
      const ready = await http('/readyz');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, loading: false, keys: KEYS });
      const res = await http(`/v1/keys/${key}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ key, value });
      expect(await healthCheck(grpcPort)).toBe('SERVING');
      expect((await rpc.client.unary('Get', { key: Buffer.from(key) })).value.toString()).toBe(value);
    } finally {
      reader?.disconnect();
      rpc.client?.close();
      srv.proc.kill('SIGKILL');
    }
  }, 120_000);
});
