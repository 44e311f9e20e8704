/**
 * The model of acknowledged writes. Each key has one owner (the key space is partitioned by
 * writer), which works on it one request at a time, so the model is deterministic:
 *
 * - `value` is the last acknowledged version: a state (a write sequence number, a counter's
 *   integer, or ABSENT: never written or deleted) and, for a write with a TTL, the window its
 *   deadline falls in. The server sets the deadline to (its clock when it runs the write) + TTL;
 *   the write ran between when it was sent and when its answer came back, so the deadline lies
 *   in [sent + TTL, acknowledged + TTL] (`dMin`, `dMax`; Infinity for no TTL).
 * - A write whose outcome is unknown (the client vanished mid-request) adds the version it would
 *   have produced to `pending`; the key then holds `value` or one of `pending`. Such a version's
 *   `dMax` stays open until the fence below lifts (the write could land until then).
 * - Such a key is fenced: its owner leaves it alone until the stale write can no longer land.
 *   RESP: until the vanished connection's client id has left CLIENT LIST (the server runs a
 *   connection's commands synchronously as its bytes arrive, so once the connection is gone,
 *   so are its commands). HTTP/gRPC: for a fixed time (FENCE_MS) after the abort, since the
 *   request cannot be traced to a server-side connection from fetch or grpc-js.
 * - The next acknowledged write to an unfenced key makes it certain again.
 *
 * A read over [r0, r1] (sent, answered) is judged against every version the key may hold, with
 * CLOCK_MARGIN_MS for millisecond rounding (server and soak read the same system clock):
 * a version with a TTL must be present when r1 < dMin - margin, absent when r0 > dMax + margin,
 * and may be either in between. Keys without a TTL (classes p and c) must be present whenever
 * the model says so: volatile-lru never evicts them. A key with a TTL may still be missing
 * before its deadline if it was evicted; such a read is a suspect: the key is held (its owner
 * leaves it alone) until the eviction witness (./witness.mjs, the server's Watch stream) says
 * whether the key's last change was an eviction. If not, it is a violation.
 */
import { classOf, isVolatileClass, seqOf, valueFor } from './values.mjs';

export const ABSENT = -1;
/** A read's state meaning "present, whatever the value" (DEL answering 1). */
export const ANY = -2;
/** How long a key stays fenced after an aborted HTTP request or a cancelled gRPC call. */
export const FENCE_MS = 10_000;
/** Slack on each side of a TTL deadline window, for millisecond rounding of Date.now(). */
export const CLOCK_MARGIN_MS = 5;
/** Violations kept in full for the report (all are counted). */
const MAX_VIOLATIONS_KEPT = 50;

/** A version of a key: state `s`; its TTL deadline lies in [dMin, dMax] (Infinity: no TTL). */
export const version = (s, dMin = Number.POSITIVE_INFINITY, dMax = Number.POSITIVE_INFINITY) => ({
  s,
  dMin,
  dMax,
});
export const ABSENT_V = Object.freeze(version(ABSENT));
const hasTtl = (v) => v.s !== ABSENT && Number.isFinite(v.dMin);

/** The version an acknowledged SET makes: sent at `sent`, answered at `acked` (Date.now()). */
export function setVersion(op, sent, acked) {
  return op.ttlMs === undefined ? version(op.seq) : version(op.seq, sent + op.ttlMs, acked + op.ttlMs);
}

/** The version a SET of unknown outcome may make: its deadline stays open until the fence lifts. */
export function pendingSetVersion(op, sent) {
  if (op.ttlMs === undefined) return version(op.seq);
  const v = version(op.seq, sent + op.ttlMs);
  v.ttl = op.ttlMs;
  return v;
}

/**
 * Judge a read over [r0, r1] that saw `state` (ABSENT, a state, or ANY) against the versions a
 * key may hold. Returns { verdict: 'ok' | 'suspect' | 'wrong', ttl, why }: `suspect` is a key
 * with a TTL missing before its deadline (evicted, or lost); `ttl` classifies reads of keys whose
 * versions carry a TTL: 'before' (must be present), 'after' (must be absent), 'window' (either),
 * null (no version with a TTL).
 */
