/**
 * The end of a soak: the keyspace against the model (through RESP), the same keys through HTTP
 * and gRPC, INFO stats, then SHUTDOWN SAVE, a restart from the last snapshot, and the keys again.
 * Each check is { name, ok, detail }. In the secure soak, `admin` ({ ca, username, password })
 * is the login of the RESP connections here, and `writer` that of the HTTP and gRPC reads.
 */
import { Redis } from 'ioredis';
import { GrpcDoor } from './doors/grpc.mjs';
import { HttpDoor } from './doors/http.mjs';
import { ioredisOptions } from './doors/resp.mjs';
import { parseInfo, startServer } from './server.mjs';
import { classOf, pick } from './values.mjs';

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

/** Every key in the keyspace (SCAN), as latin1 strings. */
async function scanAll(r) {
  const keys = [];
  let cursor = '0';
  do {
    const [next, batch] = await r.scanBuffer(cursor, 'COUNT', 1000);
    cursor = String(next);
    for (const k of batch) keys.push(k.toString('latin1'));
  } while (cursor !== '0');
  return keys;
}

/** GET every key in `keys`, pipelined; resolves to Map key -> Buffer | null. */
async function getAll(r, keys) {
  const out = new Map();
  for (let i = 0; i < keys.length; i += GET_BATCH) {
    const p = r.pipeline();
    const part = keys.slice(i, i + GET_BATCH);
    for (const k of part) p.getBuffer(k);
    const res = await p.exec();
    part.forEach((k, j) => {
      if (res[j][0]) throw res[j][0];
      out.set(k, res[j][1]);
    });
  }
  return out;
}

/** Wait until no key is fenced (every stale write has landed or can no longer land). */
export async function waitForFences(model, monitor) {
  const deadline = Date.now() + FENCE_WAIT_MS;
  for (;;) {
    await monitor.refreshClients();
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

/** The whole keyspace against the model, through RESP. Resolves to { checks, final, figures }. */
export async function verifyKeyspace(ports, model, admin) {
  const r = connect(ports.resp, admin);
  try {
    const checks = [];
    const before = model.violationCount;
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
    const final = await getAll(r, keys);
    const figures = {
      scanned: scanned.length,
      persistent: 0,
      persistentPresent: 0,
      volatilePresent: 0,
      uncertainAtEnd: 0,
    };
    for (const k of keys) {
      const e = model.entries.get(k);
      model.checkRead(e, final.get(k), 'final check (RESP)');
      if (e.pending.length > 0) figures.uncertainAtEnd++;
      if (!e.volatile) {
        figures.persistent++;
        if (final.get(k) !== null) figures.persistentPresent++;
      } else if (final.get(k) !== null) figures.volatilePresent++;
    }
    const bad = model.violationCount - before;
    checks.push({
      name: 'keyspace matches the model (RESP)',
      ok: bad === 0,
      detail: `${keys.length} keys read, ${bad} wrong`,
    });
    return { checks, final, figures };
  } finally {
    r.disconnect();
  }
}

/** The same keys through HTTP and gRPC: keys without a TTL must read the same bytes. */
export async function spotCheck(ports, final, rng, writer) {
  const http = new HttpDoor(ports.http, rng, writer);
  const grpc = new GrpcDoor(ports.grpc, rng, writer);
  const present = [...final.keys()].filter((k) => final.get(k) !== null);
  const sample = [];
  for (let i = 0; i < SPOT_CHECK_KEYS && present.length > 0; i++) {
    sample.push(present.splice(pick(rng, present.length), 1)[0]);
  }
  const problems = [];
  let compared = 0;
  for (const key of sample) {
    const want = final.get(key);
    const volatile = !['p', 'c'].includes(classOf(key));
    for (const door of [http, grpc]) {
      const res = await door.single({ op: 'get', key });
      if (res.status !== 'ok')
        problems.push(`${door.door} GET ${key}: ${res.status} ${res.code} ${res.message}`);
      else if (res.value === null && volatile) continue;
      else if (res.value === null || !res.value.equals(want)) {
        problems.push(
          `${door.door} GET ${key}: ${res.value === null ? 'missing' : `${res.value.length} other bytes`}`,
        );
      } else compared++;
    }
  }
  await grpc.close();
  await http.close();
  return {
    name: 'HTTP and gRPC read what RESP read',
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${compared} reads of ${sample.length} keys agree`
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
 * Start again on the same snapshot directory and compare with the values read before the
 * shutdown: every key without a TTL exactly; a key with a TTL may have expired since, but if
 * present must hold the same bytes.
 */
export async function restartCheck(args, final, admin) {
  const server = await startServer(args, admin);
  const checks = [];
  const r = connect(server.ports.resp, admin);
  let exit;
  try {
    const scanned = await scanAll(r);
    const now = await getAll(r, [...final.keys()]);
    let missing = 0;
    let wrong = 0;
    let persistent = 0;
    const examples = [];
    for (const [k, want] of final) {
      const got = now.get(k);
      const volatile = !['p', 'c'].includes(classOf(k));
      if (!volatile && want !== null) persistent++;
      if (got === null && (want === null || volatile)) continue;
      if (got === null) missing++;
      else if (want === null || !got.equals(want)) wrong++;
      else continue;
      if (examples.length < 5) examples.push(`${k}: ${got === null ? 'missing' : 'different bytes'}`);
    }
    const strangers = scanned.filter((k) => !final.has(k));
    checks.push({
      name: 'restart: keyspace is what was saved',
      ok: missing === 0 && wrong === 0 && strangers.length === 0,
      detail:
        `${persistent} persistent keys expected; ${missing} missing, ${wrong} different, ${strangers.length} unknown` +
        (examples.length > 0 ? ` (${examples.join('; ')})` : ''),
    });
    checks.push({
      name: 'restart: snapshot loaded',
      ok: server.log.loaded !== null,
      detail:
        server.log.loaded === null
          ? 'no "snapshot loaded" line'
          : `${server.log.loaded.keys} keys in ${server.log.loaded.ms} ms`,
    });
  } finally {
    r.disconnect();
    exit = await server.stop();
  }
  checks.push({
    name: 'restart: clean stop',
    ok: exit.code === 0,
    detail: `exit ${exit.code ?? exit.signal}`,
  });
  return { checks, readyMs: server.readyMs, loaded: server.log.loaded };
}
