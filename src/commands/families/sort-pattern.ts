/**
 * SORT's BY and GET patterns (sort.c's lookupKeyByPattern):
 * - `#` (as a C string: `#` then the end or a NUL byte) stands for the element itself;
 * - otherwise the first `*` is replaced by the element to make a key name, and a pattern with
 *   no `*` names no key at all (GET answers nil, BY sorts nothing);
 * - `->field` after the `*` reads that field of a hash (the text after the first `->`, which
 *   must not be empty: `x:*->` names the string key `x:<element>->`).
 * The `*` and `->` are searched as C does, up to the first NUL byte of the pattern; the key and
 * field take the bytes as they are. A key of another type reads as missing. Lookups count as
 * keyspace hits or misses and a miss notifies `keymiss`, as Redis's lookupKeyRead does.
 */
import { HashValue } from '../../engine/values/hash.js';
import type { CommandContext } from '../context.js';
import { lookupValue } from './lookup.js';

export type SortPattern =
  | { readonly kind: 'self' }
  | { readonly kind: 'none' }
  | { readonly kind: 'key'; readonly prefix: Buffer; readonly suffix: Buffer; readonly field: string | null };

const STAR = 0x2a;
const HASH_SIGN = 0x23;
const DASH = 0x2d;
const GT = 0x3e;

/** Length of the pattern as a C string (up to the first NUL). */
function cLength(p: Buffer): number {
  const z = p.indexOf(0);
  return z < 0 ? p.length : z;
}

/** Does the pattern contain a `*` (as C's strchr sees it)? A BY without one sorts nothing. */
export function hasStar(p: Buffer): boolean {
  const star = p.indexOf(STAR);
  return star >= 0 && star < cLength(p);
}

export function compilePattern(p: Buffer): SortPattern {
  if (p.length > 0 && p[0] === HASH_SIGN && (p.length === 1 || p[1] === 0)) return { kind: 'self' };
  const clen = cLength(p);
  const star = p.indexOf(STAR);
  if (star < 0 || star >= clen) return { kind: 'none' };
  let arrow = -1;
  for (let i = star + 1; i + 1 < clen; i++) {
    if (p[i] === DASH && p[i + 1] === GT) {
      arrow = i;
      break;
    }
  }
  // The field must not be empty: the byte after `->` is neither the end nor a NUL.
  if (arrow >= 0 && (arrow + 2 >= p.length || p[arrow + 2] === 0)) arrow = -1;
  if (arrow < 0)
    return { kind: 'key', prefix: p.subarray(0, star), suffix: p.subarray(star + 1), field: null };
  return {
    kind: 'key',
    prefix: p.subarray(0, star),
    suffix: p.subarray(star + 1, arrow),
    field: p.toString('latin1', arrow + 2),
  };
}

/** The value the pattern names for `element` (latin1), or null when there is none. */
export function lookupByPattern(ctx: CommandContext, pat: SortPattern, element: string): string | null {
  if (pat.kind === 'self') return element;
  if (pat.kind === 'none') return null;
  const elen = Buffer.byteLength(element, 'latin1');
  const key = Buffer.allocUnsafe(pat.prefix.length + elen + pat.suffix.length);
  pat.prefix.copy(key, 0);
  key.write(element, pat.prefix.length, 'latin1');
  pat.suffix.copy(key, pat.prefix.length + elen);
  const v = lookupValue(ctx, key);
  if (v === null) return null;
  if (pat.field !== null) return v instanceof HashValue ? (v.get(pat.field) ?? null) : null;
  return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.length).toString('latin1') : null;
}
