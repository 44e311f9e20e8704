/**
 * Stream node sizes (Redis's names, defaults and bounds): a stream starts a new node (a
 * listpack in Redis) when its tail node holds this many entries or bytes. They decide what an
 * approximate trim (`~`) can remove, so they are part of the observable behaviour.
 */
import type { OptionSpec } from '../schema.js';

const INT64_MAX = (1n << 63n) - 1n;

/** Redis's long long config: any int64 from 0 up. */
function nonNegativeInt64(raw: string): { value: string; number: number } | { error: string } {
  const s = raw.trim();
  if (!/^-?\d+$/.test(s)) return { error: "argument couldn't be parsed into an integer" };
  const v = BigInt(s);
  if (v < 0n || v > INT64_MAX) return { error: `argument must be between 0 and ${INT64_MAX} inclusive` };
  return { value: v.toString(), number: Number(v) };
}

export const STREAM_OPTIONS = [
  {
    name: 'stream-node-max-entries',
    type: 'string',
    default: '100',
    mutable: true,
    doc: 'Entries (live or deleted) a stream node holds before a new one starts (0: no limit)',
    normalise: nonNegativeInt64,
  },
  {
    name: 'stream-node-max-bytes',
    type: 'bytes',
    default: '4096',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    mutable: true,
    doc: 'Bytes a stream node (as a Redis listpack) reaches before a new one starts (0: no limit)',
  },
] as const satisfies readonly OptionSpec[];
