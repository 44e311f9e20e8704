/**
 * The stream value alone: node layout (by entries and by listpack bytes), ranges both ways,
 * tombstones, trimming, the read counter, radix-tree figures, the ordered PEL map, copies and
 * the snapshot form; and, in both engines, that an emptied stream stays a key.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { createKeyspace, ENGINE_NAMES } from '../create.js';
import { decodeValue, encodeValue, typeCode } from './codec.js';
import { type NodeLimits, StreamValue } from './stream.js';
import {
  compareIds,
  decrId,
  idKey,
  incrId,
  MAX_ID,
  type StreamID,
  UINT64_MAX,
  ZERO_ID,
} from './stream-id.js';
import { lpIntBytes, lpStringBytes } from './stream-listpack.js';
import { raxNodeCount } from './stream-rax.js';

const id = (ms: number | bigint, seq: number | bigint = 0): StreamID => ({
  ms: BigInt(ms),
  seq: BigInt(seq),
});
const BY_COUNT: NodeLimits = { maxEntries: 4n, maxBytes: 0 };

function filled(n: number, limits: NodeLimits = BY_COUNT): StreamValue {
  const s = new StreamValue();
  for (let i = 1; i <= n; i++) expect(s.add(id(i), ['n', String(i)], limits)).toBe(true);
  return s;
}

const ids = (s: StreamValue, rev = false) => s.range(ZERO_ID, MAX_ID, rev, 0).map((e) => Number(e.id.ms));

describe('stream IDs', () => {
  it('step over the edges of 64 bits', () => {
    expect(incrId(id(5, UINT64_MAX))).toEqual(id(6, 0));
    expect(incrId(MAX_ID)).toBeNull();
    expect(decrId(id(6, 0))).toEqual(id(5, UINT64_MAX));
    expect(decrId(ZERO_ID)).toBeNull();
    expect(compareIds(id(1, 2), id(1, 10))).toBe(-1);
    expect(idKey(id(1, 2)) < idKey(id(1, 10))).toBe(true);
    expect(idKey(id(UINT64_MAX, 0)) > idKey(id(1, UINT64_MAX))).toBe(true);
  });
});

describe('listpack sizes', () => {
  it('count integers and integer-looking strings as Redis encodes them', () => {
    expect([0, 127, 128, -4096, 4096, 40000, 9_000_000, 3_000_000_000].map(lpIntBytes)).toEqual([
      2, 2, 3, 3, 4, 5, 6, 10,
    ]);
    expect(lpStringBytes('12')).toBe(2);
    expect(lpStringBytes('012')).toBe(5);
    expect(lpStringBytes('a'.repeat(63))).toBe(65);
    expect(lpStringBytes('a'.repeat(64))).toBe(67);
    expect(lpStringBytes('a'.repeat(4096))).toBe(4103);
  });
});

describe('StreamValue', () => {
  it('starts a node every stream-node-max-entries entries, deleted ones included', () => {
    const s = filled(10);
    expect(s.nodes.map((n) => n.entries)).toEqual([4, 4, 2]);
    expect(s.deleteIds([id(9)])).toBe(1);
    s.add(id(11), ['n', '11'], BY_COUNT);
    s.add(id(12), ['n', '12'], BY_COUNT);
    expect(s.nodes.map((n) => n.entries)).toEqual([4, 4, 4]);
  });

  it('starts a node when the listpack would reach stream-node-max-bytes', () => {
    const s = new StreamValue();
    const limits: NodeLimits = { maxEntries: 0n, maxBytes: 100 };
    for (let i = 1; i <= 6; i++) s.add(id(i), ['f', 'x'.repeat(30)], limits);
    for (const n of s.nodes) expect(n.lpBytes()).toBeLessThan(100 + 30);
    expect(s.nodes.length).toBeGreaterThan(1);
  });

  it('reads ranges both ways, skipping tombstones', () => {
    const s = filled(10);
    s.deleteIds([id(2), id(5), id(10)]);
    expect(ids(s)).toEqual([1, 3, 4, 6, 7, 8, 9]);
    expect(ids(s, true)).toEqual([9, 8, 7, 6, 4, 3, 1]);
    expect(s.range(id(3), id(7), false, 2).map((e) => Number(e.id.ms))).toEqual([3, 4]);
    expect(s.range(id(3), id(7), true, 2).map((e) => Number(e.id.ms))).toEqual([7, 6]);
    expect(s.range(id(8), id(3), false, 0)).toEqual([]);
    expect(s.lastLiveId()).toEqual(id(9));
    expect(s.lastId).toEqual(id(10));
    expect(s.maxDeletedId).toEqual(id(10));
  });

  it('drops a node whose last live entry is deleted, and records the first entry', () => {
    const s = filled(8);
    expect(s.deleteIds([id(1), id(2), id(3), id(4)])).toBe(4);
    expect(s.nodes.length).toBe(1);
    expect(s.firstId).toEqual(id(5));
    expect(s.deleteIds([id(5), id(6), id(7), id(8)])).toBe(4);
    expect(s.length).toBe(0);
    expect(s.firstId).toEqual(ZERO_ID);
    expect(s.raxNodes()).toBe(1);
  });

  it('trims whole nodes when approximate, then entries when exact', () => {
    const s = filled(10);
    expect(s.trim({ strategy: 'maxlen', maxlen: 5, minid: ZERO_ID, approx: true, limit: 0 })).toBe(4);
    expect(s.trim({ strategy: 'maxlen', maxlen: 5, minid: ZERO_ID, approx: false, limit: 0 })).toBe(1);
    expect(ids(s)).toEqual([6, 7, 8, 9, 10]);
    expect(s.trim({ strategy: 'minid', maxlen: 0, minid: id(10), approx: false, limit: 0 })).toBe(4);
    expect(s.firstId).toEqual(id(10));
    // LIMIT: a node that would pass the limit stays.
    const t = filled(10);
    expect(t.trim({ strategy: 'maxlen', maxlen: 0, minid: ZERO_ID, approx: true, limit: 7 })).toBe(4);
    // The memory kept up to date as nodes come and go equals a fresh count.
    for (const x of [s, t]) expect(StreamValue.deserialize(x.serialize()).memory()).toBe(x.memory());
  });

  it('knows the read counter while no tombstone is ahead', () => {
    const s = filled(5);
    const g = s.createGroup('g', ZERO_ID, -1n)!;
    expect(s.lag(g)).toBe(5n);
    s.advanceGroup(g, id(1));
    s.advanceGroup(g, id(2));
    expect([g.entriesRead, s.lag(g)]).toEqual([2n, 3n]);
    s.deleteIds([id(4)]);
    expect(s.lag(g)).toBeNull();
    // Reading past a tombstone: the counter is lost, then found again at the last entry.
    s.advanceGroup(g, id(3));
    expect([g.entriesRead, s.lag(g)]).toEqual([-1n, null]);
    s.advanceGroup(g, id(5));
    expect([g.entriesRead, s.lag(g)]).toEqual([5n, 0n]);
  });

  it('counts radix-tree nodes as rax does', () => {
    expect(raxNodeCount([])).toBe(1);
    expect(raxNodeCount([id(1)])).toBe(2);
    // Keys differ in their last byte: one chain, one branch, two leaves.
    expect(raxNodeCount([id(1, 1), id(1, 2)])).toBe(4);
    // In the ms half: a chain, a branch, then a chain and a leaf under each child.
    expect(raxNodeCount([id(1), id(2)])).toBe(6);
    expect(raxNodeCount([id(1), id(2), id(3)])).toBe(8);
    expect(raxNodeCount([id(1), id(256), id(257)])).toBe(9);
  });

  it('copies deeply and round-trips its snapshot form, groups and PELs included', () => {
    const s = filled(9);
    s.deleteIds([id(3), id(9)]);
    const g = s.createGroup('g', id(2), 2n)!;
    const c = g.createConsumer('alice', 1234)!;
    for (const x of [id(1), id(2)]) g.addPending(x, 5678, 3n, c);
    s.entriesAdded = (1n << 64n) - 1n;
    const copy = s.clone();
    copy.deleteIds([id(1)]);
    copy.groups.get('g')!.ack(id(1));
    expect(s.length).toBe(7);
    expect(g.pel.size).toBe(2);
    const back = decodeValue(typeCode(s), encodeValue(s)) as StreamValue;
    expect(back.serialize().equals(s.serialize())).toBe(true);
    expect(ids(back)).toEqual(ids(s));
    expect(back.nodes.map((n) => [n.live, n.deleted, n.lpBytes()])).toEqual(
      s.nodes.map((n) => [n.live, n.deleted, n.lpBytes()]),
    );
    const bg = back.groups.get('g')!;
    expect(bg.consumer('alice')?.pel.ids()).toEqual([id(1), id(2)]);
    expect(bg.pending(id(2))?.consumer).toBe(bg.consumer('alice'));
    expect(bg.pending(id(2))?.deliveryCount).toBe(3n);
  });
});

/** Adds `all`, deletes every fourth, and checks every lookup near every ID against a plain list. */
function findsEvery(all: StreamID[], limits: NodeLimits): void {
  const s = new StreamValue();
  for (const [i, x] of all.entries())
    expect(s.add(x, i % 3 === 0 ? ['a', String(i)] : ['b', 'x', 'c', String(-i)], limits)).toBe(true);
  const gone = all.filter((_, i) => i % 4 === 1);
  expect(s.deleteIds(gone)).toBe(gone.length);
  const live = all.filter((_, i) => i % 4 !== 1);
  const probes = [...all, ...all.map((x) => incrId(x) ?? MAX_ID), ...all.map((x) => decrId(x) ?? ZERO_ID)];
  for (const p of probes) {
    const after = live.find((x) => compareIds(x, p) >= 0) ?? null;
    const before = [...live].reverse().find((x) => compareIds(x, p) <= 0) ?? null;
    expect(s.range(p, MAX_ID, false, 1)[0]?.id ?? null).toEqual(after);
    expect(s.range(ZERO_ID, p, true, 1)[0]?.id ?? null).toEqual(before);
    expect(s.entry(p)?.id ?? null).toEqual(live.some((x) => compareIds(x, p) === 0) ? p : null);
  }
  expect(s.range(ZERO_ID, MAX_ID, false, 0).map((e) => e.id)).toEqual(live);
}

