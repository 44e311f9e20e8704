/**
 * The persistence service: restores the latest snapshot at start, takes snapshots (on demand,
 * every `snapshot-interval` seconds when something changed, at Redis-style `save` points, and at
 * shutdown), one at a time, and reports how it went (INFO persistence). A failed snapshot is
 * logged and reported; the server keeps serving.
 */
import type { Logger } from 'pino';
import type { Keyspace } from '../engine/types.js';
import { snapshotBuffers } from './buffer-pool.js';
import { captureStream, SnapshotCapture } from './capture.js';
import { type LoadResult, loadSnapshot } from './loader.js';
import { loadProgressReporter } from './progress.js';
import type { SnapshotInfo, SnapshotStore } from './store.js';

/** How often the schedule is checked, milliseconds. */
const SCHEDULE_TICK_MS = 1000;
/** After a failed snapshot, scheduled ones wait this long before trying again (Redis: 5 s). */
const RETRY_DELAY_MS = 5000;
/** Wall time a snapshot step may take before the event loop gets a turn, milliseconds. */
export const SNAPSHOT_STEP_BUDGET_MS = 1;

export interface PersistenceSettings {
  /** Seconds between snapshots when anything changed; 0 = off. */
  intervalS: number;
  /** Redis `save` points: snapshot when at least `changes` changes in `seconds`. */
  savePoints: Array<{ seconds: number; changes: number }>;
  /** Snapshots kept in the store (older ones are pruned). */
  keep: number;
  /** Give up on a snapshot after this long, milliseconds; 0 = never. */
  timeoutMs: number;
  /** LZ4-compress KEYS blocks. */
  compress: boolean;
}

/** The server's change counter (Redis's `dirty`), shared with INFO and the dispatcher. */
/** What a snapshot keeps beside the keys: the function libraries (FUNCTION DUMP / RESTORE). */
export interface SnapshotFunctions {
  /** The libraries now, or null when there are none. */
  dump(): Buffer | null;
  /** Replace the libraries with a snapshot's; throws when the payload does not load. */
  restore(payload: Buffer): void | Promise<void>;
}

export interface DirtyCounter {
  dirty: number;
}

export type SaveResult = { ok: true; info: SnapshotInfo } | { ok: false; error: string };

/** Parse `save`: "<seconds> <changes> ..." pairs; empty = none. Null when malformed. */
export function parseSavePoints(s: string): PersistenceSettings['savePoints'] | null {
  const parts = s.trim().split(/\s+/).filter(Boolean);
  if (parts.length % 2 !== 0 || parts.some((p) => !/^\d+$/.test(p))) return null;
  const out: PersistenceSettings['savePoints'] = [];
  for (let i = 0; i < parts.length; i += 2)
    out.push({ seconds: Number(parts[i]), changes: Number(parts[i + 1]) });
  return out;
}

function message(err: unknown): string {
  const e = err as Error & { code?: string };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return `snapshot aborted (${e.message})`;
  return e?.message ?? String(err);
}

