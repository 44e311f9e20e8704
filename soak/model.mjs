/**
 * The model of acknowledged writes. Each key has one owner (the key space is partitioned by
 * writer), which works on it one request at a time, so the model is deterministic:
 *
 * - `value` is the last acknowledged state: a write sequence number, a counter's integer, or
 *   ABSENT (never written or deleted).
 * - A write whose outcome is unknown (the client vanished mid-request) adds the state it would
 *   have produced to `pending`; the key then holds `value` or one of `pending`.
 * - Such a key is fenced: its owner leaves it alone until the stale write can no longer land.
 *   RESP: until the vanished connection's client id has left CLIENT LIST (the server runs a
 *   connection's commands synchronously as its bytes arrive, so once the connection is gone,
 *   so are its commands). HTTP/gRPC: for a fixed time (FENCE_MS) after the abort, since the
 *   request cannot be traced to a server-side connection from fetch or grpc-js.
 * - The next acknowledged write to an unfenced key makes it certain again.
 *
 * Keys without a TTL (classes p and c) must be present whenever the model says so: volatile-lru
 * never evicts them. Keys with a TTL (t, b) may be missing (expired or evicted); when present,
 * their value must be one the model allows.
 */
import { classOf, isVolatileClass, seqOf, valueFor } from './values.mjs';

export const ABSENT = -1;
/** How long a key stays fenced after an aborted HTTP request or a cancelled gRPC call. */
export const FENCE_MS = 10_000;
/** Violations kept in full for the report (all are counted). */
const MAX_VIOLATIONS_KEPT = 50;

class Entry {
  constructor(key, cls) {
    this.key = key;
    this.cls = cls;
    this.volatile = isVolatileClass(cls);
    this.value = ABSENT;
    this.pending = [];
    this.fenceUntil = 0;
    /** Client ids (RESP) that must be gone from CLIENT LIST, and since when. */
    this.fenceClients = null;
    this.fenceSince = 0;
  }

  allowed() {
    return this.pending.length === 0 ? [this.value] : [this.value, ...this.pending];
  }
}

export class Model {
  constructor() {
    this.entries = new Map();
    /** Client ids in the last CLIENT LIST, and when it was taken. */
    this.liveClients = new Set();
    this.clientListAt = 0;
    this.violations = [];
    this.violationCount = 0;
    this.uncertainWrites = 0;
    this.acknowledgedWrites = 0;
    this.checkedReads = 0;
  }

  entry(key) {
    let e = this.entries.get(key);
    if (e === undefined) {
      const cls = classOf(key);
      if (cls === null) throw new Error(`not a soak key: ${key}`);
      e = new Entry(key, cls);
      this.entries.set(key, e);
    }
    return e;
  }

  violation(message) {
    this.violationCount++;
    if (this.violations.length < MAX_VIOLATIONS_KEPT) this.violations.push(message);
  }

  setLiveClients(ids, at) {
    this.liveClients = ids;
    this.clientListAt = at;
  }

  fenced(e, now = Date.now()) {
    if (now < e.fenceUntil) return true;
    if (e.fenceClients !== null) {
      if (this.clientListAt <= e.fenceSince) return true;
      for (const id of e.fenceClients) if (this.liveClients.has(id)) return true;
      e.fenceClients = null;
    }
    return false;
  }

  fencedCount(now = Date.now()) {
    let n = 0;
    for (const e of this.entries.values()) if (this.fenced(e, now)) n++;
    return n;
  }

  /** An acknowledged write left the key in `state`. */
  ack(e, state) {
    this.acknowledgedWrites++;
    e.value = state;
    // A stale write of a fenced key may still land after this one (owners avoid fenced keys).
    if (!this.fenced(e)) e.pending.length = 0;
  }

  /**
   * A write that may or may not have happened. `fence`: { clientId } for RESP, { ms } otherwise.
   * `apply(state)` is the state the write makes from `state`.
   */
  unknown(e, apply, fence) {
    this.uncertainWrites++;
    for (const s of e.allowed()) {
      const next = apply(s);
      if (!e.pending.includes(next) && next !== e.value) e.pending.push(next);
    }
    const now = Date.now();
    if (fence.clientId !== undefined) {
      if (e.fenceClients === null) e.fenceClients = new Set();
      e.fenceClients.add(fence.clientId);
      e.fenceSince = now;
    } else {
      e.fenceUntil = Math.max(e.fenceUntil, now + fence.ms);
    }
  }

  /** Check a read (`buf` null: missing) against the model; false (and a violation) when wrong. */
  checkRead(e, buf, where) {
    this.checkedReads++;
    const allowed = e.allowed();
    if (buf === null) {
      if (e.volatile || allowed.includes(ABSENT)) return true;
      this.violation(`${where}: ${e.key} is missing; the model expects ${show(allowed)}`);
      return false;
    }
    let state;
    if (e.cls === 'c') {
      const text = buf.toString('latin1');
      state = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    } else {
      state = seqOf(e.key, buf);
      if (state !== null && !valueFor(e.key, state).equals(buf)) {
        this.violation(`${where}: ${e.key} holds a corrupt value for write ${state} (${buf.length} bytes)`);
        return false;
      }
    }
    if (state === null || Number.isNaN(state)) {
      this.violation(`${where}: ${e.key} holds bytes the soak never wrote: ${preview(buf)}`);
      return false;
    }
    if (!allowed.includes(state)) {
      this.violation(`${where}: ${e.key} holds ${stateName(state)}; the model expects ${show(allowed)}`);
      return false;
    }
    return true;
  }

  /** DEL answered `n`: the key must have existed exactly when the model says it may have. */
  checkDel(e, n, where) {
    const allowed = e.allowed();
    const mayExist = allowed.some((s) => s !== ABSENT);
    const mayBeAbsent = e.volatile || allowed.includes(ABSENT);
    if ((n === 1 && !mayExist) || (n === 0 && !mayBeAbsent) || (n !== 0 && n !== 1)) {
      this.violation(`${where}: DEL ${e.key} answered ${n}; the model expects ${show(allowed)}`);
    }
  }

  /** INCRBY `by` answered `result`: the state before must be one the model allows. */
  checkIncr(e, by, result, where) {
    const before = result - by;
    const ok = e.allowed().some((s) => (s === ABSENT ? 0 : s) === before);
    if (!ok)
      this.violation(
        `${where}: INCRBY ${e.key} ${by} answered ${result}; the model expects ${show(e.allowed())}`,
      );
  }
}

export const incrState = (by) => (s) => (s === ABSENT ? 0 : s) + by;

const stateName = (s) => (s === ABSENT ? 'nothing' : String(s));
const show = (states) => `one of [${states.map(stateName).join(', ')}]`;
const preview = (buf) => JSON.stringify(buf.toString('latin1', 0, Math.min(buf.length, 60)));
