/**
 * Scripts in the server: atomic runs through the dispatcher (WATCH, blocked clients, ACL
 * wording inside scripts, OOM, MULTI), the VM's memory bound, INFO fields, SCRIPT FLUSH.
 * Wording checked against redis-server 7.0.15; the differential test compares the rest.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { NULL_ARRAY } from '../commands/reply.js';
import { ErrorReply } from '../errors.js';
import { createTestServer, type TestServer } from '../server/testing.js';

let t: TestServer;

beforeEach(async () => {
  t = createTestServer();
  await t.server.scripting.init();
});

const text = (r: unknown) => (r instanceof ErrorReply ? r.message : Buffer.isBuffer(r) ? r.toString() : r);

describe('scripts and the rest of the server', () => {
  it('a write from a script fails a WATCH', async () => {
    const a = t.client();
    const b = t.client();
    await t.run(a, 'set', 'k', '1');
    await t.run(a, 'watch', 'k');
    await t.run(b, 'eval', "return redis.call('set', KEYS[1], '2')", '1', 'k');
    await t.run(a, 'multi');
    await t.run(a, 'get', 'k');
    expect(await t.run(a, 'exec')).toBe(NULL_ARRAY);
    // Unwatched, the same transaction runs.
    await t.run(a, 'multi');
    await t.run(a, 'get', 'k');
    expect(text(((await t.run(a, 'exec')) as unknown[])[0])).toBe('2');
  });

  it('wakes a client blocked on a key once the script has ended', async () => {
    const waiter = t.client();
    const writer = t.client();
    const popped = t.run(waiter, 'blpop', 'jobs', '0');
    const r = await t.run(
      writer,
      'eval',
      "redis.call('rpush', KEYS[1], 'a') return redis.call('llen', KEYS[1])",
      '1',
      'jobs',
    );
    // The script saw its own push: nobody took the element while it ran.
    expect(r).toBe(1);
    expect(((await popped) as Buffer[]).map(String)).toEqual(['jobs', 'a']);
  });

  it("runs commands as the caller's ACL user, with Redis's wording inside scripts", async () => {
    const admin = t.client();
    await t.run(admin, 'acl', 'setuser', 'lim', 'on', 'nopass', '+@all', '-set', '~allowed*');
    const c = t.client();
    expect(await t.run(c, 'auth', 'lim', 'x')).toEqual(expect.objectContaining({ value: 'OK' }));
    const body = "return redis.call('set', 'allowed1', 'v')";
    const sha = text(await t.run(c, 'script', 'load', body));
    expect(text(await t.run(c, 'eval', body, '0'))).toBe(
      `ERR The user executing the script can't run this command or subcommand script: ${sha}, on @user_script:1.`,
    );
    expect(text(await t.run(c, 'eval', "return redis.call('get', 'other')", '0'))).toMatch(
      /^ERR The user executing the script can't access at least one of the keys mentioned in the command arguments script: /,
    );
    expect(text(await t.run(c, 'eval', "return redis.call('get', 'allowed2')", '0'))).toBeNull();
    expect(await t.run(c, 'eval', "return redis.acl_check_cmd('set', 'a', 'b')", '0')).toBeNull();
    expect(await t.run(c, 'eval', "return redis.acl_check_cmd('get', 'allowed')", '0')).toBe(1);
  });

  it('refuses memory-growing commands under OOM until the first write, as Redis does', async () => {
    const c = t.client();
    await t.run(c, 'set', 'a', 'x'.repeat(1000));
    await t.run(c, 'config', 'set', 'maxmemory', '1');
    const oom = "OOM command not allowed when used memory > 'maxmemory'.";
    expect(text(await t.run(c, 'eval', "return redis.call('set', 'b', 'v')", '0'))).toMatch(
      new RegExp(`^${oom.replace(/[.()]/g, '\\$&')} script: `),
    );
    expect(text(await t.run(c, 'eval', "return redis.call('strlen', 'a')", '0'))).toBe(1000);
    expect(text(await t.run(c, 'eval', "#!lua\nreturn redis.call('strlen', 'a')", '0'))).toBe(oom);
    expect(text(await t.run(c, 'eval', "#!lua flags=no-writes\nreturn redis.call('strlen', 'a')", '0'))).toBe(
      1000,
    );
    expect(
      text(await t.run(c, 'eval', "#!lua flags=allow-oom\nreturn redis.call('set', 'b', 'v')", '0')),
    ).toEqual(expect.objectContaining({ value: 'OK' }));
    await t.run(c, 'config', 'set', 'maxmemory', '0');
  });

  it('runs inside MULTI / EXEC', async () => {
    const c = t.client();
    await t.run(c, 'multi');
    await t.run(c, 'eval', "return redis.call('incr', 'n')", '0');
    await t.run(c, 'eval', "return redis.call('incr', 'n')", '0');
    expect(await t.run(c, 'exec')).toEqual([1, 2]);
  });

  it('refuses commands the scripts may not run, and blocking ones', async () => {
    const c = t.client();
    for (const cmd of [
      "'multi'",
      "'watch', 'k'",
      "'blpop', 'l', '0'",
      "'subscribe', 'ch'",
      "'eval', 'return 1', '0'",
    ]) {
      expect(text(await t.run(c, 'eval', `return redis.call(${cmd})`, '0'))).toMatch(
        /^ERR This Redis command is not allowed from script script: /,
      );
    }
  });

  it('keeps a script to the VM memory bound and carries on after', async () => {
    const c = t.client();
    await t.run(c, 'config', 'set', 'lua-max-memory', '8mb');
    const r = await t.run(
      c,
      'eval',
      "local t = {} for i = 1, 1e7 do t[i] = string.rep('x', 100) .. i end return #t",
      '0',
    );
    expect(text(r)).toMatch(/not enough memory/);
    expect(await t.run(c, 'eval', 'return 1 + 1', '0')).toBe(2);
  });

  it('reports scripts and the VM in INFO memory, and SCRIPT FLUSH empties the cache', async () => {
    const c = t.client();
    await t.run(c, 'eval', 'return 1', '0');
    await t.run(c, 'script', 'load', 'return 2');
    const info = () => t.server.scripting.memoryInfo() as Array<[string, number | string]>;
    const field = (name: string) => info().find(([k]) => k === name)?.[1];
    expect(field('number_of_cached_scripts')).toBe(2);
    expect(field('used_memory_vm_eval') as number).toBeGreaterThan(10_000);
    expect(info().map(([k]) => k)).toEqual([
      'used_memory_lua',
      'used_memory_vm_eval',
      'used_memory_lua_human',
      'used_memory_scripts_eval',
      'number_of_cached_scripts',
      'number_of_functions',
      'used_memory_vm_functions',
      'used_memory_vm_total',
      'used_memory_vm_total_human',
      'used_memory_functions',
      'used_memory_scripts',
      'used_memory_scripts_human',
    ]);
    const infoReply = (await t.run(c, 'info', 'memory')) as { text?: string } | Buffer;
    const infoText = Buffer.isBuffer(infoReply) ? infoReply.toString() : (infoReply.text ?? '');
    expect(infoText).toContain('number_of_cached_scripts:2');
    expect(infoText).toMatch(/\r\nused_memory_vm_eval:\d+\r\n/);
    await t.run(c, 'script', 'flush');
    expect(field('number_of_cached_scripts')).toBe(0);
    expect(text(await t.run(c, 'evalsha', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0'))).toBe(
      'NOSCRIPT No matching script. Please use EVAL.',
    );
  });
});
