/**
 * Snapshot loading through the bulk path (engine/bulk-load.ts): the off-heap engine's batched
 * writer must store exactly what the Map keyspace (the oracle, loaded through `set`) stores,
 * for every record shape: strings short and long, collections between strings, TTLs, expired
 * records, keys written twice, several databases, headers with and without key counts.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../engine/clock.js';
import { MapKeyspace } from '../engine/map-keyspace.js';
import { OffHeapKeyspace } from '../engine/offheap/keyspace.js';
import type { Keyspace } from '../engine/types.js';
import { encodeValue } from '../engine/values/codec.js';
import { TYPE_CODES } from '../engine/values/collection.js';
import { HashValue } from '../engine/values/hash.js';
import { ListValue } from '../engine/values/list.js';
import { SnapshotEncoder } from './encoder.js';
import type { SnapshotHeader } from './format.js';
import { loadSnapshot } from './loader.js';

const NOW = 1_800_000_000_000;
const DBS = 4;

interface Rec {
  db: number;
  key: Buffer;
  value: Buffer;
  expireAt: number;
  type: number;
}

function hash(i: number): Buffer {
  const h = new HashValue();
  for (let f = 0; f < 1 + (i % 5); f++) h.set(`f${f}`, `v${i}:${f}`);
  return encodeValue(h);
}

function list(i: number): Buffer {
  const l = new ListValue();
  for (let f = 0; f < 1 + (i % 4); f++) l.pushTail(`item${i}:${f}`);
  return encodeValue(l);
}

/** `n` records over DBS databases; some expired, some with TTLs, some collections, some long. */
function records(n: number): Rec[] {
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const db = i % 7 === 0 ? 2 : i % 3 === 0 ? 1 : 0;
    const key = Buffer.from(i % 50 === 0 ? `long:${'k'.repeat(300)}:${i}` : `key:${i}`);
    const expireAt = i % 11 === 0 ? NOW - 1000 : i % 4 === 0 ? NOW + 60_000 + i : 0;
    if (i % 13 === 0) out.push({ db, key, value: hash(i), expireAt, type: TYPE_CODES.hash });
    else if (i % 17 === 0) out.push({ db, key, value: list(i), expireAt, type: TYPE_CODES.list });
    else {
      const value = Buffer.from(i % 40 === 0 ? 'v'.repeat(2000 + i) : `value:${i}:${'x'.repeat(i % 60)}`);
      out.push({ db, key, value, expireAt, type: 0 });
    }
  }
  // Keys changed while the snapshot ran appear again later: the last record wins.
  for (let i = 5; i < n; i += 97)
    out.push({ ...out[i], value: Buffer.from(`again:${i}`), type: 0, expireAt: NOW + 5000 });
  return out;
}

function encode(recs: Rec[], header: Partial<SnapshotHeader>): Buffer[] {
  const enc = new SnapshotEncoder({
    createdAt: NOW - 10,
    databases: DBS,
    engine: 'offheap',
    keysAtStart: recs.length,
    cairnVersion: 'test',
    ...header,
  });
  for (const r of recs) enc.add(r.db, r.key, r.value, r.expireAt, r.type);
  enc.finish();
  return enc.take();
}

async function* chunks(bufs: Buffer[]): AsyncGenerator<Buffer> {
  yield* bufs;
}

/** Every stored key as `db|key -> type|value bytes|expireAt`. */
function contents(ks: Keyspace): Map<string, string> {
  const out = new Map<string, string>();
  for (let db = 0; db < ks.databases; db++) {
    const keys: Buffer[] = [];
    let cursor = 0;
    do cursor = ks.scan(db, cursor, 1000, keys, true);
    while (cursor !== 0);
    for (const k of keys) {
      const e = ks.peekEntry(db, k);
      if (e === null) continue;
      const bytes = encodeValue(e.value).toString('latin1');
      out.set(`${db}|${k.toString('latin1')}`, `${ks.typeOf(db, k)}|${bytes}|${e.expireAt}`);
    }
  }
  return out;
}

