import { describe, expect, it } from 'vitest';
import { OffHeapKeyspace } from '../../engine/offheap/keyspace.js';
import { DoubleReply, MapReply, VerbatimReply } from '../reply.js';
import { session } from './test-helpers.js';

const offheap = () => session({ keyspace: (clock, dbs) => new OffHeapKeyspace(dbs, clock) });

function statsMap(r: unknown): Map<string, unknown> {
  expect(r).toBeInstanceOf(MapReply);
  return new Map(
    (r as MapReply).entries.map(([k, v]) => [String(k), v instanceof DoubleReply ? v.value : v]),
  );
}

describe('MEMORY', () => {
  it('USAGE counts the block, its share of the index and the TTL slot', async () => {
    const s = offheap();
    await s.run('SET', 'key:1', 'x'.repeat(32));
    const plain = (await s.run('MEMORY', 'USAGE', 'key:1')) as number;
    // 12-byte header + 5 + 32 rounded to 56, plus a bucket slot.
    expect(plain).toBe(60);
    await s.run('PEXPIRE', 'key:1', '100000');
    expect(await s.run('MEMORY', 'USAGE', 'key:1')).toBe(72);
    expect(await s.run('MEMORY', 'USAGE', 'missing')).toBeNull();
    expect(await s.run('MEMORY', 'USAGE', 'key:1', 'SAMPLES', '0')).toBe(72);
    expect(await s.run('MEMORY', 'USAGE', 'key:1', 'SAMPLES', '-1')).toBe('-ERR syntax error');
    expect(await s.run('MEMORY', 'USAGE', 'key:1', 'SAMPLES', 'x')).toBe(
      '-ERR value is not an integer or out of range',
    );
    expect(await s.run('MEMORY', 'USAGE', 'key:1', 'SAMPLES')).toBe('-ERR syntax error');
  });

  it('USAGE estimates for an engine that cannot say (Map keyspace)', async () => {
    const s = session();
    await s.run('SET', 'k', 'vv');
    expect(await s.run('MEMORY', 'USAGE', 'k')).toBe(1 + 2 + 160);
    expect(await s.run('MEMORY', 'USAGE', 'nope')).toBeNull();
  });

  it('USAGE of an expired key is null', async () => {
    const s = offheap();
    await s.run('SET', 'k', 'v', 'PX', '10');
    s.t.clock.advance(10);
    expect(await s.run('MEMORY', 'USAGE', 'k')).toBeNull();
  });

  it("STATS reports Redis's fields and the engine's own", async () => {
    const s = offheap();
    for (let i = 0; i < 100; i++) await s.run('SET', `k${i}`, 'v'.repeat(100));
    await s.run('PEXPIRE', 'k1', '100000');
    const m = statsMap(await s.raw('MEMORY', 'STATS'));
    expect(m.get('keys.count')).toBe(100);
    expect(m.get('dataset.bytes')).toBe(s.t.keyspace.usedMemory());
    expect(m.get('engine')).toEqual(Buffer.from('offheap'));
    expect(m.get('db.0')).toBeInstanceOf(MapReply);
    for (const name of ['peak.allocated', 'total.allocated', 'overhead.total', 'fragmentation', 'arena.live'])
      expect(m.has(name), name).toBe(true);
    expect(m.get('arena.live')).toBeGreaterThan(100 * 100);
  });

  it('DOCTOR answers with a report', async () => {
    const s = offheap();
    const r = await s.raw('MEMORY', 'DOCTOR');
    expect(r).toBeInstanceOf(VerbatimReply);
    expect((r as VerbatimReply).text).toMatch(/^Hi Sam|^Sam, I detected/);
  });

  it('PURGE compacts the arena after a deletion storm', async () => {
    const s = offheap();
    const ks = s.t.keyspace as OffHeapKeyspace;
    const v = 'v'.repeat(200);
    for (let i = 0; i < 30_000; i++) ks.set(0, Buffer.from(`k${i}`), Buffer.from(v));
    const reservedFull = ks.arena.reservedBytes;
    for (let i = 0; i < 30_000; i++) if (i % 10 !== 0) ks.delete(0, Buffer.from(`k${i}`));
    // PURGE works for a bounded time (100 ms) per call, so on a loaded machine one call may
    // leave work for the next: repeat it, as a user would, until it has nothing left to move.
    let calls = 0;
    let before = Number.POSITIVE_INFINITY;
    while (ks.arena.reservedBytes < before && calls < 50) {
      before = ks.arena.reservedBytes;
      expect(await s.run('MEMORY', 'PURGE')).toBe('+OK');
      calls++;
    }
    expect(ks.arena.reservedBytes).toBeLessThan(reservedFull / 2);
    for (let i = 0; i < 30_000; i += 10) expect(ks.get(0, Buffer.from(`k${i}`))?.toString()).toBe(v);
  });

  it('HELP and unknown subcommands', async () => {
    const s = offheap();
    const help = (await s.run('MEMORY', 'HELP')) as string[];
    expect(help[0]).toBe('+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).toContain('+USAGE <key> [SAMPLES <count>]');
    expect(await s.run('MEMORY', 'NOPE')).toMatch(/^-ERR unknown subcommand 'NOPE'/);
  });

  it('maxmemory with noeviction answers writes with OOM', async () => {
    const s = session({
      keyspace: (clock, dbs) => new OffHeapKeyspace(dbs, clock),
      config: { maxmemory: '1mb', 'maxmemory-policy': 'noeviction' },
    });
    let oom = '';
    for (let i = 0; i < 20_000 && oom === ''; i++) {
      const r = await s.run('SET', `k${i}`, 'x'.repeat(100));
      if (r !== '+OK') oom = r as string;
    }
    expect(oom).toBe("-OOM command not allowed when used memory > 'maxmemory'.");
    expect(await s.run('GET', 'k0')).toBe('x'.repeat(100));
  });
});
