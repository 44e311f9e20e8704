/**
 * The kill -9 restart. On a running server (the one restarted after SHUTDOWN SAVE, whose
 * keyspace the model already matches), the same writers run for a while; then:
 *
 * 1. the writers pause between steps (every acknowledged write is in the model; a stale write
 *    of a vanished client may still land, which the model allows for);
 * 2. once no snapshot is running, one pipeline sends a witness marker, BGSAVE and a second
 *    marker; the model is frozen at that instant (its versions per key), and the markers give
 *    the keys whose last change, just before and just after the BGSAVE, was an eviction;
 * 3. the writers resume at once: the snapshot (copy-on-write, "exactly the keyspace at the
 *    instant the snapshot started") is written while they change keys under it;
 * 4. as soon as INFO persistence shows it saved (`rdb_saves` up, nothing in progress), the
 *    server is sent SIGKILL, under load;
 * 5. a server started on the same directory must hold exactly the frozen model: every key as
 *    it was at the BGSAVE, keys whose TTL ran out by the restart gone, keys evicted before the
 *    BGSAVE (by both markers) gone, nothing written after it.
 */
import { Monitor } from './monitor.mjs';
import { Gate } from './owner.mjs';
import { parseInfo, startServer } from './server.mjs';
import { Stats } from './stats.mjs';
import { compareKeyspace, connect, describeComparison, loadedCheck } from './verify.mjs';
import { Witness } from './witness.mjs';

const SAVE_POLL_MS = 20;
const SAVE_WAIT_MS = 120_000;
const IDLE_WAIT_MS = 30_000;
const OWNER_STOP_TIMEOUT_MS = 60_000;
const BGSAVE_TRIES = 20;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function persistence(control) {
  return parseInfo(await control.info('persistence'));
}

