/**
 * ACL users through real clients: the same rules give the same answers as a real redis-server
 * (differential), AUTH/HELLO/redis-cli log in as named users, ACL SETUSER applies to connected
 * clients at once, DELUSER disconnects, ACL LOG records refusals, users come from `user`
 * lines and an ACL file, and rename-command hides admin commands.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';
import { tempDir } from './helpers/tmp.js';

const run = promisify(execFile);

/** One command's outcome, comparable across servers: the error text, or 'ok'. */
async function outcome(client: Redis, argv: string[]): Promise<string> {
  try {
    await client.call(argv[0], ...argv.slice(1));
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  }
}

const RULE_SETS: string[][] = [
  ['+@read', '~cache:*'],
  ['+@all', '-@dangerous', '~*'],
  ['+@write', '+@read', '%R~r:*', '%W~w:*', '~rw:*'],
  ['+get', '+set', '+client|id', '~*'],
  ['allcommands', 'allkeys', '-flushall', '-config'],
  ['+@string', '-set', '~*'],
  ['nocommands', '+@keyspace', '~k*'],
  ['-@all', '+@admin'],
  ['+@connection', '+@transaction', '+@fast', '~cache:*'],
];

const PROBES: string[][] = [
  ['GET', 'cache:a'],
  ['GET', 'other'],
  ['SET', 'cache:a', '1'],
  ['SET', 'w:1', 'x'],
  ['SET', 'r:1', 'x'],
  ['GET', 'r:1'],
  ['GET', 'w:1'],
  ['DEL', 'w:1'],
  ['MGET', 'cache:a', 'other'],
  ['MSET', 'w:a', '1', 'w:b', '2'],
  ['MSET', 'w:a', '1', 'r:b', '2'],
  ['KEYS', 'nothing*'],
  ['CONFIG', 'GET', 'maxmemory'],
  ['CLIENT', 'ID'],
  ['CLIENT', 'GETNAME'],
  ['PING'],
  ['ECHO', 'x'],
  ['TTL', 'cache:a'],
  ['EXPIRE', 'cache:a', '100'],
  ['INCR', 'rw:n'],
  ['EXISTS', 'k1', 'k2'],
  ['DBSIZE'],
  ['ACL', 'WHOAMI'],
  ['SLOWLOG', 'LEN'],
  ['FLUSHDB'],
];