describe('stream nodes as listpacks', () => {
  it('find any ID, whatever the width of its differences from the node key', () => {
    // IDs around the edges where differences stop fitting in numbers or in int64.
    const edges = [
      0n,
      1n,
      127n,
      4096n,
      2n ** 31n,
      2n ** 52n - 1n,
      2n ** 52n + 1n,
      2n ** 63n - 1n,
      2n ** 63n + 5n,
    ];
    const all: StreamID[] = [];
    for (const ms of edges)
      for (const seq of [0n, 5n, 2n ** 52n, 2n ** 63n, UINT64_MAX]) all.push(id(ms, seq));
    all.shift(); // 0-0 is no entry ID
    all.push(id(UINT64_MAX, 0), id(UINT64_MAX, UINT64_MAX));
    // Also a node whose key has a small sequence and an entry with a huge one right after.
    const tight = [id(0, 5), id(0, 6), id(0, UINT64_MAX), id(1, 0), id(2n ** 63n, 3)];
    for (const ids of [all, tight])
      for (const limits of [BY_COUNT, { maxEntries: 100n, maxBytes: 0 }]) findsEvery(ids, limits);
  });

  it('keep SAMEFIELDS entries and counters as Redis lays them out', () => {
    const s = new StreamValue();
    s.add(id(1), ['f', 'v', 'g', '12'], BY_COUNT);
    s.add(id(2), ['f', 'w', 'g', '-3'], BY_COUNT);
    s.add(id(3), ['h', 'x'], BY_COUNT);
    s.deleteIds([id(2)]);
    const lp = s.nodes[0].listpack();
    // count 2, deleted 1, 2 master fields f g, 0; entries: flags, ms, seq, [count, fields] values, lp-count.
    const want = Buffer.from([
      ...[0x02, 0x01, 0x01, 0x01, 0x02, 0x01, 0x81, 0x66, 0x02, 0x81, 0x67, 0x02, 0x00, 0x01],
      ...[0x02, 0x01, 0x00, 0x01, 0x00, 0x01, 0x81, 0x76, 0x02, 0x0c, 0x01, 0x05, 0x01],
      ...[0x03, 0x01, 0x01, 0x01, 0x00, 0x01, 0x81, 0x77, 0x02, 0xdf, 0xfd, 0x02, 0x05, 0x01],
      ...[0x00, 0x01, 0x02, 0x01, 0x00, 0x01, 0x01, 0x01, 0x81, 0x68, 0x02, 0x81, 0x78, 0x02, 0x06, 0x01],
      0xff,
    ]);
    expect(lp.subarray(6).toString('hex')).toBe(want.toString('hex'));
    expect(lp.readUInt32LE(0)).toBe(lp.length);
    expect(lp.readUInt16LE(4)).toBe(6 + 6 + 6 + 7);
  });

  it('take fields as bytes without keeping a view of the caller buffers', () => {
    const s = new StreamValue();
    const big = '12345678901234567';
    const bufs = (...xs: string[]) => xs.map((a) => Buffer.from(a));
    const argv = bufs('XADD', 'f', 'v', big, '-0');
    s.addBytes(id(1), argv, 1, BY_COUNT);
    argv[1].write('g'); // the caller reuses its buffer
    s.addBytes(id(2), bufs('f', 'w', big, '7'), 0, BY_COUNT);
    s.addBytes(id(3), bufs('g', 'x', big, '8'), 0, BY_COUNT);
    expect(s.range(ZERO_ID, MAX_ID, false, 0)).toEqual([
      { id: id(1), fields: ['f', 'v', big, '-0'] },
      { id: id(2), fields: ['f', 'w', big, '7'] },
      { id: id(3), fields: ['g', 'x', big, '8'] },
    ]);
    // The second entry has the master's fields (SAMEFIELDS), the third not; `big` is an integer.
    const node = s.nodes[0];
    const lp = node.listpack();
    const second = node.next(node.first());
    expect([lp[second], lp[node.next(second)]]).toEqual([2, 0]);
    expect(lp.indexOf(Buffer.from(big))).toBe(-1);
    expect(lp.indexOf(Buffer.from([0x82, 0x2d, 0x30]))).toBeGreaterThan(0);
  });
});

