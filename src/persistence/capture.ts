/**
 * Takes an exact point-in-time snapshot of a live keyspace without stopping it.
 *
 * The instant T0 is when the capture is created. Databases are walked one at a time with
 * `scan` (with keys past their TTL but not removed yet) + `peekEntry` in short steps (`step(budgetMs)`), so the server keeps serving between
 * steps. To keep the result exactly the keyspace at T0, the capture installs the engine's
 * before-change listener (copy-on-write of old values on first write):
 * - a database already written out: changes to it do not matter;
 * - a key of a database not finished yet, changed for the first time: its T0 entry is written
 *   out at once (nothing, for a key created after T0) and the key noted; the walk skips noted
 *   keys. Only key names are held while the snapshot runs, never copies of values;
 * - a whole database about to be flushed or swapped: the rest of it is written out at once,
 *   before the change happens.
 * A key the walk already wrote and that then changes is written again with the same T0 bytes
 * (format.ts: readers keep the last record; records of any database may follow each other). Keys whose TTL had run out at T0 are left
 * out.
 */

import type { Keyspace, PeekedEntry } from '../engine/types.js';
import { encodeValue, typeCode } from '../engine/values/codec.js';
import type { BufferPool } from './buffer-pool.js';
import { Framer, RecordWriter } from './encoder.js';
import { BLOCK_LZ4, BlockType, type SnapshotHeader, type SnapshotTrailer } from './format.js';
import { compressBlockInto, lz4Bound } from './lz4-block.js';

/** Keys asked of `scan` per call. */
const SCAN_BATCH_KEYS = 256;
/** A step also ends once this much output waits for the store (backpressure), bytes. */
const MAX_PENDING_OUTPUT_BYTES = 4 * 1024 * 1024;
/** The same with pooled buffers: what waits is what the pool must hold (buffer-pool.ts). */
const MAX_PENDING_POOLED_BYTES = 1024 * 1024;
/** Bytes compressed (on the event loop) before the stream lets other work run. */
const COMPRESS_SLICE_BYTES = 256 * 1024;

/** Per-database walk state: not finished yet (0) or fully written (DONE). */
const DONE = 2;

export interface CaptureStats {
  /** Keys whose T0 entry was copied because they changed during the snapshot. */
  copiedKeys: number;
  /** Databases written out at once because they were flushed or swapped meanwhile. */
  drainedDbs: number;
}

/** Databases whose key counts the HEADER block lists at most (it must stay a small document). */
const MAX_HEADER_DBS = 256;

export class SnapshotCapture {
  /** Unix ms of the instant the snapshot shows. */
  readonly startedAt: number;
  readonly stats: CaptureStats = { copiedKeys: 0, drainedDbs: 0 };
  private readonly enc: RecordWriter;
  /** Where payloads come from and go back to once written (null: new Buffers, left to the GC). */
  readonly pool: BufferPool | null;
  /** What the HEADER block says. */
  readonly header: Omit<SnapshotHeader, 'format'>;
  private readonly dbState: Uint8Array;
  /** Per database: keys changed since T0, whose T0 entry (if any) is already written out. */
  private readonly saved: Array<Set<string>>;
  /** Database being walked and its scan cursor. */
  private db = 0;
  private cursor = 0;
  private readonly batch: Buffer[] = [];
  private trailer: SnapshotTrailer | null = null;
  private walked = false;
  private active = true;
  /** The function libraries at the snapshot instant (a FUNCTION DUMP payload), if any. */
  readonly functions: Buffer | null;
  /** False when the engine has no before-change hook (see the constructor). */
  readonly exact: boolean;

  constructor(
    private readonly keyspace: Keyspace,
    meta: { cairnVersion: string; functions?: Buffer | null; pool?: BufferPool | null },
  ) {
    this.functions = meta.functions ?? null;
    this.pool = meta.pool ?? null;
    this.enc = new RecordWriter(this.pool);
    this.startedAt = keyspace.clock.now();
    const n = keyspace.databases;
    let keys = 0;
    const keysPerDb: [number, number][] = [];
    for (let db = 0; db < n; db++) {
      const k = keyspace.dbSize(db);
      keys += k;
      if (k > 0 && keysPerDb.length < MAX_HEADER_DBS) keysPerDb.push([db, k]);
    }
    this.dbState = new Uint8Array(n);
    this.saved = Array.from({ length: n }, () => new Set());
    this.header = {
      createdAt: this.startedAt,
      databases: n,
      engine: keyspace.name,
      keysAtStart: keys,
      keysPerDb,
      cairnVersion: meta.cairnVersion,
    };
    // Engines without the hook give a snapshot that may include changes made while it runs.
    this.exact = keyspace.setBeforeChangeListener !== undefined;
    keyspace.setBeforeChangeListener?.(this.onBeforeChange);
  }

  private readonly onBeforeChange = (db: number, key: Buffer | null): void => {
    if (this.dbState[db] === DONE) return;
    if (key === null) {
      this.stats.drainedDbs++;
      this.drain(db);
      return;
    }
    const m = this.saved[db];
    const k = key.toString('latin1');
    if (m.has(k)) return;
    m.add(k);
    const e = this.keyspace.peekEntry(db, key);
    // Written now, while the bytes are still the T0 ones (the record writer copies them).
    if (e !== null && this.liveAtStart(e))
      this.enc.add(db, key, encodeValue(e.value), e.expireAt, typeCode(e.value));
    this.stats.copiedKeys++;
  };

  private liveAtStart(e: PeekedEntry): boolean {
    return e.expireAt === 0 || e.expireAt > this.startedAt;
  }

