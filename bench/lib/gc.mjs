/**
 * Reading GC pauses of a Cairn started with the observer preloaded
 * (`startCairn({ nodeArgs: gcNodeArgs() })`): lib/gc-observer.mjs writes one stderr line per
 * pause, `cairn-gc <kind> <pause ms> <unix ms>`, which startCairn's logs() collects.
 */
import { fileURLToPath } from 'node:url';

export const GC_OBSERVER = fileURLToPath(new URL('./gc-observer.mjs', import.meta.url));

/** Node arguments that preload the observer (no Cairn flag or env var needed). */
export function gcNodeArgs() {
  return ['--import', GC_OBSERVER];
}

/** Pauses whose start lies in [from, to] (Unix ms), as { kind, ms, at }. */
export function gcPauses(text, from, to) {
  const out = [];
  for (const m of text.matchAll(/^cairn-gc (\S+) ([\d.]+) (\d+)$/gm)) {
    const at = Number(m[3]);
    if (at >= from && at <= to) out.push({ kind: m[1], ms: Number(m[2]), at });
  }
  return out;
}

/** { count, longestMs, longestKind, totalMs, markCompacts } of a list of pauses. */
export function summarizePauses(pauses) {
  let longest = { kind: 'none', ms: 0 };
  let totalMs = 0;
  for (const p of pauses) {
    totalMs += p.ms;
    if (p.ms > longest.ms) longest = p;
  }
  return {
    count: pauses.length,
    longestMs: longest.ms,
    longestKind: longest.kind,
    totalMs,
    markCompacts: pauses.filter((p) => p.kind === 'mark-compact').length,
  };
}