describe('a large stream', () => {
  it('packs its nodes into shared blocks, and reads, trims and copies them intact', () => {
    const s = new StreamValue();
    const limits: NodeLimits = { maxEntries: 100n, maxBytes: 4096 };
    const model = new Map<string, string[]>();
    for (let i = 1; i <= 10_000; i++) {
      const fields = i % 50 === 0 ? ['other', String(i)] : ['field', `value:${i}`];
      s.add(id(1_700_000_000_000 + Math.floor(i / 3), i % 3), fields, limits);
      model.set(idKey(id(1_700_000_000_000 + Math.floor(i / 3), i % 3)), fields);
    }
    // Once the stream is large, its nodes share blocks.
    const blocks = new Set(s.nodes.slice(-50).map((n) => n.listpack().buffer));
    expect(blocks.size).toBeLessThan(10);
    // Every 7th entry deleted (tombstones, counters rewritten, some nodes emptied), then the head trimmed.
    const all = s.range(ZERO_ID, MAX_ID, false, 0).map((e) => e.id);
    const gone = all.filter((_, i) => i % 7 === 0 || (i > 2000 && i < 2300));
    expect(s.deleteIds(gone)).toBe(gone.length);
    for (const x of gone) model.delete(idKey(x));
    const keys = [...model.keys()];
    expect(s.trim({ strategy: 'maxlen', maxlen: 6000, minid: ZERO_ID, approx: false, limit: 0 })).toBe(
      keys.length - 6000,
    );
    for (const k of keys.slice(0, keys.length - 6000)) model.delete(k);
    const want = [...model].map(([k, f]) => `${k}:${f.join(',')}`);
    const got = (x: StreamValue, rev = false) => {
      const es = x.range(ZERO_ID, MAX_ID, rev, 0).map((e) => `${idKey(e.id)}:${e.fields.join(',')}`);
      return rev ? es.reverse() : es;
    };
    expect(got(s)).toEqual(want);
    expect(got(s, true)).toEqual(want);
    expect(got(s.clone())).toEqual(want);
    expect(got(StreamValue.deserialize(s.serialize()))).toEqual(want);
    // XADD goes on into the packed stream.
    s.add(MAX_ID, ['last', 'one'], limits);
    expect(s.range(ZERO_ID, MAX_ID, true, 1)[0].fields).toEqual(['last', 'one']);
    expect(s.trim({ strategy: 'maxlen', maxlen: 0, minid: ZERO_ID, approx: false, limit: 0 })).toBe(6001);
    expect(s.nodes.length).toBe(0);
  }, 20_000);
});

