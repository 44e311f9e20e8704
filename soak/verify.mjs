/**
 * The end of a soak: every key the model knows read back against the model (through RESP), a
 * sample through HTTP and gRPC, INFO stats, then SHUTDOWN SAVE and a restart from the last
 * snapshot compared with the model again. Keys with a TTL are judged by their deadline (see
 * ./model.mjs): present before it, absent after it, missing before it only if the eviction
 * witness saw them evicted. Each check is { name, ok, detail }. In the secure soak, `admin`
 * ({ ca, username, password }) is the login of the RESP connections here, and `writer` that of
 * the HTTP and gRPC reads.
 */
import { Redis } from 'ioredis';
import { GrpcDoor } from './doors/grpc.mjs';
import { HttpDoor } from './doors/http.mjs';
import { ioredisOptions } from './doors/resp.mjs';
import { ABSENT, ABSENT_V, CLOCK_MARGIN_MS, judge, stateOf } from './model.mjs';
import { parseInfo } from './server.mjs';
import { classOf, pick } from './values.mjs';
import { isMarker } from './witness.mjs';

const GET_BATCH = 500;
/** Keys read through HTTP and gRPC as well. */
const SPOT_CHECK_KEYS = 300;
const FENCE_WAIT_MS = 30_000;
const SHUTDOWN_WAIT_MS = 60_000;

export const connect = (port, admin) => {
  const r = new Redis(ioredisOptions(port, admin));
  r.on('error', () => {});
  return r;
};

/** Every key in the keyspace (SCAN) but the witness's markers, as latin1 strings. */
export async function scanAll(r) {
  const keys = [];
  let cursor = '0';
  do {
    const [next, batch] = await r.scanBuffer(cursor, 'COUNT', 1000);
    cursor = String(next);
    for (const k of batch) {
      const key = k.toString('latin1');
      if (!isMarker(key)) keys.push(key);
    }
  } while (cursor !== '0');
  return keys;
}

/**
 * GET every key in `keys`, pipelined; resolves to Map key -> { buf, r0, r1 } (Buffer | null, and
 * when its batch was sent and answered).
 */
export async function getAll(r, keys) {
  const out = new Map();
  for (let i = 0; i < keys.length; i += GET_BATCH) {
    const p = r.pipeline();
    const part = keys.slice(i, i + GET_BATCH);
    for (const k of part) p.getBuffer(k);
    const r0 = Date.now();
    const res = await p.exec();
    const r1 = Date.now();
    part.forEach((k, j) => {
      if (res[j][0]) throw res[j][0];
      out.set(k, { buf: res[j][1], r0, r1 });
    });
  }
  return out;
}

