/**
 * INFO memory's used_memory counts a large collection once: its blocks are in the process's
 * heap and external memory, which used_memory is built from, and in the engine's dataset
 * figure (what maxmemory bounds), and must not be added twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OffHeapKeyspace } from '../../engine/offheap/keyspace.js';
import { HashValue } from '../../engine/values/hash.js';
import { SetValue } from '../../engine/values/set.js';
import { createTestServer, type TestServer } from '../../server/testing.js';
import type { VerbatimReply } from '../reply.js';

let t: TestServer;
afterEach(() => t?.close());

async function memory(): Promise<Record<string, number>> {
  // Past the heap sample interval, so the figures come from one reading of the process.
  t.clock.advance(2000);
  const r = (await t.run(t.client(), 'INFO', 'memory')) as VerbatimReply;
  const out: Record<string, number> = {};
  for (const line of r.text.split('\r\n')) {
    const [k, v] = line.split(':');
    if (v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

describe('INFO memory with large collections (offheap engine)', () => {
  it('counts a big set and a big hash once', async () => {
    t = createTestServer({ keyspace: (clock, dbs) => new OffHeapKeyspace(dbs, clock) });
    const empty = await memory();
    const s = new SetValue();
    const h = new HashValue();
    h.big = true;
    for (let i = 0; i < 200_000; i++) {
      s.add(`member:${i}`);
      h.set(`field:${i}`, `value:${i}`);
    }
    t.keyspace.set(0, Buffer.from('s'), s);
    t.keyspace.set(0, Buffer.from('h'), h);
    const full = await memory();
    const collections = s.memory() + h.memory();
    // The dataset (what maxmemory bounds) holds both collections...
    expect(full.used_memory_dataset - empty.used_memory_dataset).toBeGreaterThanOrEqual(collections);
    expect(full.used_memory).toBeGreaterThanOrEqual(full.used_memory_dataset);
    // ...and used_memory is no more than the heap and external memory that hold them.
    expect(full.used_memory).toBeLessThanOrEqual(full.heap_used + full.external_memory);
    expect(full.used_memory - empty.used_memory).toBeLessThan(
      full.heap_used + full.external_memory - (empty.heap_used + empty.external_memory) + collections / 4,
    );
  });
});
