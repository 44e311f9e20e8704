/**
 * `SnapshotStore`: where snapshots live. The snapshot code hands a store a stream of bytes and
 * asks for them back; it never knows whether they go to a directory, a database or an object
 * store. docs/persistence.md shows how to write an adapter in one file.
 *
 * Rules every adapter keeps:
 * - `put` is atomic: until it resolves, `latest` still returns the previous snapshot, and a
 *   crash or an error part way leaves no partial snapshot visible (the adapter may leave
 *   garbage it cleans up later).
 * - Every call honours `opts.signal` (abort as soon as it fires) and `opts.deadlineMs` (Unix
 *   ms, 0 = none): past it, give up with an error.
 * - `get` streams: chunks of any size, never the whole snapshot in one Buffer unless it is small.
 */

export interface StoreCallOptions {
  signal: AbortSignal;
  /** Unix ms after which the call must give up; 0 = no deadline. */
  deadlineMs: number;
}

export interface SnapshotInfo {
  /** Store-specific name, unique, e.g. a file name. */
  name: string;
  /** Unix ms of the snapshot instant. */
  createdAt: number;
  /** Bytes. */
  size: number;
}

export interface SnapshotReader {
  info: SnapshotInfo;
  /** Where it is, for messages (a path, `postgres:cairn_snapshots#42`). */
  location: string;
  chunks: AsyncIterable<Buffer>;
}

export interface SnapshotStore {
  /** `dir`, `postgres`, ... */
  readonly kind: string;
  /** Where snapshots go, for logs and INFO (no secrets). */
  readonly location: string;
  /**
   * True when `put` is done with each chunk by the time it asks for the next one (it copies or
   * writes it first): the snapshot then reuses its buffers for the chunks that follow.
   */
  readonly releasesChunks?: boolean;
  /** Store a snapshot streamed as `chunks`; resolves once it is durable. */
  put(
    chunks: AsyncIterable<Buffer>,
    meta: { createdAt: number },
    opts: StoreCallOptions,
  ): Promise<SnapshotInfo>;
  /** The newest snapshot (or the one named), or null when there is none. */
  get(name: string | null, opts: StoreCallOptions): Promise<SnapshotReader | null>;
  /** Snapshots, newest first. */
  list(opts: StoreCallOptions): Promise<SnapshotInfo[]>;
  /** Delete all but the newest `keep`; resolves with how many were deleted. */
  prune(keep: number, opts: StoreCallOptions): Promise<number>;
  /** Release connections and handles. */
  close(): Promise<void>;
}

/** An AbortSignal that fires on `opts.signal` or at `opts.deadlineMs`, whichever comes first. */
export function callSignal(opts: StoreCallOptions, now: number = Date.now()): AbortSignal {
  if (opts.deadlineMs === 0) return opts.signal;
  const left = opts.deadlineMs - now;
  // A deadline already past aborts at once (a zero timeout would fire only on a later tick).
  if (left <= 0) return AbortSignal.abort(new DOMException('the deadline has passed', 'TimeoutError'));
  return AbortSignal.any([opts.signal, AbortSignal.timeout(left)]);
}

/** A call's options with no cancellation and no deadline (tools, tests). */
export function noDeadline(): StoreCallOptions {
  return { signal: new AbortController().signal, deadlineMs: 0 };
}
