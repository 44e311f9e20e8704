/**
 * What the load did: commands and round trips per door, latency of round trips (a bounded
 * reservoir sample), and errors by kind, each marked expected (a deliberately killed client's
 * request) or unexpected (anything else: a failure of the run).
 */
import { median } from '../bench/lib/report.mjs';

export const DOORS = ['resp', 'http', 'grpc'];
/** Latency samples kept per door (reservoir sampling beyond this). */
const RESERVOIR_SIZE = 20_000;
/** Example messages kept per error kind. */
const SAMPLES_PER_KIND = 3;

class DoorStats {
  constructor() {
    this.commands = 0;
    this.roundTrips = 0;
    this.seen = 0;
    this.latencyMs = new Float64Array(RESERVOIR_SIZE);
    this.maxMs = 0;
    this.vanished = 0;
    this.polite = 0;
  }
}

export class Stats {
  constructor(rng) {
    this.rng = rng;
    this.doors = Object.fromEntries(DOORS.map((d) => [d, new DoorStats()]));
    /** `${door} ${kind}` -> { door, kind, expected, count, samples } */
    this.errors = new Map();
  }

  /** One round trip carrying `commands` commands that took `ms`. */
  roundTrip(door, commands, ms) {
    const d = this.doors[door];
    d.commands += commands;
    d.roundTrips++;
    if (ms > d.maxMs) d.maxMs = ms;
    const i = d.seen++;
    if (i < RESERVOIR_SIZE) d.latencyMs[i] = ms;
    else {
      const j = Math.floor(this.rng() * (i + 1));
      if (j < RESERVOIR_SIZE) d.latencyMs[j] = ms;
    }
  }

  /** Commands sent by a client that then vanished (not timed). */
  commandsOnly(door, n) {
    this.doors[door].commands += n;
  }

  error(door, kind, expected, message) {
    const id = `${door} ${kind} ${expected ? 'expected' : 'unexpected'}`;
    let e = this.errors.get(id);
    if (e === undefined) {
      e = { door, kind, expected, count: 0, samples: [] };
      this.errors.set(id, e);
    }
    e.count++;
    if (e.samples.length < SAMPLES_PER_KIND && !e.samples.includes(message)) e.samples.push(message);
  }

  unexpectedCount() {
    let n = 0;
    for (const e of this.errors.values()) if (!e.expected) n += e.count;
    return n;
  }

  expectedCount(door) {
    let n = 0;
    for (const e of this.errors.values()) if (e.expected && e.door === door) n += e.count;
    return n;
  }

  unexpectedOf(door) {
    let n = 0;
    for (const e of this.errors.values()) if (!e.expected && e.door === door) n += e.count;
    return n;
  }

  latency(door) {
    const d = this.doors[door];
    const n = Math.min(d.seen, RESERVOIR_SIZE);
    if (n === 0) return { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
    const s = Array.from(d.latencyMs.subarray(0, n)).sort((a, b) => a - b);
    return { p50: median(s), p99: s[Math.min(n - 1, Math.floor(n * 0.99))], max: d.maxMs };
  }
}