describe('ACL users', () => {
  let cairn: CairnProcess;
  let redis: RedisProcess;
  let admin: Redis;
  let oracleAdmin: Redis;

  beforeAll(async () => {
    [cairn, redis] = await Promise.all([
      startCairn({ args: ['--user', 'ops on >ops-secret ~* +@all'] }),
      startRedis(),
    ]);
    admin = new Redis({ port: cairn.respPort, lazyConnect: true });
    oracleAdmin = new Redis({ port: redis.port, lazyConnect: true });
    await Promise.all([admin.connect(), oracleAdmin.connect()]);
  }, 30_000);

  afterAll(async () => {
    admin?.disconnect();
    oracleAdmin?.disconnect();
    await Promise.all([cairn?.stop(), redis?.stop()]);
  });

  it('gives the same answers as redis-server for the same rules (NOPERM texts included)', async () => {
    for (const [i, rules] of RULE_SETS.entries()) {
      const name = `u${i}`;
      for (const a of [admin, oracleAdmin]) {
        expect(await a.call('ACL', 'SETUSER', name, 'reset', 'on', '>pw', ...rules)).toBe('OK');
      }
      const mine = new Redis({
        port: cairn.respPort,
        username: name,
        password: 'pw',
        enableReadyCheck: false,
      });
      const theirs = new Redis({ port: redis.port, username: name, password: 'pw', enableReadyCheck: false });
      try {
        for (const probe of PROBES) {
          const [a, b] = [await outcome(mine, probe), await outcome(theirs, probe)];
          expect(`${rules.join(' ')} | ${probe.join(' ')} -> ${a}`).toBe(
            `${rules.join(' ')} | ${probe.join(' ')} -> ${b}`,
          );
        }
      } finally {
        mine.disconnect();
        theirs.disconnect();
      }
    }
  });

  it('describes users as Redis does in ACL LIST, GETUSER and USERS', async () => {
    for (const a of [admin, oracleAdmin]) {
      await a.call('ACL', 'SETUSER', 'listed', 'reset', 'on', '>pw', '~cache:*', '%R~r:*', '+@read', '+set');
    }
    const line = (await admin.call('ACL', 'LIST')) as string[];
    const oracle = (await oracleAdmin.call('ACL', 'LIST')) as string[];
    const pick = (lines: string[]) => lines.find((l) => l.startsWith('user listed '));
    expect(pick(line)).toBe(pick(oracle));
    expect(line).toContain('user default on nopass ~* &* +@all');
    expect(await admin.call('ACL', 'GETUSER', 'listed')).toEqual(
      await oracleAdmin.call('ACL', 'GETUSER', 'listed'),
    );
    expect(await admin.call('ACL', 'GETUSER', 'nobody')).toBeNull();
    expect(await admin.call('ACL', 'USERS')).toContain('ops');
  });

  it('answers rule errors with Redis words, and applies nothing of a failed SETUSER', async () => {
    for (const bad of [['badrule'], ['+nosuch'], ['+@nosuch'], ['on', '>x', '#zz']]) {
      const [a, b] = [
        await outcome(admin, ['ACL', 'SETUSER', 'broken', ...bad]),
        await outcome(oracleAdmin, ['ACL', 'SETUSER', 'broken', ...bad]),
      ];
      expect(a).toBe(b);
    }
    expect(await admin.call('ACL', 'GETUSER', 'broken')).toBeNull();
    expect(await outcome(admin, ['ACL', 'DELUSER', 'default'])).toBe(
      await outcome(oracleAdmin, ['ACL', 'DELUSER', 'default']),
    );
  });

  it('logs in with AUTH user pass, HELLO 3 AUTH (node-redis) and redis-cli --user', async () => {
    await admin.call(
      'ACL',
      'SETUSER',
      'reader',
      'reset',
      'on',
      '>rpw',
      '~*',
      '+@read',
      '+@connection',
      '+acl|whoami',
    );
    await admin.set('shared', 'value');
    const c = createClient({
      socket: { port: cairn.respPort },
      username: 'reader',
      password: 'rpw',
      RESP: 3,
    });
    await c.connect();
    try {
      expect(await c.get('shared')).toBe('value');
      expect(await c.sendCommand(['ACL', 'WHOAMI'])).toBe('reader');
      await expect(c.set('shared', 'x')).rejects.toThrow(
        /NOPERM this user has no permissions to run the 'set' command/,
      );
    } finally {
      await c.quit();
    }
    const bad = createClient({
      socket: { port: cairn.respPort, reconnectStrategy: false },
      username: 'reader',
      password: 'wrong',
    });
    bad.on('error', () => {});
    await expect(bad.connect()).rejects.toThrow(/WRONGPASS/);
    const { stdout } = await run('redis-cli', [
      '-p',
      String(cairn.respPort),
      '--user',
      'reader',
      '--pass',
      'rpw',
      '--no-auth-warning',
      'GET',
      'shared',
    ]);
    expect(stdout.trim()).toBe('value');
  });

  it('answers ACL CAT, GENPASS and DRYRUN as Redis does', async () => {
    expect(await admin.call('ACL', 'CAT')).toEqual(await oracleAdmin.call('ACL', 'CAT'));
    // Every command both servers have (CLIENT SETINFO came after the oracle's 7.0) is in the
    // same categories, so +@category rules mean the same on both.
    const cats = (await oracleAdmin.call('ACL', 'CAT')) as string[];
    const list = async (a: Redis, cat: string) => (await a.call('ACL', 'CAT', cat)) as string[];
    const all = async (a: Redis) => new Set((await Promise.all(cats.map((c) => list(a, c)))).flat());
    const [mineAll, theirsAll] = [await all(admin), await all(oracleAdmin)];
    const both = (c: string) => mineAll.has(c) && theirsAll.has(c);
    for (const cat of cats) {
      const mine = (await list(admin, cat)).filter(both).sort();
      const theirs = (await list(oracleAdmin, cat)).filter(both).sort();
      expect(`${cat}: ${mine.join(' ')}`).toBe(`${cat}: ${theirs.join(' ')}`);
    }
    expect(both('get') && both('acl|setuser') && both('config|get')).toBe(true);
    expect(await outcome(admin, ['ACL', 'CAT', 'nosuch'])).toBe(
      await outcome(oracleAdmin, ['ACL', 'CAT', 'nosuch']),
    );
    expect(await admin.call('ACL', 'GENPASS')).toMatch(/^[0-9a-f]{64}$/);
    expect(await admin.call('ACL', 'GENPASS', '5')).toMatch(/^[0-9a-f]{2}$/);
    expect(await outcome(admin, ['ACL', 'GENPASS', '0'])).toBe(
      await outcome(oracleAdmin, ['ACL', 'GENPASS', '0']),
    );
    for (const a of [admin, oracleAdmin]) await a.call('ACL', 'SETUSER', 'dry', 'reset', 'on', '~k*', '+get');
    for (const probe of [
      ['dry', 'get', 'k1'],
      ['dry', 'get', 'x'],
      ['dry', 'set', 'k1', 'v'],
      ['dry', 'get'],
      ['nobody', 'get', 'k'],
      ['dry', 'nosuchcmd'],
    ]) {
      expect(await outcome(admin, ['ACL', 'DRYRUN', ...probe])).toBe(
        await outcome(oracleAdmin, ['ACL', 'DRYRUN', ...probe]),
      );
    }
  });

  it('RESET goes back to the default user and its permissions, as in Redis', async () => {
    for (const [a, port] of [
      [admin, cairn.respPort],
      [oracleAdmin, redis.port],
    ] as const) {
      await a.call(
        'ACL',
        'SETUSER',
        'resetter',
        'reset',
        'on',
        '>pw',
        '~*',
        '+@read',
        '+@connection',
        '+acl|whoami',
      );
      const c = new Redis({ port, username: 'resetter', password: 'pw', enableReadyCheck: false });
      try {
        expect(await c.call('ACL', 'WHOAMI')).toBe('resetter');
        await expect(c.set('after-reset', '1')).rejects.toThrow(/NOPERM/);
        expect(await c.call('RESET')).toBe('RESET');
        expect(await c.call('ACL', 'WHOAMI')).toBe('default');
        expect(await c.set('after-reset', '1')).toBe('OK');
      } finally {
        c.disconnect();
      }
    }
  });

  it('applies SETUSER to connected clients at once; DELUSER disconnects them; off refuses new logins', async () => {
    await admin.call('ACL', 'SETUSER', 'live', 'reset', 'on', '>lpw', '~*', '+@all');
    const c = new Redis({
      port: cairn.respPort,
      username: 'live',
      password: 'lpw',
      enableReadyCheck: false,
      retryStrategy: () => null,
    });
    expect(await c.set('k-live', '1')).toBe('OK');
    await admin.call('ACL', 'SETUSER', 'live', '-set');
    await expect(c.set('k-live', '2')).rejects.toThrow(/NOPERM/);
    expect(await c.get('k-live')).toBe('1');
    const closed = new Promise((r) => c.once('end', r));
    expect(await admin.call('ACL', 'DELUSER', 'live', 'nobody')).toBe(1);
    await closed;
    await admin.call('ACL', 'SETUSER', 'sleeper', 'reset', 'off', '>spw', '+@all');
    expect(await outcome(admin, ['AUTH', 'sleeper', 'spw'])).toMatch(/WRONGPASS/);
  });

  it('records refusals and failed logins in ACL LOG, and RESET empties it', async () => {
    await admin.call('ACL', 'LOG', 'RESET');
    await admin.call('ACL', 'SETUSER', 'logged', 'reset', 'on', '>pw', '~a*', '+get');
    const c = new Redis({
      port: cairn.respPort,
      username: 'logged',
      password: 'pw',
      enableReadyCheck: false,
    });
    await expect(c.get('b')).rejects.toThrow(/NOPERM/);
    await expect(c.set('a', '1')).rejects.toThrow(/NOPERM/);
    c.disconnect();
    expect(await outcome(admin, ['AUTH', 'logged', 'nope'])).toMatch(/WRONGPASS/);
    await admin.call('AUTH', 'ops', 'ops-secret');
    const log = (await admin.call('ACL', 'LOG')) as unknown[][];
    const entries = log.map((e) => {
      const m = new Map<string, unknown>();
      for (let i = 0; i < e.length; i += 2) m.set(e[i] as string, e[i + 1]);
      return m;
    });
    // ioredis's own CLIENT SETINFO on connect was refused too: that is the oldest entry.
    expect(entries.map((e) => [e.get('reason'), e.get('object'), e.get('username')]).slice(0, 3)).toEqual([
      ['auth', 'AUTH', 'logged'],
      ['command', 'set', 'logged'],
      ['key', 'b', 'logged'],
    ]);
    expect(await admin.call('ACL', 'LOG', 'RESET')).toBe('OK');
    expect(await admin.call('ACL', 'LOG')).toEqual([]);
  });

  it('CONFIG SET requirepass sets the default user password, as in Redis', async () => {
    const c = new Redis({ port: cairn.respPort, retryStrategy: () => null });
    await c.call('AUTH', 'ops', 'ops-secret');
    expect(await c.call('CONFIG', 'SET', 'requirepass', 's3cret')).toBe('OK');
    const cli = (...args: string[]) =>
      run('redis-cli', ['-p', String(cairn.respPort), '--no-auth-warning', ...args]).then((r) =>
        r.stdout.trim(),
      );
    expect(await cli('GET', 'x')).toMatch(/NOAUTH/);
    expect(await cli('-a', 's3cret', 'ACL', 'WHOAMI')).toBe('default');
    expect(await c.call('CONFIG', 'SET', 'requirepass', '')).toBe('OK');
    expect((await c.call('ACL', 'LIST')) as string[]).toContain('user default on nopass ~* &* +@all');
    c.disconnect();
  });
});

