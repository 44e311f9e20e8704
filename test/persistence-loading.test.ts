/**
 * While the latest snapshot loads, the doors are open but refuse to serve data: RESP answers
 * LOADING, /readyz is 503, gRPC health is NOT_SERVING. No client may ever see half the data.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { CAIRN_BIN, REPO_ROOT, startCairn } from './helpers/cairn.js';

const KEYS = 400_000;

describe('startup while loading a snapshot', () => {
  it('answers LOADING / 503 until every key is in, never a partial answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-loading-'));
    const first = await startCairn({ args: ['--dir', dir] });
    const writer = new Redis({ port: first.respPort });
    const value = 'v'.repeat(64);
    for (let base = 0; base < KEYS; base += 50_000) {
      const p = writer.pipeline();
      for (let i = base; i < base + 50_000; i++) p.set(`k:${i}`, value);
      await p.exec();
    }
    writer.disconnect();
    expect(await first.stop('SIGTERM')).toBe(0);

    const proc = spawn(
      process.execPath,
      [CAIRN_BIN, '--dir', dir, '--port', '0', '--http-port', '0', '--grpc-port', '-1'],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      const ports = await new Promise<{ resp: number; http: number }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening lines:\n${out}`)), 20_000);
        proc.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          const resp = /resp door listening on [^:]+:(\d+)/.exec(out);
          const http = /http door listening on [^:]+:(\d+)/.exec(out);
          if (resp && http) {
            clearTimeout(timer);
            resolve({ resp: Number(resp[1]), http: Number(http[1]) });
          }
        });
      });
      const reader = new Redis({ port: ports.resp, maxRetriesPerRequest: 0, enableReadyCheck: false });
      reader.on('error', () => {});
      const seen = { loading: 0, notReady: 0 };
      for (;;) {
        let reply: string | null = null;
        let loading = false;
        try {
          reply = await reader.get(`k:${KEYS - 1}`);
        } catch (err) {
          expect((err as Error).message).toMatch(/^LOADING /);
          seen.loading++;
          loading = true;
        }
        if (loading) {
          const ready = await fetch(`http://127.0.0.1:${ports.http}/readyz`);
          const body = (await ready.json()) as { ready: boolean; loading: boolean; keys: number };
          if (ready.status === 503) {
            expect(body.loading).toBe(true);
            seen.notReady++;
          } else {
            expect(ready.status).toBe(200);
            expect(body.keys).toBe(KEYS);
          }
          continue;
        }
        // Once a read is served it must see the whole dataset.
        expect(reply).toBe(value);
        expect(await reader.dbsize()).toBe(KEYS);
        break;
      }
      reader.disconnect();
      console.log(`while loading: ${seen.loading} LOADING replies, ${seen.notReady} /readyz 503s`);
    } finally {
      proc.kill('SIGKILL');
    }
  }, 120_000);
});