/** What the records should leave behind: live records, the last of each key winning. */
function expected(recs: Rec[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of recs) {
    if (r.expireAt !== 0 && r.expireAt <= NOW) continue;
    out.set(`${r.db}|${r.key.toString('latin1')}`, `${r.type}|${r.value.toString('latin1')}|${r.expireAt}`);
  }
  return out;
}

async function load(ks: Keyspace, bufs: Buffer[]) {
  return loadSnapshot({ keyspace: ks, source: 'mem', chunks: chunks(bufs) });
}

describe('bulk snapshot load', () => {
  const recs = records(2000);
  const want = expected(recs);

  it('stores what set stores, with and without per-database key counts in the header', async () => {
    const perDb: [number, number][] = [0, 1, 2].map((db) => [db, recs.filter((r) => r.db === db).length]);
    for (const header of [{}, { keysPerDb: perDb }]) {
      const bufs = encode(recs, header);
      const oracle = new MapKeyspace(DBS, new ManualClock(NOW));
      const off = new OffHeapKeyspace(DBS, new ManualClock(NOW));
      const r = await load(off, bufs);
      await load(oracle, bufs);
      expect(r.keys).toBe(want.size);
      expect(r.expired).toBe(recs.filter((x) => x.expireAt !== 0 && x.expireAt <= NOW).length);
      expect(contents(off)).toEqual(want);
      expect(contents(oracle)).toEqual(want);
      expect(off.expiresCount(0) + off.expiresCount(1) + off.expiresCount(2)).toBe(
        [...want.values()].filter((v) => !v.endsWith('|0')).length,
      );
    }
  });

  it('sizes each index from the header once, so the load never rehashes', async () => {
    const n = 20_000;
    const strings: Rec[] = Array.from({ length: n }, (_, i) => ({
      db: 1,
      key: Buffer.from(`user:${i}`),
      value: Buffer.from(`v${i}`),
      expireAt: 0,
      type: 0,
    }));
    const ks = new OffHeapKeyspace(DBS, new ManualClock(NOW));
    await load(ks, encode(strings, { keysPerDb: [[1, n]] }));
    const dict = ks.dbs[1].dict;
    expect(dict.t0.length).toBeGreaterThanOrEqual(n);
    expect(dict.rehashIdx).toBe(-1);
    expect(ks.dbSize(1)).toBe(n);
    expect(ks.get(1, Buffer.from('user:19999'))?.toString()).toBe('v19999');

    // Counts beyond the snapshot's own total are capped; nonsense entries are ignored.
    const odd = new OffHeapKeyspace(DBS, new ManualClock(NOW));
    const header = { keysPerDb: [[1, 2 ** 40], [99, 5], 'x'] as unknown as [number, number][] };
    await load(odd, encode(strings.slice(0, 100), header));
    expect(odd.dbs[1].dict.t0.length).toBeLessThanOrEqual(256);
    expect(odd.dbSize(1)).toBe(100);
  });

  it('sends no change events while loading, and does afterwards', async () => {
    const ks = new OffHeapKeyspace(DBS, new ManualClock(NOW));
    const events: string[] = [];
    ks.setChangeListener((db, key, kind) => events.push(`${db}|${key}|${kind}`));
    await load(ks, encode(recs, {}));
    expect(events).toEqual([]);
    ks.set(0, Buffer.from('after'), Buffer.from('x'));
    expect(events).toEqual(['0|after|set']);
  });

  it('loads nothing when a later record names a database the server lacks', async () => {
    const bad = [...recs.slice(0, 50), { ...recs[1], db: DBS + 3 }];
    const ks = new OffHeapKeyspace(DBS, new ManualClock(NOW));
    await expect(load(ks, encode(bad, {}))).rejects.toThrow(/database 7 but this server has 4/);
    expect(ks.dbSize(0) + ks.dbSize(1) + ks.dbSize(2)).toBe(0);
    await load(ks, encode(recs.slice(0, 50), {}));
    expect(ks.dbSize(0) + ks.dbSize(1) + ks.dbSize(2)).toBeGreaterThan(0);
  });
});
