/**
 * The eviction witness: the server's own gRPC Watch stream of changes to `soak` keys, read as
 * it happens, so that a key with a TTL found missing before its deadline can be told apart:
 * evicted (allowed: volatile-lru evicts keys with a TTL) or lost (a violation).
 *
 * The stream delivers a key's changes in the order the server made them, but some time after.
 * To ask "was this key's last change an eviction?" as of a moment, the witness writes a marker
 * key (`soak-sync:<n>`, on its own RESP connection, with a TTL so markers clean themselves up)
 * and waits for the marker's own event: every change made before the marker write has been
 * seen by then. The model holds a suspect key (its owner leaves it alone) until a marker sent
 * after the suspect read comes back, so nothing but evictions and expiries can have happened to
 * it between its last write and that marker. Then: last event EVICT, evicted; anything else (its
 * SET, an EXPIRE before the deadline, a DELETE), a violation.
 *
 * The same markers give the set of keys whose last change was an eviction at a chosen moment
 * (around a BGSAVE, for the kill -9 restart). The witness also counts evictions and expiries of
 * keys without a TTL, which must never happen. If the stream ends while the soak still needs it
 * (it fell more than `grpc-watch-buffer` events behind, or failed), the witness is broken:
 * suspects from then on are unverifiable, and the run fails.
 */
import { Redis } from 'ioredis';
import { GrpcDoor } from './doors/grpc.mjs';
import { ioredisOptions } from './doors/resp.mjs';
import { classOf, isVolatileClass, KEY_PREFIX } from './values.mjs';

export const MARKER_PREFIX = 'soak-sync:';
export const isMarker = (key) => key.startsWith(MARKER_PREFIX);
/** The Watch prefix: every soak key and every marker. */
const WATCH_PREFIX = 'soak';
const MARKER_TTL_MS = 60_000;
/** A marker that has not come back in this long: the stream is broken. */
const MARKER_TIMEOUT_MS = 15_000;
/** Suspects wait at most this long for the next marker to be sent. */
const SETTLE_DELAY_MS = 20;
const KINDS = {
  EVENT_KIND_SET: 'set',
  EVENT_KIND_DELETE: 'del',
  EVENT_KIND_EXPIRE: 'expire',
  EVENT_KIND_EVICT: 'evict',
  EVENT_KIND_FLUSH: 'flush',
};
const ACTIVE_TIMEOUT_MS = 10_000;

export class Witness {
  /** Open the Watch stream on `ports` and wait until it is active. */
  static async open(ports, access, model = null) {
    const w = new Witness(ports, access);
    await w.start();
    if (model !== null) model.witness = w;
    return w;
  }

  constructor(ports, access) {
    this.door = new GrpcDoor(ports.grpc, () => 0.5, access);
    this.resp = new Redis(ioredisOptions(ports.resp, access));
    this.resp.on('error', () => {});
    this.id = `${process.pid}-${Date.now().toString(36)}`;
    this.call = null;
    this.closing = false;
    /** Why the stream ended while still needed, or null. */
    this.broken = null;
    /** Keys whose last change (as far as the stream has come) was an eviction -> that event's number. */
    this.evictedNow = new Map();
    this.eventCount = 0;
    this.lastKind = new Map();
    this.events = { set: 0, del: 0, expire: 0, evict: 0, flush: 0, other: 0 };
    /** Evictions and expiries of keys without a TTL (classes p and c): must stay empty. */
    this.persistentRemoved = [];
    this.persistentRemovedCount = 0;
    this.markers = 0;
    /** marker key -> callback run when its event arrives (in stream order). */
    this.waiting = new Map();
    /** Suspects not yet covered by a marker: { key, done(verdict, lastEvent) }. */
    this.queued = [];
    this.settleTimer = null;
    this.settling = null;
    this.resolved = { evicted: 0, lost: 0, unverifiable: 0 };
  }

