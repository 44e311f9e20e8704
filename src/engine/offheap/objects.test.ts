/**
 * Small collections rest as their packed string between event-loop turns (objects.ts,
 * values/compact.ts): the next command gets an equal object built again, changes to it are
 * kept, and the large or not-yet-settled forms stay objects.
 */
import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { createTestServer } from '../../server/testing.js';
import { ManualClock } from '../clock.js';
import { type Collection, defaultEncodingLimits } from '../values/collection.js';
import { HashValue } from '../values/hash.js';
import { ListValue } from '../values/list.js';
import { SetValue } from '../values/set.js';
import { ZSetValue } from '../values/zset.js';
import { OffHeapKeyspace } from './keyspace.js';
import { Objects } from './objects.js';

const b = (s: string) => Buffer.from(s);

function hash(n: number): HashValue {
  const h = new HashValue();
  for (let i = 0; i < n; i++) h.set(`field${i}`, `v${i}`);
  return h;
}

function zset(n: number): ZSetValue {
  const z = new ZSetValue();
  for (let i = 0; i < n; i++) z.add(`member:${i}`, i * 1.5);
  return z;
}

function set(...members: string[]): SetValue {
  const s = new SetValue();
  for (const m of members) s.add(m);
  return s;
}

function list(n: number): ListValue {
  const l = new ListValue();
  for (let i = 0; i < n; i++) l.pushTail(`item:${i}`);
  return l;
}

