/**
 * A circuit breaker (opossum) in front of a remote store. While the store keeps failing the
 * circuit opens: snapshot attempts fail at once instead of waiting on a dead server, the server
 * keeps serving, and INFO persistence says so. After `resetTimeoutMs` one trial call goes
 * through (half-open); its success closes the circuit. Small calls (get, list, prune) are
 * retried with backoff while the circuit is closed; `put` is not, since its stream is consumed
 * by the attempt (the next scheduled snapshot is the retry).
 */
import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import type { SnapshotInfo, SnapshotReader, SnapshotStore, StoreCallOptions } from './store.js';

/**
 * Failures in a row that open the circuit. Snapshot traffic is a few calls a minute, too thin
 * for opossum's error percentage over a rolling window, so the circuit is opened explicitly;
 * opossum then runs the open -> half-open -> closed cycle.
 */
const FAILURES_TO_OPEN = 2;
/** Never open on opossum's own percentage rule (it trips only when the rate is above this). */
const ERROR_THRESHOLD_PERCENT = 100;
const RETRIES = 2;
/** First retry delay; doubled each time, milliseconds. */
const RETRY_BASE_MS = 100;

type Op = () => Promise<unknown>;

export class StoreUnavailableError extends Error {
  constructor(location: string) {
    super(
      `snapshot store ${location} is unavailable (circuit open after repeated failures); will retry later`,
    );
    this.name = 'StoreUnavailableError';
  }
}

export class BreakerStore implements SnapshotStore {
  readonly kind: string;
  readonly location: string;
  private readonly breaker: CircuitBreaker<[Op], unknown>;
  private failuresInARow = 0;

  constructor(
    private readonly inner: SnapshotStore,
    opts: { resetTimeoutMs: number; logger: Logger },
  ) {
    this.kind = inner.kind;
    this.location = inner.location;
    this.breaker = new CircuitBreaker<[Op], unknown>((op: Op) => op(), {
      timeout: false,
      resetTimeout: opts.resetTimeoutMs,
      errorThresholdPercentage: ERROR_THRESHOLD_PERCENT,
      // Our own cancellations (shutdown, deadlines we set) say nothing about the store's health.
      // (A deadline running out, TimeoutError, does count.)
      errorFilter: (err: unknown) => (err as Error)?.name === 'AbortError',
    });
    const log = opts.logger;
    this.breaker.on('open', () =>
      log.warn(
        { store: this.location },
        `snapshot store circuit open: failing fast for ${opts.resetTimeoutMs} ms`,
      ),
    );
    this.breaker.on('halfOpen', () =>
      log.info({ store: this.location }, 'snapshot store circuit half-open: trying again'),
    );
    this.breaker.on('close', () =>
      log.info({ store: this.location }, 'snapshot store circuit closed: store is back'),
    );
  }

  /** `closed`, `open` or `half-open`. */
  get state(): string {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  private async fire<T>(op: () => Promise<T>): Promise<T> {
    try {
      const r = (await this.breaker.fire(op)) as T;
      this.failuresInARow = 0;
      return r;
    } catch (err) {
      if ((err as { code?: string }).code === 'EOPENBREAKER') throw new StoreUnavailableError(this.location);
      if (
        (err as Error)?.name !== 'AbortError' &&
        ++this.failuresInARow >= FAILURES_TO_OPEN &&
        this.breaker.closed
      )
        this.breaker.open();
      throw err;
    }
  }

  private async retrying<T>(op: () => Promise<T>, opts: StoreCallOptions): Promise<T> {
    let lastErr: unknown = null;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.fire(op);
      } catch (err) {
        // A retry that finds the circuit open: the store's own error says more.
        if (err instanceof StoreUnavailableError && lastErr !== null) throw lastErr;
        lastErr = err;
        if (attempt >= RETRIES || err instanceof StoreUnavailableError || opts.signal.aborted) throw err;
        const delay = RETRY_BASE_MS * 2 ** attempt;
        if (opts.deadlineMs !== 0 && Date.now() + delay >= opts.deadlineMs) throw err;
        // Not unref'd: at start-up this wait may be all that keeps the process alive.
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  get releasesChunks(): boolean {
    return this.inner.releasesChunks === true;
  }

  put(
    chunks: AsyncIterable<Buffer>,
    meta: { createdAt: number },
    opts: StoreCallOptions,
  ): Promise<SnapshotInfo> {
    return this.fire(() => this.inner.put(chunks, meta, opts));
  }

  get(name: string | null, opts: StoreCallOptions): Promise<SnapshotReader | null> {
    return this.retrying(() => this.inner.get(name, opts), opts);
  }

  list(opts: StoreCallOptions): Promise<SnapshotInfo[]> {
    return this.retrying(() => this.inner.list(opts), opts);
  }

  prune(keep: number, opts: StoreCallOptions): Promise<number> {
    return this.retrying(() => this.inner.prune(keep, opts), opts);
  }

  info(): Array<[string, string | number]> {
    const s = this.breaker.stats;
    return [
      ['snapshot_store_circuit', this.state],
      ['snapshot_store_failures', s.failures],
      ['snapshot_store_rejects', s.rejects],
    ];
  }

  async close(): Promise<void> {
    this.breaker.shutdown();
    await this.inner.close();
  }
}