  start() {
    return new Promise((resolve, reject) => {
      const call = this.door.client.Watch({ prefix: Buffer.from(WATCH_PREFIX), db: 0 }, this.door.metadata());
      this.call = call;
      const timer = setTimeout(() => reject(new Error('Watch: no response headers')), ACTIVE_TIMEOUT_MS);
      call.on('metadata', () => {
        clearTimeout(timer);
        resolve();
      });
      call.on('data', (ev) => this.onEvent(ev));
      call.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
        this.fail(`Watch stream failed: ${e.code ?? ''} ${e.details ?? e.message}`);
      });
      call.on('end', () => this.fail('Watch stream ended'));
    });
  }

  fail(why) {
    if (this.closing || this.broken !== null) return;
    this.broken = why;
    for (const done of this.waiting.values()) done(null);
    this.waiting.clear();
    this.flushQueued('unverifiable');
  }

  onEvent(ev) {
    const kind = KINDS[ev.kind] ?? 'other';
    this.events[kind]++;
    this.eventCount++;
    const key = ev.key.toString('latin1');
    if (isMarker(key)) {
      if (kind !== 'set') return;
      const done = this.waiting.get(key);
      if (done !== undefined) {
        this.waiting.delete(key);
        done(this);
      }
      return;
    }
    if (kind === 'flush') {
      // Nothing in the soak flushes; keep it visible as a lost-key explanation anyway.
      this.evictedNow.clear();
      return;
    }
    this.lastKind.set(key, kind);
    if (kind === 'evict') this.evictedNow.set(key, this.eventCount);
    else this.evictedNow.delete(key);
    if ((kind === 'evict' || kind === 'expire') && key.startsWith(KEY_PREFIX)) {
      const cls = classOf(key);
      if (cls !== null && !isVolatileClass(cls)) {
        this.persistentRemovedCount++;
        if (this.persistentRemoved.length < 10) this.persistentRemoved.push(`${kind} ${key}`);
      }
    }
  }

  /**
   * A marker: its key (to SET, with `markerArgs`) and a promise of `fn(this)` run when its event
   * arrives (null if it never does).
   */
  marker(fn = () => null) {
    const key = `${MARKER_PREFIX}${this.id}:${++this.markers}`;
    const seen = new Promise((resolve) => {
      if (this.broken !== null) return resolve(null);
      const timer = setTimeout(() => {
        if (this.waiting.delete(key)) resolve(null);
      }, MARKER_TIMEOUT_MS);
      this.waiting.set(key, (w) => {
        clearTimeout(timer);
        resolve(w === null ? null : fn(w));
      });
    });
    return { key, seen, args: [key, '1', 'PX', String(MARKER_TTL_MS)] };
  }

  /** Send a marker on the witness's own connection (retrying a refused SET) and wait for it. */
  async sync(fn) {
    const m = this.marker(fn);
    for (let tries = 0; ; tries++) {
      try {
        await this.resp.set(...m.args);
        break;
      } catch {
        if (tries >= 20 || this.closing) {
          this.waiting.delete(m.key);
          return null;
        }
        await sleep(100);
      }
    }
    return m.seen;
  }

  /** The keys whose last change was an eviction, as of a marker sent now (a Set, or null). */
  evictedAsOfNow() {
    return this.sync((w) => new Set(w.evictedNow.keys()));
  }

  /** A suspect key: `done(verdict, lastEvent)` once a marker sent after now comes back. */
  suspect(key, done) {
    if (this.broken !== null || this.closing) {
      this.resolved.unverifiable++;
      done('unverifiable', null);
      return;
    }
    this.queued.push({ key, done });
    if (this.settleTimer === null && this.settling === null) {
      this.settleTimer = setTimeout(() => {
        this.settleTimer = null;
        this.settle();
      }, SETTLE_DELAY_MS);
    }
  }

  /** Resolve every suspect queued so far; resolves when they are. */
  settle() {
    if (this.settling !== null) return this.settling.then(() => this.settle());
    if (this.queued.length === 0) return Promise.resolve();
    const batch = this.queued;
    this.queued = [];
    this.settling = this.sync((w) => {
      for (const s of batch) {
        const last = w.lastKind.get(s.key) ?? null;
        const verdict = w.evictedNow.has(s.key) ? 'evicted' : 'lost';
        this.resolved[verdict]++;
        s.done(verdict, last);
      }
      return true;
    }).then((ok) => {
      this.settling = null;
      if (ok === null) {
        for (const s of batch) {
          this.resolved.unverifiable++;
          s.done('unverifiable', null);
        }
      }
      if (this.queued.length > 0) return this.settle();
    });
    return this.settling;
  }

  flushQueued(verdict) {
    const q = this.queued;
    this.queued = [];
    for (const s of q) {
      this.resolved[verdict]++;
      s.done(verdict, null);
    }
  }

  /** Stop (the server is about to go away): pending suspects become unverifiable. */
  async close() {
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    this.closing = true;
    this.flushQueued('unverifiable');
    for (const done of this.waiting.values()) done(null);
    this.waiting.clear();
    this.call?.cancel();
    await this.door.close();
    this.resp.disconnect();
  }

  /** For the report. */
  summary() {
    return {
      events: this.events,
      broken: this.broken,
      suspects: this.resolved,
      persistentRemoved: this.persistentRemovedCount,
      persistentRemovedExamples: this.persistentRemoved,
    };
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
