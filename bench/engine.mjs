/**
 * Keyspace engines side by side, in process: direct get/set/delete/expire calls on every
 * engine `createKeyspace` knows (src/engine/create.ts), with the same preloaded keys. Reports
 * ns/op and ops/s (medians of runs, mitata's per-op average in each run) and writes them to
 * bench/results/. Not a server benchmark: no sockets, no parsing (see bench/resp.mjs).
 *
 *   npm run bench:engine
 *   node bench/engine.mjs --keys 100000 --runs 5 --value-bytes 32
 *   node bench/engine.mjs --key-format prefixed    # long shared prefixes: also runs the
 *                                                  # off-heap engine with prefix compression off
 */
import { parseArgs } from 'node:util';
import { do_not_optimize, measure } from 'mitata';
import { createKeyspace, ENGINE_NAMES } from '../dist/engine/create.js';
import { OffHeapKeyspace } from '../dist/engine/offheap/keyspace.js';
import { machineInfo, markdownTable, median, writeResults } from './lib/report.mjs';

const { values: flags } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    'value-bytes': { type: 'string', default: '32' },
    'key-format': { type: 'string', default: 'plain' },
  },
});
const KEYS = Number(flags.keys);
const RUNS = Number(flags.runs);
const VALUE_BYTES = Number(flags['value-bytes']);
/** Keys are visited in a scattered order, so the measurement is not one warm cache line. */
const STRIDE = 7919;

const PREFIXED = flags['key-format'] === 'prefixed';
const keyName = PREFIXED
  ? (i) => `tenant:${i % 10}:region:eu-west-1:service:session-store:user:${i}`
  : (i) => `key:${i}`;
const keys = Array.from({ length: KEYS }, (_, i) => Buffer.from(keyName(i)));
const missing = Array.from({ length: KEYS }, (_, i) => Buffer.from(`missing:${keyName(i)}`));
/** Every engine; with prefixed keys also the off-heap engine without prefix compression. */
const VARIANTS = [...ENGINE_NAMES.map((name) => [name, () => createKeyspace(name, 16)])];
if (PREFIXED)
  VARIANTS.push(['offheap-noprefix', () => new OffHeapKeyspace(16, undefined, { prefixCompression: false })]);
const NAMES = VARIANTS.map(([name]) => name);
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
  const order = run % 2 === 1 ? [...VARIANTS] : [...VARIANTS].reverse();
  for (const [name, make] of order) {
    const ks = make();
    const t0 = performance.now();
    for (let i = 0; i < KEYS; i++) ks.set(0, keys[i], value);
    const loadNs = ((performance.now() - t0) * 1e6) / KEYS;
    if (results[name] === undefined) results[name] = { 'load (set new)': [], 'bytes/key (usedMemory)': [] };
    results[name]['load (set new)'].push(loadNs);
    results[name]['bytes/key (usedMemory)'].push(ks.usedMemory() / KEYS);
    for (const [op, fn] of Object.entries(ops(ks))) {
      const stats = await measure(fn, { min_cpu_time: 300e6 });
      if (results[name][op] === undefined) results[name][op] = [];
      results[name][op].push(stats.avg);
    }
    process.stderr.write(`run ${run}/${RUNS}: ${name} done\n`);
  }
}

const opNames = Object.keys(results[NAMES[0]]).filter((op) => !op.startsWith('bytes/key'));
const header = ['op'];
for (const name of NAMES) header.push(`${name} ns/op`, `${name} ops/s`);
header.push(`speed ${NAMES[1]}/${NAMES[0]}`);
const rows = opNames.map((op) => {
  const row = [op];
  const ns = NAMES.map((name) => median(results[name][op]));
  for (const v of ns) row.push(v.toFixed(0), Math.round(1e9 / v).toLocaleString('en-US'));
  row.push(`${(ns[0] / ns[1]).toFixed(2)}x`);
  return row;
});
const memRow = ['bytes/key (usedMemory)'];
for (const name of NAMES) memRow.push(median(results[name]['bytes/key (usedMemory)']).toFixed(1), '');
memRow.push('');
rows.push(memRow);
const table = markdownTable(header, rows);
const machine = machineInfo();
const md = [
  `# Keyspace engines, in process (${KEYS.toLocaleString('en-US')} keys${PREFIXED ? ' with long shared prefixes' : ''}, ${VALUE_BYTES}-byte values)`,
  '',
  `Medians of ${RUNS} runs. \`node bench/engine.mjs --keys ${KEYS} --runs ${RUNS} --value-bytes ${VALUE_BYTES} --key-format ${flags['key-format']}\``,
  `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}.`,
  '',
  table,
].join('\n');
console.log(md);
const [mdPath] = writeResults(PREFIXED ? 'engine-prefixed' : 'engine', md, {
  keys: KEYS,
  valueBytes: VALUE_BYTES,
  keyFormat: flags['key-format'],
  runs: RUNS,
  machine,
  results,
});
console.log(`\nwritten to ${mdPath}`);
