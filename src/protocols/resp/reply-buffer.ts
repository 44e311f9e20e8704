/**
 * The size Redis's per-client reply buffer would have, for CLIENT LIST `rbs` (size) and `rbp`
 * (recent peak). Cairn renders into a shared growable buffer instead, so this models Redis's
 * (networking.c _addReplyToBuffer, server.c clientsCronResizeOutputBuffer):
 * - a client starts with 16 KB (PROTO_REPLY_CHUNK_BYTES); the bytes a batch of replies puts in
 *   it before reaching the socket, capped at its size, raise the peak;
 * - each cron tick (every 100 ms with a handful of clients) halves-or-more a buffer whose peak
 *   is under half of it (to the peak + 1, at least 1 KB), and doubles one the peak filled (up to
 *   16 KB); the peak is reset every `peakResetMs` (DEBUG REPLYBUFFER PEAK-RESET-TIME).
 * The ticks run lazily, when output is written or the client is listed: nothing changes in
 * between, so applying them late gives the same figures.
 */

/** Redis's PROTO_REPLY_CHUNK_BYTES: initial size and largest size the cron grows to. */
const CHUNK_BYTES = 16 * 1024;
/** Redis's PROTO_REPLY_MIN_BYTES: the cron never shrinks below this. */
const MIN_BYTES = 1024;
/** Redis's clientsCron visits each of a few clients every tick: 1000 / hz (10) ms. */
const CRON_TICK_MS = 100;
/** Ticks applied at most in one go: past a few the figures no longer change. */
const MAX_TICKS = 32;

/** DEBUG REPLYBUFFER settings (server-wide). */
export interface ReplyBufferSettings {
  /** Ms between peak resets; -1 never. */
  readonly peakResetMs: number;
  /** The cron resizes reply buffers. */
  readonly resizing: boolean;
}

export class ReplyBufferModel {
  /** Modelled buffer size (buf_usable_size), bytes. */
  size = CHUNK_BYTES;
  /** Most bytes the buffer held since the last peak reset (buf_peak). */
  peak = 0;
  private cronAt: number;
  private peakResetAt: number;

  constructor(now: number) {
    this.cronAt = now;
    this.peakResetAt = now;
  }

  /** `n` bytes of replies were rendered before the socket took them, at about `now` (ms). */
  wrote(now: number, n: number, s: ReplyBufferSettings): void {
    this.tick(now, s);
    const pos = Math.min(n, this.size);
    if (pos > this.peak) this.peak = pos;
  }

  /** Apply the cron ticks due by `now`. */
  tick(now: number, s: ReplyBufferSettings): void {
    let ticks = Math.floor((now - this.cronAt) / CRON_TICK_MS);
    if (ticks <= 0) return;
    const last = this.cronAt + ticks * CRON_TICK_MS;
    if (ticks > MAX_TICKS) {
      this.cronAt = last - MAX_TICKS * CRON_TICK_MS;
      ticks = MAX_TICKS;
    }
    for (let i = 0; i < ticks; i++) {
      this.cronAt += CRON_TICK_MS;
      if (s.resizing) this.resize(this.cronAt, s.peakResetMs);
    }
    this.cronAt = last;
  }

  private resize(t: number, peakResetMs: number): void {
    let next = 0;
    const half = this.size / 2;
    if (half >= MIN_BYTES && this.peak < half) next = Math.max(MIN_BYTES, this.peak + 1);
    else if (this.size * 2 < CHUNK_BYTES * 2 && this.peak === this.size)
      next = Math.min(CHUNK_BYTES, this.size * 2);
    // Replies leave for the socket at once, so the buffer is empty at a tick: the peak resets to 0.
    if (peakResetMs >= 0 && t - this.peakResetAt >= peakResetMs) {
      this.peak = 0;
      this.peakResetAt = t;
    }
    if (next !== 0) this.size = next;
  }
}
