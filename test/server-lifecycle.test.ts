/**
 * The `cairn` process as a user runs it: startup log, configuration sources, signals.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { CAIRN_BIN, startCairn } from './helpers/cairn.js';
import { tempDir } from './helpers/tmp.js';

const run = promisify(execFile);

describe('cairn process', () => {
  it('logs the port it picked, serves, and exits 0 on SIGTERM with clients connected', async () => {
    const srv = await startCairn();
    expect(srv.logs()).toContain(`resp door listening on 127.0.0.1:${srv.respPort}`);
    const redis = new Redis({ port: srv.respPort, lazyConnect: true, maxRetriesPerRequest: 0 });
    redis.on('error', () => {});
    await redis.connect();
    expect(await redis.set('k', 'v')).toBe('OK');
    expect(await redis.get('k')).toBe('v');
    expect(await srv.stop('SIGTERM')).toBe(0);
    expect(srv.logs()).toContain('shutdown complete');
    redis.disconnect();
  });

  it('also exits 0 on SIGINT', async () => {
    const srv = await startCairn();
    expect(await srv.stop('SIGINT')).toBe(0);
  });

  it('takes flags over environment over config file', async () => {
    const dir = tempDir('cairn-life-');
    const file = join(dir, 'cairn.conf');
    writeFileSync(file, 'maxclients 50\ntimeout 7\ndatabases 4\n');
    const srv = await startCairn({
      args: ['--config', file, '--maxclients', '60'],
      env: { CAIRN_MAXCLIENTS: '55', CAIRN_TIMEOUT: '8' },
    });
    const redis = new Redis({ port: srv.respPort });
    try {
      expect(await redis.config('GET', 'maxclients')).toEqual(['maxclients', '60']);
      expect(await redis.config('GET', 'timeout')).toEqual(['timeout', '8']);
      expect(await redis.config('GET', 'databases')).toEqual(['databases', '4']);
      await expect(redis.select(4)).rejects.toThrow('ERR DB index is out of range');
    } finally {
      redis.disconnect();
      await srv.stop();
    }
  });

  it('prints help generated from the schema, and refuses unknown options with exit 1', async () => {
    const help = await run(process.execPath, [CAIRN_BIN, '--help']);
    expect(help.stdout).toContain('--maxmemory-policy');
    expect(help.stdout).toContain('CAIRN_');
    await expect(run(process.execPath, [CAIRN_BIN, '--no-such-thing', '1'])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('unknown option --no-such-thing'),
    });
  });

  it('refuses to start when the port is taken, with exit 1 and a clear log', async () => {
    const first = await startCairn();
    try {
      await expect(
        run(process.execPath, [
          CAIRN_BIN,
          '--port',
          String(first.respPort),
          '--http-port',
          '-1',
          '--grpc-port',
          '-1',
        ]),
      ).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('EADDRINUSE') });
    } finally {
      await first.stop();
    }
  });
});
