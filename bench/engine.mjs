/**
 * Keyspace engines side by side, in process: direct get/set/delete/expire calls on every
 * engine `createKeyspace` knows (src/engine/create.ts), with the same preloaded keys. Reports
 * ns/op and ops/s (medians of runs, mitata's per-op average in each run) and writes them to
 * bench/results/. Not a server benchmark: no sockets, no parsing (see bench/resp.mjs).
 *
 *   npm run bench:engine
 *   node bench/engine.mjs --keys 100000 --runs 5 --value-bytes 32
 */
import { parseArgs } from 'node:util';
import { do_not_optimize, measure } from 'mitata';
import { createKeyspace, ENGINE_NAMES } from '../dist/engine/create.js';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';

const { values: flags } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    'value-bytes': { type: 'string', default: '32' },
  },
});
const KEYS = Number(flags.keys);
const RUNS = Number(flags.runs);
const VALUE_BYTES = Number(flags['value-bytes']);
/** Keys are visited in a scattered order, so the measurement is not one warm cache line. */
const STRIDE = 7919;

const keys = Array.from({ length: KEYS }, (_, i) => Buffer.from(`key:${i}`));
const missing = Array.from({ length: KEYS }, (_, i) => Buffer.from(`missing:${i}`));
const value = Buffer.alloc(VALUE_BYTES, 'v');
const value2 = Buffer.alloc(VALUE_BYTES, 'w');
const FAR_FUTURE_MS = Date.now() + 86_400_000;

/** Each op is a closure over an index that walks the key set. */
function ops(ks) {
  let i = 0;
  const next = () => {
    i = (i + STRIDE) % KEYS;
    return i;
  };
  let fresh = 0;
  return {
    'get (hit)': () => do_not_optimize(ks.get(0, keys[next()])),
    'get (miss)': () => do_not_optimize(ks.get(0, missing[next()])),
    'set (overwrite)': () => ks.set(0, keys[next()], (i & 1) === 0 ? value : value2),
    'set new + delete': () => {
      const k = missing[fresh++ % KEYS];
      ks.set(0, k, value);
      ks.delete(0, k);
    },
    'expire (setExpireTime)': () => ks.setExpireTime(0, keys[next()], FAR_FUTURE_MS + (i & 1023)),
    exists: () => do_not_optimize(ks.exists(0, keys[next()])),
  };
}

const results = {};
for (let run = 1; run <= RUNS; run++) {
  const order = run % 2 === 1 ? [...ENGINE_NAMES] : [...ENGINE_NAMES].reverse();
  for (const name of order) {
    const ks = createKeyspace(name, 16);
    const t0 = performance.now();
    for (let i = 0; i < KEYS; i++) ks.set(0, keys[i], value);
    const loadNs = ((performance.now() - t0) * 1e6) / KEYS;
    if (results[name] === undefined) results[name] = { 'load (set new)': [] };
    results[name]['load (set new)'].push(loadNs);
    for (const [op, fn] of Object.entries(ops(ks))) {
      const stats = await measure(fn, { min_cpu_time: 300e6 });
      if (results[name][op] === undefined) results[name][op] = [];
      results[name][op].push(stats.avg);
    }
    process.stderr.write(`run ${run}/${RUNS}: ${name} done\n`);
  }
}

const opNames = Object.keys(results[ENGINE_NAMES[0]]);
const header = ['op'];
for (const name of ENGINE_NAMES) header.push(`${name} ns/op`, `${name} ops/s`);
header.push(`speed ${ENGINE_NAMES[1]}/${ENGINE_NAMES[0]}`);
const rows = opNames.map((op) => {
  const row = [op];
  const ns = ENGINE_NAMES.map((name) => median(results[name][op]));
  for (const v of ns) row.push(v.toFixed(0), Math.round(1e9 / v).toLocaleString('en-US'));
  row.push(`${(ns[0] / ns[1]).toFixed(2)}x`);
  return row;
});
const table = markdownTable(header, rows);
const machine = machineInfo();
const md = [
  `# Keyspace engines, in process (${KEYS.toLocaleString('en-US')} keys, ${VALUE_BYTES}-byte values)`,
  '',
  `Medians of ${RUNS} runs. \`node bench/engine.mjs --keys ${KEYS} --runs ${RUNS} --value-bytes ${VALUE_BYTES}\``,
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}.`,
  '',
  table,
].join('\n');
console.log(md);
const [mdPath] = writeResults('engine', md, {
  keys: KEYS,
  valueBytes: VALUE_BYTES,
  runs: RUNS,
  machine,
  results,
});
console.log(`\nwritten to ${mdPath}`);
