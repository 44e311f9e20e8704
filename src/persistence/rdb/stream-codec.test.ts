/**
 * Streams in RDB form without servers: round trips (several nodes, tombstones, wide IDs,
 * groups, consumers, pending entries), the older type 15, and hostile payloads: every
 * truncation and thousands of single-byte corruptions either give RdbFormatError or a stream
 * that reads, copies and changes consistently; never another error.
 */
import { describe, expect, it } from 'vitest';
import { type NodeLimits, StreamValue } from '../../engine/values/stream.js';
import {
  compareIds,
  idKey,
  MAX_ID,
  type StreamID,
  UINT64_MAX,
  ZERO_ID,
} from '../../engine/values/stream-id.js';
import { RdbFormatError, RdbType } from './constants.js';
import { RdbReader } from './reader.js';
import { decodeStream, encodeStream } from './stream-codec.js';
import { RdbWriter } from './writer.js';

const id = (ms: number | bigint, seq: number | bigint = 0): StreamID => ({
  ms: BigInt(ms),
  seq: BigInt(seq),
});
const LIMITS: NodeLimits = { maxEntries: 5n, maxBytes: 4096 };

/** A stream with several nodes, SAMEFIELDS and other entries, tombstones, groups and PELs. */
function sample(): StreamValue {
  const s = new StreamValue();
  for (let i = 1; i <= 17; i++) {
    const fields =
      i % 4 === 0 ? ['other', 'x'.repeat(i * 5), 'n', String(-i * 1000)] : ['f', `v${i}`, 'n', String(i)];
    s.add(id(i, i % 3), fields, LIMITS);
  }
  s.add(id(UINT64_MAX - 1n, 7), ['f', 'wide'], LIMITS);
  s.deleteIds([id(2, 2), id(6, 0), id(7, 1), id(8, 2), id(9, 0), id(10, 1)]);
  s.trim({ strategy: 'minid', maxlen: 0, minid: id(3), approx: false, limit: 0 });
  const g = s.createGroup('g1', id(12, 0), 9n)!;
  const alice = g.createConsumer('alice', 1_700_000_000_123)!;
  const bob = g.createConsumer('bob', 1_700_000_000_456)!;
  g.createConsumer('idle', 5)!;
  for (const [x, c] of [
    [id(4, 1), alice],
    [id(5, 2), bob],
    [id(11, 2), alice],
  ] as const) {
    g.addPending(x, 1_700_000_001_000, 2n, c);
  }
  s.createGroup('g0', ZERO_ID, -1n);
  return s;
}

function encode(s: StreamValue, compress = true): Buffer {
  const w = new RdbWriter();
  expect(encodeStream(w, s, { compress })).toBe(RdbType.STREAM_LISTPACKS_2);
  return Buffer.from(w.finish());
}

const decode = (b: Buffer, type: number = RdbType.STREAM_LISTPACKS_2) => decodeStream(new RdbReader(b), type);

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`inconsistent stream: ${what}`);
}

const text = (es: { id: StreamID; fields: readonly string[] }[]) =>
  es.map((e) => `${idKey(e.id)}:${e.fields.join(',')}`).join(';');

/** Reads, copies and changes a decoded stream every way; throws on any inconsistency. */
function exercise(s: StreamValue): void {
  const all = s.range(ZERO_ID, MAX_ID, false, 0);
  check(all.length === s.length, 'length');
  for (let i = 1; i < all.length; i++) check(compareIds(all[i - 1].id, all[i].id) < 0, 'order');
  check(text(s.range(ZERO_ID, MAX_ID, true, 0).reverse()) === text(all), 'reverse');
  for (const e of all) check(text([s.entry(e.id) ?? { id: ZERO_ID, fields: [] }]) === text([e]), 'lookup');
  for (const g of s.groups.values())
    for (const nack of g.pendingFrom()) check(nack.consumer !== null, 'owner');
  const copy = StreamValue.deserialize(s.serialize());
  check(text(copy.range(ZERO_ID, MAX_ID, false, 0)) === text(all), 'copy');
  if (compareIds(s.lastId, MAX_ID) < 0) s.add(MAX_ID, ['k', 'v'], LIMITS);
  s.deleteIds(all.slice(0, 2).map((e) => e.id));
  s.trim({ strategy: 'maxlen', maxlen: 1, minid: ZERO_ID, approx: false, limit: 0 });
  check(s.range(ZERO_ID, MAX_ID, false, 0).length === s.length, 'after changes');
}

