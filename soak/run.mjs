/**
 * Soak run: `npm run soak -- --minutes N` (default 10; fractions allowed; `--seed S` repeats an
 * op mix; `--keep` keeps the snapshot directory; `--kill-load-seconds S` (default 20) is the
 * load before the kill -9; `--server-arg=--flag --server-arg=value` adds server flags after the
 * soak's own). Starts the built Cairn with all three doors, a small maxmemory under
 * volatile-lru and frequent snapshots, drives a mixed load over RESP (ioredis, node-redis), HTTP
 * (fetch) and gRPC (grpc-js) with clients that vanish mid-request, keeps a model of acknowledged
 * writes (keys with a TTL by their deadline) and watches evictions on the server's gRPC Watch
 * stream (./witness.mjs). Then it reads back every key the model knows, checks INFO and RSS over
 * time, restarts after SHUTDOWN SAVE and compares again, and finally runs more load on the
 * restarted server, snapshots it under load, kills it with SIGKILL and checks that a new start
 * holds exactly the model as of that snapshot (./crash.mjs). Writes
 * bench/results/soak-<timestamp>.md (and .json) and exits 1 on any failure. `--secure` runs the
 * same load with TLS on every door and ACL logins (see ./secure.mjs).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineInfo, writeResults } from '../bench/lib/report.mjs';
import { cpuSeconds } from '../bench/lib/servers.mjs';
import { killRestart } from './crash.mjs';
import { GrpcDoor } from './doors/grpc.mjs';
import { HttpDoor } from './doors/http.mjs';
import { IoredisDoor, NodeRedisDoor } from './doors/resp.mjs';
import { Model } from './model.mjs';
import { Monitor } from './monitor.mjs';
import { Gate, Owner } from './owner.mjs';
import { markdownReport, rssVerdict } from './report.mjs';
import { authErrors, redactArgs, secureChecks, secureSetup } from './secure.mjs';
import { startServer } from './server.mjs';
import { Stats } from './stats.mjs';
import { prng } from './values.mjs';
import {
  connect,
  infoAll,
  restartCheck,
  shutdownSave,
  spotCheck,
  verifyKeyspace,
  waitForFences,
} from './verify.mjs';
import { Witness } from './witness.mjs';

const OWNER_STOP_TIMEOUT_MS = 60_000;
const SNAPSHOT_INTERVAL_S = 5;
/** Events the eviction witness's Watch stream may fall behind before the server ends it. */
const WATCH_BUFFER = 1_000_000;

const { values: opts } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string' },
    keep: { type: 'boolean', default: false },
    secure: { type: 'boolean', default: false },
    'kill-load-seconds': { type: 'string', default: '20' },
    // Extra server flags, after the soak's own (e.g. --server-arg=--engine --server-arg=map).
    'server-arg': { type: 'string', multiple: true, default: [] },
  },
});
const minutes = Number(opts.minutes);
if (!(minutes > 0)) {
  console.error(`--minutes must be a positive number, not ${opts.minutes}`);
  process.exit(2);
}
const killLoadSeconds = Number(opts['kill-load-seconds']);
if (!(killLoadSeconds >= 0)) {
  console.error(`--kill-load-seconds must be a number >= 0, not ${opts['kill-load-seconds']}`);
  process.exit(2);
}
const seed = opts.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(opts.seed);
const dir = mkdtempSync(join(tmpdir(), 'cairn-soak-'));
// Secure mode: TLS and logins; `writer` is the writers' login, `admin` that of the checks.
const secure = opts.secure ? await secureSetup() : null;
const writer = secure?.writer ?? null;
const admin = secure?.admin ?? null;
const serverArgs = [
  '--dir',
  dir,
  '--maxmemory',
  '64mb',
  '--maxmemory-policy',
  'volatile-lru',
  '--snapshot-interval',
  String(SNAPSHOT_INTERVAL_S),
  '--snapshot-keep',
  '3',
  '--shutdown-timeout',
  '10',
  '--grpc-watch-buffer',
  String(WATCH_BUFFER),
  ...(secure?.args ?? []),
  ...opts['server-arg'],
];
const checks = [];
const failures = [];
process.on('unhandledRejection', (e) => failures.push(`unhandled rejection: ${e?.stack ?? e}`));

