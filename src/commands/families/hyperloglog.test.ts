/**
 * The HyperLogLog commands on each engine, and on an engine without patchString (the copying
 * path every in-place edit falls back to): the same replies and the same bytes everywhere,
 * notifications and change counts as Redis makes them, and what a change event reaches (a
 * cached PFCOUNT writes nothing). Byte-level agreement with redis-server itself is checked by
 * test/differential-hll.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ManualClock } from '../../engine/clock.js';
import { MapKeyspace } from '../../engine/map-keyspace.js';
import { OffHeapKeyspace } from '../../engine/offheap/keyspace.js';
import type { Keyspace } from '../../engine/types.js';
import { session } from './test-helpers.js';

const ENGINES = {
  map: (clock: ManualClock, dbs: number): Keyspace => new MapKeyspace(dbs, clock),
  offheap: (clock: ManualClock, dbs: number): Keyspace => new OffHeapKeyspace(dbs, clock),
  'map without patchString': (clock: ManualClock, dbs: number): Keyspace => {
    const ks = new MapKeyspace(dbs, clock);
    Object.defineProperty(ks, 'patchString', { value: undefined });
    return ks;
  },
};
type Engine = keyof typeof ENGINES;

function watched(engine: Engine) {
  const s = session({ keyspace: ENGINES[engine] });
  const events: string[] = [];
  s.t.server.onNotify((event, key) => events.push(`${event} ${key.toString('latin1')}`));
  return { s, events };
}

const elements = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** A script touching every path; its replies and the final bytes, per engine. */
async function script(engine: Engine): Promise<unknown[]> {
  const { s } = watched(engine);
  const raw = async (...a: string[]) => {
    const r = await s.raw(...a);
    return Buffer.isBuffer(r) ? r.toString('hex') : r;
  };
  const out: unknown[] = [];
  out.push(
    await s.run('PFADD', 'a', ...elements('x', 50)),
    await s.run('PFCOUNT', 'a'),
    await raw('GET', 'a'),
  );
  out.push(await s.run('PFADD', 'd', ...elements('y', 4000)), await s.run('PFDEBUG', 'ENCODING', 'd'));
  out.push(await s.run('PFADD', 'd', 'y1', 'y2'), await s.run('PFADD', 'd', 'y1', 'new!'));
  out.push(await s.run('PFCOUNT', 'd'), await raw('GET', 'd'), await s.run('PFCOUNT', 'd'));
  out.push(await s.run('PFMERGE', 'd', 'a'), await raw('GET', 'd'), await s.run('PFCOUNT', 'd', 'a'));
  out.push(await s.run('PFMERGE', 'a', 'd'), await s.run('PFDEBUG', 'ENCODING', 'a'), await raw('GET', 'a'));
  out.push(await s.run('PFMERGE', 'n', 'a'), await raw('GET', 'n'));
  out.push(await s.run('CONFIG', 'SET', 'hll-sparse-max-bytes', '40'));
  out.push(await s.run('PFADD', 'p', ...elements('z', 20)), await s.run('PFDEBUG', 'ENCODING', 'p'));
  return out;
}

describe('HyperLogLog commands', () => {
  it('give the same replies and bytes on every engine, in place or copying', async () => {
    const results = await Promise.all((Object.keys(ENGINES) as Engine[]).map(script));
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    const [first] = results;
    expect(first[1]).toBe(50);
    expect(first[4]).toBe('+dense');
    expect(first.at(-1)).toBe('+dense');
  });

  describe.each(Object.keys(ENGINES) as Engine[])('%s engine', (engine) => {
    it('notifies pfadd for PFADD and PFMERGE, new for created keys, nothing for no change', async () => {
      const { s, events } = watched(engine);
      await s.run('CONFIG', 'SET', 'notify-keyspace-events', 'KEA$n');
      await s.run('PFADD', 'h', 'a');
      await s.run('PFADD', 'h', 'a');
      await s.run('PFADD', 'big', ...elements('e', 3000));
      await s.run('PFADD', 'big', 'e1');
      await s.run('PFADD', 'big', 'e1', 'unseen element');
      await s.run('PFCOUNT', 'h');
      await s.run('PFMERGE', 'm', 'h');
      await s.run('PFMERGE', 'big');
      await s.run('PFDEBUG', 'TODENSE', 'm');
      expect(events).toEqual([
        'new h',
        'pfadd h',
        'new big',
        'pfadd big',
        'pfadd big',
        // PFMERGE reads its destination as a source first (lookupKeyRead).
        'keymiss m',
        'new m',
        'pfadd m',
        'pfadd big',
      ]);
    });

    it('counts changes as Redis does: the registers PFADD raised, one per cache write or merge', async () => {
      const { s } = watched(engine);
      const dirty = () => s.t.server.dirty;
      await s.run('PFADD', 'd', ...elements('e', 3000));
      const before = dirty();
      expect(await s.run('PFADD', 'd', 'e1', 'e2')).toBe(0);
      expect(dirty()).toBe(before);
      expect(await s.run('PFCOUNT', 'd')).toBeGreaterThan(2900);
      expect(dirty()).toBe(before + 1);
      expect(await s.run('PFCOUNT', 'd')).toBeGreaterThan(2900);
      expect(dirty()).toBe(before + 1);
      const regs = async () => (await s.run('PFDEBUG', 'GETREG', 'd')) as number[];
      const old = await regs();
      const added = elements('n', 40);
      await s.run('PFADD', 'd', ...added);
      const raised = (await regs()).filter((r, i) => r !== old[i]).length;
      expect(raised).toBeGreaterThan(0);
      expect(dirty()).toBe(before + 1 + raised);
    });

    it('keeps the TTL and reads through a copied value', async () => {
      const { s } = watched(engine);
      await s.run('PFADD', 'd', ...elements('e', 3000));
      await s.run('PEXPIRE', 'd', '100000');
      await s.run('PFADD', 'd', 'another');
      await s.run('PFCOUNT', 'd');
      expect(await s.run('PTTL', 'd')).toBe(100000);
      const bytes = (await s.raw('GET', 'd')) as Buffer;
      await s.run('SET', 'copy', Buffer.from(bytes));
      expect(((await s.raw('GET', 'copy')) as Buffer).equals(bytes)).toBe(true);
      expect(await s.run('PFCOUNT', 'copy')).toBe(await s.run('PFCOUNT', 'd'));
      s.t.clock.advance(100_001);
      expect(await s.run('PFCOUNT', 'd')).toBe(0);
      expect(await s.run('EXISTS', 'd')).toBe(0);
    });
  });
});