describe('stream RDB payloads', () => {
  it('round-trip byte for byte, with everything XINFO shows', () => {
    const s = sample();
    for (const compress of [true, false]) {
      const bytes = encode(s, compress);
      const back = decode(bytes);
      expect(encode(back, compress).equals(bytes)).toBe(true);
      expect(back.range(ZERO_ID, MAX_ID, false, 0)).toEqual(s.range(ZERO_ID, MAX_ID, false, 0));
      expect(back.nodes.map((n) => [n.master, n.live, n.deleted, n.lpBytes()])).toEqual(
        s.nodes.map((n) => [n.master, n.live, n.deleted, n.lpBytes()]),
      );
      expect([back.lastId, back.firstId, back.maxDeletedId, back.entriesAdded]).toEqual([
        s.lastId,
        s.firstId,
        s.maxDeletedId,
        s.entriesAdded,
      ]);
      const g = back.groups.get('g1')!;
      expect([g.lastId, g.entriesRead, back.groups.get('g0')!.entriesRead]).toEqual([id(12, 0), 9n, -1n]);
      expect(g.sortedConsumers().map((c) => [c.name, c.seenTime, c.pel.ids()])).toEqual([
        ['alice', 1_700_000_000_123, [id(4, 1), id(11, 2)]],
        ['bob', 1_700_000_000_456, [id(5, 2)]],
        ['idle', 5, []],
      ]);
      expect(g.pending(id(5, 2))).toMatchObject({
        deliveryTime: 1_700_000_001_000,
        deliveryCount: 2n,
      });
      exercise(back);
    }
  });

  it('reads the older type 15, deriving the counters as Redis does', () => {
    const s = sample();
    s.groups.delete('g0');
    const w = new RdbWriter();
    w.length(s.nodes.length);
    for (const n of s.nodes) {
      const key = Buffer.alloc(16);
      key.writeBigUInt64BE(n.master.ms, 0);
      key.writeBigUInt64BE(n.master.seq, 8);
      w.string(key).string(n.listpack());
    }
    w.length(s.length).length(s.lastId.ms).length(s.lastId.seq);
    w.length(1).stringLatin1('g').length(2).length(0); // group g at 2-0, empty PEL, no consumers
    w.length(0).length(0);
    const back = decode(Buffer.from(w.finish()), RdbType.STREAM_LISTPACKS);
    expect(back.entriesAdded).toBe(BigInt(s.length));
    expect(back.maxDeletedId).toEqual(ZERO_ID);
    expect(back.firstId).toEqual(back.firstLiveId());
    // 2-0 is before the first entry (3-0): nothing read yet.
    expect(back.groups.get('g')!.entriesRead).toBe(0n);
    exercise(back);
  });

  it('refuses every truncation, and survives single-byte corruption', () => {
    const bytes = encode(sample(), false);
    for (let n = 0; n < bytes.length; n++) expect(() => decode(bytes.subarray(0, n))).toThrow(RdbFormatError);
    let refused = 0;
    let loaded = 0;
    for (let i = 0; i < bytes.length; i++) {
      for (const v of [0x00, 0xff, bytes[i] ^ 0x01]) {
        if (v === bytes[i]) continue;
        const bad = Buffer.from(bytes);
        bad[i] = v;
        let s: StreamValue;
        try {
          s = decode(bad);
        } catch (e) {
          if (!(e instanceof RdbFormatError)) throw e;
          refused++;
          continue;
        }
        loaded++;
        exercise(s);
      }
    }
    expect(refused).toBeGreaterThan(700);
    expect(loaded).toBeGreaterThan(0);
  }, 20_000);

  it('refuses payloads that are well formed but inconsistent', () => {
    const s = sample();
    const good = encode(s, false);
    expect(() => decode(good)).not.toThrow();
    const variants: Array<(x: StreamValue) => void> = [
      // The last ID below an entry.
      (x) => {
        x.lastId = id(1);
      },
      // A pending entry nobody owns.
      (x) => {
        x.groups.get('g1')!.addPending(id(99), 1, 1n, null);
      },
      // The length not the entries' count.
      (x) => {
        x.length += 1;
      },
    ];
    for (const change of variants) {
      const x = decode(good);
      change(x);
      expect(() => decode(encode(x, false))).toThrow(RdbFormatError);
    }
  });
});
