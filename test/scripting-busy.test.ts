/**
 * A runaway script does not take the server down: past busy-reply-threshold other clients get
 * BUSY (only allow-busy commands run), SCRIPT KILL / FUNCTION KILL stop a script that has not
 * written and the server then serves normally; a script that wrote is UNKILLABLE, and SHUTDOWN
 * NOSAVE still stops the server. Against the compiled server, with real clients.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';

const BUSY_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
const BUSY_FUNCTION =
  'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';

function client(port: number): Redis {
  return new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
}

/** Send PING until the server answers BUSY (bounded): the script has passed the threshold. */
async function untilBusy(c: Redis): Promise<string> {
  for (let i = 0; i < 1000; i++) {
    const err = await c.ping().then(
      () => null,
      (e: Error) => e.message,
    );
    if (err !== null) return err;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the script never became busy');
}

describe('busy scripts', () => {
  let cairn: CairnProcess;
  let a: Redis;
  let b: Redis;

  beforeAll(async () => {
    cairn = await startCairn({ args: ['--snapshot-store', 'none'] });
    a = client(cairn.respPort);
    b = client(cairn.respPort);
    await a.ping();
    expect(await b.config('SET', 'busy-reply-threshold', '100')).toBe('OK');
    // lua-time-limit is the same option under Redis's older name.
    expect(await b.config('GET', 'lua-time-limit')).toEqual(['lua-time-limit', '100']);
  });

  afterAll(async () => {
    a?.disconnect();
    b?.disconnect();
    await cairn?.stop();
  });

  it('answers BUSY past the threshold, SCRIPT KILL stops the script, then serves normally', async () => {
    await b.set('before', '1');
    const running = a.eval('local i = 0 while true do i = i + 1 end', 0).then(
      () => 'finished',
      (e: Error) => e.message,
    );
    expect(await untilBusy(b)).toBe(BUSY_EVAL);
    await expect(b.get('before')).rejects.toThrow(BUSY_EVAL);
    // Allow-busy commands run: FUNCTION KILL tells an EVAL apart, SCRIPT KILL stops it.
    await expect(b.call('FUNCTION', 'KILL')).rejects.toThrow(BUSY_EVAL);
    expect(await b.script('KILL')).toBe('OK');
    expect(await running).toMatch(
      /^ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.$/,
    );
    expect(await b.get('before')).toBe('1');
    expect(await b.set('after', '2')).toBe('OK');
    expect(await a.eval('return 7', 0)).toBe(7);
    await expect(b.script('KILL')).rejects.toThrow('NOTBUSY No scripts in execution right now.');
  });

  it('FUNCTION KILL stops a looping function', async () => {
    await b.call(
      'FUNCTION',
      'LOAD',
      'REPLACE',
      "#!lua name=loops\nredis.register_function('spin', function() while true do end end)",
    );
    const running = a.call('FCALL', 'spin', '0').then(
      () => 'finished',
      (e: Error) => e.message,
    );
    expect(await untilBusy(b)).toBe(BUSY_FUNCTION);
    await expect(b.script('KILL')).rejects.toThrow(BUSY_FUNCTION);
    expect(await b.call('FUNCTION', 'KILL')).toBe('OK');
    expect(await running).toBe(
      'ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.',
    );
    expect(await b.ping()).toBe('PONG');
  });
});

describe('an unkillable script', () => {
  it('refuses SCRIPT KILL once it wrote; SHUTDOWN NOSAVE still stops the server', async () => {
    const cairn = await startCairn({ args: ['--snapshot-store', 'none', '--busy-reply-threshold', '100'] });
    const a = client(cairn.respPort);
    const b = client(cairn.respPort);
    try {
      // Both connections ready (ioredis's ready check is an INFO, which BUSY would refuse).
      await Promise.all([a.ping(), b.ping()]);
      const running = a.eval("redis.call('set', 'w', '1') while true do end", 0).then(
        () => 'finished',
        (e: Error) => e.message,
      );
      expect(await untilBusy(b)).toBe(BUSY_EVAL);
      await expect(b.script('KILL')).rejects.toThrow(
        /^UNKILLABLE Sorry the script already executed write commands/,
      );
      await b.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
      expect(await cairn.exited).toBe(0);
      expect(await running).not.toBe('finished');
    } finally {
      a.disconnect();
      b.disconnect();
      await cairn.stop();
    }
  });
});
