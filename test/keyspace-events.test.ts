/**
 * Keyspace notifications, Cairn against a real redis-server: the same script (every command of
 * every data-type family, expiry, blocked clients, MULTI/EXEC; see keyspace-events/script.ts)
 * runs on both with the same `notify-keyspace-events`, and the messages a PSUBSCRIBE
 * `__key*__:*` client receives must be identical, step by step and in order. Both engines are
 * run. CONFIG SET/GET of the option is compared byte for byte, and eviction is checked on both
 * servers by what it publishes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawRespClient } from './differential/resp-client.js';
import { ENGINES, startEngine } from './differential/servers.js';
import type { CairnProcess } from './helpers/cairn.js';
import { type RedisProcess, startRedis } from './helpers/redis.js';
import { runScript, type StepResult, Subscriber } from './keyspace-events/runner.js';
import { SCRIPT } from './keyspace-events/script.js';

const FLAG_SETS = ['KEA', 'Kx', 'Elg$', 'KEn', 'KEm', 'KEAnm', 'hE'];

/** The steps whose notifications differ, each as `step`, Redis's messages, Cairn's. */
function differences(expected: StepResult[], got: StepResult[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(expected.length, got.length); i++) {
    const e = expected[i];
    const g = got[i];
    if (JSON.stringify(e) === JSON.stringify(g)) continue;
    out.push(`${e?.step ?? g?.step}\n  redis: ${e?.events.join(' | ')}\n  cairn: ${g?.events.join(' | ')}`);
  }
  return out;
}

let redis: RedisProcess;
const cairns: Array<{ engine: string; proc: CairnProcess }> = [];

beforeAll(async () => {
  redis = await startRedis(['--enable-debug-command', 'yes']);
  for (const engine of ENGINES) cairns.push({ engine, proc: await startEngine(engine) });
});

afterAll(async () => {
  await redis?.stop();
  for (const c of cairns) await c.proc.stop();
});

describe('the same notifications as redis-server', () => {
  for (const flags of FLAG_SETS) {
    it(`notify-keyspace-events ${flags}`, async () => {
      const expected = await runScript(redis.port, flags, SCRIPT);
      // The script must make Redis publish, or equality would prove nothing.
      const published = expected.reduce((n, s) => n + s.events.length, 0);
      expect(published).toBeGreaterThan(flags.includes('A') ? 300 : 0);
      for (const { engine, proc } of cairns) {
        const got = await runScript(proc.respPort, flags, SCRIPT);
        expect(differences(expected, got), `${engine} engine`).toEqual([]);
      }
    });
  }
});

describe('CONFIG SET / GET notify-keyspace-events', () => {
  const VALUES = ['KEA', 'A', 'AKEn', 'KEAm', 'g$lshzxet', 'g$lshzxetd', 'Kd', 'nd$', 'mK', 'xeK', 'AAK', ''];
  const BAD = ['a', ' K', 'K E', 'Kq'];

  async function answers(port: number): Promise<string[]> {
    const c = await RawRespClient.connect(port);
    const out: string[] = [];
    for (const v of [...VALUES, ...BAD]) {
      out.push((await c.call(['config', 'set', 'notify-keyspace-events', v])).toString('latin1'));
      out.push((await c.call(['config', 'get', 'notify-keyspace-events'])).toString('latin1'));
    }
    out.push((await c.call(['config', 'get', 'notify-*'])).toString('latin1'));
    c.close();
    return out;
  }

  it('parses, renders and refuses flag strings as Redis does', async () => {
    const expected = await answers(redis.port);
    expect(expected).toContain('*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n');
    expect(expected.some((r) => r.includes('Invalid event class character'))).toBe(true);
    for (const { proc } of cairns) expect(await answers(proc.respPort)).toEqual(expected);
  });
});

describe('evicted', () => {
  /**
   * Fill the server past a maxmemory just above what it uses now, under allkeys-random, until
   * an `evicted` notification arrives; every key reported evicted must be gone. `usage` is the
   * INFO memory field maxmemory is compared with: Redis's used_memory, Cairn's dataset (its
   * maxmemory bounds the keyspace, not the JS heap).
   */
  async function evictions(
    port: number,
    usage: 'used_memory' | 'used_memory_dataset',
  ): Promise<{ events: string[]; stillThere: number }> {
    const c = await RawRespClient.connect(port);
    const sub = await Subscriber.open(port);
    try {
      await c.call(['flushall']);
      await c.call(['config', 'set', 'notify-keyspace-events', 'KEe']);
      const info = (await c.call(['info', 'memory'])).toString('latin1');
      const used = Number(new RegExp(`\r\n${usage}:(\\d+)`).exec(info)?.[1]);
      expect(Number.isSafeInteger(used)).toBe(true);
      await c.call(['config', 'set', 'maxmemory-policy', 'allkeys-random']);
      await c.call(['config', 'set', 'maxmemory', String(used + 200_000)]);
      const value = 'v'.repeat(200);
      let written = 0;
      const evicted = () => sub.messages.some((m) => m.endsWith(' evicted'));
      while (!evicted()) {
        if (written >= 50_000) throw new Error('no key was evicted');
        const batch = Array.from({ length: 200 }, (_, i) => ['set', `ev:${written + i}`, value]);
        await c.callMany(batch);
        written += batch.length;
        // A PUBLISH the pattern matches: every notification of the batch arrived before it.
        await c.call(['publish', `__keybarrier__:${written}`, 'x']);
        await sub.until((m) => m === `__keybarrier__:${written} x`);
      }
      const events = sub.messages.filter((m) => m.startsWith('__key') && !m.startsWith('__keybarrier'));
      const keys = events.filter((m) => m.startsWith('__keyevent@0__:evicted ')).map((m) => m.slice(23));
      let stillThere = 0;
      for (const k of keys) if ((await c.call(['exists', k])).toString() === ':1\r\n') stillThere++;
      return { events, stillThere };
    } finally {
      await c.call(['config', 'set', 'maxmemory', '0']);
      await c.call(['config', 'set', 'notify-keyspace-events', '']);
      c.close();
      sub.close();
    }
  }

  function check(r: { events: string[]; stillThere: number }): void {
    expect(r.events.length).toBeGreaterThan(0);
    expect(r.stillThere).toBe(0);
    for (const m of r.events)
      expect(m).toMatch(/^(__keyspace@0__:ev:\d+ evicted|__keyevent@0__:evicted ev:\d+)$/);
    // K and E: each eviction is published on both channels, keyspace first.
    for (let i = 0; i < r.events.length; i += 2) {
      const key = r.events[i].slice('__keyspace@0__:'.length, -' evicted'.length);
      expect(r.events[i + 1]).toBe(`__keyevent@0__:evicted ${key}`);
    }
  }

  it('redis-server publishes evicted keys (the assumption)', async () => {
    check(await evictions(redis.port, 'used_memory'));
  });

  it('Cairn publishes evicted keys, on both engines', async () => {
    for (const { proc } of cairns) check(await evictions(proc.respPort, 'used_memory_dataset'));
  });
});