async function until(pred, ms, what) {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms / 1000} s`);
    await sleep(SAVE_POLL_MS);
  }
}

/**
 * Run the kill -9 restart on `server`. `owners` get fresh adapters (`makeAdapter(ports)`) and a
 * fresh Stats. Resolves to { checks, figures, stats }.
 */
export async function killRestart({ server, args, admin, model, owners, seconds, rng }) {
  const checks = [];
  const failures = [];
  const stats = new Stats(rng());
  const figures = { loadSeconds: seconds };
  const control = connect(server.ports.resp, admin);
  const violations0 = model.violationCount;
  const witness = await Witness.open(server.ports, admin, model);
  for (const o of owners) {
    o.adapter = o.makeAdapter(server.ports);
    o.stats = stats;
  }
  const monitor = new Monitor({ server, control, model, owners, stats });
  monitor.start();
  const gate = new Gate();
  const running = owners.map((o) =>
    o.run(gate).catch((e) => failures.push(`writer ${o.name} crashed: ${e?.stack ?? e}`)),
  );
  const t0 = performance.now();
  let snap = null;
  let exit = null;
  try {
    const endAt = Date.now() + seconds * 1000;
    while (Date.now() < endAt && server.alive()) await sleep(Math.min(200, endAt - Date.now()));
    if (!server.alive()) throw new Error('the server exited during the load');

    gate.pause();
    const pausedAt = Date.now();
    await until(() => owners.every((o) => o.idle), IDLE_WAIT_MS, 'the writers did not pause');
    figures.pauseWaitMs = Date.now() - pausedAt;
    const evictedCopy = (w) => new Map(w.evictedNow);
    for (let tries = 0; snap === null; tries++) {
      await until(
        async () => (await persistence(control)).rdb_bgsave_in_progress === '0',
        SAVE_WAIT_MS,
        'a running snapshot did not end',
      );
      const before = await persistence(control);
      const m1 = witness.marker(evictedCopy);
      const m2 = witness.marker(evictedCopy);
      const frozen = model.freeze();
      const res = await control
        .pipeline()
        .set(...m1.args)
        .bgsave()
        .set(...m2.args)
        .exec();
      const [bgErr, bgReply] = res[1];
      if (bgErr && /in progress/.test(bgErr.message) && tries < BGSAVE_TRIES) continue;
      if (res[0][0] || bgErr || res[2][0] || bgReply !== 'Background saving started') {
        throw new Error(
          `BGSAVE pipeline: ${[res[0][0]?.message, bgErr?.message ?? bgReply, res[2][0]?.message].join(' / ')}`,
        );
      }
      snap = {
        frozen,
        m1,
        m2,
        at: Date.now(),
        saves: Number(before.rdb_saves),
        failures: Number(before.snapshot_failures),
      };
    }
    figures.pausedMs = snap.at - pausedAt;
    figures.keysFrozen = snap.frozen.size;
    const acks0 = model.acknowledgedWrites;
    gate.resume();

    const [e1, e2] = await Promise.all([snap.m1.seen, snap.m2.seen]);
    let info;
    await until(
      async () => {
        info = await persistence(control);
        if (Number(info.snapshot_failures) > snap.failures)
          throw new Error(`the snapshot failed: ${info.snapshot_last_error}`);
        return info.rdb_bgsave_in_progress === '0' && Number(info.rdb_saves) > snap.saves;
      },
      SAVE_WAIT_MS,
      'the snapshot did not complete',
    );
    const savedAt = Date.now();
    figures.snapshot = {
      name: info.snapshot_last_name,
      keys: Number(info.snapshot_last_keys),
      bytes: Number(info.snapshot_last_bytes),
      ms: savedAt - snap.at,
    };
    monitor.stop();
    figures.writesDuringSnapshot = model.acknowledgedWrites - acks0;
    const unverifiable0 = model.ttl.unverifiable;
    await witness.close();
    figures.suspectsAbandoned = model.ttl.unverifiable - unverifiable0;
    gate.killed = true;
    figures.killAfterSaveMs = Date.now() - savedAt;
    exit = await server.kill();
    gate.stop();
    figures.evictedBefore = e1 === null || e2 === null ? null : { first: e1.size, second: e2.size };
    checks.push({
      name: 'kill -9: snapshot under load, then SIGKILL',
      ok: exit.signal === 'SIGKILL' && e1 !== null && e2 !== null,
      detail:
        `writers paused ${figures.pausedMs} ms around BGSAVE; snapshot ${figures.snapshot.name} ` +
        `(${figures.snapshot.keys} keys) saved ${figures.snapshot.ms} ms later with the writers running ` +
        `(${figures.writesDuringSnapshot} writes acknowledged after the BGSAVE, none of which may survive); ` +
        `SIGKILL ${figures.killAfterSaveMs} ms after it was seen saved: exit ${exit.code ?? exit.signal}` +
        (e1 === null || e2 === null
          ? `; the Watch markers around BGSAVE never came back (${witness.broken})`
          : ''),
    });
    // Evicted by the same event as of both markers: gone at the BGSAVE instant, and nothing
    // wrote it in between. Evicted as of one marker only: either may be true.
    snap.evicted = {
      mayBeAbsent: new Set([...(e1?.keys() ?? []), ...(e2?.keys() ?? [])]),
      mustBeAbsent: new Set([...(e1?.keys() ?? [])].filter((k) => e2?.get(k) === e1.get(k))),
    };
  } catch (e) {
    failures.push(`kill -9 phase: ${e?.stack ?? e}`);
    monitor.stop();
    await witness.close();
    gate.stop();
  }
  const stopped = await Promise.race([
    Promise.all(running).then(() => true),
    sleep(OWNER_STOP_TIMEOUT_MS).then(() => false),
  ]);
  if (!stopped) failures.push(`writers still busy ${OWNER_STOP_TIMEOUT_MS / 1000} s after the kill`);
  figures.seconds = (performance.now() - t0) / 1000;
  await Promise.all(owners.map((o) => o.adapter.close().catch(() => {})));
  control.disconnect();
  if (server.alive()) await server.stop();
  const bad = model.violationCount - violations0;
  checks.unshift({
    name: 'kill -9 phase: load on the restarted server ran, reads matched the model, no unexpected errors',
    ok: failures.length === 0 && monitor.failures.length === 0 && bad === 0 && stats.unexpectedCount() === 0,
    detail:
      [...failures, ...monitor.failures].join('; ').slice(0, 1500) ||
      `${Object.values(stats.doors).reduce((n, d) => n + d.commands, 0)} commands in ${figures.seconds.toFixed(0)} s, ` +
        `${bad} violations, ${stats.unexpectedCount()} unexpected errors, ` +
        `${['resp', 'http', 'grpc'].reduce((n, d) => n + stats.expectedCount(d), 0)} expected (killed clients; every failure after the SIGKILL)`,
  });
  if (snap?.evicted === undefined || exit === null) return { checks, figures, stats };

  const restarted = await startServer(args, admin);
  const r = connect(restarted.ports.resp, admin);
  let stop;
  try {
    const { f } = await compareKeyspace(r, snap.frozen, snap.evicted);
    figures.restart = f;
    figures.readyMs = restarted.readyMs;
    figures.loaded = restarted.log.loaded;
    checks.push({
      name: 'restart after kill -9: keyspace is the model at the BGSAVE instant',
      ok: f.missing === 0 && f.wrong === 0 && f.strangers === 0,
      detail: describeComparison(f),
    });
    checks.push(loadedCheck('restart after kill -9', restarted, figures.snapshot.name));
  } finally {
    r.disconnect();
    stop = await restarted.stop();
  }
  checks.push({
    name: 'restart after kill -9: clean stop',
    ok: stop.code === 0,
    detail: `exit ${stop.code ?? stop.signal}`,
  });
  const errorLines = (log) => Object.keys(log.byLevel).some((l) => Number(l) >= 50);
  checks.push({
    name: "no error lines in the restarted servers' logs",
    ok: !errorLines(server.log) && !errorLines(restarted.log),
    detail:
      `after SHUTDOWN SAVE (until killed): ${JSON.stringify(server.log.byLevel)}; ` +
      `after kill -9: ${JSON.stringify(restarted.log.byLevel)}`,
  });
  return { checks, figures, stats };
}
