/**
 * The latency monitor (Redis's latency.c): events such as `command`, `fast-command` and
 * `expire-cycle` that took at least `latency-monitor-threshold` milliseconds are kept per event
 * as a ring of the last 160 samples, one per second (a second sample in the same second keeps
 * the larger latency), plus the all-time maximum. LATENCY LATEST / HISTORY / RESET / GRAPH /
 * DOCTOR read it.
 */

/** Samples kept per event (Redis's LATENCY_TS_LEN). */
export const LATENCY_TS_LEN = 160;

export interface LatencySample {
  /** Unix seconds. */
  readonly time: number;
  /** Milliseconds. */
  latency: number;
}

export class LatencySeries {
  /** Oldest first. */
  readonly samples: LatencySample[] = [];
  max = 0;

  add(nowSec: number, ms: number): void {
    if (ms > this.max) this.max = ms;
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && last.time === nowSec) {
      if (ms > last.latency) last.latency = ms;
      return;
    }
    this.samples.push({ time: nowSec, latency: ms });
    if (this.samples.length > LATENCY_TS_LEN) this.samples.shift();
  }
}

export class LatencyMonitor {
  /** Events in the order they were first seen. */
  readonly events = new Map<string, LatencySeries>();

  /** Record `ms` for `event` when the threshold (ms, 0 = off) says it is a spike. */
  addIfNeeded(event: string, ms: number, thresholdMs: number, nowMs: number): void {
    if (thresholdMs <= 0 || ms < thresholdMs) return;
    let s = this.events.get(event);
    if (s === undefined) {
      s = new LatencySeries();
      this.events.set(event, s);
    }
    s.add(Math.floor(nowMs / 1000), Math.floor(ms));
  }

  /** Forget one event (or every event when null); the number of events reset. */
  reset(event: string | null): number {
    if (event === null) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    return this.events.delete(event) ? 1 : 0;
  }
}

const GRAPH_COLS = 80;
const GRAPH_ROWS = 4;

/** How long ago, as LATENCY GRAPH labels it: 12s, 5m, 3h, 2d. */
function ago(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/**
 * LATENCY GRAPH: a title line, a rule, then one column per sample (the newest at the right, at
 * most 80), a bar of up to four rows scaled between the low and the high sample, and below it
 * each column's age written downwards.
 */
export function latencyGraph(event: string, s: LatencySeries, nowMs: number): string {
  const samples = s.samples.slice(-GRAPH_COLS);
  let min = 0;
  let max = 0;
  samples.forEach((x, i) => {
    if (i === 0 || x.latency < min) min = x.latency;
    if (i === 0 || x.latency > max) max = x.latency;
  });
  let out = `${event} - high ${max} ms, low ${min} ms (all time high ${s.max} ms)\n${'-'.repeat(GRAPH_COLS)}\n`;
  const range = max - min;
  const heights = samples.map((x) =>
    range === 0 ? GRAPH_ROWS : Math.max(1, Math.round(((x.latency - min) / range) * GRAPH_ROWS)),
  );
  for (let row = GRAPH_ROWS; row >= 1; row--) {
    out += `${heights
      .map((h) => (h >= row ? '#' : ' '))
      .join('')
      .trimEnd()}\n`;
  }
  const nowSec = Math.floor(nowMs / 1000);
  const labels = samples.map((x) => ago(Math.max(0, nowSec - x.time)));
  const depth = labels.reduce((d, l) => Math.max(d, l.length), 0);
  for (let i = 0; i < depth; i++) {
    out += `${labels
      .map((l) => l[i] ?? ' ')
      .join('')
      .trimEnd()}\n`;
  }
  return out;
}

/** LATENCY DOCTOR: what the monitor saw, event by event, in Redis's words where it has them. */
export function latencyDoctor(m: LatencyMonitor, thresholdMs: number): string {
  if (m.events.size === 0) {
    return thresholdMs <= 0
      ? 'I\'m sorry, Dave, I can\'t do that. Latency monitoring is disabled in this instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. \n'
      : 'Dave, no latency spike was observed during the lifetime of this instance, not in the slightest bit. I honestly think you ought to sleep tonight.\n';
  }
  let out =
    "Dave, I have observed latency spikes in this instance. You don't mind talking about it, do you Dave?\n\n";
  let i = 1;
  for (const [event, s] of m.events) {
    const n = s.samples.length;
    const avg = s.samples.reduce((a, x) => a + x.latency, 0) / n;
    const mad = s.samples.reduce((a, x) => a + Math.abs(x.latency - avg), 0) / n;
    const period = n > 1 ? Math.floor((s.samples[n - 1].time - s.samples[0].time) / (n - 1)) : 0;
    out += `${i++}. ${event}: ${n} latency spikes (average ${Math.round(avg)}ms, mean deviation ${Math.round(mad)}ms, period ${period} sec). Worst all time event ${s.max}ms.\n`;
  }
  out +=
    '\nI have a few advices for you:\n\n- Check your Cairn server for slow commands: SLOWLOG GET shows them, and LATENCY HISTOGRAM the latency of each command.\n';
  return out;
}