export function judge(versions, state, r0, r1) {
  const m = CLOCK_MARGIN_MS;
  const canBeAbsent = (v) => v.s === ABSENT || r1 >= v.dMin - m;
  const canBePresent = (v) => v.s !== ABSENT && r0 <= v.dMax + m;
  let ttl = null;
  if (versions.some(hasTtl)) {
    if (!versions.some(canBeAbsent)) ttl = 'before';
    else if (!versions.some(canBePresent)) ttl = 'after';
    else ttl = 'window';
  }
  if (state === ABSENT) {
    if (versions.some(canBeAbsent)) return { verdict: 'ok', ttl };
    const timed = versions.filter(hasTtl);
    if (timed.length > 0) {
      const early = Math.min(...timed.map((v) => v.dMin - r1));
      return {
        verdict: 'suspect',
        ttl,
        why: `is missing ${Math.round(early)} ms before its TTL could run out (the model expects ${show(versions)})`,
      };
    }
    return { verdict: 'wrong', ttl, why: `is missing; the model expects ${show(versions)}` };
  }
  const same = state === ANY ? versions.filter((v) => v.s !== ABSENT) : versions.filter((v) => v.s === state);
  if (same.length === 0) {
    return {
      verdict: 'wrong',
      ttl,
      why: `${state === ANY ? 'exists' : `holds ${stateName(state)}`}; the model expects ${show(versions)}`,
    };
  }
  if (same.some(canBePresent)) return { verdict: 'ok', ttl };
  const late = Math.min(...same.map((v) => r0 - v.dMax));
  return {
    verdict: 'wrong',
    ttl,
    why: `${state === ANY ? 'exists' : `holds ${stateName(state)}`} ${Math.round(late)} ms after its TTL ran out (${show(versions)})`,
  };
}

/**
 * The state bytes `buf` (null: missing) of `key` stand for: ABSENT, a number, or
 * { bad: reason } for bytes the soak never wrote or a corrupt value.
 */
export function stateOf(key, buf) {
  if (buf === null) return ABSENT;
  if (classOf(key) === 'c') {
    const text = buf.toString('latin1');
    return /^-?\d+$/.test(text) ? Number(text) : { bad: `holds bytes the soak never wrote: ${preview(buf)}` };
  }
  const seq = seqOf(key, buf);
  if (seq === null) return { bad: `holds bytes the soak never wrote: ${preview(buf)}` };
  if (!valueFor(key, seq).equals(buf)) {
    return { bad: `holds a corrupt value for write ${seq} (${buf.length} bytes)` };
  }
  return seq;
}

class Entry {
  constructor(key, cls) {
    this.key = key;
    this.cls = cls;
    this.volatile = isVolatileClass(cls);
    this.value = ABSENT_V;
    this.pending = [];
    this.fenceUntil = 0;
    /** Client ids (RESP) that must be gone from CLIENT LIST, and since when. */
    this.fenceClients = null;
    this.fenceSince = 0;
    /** When the last RESP fence was seen to lift (the CLIENT LIST answer that showed it). */
    this.clientsGoneAt = 0;
    /** Pending versions whose deadline window is still open. */
    this.openPending = false;
    /** A suspect read waits for the eviction witness: nobody touches the key meanwhile. */
    this.held = false;
  }

  allowed() {
    return this.pending.length === 0 ? [this.value] : [this.value, ...this.pending];
  }
}