describe('packed nodes that change', () => {
  it('keep their block through deletes, and leave it when they take entries again', () => {
    const s = new StreamValue();
    let limits: NodeLimits = { maxEntries: 200n, maxBytes: 0 };
    const model = new Map<string, string>();
    const put = (i: number) => {
      expect(s.add(id(i), ['f', `v${i}`], limits)).toBe(true);
      model.set(idKey(id(i)), `v${i}`);
    };
    for (let i = 1; i <= 8000; i++) put(i);
    const last = s.nodes.length - 1;
    const packed = s.nodes[last - 1].listpack().buffer;
    expect(s.nodes[last - 2].listpack().buffer).toBe(packed);
    // 130 tombstones in the node before the last (its counters change size), then every
    // entry of the last node: the node before it is the tail again.
    const from = Number(s.nodes[last - 1].master.ms);
    const gone = Array.from({ length: 130 }, (_, j) => id(from + j));
    for (let i = 7801; i <= 8000; i++) gone.push(id(i));
    expect(s.deleteIds(gone)).toBe(gone.length);
    for (const x of gone) model.delete(idKey(x));
    expect(s.nodes[last - 1].listpack().buffer).toBe(packed);
    // With room for more entries per node, it takes them (moving out of its block).
    limits = { maxEntries: 300n, maxBytes: 0 };
    for (let i = 8001; i <= 8150; i++) put(i);
    expect(s.nodes.length).toBe(last + 1);
    expect(s.nodes[last - 1].listpack().buffer).not.toBe(packed);
    expect(s.nodes[last - 2].listpack().buffer).toBe(packed);
    const want = [...model].map(([k, v]) => `${k}:${v}`);
    const got = s.range(ZERO_ID, MAX_ID, false, 0).map((e) => `${idKey(e.id)}:${e.fields[1]}`);
    expect(got).toEqual(want);
    expect(s.range(ZERO_ID, MAX_ID, true, 0).length).toBe(want.length);
    expect(StreamValue.deserialize(s.serialize()).range(ZERO_ID, MAX_ID, false, 0).length).toBe(want.length);
  });
});

describe.each(ENGINE_NAMES)('an emptied stream in the %s engine', (engine) => {
  it('stays a key, unlike other collections', () => {
    const ks = createKeyspace(engine, 16, new ManualClock(1));
    const s = filled(2);
    const key = Buffer.from('s');
    ks.set(0, key, s);
    ks.willModify(0, key);
    s.deleteIds([id(1), id(2)]);
    expect(ks.modified(0, key)).toBe(true);
    expect(ks.exists(0, key)).toBe(true);
    expect((ks.get(0, key) as StreamValue).length).toBe(0);
  });
});
