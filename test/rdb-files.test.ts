/**
 * Moving a dataset between Redis and Cairn through RDB files, with the real redis-server on the
 * other side: Redis writes every type (both encodings of each, binary data, TTLs, several
 * databases, a function library), saves with SAVE, `cairn import` reads the file into a
 * snapshot that Cairn then serves, and every key reads the same on both. The reverse goes
 * through `cairn export --rdb`, loaded by redis-server at start. Bad files are refused whole
 * with a message naming the record, and `--import-rdb` loads a file at start.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { CAIRN_BIN, type CairnProcess, REPO_ROOT, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';
import { tempDir } from './helpers/tmp.js';

const servers: Array<CairnProcess | RedisProcess> = [];
const clients: Redis[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of servers.splice(0)) await ('proc' in s ? s.stop('SIGKILL') : s.stop());
});

function client(port: number): Redis {
  const r = new Redis({ port, maxRetriesPerRequest: 0 });
  r.on('error', () => {});
  clients.push(r);
  return r;
}

/** Run the cairn command (import / export) to its end. */
function cairn(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CAIRN_BIN, ...args], { cwd: REPO_ROOT });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    p.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    // 'close': after stdout and stderr have ended, so out and err are whole.
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

const BIN = Buffer.from([0, 1, 2, 255, 254, 13, 10, 0x80]);

/** Every type, small and large encodings, binary data, TTLs, three databases. */
async function fill(r: Redis): Promise<void> {
  const p = r.pipeline();
  p.set('str', 'hello');
  p.set('int', '-12345');
  p.set('bigint', '123456789012345678');
  p.set(Buffer.concat([Buffer.from('bin:'), BIN]), BIN);
  p.set('long', 'abc'.repeat(2000));
  p.set('ttl', 'soon', 'PX', 3_600_000);
  p.hset('hsmall', 'a', '1', 'b', 'two', 'c', '3.5');
  for (let i = 0; i < 300; i++) p.hset('hbig', `f${i}`, `v${i}`);
  p.rpush('lsmall', 'a', 'b', '1', '-7', 'x'.repeat(100));
  for (let i = 0; i < 2000; i++) p.rpush('lbig', `item-${i}`);
  p.sadd('sint', '1', '2', '3', '-4', '100000000000');
  p.sadd('sstr', 'a', 'b', 'c');
  for (let i = 0; i < 700; i++) p.sadd('sbig', String(i));
  p.zadd('zsmall', 1, 'a', 2.5, 'b', -3, 'c');
  for (let i = 0; i < 200; i++) p.zadd('zbig', i / 7, `m${i}`);
  p.zadd('zinf', 'inf', 'top', '-inf', 'bottom');
  p.hset('httl', 'a', '1');
  p.pexpire('httl', 7_200_000);
  for (let i = 1; i <= 150; i++) p.xadd('stream', `${i}-1`, 'n', String(i), 'pad', 'y'.repeat(i % 20));
  p.xdel('stream', '3-1', '77-1');
  p.xgroup('CREATE', 'stream', 'g1', '0');
  p.xreadgroup('GROUP', 'g1', 'alice', 'COUNT', '5', 'STREAMS', 'stream', '>');
  p.select(2);
  p.set('in-db-2', 'two');
  p.rpush('list-db-2', 'x');
  p.select(5);
  p.zadd('z-db-5', 1, 'one');
  p.select(0);
  await p.exec();
  await r.call(
    'FUNCTION',
    'LOAD',
    "#!lua name=lib1\nredis.register_function('one', function() return 1 end)",
  );
}

/** Every key of every database as comparable text (unordered collections sorted). */
async function contents(r: Redis): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (let db = 0; db < 16; db++) {
    await r.select(db);
    const keys = (await r.keysBuffer('*')).sort(Buffer.compare);
    for (const k of keys) {
      const type = await r.type(k);
      let v: unknown;
      if (type === 'string') v = (await r.getBuffer(k))?.toString('hex');
      else if (type === 'hash') v = Object.entries(await r.hgetall(k)).sort();
      else if (type === 'list') v = await r.lrange(k, 0, -1);
      else if (type === 'set') v = (await r.smembers(k)).sort();
      else if (type === 'zset') v = await r.zrange(k, '0', '-1', 'WITHSCORES');
      else if (type === 'stream')
        v = [await r.xrange(k, '-', '+'), await r.call('XINFO', 'GROUPS', k), await r.xpending(k, 'g1')];
      const pttl = await r.pttl(k);
      // TTLs are absolute in the file: both sides count down from the same instant.
      const ttl = pttl < 0 ? pttl : Math.round(pttl / 60_000);
      out[`${db}:${k.toString('hex')}`] = JSON.stringify([type, v, ttl]);
    }
  }
  await r.select(0);
  out.functions = JSON.stringify(await r.call('FUNCTION', 'LIST', 'WITHCODE'));
  return out;
}

