/**
 * Snapshots written through reused buffers (buffer-pool.ts, DirStore's write buffer): the
 * files are the bytes the unpooled stream gives, they load back, and a second snapshot takes
 * no new buffers from the system.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../engine/clock.js';
import { MapKeyspace } from '../engine/map-keyspace.js';
import { OffHeapKeyspace } from '../engine/offheap/keyspace.js';
import type { Keyspace } from '../engine/types.js';
import { BufferPool } from './buffer-pool.js';
import { captureStream, SnapshotCapture } from './capture.js';
import { DirStore } from './dir-store.js';
import { BLOCK_LZ4, BlockType, PREAMBLE_BYTES } from './format.js';
import { loadSnapshot } from './loader.js';
import { noDeadline } from './store.js';

const DBS = 2;
const RANDOM = randomBytes(1 << 20);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Small values, and big ones (16-300 KiB) half random, half a repeated pattern. */
function populate(ks: Keyspace, clock: ManualClock, n: number): void {
  for (let i = 0; i < n; i++) {
    let v: Buffer;
    if (i % 25 === 0) {
      const len = 16_384 + ((i * 7919) % 290_000);
      v = i % 50 === 0 ? Buffer.alloc(len, `big:${i};`) : RANDOM.subarray(i, i + len);
    } else v = Buffer.from(`v${i}:${'x'.repeat(i % 200)}`);
    ks.set(i % DBS, Buffer.from(`key:${i}`), v, i % 3 === 0 ? clock.now() + 60_000 : 0);
  }
}

function state(ks: Keyspace): Map<string, string> {
  const out = new Map<string, string>();
  for (let db = 0; db < ks.databases; db++) {
    const keys: Buffer[] = [];
    let cursor = 0;
    do cursor = ks.scan(db, cursor, 1000, keys);
    while (cursor !== 0);
    for (const k of keys) {
      const e = ks.peekEntry(db, k);
      if (e !== null) out.set(`${db}|${k.toString('latin1')}`, `${e.value.toString('base64')}|${e.expireAt}`);
    }
  }
  return out;
}

/** The file the unpooled stream gives (each chunk kept as it comes). */
async function unpooled(ks: Keyspace): Promise<Buffer> {
  const cap = new SnapshotCapture(ks, { cairnVersion: 'test' });
  const chunks: Buffer[] = [];
  for await (const c of captureStream(cap, 1, undefined, { compress: true })) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** KEYS blocks in a snapshot file, and how many are LZ4-compressed. */
function keysBlocks(file: Buffer): { blocks: number; lz4: number } {
  let pos = PREAMBLE_BYTES;
  let blocks = 0;
  let lz4 = 0;
  while (pos < file.length) {
    const len = file.readUInt32LE(pos + 2);
    if (file[pos] === BlockType.KEYS) {
      blocks++;
      if (file[pos + 1] === BLOCK_LZ4) lz4++;
    }
    pos += 10 + len + 4;
  }
  return { blocks, lz4 };
}

describe('snapshots through reused buffers', () => {
  it('writes the same bytes as the unpooled stream, loads back, and reuses its blocks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-pooled-'));
    dirs.push(dir);
    const clock = new ManualClock(1_800_000_000_000);
    const ks = new OffHeapKeyspace(DBS, clock);
    populate(ks, clock, 1500);
    const store = await DirStore.open(dir);
    expect(store.releasesChunks).toBe(true);
    const pool = new BufferPool();

    const save = async () => {
      const cap = new SnapshotCapture(ks, { cairnVersion: 'test', pool });
      const info = await store.put(
        captureStream(cap, 1, undefined, { compress: true }),
        { createdAt: cap.startedAt },
        noDeadline(),
      );
      expect(cap.done?.records).toBe(ks.dbSize(0) + ks.dbSize(1));
      return readFileSync(join(dir, info.name));
    };

    const first = await save();
    expect(first.equals(await unpooled(ks))).toBe(true);
    const { blocks, lz4 } = keysBlocks(first);
    // Both kinds of block: compressed where it saved space, raw where it did not.
    expect(lz4).toBeGreaterThan(0);
    expect(lz4).toBeLessThan(blocks);
    const loaded = new MapKeyspace(DBS, new ManualClock(clock.now()));
    const reader = await store.get(null, noDeadline());
    await loadSnapshot({ keyspace: loaded, source: 'dir', chunks: reader!.chunks });
    expect(state(loaded)).toEqual(state(ks));

    // Changed data (other record sizes), saved twice: the second time takes (almost) no new blocks.
    expect(pool.stats.allocated).toBeGreaterThan(0);
    for (let i = 0; i < 100; i++)
      ks.set(0, Buffer.from(`key:${i * 7}`), RANDOM.subarray(i, i + 20_000 + i * 1000));
    const second = await save();
    expect(second.equals(await unpooled(ks))).toBe(true);
    const allocated = pool.stats.allocated;
    const third = await save();
    // Without reuse every block would be new. How many are in flight at once varies with the
    // writer's pace (a walk step ends after a batch of keys; 22 of 213 seen once under load).
    expect(pool.stats.allocated - allocated).toBeLessThan(keysBlocks(third).blocks / 4);
    expect(pool.stats.retainedBytes).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it('a pool hands back what was released, and ignores buffers it does not own', () => {
    const pool = new BufferPool(256 * 1024);
    const a = pool.acquire(100_000);
    expect(a.length).toBe(128 * 1024);
    pool.release(a.subarray(0, 10));
    expect(pool.acquire(70_000).buffer).toBe(a.buffer);
    // Views into Node's shared pool, odd sizes and buffers over the retained bytes are dropped.
    pool.release(Buffer.allocUnsafe(10));
    pool.release(Buffer.allocUnsafeSlow(100_000));
    pool.release(pool.acquire(128 * 1024));
    pool.release(pool.acquire(256 * 1024));
    expect(pool.stats.retainedBytes).toBe(128 * 1024);
    expect(pool.acquire(5 * 1024 * 1024).length).toBe(5 * 1024 * 1024);
  });
});