export class PersistenceService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SaveResult> | null = null;
  private runningAbort: AbortController | null = null;
  private runningStartedAt = 0;
  private lastSaveAt: number;
  private lastAttemptAt = 0;
  private lastOk = true;
  private lastError = '';
  private lastDurationMs = -1;
  private lastInfo: SnapshotInfo | null = null;
  private lastRecords = 0;
  private lastCopiedKeys = 0;
  private saves = 0;
  private failures = 0;
  private loaded: LoadResult | null = null;
  private closed = false;
  private warnedInexact = false;

  constructor(
    private readonly opts: {
      keyspace: Keyspace;
      store: SnapshotStore;
      logger: Logger;
      settings: () => PersistenceSettings;
      counter: DirtyCounter;
      cairnVersion: string;
      /** Extra INFO fields from the store (circuit breaker state). */
      storeInfo?: () => Array<[string, string | number]>;
      /** Function libraries: saved in snapshots, restored with them. */
      functions?: SnapshotFunctions;
    },
  ) {
    this.lastSaveAt = opts.keyspace.clock.now();
  }

  get store(): SnapshotStore {
    return this.opts.store;
  }

  /** Load the latest snapshot into the (empty) keyspace. Null when the store has none. */
  async restore(signal: AbortSignal = new AbortController().signal): Promise<LoadResult | null> {
    const { store, keyspace, logger } = this.opts;
    const reader = await store.get(null, { signal, deadlineMs: 0 });
    if (reader === null) {
      logger.info({ store: store.kind, location: store.location }, 'no snapshot to load, starting empty');
      return null;
    }
    logger.info({ source: reader.location, bytes: reader.info.size }, `loading snapshot ${reader.location}`);
    const progress = loadProgressReporter(logger, reader.location);
    try {
      const r = await loadSnapshot({
        keyspace,
        source: reader.location,
        chunks: reader.chunks,
        size: reader.info.size,
        onProgress: progress.update,
        functions: this.opts.functions?.restore,
      });
      this.loaded = r;
      this.lastSaveAt = r.header.createdAt;
      logger.info(
        { source: reader.location, keys: r.keys, expired: r.expired, ms: Math.round(r.durationMs) },
        `snapshot loaded: ${r.keys} keys (${r.expired} already expired) in ${Math.round(r.durationMs)} ms`,
      );
      return r;
    } finally {
      progress.done();
    }
  }

  /** Check the schedule every second (interval and save points). */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.checkSchedule(), SCHEDULE_TICK_MS);
    this.timer.unref();
  }

  /** One look at the schedule (the timer calls it every second; tests call it directly). */
  checkSchedule(): void {
    if (this.running !== null || this.closed) return;
    const { counter, keyspace } = this.opts;
    const dirty = counter.dirty;
    if (dirty <= 0) return;
    const now = keyspace.clock.now();
    if (!this.lastOk && now - this.lastAttemptAt < RETRY_DELAY_MS) return;
    const s = this.opts.settings();
    const sinceS = (now - this.lastSaveAt) / 1000;
    let reason: string | null = null;
    if (s.intervalS > 0 && sinceS >= s.intervalS) reason = `${s.intervalS} s interval`;
    for (const p of s.savePoints) {
      if (reason === null && dirty >= p.changes && sinceS >= p.seconds)
        reason = `${p.changes} changes in ${p.seconds} seconds`;
    }
    if (reason !== null) void this.save(reason);
  }

  get inProgress(): boolean {
    return this.running !== null;
  }

  /**
   * Take a snapshot now; a snapshot already running is an error for the caller (like Redis's
   * "Background save already in progress"). Never rejects.
   */
  save(reason: string): Promise<SaveResult> {
    if (this.closed) return Promise.resolve({ ok: false, error: 'persistence is shut down' });
    if (this.running !== null)
      return Promise.resolve({ ok: false, error: 'Background save already in progress' });
    this.running = this.run(reason).finally(() => {
      this.running = null;
      this.runningAbort = null;
    });
    return this.running;
  }

  /** Wait for a running snapshot (if any) to end. */
  async settle(): Promise<void> {
    if (this.running !== null) await this.running;
  }

  private async run(reason: string): Promise<SaveResult> {
    const { keyspace, store, logger, counter } = this.opts;
    const settings = this.opts.settings();
    const ac = new AbortController();
    this.runningAbort = ac;
    this.runningStartedAt = keyspace.clock.now();
    this.lastAttemptAt = this.runningStartedAt;
    const dirtyAtStart = counter.dirty;
    const t0 = performance.now();
    const capture = new SnapshotCapture(keyspace, {
      cairnVersion: this.opts.cairnVersion,
      functions: this.opts.functions?.dump() ?? null,
      // Blocks are reused once the store is done with them (a store that keeps them gets new ones).
      pool: store.releasesChunks === true ? snapshotBuffers : null,
    });
    logger.info({ reason, store: store.kind }, `snapshot started (${reason})`);
    if (!capture.exact && !this.warnedInexact) {
      this.warnedInexact = true;
      logger.warn(
        { engine: keyspace.name },
        'this engine has no before-change hook: snapshots may include changes made while they run',
      );
    }
    try {
      const deadlineMs = settings.timeoutMs > 0 ? Date.now() + settings.timeoutMs : 0;
      const info = await store.put(
        captureStream(capture, SNAPSHOT_STEP_BUDGET_MS, ac.signal, { compress: settings.compress }),
        { createdAt: capture.startedAt },
        { signal: ac.signal, deadlineMs },
      );
      if (capture.done === null) throw new Error('the store finished before the snapshot was complete');
      this.lastDurationMs = performance.now() - t0;
      this.lastOk = true;
      this.lastError = '';
      this.lastInfo = info;
      this.lastRecords = capture.records;
      this.lastCopiedKeys = capture.stats.copiedKeys;
      this.lastSaveAt = keyspace.clock.now();
      this.saves++;
      counter.dirty = Math.max(0, counter.dirty - dirtyAtStart);
      logger.info(
        {
          snapshot: info.name,
          bytes: info.size,
          keys: capture.records,
          copied: capture.stats.copiedKeys,
          ms: Math.round(this.lastDurationMs),
        },
        `snapshot saved: ${info.name} (${capture.records} keys, ${info.size} bytes, ${Math.round(this.lastDurationMs)} ms)`,
      );
      await this.prune(settings.keep);
      return { ok: true, info };
    } catch (err) {
      this.lastDurationMs = performance.now() - t0;
      this.lastOk = false;
      this.lastError = message(err);
      this.failures++;
      logger.error(
        { err, store: store.kind, location: store.location },
        `snapshot failed: ${this.lastError}`,
      );
      return { ok: false, error: this.lastError };
    } finally {
      capture.dispose();
    }
  }

  private async prune(keep: number): Promise<void> {
    try {
      const n = await this.opts.store.prune(keep, {
        signal: new AbortController().signal,
        deadlineMs: Date.now() + 30_000,
      });
      if (n > 0) this.opts.logger.debug({ pruned: n }, 'old snapshots pruned');
    } catch (err) {
      this.opts.logger.warn({ err }, `could not prune old snapshots: ${message(err)}`);
    }
  }

  /** INFO persistence fields (Redis names where Redis has one). */
  info(): Array<[string, string | number]> {
    const now = this.opts.keyspace.clock.now();
    const fields: Array<[string, string | number]> = [
      ['rdb_bgsave_in_progress', this.running !== null ? 1 : 0],
      ['rdb_last_save_time', Math.floor(this.lastSaveAt / 1000)],
      ['rdb_last_bgsave_status', this.lastOk ? 'ok' : 'err'],
      ['rdb_last_bgsave_time_sec', this.lastDurationMs < 0 ? -1 : Math.round(this.lastDurationMs / 1000)],
      [
        'rdb_current_bgsave_time_sec',
        this.running !== null ? Math.round((now - this.runningStartedAt) / 1000) : -1,
      ],
      ['rdb_saves', this.saves],
      ['rdb_last_load_keys_expired', this.loaded?.expired ?? 0],
      ['rdb_last_load_keys_loaded', this.loaded?.keys ?? 0],
      ['snapshot_store', this.opts.store.kind],
      ['snapshot_location', this.opts.store.location],
      ['snapshot_failures', this.failures],
      ['snapshot_last_error', this.lastError],
      ['snapshot_last_name', this.lastInfo?.name ?? ''],
      ['snapshot_last_bytes', this.lastInfo?.size ?? 0],
      ['snapshot_last_keys', this.lastRecords],
      ['snapshot_last_copied_keys', this.lastCopiedKeys],
      ['snapshot_last_duration_ms', this.lastDurationMs < 0 ? -1 : Math.round(this.lastDurationMs)],
    ];
    if (this.opts.storeInfo) fields.push(...this.opts.storeInfo());
    return fields;
  }

  /** The store holds a snapshot of the current data (loaded at start or saved since). */
  get hasSnapshot(): boolean {
    return this.loaded !== null || this.lastInfo !== null;
  }

  lastSave(): number {
    return this.lastSaveAt;
  }

  /** Stop the schedule, abort a running snapshot if asked, and close the store. */
  async close(abortRunning = false): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (abortRunning) this.runningAbort?.abort(new DOMException('shutting down', 'AbortError'));
    await this.settle();
    await this.opts.store.close();
  }
}
