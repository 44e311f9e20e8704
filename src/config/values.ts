/** Parsing and checking option values against their spec (sizes with units, bounds, enums). */
import type { OptionSpec } from './schema.js';

const UNITS: Record<string, number> = {
  k: 1000,
  kb: 1024,
  m: 1000 ** 2,
  mb: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1024 ** 3,
};

/** Parse Redis-style memory sizes: `100`, `64kb`, `1gb`, `1g`. Null when malformed. */
export function parseBytes(s: string): number | null {
  const m = /^(-?\d+)([kmg]b?)?$/i.exec(s.trim());
  if (m === null) return null;
  const n = Number(m[1]);
  const unit = m[2] ? UNITS[m[2].toLowerCase()] : 1;
  return n * unit;
}

/**
 * Check and normalise a value for an option. Returns the canonical string form (what CONFIG GET
 * shows) or an error message.
 */
export function normalise(
  spec: OptionSpec,
  raw: string,
): { value: string; number?: number } | { error: string } {
  if (spec.normalise !== undefined) return spec.normalise(raw);
  switch (spec.type) {
    case 'int':
    case 'bytes': {
      const n = spec.type === 'bytes' ? parseBytes(raw) : /^-?\d+$/.test(raw.trim()) ? Number(raw) : null;
      if (n === null || !Number.isSafeInteger(n))
        return { error: `argument couldn't be parsed into an integer` };
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max))
        return { error: `argument must be between ${spec.min} and ${spec.max} inclusive` };
      return { value: String(n) };
    }
    case 'bool': {
      const v = raw.toLowerCase();
      if (v === 'yes' || v === 'true' || v === '1') return { value: 'yes' };
      if (v === 'no' || v === 'false' || v === '0') return { value: 'no' };
      return { error: "argument must be 'yes' or 'no'" };
    }
    case 'enum': {
      const v = raw.toLowerCase();
      if (!spec.values?.includes(v))
        return { error: `argument(s) must be one of the following: ${spec.values?.join(', ')}` };
      return { value: v };
    }
    default:
      return { value: raw };
  }
}
