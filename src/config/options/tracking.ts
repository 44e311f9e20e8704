/**
 * Client-side caching (CLIENT TRACKING); concatenated into OPTIONS by ../schema.ts.
 * See src/commands/tracking.ts.
 */
import type { OptionSpec } from '../schema.js';

export const TRACKING_OPTIONS = [
  {
    name: 'tracking-table-max-keys',
    type: 'int',
    default: '1000000',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    mutable: true,
    doc: 'Keys the CLIENT TRACKING table remembers; past it the oldest are invalidated and forgotten (0 = no limit)',
  },
] as const satisfies readonly OptionSpec[];