describe('Objects at rest', () => {
  it('gives back an equal collection after a turn, of every small kind', async () => {
    const objs = new Objects();
    const values: Collection[] = [hash(10), list(10), set('3', '-7', '100000'), zset(10)];
    const ks = new OffHeapKeyspace(1, new ManualClock(1));
    // Stored once, so that the sorted set's encoding is settled.
    for (const [i, v] of values.entries()) ks.set(0, b(`k${i}`), v);
    const ids = values.map((v) => objs.add(v));
    const before = values.map((v) => [v.serialize(), v.encoding(), v.size(), v.memory()]);
    const bytes = objs.bytes;
    await turn();
    ids.forEach((id, i) => {
      const got = objs.get(id) as Collection;
      expect(got).not.toBe(values[i]);
      expect(got.type).toBe(values[i].type);
      expect([got.serialize(), got.encoding(), got.size(), got.memory()]).toEqual(before[i]);
    });
    expect(objs.bytes).toBe(bytes);
    // Got twice in one turn: the same object.
    expect(objs.get(ids[0])).toBe(objs.get(ids[0]));
  });

  it('keeps the large and unsettled forms as objects', async () => {
    const objs = new Objects();
    const big = hash(300);
    // A small hashtable set keeps its object: SSCAN's live iterations are keyed by it.
    const strs = set('a', 'b');
    const unplaced = zset(3);
    const ring = list(200);
    const ids = [big, strs, unplaced, ring].map((v) => objs.add(v));
    await turn();
    expect(ids.map((id) => objs.get(id))).toEqual([big, strs, unplaced, ring]);
    expect(objs.get(ids[0])).toBe(big);
    expect(objs.get(ids[1])).toBe(strs);
    expect(objs.get(ids[3])).toBe(ring);
    expect(objs.blocks.liveBytes).toBe(0);
  });

  it('keeps every change made through the keyspace across turns', async () => {
    const ks = new OffHeapKeyspace(1, new ManualClock(1));
    ks.set(0, b('h'), hash(3));
    ks.set(0, b('z'), zset(3));
    ks.set(0, b('s'), set('1', '2'));
    ks.set(0, b('l'), list(2));
    const used = ks.usedMemory();
    await turn();
    expect(ks.usedMemory()).toBe(used);
    for (let round = 0; round < 3; round++) {
      ks.willModify(0, b('h'));
      (ks.get(0, b('h')) as HashValue).set(`new${round}`, 'x');
      ks.modified(0, b('h'));
      ks.willModify(0, b('z'));
      (ks.get(0, b('z')) as ZSetValue).add(`m${round}`, -round);
      ks.modified(0, b('z'));
      ks.willModify(0, b('s'));
      (ks.get(0, b('s')) as SetValue).add(String(70000 + round));
      ks.modified(0, b('s'));
      ks.willModify(0, b('l'));
      (ks.get(0, b('l')) as ListValue).pushHead(`head${round}`);
      ks.modified(0, b('l'));
      await turn();
    }
    const h = ks.get(0, b('h')) as HashValue;
    expect([h.size(), h.get('new2'), h.encoding()]).toEqual([6, 'x', 'listpack']);
    const z = ks.get(0, b('z')) as ZSetValue;
    expect([z.size(), z.score('m2'), z.memberAt(z.first()), z.encoding()]).toEqual([6, -2, 'm2', 'listpack']);
    const s = ks.get(0, b('s')) as SetValue;
    expect([...s.members()]).toEqual(['1', '2', '70000', '70001', '70002']);
    expect(s.encoding()).toBe('intset');
    const l = ks.get(0, b('l')) as ListValue;
    expect(l.range(0, l.size() - 1)).toEqual(['head2', 'head1', 'head0', 'item:0', 'item:1']);
    // Emptied: the key goes, as before.
    ks.willModify(0, b('l'));
    l.clear();
    expect(ks.modified(0, b('l'))).toBe(false);
    expect(ks.exists(0, b('l'))).toBe(false);
  });

  it('rests outside the heap, rewriting a block only when its collection changed', async () => {
    const objs = new Objects();
    const values = [hash(10), zset(5)];
    for (const v of values) v.fitEncoding(defaultEncodingLimits());
    const ids = values.map((v) => objs.add(v));
    await turn();
    const live = objs.blocks.liveBytes;
    expect(live).toBeGreaterThan(0);
    const write = vi.spyOn(objs.blocks, 'write');
    // Read only: built again, nothing written.
    expect((objs.get(ids[0]) as HashValue).get('field3')).toBe('v3');
    await turn();
    expect(write).not.toHaveBeenCalled();
    // Changed: written, in a bigger block once it outgrows its own.
    const h = objs.get(ids[0]) as HashValue;
    h.set('field3', 'x'.repeat(40));
    h.fitEncoding(defaultEncodingLimits());
    objs.recharge(ids[0]);
    await turn();
    expect(write).toHaveBeenCalledTimes(1);
    expect(objs.blocks.liveBytes).toBeGreaterThan(live);
    expect((objs.get(ids[0]) as HashValue).get('field3')).toBe('x'.repeat(40));
    // Gone: the blocks are given back.
    objs.remove(ids[0]);
    objs.remove(ids[1]);
    await turn();
    expect(objs.blocks.liveBytes).toBe(0);
  });

  it('keeps a packed form too big for a block as its string', async () => {
    // No kind packs more than 32 KiB today (values/ caps each); the table does not rely on it.
    const objs = new Objects();
    const h = hash(2);
    h.fitEncoding(defaultEncodingLimits());
    const big = `\x05field\x05value${'z'.repeat(70000)}`;
    vi.spyOn(h, 'compactForm').mockReturnValue(big);
    const id = objs.add(h);
    await turn();
    expect(objs.blocks.liveBytes).toBe(0);
    const got = objs.get(id) as HashValue;
    expect(got).not.toBe(h);
    expect(got.compactForm()).toBe(big);
  });

  it('settles between commands once 64 objects are out, not before', async () => {
    const objs = new Objects();
    const ids = Array.from({ length: 63 }, () => {
      const h = hash(3);
      h.fitEncoding(defaultEncodingLimits());
      return objs.add(h);
    });
    objs.settle();
    expect(objs.blocks.liveBytes).toBe(0);
    const last = hash(3);
    last.fitEncoding(defaultEncodingLimits());
    ids.push(objs.add(last));
    objs.settle();
    expect(objs.blocks.liveBytes).toBeGreaterThan(0);
    expect(objs.get(ids[63])).not.toBe(last);

    // Through the dispatcher: 100 HSETs with no turn between them leave at most 63 out.
    const t = createTestServer({ keyspace: (clock, dbs) => new OffHeapKeyspace(dbs, clock) });
    const ks = t.keyspace as OffHeapKeyspace;
    const c = t.client();
    for (let i = 0; i < 100; i++) await t.run(c, 'HSET', `h${i}`, 'f', 'v');
    // Each hash of one short field rests in one 8-byte block: the first 64 did, the rest wait.
    expect(ks.entries.objs.blocks.liveBytes).toBe(64 * 8);
    t.close();
  });

  it('gives back slabs that deletions left mostly empty, moving what lives in them', async () => {
    const objs = new Objects();
    const hashes = Array.from({ length: 30000 }, (_, i) => {
      const h = new HashValue();
      for (let j = 0; j < 10; j++) h.set(`field${j}`, `value:${i}:${j}`);
      h.fitEncoding(defaultEncodingLimits());
      return h;
    });
    const ids = hashes.map((h) => objs.add(h));
    await turn();
    const reserved = objs.blocks.reservedBytes;
    expect(reserved).toBeGreaterThanOrEqual(4 << 20);
    // Keep every 10th; one of the kept is out (touched) while the slabs are emptied.
    for (let i = 0; i < ids.length; i++) if (i % 10 !== 0) objs.remove(ids[i]);
    const out = objs.get(ids[0]) as HashValue;
    for (let step = 0; step < 20; step++) objs.compactStep();
    expect(objs.blocks.reservedBytes).toBeLessThan(reserved / 2);
    out.set('field0', 'changed');
    objs.recharge(ids[0]);
    await turn();
    for (let step = 0; step < 20; step++) objs.compactStep();
    for (let i = 0; i < ids.length; i += 10) {
      const h = objs.get(ids[i]) as HashValue;
      expect(h.get('field0')).toBe(i === 0 ? 'changed' : `value:${i}:0`);
      expect(h.get('field9')).toBe(`value:${i}:9`);
    }
  });
});