console.error(`soak${secure ? ' (secure)' : ''}: ${minutes} min, seed ${seed}, snapshots in ${dir}`);
const server = await startServer(serverArgs, admin);
const control = connect(server.ports.resp, admin);
const master = prng(seed);
const rng = () => prng(Math.floor(master() * 2 ** 31));
const model = new Model();
const witness = await Witness.open(server.ports, admin, model);
const stats = new Stats(rng());
/** Door adapters by writer, made again for the servers that follow (their ports differ). */
const adapterMakers = [
  ['io1', (p) => new IoredisDoor(p.resp, writer), false],
  ['io2', (p) => new IoredisDoor(p.resp, writer), false],
  ['nr2', (p) => new NodeRedisDoor(p.resp, 2, writer), false],
  ['nr3', (p) => new NodeRedisDoor(p.resp, 3, writer), false],
  ['http1', (p) => new HttpDoor(p.http, rng(), writer), false],
  ['http2', (p) => new HttpDoor(p.http, rng(), writer), false],
  ['grpc1', (p) => new GrpcDoor(p.grpc, rng(), writer), false],
  ['grpc2', (p) => new GrpcDoor(p.grpc, rng(), writer), false],
  ['bigresp', (p) => new IoredisDoor(p.resp, writer), true],
  ['bighttp', (p) => new HttpDoor(p.http, rng(), writer), true],
  ['biggrpc', (p) => new GrpcDoor(p.grpc, rng(), writer), true],
];
const owners = adapterMakers.map(([name, make, big]) => {
  const o = new Owner({ name, adapter: make(server.ports), model, stats, rng: rng(), big });
  o.makeAdapter = make;
  return o;
});

const monitor = new Monitor({ server, control, model, owners, stats });
monitor.start();
const gate = new Gate();
const t0 = performance.now();
const running = owners.map((o) =>
  o.run(gate).catch((e) => failures.push(`writer ${o.name} crashed: ${e?.stack ?? e}`)),
);
// Run for the time asked, or until the server dies.
const endAt = Date.now() + minutes * 60_000;
while (Date.now() < endAt && server.alive()) await sleep(Math.min(1000, endAt - Date.now()));
gate.stop();
const stopped = await Promise.race([
  Promise.all(running).then(() => true),
  sleep(OWNER_STOP_TIMEOUT_MS).then(() => false),
]);
const loadSeconds = (performance.now() - t0) / 1000;
const cpu = {
  server: cpuSeconds(server.pid),
  loadGenerator: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
};
monitor.stop();
if (!stopped) failures.push(`writers still busy ${OWNER_STOP_TIMEOUT_MS / 1000} s after the stop`);
await Promise.all(owners.map((o) => o.adapter.close().catch(() => {})));
// Reads of keys with a TTL found missing before their deadline: evicted, or violations.
if (server.alive()) await witness.settle();
const violationsDuringLoad = model.violationCount;
const ttlDuringLoad = { ...model.ttl };
const checkedReadsDuringLoad = model.checkedReads;

let info = {};
let figures;
let restart = null;
let crash = null;
let witnessAtEnd = null;
const snapshotsBeforeShutdown = server.log.snapshots.length;
if (server.alive()) {
  try {
    await finalChecks();
  } catch (e) {
    failures.push(`the final checks failed to run: ${e?.stack ?? e}`);
  }
} else {
  failures.push(`the server exited during the load: ${JSON.stringify(await server.exited)}`);
}
control.disconnect();
if (!witness.closing) await witness.close();
if (server.alive()) await server.stop();

/** Fences, read-back of every key, cross-door reads, INFO, SHUTDOWN SAVE, restart, kill -9. */
async function finalChecks() {
  checks.push(await waitForFences(model, monitor));
  const v = await verifyKeyspace(server.ports, model, admin);
  figures = v.figures;
  checks.push(...v.checks);
  checks.push(await spotCheck(server.ports, model, rng(), writer));
  if (secure) checks.push(...(await secureChecks({ ports: server.ports, control, stats, writer })));
  info = await infoAll(server.ports.resp, admin);
  const evicted = Number(info.evicted_keys);
  const expired = Number(info.expired_keys);
  checks.push({
    name: 'eviction happened (evicted_keys > 0)',
    ok: evicted > 0,
    detail: `evicted_keys ${evicted}`,
  });
  checks.push({
    name: 'expiry happened (expired_keys > 0)',
    ok: expired > 0,
    detail: `expired_keys ${expired}`,
  });
  // Keys whose last change was an eviction (after the read-back nothing but evictions may happen).
  const evictedAtShutdown = (await witness.evictedAsOfNow()) ?? new Set();
  witnessAtEnd = witness.summary();
  checks.push({
    name: 'eviction witness: the Watch stream saw every change, no key without a TTL evicted or expired',
    ok: witness.broken === null && witness.persistentRemovedCount === 0,
    detail:
      `${witness.broken ?? 'stream intact'}; events: ${Object.entries(witness.events)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}; ` +
      `keys without a TTL evicted or expired: ${witness.persistentRemovedCount}` +
      (witness.persistentRemoved.length > 0 ? ` (${witness.persistentRemoved.join(', ')})` : ''),
  });
  await witness.close();
  const snapshotsBefore = server.log.snapshots.length;
  const exit = await shutdownSave(server, admin);
  // Nothing changed since an interval snapshot taken during the checks: that one is the last.
  const saved =
    server.log.snapshots.length > snapshotsBefore ? 'saved' : server.log.upToDate ? 'not needed' : 'missing';
  checks.push({
    name: 'SHUTDOWN SAVE: final snapshot, exit 0',
    ok: exit.code === 0 && saved !== 'missing',
    detail: `exit ${exit.code ?? exit.signal}, final snapshot ${saved}; files: ${readdirSync(dir).join(', ')}`,
  });
  if (exit.code !== 0) {
    checks.push({ name: 'restart after kill -9', ok: false, detail: 'not run: SHUTDOWN SAVE failed' });
    return;
  }
  const restarted = await startServer(serverArgs, admin);
  try {
    restart = await restartCheck(restarted, model, evictedAtShutdown, admin);
    checks.push(...restart.checks);
    crash = await killRestart({
      server: restarted,
      args: serverArgs,
      admin,
      model,
      owners,
      seconds: killLoadSeconds,
      rng,
    });
    checks.push(...crash.checks);
  } finally {
    // killRestart ends it with SIGKILL; this is for a check that threw first.
    if (restarted.alive()) await restarted.stop();
  }
}

