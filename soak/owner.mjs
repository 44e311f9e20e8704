/**
 * One writer of the soak: owns its keys (`soak:<name>:...`), works through one door adapter,
 * one step at a time (a single command, a pipeline, a transaction, or a client that vanishes),
 * and keeps the model of its keys up to date with every answer. Reads of its own keys are
 * checked against the model as they happen, each with the time it was sent and answered (a
 * write's TTL deadline lies between its own two times plus the TTL).
 *
 * Owners run under a gate: `stopped` ends them, `pause()` parks them between steps (the kill -9
 * restart snapshots a quiet keyspace), and after `killed` their failures are expected.
 */

import { transportCode } from './doors/result.mjs';
import { ABSENT_V, FENCE_MS, incrState, pendingSetVersion, setVersion, version } from './model.mjs';
import { keyName, pick, valueFor } from './values.mjs';

/** Keys per class of a small-value owner, and of a big-value owner. */
const SMALL_KEYS = { p: 150, c: 10, t: 200 };
const BIG_KEYS = { b: 3000 };
/** TTLs: short for small keys (expiry churn), longer for big ones (they pile up to maxmemory). */
const SMALL_TTL_MS = [50, 3000];
const BIG_TTL_MS = [20_000, 120_000];
/** Step mix: share of vanishing-client episodes, pipelines and transactions; the rest are single commands. */
const VANISH_SHARE = 0.03;
const BATCH_SHARE = 0.1;
const ATOMIC_SHARE = 0.05;
const BATCH_SIZE = [5, 30];
const ATOMIC_SIZE = [2, 6];
const VANISH_SIZE = [2, 8];
/** Tries to find a key that is neither fenced nor already in the batch. */
const PICK_TRIES = 8;

const between = (rng, [lo, hi]) => lo + Math.floor(rng() * (hi - lo));

/** Stops, pauses and marks the server killed, for every owner at once. */
export class Gate {
  constructor() {
    this.stopped = false;
    this.killed = false;
    this.paused = null;
    this.resumeFn = null;
  }

  pause() {
    if (this.paused === null) this.paused = new Promise((r) => (this.resumeFn = r));
  }

  resume() {
    const r = this.resumeFn;
    this.paused = null;
    this.resumeFn = null;
    r?.();
  }

  stop() {
    this.stopped = true;
    this.resume();
  }
}

export class Owner {
  constructor({ name, adapter, model, stats, rng, big }) {
    this.name = name;
    this.adapter = adapter;
    this.door = adapter.door;
    this.model = model;
    this.stats = stats;
    this.rng = rng;
    this.big = big;
    this.counts = big ? BIG_KEYS : SMALL_KEYS;
    this.seq = 0;
    this.steps = 0;
    this.lastProgress = Date.now();
    this.gate = null;
    /** Parked at the gate (or not running). */
    this.idle = true;
  }

  async run(gate) {
    this.gate = gate;
    this.idle = false;
    try {
      while (!gate.stopped) {
        if (gate.paused !== null) {
          this.idle = true;
          await gate.paused;
          this.idle = false;
          this.lastProgress = Date.now();
          continue;
        }
        this.lastProgress = Date.now();
        // Nothing to do (every key picked was fenced or held): yield instead of spinning.
        if ((await this.step()) === false) await new Promise((r) => setTimeout(r, 1));
        this.steps++;
      }
    } finally {
      this.idle = true;
    }
  }

  async step() {
    const r = this.rng();
    if (r < VANISH_SHARE) return this.vanish();
    if (!this.big && r < VANISH_SHARE + BATCH_SHARE) return this.many(false);
    if (!this.big && r < VANISH_SHARE + BATCH_SHARE + ATOMIC_SHARE) return this.many(true);
    const op = this.nextOp(new Set());
    if (op === null) return false;
    const t0 = performance.now();
    const sent = Date.now();
    const res = await this.adapter.single(op);
    const answered = Date.now();
    this.stats.roundTrip(this.door, 1, performance.now() - t0);
    this.apply(op, res, { ms: FENCE_MS }, false, sent, answered);
  }

  /** A pipeline, or with `atomic` a transaction (gRPC: MSet of keys without a TTL). */
  async many(atomic) {
    const used = new Set();
    const size = between(this.rng, atomic ? ATOMIC_SIZE : BATCH_SIZE);
    const setsOnly = atomic && this.door === 'grpc';
    const ops = [];
    for (let i = 0; i < size; i++) {
      const op = setsOnly ? this.writeOf('p', used, 'set') : this.nextOp(used);
      if (op !== null) ops.push(op);
    }
    if (ops.length === 0) return false;
    const t0 = performance.now();
    const sent = Date.now();
    const results = await (atomic ? this.adapter.atomic(ops) : this.adapter.batch(ops));
    const answered = Date.now();
    this.stats.roundTrip(this.door, ops.length, performance.now() - t0);
    for (let i = 0; i < ops.length; i++)
      this.apply(ops[i], results[i], { ms: FENCE_MS }, false, sent, answered);
  }

