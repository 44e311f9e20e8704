/**
 * Copy-on-write exactness: whatever happens to the keyspace while a snapshot runs (writes,
 * deletes, TTL changes, expiry, eviction, flushes, swaps, time passing), the snapshot holds
 * exactly the live keys of the instant it started. Time is a ManualClock; steps are forced to
 * be tiny so changes land between them.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../engine/clock.js';
import { MapKeyspace } from '../engine/map-keyspace.js';
import { OffHeapKeyspace } from '../engine/offheap/keyspace.js';
import type { Keyspace } from '../engine/types.js';
import { captureStream, SnapshotCapture } from './capture.js';
import { Framer } from './encoder.js';
import { BlockType } from './format.js';
import { loadSnapshot } from './loader.js';

const DBS = 4;

/** Engines the capture runs on; the reload side is always the Map keyspace (the oracle). */
const ENGINES: Array<[string, (clock: ManualClock) => Keyspace]> = [
  ['map', (clock) => new MapKeyspace(DBS, clock)],
  ['offheap', (clock) => new OffHeapKeyspace(DBS, clock)],
];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every key live at `at`, as `db|key -> value|expireAt`, read without side effects. */
function liveState(ks: Keyspace, at: number): Map<string, string> {
  const out = new Map<string, string>();
  for (let db = 0; db < ks.databases; db++) {
    const keys: Buffer[] = [];
    let cursor = 0;
    do cursor = ks.scan(db, cursor, 1000, keys);
    while (cursor !== 0);
    for (const k of keys) {
      const e = ks.peekEntry(db, k);
      if (e !== null && (e.expireAt === 0 || e.expireAt > at))
        out.set(`${db}|${k.toString('latin1')}`, `${e.value.toString('latin1')}|${e.expireAt}`);
    }
  }
  return out;
}

/** Run the capture step by step (0 ms budget: one batch each), calling `between` after each step. */
function runSteps(cap: SnapshotCapture, between: () => void = () => {}): { chunks: Buffer[]; steps: number } {
  const framer = new Framer();
  const chunks = [framer.start(cap.header)];
  let steps = 0;
  const frameTaken = () => {
    for (const p of cap.take()) chunks.push(framer.block(BlockType.KEYS, p, 0));
  };
  while (!cap.step(0)) {
    frameTaken();
    between();
    steps++;
  }
  frameTaken();
  chunks.push(framer.end(cap.records).block);
  return { chunks, steps };
}

async function* once(chunks: Buffer[]): AsyncGenerator<Buffer> {
  for (const c of chunks) yield c;
}

/** Load the snapshot bytes into a fresh keyspace whose clock stands at the snapshot instant. */
async function reload(chunks: Buffer[], at: number): Promise<Map<string, string>> {
  const ks = new MapKeyspace(DBS, new ManualClock(at));
  await loadSnapshot({ keyspace: ks, source: 'mem', chunks: once(chunks) });
  return liveState(ks, at);
}

function populate(ks: Keyspace, clock: ManualClock, r: () => number, n: number): void {
  for (let i = 0; i < n; i++) {
    const ttl = r() < 0.3 ? clock.now() + 1 + Math.floor(r() * 5000) : 0;
    ks.set(Math.floor(r() * DBS), Buffer.from(`key:${i}`), Buffer.from(`v${i}:${r()}`), ttl);
  }
}

/** One random change (or passage of time) of the kinds a running server makes. */
function mutate(ks: Keyspace, clock: ManualClock, r: () => number, n: number): void {
  const db = Math.floor(r() * DBS);
  const key = Buffer.from(`key:${Math.floor(r() * n * 1.2)}`);
  const x = r();
  if (x < 0.3)
    ks.set(db, key, Buffer.from(`new:${r()}`), r() < 0.3 ? clock.now() + 1 + Math.floor(r() * 3000) : 0);
  else if (x < 0.45) ks.delete(db, key);
  else if (x < 0.55) ks.setExpireTime(db, key, clock.now() + 1 + Math.floor(r() * 2000));
  else if (x < 0.6) ks.persist(db, key);
  else if (x < 0.7) ks.get(db, key);
  else if (x < 0.8) clock.advance(Math.floor(r() * 300));
  else if (x < 0.85) ks.activeExpireCycle(1);
  else if (x < 0.87) ks.set(db, key, Buffer.from('keepttl'), 0, true);
  else if (x < 0.875) ks.flushDb(db);
  else if (x < 0.88) ks.swapDb(db, (db + 1) % DBS);
  else if (x < 0.885) {
    ks.configure({ maxmemoryPolicy: 'allkeys-random' });
    ks.makeRoom(Math.max(0, ks.usedMemory() - 2000));
  }
}

