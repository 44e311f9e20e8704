/**
 * "Under pressure", defined once for the doors that shed load (HTTP and gRPC; RESP never sheds,
 * as Redis does not): the mean event-loop delay, the V8 heap in use and the resident set size,
 * compared with the `shed-*` options. Figures are sampled every PRESSURE_SAMPLE_MS; the verdict
 * is worked out at each sample and whenever a threshold changes (CONFIG SET takes effect at
 * once), so asking it on every request reads one field.
 *
 * Event-loop delay as @fastify/under-pressure measures it: a perf_hooks histogram with a 10 ms
 * timer; the delay is its mean over the last sample period minus that resolution. The mean, not
 * the maximum: one slow command is not overload, a loop that is late on every turn is.
 *
 * One gauge per server, shared by its doors: each door acquires it when it starts and releases
 * it when it closes; the timer and the histogram run only while a door holds it.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { ServerApi } from '../commands/context.js';
import type { OptionName } from '../config/schema.js';

/** How often memory and event-loop delay are read. */
export const PRESSURE_SAMPLE_MS = 500;
/** The histogram's timer period; also what an idle loop's mean delay is made of. */
const LOOP_RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;

const THRESHOLDS: ReadonlySet<string> = new Set([
  'shed-event-loop-delay-ms',
  'shed-heap-used-bytes',
  'shed-rss-bytes',
  'shed-retry-after-seconds',
]);

export interface PressureReading {
  eventLoopDelayMs: number;
  heapUsedBytes: number;
  rssBytes: number;
}

export class Pressure {
  /** Figures of the last sample. */
  readonly reading: PressureReading = { eventLoopDelayMs: 0, heapUsedBytes: 0, rssBytes: 0 };
  /** Requests and calls refused because of pressure (INFO load). */
  shed = 0;
  retryAfterSeconds: number;
  private reason: string | null = null;
  private refs = 0;
  private histogram: IntervalHistogram | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopWatching: () => void = () => {};

  constructor(private readonly server: ServerApi) {
    this.retryAfterSeconds = server.config.int('shed-retry-after-seconds');
  }

  /** Why requests are being shed now (a sentence naming the figure and the option), or null. */
  underPressure(): string | null {
    return this.reason;
  }

  /** A door starts using the gauge. */
  acquire(): this {
    if (this.refs++ === 0) this.start();
    return this;
  }

  /** A door stops using it; the last one stops the sampling. */
  release(): void {
    if (this.refs === 0 || --this.refs > 0) return;
    this.stopWatching();
    if (this.timer !== null) clearInterval(this.timer);
    this.histogram?.disable();
    this.timer = null;
    this.histogram = null;
    this.reason = null;
    this.server.infoSections.delete('load');
  }

  /** Read the figures now and decide (also run every PRESSURE_SAMPLE_MS). */
  sample(): void {
    const h = this.histogram;
    // No timer tick recorded yet (just started): keep the last figure.
    if (h !== null && h.count > 0) {
      this.reading.eventLoopDelayMs = Math.max(0, h.mean / NS_PER_MS - LOOP_RESOLUTION_MS);
      h.reset();
    }
    const mem = process.memoryUsage();
    this.reading.heapUsedBytes = mem.heapUsed;
    this.reading.rssBytes = mem.rss;
    this.decide();
  }

  private start(): void {
    const config = this.server.config;
    this.histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), PRESSURE_SAMPLE_MS);
    this.timer.unref();
    this.stopWatching = config.onChange((name: OptionName) => {
      if (!THRESHOLDS.has(name)) return;
      this.retryAfterSeconds = config.int('shed-retry-after-seconds');
      this.decide();
    });
    this.server.infoSections.set('load', () => [
      ['under_pressure', this.reason === null ? 0 : 1],
      ['event_loop_delay_ms', Math.round(this.reading.eventLoopDelayMs)],
      ['heap_used_bytes', this.reading.heapUsedBytes],
      ['rss_bytes', this.reading.rssBytes],
      ['shed_requests', this.shed],
    ]);
    this.sample();
  }

  private decide(): void {
    const config = this.server.config;
    const r = this.reading;
    const maxDelay = config.int('shed-event-loop-delay-ms');
    const maxHeap = config.int('shed-heap-used-bytes');
    const maxRss = config.int('shed-rss-bytes');
    if (maxDelay > 0 && r.eventLoopDelayMs > maxDelay)
      this.reason = `event loop delay ${Math.round(r.eventLoopDelayMs)} ms is over shed-event-loop-delay-ms (${maxDelay})`;
    else if (maxHeap > 0 && r.heapUsedBytes > maxHeap)
      this.reason = `heap used ${r.heapUsedBytes} bytes is over shed-heap-used-bytes (${maxHeap})`;
    else if (maxRss > 0 && r.rssBytes > maxRss)
      this.reason = `resident set ${r.rssBytes} bytes is over shed-rss-bytes (${maxRss})`;
    else this.reason = null;
  }
}

/** The error text a shed request or call answers with (after the RESP-style prefix). */
export function shedMessage(reason: string): string {
  return `ERR server under pressure: ${reason}`;
}

const byServer = new WeakMap<ServerApi, Pressure>();

/** The server's pressure gauge if a door has made one (metrics read it without holding it). */
export function peekPressure(server: ServerApi): Pressure | undefined {
  return byServer.get(server);
}

/** The server's one pressure gauge, acquired for a door (release it when the door closes). */
export function acquirePressure(server: ServerApi): Pressure {
  let p = byServer.get(server);
  if (p === undefined) {
    p = new Pressure(server);
    byServer.set(server, p);
  }
  return p.acquire();
}
