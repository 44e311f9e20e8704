/**
 * Watches the server while the load runs, over its own control connection: RSS every second
 * (and INFO stats until the first eviction),
 * CLIENT LIST twice a second (which vanished RESP clients are really gone, for the model's
 * fences), INFO every ten seconds (a progress line), and the owners' progress (a stalled
 * request fails the run).
 */
import { parseInfo, rssBytes } from './server.mjs';

const RSS_EVERY_MS = 1000;
const CLIENT_LIST_EVERY_MS = 500;
const PROGRESS_EVERY_MS = 10_000;
/** An owner whose current step has not finished in this long is stuck. */
const STALL_MS = 60_000;

export class Monitor {
  constructor({ server, control, model, owners, stats }) {
    this.server = server;
    this.control = control;
    this.model = model;
    this.owners = owners;
    this.stats = stats;
    this.rss = [];
    this.failures = [];
    this.timers = [];
    this.started = Date.now();
    this.busy = new Set();
    /** When the first key was evicted (the dataset reached maxmemory), ms into the run. */
    this.evictionStartMs = null;
  }

  start() {
    this.every(RSS_EVERY_MS, 'rss', () => this.sampleRss());
    this.every(CLIENT_LIST_EVERY_MS, 'clients', () => this.refreshClients());
    this.every(PROGRESS_EVERY_MS, 'progress', () => this.progress());
  }

  /** Run `fn` every `ms`, never two of the same kind at once. */
  every(ms, name, fn) {
    const t = setInterval(async () => {
      if (this.busy.has(name)) return;
      this.busy.add(name);
      try {
        await fn();
      } catch (e) {
        // A request still in flight when the monitor was stopped (before a kill -9) may fail.
        if (this.server.alive() && this.timers.length > 0) this.fail(`monitor ${name}: ${e.message}`);
      } finally {
        this.busy.delete(name);
      }
    }, ms);
    this.timers.push(t);
  }

  stop() {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  fail(message) {
    if (!this.failures.includes(message)) this.failures.push(message);
  }

  async sampleRss() {
    if (!this.server.alive()) {
      this.fail('the server exited during the load');
      return;
    }
    let bytes = rssBytes(this.server.pid);
    if (bytes === null) bytes = Number(parseInfo(await this.control.info('memory')).used_memory_rss);
    const t = Date.now() - this.started;
    this.rss.push({ t, bytes });
    if (
      this.evictionStartMs === null &&
      Number(parseInfo(await this.control.info('stats')).evicted_keys) > 0
    ) {
      this.evictionStartMs = t;
    }
    const now = Date.now();
    for (const o of this.owners) {
      if (now - o.lastProgress > STALL_MS)
        this.fail(`owner ${o.name} (${o.adapter.name}) stalled for over ${STALL_MS / 1000} s`);
    }
  }

  async refreshClients() {
    const at = Date.now();
    const list = await this.control.client('LIST');
    const ids = new Set();
    for (const m of String(list).matchAll(/(?:^|\n)id=(\d+) /g)) ids.add(Number(m[1]));
    this.model.setLiveClients(ids, at, Date.now());
  }

  async progress() {
    const info = parseInfo(await this.control.info());
    const last = this.rss.at(-1);
    const secs = Math.round((Date.now() - this.started) / 1000);
    const cmds = ['resp', 'http', 'grpc'].map((d) => `${d} ${this.stats.doors[d].commands}`).join(', ');
    process.stderr.write(
      `[soak ${secs}s] commands ${cmds}; rss ${mb(last?.bytes)} MB, dataset ${mb(Number(info.used_memory_dataset))} MB; ` +
        `keys ${info.db0?.match(/keys=(\d+)/)?.[1] ?? 0}, evicted ${info.evicted_keys}, expired ${info.expired_keys}; ` +
        `unexpected errors ${this.stats.unexpectedCount()}, violations ${this.model.violationCount}\n`,
    );
  }
}

export const mb = (bytes) =>
  bytes === undefined || Number.isNaN(bytes) ? '?' : (bytes / 2 ** 20).toFixed(1);
