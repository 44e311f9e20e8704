/**
 * Every input the fuzzer ever failed on (fuzz/fixtures/<target>/) and every seed
 * (fuzz/corpus/<target>/) replayed through the same target function, against the compiled code:
 * a fixed bug stays fixed. The targets check more than "does not throw" (see fuzz/targets/).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzz as http } from '../fuzz/targets/http.mjs';
import { fuzz as resp } from '../fuzz/targets/resp.mjs';
import { REPO_ROOT } from './helpers/cairn.js';

const TARGETS: Record<string, (data: Buffer) => void> = { resp, http };

function inputs(target: string): string[] {
  const out: string[] = [];
  for (const kind of ['fixtures', 'corpus']) {
    const dir = join(REPO_ROOT, 'fuzz', kind, target);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (!f.startsWith('.')) out.push(join(dir, f));
  }
  return out;
}

describe.each(Object.keys(TARGETS))('fuzz target %s', (target) => {
  const files = inputs(target);

  it('has seeds to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => [f.slice(REPO_ROOT.length + 1), f]))('replays %s', (_name, file) => {
    expect(() => TARGETS[target](readFileSync(file))).not.toThrow();
  });
});
