/**
 * Snapshot benchmark: Cairn's directory store against redis-server's RDB, in the same run.
 * For each dataset size: time to write a snapshot (Cairn SAVE; Redis BGSAVE until done), its
 * size on disk, time from process start to answering PING with the snapshot loaded, and
 * redis-benchmark GET latency (random keys over the dataset) and server CPU us per GET with
 * and without snapshots running meanwhile. Both servers hold the dataset at once; each
 * measurement alternates which server goes first.
 *
 * Cairn starts as `npm start` runs it (node --max-semi-space-size=4, all three doors on free
 * ports, the directory store in a fresh temp folder) with one change, shown in the report:
 * --snapshot-interval 0, because this benchmark takes the snapshots itself (as Redis runs with
 * --save '' and BGSAVE here).
 *
 * Flags: --keys N[,N...] (dataset sizes), --runs N (write and load runs, interleaved),
 * --value-bytes N, --get-requests N, --clients N (redis-benchmark GET phase), --cairn-args
 * "..." (extra Cairn options), --no-redis (Cairn alone), --load-only (one snapshot write, no
 * GET phase: only the start+load time, from spawn to the first PONG with the data loaded).
 *
 *   npm run bench:snapshot                       (1M and 5M keys, 3 runs each)
 *   node bench/snapshot.mjs --keys 5000000 --load-only
 *   node bench/snapshot.mjs --keys 200000 --runs 1
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { redisBenchmark } from './lib/redis-benchmark.mjs';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import {
  cpuSeconds,
  cpuUsPer,
  freePort,
  REPO_ROOT,
  rotate,
  START_NODE_ARGS,
  waitForPing,
} from './lib/servers.mjs';

const { values: opts } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000000,5000000' },
    runs: { type: 'string', default: '3' },
    'value-bytes': { type: 'string', default: '32' },
    'get-requests': { type: 'string', default: '200000' },
    clients: { type: 'string', default: '50' },
    /** Extra Cairn options, e.g. "--snapshot-compression none". */
    'cairn-args': { type: 'string', default: '' },
    /** Skip redis-server (for quick experiments on Cairn alone). */
    'no-redis': { type: 'boolean', default: false },
    /** Measure start+load only: one snapshot write per server, no GET latency phase. */
    'load-only': { type: 'boolean', default: false },
  },
});
const SIZES = opts.keys.split(',').map(Number);
const RUNS = Number(opts.runs);
const VALUE_BYTES = Number(opts['value-bytes']);
const GET_REQUESTS = Number(opts['get-requests']);
const CLIENTS = Number(opts.clients);
const LOAD_ONLY = opts['load-only'];
/** Keys in one MSET while loading the dataset. */
const MSET_KEYS = 1000;
/** MSETs in flight while loading. */
const MSET_WINDOW = 16;
/** How often snapshot progress is polled, milliseconds. */
const POLL_MS = 10;

/** redis-benchmark's random keys are `key:` + 12 digits, so GETs hit the keys loaded here. */
const keyName = (i) => `key:${String(i).padStart(12, '0')}`;

/** A minimal RESP client: send commands, await replies in order. Enough for a benchmark. */
function connect(port) {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ port, host: '127.0.0.1' });
    const waiting = [];
    let buf = Buffer.alloc(0);
    const parse = () => {
      // Replies here are simple strings, errors, integers or bulk strings (INFO, GET).
      for (;;) {
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const type = String.fromCharCode(buf[0]);
        if (type === '$') {
          const len = Number(buf.subarray(1, nl).toString());
          if (len < 0) {
            buf = buf.subarray(nl + 2);
            waiting.shift()?.resolve(null);
            continue;
          }
          if (buf.length < nl + 2 + len + 2) return;
          const s = buf.subarray(nl + 2, nl + 2 + len).toString();
          buf = buf.subarray(nl + 4 + len);
          waiting.shift()?.resolve(s);
          continue;
        }
        const line = buf.subarray(1, nl).toString();
        buf = buf.subarray(nl + 2);
        const w = waiting.shift();
        if (type === '-') w?.reject(new Error(line));
        else w?.resolve(line);
      }
    };
    sock.on('data', (d) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      parse();
    });
    sock.on('error', reject);
    sock.on('connect', () =>
      resolve({
        send(...args) {
          let s = `*${args.length}\r\n`;
          for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
          return new Promise((res, rej) => {
            waiting.push({ resolve: res, reject: rej });
            sock.write(s);
          });
        },
        close: () => sock.destroy(),
      }),
    );
  });
}

/**
 * Values: printable pseudo-random text (the same for both servers), so compression in either
 * snapshot format gets no free ride from repeated bytes.
 */
function valueFor(i) {
  let x = (i * 2654435761) >>> 0;
  let s = '';
  for (let j = 0; j < VALUE_BYTES; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    s += String.fromCharCode(33 + (x % 94));
  }
  return s;
}

