/**
 * MIGRATE between Cairn and a real redis-server both ways, the latency monitor (LATENCY LATEST,
 * HISTORY, GRAPH, DOCTOR after DEBUG SLEEP) against Redis's shapes, and CONFIG REWRITE of a
 * config file Cairn started from.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawRespClient } from './differential/resp-client.js';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { freePort } from './helpers/ports.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';
import { tempDir } from './helpers/tmp.js';

const text = (b: Buffer): string => b.toString('latin1');

describe('MIGRATE and LATENCY against redis-server', () => {
  let redis: RedisProcess;
  let cairn: CairnProcess;
  let r: RawRespClient;
  let c: RawRespClient;

  beforeAll(async () => {
    [redis, cairn] = await Promise.all([startRedis(['--enable-debug-command', 'yes']), startCairn()]);
    [r, c] = await Promise.all([RawRespClient.connect(redis.port), RawRespClient.connect(cairn.respPort)]);
  });

  afterAll(async () => {
    r?.close();
    c?.close();
    await Promise.all([redis?.stop(), cairn?.stop()]);
  });

  it('moves keys from Cairn to Redis and back, with their TTL, COPY and REPLACE', async () => {
    await Promise.all([r.call(['FLUSHALL']), c.call(['FLUSHALL'])]);
    await c.callMany([
      ['SET', 's', 'v', 'PX', '100000'],
      ['RPUSH', 'l', 'a', 'b'],
      ['HSET', 'h', 'f', '1'],
      ['ZADD', 'z', '1', 'm'],
    ]);
    const port = String(redis.port);
    expect(text(await c.call(['MIGRATE', '127.0.0.1', port, 's', '0', '2000']))).toBe('+OK\r\n');
    expect(
      text(await c.call(['MIGRATE', '127.0.0.1', port, '', '0', '2000', 'KEYS', 'l', 'h', 'nokey'])),
    ).toBe('+OK\r\n');
    expect(text(await c.call(['EXISTS', 's', 'l', 'h']))).toBe(':0\r\n');
    expect(text(await r.call(['GET', 's']))).toBe('$1\r\nv\r\n');
    const ttl = Number(text(await r.call(['PTTL', 's'])).slice(1));
    expect(ttl).toBeGreaterThan(90_000);
    expect(text(await r.call(['LRANGE', 'l', '0', '-1']))).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    // The key exists on the target: refused, and kept here.
    await r.call(['SET', 'z', 'other']);
    const busy = text(await c.call(['MIGRATE', '127.0.0.1', port, 'z', '0', '2000']));
    expect(busy).toBe('-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n');
    expect(text(await c.call(['EXISTS', 'z']))).toBe(':1\r\n');
    expect(text(await c.call(['MIGRATE', '127.0.0.1', port, 'z', '0', '2000', 'COPY', 'REPLACE']))).toBe(
      '+OK\r\n',
    );
    expect(text(await c.call(['EXISTS', 'z']))).toBe(':1\r\n');
    expect(text(await r.call(['ZRANGE', 'z', '0', '-1', 'WITHSCORES']))).toBe('*2\r\n$1\r\nm\r\n$1\r\n1\r\n');
    // The connection stays cached for the next MIGRATE, as Redis's does.
    expect(text(await c.call(['INFO', 'stats']))).toContain('migrate_cached_sockets:1\r\n');
    // Redis sends to Cairn: the payload Redis writes is one Cairn reads.
    expect(text(await r.call(['MIGRATE', '127.0.0.1', String(cairn.respPort), 'l', '3', '2000']))).toBe(
      '+OK\r\n',
    );
    expect(
      text(
        await c
          .callMany([
            ['SELECT', '3'],
            ['LRANGE', 'l', '0', '-1'],
            ['SELECT', '0'],
          ])
          .then((x) => x[1]),
      ),
    ).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
  });

  it('answers IOERR when the target does not answer', async () => {
    await c.call(['SET', 'k', 'v']);
    // Port 1 on loopback refuses connections.
    expect(text(await c.call(['MIGRATE', '127.0.0.1', '1', 'k', '0', '500']))).toBe(
      text(
        await r
          .callMany([
            ['SET', 'k', 'v'],
            ['MIGRATE', '127.0.0.1', '1', 'k', '0', '500'],
          ])
          .then((x) => x[1]),
      ),
    );
    expect(text(await c.call(['EXISTS', 'k']))).toBe(':1\r\n');
  });

  it('records latency spikes over latency-monitor-threshold as Redis does', async () => {
    const shape = async (x: RawRespClient): Promise<string[]> => {
      await x.callMany([
        ['LATENCY', 'RESET'],
        ['CONFIG', 'SET', 'latency-monitor-threshold', '50'],
      ]);
      await x.call(['DEBUG', 'SLEEP', '0.1']);
      await x.call(['GET', 'nokey']);
      const latest = text(await x.call(['LATENCY', 'LATEST']));
      const history = text(await x.call(['LATENCY', 'HISTORY', 'command']));
      const graph = text(await x.call(['LATENCY', 'GRAPH', 'command']));
      const doctor = text(await x.call(['LATENCY', 'DOCTOR']));
      const reset = text(await x.call(['LATENCY', 'RESET']));
      await x.call(['CONFIG', 'SET', 'latency-monitor-threshold', '0']);
      const ms = Number(/\r\n:(\d+)\r\n:\d+\r\n$/.exec(latest)?.[1]);
      return [
        latest.replace(/:\d+/g, ':N'),
        history.replace(/:\d+/g, ':N'),
        graph.split('\n')[0].replace(/\d+/g, 'N'),
        String(doctor.length > 40),
        reset,
        String(ms >= 90 && ms < 1000),
      ];
    };
    const want = await shape(r);
    expect(want[0]).toContain('command');
    expect(await shape(c)).toEqual(want);
  });
});

describe('CONFIG SET port and bind', () => {
  it('moves the RESP listener, keeps open connections, and rolls back when it cannot', async () => {
    const [redis, cairn] = await Promise.all([startRedis(), startCairn()]);
    const r = await RawRespClient.connect(redis.port);
    const c = await RawRespClient.connect(cairn.respPort);
    try {
      // A port in use: refused with Redis's words, and every value of the call rolled back.
      const busy = ['CONFIG', 'SET', 'maxmemory', '12345', 'port', String(cairn.respPort)];
      const want = text(await r.call(busy));
      expect(want).toBe(
        "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n",
      );
      expect(text(await c.call([...busy.slice(0, 5), String(redis.port)]))).toBe(want);
      expect(text(await c.call(['CONFIG', 'GET', 'maxmemory']))).toBe('*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n');
      const port = await freePort();
      expect(text(await c.call(['CONFIG', 'SET', 'port', String(port)]))).toBe('+OK\r\n');
      // The connection made before goes on; new ones reach the new port only.
      expect(text(await c.call(['PING']))).toBe('+PONG\r\n');
      expect(text(await c.call(['INFO', 'server']))).toContain(`tcp_port:${port}\r\n`);
      const moved = await RawRespClient.connect(port);
      expect(text(await moved.call(['CONFIG', 'GET', 'port']))).toBe(
        `*2\r\n$4\r\nport\r\n$${String(port).length}\r\n${port}\r\n`,
      );
      await expect(RawRespClient.connect(cairn.respPort)).rejects.toThrow();
      // Same port, other addresses: the listeners are replaced in place.
      expect(text(await moved.call(['CONFIG', 'SET', 'bind', '127.0.0.1 -::1']))).toBe('+OK\r\n');
      const again = await RawRespClient.connect(port);
      expect(text(await again.call(['PING']))).toBe('+PONG\r\n');
      moved.close();
      again.close();
    } finally {
      r.close();
      c.close();
      await Promise.all([redis.stop(), cairn.stop()]);
    }
  });
});

describe('CONFIG REWRITE', () => {
  it('writes the running configuration back into the file, keeping comments and order', async () => {
    const dir = tempDir('cairn-rewrite-');
    const file = join(dir, 'cairn.conf');
    writeFileSync(file, '# my settings\nhz 10\n\n# keep this comment\nmaxmemory-policy noeviction\nhz 12\n');
    const cairn = await startCairn({ args: ['--config', file] });
    const client = createClient({ socket: { port: cairn.respPort } });
    try {
      await client.connect();
      expect(await client.configGet('hz')).toEqual({ hz: '12' });
      await client.configSet({ hz: '20', 'maxmemory-policy': 'allkeys-lru', 'slowlog-max-len': '7' });
      expect(await client.sendCommand(['CONFIG', 'REWRITE'])).toBe('OK');
      const lines = readFileSync(file, 'utf8').split('\n');
      expect(lines.slice(0, 5)).toEqual([
        '# my settings',
        'hz 20',
        '',
        '# keep this comment',
        'maxmemory-policy allkeys-lru',
      ]);
      // The second `hz` line is gone; an option the file did not name comes after the marker.
      expect(lines.filter((l) => l.startsWith('hz '))).toEqual(['hz 20']);
      expect(lines).toContain('# Generated by CONFIG REWRITE');
      expect(lines).toContain('slowlog-max-len 7');
    } finally {
      await client.quit().catch(() => undefined);
      await cairn.stop();
    }
    // The rewritten file starts a server with the same settings.
    const again = await startCairn({ args: ['--config', file] });
    const c2 = createClient({ socket: { port: again.respPort } });
    try {
      await c2.connect();
      expect(await c2.configGet('slowlog-max-len')).toEqual({ 'slowlog-max-len': '7' });
      expect(await c2.configGet('hz')).toEqual({ hz: '20' });
    } finally {
      await c2.quit().catch(() => undefined);
      await again.stop();
    }
  });
});
