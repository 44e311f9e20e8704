import { describe, expect, it } from 'vitest';
import { SnapshotDecoder } from './decoder.js';
import { Framer, SnapshotEncoder } from './encoder.js';
import {
  BLOCK_LZ4,
  BlockType,
  FORMAT_VERSION,
  MAGIC,
  SnapshotError,
  type SnapshotProblem,
} from './format.js';

interface Rec {
  db: number;
  key: Buffer;
  value: Buffer;
  expireAt: number;
}

/** Deterministic pseudo-random numbers (mulberry32), so failures replay. */
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

function randomBytes(r: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

function records(seed: number, n: number, maxValue = 64): Rec[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    db: Math.floor(r() * 200),
    key: Buffer.concat([Buffer.from(`k${i}:`), randomBytes(r, Math.floor(r() * 8))]),
    value: randomBytes(r, Math.floor(r() * maxValue)),
    expireAt: r() < 0.3 ? 1_700_000_000_000 + Math.floor(r() * 1e9) : 0,
  }));
}

function encode(recs: Rec[]): Buffer {
  const enc = new SnapshotEncoder({
    createdAt: 1_700_000_000_123,
    databases: 256,
    engine: 'map',
    keysAtStart: recs.length,
    cairnVersion: 'test',
  });
  const out: Buffer[] = [];
  for (const x of recs) {
    enc.add(x.db, x.key, x.value, x.expireAt);
    out.push(...enc.take());
  }
  enc.finish();
  out.push(...enc.take());
  return Buffer.concat(out);
}

/** Decode `file` fed in chunks of the sizes `chunk()` picks. */
function decode(file: Buffer, chunk: () => number = () => file.length): Rec[] {
  const got: Rec[] = [];
  const dec = new SnapshotDecoder('test.cairn', {
    record: (db, key, value, expireAt) =>
      got.push({ db, key: Buffer.from(key), value: Buffer.from(value), expireAt }),
  });
  for (let i = 0; i < file.length; ) {
    const n = Math.max(1, chunk());
    dec.push(file.subarray(i, i + n));
    i += n;
  }
  dec.end();
  expect(dec.header?.createdAt).toBe(1_700_000_000_123);
  return got;
}

/** Records as one comparable string (toEqual on thousands of Buffers is slow). */
function text(recs: Rec[]): string {
  return recs
    .map((x) => `${x.db}|${x.key.toString('hex')}|${x.value.toString('hex')}|${x.expireAt}`)
    .join('\n');
}

function problemOf(fn: () => unknown): SnapshotProblem | 'none' {
  try {
    fn();
    return 'none';
  } catch (err) {
    if (err instanceof SnapshotError) return err.problem;
    throw err;
  }
}

describe('snapshot codec', () => {
  it('round-trips binary keys, empty values and expiry times, whatever the chunking', () => {
    const recs = records(1, 3000);
    recs.push({ db: 0, key: Buffer.alloc(0), value: Buffer.alloc(0), expireAt: 0 });
    const file = encode(recs);
    expect(file.subarray(0, 8).equals(MAGIC)).toBe(true);
    expect(text(decode(file))).toBe(text(recs));
    const r = rng(7);
    expect(text(decode(file, () => Math.floor(r() * 5000)))).toBe(text(recs));
    const few = encode(recs.slice(0, 200));
    expect(text(decode(few, () => 1))).toBe(text(recs.slice(0, 200)));
  });

  it('splits into blocks and gives a record bigger than a block its own', () => {
    const big = { db: 3, key: Buffer.from('big'), value: randomBytes(rng(2), 300_000), expireAt: 0 };
    const recs = [...records(3, 5000), big, ...records(4, 10)];
    const file = encode(recs);
    expect(text(decode(file))).toBe(text(recs));
  });

  it('an empty snapshot is valid', () => {
    expect(decode(encode([]))).toEqual([]);
  });

  it('detects every flipped byte of a small snapshot', () => {
    const file = encode(records(5, 40));
    for (let i = 0; i < file.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const bad = Buffer.from(file);
        bad[i] ^= mask;
        const p = problemOf(() => decode(bad));
        expect(p, `byte ${i} ^ ${mask}`).not.toBe('none');
      }
    }
  });

  it('reports a cut-off tail at any length as truncated', () => {
    const file = encode(records(6, 40));
    for (let n = 0; n < file.length; n++) {
      expect(
        problemOf(() => decode(file.subarray(0, n))),
        `cut at ${n}`,
      ).toBe('truncated');
    }
  });

  it('names the file and the problem', () => {
    const file = encode(records(8, 100));
    const bad = Buffer.from(file);
    bad[200] ^= 0xff;
    expect(() => decode(bad)).toThrow(/snapshot test\.cairn: corrupt: block at byte \d+ fails its checksum/);
    expect(() => decode(file.subarray(0, file.length - 3))).toThrow(/snapshot test\.cairn: truncated: /);
  });

  it('refuses a newer format version and data after the END block', () => {
    const file = encode(records(9, 10));
    const newer = Buffer.from(file);
    newer.writeUInt32LE(FORMAT_VERSION + 1, MAGIC.length);
    expect(() => decode(newer)).toThrow(
      new RegExp(
        `newer-format: format version ${FORMAT_VERSION + 1} is newer than this Cairn reads \\(${FORMAT_VERSION}\\)`,
      ),
    );
    expect(problemOf(() => decode(Buffer.concat([file, Buffer.from('x')])))).toBe('corrupt');
    expect(problemOf(() => decode(Buffer.from('REDIS0011 not ours')))).toBe('not-a-snapshot');
  });

  it('refuses an LZ4 block that does not decompress into records, even with valid checksums', () => {
    const f = new Framer();
    const header = {
      createdAt: 1_700_000_000_123,
      databases: 16,
      engine: 'map',
      keysAtStart: 0,
      cairnVersion: 't',
    };
    const parts = [
      f.start(header),
      f.block(BlockType.KEYS, Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3]), BLOCK_LZ4),
    ];
    parts.push(f.end(0).block);
    expect(problemOf(() => decode(Buffer.concat(parts)))).toBe('corrupt');
    // LZ4 is only allowed on KEYS blocks.
    const g = new Framer();
    const bad = Buffer.concat([g.start(header), g.block(BlockType.END, Buffer.from('{}'), BLOCK_LZ4)]);
    expect(() => decode(bad)).toThrow(/unknown flags 1/);
  });
});
