/**
 * Real clients and tools against the compiled server: redis-cli, redis-benchmark, ioredis and
 * node-redis (RESP2 and RESP3), on what they send by themselves (INFO ready check, HELLO, CLIENT
 * SETINFO, CONFIG GET at start) and on the connection and server commands.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';

const run = promisify(execFile);

function cli(port: number, ...args: string[]): Promise<string> {
  return run('redis-cli', ['-p', String(port), ...args]).then((r) => r.stdout);
}

/** A CLIENT LIST line as field -> value. */
function fields(line: string): Record<string, string> {
  return Object.fromEntries(
    line
      .trim()
      .split(' ')
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error('condition not met in time'));
      setTimeout(tick, 20);
    };
    tick();
  });
}

describe('tools and clients, no password', () => {
  let srv: CairnProcess;
  beforeAll(async () => {
    srv = await startCairn();
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('redis-cli: ping, info, config get, client list, command docs', async () => {
    const port = srv.respPort;
    expect(await cli(port, 'ping')).toBe('PONG\n');
    const info = await cli(port, 'info');
    expect(info).toContain('# Server\r\nredis_version:7.0.15\r\n');
    expect(info).toMatch(/\r\nconnected_clients:\d+\r\n/);
    expect(info).toContain(`\r\ntcp_port:${port}\r\n`);
    expect(await cli(port, 'config', 'get', 'maxmemory')).toBe('maxmemory\n0\n');
    const list = await cli(port, 'client', 'list');
    expect(list.trim().split('\n').length).toBeGreaterThanOrEqual(1);
    expect(fields(list.trim().split('\n').at(-1)!)).toMatchObject({ cmd: 'client|list', user: 'default' });
    const docs = await cli(port, 'command', 'docs', 'get');
    expect(docs.split('\n').slice(0, 3)).toEqual(['get', 'summary', 'Get the value of a key']);
    expect(await cli(port, '-3', 'hello', '3')).toContain('proto 3\n');
    expect(await cli(port, 'command', 'count')).toMatch(/^\d+\n$/);
  });

  it('redis-benchmark reads the server config at start without a warning', async () => {
    const { stdout, stderr } = await run('redis-benchmark', [
      '-p',
      String(srv.respPort),
      '-t',
      'ping',
      '-n',
      '2000',
      '-q',
    ]);
    expect(`${stdout}${stderr}`).not.toContain('Could not fetch server CONFIG');
    expect(stdout).toMatch(/PING_INLINE: [\d.]+ requests per second/);
  });

  it('ioredis connects (INFO ready check), and CONFIG SET then GET', async () => {
    const redis = new Redis({ port: srv.respPort, lazyConnect: true });
    try {
      await redis.connect();
      expect(redis.status).toBe('ready');
      expect(await redis.config('SET', 'maxmemory-policy', 'allkeys-lru', 'maxmemory', '64mb')).toBe('OK');
      expect(await redis.config('GET', 'maxmemory*')).toEqual(
        expect.arrayContaining(['maxmemory-policy', 'allkeys-lru', 'maxmemory', String(64 * 1024 * 1024)]),
      );
      await expect(redis.config('SET', 'databases', '1')).rejects.toThrow(
        "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
      );
      expect(await redis.config('SET', 'maxmemory', '0')).toBe('OK');
      expect(await redis.client('SETNAME', 'io-1')).toBe('OK');
      expect(await redis.client('GETNAME')).toBe('io-1');
      expect(await redis.time()).toHaveLength(2);
      expect(await redis.select(3)).toBe('OK');
      expect(await redis.echo('hi')).toBe('hi');
    } finally {
      redis.disconnect();
    }
  });

  it('CLIENT KILL closes another connection', async () => {
    const victim = new Redis({ port: srv.respPort, lazyConnect: true, retryStrategy: () => null });
    const killer = new Redis({ port: srv.respPort, lazyConnect: true });
    victim.on('error', () => {});
    try {
      await victim.connect();
      await killer.connect();
      const id = (await victim.client('ID')) as number;
      let ended = false;
      victim.on('end', () => {
        ended = true;
      });
      expect(await killer.client('KILL', 'ID', String(id))).toBe(1);
      await until(() => ended);
      const list = (await killer.client('LIST')) as string;
      expect(list).not.toContain(`id=${id} `);
      expect(await killer.client('KILL', 'ID', String(id))).toBe(0);
    } finally {
      victim.disconnect();
      killer.disconnect();
    }
  });

  for (const RESP of [2, 3] as const) {
    it(`node-redis over RESP${RESP}: handshake, CLIENT SETINFO, INFO, CLIENT INFO`, async () => {
      const client = createClient({
        socket: { port: srv.respPort, host: '127.0.0.1' },
        RESP,
        name: `nr-${RESP}`,
      });
      client.on('error', () => {});
      await client.connect();
      try {
        expect(await client.ping()).toBe('PONG');
        const info = String(await client.sendCommand(['INFO', 'server']));
        expect(info).toContain('redis_version:7.0.15');
        const me = fields(String(await client.sendCommand(['CLIENT', 'INFO'])));
        expect(me).toMatchObject({ resp: String(RESP), name: `nr-${RESP}` });
        // node-redis identifies itself after the handshake; Cairn records it.
        expect(me['lib-name']).toMatch(/^node-redis/);
        expect(me['lib-ver']).not.toBe('');
        const cfg = await client.sendCommand(['CONFIG', 'GET', 'maxclients']);
        expect(RESP === 2 ? cfg : Object.entries(cfg as object).flat()).toEqual(['maxclients', '10000']);
        await expect(client.sendCommand(['HELLO', '4'])).rejects.toThrow(
          'NOPROTO unsupported protocol version',
        );
      } finally {
        await client.close();
      }
    });
  }
});

describe('tools and clients with requirepass', () => {
  let srv: CairnProcess;
  beforeAll(async () => {
    srv = await startCairn({ args: ['--requirepass', 'sekret'] });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('node-redis RESP3 authenticates with HELLO 3 AUTH', async () => {
    const client = createClient({
      socket: { port: srv.respPort, host: '127.0.0.1' },
      RESP: 3,
      password: 'sekret',
    });
    client.on('error', () => {});
    await client.connect();
    try {
      expect(await client.ping()).toBe('PONG');
      expect(fields(String(await client.sendCommand(['CLIENT', 'INFO'])))).toMatchObject({
        resp: '3',
        user: 'default',
      });
    } finally {
      await client.close();
    }
  });

  it('node-redis with a wrong password fails with WRONGPASS', async () => {
    const client = createClient({
      socket: { port: srv.respPort, host: '127.0.0.1', reconnectStrategy: false },
      RESP: 3,
      password: 'nope',
    });
    client.on('error', () => {});
    await expect(client.connect()).rejects.toThrow('WRONGPASS');
    client.destroy();
  });

  it('ioredis and redis-cli authenticate; without the password commands answer NOAUTH', async () => {
    const redis = new Redis({ port: srv.respPort, password: 'sekret', lazyConnect: true });
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
    expect(await cli(srv.respPort, '-a', 'sekret', '--no-auth-warning', 'ping')).toBe('PONG\n');
    expect(await cli(srv.respPort, 'ping')).toContain('NOAUTH Authentication required.');
  });
});