async function populate(port, n) {
  const c = await connect(port);
  const inflight = new Set();
  for (let base = 0; base < n; base += MSET_KEYS) {
    const args = ['MSET'];
    for (let i = base; i < Math.min(n, base + MSET_KEYS); i++) args.push(keyName(i), valueFor(i));
    const p = c.send(...args).finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= MSET_WINDOW) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  c.close();
}

/** Cairn's defaults (doors on free ports) but for the interval; Redis without save points. */
const CAIRN_ARGS = [
  '--http-port',
  '0',
  '--grpc-port',
  '0',
  '--snapshot-interval',
  '0',
  ...opts['cairn-args'].split(' ').filter(Boolean),
];
const REDIS_ARGS = ['--bind', '127.0.0.1', '--appendonly', 'no', '--save', ''];

const infoField = (info, name) => new RegExp(`${name}:([^\\r]*)`).exec(info)?.[1];

function spawnServer(kind, dir, port) {
  const args =
    kind === 'cairn'
      ? [...START_NODE_ARGS, join(REPO_ROOT, 'dist', 'cli', 'main.js'), ...CAIRN_ARGS]
      : [...REDIS_ARGS];
  args.push('--port', String(port), '--dir', dir);
  const t0 = performance.now();
  const proc = spawn(kind === 'cairn' ? process.execPath : 'redis-server', args, { stdio: 'ignore' });
  const exited = new Promise((r) => proc.once('exit', r));
  return {
    pid: proc.pid,
    ready: waitForPing(port, 600_000).then(() => performance.now() - t0),
    stop: async (signal = 'SIGKILL') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

/** Start a snapshot and resolve with its wall time, polling INFO until it is done. */
async function timedSnapshot(kind, c) {
  const t0 = performance.now();
  if (kind === 'cairn') {
    await c.send('SAVE');
    return performance.now() - t0;
  }
  await c.send('BGSAVE');
  for (;;) {
    const info = await c.send('INFO', 'persistence');
    if (infoField(info, 'rdb_bgsave_in_progress') === '0') {
      if (infoField(info, 'rdb_last_bgsave_status') !== 'ok') throw new Error('redis BGSAVE failed');
      return performance.now() - t0;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const snapshotFile = (kind, dir) =>
  readdirSync(dir)
    .filter((f) => (kind === 'cairn' ? f.endsWith('.cairn') : f === 'dump.rdb'))
    .sort()
    .pop();

/** GET latency while snapshots run back to back (or not at all). */
async function getLatency(kind, { port, pid }, n, withSnapshots) {
  let stop = false;
  let snapshots = 0;
  const loop = (async () => {
    if (!withSnapshots) return;
    const c = await connect(port);
    while (!stop) {
      try {
        if (kind === 'cairn') await c.send('SAVE');
        else await timedSnapshot('redis', c);
        snapshots++;
      } catch {
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }
    c.close();
  })();
  // Let the first snapshot get going before measuring.
  if (withSnapshots) await new Promise((r) => setTimeout(r, 50));
  const cpu0 = cpuSeconds(pid);
  const r = await redisBenchmark({
    port,
    tests: ['get'],
    clients: CLIENTS,
    requests: GET_REQUESTS,
    pipeline: 1,
    extraArgs: ['-r', String(n)],
  });
  const cpuUsPerRequest = cpuUsPer(cpu0, cpuSeconds(pid), GET_REQUESTS);
  stop = true;
  await loop;
  return { ...r.GET, cpuUsPerRequest, snapshots };
}

/** One dataset size on every server; each step alternates which server goes first. */
async function measureSize(n, kinds) {
  const servers = {};
  for (const kind of kinds) {
    const dir = mkdtempSync(join(tmpdir(), `snapbench-${kind}-`));
    const port = await freePort();
    const srv = spawnServer(kind, dir, port);
    await srv.ready;
    await populate(port, n);
    servers[kind] = { dir, port, srv, writes: [], loads: [], loadCpus: [] };
  }
  for (let r = 0; r < (LOAD_ONLY ? 1 : RUNS); r++) {
    for (const kind of rotate(kinds, r)) {
      const { dir, port, writes } = servers[kind];
      const c = await connect(port);
      const writeMs = await timedSnapshot(kind, c);
      c.close();
      writes.push({ writeMs, bytes: statSync(join(dir, snapshotFile(kind, dir))).size });
    }
  }
  for (const [i, busy] of (LOAD_ONLY ? [] : [false, true]).entries()) {
    for (const kind of rotate(kinds, i)) {
      const { port, srv } = servers[kind];
      servers[kind][busy ? 'busy' : 'quiet'] = await getLatency(kind, { port, pid: srv.pid }, n, busy);
    }
  }
  for (const kind of kinds) await servers[kind].srv.stop('SIGKILL');
  for (let r = 0; r < RUNS; r++) {
    for (const kind of rotate(kinds, r)) {
      const p = await freePort();
      const srv = spawnServer(kind, servers[kind].dir, p);
      servers[kind].loads.push(await srv.ready);
      servers[kind].loadCpus.push(cpuSeconds(srv.pid));
      const c = await connect(p);
      const size = Number(await c.send('DBSIZE'));
      c.close();
      await srv.stop('SIGKILL');
      if (size !== n) throw new Error(`${kind} loaded ${size} keys, expected ${n}`);
    }
  }
  const out = {};
  for (const kind of kinds) {
    const { dir, writes, loads, loadCpus, quiet, busy } = servers[kind];
    rmSync(dir, { recursive: true, force: true });
    out[kind] = {
      writeMs: median(writes.map((x) => x.writeMs)),
      bytes: median(writes.map((x) => x.bytes)),
      loadMs: median(loads),
      loadCpuS: median(loadCpus),
      quiet,
      busy,
      writeRuns: writes.map((x) => Math.round(x.writeMs)),
      loadRuns: loads.map(Math.round),
      loadCpuRuns: loadCpus,
    };
  }
  return out;
}

const MB = 1024 * 1024;
const rows = [];
const results = { machine: machineInfo(), valueBytes: VALUE_BYTES, runs: RUNS, sizes: {} };
const KINDS = opts['no-redis'] ? ['cairn'] : ['cairn', 'redis'];
for (const n of SIZES) {
  process.stderr.write(`${KINDS.join(' and ')}, ${n} keys...\n`);
  const all = await measureSize(n, KINDS);
  for (const kind of KINDS) {
    const m = all[kind];
    results.sizes[`${n}:${kind}`] = m;
    const cpu = (x) => x.cpuUsPerRequest?.toFixed(1) ?? '?';
    const redis = all.redis;
    rows.push([
      n.toLocaleString('en-US'),
      kind === 'cairn' ? 'Cairn (dir store)' : 'redis-server (RDB)',
      (m.writeMs / 1000).toFixed(2),
      (m.loadMs / 1000).toFixed(2),
      redis ? (m.loadMs / redis.loadMs).toFixed(2) : '-',
      m.loadCpuS.toFixed(2),
      (m.bytes / MB).toFixed(1),
      ...(LOAD_ONLY
        ? ['-', '-', '-', '-']
        : [
            m.quiet.p99Ms.toFixed(2),
            `${m.busy.p99Ms.toFixed(2)} (${m.busy.snapshots} snapshots)`,
            `${Math.round(m.quiet.rps)} / ${Math.round(m.busy.rps)}`,
            `${cpu(m.quiet)} / ${cpu(m.busy)}`,
          ]),
    ]);
  }
}
const header = [
  'keys',
  'server',
  'write s',
  'start+load s',
  'start+load / Redis',
  'CPU s until PONG',
  'size MiB',
  'GET p99 ms, idle',
  'GET p99 ms, snapshotting',
  'GET rps idle / snapshotting',
  'GET CPU us/req idle / snapshotting',
];
const table = markdownTable(header, rows);
const m = results.machine;
const md = [
  '# Snapshot benchmark',
  '',
  `${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.redis}; load average at the start ${m.loadAverage}, at the end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}.`,
  `Command: \`node bench/snapshot.mjs ${process.argv.slice(2).join(' ')}\`${LOAD_ONLY ? ' (--load-only: one snapshot write, no GET phase)' : ''}.`,
  `Cairn: \`node ${START_NODE_ARGS.join(' ')} dist/cli/main.js ${CAIRN_ARGS.join(' ')} --port <port> --dir <tmpdir>\` (defaults but for --snapshot-interval 0: the benchmark takes the snapshots); Redis: \`redis-server ${REDIS_ARGS.map((a) => a || "''").join(' ')} --port <port> --dir <tmpdir>\`.`,
  `Values ${VALUE_BYTES} bytes of pseudo-random printable text; medians of ${RUNS} runs for write and load; GET: \`redis-benchmark -h 127.0.0.1 -p <port> -t get -c ${CLIENTS} -n ${GET_REQUESTS} -P 1 --csv -r <keys>\`. CPU us/req: the server's user+system time per GET.`,
  'write: Cairn SAVE (copy-on-write snapshot in time-budgeted steps, fsync, rename) / Redis BGSAVE until done (fork).',
  "start+load: from spawning the process to the first PONG with the snapshot loaded (CPU s: the server process's user+system time by then).",
  'GET p99 snapshotting: snapshots run back to back for the whole redis-benchmark run (Cairn: SAVE in a loop; Redis: BGSAVE in a loop).',
  '',
  table,
].join('\n');
const [mdPath] = writeResults('snapshot', md, results);
process.stdout.write(`${md}\n\nwritten to ${mdPath}\n`);
