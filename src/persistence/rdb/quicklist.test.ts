import { describe, expect, it } from 'vitest';
import { RdbFormatError, RdbType } from './constants.js';
import { decodeListpack, encodeListpack } from './listpack.js';
import { decodeListItems, encodeQuicklist, quicklistNodes } from './quicklist.js';
import { RdbReader } from './reader.js';
import { ziplist } from './test-helpers.js';
import { RdbWriter } from './writer.js';

const items = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

function roundTrip(list: string[], fill: number, compressDepth: number): string[] {
  const w = new RdbWriter();
  encodeQuicklist(w, list, { fill, compressDepth });
  return decodeListItems(new RdbReader(w.finish()), RdbType.LIST_QUICKLIST_2);
}

describe('quicklist', () => {
  it('cuts nodes as quicklistPushTail does: by size class, or by count', () => {
    const list = items(3000, (i) => `item-${i}-${'y'.repeat(i % 50)}`);
    const bySize = quicklistNodes(list, -2);
    expect(bySize.length).toBeGreaterThan(10);
    for (const n of bySize) expect(n.bytes.length).toBeLessThanOrEqual(8192);
    // A node is cut only when the next element would not fit (with the 8-byte estimate).
    for (let i = 0; i + 1 < bySize.length; i++) {
      const next = decodeListpack(bySize[i + 1].bytes)[0] as Buffer;
      expect(bySize[i].bytes.length + next.length + 8).toBeGreaterThan(8192);
    }
    const byCount = quicklistNodes(items(23, String), 5);
    expect(byCount.map((n) => decodeListpack(n.bytes).length)).toEqual([5, 5, 5, 5, 3]);
    expect(quicklistNodes(['a', 'b'], 0).length).toBe(2);
  });

  it('round-trips with compressed inner nodes, and writes them as LZF blobs', () => {
    const list = items(2000, (i) => `value ${i % 17} ${'z'.repeat(i % 30)}`);
    expect(roundTrip(list, -1, 1)).toEqual(list);
    expect(roundTrip(list, 3, 0)).toEqual(list);
    const w = new RdbWriter();
    encodeQuicklist(w, list, { fill: -1, compressDepth: 2, compress: false });
    const bytes = w.finish();
    const r = new RdbReader(bytes);
    const kinds: number[] = [];
    for (let n = r.length(); n > 0; n--) {
      r.length();
      kinds.push(bytes[r.pos] === 0xc3 ? 1 : 0); // the LZF string marker
      r.stringView();
    }
    // The two nodes at each end stay plain; the inner ones are compressed.
    expect(kinds.slice(0, 2)).toEqual([0, 0]);
    expect(kinds.slice(-2)).toEqual([0, 0]);
    expect(kinds.slice(2, -2).every((k) => k === 1)).toBe(true);
  });

  it('reads every list type Redis 7.0 reads', () => {
    const plain = new RdbWriter()
      .length(3)
      .string(Buffer.from('a'))
      .string(Buffer.from('12'))
      .string(Buffer.from('c'));
    expect(decodeListItems(new RdbReader(plain.finish()), RdbType.LIST)).toEqual(['a', '12', 'c']);
    const zl = new RdbWriter().string(ziplist(['a', 5, -300]));
    expect(decodeListItems(new RdbReader(zl.finish()), RdbType.LIST_ZIPLIST)).toEqual(['a', '5', '-300']);
    const q1 = new RdbWriter()
      .length(2)
      .string(ziplist(['x']))
      .string(ziplist(['y', 'z']));
    expect(decodeListItems(new RdbReader(q1.finish()), RdbType.LIST_QUICKLIST)).toEqual(['x', 'y', 'z']);
    const q2 = new RdbWriter()
      .length(2)
      .length(1)
      .string(Buffer.from('plain'))
      .length(2)
      .string(encodeListpack(['p']));
    expect(decodeListItems(new RdbReader(q2.finish()), RdbType.LIST_QUICKLIST_2)).toEqual(['plain', 'p']);
  });

  it('refuses empty lists, bad containers and empty nodes', () => {
    const read = (w: RdbWriter, t: number) => () => decodeListItems(new RdbReader(w.finish()), t);
    expect(read(new RdbWriter().length(0), RdbType.LIST_QUICKLIST_2)).toThrow(/empty/);
    expect(
      read(
        new RdbWriter()
          .length(1)
          .length(3)
          .string(encodeListpack(['a'])),
        18,
      ),
    ).toThrow(/integrity/);
    expect(read(new RdbWriter().length(1).length(2).string(encodeListpack([])), 18)).toThrow(/empty/);
    expect(read(new RdbWriter().length(1).length(2).string(Buffer.alloc(0)), 18)).toThrow(RdbFormatError);
  });
});