checks.unshift(
  {
    name: 'the soak ran to the end (server, writers, checks)',
    ok: failures.length === 0 && monitor.failures.length === 0,
    detail: [...failures, ...monitor.failures].join('; ').slice(0, 2000) || 'yes',
  },
  {
    name: 'no unexpected errors',
    ok: stats.unexpectedCount() === 0,
    detail: `${stats.unexpectedCount()} (see errors by kind)`,
  },
  {
    name: 'reads during the load matched the model',
    ok: violationsDuringLoad === 0 && ttlDuringLoad.unverifiable === 0,
    detail:
      `${checkedReadsDuringLoad} reads checked during the load, ${violationsDuringLoad} violations; of keys with a TTL: ` +
      `${ttlDuringLoad.before} read before their deadline (${ttlDuringLoad.before - ttlDuringLoad.missingBefore} present, ` +
      `${ttlDuringLoad.evicted} missing and evicted as the Watch stream shows` +
      `${ttlDuringLoad.unverifiable > 0 ? `, ${ttlDuringLoad.unverifiable} unverifiable` : ''}), ` +
      `${ttlDuringLoad.after} after it (absent), ${ttlDuringLoad.window} within its uncertainty window`,
  },
  {
    name: 'snapshots taken during the load',
    ok: snapshotsBeforeShutdown > 0,
    detail: `${snapshotsBeforeShutdown} (every ${SNAPSHOT_INTERVAL_S} s while changed)`,
  },
  {
    name: 'no error lines in the server log',
    ok: !Object.keys(server.log.byLevel).some((l) => Number(l) >= 50),
    detail: JSON.stringify(server.log.byLevel),
  },
);
const rss = rssVerdict(monitor.rss, monitor.evictionStartMs);
checks.push({ name: 'RSS does not grow without bound', ok: rss.ok, detail: rss.detail });

const shownArgs = secure ? redactArgs(serverArgs) : serverArgs;
const report = {
  minutes,
  seed,
  loadSeconds,
  cpu,
  serverArgs: shownArgs,
  secure: secure?.describe ?? null,
  authErrors: authErrors(stats),
  owners,
  stats,
  model,
  figures,
  ttlDuringLoad,
  restart,
  crash,
  witness: witnessAtEnd,
  rss,
  checks,
  info,
  log: server.log,
  snapshots: server.log.snapshots.slice(0, snapshotsBeforeShutdown),
  machine: machineInfo(),
};
/** Results are committed: name this machine's temp directory `$TMPDIR`, never by its path. */
const TMP = tmpdir();
const portable = (v) =>
  typeof v === 'string' ? v.replaceAll(TMP, '$TMPDIR') : JSON.parse(portable(JSON.stringify(v)));
const markdown = portable(markdownReport(report));
const [mdPath] = writeResults(
  'soak',
  markdown,
  portable({
    minutes,
    seed,
    secure: secure !== null,
    authErrors: secure ? authErrors(stats) : undefined,
    loadSeconds,
    cpu,
    serverArgs: shownArgs,
    checks,
    rss,
    figures,
    ttlDuringLoad,
    restart:
      restart === null
        ? null
        : { figures: restart.figures, readyMs: restart.readyMs, loaded: restart.loaded },
    killRestart: crash === null ? null : { figures: crash.figures, errors: [...crash.stats.errors.values()] },
    witness: witnessAtEnd,
    doors: Object.fromEntries(
      Object.entries(stats.doors).map(([d, s]) => [
        d,
        {
          commands: s.commands,
          roundTrips: s.roundTrips,
          ...stats.latency(d),
          killed: s.vanished,
          polite: s.polite,
        },
      ]),
    ),
    errors: [...stats.errors.values()],
    violations: model.violations,
    info,
  }),
);
console.log(markdown);
console.error(`report: ${mdPath}`);
if (!opts.keep) {
  rmSync(dir, { recursive: true, force: true });
  secure?.cleanup();
}
const failed = checks.filter((c) => !c.ok);
process.exit(failed.length === 0 ? 0 : 1);

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