/** Wait until no key is fenced or held (every stale write has landed or can no longer land). */
export async function waitForFences(model, monitor) {
  const deadline = Date.now() + FENCE_WAIT_MS;
  for (;;) {
    await monitor.refreshClients();
    await model.witness?.settle();
    const n = model.fencedCount();
    if (n === 0) return { name: 'stale writes settled', ok: true, detail: 'no key fenced' };
    if (Date.now() > deadline) {
      return {
        name: 'stale writes settled',
        ok: false,
        detail: `${n} keys still fenced after ${FENCE_WAIT_MS / 1000} s`,
      };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const ttlDelta = (after, before) =>
  Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));

/**
 * Every key the model knows (each key written, or read, during the run) read back through RESP
 * and judged against the model's final state; then the model is made certain of what was read.
 * Resolves to { checks, figures }.
 */
export async function verifyKeyspace(ports, model, admin) {
  const r = connect(ports.resp, admin);
  try {
    const checks = [];
    const before = model.violationCount;
    const ttlBefore = { ...model.ttl };
    const scanned = await scanAll(r);
    const strangers = scanned.filter((k) => classOf(k) === null || !model.entries.has(k));
    checks.push({
      name: 'no key the soak never touched',
      ok: strangers.length === 0,
      detail:
        strangers.length === 0
          ? `${scanned.length} keys scanned`
          : `e.g. ${strangers.slice(0, 5).join(', ')}`,
    });
    const keys = [...model.entries.keys()];
    const reads = await getAll(r, keys);
    const figures = {
      scanned: scanned.length,
      readBack: keys.length,
      persistent: 0,
      persistentPresent: 0,
      volatile: 0,
      volatilePresent: 0,
      uncertainAtEnd: 0,
      marginMs: CLOCK_MARGIN_MS,
    };
    for (const k of keys) {
      const e = model.entries.get(k);
      const { buf, r0, r1 } = reads.get(k);
      if (e.pending.length > 0) figures.uncertainAtEnd++;
      model.checkRead(e, buf, 'final read-back (RESP)', r0, r1);
      if (!e.volatile) {
        figures.persistent++;
        if (buf !== null) figures.persistentPresent++;
      } else {
        figures.volatile++;
        if (buf !== null) figures.volatilePresent++;
      }
    }
    // Suspects (keys with a TTL missing before their deadline): evicted or lost.
    await model.witness?.settle();
    for (const k of keys) model.settleTo(model.entries.get(k), reads.get(k).buf);
    figures.ttl = ttlDelta(model.ttl, ttlBefore);
    const t = figures.ttl;
    const bad = model.violationCount - before;
    checks.push({
      name: 'every key read back matches the model (RESP)',
      ok: bad === 0 && t.unverifiable === 0,
      detail:
        `${keys.length} keys read back (every key written or read during the run), ${bad} wrong: ` +
        `${figures.persistent} without a TTL (${figures.persistentPresent} present); ${figures.volatile} with one: ` +
        `${t.before} read before their deadline (${t.before - t.missingBefore} present, ${t.evicted} evicted as the Watch stream shows` +
        `${t.unverifiable > 0 ? `, ${t.unverifiable} unverifiable` : ''}), ${t.after} after it (absent), ` +
        `${t.window} within the deadline's uncertainty window (send..ack, +-${CLOCK_MARGIN_MS} ms)`,
    });
    return { checks, figures };
  } finally {
    r.disconnect();
  }
}

/** A sample of the keys through HTTP and gRPC, judged against the (now certain) model. */
export async function spotCheck(ports, model, rng, writer) {
  const http = new HttpDoor(ports.http, rng, writer);
  const grpc = new GrpcDoor(ports.grpc, rng, writer);
  const present = [...model.entries.values()].filter((e) => e.value.s !== ABSENT).map((e) => e.key);
  const sample = [];
  for (let i = 0; i < SPOT_CHECK_KEYS && present.length > 0; i++) {
    sample.push(present.splice(pick(rng, present.length), 1)[0]);
  }
  const problems = [];
  const before = model.violationCount;
  let reads = 0;
  let found = 0;
  for (const key of sample) {
    const e = model.entries.get(key);
    for (const door of [http, grpc]) {
      const r0 = Date.now();
      const res = await door.single({ op: 'get', key });
      const r1 = Date.now();
      if (res.status !== 'ok') {
        problems.push(`${door.door} GET ${key}: ${res.status} ${res.code} ${res.message}`);
        continue;
      }
      reads++;
      if (res.value !== null) found++;
      model.checkRead(e, res.value, `spot check (${door.door})`, r0, r1);
    }
  }
  await grpc.close();
  await http.close();
  await model.witness?.settle();
  const bad = model.violationCount - before;
  return {
    name: 'HTTP and gRPC read what the model says',
    ok: problems.length === 0 && bad === 0,
    detail:
      problems.length === 0
        ? `${reads} reads of ${sample.length} keys (${found} found), ${bad} wrong`
        : problems.slice(0, 5).join('; '),
  };
}

/** INFO all, as fields. */
export async function infoAll(port, admin) {
  const r = connect(port, admin);
  try {
    return parseInfo(await r.info('everything'));
  } finally {
    r.disconnect();
  }
}

/** SHUTDOWN SAVE through RESP; resolves with the exit { code, signal }. */
export async function shutdownSave(server, admin) {
  const r = connect(server.ports.resp, admin);
  await r.call('SHUTDOWN', 'SAVE').catch(() => {});
  r.disconnect();
  let timer;
  const late = new Promise((res) => {
    timer = setTimeout(res, SHUTDOWN_WAIT_MS, 'late');
  });
  const exit = await Promise.race([server.exited, late]);
  clearTimeout(timer);
  if (exit !== 'late') return exit;
  await server.stop();
  return { code: null, signal: `no exit within ${SHUTDOWN_WAIT_MS / 1000} s of SHUTDOWN SAVE` };
}

/**
 * The keyspace behind `r` against `expected` (Map key -> versions the key may hold; keys not in
 * it must be absent), each key judged by its deadline at the time it is read. `evicted`: keys
 * whose last change before the snapshot was an eviction: `mayBeAbsent` excuses a key missing
 * before its deadline, `mustBeAbsent` requires it to be gone. Resolves to { f, reads }: the
 * figures { keys, present, persistent, ttl: { before, after, window, evicted }, missing, wrong,
 * strangers, examples }, and what was read (Map key -> { buf, r0, r1 }).
 */
export async function compareKeyspace(r, expected, evicted) {
  const scanned = await scanAll(r);
  const keys = [...new Set([...expected.keys(), ...scanned])];
  const reads = await getAll(r, keys);
  const f = {
    keys: keys.length,
    present: 0,
    persistent: 0,
    ttl: { before: 0, after: 0, window: 0, evicted: 0 },
    missing: 0,
    wrong: 0,
    strangers: 0,
    /** Keys the model had present that were evicted before the snapshot: must be, and are, gone. */
    evictedGone: 0,
    examples: [],
  };
  const example = (text) => {
    if (f.examples.length < 8) f.examples.push(text);
  };
  for (const k of keys) {
    const { buf, r0, r1 } = reads.get(k);
    if (buf !== null) f.present++;
    if (classOf(k) === null) {
      f.strangers++;
      example(`${k}: a key the soak never makes`);
      continue;
    }
    let versions = expected.get(k) ?? [ABSENT_V];
    if (evicted.mustBeAbsent.has(k) && versions.some((v) => v.s !== ABSENT)) {
      versions = [ABSENT_V];
      if (buf === null) f.evictedGone++;
    }
    if (versions.some((v) => v.s !== ABSENT && !Number.isFinite(v.dMin))) f.persistent++;
    const state = stateOf(k, buf);
    if (typeof state === 'object') {
      f.wrong++;
      example(`${k} ${state.bad}`);
      continue;
    }
    const j = judge(versions, state, r0, r1);
    if (j.ttl !== null) f.ttl[j.ttl]++;
    if (j.verdict === 'ok') continue;
    if (j.verdict === 'suspect' && evicted.mayBeAbsent.has(k)) {
      f.ttl.evicted++;
      continue;
    }
    if (state === ABSENT) f.missing++;
    else f.wrong++;
    example(`${k} ${j.why}`);
  }
  return { f, reads };
}

export const describeComparison = (f) =>
  `${f.keys} keys compared (${f.present} present, ${f.persistent} expected without a TTL): ` +
  `${f.ttl.before} with a TTL before their deadline (${f.ttl.evicted} missing, evicted before the snapshot as the Watch stream shows), ` +
  `${f.ttl.after} after it (absent), ${f.ttl.window} in its uncertainty window; ` +
  `${f.evictedGone} more evicted before the snapshot by the Watch stream's account, and absent; ` +
  `${f.missing} missing, ${f.wrong} wrong` +
  (f.examples.length > 0 ? ` (${f.examples.slice(0, 5).join('; ')})` : '');

/**
 * After SHUTDOWN SAVE and a start on the same snapshot directory (`server`): the keyspace must
 * be the model (made certain by the final read-back), keys whose TTL ran out meanwhile gone.
 * `evicted`: keys whose last change before the shutdown was an eviction. Leaves the model
 * certain of what the restarted server holds; the server keeps running.
 */
export async function restartCheck(server, model, evicted, admin) {
  const checks = [];
  const r = connect(server.ports.resp, admin);
  try {
    const expected = new Map([...model.entries].map(([k, e]) => [k, e.allowed()]));
    const { f, reads } = await compareKeyspace(r, expected, { mayBeAbsent: evicted, mustBeAbsent: evicted });
    checks.push({
      name: 'restart after SHUTDOWN SAVE: keyspace is the model',
      ok: f.missing === 0 && f.wrong === 0 && f.strangers === 0,
      detail: describeComparison(f),
    });
    checks.push(loadedCheck('restart after SHUTDOWN SAVE', server, null));
    for (const [k, { buf }] of reads) if (classOf(k) !== null) model.settleTo(model.entry(k), buf);
    return { checks, figures: f, readyMs: server.readyMs, loaded: server.log.loaded };
  } finally {
    r.disconnect();
  }
}

/** The restarted server logged loading a snapshot (`name`: the one it must be, when known). */
export function loadedCheck(label, server, name) {
  const l = server.log.loaded;
  const right = l !== null && (name === null || String(l.source ?? '').endsWith(name));
  return {
    name: `${label}: snapshot loaded`,
    ok: right,
    detail:
      l === null
        ? 'no "snapshot loaded" line'
        : `${l.keys} keys (${l.expired} already expired) in ${l.ms} ms from ${l.source ?? '?'}` +
          (name !== null && !right ? `, not ${name}` : ''),
  };
}
