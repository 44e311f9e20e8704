/** A real redis-server on a free loopback port: the oracle for behaviour and benchmarks. */
import { spawn } from 'node:child_process';
import { freePort } from './ports.js';
import { tempDir } from './tmp.js';

export interface RedisProcess {
  port: number;
  stop(): Promise<void>;
}

export async function startRedis(args: string[] = []): Promise<RedisProcess> {
  const port = await freePort();
  const proc = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      // SAVE, DEBUG RELOAD and SHUTDOWN write dump.rdb into the working folder otherwise.
      '--dir',
      tempDir('cairn-redis-'),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server not ready:\n${out}`)), 15_000);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${out}`));
    });
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