describe('RDB files', () => {
  it('imports what redis-server saved: every type, TTL, database and function library', async () => {
    const rdir = tempDir('cairn-rdb-src-');
    const redis = await startRedis(['--dir', rdir]);
    servers.push(redis);
    const rr = client(redis.port);
    await fill(rr);
    expect(await rr.save()).toBe('OK');
    const want = await contents(rr);
    expect(Object.keys(want).length).toBeGreaterThan(20);

    const cdir = tempDir('cairn-rdb-dst-');
    const imp = await cairn(['import', join(rdir, 'dump.rdb'), '--dir', cdir]);
    expect(imp.err.includes('Error') ? imp.err : '').toBe('');
    expect(imp.code).toBe(0);
    expect(imp.out).toMatch(/imported 21 keys \(0 already expired, skipped\) and 1 function libraries/);
    const srv = await startCairn({ args: ['--dir', cdir] });
    servers.push(srv);
    expect(await contents(client(srv.respPort))).toEqual(want);
  });

  it('exports a snapshot as an RDB file that redis-server loads', async () => {
    const cdir = tempDir('cairn-rdb-exp-');
    const srv = await startCairn({ args: ['--dir', cdir] });
    servers.push(srv);
    const cr = client(srv.respPort);
    await fill(cr);
    const want = await contents(cr);
    expect(await srv.stop()).toBe(0);
    servers.splice(servers.indexOf(srv), 1);

    const rdir = tempDir('cairn-rdb-redis-');
    const exp = await cairn(['export', '--rdb', join(rdir, 'dump.rdb'), '--dir', cdir]);
    expect(exp.code).toBe(0);
    expect(exp.out).toMatch(/exported 21 keys/);
    const redis = await startRedis(['--dir', rdir, '--dbfilename', 'dump.rdb']);
    servers.push(redis);
    expect(await contents(client(redis.port))).toEqual(want);
  });

  it('refuses a damaged file whole, naming where it stopped, and saves nothing', async () => {
    const rdir = tempDir('cairn-rdb-bad-');
    const redis = await startRedis(['--dir', rdir, '--rdbcompression', 'no']);
    servers.push(redis);
    const rr = client(redis.port);
    await rr.set('first', 'ok');
    await rr.set('second', 'x'.repeat(500));
    await rr.save();
    const good = readFileSync(join(rdir, 'dump.rdb'));
    const cdir = tempDir('cairn-rdb-none-');

    // Cut in the middle of the second value.
    const cut = join(rdir, 'cut.rdb');
    writeFileSync(cut, good.subarray(0, good.indexOf('xxxx') + 100));
    const r1 = await cairn(['import', cut, '--dir', cdir]);
    expect(r1.code).toBe(1);
    expect(r1.err).toMatch(/record \d+ \(database 0, key "second", byte \d+\): unexpected end of file/);

    // One flipped byte inside a value: the checksum catches it.
    const flipped = Buffer.from(good);
    flipped[good.indexOf('xxxx') + 50] = 0x79;
    const bad = join(rdir, 'flipped.rdb');
    writeFileSync(bad, flipped);
    const r2 = await cairn(['import', bad, '--dir', cdir]);
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/wrong checksum/);

    const r3 = await cairn(['import', join(rdir, 'nope.rdb'), '--dir', cdir]);
    expect(r3.code).toBe(1);
    expect(r3.err).toMatch(/cannot read .*nope\.rdb/);
    expect(readdirSync(cdir).filter((f) => f.endsWith('.cairn'))).toEqual([]);

    // The good file imports.
    const ok = await cairn(['import', join(rdir, 'dump.rdb'), '--dir', cdir]);
    expect(ok.code).toBe(0);
    expect(readdirSync(cdir).filter((f) => f.endsWith('.cairn'))).toHaveLength(1);
  });

  it('--import-rdb loads a file at start, keeps it in a snapshot, and refuses a bad one', async () => {
    const rdir = tempDir('cairn-rdb-start-');
    const redis = await startRedis(['--dir', rdir]);
    servers.push(redis);
    const rr = client(redis.port);
    await rr.hset('h', 'a', '1');
    await rr.set('s', 'v');
    await rr.save();
    const file = join(rdir, 'dump.rdb');

    const bad = join(rdir, 'bad.rdb');
    copyFileSync(file, bad);
    writeFileSync(bad, Buffer.from('REDIS0011'));
    const refused = await startCairn({ args: ['--import-rdb', bad] }).then(
      () => 'started',
      (e: Error) => e.message,
    );
    expect(refused).toMatch(/RDB format version 11; Cairn reads versions 1 to 10/);

    const cdir = tempDir('cairn-rdb-start-dst-');
    const srv = await startCairn({ args: ['--dir', cdir, '--import-rdb', file] });
    servers.push(srv);
    const cr = client(srv.respPort);
    expect(await cr.hgetall('h')).toEqual({ a: '1' });
    expect(await cr.get('s')).toBe('v');
    expect(await srv.stop()).toBe(0);
    servers.splice(servers.indexOf(srv), 1);

    // Restarted without the flag, it serves the snapshot the import left.
    const again = await startCairn({ args: ['--dir', cdir] });
    servers.push(again);
    expect(await client(again.respPort).get('s')).toBe('v');
  });
});