describe('snapshot capture (copy-on-write)', () => {
  it('leaves out every change made while it runs', async () => {
    const clock = new ManualClock();
    const ks = new MapKeyspace(DBS, clock);
    const b = (s: string) => Buffer.from(s);
    ks.set(0, b('a'), b('1'));
    ks.set(0, b('b'), b('1'));
    ks.set(0, b('c'), b('1'), clock.now() + 100);
    ks.set(1, b('d'), b('1'));
    ks.set(2, b('gone'), b('1'), clock.now() + 1);
    clock.advance(1);
    const t0 = clock.now();
    const cap = new SnapshotCapture(ks, { cairnVersion: 'test' });
    ks.set(0, b('a'), b('2'));
    ks.delete(0, b('b'));
    ks.set(0, b('new'), b('x'));
    clock.advance(200);
    expect(ks.get(0, b('c'))).toBeNull();
    ks.flushDb(1);
    ks.swapDb(2, 3);
    const { chunks } = runSteps(cap);
    expect(cap.startedAt).toBe(t0);
    expect([...(await reload(chunks, t0))].sort()).toEqual([
      ['0|a', '1|0'],
      ['0|b', '1|0'],
      ['0|c', `1|${t0 + 99}`],
      ['1|d', '1|0'],
    ]);
    // The listener is gone once the snapshot is complete.
    ks.set(0, b('a'), b('3'));
    expect(cap.stats.copiedKeys).toBe(4);
  });

  // Odd seeds walk with scanEntries, even ones with the scan + peekEntry fallback.
  for (const [engine, make] of ENGINES)
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const path = seed % 2 === 1 ? 'scanEntries' : 'scan + peekEntry';
      it(`is exactly the keyspace at its start instant under random changes (${engine}, seed ${seed}, ${path})`, async () => {
        const r = rng(seed);
        const clock = new ManualClock();
        const ks = make(clock);
        if (seed % 2 === 0) Object.assign(ks, { scanEntries: undefined });
        const n = 4000;
        populate(ks, clock, r, n);
        clock.advance(50);
        const t0 = clock.now();
        const expected = liveState(ks, t0);
        const cap = new SnapshotCapture(ks, { cairnVersion: 'test' });
        const { chunks, steps } = runSteps(cap, () => {
          for (let i = 0; i < 40; i++) mutate(ks, clock, r, n);
        });
        expect(steps).toBeGreaterThan(2);
        expect(cap.stats.copiedKeys).toBeGreaterThan(0);
        const got = await reload(chunks, t0);
        expect(got.size).toBe(expected.size);
        for (const [k, v] of expected) expect(got.get(k), k).toBe(v);
        // Most of the keyspace changed meanwhile, so a snapshot of "now" would differ.
        expect(liveState(ks, t0)).not.toEqual(expected);
      });
    }

  it('streams LZ4-compressed blocks that load back', async () => {
    const clock = new ManualClock();
    const ks = new MapKeyspace(DBS, clock);
    populate(ks, clock, rng(11), 5000);
    const expected = liveState(ks, clock.now());
    const cap = new SnapshotCapture(ks, { cairnVersion: 'test' });
    const chunks: Buffer[] = [];
    for await (const c of captureStream(cap, 1, undefined, { compress: true })) chunks.push(c);
    // Some KEYS block carries the LZ4 flag (byte 1 of a block header).
    expect(chunks.some((c) => c[0] === BlockType.KEYS && c[1] === 1)).toBe(true);
    expect(cap.done?.records).toBe(expected.size);
    expect(await reload(chunks, cap.startedAt)).toEqual(expected);
  });

  it('streams with the event loop turning between steps', async () => {
    const clock = new ManualClock();
    const ks = new MapKeyspace(DBS, clock);
    populate(ks, clock, rng(9), 3000);
    const expected = liveState(ks, clock.now());
    const cap = new SnapshotCapture(ks, { cairnVersion: 'test' });
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const chunks: Buffer[] = [];
    try {
      for await (const c of captureStream(cap, 0)) {
        chunks.push(c);
        // A client write between steps.
        ks.set(0, Buffer.from(`key:${chunks.length}`), Buffer.from('later'));
      }
    } finally {
      clearInterval(ticker);
    }
    expect(turns).toBeGreaterThan(0);
    expect(await reload(chunks, cap.startedAt)).toEqual(expected);
  });

  it('removes its listener when abandoned', async () => {
    const ks = new MapKeyspace(DBS, new ManualClock());
    populate(ks, new ManualClock(), rng(10), 2000);
    const ac = new AbortController();
    const cap = new SnapshotCapture(ks, { cairnVersion: 'test' });
    const consume = async () => {
      for await (const _ of captureStream(cap, 0, ac.signal)) ac.abort();
    };
    await expect(consume()).rejects.toThrow();
    ks.set(0, Buffer.from('after'), Buffer.from('x'));
    expect(cap.stats.copiedKeys).toBe(0);
  });
});
