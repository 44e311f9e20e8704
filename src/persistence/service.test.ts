import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../engine/clock.js';
import { MapKeyspace } from '../engine/map-keyspace.js';
import { PersistenceService, type PersistenceSettings, parseSavePoints } from './service.js';
import { restoreAtStart, SnapshotLoadError } from './startup.js';
import type { SnapshotInfo, SnapshotReader, SnapshotStore } from './store.js';

/** An in-memory store; `failing` makes every call throw. */
class MemoryStore implements SnapshotStore {
  readonly kind = 'memory';
  readonly location = 'memory';
  snaps: Array<{ info: SnapshotInfo; data: Buffer }> = [];
  failing = false;
  private seq = 0;
  async put(chunks: AsyncIterable<Buffer>, meta: { createdAt: number }): Promise<SnapshotInfo> {
    if (this.failing) throw new Error('store down');
    const parts: Buffer[] = [];
    for await (const c of chunks) parts.push(c);
    const data = Buffer.concat(parts);
    const info = { name: `s${++this.seq}`, createdAt: meta.createdAt, size: data.length };
    this.snaps.unshift({ info, data });
    return info;
  }
  async get(name: string | null): Promise<SnapshotReader | null> {
    if (this.failing) throw new Error('store down');
    const s = name === null ? this.snaps[0] : this.snaps.find((x) => x.info.name === name);
    if (!s) return null;
    return {
      info: s.info,
      location: `memory:${s.info.name}`,
      chunks: (async function* () {
        yield s.data;
      })(),
    };
  }
  async list() {
    return this.snaps.map((s) => s.info);
  }
  async prune(keep: number) {
    const n = Math.max(0, this.snaps.length - keep);
    this.snaps.length = Math.min(this.snaps.length, keep);
    return n;
  }
  async close() {}
}

function setup(settings: Partial<PersistenceSettings> = {}) {
  const clock = new ManualClock();
  const keyspace = new MapKeyspace(4, clock);
  const store = new MemoryStore();
  const counter = { dirty: 0 };
  const service = new PersistenceService({
    keyspace,
    store,
    logger: pino({ level: 'silent' }),
    settings: () => ({ intervalS: 0, savePoints: [], keep: 2, timeoutMs: 0, compress: true, ...settings }),
    counter,
    cairnVersion: 'test',
  });
  return { clock, keyspace, store, counter, service };
}

describe('persistence service', () => {
  it('parses save points', () => {
    expect(parseSavePoints('')).toEqual([]);
    expect(parseSavePoints(' 3600 1  300 100 ')).toEqual([
      { seconds: 3600, changes: 1 },
      { seconds: 300, changes: 100 },
    ]);
    expect(parseSavePoints('3600')).toBeNull();
    expect(parseSavePoints('a b')).toBeNull();
  });

  it('snapshots every interval when something changed, and only then', async () => {
    const { clock, store, counter, service } = setup({ intervalS: 10 });
    clock.advance(20_000);
    service.checkSchedule();
    expect(service.inProgress).toBe(false);
    counter.dirty = 3;
    clock.advance(-15_000);
    service.checkSchedule();
    expect(service.inProgress).toBe(false);
    clock.advance(15_000);
    service.checkSchedule();
    expect(service.inProgress).toBe(true);
    await service.settle();
    expect(store.snaps).toHaveLength(1);
    expect(counter.dirty).toBe(0);
    expect(service.lastSave()).toBe(clock.now());
  });

  it('follows save points', async () => {
    const { clock, store, counter, service } = setup({ savePoints: [{ seconds: 60, changes: 100 }] });
    counter.dirty = 99;
    clock.advance(61_000);
    service.checkSchedule();
    expect(service.inProgress).toBe(false);
    counter.dirty = 100;
    service.checkSchedule();
    await service.settle();
    expect(store.snaps).toHaveLength(1);
  });

  it('reports a failure, waits before retrying, keeps the changes counted, and prunes', async () => {
    const { clock, store, counter, keyspace, service } = setup({ intervalS: 1 });
    keyspace.set(0, Buffer.from('k'), Buffer.from('v'));
    counter.dirty = 1;
    store.failing = true;
    expect(await service.save('SAVE')).toEqual({ ok: false, error: 'store down' });
    expect(Object.fromEntries(service.info())).toMatchObject({
      rdb_last_bgsave_status: 'err',
      snapshot_last_error: 'store down',
      snapshot_failures: 1,
    });
    expect(counter.dirty).toBe(1);
    store.failing = false;
    clock.advance(2000);
    service.checkSchedule();
    expect(service.inProgress).toBe(false);
    clock.advance(5000);
    service.checkSchedule();
    expect(service.inProgress).toBe(true);
    expect(await service.save('SAVE')).toEqual({ ok: false, error: 'Background save already in progress' });
    await service.settle();
    for (let i = 0; i < 3; i++) expect((await service.save('SAVE')).ok).toBe(true);
    expect(store.snaps.map((s) => s.info.name)).toEqual(['s4', 's3']);
    expect(Object.fromEntries(service.info())).toMatchObject({ rdb_last_bgsave_status: 'ok', rdb_saves: 4 });
  });

  it('restores what it saved, skipping keys that expired meanwhile', async () => {
    const a = setup();
    a.keyspace.set(0, Buffer.from('keep'), Buffer.from('1'));
    a.keyspace.set(2, Buffer.from('ttl'), Buffer.from('2'), a.clock.now() + 5000);
    a.keyspace.set(1, Buffer.from('short'), Buffer.from('3'), a.clock.now() + 100);
    await a.service.save('SAVE');
    const b = setup();
    b.store.snaps = a.store.snaps;
    b.clock.set(a.clock.now() + 1000);
    const r = await b.service.restore();
    expect(r).toMatchObject({ keys: 2, expired: 1 });
    expect(b.keyspace.get(2, Buffer.from('ttl'))?.toString()).toBe('2');
    expect(b.keyspace.expireTime(2, Buffer.from('ttl'))).toBe(a.clock.now() + 5000);
    expect(b.service.hasSnapshot).toBe(true);
  });

  it('refuses to start on an unreachable store unless told to start empty', async () => {
    const { store, service } = setup();
    store.failing = true;
    const log = pino({ level: 'silent' });
    await expect(restoreAtStart(service, 'fail', log)).rejects.toBeInstanceOf(SnapshotLoadError);
    await expect(restoreAtStart(service, 'start-empty', log)).resolves.toBeUndefined();
  });
});
