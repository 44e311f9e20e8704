/**
 * Footprint: what Cairn holds in memory while idle, and what each dependency costs.
 *
 * 1. Dependencies: a fresh `node --max-semi-space-size=4` imports one module and nothing else
 *    (bench/lib/footprint-import.mjs), settles, collects garbage; RSS and V8 heap used above
 *    an empty node, and the import time. Shared sub-dependencies count in every row that pulls
 *    them in, so rows do not add up.
 * 2. Idle RSS: compiled Cairn started as `npm start` runs it (all three doors, default
 *    snapshots into a fresh folder, free ports), `--settle-ms` after PING answers, VmRSS from
 *    /proc; the median of `--runs` fresh starts. With --door-sets, lighter configurations
 *    (HTTP and/or gRPC off) are measured too and labelled as such beside it.
 * 3. First use: on an idle all-doors server, the time of the first (and second) call that loads
 *    something on demand: /openapi.json, /docs, gRPC reflection, EVAL; and the RSS after each.
 *
 *   npm run bench:footprint
 *   node bench/footprint.mjs --runs 3 --settle-ms 5000
 *   node bench/footprint.mjs --skip-deps
 *   node bench/footprint.mjs --door-sets        # also RESP only, RESP + HTTP, RESP + gRPC (labelled)
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';
import { doorsOffArgs, REPO_ROOT, rssBytes, START_NODE_ARGS, startCairn } from './lib/servers.mjs';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'settle-ms': { type: 'string', default: '5000' },
    'skip-deps': { type: 'boolean', default: false },
    'skip-doors': { type: 'boolean', default: false },
    'door-sets': { type: 'boolean', default: false },
    'skip-first-use': { type: 'boolean', default: false },
  },
});
const RUNS = Number(flags.runs);
const SETTLE_MS = Number(flags['settle-ms']);
const MB = 1024 * 1024;
const mb = (n) => (Number.isFinite(n) ? (n / MB).toFixed(1) : 'n/a');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);

/** The modules measured one by one ('' = nothing: the empty node every row is compared with). */
const DEPENDENCIES = [
  ['(empty node)', []],
  ['node:http + node:net + node:http2', ['node:http', 'node:net', 'node:http2']],
  ['fastify', ['fastify']],
  ['@fastify/swagger', ['@fastify/swagger']],
  ['@fastify/swagger-ui', ['@fastify/swagger-ui']],
  ['@sinclair/typebox', ['@sinclair/typebox']],
  ['ajv', ['ajv']],
  ['@grpc/grpc-js', ['@grpc/grpc-js']],
  ['@grpc/proto-loader (protobufjs)', ['@grpc/proto-loader']],
  ['@grpc/reflection', ['@grpc/reflection']],
  ['grpc-health-check', ['grpc-health-check']],
  ['@bufbuild/protobuf', ['@bufbuild/protobuf']],
  ['generated code (dist/gen)', ['dist/gen/cairn/v1/cairn_pb.js']],
  ['pino', ['pino']],
  ['prom-client', ['prom-client']],
  ['yaml', ['yaml']],
  ['opossum', ['opossum']],
  ['lz4-napi', ['lz4-napi']],
  ['wasmoon', ['wasmoon']],
  ['pg', ['pg']],
  ['command table (dist/commands/index.js)', ['dist/commands/index.js']],
  ['RESP door (dist/protocols/resp/server.js)', ['dist/protocols/resp/server.js']],
  ['HTTP door (dist/protocols/http/server.js)', ['dist/protocols/http/server.js']],
  ['gRPC door (dist/protocols/grpc/server.js)', ['dist/protocols/grpc/server.js']],
  ['everything at start (dist/cli/main.js imports)', ['dist/server/lifecycle.js', 'dist/server/doors.js']],
];

async function importCost(modules) {
  const { stdout } = await run(
    process.execPath,
    [...START_NODE_ARGS, '--expose-gc', join(REPO_ROOT, 'bench/lib/footprint-import.mjs'), ...modules],
    { cwd: REPO_ROOT },
  );
  return JSON.parse(stdout.trim().split('\n').pop());
}

async function dependencyTable() {
  const samples = new Map(DEPENDENCIES.map(([name]) => [name, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const [name, modules] of DEPENDENCIES) samples.get(name).push(await importCost(modules));
  }
  const med = (name, field) => median(samples.get(name).map((s) => s[field]));
  const base = { rss: med('(empty node)', 'rss'), heapUsed: med('(empty node)', 'heapUsed') };
  const rows = DEPENDENCIES.map(([name]) => {
    const rss = med(name, 'rss');
    const heap = med(name, 'heapUsed');
    return {
      name,
      rssMB: rss / MB,
      rssAboveMB: (rss - base.rss) / MB,
      heapAboveMB: (heap - base.heapUsed) / MB,
      externalMB: med(name, 'external') / MB,
      importMs: med(name, 'importMs'),
    };
  });
  return rows;
}

/** Start compiled Cairn as `npm start` does, with `doorArgs` (which may turn doors off). */
function startServer(doorArgs) {
  return startCairn({ args: doorArgs, partialDoors: true });
}

/** The default start first; lighter door sets (snapshots as by default) only with --door-sets. */
const DOOR_SETS_LABEL = 'lighter configuration: doors off';
const CONFIGS = [
  ['all three doors (npm start)', []],
  ...(flags['door-sets']
    ? [
        [`RESP only (${DOOR_SETS_LABEL})`, doorsOffArgs([])],
        [`RESP + HTTP (${DOOR_SETS_LABEL})`, doorsOffArgs(['http'])],
        [`RESP + gRPC (${DOOR_SETS_LABEL})`, doorsOffArgs(['grpc'])],
      ]
    : []),
];

async function doorTable() {
  const samples = new Map(CONFIGS.map(([name]) => [name, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const [name, args] of CONFIGS) {
      const s = await startServer(args);
      await sleep(SETTLE_MS);
      samples.get(name).push(rssBytes(s.pid));
      await s.stop();
    }
  }
  return CONFIGS.map(([name, args]) => ({
    name,
    args: args.join(' '),
    rssMB: median(samples.get(name)) / MB,
    runsMB: samples.get(name).map((v) => Number(mb(v))),
  }));
}

/** One RESP command on a fresh connection; resolves to the first line of the reply. */
function resp(port, argv) {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.on('connect', () =>
      s.write(`*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`),
    );
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n')) {
        s.destroy();
        resolve(got.split('\r\n')[0]);
      }
    });
    s.on('error', reject);
  });
}

