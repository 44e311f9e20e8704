/**
 * Coverage-guided fuzzing with Jazzer.js (libFuzzer in-process) of the targets in fuzz/targets/.
 *
 *   npm run fuzz -- --minutes 30                 # every target, time shared by weight
 *   npm run fuzz -- --minutes 5 --target resp    # one target
 *
 * Targets run the compiled server code: build first (`npm run build`). Seeds come from
 * fuzz/corpus/<target>/ (small, committed); what the fuzzer generates goes to a scratch corpus in
 * os.tmpdir(), named at the end (libFuzzer's -merge does not work in-process: promoting an input
 * to a seed is done by hand). An input that fails a target is written to fuzz/fixtures/<target>/ (committed,
 * replayed by test/fuzz-fixtures.test.ts); after a finding the target starts again for the rest
 * of its time. Prints executions, executions per second and findings per target.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const FUZZ_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(FUZZ_DIR, '..');
const TARGETS = { resp: { weight: 2, maxLen: 4096 }, http: { weight: 1, maxLen: 2048 } };
/** Restarts after findings, per target: past this the target has a bug to fix first. */
const MAX_FINDINGS = 5;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    target: { type: 'string' },
  },
});
const minutes = Number(values.minutes);
if (!(minutes > 0)) throw new Error('--minutes must be a positive number');
const names = values.target === undefined ? Object.keys(TARGETS) : [values.target];
for (const n of names) if (!(n in TARGETS)) throw new Error(`unknown target ${n}: ${Object.keys(TARGETS)}`);
const totalWeight = names.reduce((s, n) => s + TARGETS[n].weight, 0);

const JAZZER = join(ROOT, 'node_modules', '@jazzer.js', 'core', 'dist', 'cli.js');
const COMPAT = join(FUZZ_DIR, 'native-compat.mjs');

/** Run Jazzer once; resolves with its exit code and libFuzzer's final statistics. */
function jazzer(target, corpora, libFuzzerArgs) {
  const args = [
    '--import',
    COMPAT,
    JAZZER,
    join(FUZZ_DIR, 'targets', `${target}.mjs`),
    ...corpora,
    '--sync',
    '-i',
    `${join('dist', 'protocols')}/`,
    '--',
    ...libFuzzerArgs,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (c) => {
      process.stderr.write(c);
      tail = (tail + c.toString()).slice(-20000);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      // libFuzzer's status lines start `#<executions>`; the last one has the total.
      const counts = [...tail.matchAll(/^#(\d+)\s/gm)];
      resolve({
        code: code ?? (signal ? 128 : 0),
        execs: counts.length > 0 ? Number(counts[counts.length - 1][1]) : 0,
        tail,
      });
    });
  });
}

async function fuzzTarget(name, seconds) {
  const seeds = join(FUZZ_DIR, 'corpus', name);
  const fixtures = join(FUZZ_DIR, 'fixtures', name);
  mkdirSync(fixtures, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), `cairn-fuzz-${name}-`));
  const before = new Set(readdirSync(fixtures));
  const deadline = Date.now() + seconds * 1000;
  let execs = 0;
  let secs = 0;
  let runs = 0;
  while (runs < MAX_FINDINGS + 1) {
    const left = Math.floor((deadline - Date.now()) / 1000);
    if (left < 5) break;
    runs++;
    const started = Date.now();
    const r = await jazzer(
      name,
      [scratch, seeds],
      [
        `-max_total_time=${left}`,
        `-max_len=${TARGETS[name].maxLen}`,
        `-dict=${join(FUZZ_DIR, 'dict', `${name}.dict`)}`,
        `-artifact_prefix=${fixtures}/`,
        '-print_final_stats=1',
        '-timeout=10',
        '-rss_limit_mb=2048',
      ],
    );
    execs += r.execs;
    secs += (Date.now() - started) / 1000;
    if (r.code === 0) break;
    if (!/crash-|timeout-|oom-|leak-/.test(r.tail)) throw new Error(`jazzer failed (exit ${r.code})`);
  }
  const found = readdirSync(fixtures).filter((f) => !before.has(f));
  return {
    name,
    seconds: Math.round(secs),
    execs,
    perSecond: secs > 0 ? Math.round(execs / secs) : 0,
    found,
    scratch,
  };
}

const results = [];
for (const name of names) {
  const share = (minutes * 60 * TARGETS[name].weight) / totalWeight;
  process.stderr.write(`\n== fuzzing ${name} for ${Math.round(share)} s ==\n`);
  results.push(await fuzzTarget(name, share));
}
console.log('\ntarget  seconds  executions  exec/s  new fixtures  (scratch corpus)');
for (const r of results) {
  console.log(
    `${r.name.padEnd(6)}  ${String(r.seconds).padStart(7)}  ${String(r.execs).padStart(10)}  ` +
      `${String(r.perSecond).padStart(6)}  ${r.found.length === 0 ? '-' : r.found.join(' ')}  (${r.scratch})`,
  );
}
process.exitCode = results.some((r) => r.found.length > 0) ? 1 : 0;
