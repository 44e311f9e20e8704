/**
 * Redis server directives Cairn implements for the diagnostics commands (LATENCY); concatenated
 * into OPTIONS by ../schema.ts. See src/observability/latency-monitor.ts.
 */
import type { OptionSpec } from '../schema.js';

export const SERVER_COMPAT_OPTIONS = [
  {
    name: 'latency-monitor-threshold',
    type: 'int',
    default: '0',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    mutable: true,
    doc: 'Record a latency event (LATENCY LATEST/HISTORY) for commands and the expiry cycle taking at least this many milliseconds (0 = off)',
  },
] as const satisfies readonly OptionSpec[];
