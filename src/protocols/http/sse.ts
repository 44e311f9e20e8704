/**
 * Server-Sent Events on the HTTP door: the framing (`event:`, `id:` and `data:` lines, a blank
 * line after each event, comment lines as heartbeats), the bound on what a slow reader may
 * hold, and the registry the door ends at shutdown.
 *
 * Bound: before each event the bytes still queued for the connection (in the response and the
 * socket, above what the kernel took) are held to the `pubsub` class of
 * `client-output-buffer-limit`, as Redis holds a RESP subscriber: past the hard limit at once,
 * or past the soft limit for longer than its seconds, the connection is dropped, counted
 * (INFO `http_sse_slow_disconnects`) and logged. Writers never wait for a reader.
 *
 * Heartbeat: every `http-sse-heartbeat-ms`, a stream that sent nothing since the last beat
 * gets a comment line (`:` and a blank line), which EventSource ignores and which keeps
 * proxies and load balancers from closing an idle stream.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ConfigStore } from '../../config/store.js';
import type { Clock } from '../../engine/clock.js';
import { OutputGuard, PubSubOutputLimit } from '../subscriptions.js';

const HEARTBEAT_OPTION = 'http-sse-heartbeat-ms';
/** How often the soft output limit is looked at while heartbeats are off. */
const SOFT_CHECK_MS = 1000;
const HEARTBEAT = Buffer.from(':\n\n');
const DATA = Buffer.from('data: ');
const NL = Buffer.from('\n');

const HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // Proxies (nginx) must pass events on as they come rather than buffer the response.
  'x-accel-buffering': 'no',
} as const;

/**
 * `data: ` lines carrying `data`: one line per line of it, since CR, LF and CRLF all end a line
 * for an SSE parser (a reader joins the lines with LF). Ends with the newline of the last line.
 */
export function dataLines(data: Buffer): Buffer {
  const parts: Buffer[] = [DATA];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c !== 0x0a && c !== 0x0d) continue;
    parts.push(data.subarray(start, i), NL, DATA);
    if (c === 0x0d && data[i + 1] === 0x0a) i++;
    start = i + 1;
  }
  parts.push(data.subarray(start), NL);
  return Buffer.concat(parts);
}

/** One event: `event:` and `id:` when given (single-line text), the data, and the blank line. */
export function sseEvent(data: Buffer | string, event?: string, id?: string): Buffer {
  let head = '';
  if (event !== undefined) head += `event: ${event}\n`;
  if (id !== undefined) head += `id: ${id}\n`;
  const body = dataLines(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  return Buffer.concat([Buffer.from(head, 'utf8'), body, NL]);
}

export class SseStream {
  ended = false;
  /** Something was written since the last heartbeat tick. */
  private wrote = true;
  private readonly guard: OutputGuard;
  private readonly closeHandlers: Array<() => void> = [];

  constructor(
    readonly res: ServerResponse,
    private readonly registry: SseStreams,
    /** The stream's client id, for the logs. */
    readonly clientId: number,
  ) {
    this.guard = registry.guard();
  }

  /** Send the headers: the stream is open from here on. */
  open(): void {
    this.res.writeHead(200, HEADERS);
    this.res.flushHeaders();
    this.registry.add(this);
    this.res.once('close', () => this.cleanup());
  }

  /** Run `fn` once the stream is over (closed by either side, dropped, or ended). */
  onClose(fn: () => void): void {
    if (this.ended) fn();
    else this.closeHandlers.push(fn);
  }

  /** Bytes written and not yet taken by the kernel. */
  pending(): number {
    return this.res.writableLength + (this.res.socket?.writableLength ?? 0);
  }

  /**
   * Queue one event. False when the stream is over (or was just dropped for being slow), or
   * when the socket asks to wait (`waitDrain` tells when to go on); the event is queued then.
   */
  send(frame: Buffer): boolean {
    if (this.ended) return false;
    const over = this.guard.check(this.pending() + frame.length);
    if (over !== null) {
      this.registry.dropSlow(this, over);
      return false;
    }
    this.wrote = true;
    return this.res.write(frame);
  }

  /** Call `fn` once what is queued has gone to the kernel (or the stream ended). */
  waitDrain(fn: () => void): void {
    if (this.ended) return;
    this.res.once('drain', fn);
  }

  /** The registry's periodic tick: a heartbeat when idle, and the soft limit. */
  tick(heartbeat: boolean): void {
    if (this.ended) return;
    if (heartbeat && !this.wrote) {
      this.send(HEARTBEAT);
    } else {
      const over = this.guard.check(this.pending());
      if (over !== null) this.registry.dropSlow(this, over);
    }
    this.wrote = false;
  }

  /** End the response cleanly (shutdown, the source went away). */
  end(): void {
    if (this.ended) return;
    this.res.end();
    this.cleanup();
  }

  /** Drop the connection now (a slow reader): what is queued is discarded. */
  destroy(): void {
    if (this.ended) return;
    this.res.socket?.destroy();
    this.res.destroy();
    this.cleanup();
  }

  private cleanup(): void {
    if (this.ended) return;
    this.ended = true;
    this.registry.delete(this);
    for (const fn of this.closeHandlers.splice(0)) fn();
  }
}

/** Every open SSE stream of the door, their heartbeat timer and the slow-reader count. */
export class SseStreams {
  private readonly active = new Set<SseStream>();
  /** Streams dropped for holding more than the output limit allows. */
  slowDisconnects = 0;
  private readonly limit: PubSubOutputLimit;
  private heartbeatMs: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly stopWatching: () => void;

  constructor(
    config: ConfigStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.limit = new PubSubOutputLimit(config);
    this.heartbeatMs = config.int(HEARTBEAT_OPTION);
    this.stopWatching = config.onChange((name) => {
      if (name !== HEARTBEAT_OPTION) return;
      this.heartbeatMs = config.int(HEARTBEAT_OPTION);
      this.disarm();
      this.arm();
    });
  }

  get size(): number {
    return this.active.size;
  }

  guard(): OutputGuard {
    return new OutputGuard(this.limit, this.clock);
  }

  add(s: SseStream): void {
    this.active.add(s);
    this.arm();
  }

  delete(s: SseStream): void {
    this.active.delete(s);
    if (this.active.size === 0) this.disarm();
  }

  dropSlow(s: SseStream, limit: 'hard' | 'soft'): void {
    this.slowDisconnects++;
    this.logger.warn(
      { client: s.clientId, omem: s.pending(), limit, door: 'http' },
      'Client closed for overcoming of output buffer limits',
    );
    s.destroy();
  }

  /** End every stream (shutdown): an EventSource sees the end and reconnects elsewhere. */
  endAll(): void {
    for (const s of [...this.active]) s.end();
  }

  close(): void {
    this.endAll();
    this.disarm();
    this.stopWatching();
    this.limit.close();
  }

  private arm(): void {
    if (this.timer !== null || this.active.size === 0) return;
    const beat = this.heartbeatMs > 0;
    this.timer = setInterval(
      () => {
        for (const s of [...this.active]) s.tick(beat);
      },
      beat ? this.heartbeatMs : SOFT_CHECK_MS,
    );
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