export class Model {
  constructor() {
    this.entries = new Map();
    /** Client ids in the last CLIENT LIST, when it was asked for and when it answered. */
    this.liveClients = new Set();
    this.clientListAt = 0;
    this.clientListDoneAt = 0;
    this.violations = [];
    this.violationCount = 0;
    this.uncertainWrites = 0;
    this.acknowledgedWrites = 0;
    this.checkedReads = 0;
    /**
     * Reads of keys with a TTL: before the deadline (must be present), after it (must be absent),
     * within the uncertainty window; `missingBefore` of the `before` ones found the key missing
     * (suspects): `evicted` the witness saw evicted, `unverifiable` it could not say (its stream
     * broke, or the server was killed first); the rest are violations.
     */
    this.ttl = { before: 0, after: 0, window: 0, missingBefore: 0, evicted: 0, unverifiable: 0 };
    /** The eviction witness (./witness.mjs), or null: then a suspect is a violation. */
    this.witness = null;
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

  setLiveClients(ids, at, doneAt = at) {
    this.liveClients = ids;
    this.clientListAt = at;
    this.clientListDoneAt = doneAt;
  }

  fenced(e, now = Date.now()) {
    if (e.held) return true;
    if (now < e.fenceUntil) return true;
    if (e.fenceClients !== null) {
      if (this.clientListAt <= e.fenceSince) return true;
      for (const id of e.fenceClients) if (this.liveClients.has(id)) return true;
      e.fenceClients = null;
      e.clientsGoneAt = this.clientListDoneAt;
    }
    if (e.openPending) {
      // The stale writes can no longer land: close their deadline windows.
      const landedBy = Math.max(e.fenceUntil, e.clientsGoneAt);
      for (const v of e.pending)
        if (v.ttl !== undefined && v.dMax === Number.POSITIVE_INFINITY) v.dMax = landedBy + v.ttl;
      e.openPending = false;
    }
    return false;
  }

  fencedCount(now = Date.now()) {
    let n = 0;
    for (const e of this.entries.values()) if (this.fenced(e, now)) n++;
    return n;
  }

  /** An acknowledged write left the key in version `v`. */
  ack(e, v) {
    this.acknowledgedWrites++;
    e.value = v;
    // A stale write of a fenced key may still land after this one (owners avoid fenced keys).
    if (!this.fenced(e)) e.pending.length = 0;
  }

  /**
   * A write that may or may not have happened. `fence`: { clientId } for RESP, { ms } otherwise.
   * `apply(version)` is the version the write makes from `version`.
   */
  unknown(e, apply, fence) {
    this.uncertainWrites++;
    for (const v of e.allowed()) {
      const next = apply(v);
      if (next.s !== e.value.s && !e.pending.some((p) => p.s === next.s)) {
        e.pending.push(next);
        if (next.ttl !== undefined) e.openPending = true;
      }
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

  /**
   * Check a read (`buf` null: missing) sent at `r0` and answered at `r1` against the model;
   * false (and a violation) when wrong. A suspect counts as right until the witness says.
   */
  checkRead(e, buf, where, r0, r1) {
    this.checkedReads++;
    const state = stateOf(e.key, buf);
    if (typeof state === 'object') {
      this.violation(`${where}: ${e.key} ${state.bad}`);
      return false;
    }
    return this.judged(e, judge(e.allowed(), state, r0, r1), where, state);
  }

  /** DEL answered `n` (sent at r0, answered at r1): the key must have existed exactly when the model says it may have. */
  checkDel(e, n, where, r0, r1) {
    if (n !== 0 && n !== 1) {
      this.violation(`${where}: DEL ${e.key} answered ${n}`);
      return;
    }
    const state = n === 1 ? ANY : ABSENT;
    this.judged(e, judge(e.allowed(), state, r0, r1), `${where} (DEL answered ${n})`, state);
  }

  judged(e, j, where, state) {
    if (j.ttl !== null) this.ttl[j.ttl]++;
    if (j.verdict === 'ok') {
      // A key seen missing stays missing until written again: the model is certain of it now.
      if (state === ABSENT && j.ttl !== null) this.observeAbsent(e);
      return true;
    }
    if (j.verdict === 'wrong' || !e.volatile) {
      this.violation(`${where}: ${e.key} ${j.why}`);
      return false;
    }
    this.suspect(e, where, j.why);
    return true;
  }

  observeAbsent(e) {
    if (this.fenced(e)) return;
    e.value = ABSENT_V;
    e.pending.length = 0;
  }

  /** A key with a TTL missing before its deadline: evicted (the witness saw it) or a violation. */
  suspect(e, where, why) {
    this.ttl.missingBefore++;
    e.value = ABSENT_V;
    e.pending.length = 0;
    if (this.witness === null) {
      this.violation(`${where}: ${e.key} ${why}; no eviction witness`);
      return;
    }
    e.held = true;
    this.witness.suspect(e.key, (verdict, lastEvent) => {
      e.held = false;
      if (verdict === 'evicted') this.ttl.evicted++;
      else if (verdict === 'unverifiable') this.ttl.unverifiable++;
      else
        this.violation(
          `${where}: ${e.key} ${why}, and the server's Watch stream shows no eviction (its last event for the key: ${lastEvent ?? 'none'})`,
        );
    });
  }

  /** INCRBY `by` answered `result`: the state before must be one the model allows. */
  checkIncr(e, by, result, where) {
    const before = result - by;
    const ok = e.allowed().some((v) => (v.s === ABSENT ? 0 : v.s) === before);
    if (!ok)
      this.violation(
        `${where}: INCRBY ${e.key} ${by} answered ${result}; the model expects ${show(e.allowed())}`,
      );
  }

  /**
   * Make the model certain of what a read saw (after the final read-back, and after a restart):
   * the key holds the version whose state was read, or nothing. Fences and holds are dropped.
   */
  settleTo(e, buf) {
    const state = stateOf(e.key, buf);
    let v = ABSENT_V;
    if (typeof state === 'object') v = version(Number.NaN);
    else if (state !== ABSENT) v = e.allowed().find((x) => x.s === state) ?? version(state);
    e.value = v;
    e.pending.length = 0;
    e.fenceUntil = 0;
    e.fenceClients = null;
    e.openPending = false;
    e.held = false;
  }

  /** The versions every key may hold now, as Map key -> versions (for a snapshot instant). */
  freeze() {
    const out = new Map();
    for (const [k, e] of this.entries) out.set(k, e.allowed());
    return out;
  }
}

export const incrState = (by) => (v) => version((v.s === ABSENT ? 0 : v.s) + by);

const stateName = (s) => (s === ABSENT ? 'nothing' : String(s));
const versionName = (v) => {
  if (v.s === ABSENT || !Number.isFinite(v.dMin)) return stateName(v.s);
  const now = Date.now();
  const dMax = Number.isFinite(v.dMax) ? `${Math.round(v.dMax - now)}` : '?';
  return `${v.s} (TTL runs out ${Math.round(v.dMin - now)}..${dMax} ms from now)`;
};
export const show = (versions) => `one of [${versions.map(versionName).join(', ')}]`;
const preview = (buf) => JSON.stringify(buf.toString('latin1', 0, Math.min(buf.length, 60)));