async function timed(fn) {
  const t0 = performance.now();
  const what = await fn();
  return { ms: performance.now() - t0, what };
}

/**
 * A gRPC reflection client (grpc-js, loaded here before anything is timed); `list()` lists the
 * services on a new stream.
 */
async function reflectionClient(port) {
  const { loadSync } = await import('@grpc/proto-loader');
  const grpc = await import('@grpc/grpc-js');
  const { createRequire } = await import('node:module');
  const req = createRequire(join(REPO_ROOT, 'package.json'));
  const protoPath = join(
    req.resolve('@grpc/reflection/package.json'),
    '..',
    'build/proto/grpc/reflection/v1/reflection.proto',
  );
  const def = grpc.loadPackageDefinition(loadSync(protoPath, { keepCase: true }));
  const client = new def.grpc.reflection.v1.ServerReflection(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  // Connect first, so the first timed call measures the server, not the handshake.
  await new Promise((resolve, reject) =>
    client.waitForReady(Date.now() + 10_000, (err) => (err ? reject(err) : resolve())),
  );
  const list = () =>
    new Promise((resolve, reject) => {
      const call = client.ServerReflectionInfo();
      call.on('data', (m) => {
        resolve(m.list_services_response.service.map((s) => s.name).join(', '));
        call.end();
      });
      call.on('error', reject);
      call.write({ list_services: '' });
    });
  return { list, close: () => client.close() };
}

async function firstUse() {
  const s = await startServer([]);
  await sleep(SETTLE_MS);
  const rows = [{ step: 'idle', ms: null, rssMB: rssBytes(s.pid) / MB, what: '' }];
  const http = `http://127.0.0.1:${s.ports.http}`;
  const reflection = await reflectionClient(s.ports.grpc);
  const steps = [
    ['GET /openapi.json', async () => `${(await (await fetch(`${http}/openapi.json`)).text()).length} bytes`],
    ['GET /docs/ (Swagger UI)', async () => `HTTP ${(await fetch(`${http}/docs/`)).status}`],
    ['GET /v1/keys/k (a validated route)', async () => `HTTP ${(await fetch(`${http}/v1/keys/k`)).status}`],
    ['gRPC reflection list', () => reflection.list()],
    ['EVAL return 1', () => resp(s.ports.resp, ['EVAL', 'return 1', '0'])],
  ];
  for (const [step, fn] of steps) {
    const first = await timed(fn);
    const second = await timed(fn);
    await sleep(500);
    rows.push({ step, ms: first.ms, againMs: second.ms, rssMB: rssBytes(s.pid) / MB, what: first.what });
  }
  reflection.close();
  await s.stop();
  return rows;
}

const machine = machineInfo();
const deps = flags['skip-deps'] ? [] : await dependencyTable();
const doors = flags['skip-doors'] ? [] : await doorTable();
const first = flags['skip-first-use'] ? [] : await firstUse();

const md = [
  '# Footprint',
  '',
  `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, load average ${machine.loadAverage}.`,
  `Node flags as \`npm start\`: ${START_NODE_ARGS.join(' ')}. Medians of ${RUNS} fresh processes; idle = ${SETTLE_MS} ms after PING answers.`,
  '',
];
if (deps.length > 0) {
  md.push(
    '## One dependency alone',
    '',
    'RSS and V8 heap used (after GC) of a node process that imported only that module, above an empty node.',
    '',
    markdownTable(
      ['module', 'RSS MB', 'RSS above empty MB', 'heap above empty MB', 'external MB', 'import ms'],
      deps.map((d) => [
        d.name,
        d.rssMB.toFixed(1),
        d.rssAboveMB.toFixed(1),
        d.heapAboveMB.toFixed(1),
        d.externalMB.toFixed(1),
        d.importMs.toFixed(0),
      ]),
    ),
    '',
  );
}
if (doors.length > 0) {
  md.push(
    '## Idle RSS per door configuration',
    '',
    markdownTable(
      ['configuration', 'extra flags', 'idle RSS MB (median)', 'runs'],
      doors.map((d) => [d.name, d.args || '(none)', d.rssMB.toFixed(1), d.runsMB.join(' / ')]),
    ),
    '',
  );
}
if (first.length > 0) {
  md.push(
    '## First use of what loads on demand (all three doors)',
    '',
    markdownTable(
      ['step', 'first call ms', 'second call ms', 'RSS after MB', 'answer'],
      first.map((r) => [
        r.step,
        r.ms === null ? '' : r.ms.toFixed(0),
        r.againMs === undefined ? '' : r.againMs.toFixed(0),
        r.rssMB.toFixed(1),
        r.what,
      ]),
    ),
    '',
  );
}
const markdown = md.join('\n');
process.stdout.write(`${markdown}\n`);
const [mdPath] = writeResults('footprint', markdown, {
  machine,
  runs: RUNS,
  settleMs: SETTLE_MS,
  deps,
  doors,
  first,
});
process.stdout.write(`\nwritten: ${mdPath}\n`);