describe('users from an ACL file, and renamed commands', () => {
  it('loads aclfile at start, ACL SAVE writes it, ACL LOAD reads it back', async () => {
    const dir = tempDir('cairn-aclfile-');
    const file = join(dir, 'users.acl');
    writeFileSync(file, 'user admin on >adm ~* +@all\nuser viewer on >view ~* +@read\n');
    const cairn = await startCairn({ args: ['--aclfile', file, '--requirepass', 'root'] });
    try {
      const c = new Redis({
        port: cairn.respPort,
        username: 'admin',
        password: 'adm',
        enableReadyCheck: false,
      });
      expect(await c.call('ACL', 'USERS')).toEqual(['admin', 'default', 'viewer']);
      await c.call('ACL', 'SETUSER', 'writer', 'on', '>w', '~w:*', '+set');
      expect(await c.call('ACL', 'SAVE')).toBe('OK');
      const saved = readFileSync(file, 'utf8');
      expect(saved).toMatch(/^user writer on #[0-9a-f]{64} ~w:\* resetchannels -@all \+set$/m);
      expect(saved).not.toContain('>w');
      writeFileSync(file, `${saved}user extra on >e +ping\n`);
      expect(await c.call('ACL', 'LOAD')).toBe('OK');
      expect(await c.call('ACL', 'USERS')).toEqual(['admin', 'default', 'extra', 'viewer', 'writer']);
      writeFileSync(file, 'user admin on >adm ~* +@all\nthis is not a user line\n');
      await expect(c.call('ACL', 'LOAD')).rejects.toThrow(/users.acl:2/);
      expect(await c.call('ACL', 'USERS')).toEqual(['admin', 'default', 'extra', 'viewer', 'writer']);
      c.disconnect();
    } finally {
      await cairn.stop();
    }
  });

  it('refuses to start with a bad user rule, naming it', async () => {
    await expect(startCairn({ args: ['--user', 'eve on +nosuchcommand'], timeoutMs: 8000 })).rejects.toThrow(
      /nosuchcommand/,
    );
  });

  it('rename-command renames or disables commands (FLUSHALL gone, CONFIG under a new name)', async () => {
    const cairn = await startCairn({
      args: ['--rename-command', "FLUSHALL ''", '--rename-command', 'CONFIG ops-config'],
    });
    try {
      const c = new Redis({ port: cairn.respPort });
      await expect(c.call('FLUSHALL')).rejects.toThrow(/ERR unknown command 'FLUSHALL'/);
      await expect(c.call('CONFIG', 'GET', 'port')).rejects.toThrow(/ERR unknown command 'CONFIG'/);
      expect(await c.call('ops-config', 'GET', 'maxclients')).toEqual(['maxclients', '10000']);
      // ACL rules keep the original names.
      expect(await c.call('ACL', 'SETUSER', 'x', '+config', '-flushall')).toBe('OK');
      c.disconnect();
    } finally {
      await cairn.stop();
    }
  });
});
