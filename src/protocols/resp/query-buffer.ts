/**
 * The size Redis's query buffer would have, for CLIENT LIST `qbuf-free` and `tot-mem`. Cairn
 * parses from the socket's own chunks and keeps no such buffer, so this models Redis's
 * (networking.c readQueryFromClient, server.c clientsCronResizeQueryBuffer):
 * - each read makes room for 16 KB (PROTO_IOBUF_LEN), or for the rest of a bulk of 32 KB or more
 *   (PROTO_MBULK_BIG_ARG); below 16 KB of allocation, and for such a bulk, exactly that room
 *   (sdsMakeRoomForNonGreedy), otherwise greedily (sdsMakeRoomFor: double below 1 MB);
 * - the server cron (every 100 ms with a handful of clients) frees the spare room of a client
 *   idle for more than 2 s, and trims a buffer over 32 KB to its recent peak when that peak is
 *   under half of it. Here the cron runs lazily, when the client reads or is listed: nothing
 *   changes in between, so applying the ticks late gives the same figures.
 */

/** Redis's PROTO_IOBUF_LEN: room made for each read. */
const IOBUF_BYTES = 16 * 1024;
/** Redis's PROTO_RESIZE_THRESHOLD: only a buffer above this is trimmed to its peak. */
const RESIZE_THRESHOLD_BYTES = 32 * 1024;
/** Redis's SDS_MAX_PREALLOC: greedy growth doubles below it, adds it above. */
const MAX_PREALLOC_BYTES = 1024 * 1024;
/** The cron leaves a buffer alone unless it wastes more than this. */
const MIN_WASTE_BYTES = 4 * 1024;
/** Seconds of idleness after which the cron frees all spare room (Redis: idletime > 2). */
const IDLE_RESIZE_S = 2;
/** Redis's clientsCron visits each of a few clients every tick: 1000 / hz (10) ms. */
const CRON_TICK_MS = 100;

/** What the parser tells of its input (RespParser). */
export interface QueryInput {
  /** Bytes received and not parsed yet. */
  readonly buffered: number;
  /** Bytes still to come of a bulk of 32 KB or more being read, else 0. */
  readonly bigArgRemaining: number;
}

export class QueryBufferModel {
  /** Modelled allocation (sdsalloc), bytes. */
  private alloc = 0;
  /** Largest length since the last cron tick (querybuf_peak). */
  private peak = 0;
  /** Clock ms of the last cron tick applied. */
  private cronAt = 0;

  /**
   * A read of `n` bytes arriving on what `input` holds unparsed; `now` and `lastMs` (the
   * client's previous interaction) are clock ms.
   */
  read(now: number, lastMs: number, input: QueryInput, n: number): void {
    let len = input.buffered;
    let bigRemaining = input.bigArgRemaining;
    this.tick(now, lastMs, len);
    let left = n;
    while (left > 0) {
      let room: number;
      if (bigRemaining > 0 || this.alloc < IOBUF_BYTES) {
        const want = bigRemaining > 0 ? bigRemaining : IOBUF_BYTES;
        if (this.alloc - len < want) this.alloc = len + want;
        room = want;
      } else {
        if (this.alloc - len < IOBUF_BYTES) {
          const need = len + IOBUF_BYTES;
          this.alloc = need < MAX_PREALLOC_BYTES ? need * 2 : need + MAX_PREALLOC_BYTES;
        }
        room = this.alloc - len;
      }
      const take = Math.min(room, left);
      len += take;
      left -= take;
      bigRemaining = Math.max(0, bigRemaining - take);
    }
    if (len > this.peak) this.peak = len;
  }

  /** Spare room (sdsavail) with `len` bytes buffered, after the cron ticks due by `now`. */
  free(now: number, lastMs: number, len: number): number {
    this.tick(now, lastMs, len);
    return Math.max(0, this.alloc - len);
  }

  private tick(now: number, lastMs: number, len: number): void {
    const elapsed = now - this.cronAt;
    if (elapsed < CRON_TICK_MS) return;
    this.cronAt = now;
    this.resize(now, lastMs, len);
    // A later tick sees the peak the first one reset to the current length.
    if (elapsed >= 2 * CRON_TICK_MS) this.resize(now, lastMs, len);
  }

  private resize(now: number, lastMs: number, len: number): void {
    if (len > this.alloc) this.alloc = len;
    if (this.alloc - len > MIN_WASTE_BYTES) {
      const idleS = Math.floor(now / 1000) - Math.floor(lastMs / 1000);
      if (idleS > IDLE_RESIZE_S) this.alloc = len;
      else if (this.alloc > RESIZE_THRESHOLD_BYTES && this.alloc / 2 > this.peak)
        this.alloc = Math.max(len, this.peak);
    }
    this.peak = len;
  }
}