  /** A client that connects, sends a few commands and goes away (politely or not). */
  async vanish() {
    const used = new Set();
    const ops = [];
    const size = between(this.rng, VANISH_SIZE);
    for (let i = 0; i < size; i++) {
      const op = this.nextOp(used);
      if (op !== null) ops.push(op);
    }
    if (ops.length < 2) return false;
    let v;
    const sent = Date.now();
    try {
      v = await this.adapter.vanish(ops, this.rng);
    } catch (e) {
      // Failed before any of the commands was sent.
      this.error(`connect ${transportCode(e)}`, false, e.message);
      return;
    }
    const answered = Date.now();
    this.stats.commandsOnly(this.door, ops.length);
    const deliberate = v.fence !== null && v.mode !== 'complete';
    if (deliberate) this.stats.doors[this.door].vanished++;
    else this.stats.doors[this.door].polite++;
    ops.forEach((op, i) => {
      const res = v.results[i];
      const expected = deliberate || res.code === 'DEADLINE_EXCEEDED';
      this.apply(op, res, v.fence ?? { ms: FENCE_MS }, expected, sent, answered);
    });
  }

  /** An error; once the server was killed on purpose, every failure is expected. */
  error(kind, expected, message) {
    if (this.gate?.killed) this.stats.error(this.door, `after kill -9: ${kind}`, true, message);
    else this.stats.error(this.door, kind, expected, message);
  }

  apply(op, res, fence, expected, sent, answered) {
    const e = this.model.entry(op.key);
    const where = `${this.adapter.name} ${op.op}`;
    switch (res.status) {
      case 'ok':
        return this.applyOk(e, op, res.value, where, sent, answered);
      case 'refused':
        return this.error(res.code, false, `${where} ${op.key}: ${res.message}`);
      case 'unknown':
        this.error(res.code, expected, `${where} ${op.key}: ${res.message}`);
        if (op.op === 'set') this.model.unknown(e, () => pendingSetVersion(op, sent), fence);
        else if (op.op === 'del') this.model.unknown(e, () => ABSENT_V, fence);
        else if (op.op === 'incr') this.model.unknown(e, incrState(op.by), fence);
        return;
      default:
      // 'never': a command cut short; if the server ran it anyway, the model will not allow its value.
    }
  }

  applyOk(e, op, value, where, sent, answered) {
    const m = this.model;
    switch (op.op) {
      case 'set':
        if (value !== 'OK') m.violation(`${where}: SET ${op.key} answered ${JSON.stringify(value)}`);
        else m.ack(e, setVersion(op, sent, answered));
        return;
      case 'get':
        m.checkRead(e, value, where, sent, answered);
        return;
      case 'del':
        m.checkDel(e, value, where, sent, answered);
        m.ack(e, ABSENT_V);
        return;
      default:
        if (!Number.isSafeInteger(value)) {
          m.violation(`${where}: INCRBY ${op.key} answered ${JSON.stringify(value)}`);
          return;
        }
        m.checkIncr(e, op.by, value, where);
        m.ack(e, version(value));
    }
  }

  /** A random operation on a key of this owner that is free to use, or null. */
  nextOp(used) {
    const x = this.rng();
    if (this.big) {
      if (x < 0.8) return this.writeOf('b', used, 'set');
      if (x < 0.95) return this.readOf('b', used);
      return this.writeOf('b', used, 'del');
    }
    if (x < 0.3) return this.writeOf('p', used, 'set');
    if (x < 0.55) return this.readOf(['p', 't', 'c'][pick(this.rng, 3)], used);
    if (x < 0.75) return this.writeOf('t', used, 'set');
    if (x < 0.87) return this.writeOf('c', used, 'incr');
    if (x < 0.93) return this.writeOf('p', used, 'del');
    return this.writeOf('t', used, 'del');
  }

  pickKey(cls, used) {
    const now = Date.now();
    for (let i = 0; i < PICK_TRIES; i++) {
      const key = keyName(this.name, cls, pick(this.rng, this.counts[cls]));
      if (used.has(key) || this.model.fenced(this.model.entry(key), now)) continue;
      used.add(key);
      return key;
    }
    return null;
  }

  readOf(cls, used) {
    const key = this.pickKey(cls, used);
    return key === null ? null : { op: 'get', key };
  }

  writeOf(cls, used, kind) {
    const key = this.pickKey(cls, used);
    if (key === null) return null;
    if (kind === 'del') return { op: 'del', key };
    if (kind === 'incr') return { op: 'incr', key, by: 1 + pick(this.rng, 10) };
    const seq = ++this.seq;
    const op = { op: 'set', key, seq, value: valueFor(key, seq) };
    if (cls === 't') op.ttlMs = between(this.rng, SMALL_TTL_MS);
    if (cls === 'b') op.ttlMs = between(this.rng, BIG_TTL_MS);
    return op;
  }
}