  /**
   * One stretch of the walk over `db` from `cursor`: write out up to about SCAN_BATCH_KEYS keys
   * live at T0, skipping keys saved on change. Returns the next cursor (0 = database done).
   */
  private walk(db: number, cursor: number): number {
    const ks = this.keyspace;
    if (ks.scanEntries === undefined) {
      const next = ks.scan(db, cursor, SCAN_BATCH_KEYS, this.batch, true);
      this.writeBatch(db);
      return next;
    }
    const m = this.saved[db];
    const t0 = this.startedAt;
    const enc = this.enc;
    return ks.scanEntries(db, cursor, SCAN_BATCH_KEYS, (key, value, expireAt) => {
      if (expireAt !== 0 && expireAt <= t0) return;
      if (m.size > 0 && m.has(typeof key === 'string' ? key : key.toString('latin1'))) return;
      enc.add(db, key, encodeValue(value), expireAt, typeCode(value));
    });
  }

  /** Write the keys `scan` returned into the output, skipping those saved on change. */
  private writeBatch(db: number): void {
    const m = this.saved[db];
    const ks = this.keyspace;
    for (const key of this.batch) {
      if (m.size > 0 && m.has(key.toString('latin1'))) continue;
      const e = ks.peekEntry(db, key);
      if (e !== null && this.liveAtStart(e))
        this.enc.add(db, key, encodeValue(e.value), e.expireAt, typeCode(e.value));
    }
    this.batch.length = 0;
  }

  private finishDb(db: number): void {
    this.saved[db].clear();
    this.dbState[db] = DONE;
    if (db === this.db) {
      this.db++;
      this.cursor = 0;
    }
  }

  /** Write the rest of `db` now (it is about to be flushed or swapped). */
  private drain(db: number): void {
    let cursor = db === this.db ? this.cursor : 0;
    do cursor = this.walk(db, cursor);
    while (cursor !== 0);
    this.finishDb(db);
  }

  /**
   * Walk on for about `budgetMs` of wall time (or until enough output waits). True once every
   * key is written: `take()` then returns the last payloads.
   */
  step(budgetMs: number): boolean {
    if (this.walked) return true;
    const t0 = performance.now();
    const n = this.keyspace.databases;
    while (this.db < n) {
      const db = this.db;
      if (this.dbState[db] === DONE) {
        this.db++;
        this.cursor = 0;
        continue;
      }
      this.cursor = this.walk(db, this.cursor);
      if (this.cursor === 0) this.finishDb(db);
      const maxPending = this.pool !== null ? MAX_PENDING_POOLED_BYTES : MAX_PENDING_OUTPUT_BYTES;
      if (performance.now() - t0 >= budgetMs || this.enc.pendingBytes >= maxPending) {
        return false;
      }
    }
    this.enc.flush();
    this.walked = true;
    this.dispose();
    return true;
  }

  /** KEYS payloads ready to be framed, in order. */
  take(): Buffer[] {
    return this.enc.take();
  }

  /** The END block's contents once the whole snapshot has been streamed; null before. */
  get done(): SnapshotTrailer | null {
    return this.trailer;
  }

  /** Called by the stream once the END block is out. */
  completed(t: SnapshotTrailer): void {
    this.trailer = t;
  }

  get records(): number {
    return this.enc.recordCount;
  }

  /** Stop tracking changes (after completion, or to abandon the snapshot). */
  dispose(): void {
    if (!this.active) return;
    this.active = false;
    this.keyspace.setBeforeChangeListener?.(null);
  }
}

/** Resolve on the next turn of the event loop, after pending I/O callbacks. */
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/**
 * The capture as a stream of file blocks: one walk step per pull, yielding to the event loop
 * between steps so clients are served while the snapshot runs. With `compress`, KEYS payloads
 * are LZ4-compressed (lz4-block.ts) as they are framed, with a turn of the event loop every
 * COMPRESS_SLICE_BYTES.
 *
 * With a pool (`capture.pool`) every chunk yielded is valid only until the consumer asks for the
 * next one: its payload and LZ4 buffers then go back to the pool for the next blocks. Only a
 * store that is done with a chunk by then may be given such a stream (`releasesChunks`).
 */
export async function* captureStream(
  capture: SnapshotCapture,
  stepBudgetMs: number,
  signal?: AbortSignal,
  opts: { compress?: boolean } = {},
): AsyncGenerator<Buffer> {
  const framer = new Framer();
  const pool = capture.pool;
  let sinceTurn = 0;
  try {
    yield framer.start(capture.header);
    if (capture.functions !== null) yield framer.block(BlockType.FUNCTIONS, capture.functions, 0);
    for (;;) {
      signal?.throwIfAborted();
      const complete = capture.step(stepBudgetMs);
      for (const p of capture.take()) {
        let payload = p;
        let flags = 0;
        let z: Buffer | null = null;
        if (opts.compress) {
          if (sinceTurn >= COMPRESS_SLICE_BYTES) {
            sinceTurn = 0;
            await nextTurn();
            signal?.throwIfAborted();
          }
          const bound = lz4Bound(p.length);
          z = pool !== null ? pool.acquire(bound) : Buffer.allocUnsafe(bound);
          const n = compressBlockInto(p, z);
          sinceTurn += p.length;
          // Kept only when it saves space.
          if (n < p.length) {
            payload = z.subarray(0, n);
            flags = BLOCK_LZ4;
          }
        }
        yield* framer.keysBlockParts(payload, flags);
        // The consumer has asked for the next chunk: it is done with these.
        if (pool !== null) {
          pool.release(p);
          if (z !== null) pool.release(z);
        }
      }
      if (complete) {
        const { block, trailer } = framer.end(capture.records);
        capture.completed(trailer);
        yield block;
        return;
      }
      await nextTurn();
      sinceTurn = 0;
    }
  } finally {
    capture.dispose();
  }
}
