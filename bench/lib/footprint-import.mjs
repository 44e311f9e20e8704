/**
 * Child of bench/footprint.mjs: import the modules named on the command line (package names,
 * `node:` builtins or paths relative to the repository), let the process settle, collect
 * garbage, and print one JSON line: RSS (/proc), V8 heap used, external memory, import time.
 * Run with --expose-gc. `node --expose-gc bench/lib/footprint-import.mjs fastify`
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SETTLE_MS = Number(process.env.FOOTPRINT_SETTLE_MS ?? 1500);

function rssBytes() {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

const hold = [];
const t0 = performance.now();
for (const spec of process.argv.slice(2)) {
  const url =
    spec.startsWith('.') || spec.startsWith('dist/') ? pathToFileURL(join(REPO_ROOT, spec)).href : spec;
  hold.push(await import(url));
}
const importMs = performance.now() - t0;
await new Promise((r) => setTimeout(r, SETTLE_MS));
globalThis.gc?.();
await new Promise((r) => setTimeout(r, 100));
globalThis.gc?.();
const mem = process.memoryUsage();
process.stdout.write(
  `${JSON.stringify({ rss: rssBytes(), heapUsed: mem.heapUsed, external: mem.external, importMs, held: hold.length })}\n`,
);
