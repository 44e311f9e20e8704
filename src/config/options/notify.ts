/**
 * `notify-keyspace-events`: which keyspace notifications are published, as Redis's class letters
 * (notify.c). Parsed into bits once per change; rendered back in Redis's canonical order, which
 * is what CONFIG GET shows. Concatenated into OPTIONS by ../schema.ts.
 */
import type { OptionSpec } from '../schema.js';

/** The class bits, Redis's NOTIFY_* values. */
export const NOTIFY_KEYSPACE = 1 << 0; // K: __keyspace@<db>__:<key> <event>
export const NOTIFY_KEYEVENT = 1 << 1; // E: __keyevent@<db>__:<event> <key>
export const NOTIFY_GENERIC = 1 << 2; // g: DEL, EXPIRE, RENAME, ...
export const NOTIFY_STRING = 1 << 3; // $
export const NOTIFY_LIST = 1 << 4; // l
export const NOTIFY_SET = 1 << 5; // s
export const NOTIFY_HASH = 1 << 6; // h
export const NOTIFY_ZSET = 1 << 7; // z
export const NOTIFY_EXPIRED = 1 << 8; // x: a key removed because its TTL passed
export const NOTIFY_EVICTED = 1 << 9; // e: a key removed by maxmemory eviction
export const NOTIFY_STREAM = 1 << 10; // t
export const NOTIFY_KEY_MISS = 1 << 11; // m: a read of a key that does not exist
export const NOTIFY_MODULE = 1 << 13; // d: module key types (accepted; Cairn has no modules)
export const NOTIFY_NEW = 1 << 14; // n: a key added to the keyspace
/** `A`: every class but m and n (which are noisy, so never implied). */
export const NOTIFY_ALL =
  NOTIFY_GENERIC |
  NOTIFY_STRING |
  NOTIFY_LIST |
  NOTIFY_SET |
  NOTIFY_HASH |
  NOTIFY_ZSET |
  NOTIFY_EXPIRED |
  NOTIFY_EVICTED |
  NOTIFY_STREAM |
  NOTIFY_MODULE;

/** Letter -> bit, for parsing; also the bit of each NotifyClass a command passes. */
export const NOTIFY_CLASS_BITS: Readonly<Record<string, number>> = {
  A: NOTIFY_ALL,
  g: NOTIFY_GENERIC,
  $: NOTIFY_STRING,
  l: NOTIFY_LIST,
  s: NOTIFY_SET,
  h: NOTIFY_HASH,
  z: NOTIFY_ZSET,
  x: NOTIFY_EXPIRED,
  e: NOTIFY_EVICTED,
  K: NOTIFY_KEYSPACE,
  E: NOTIFY_KEYEVENT,
  t: NOTIFY_STREAM,
  m: NOTIFY_KEY_MISS,
  d: NOTIFY_MODULE,
  n: NOTIFY_NEW,
};

/** Redis's wording when a letter is not a class. */
export const INVALID_NOTIFY_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/** Redis's keyspaceEventsStringToFlags: the bits of a class string, null for a bad letter. */
export function parseNotifyFlags(classes: string): number | null {
  let flags = 0;
  for (const c of classes) {
    const bit = Object.hasOwn(NOTIFY_CLASS_BITS, c) ? NOTIFY_CLASS_BITS[c] : undefined;
    if (bit === undefined) return null;
    flags |= bit;
  }
  return flags;
}

/** The classes shown one letter each when not all of `A` is on, in Redis's order. */
const CLASS_ORDER: ReadonlyArray<[string, number]> = [
  ['g', NOTIFY_GENERIC],
  ['$', NOTIFY_STRING],
  ['l', NOTIFY_LIST],
  ['s', NOTIFY_SET],
  ['h', NOTIFY_HASH],
  ['z', NOTIFY_ZSET],
  ['x', NOTIFY_EXPIRED],
  ['e', NOTIFY_EVICTED],
  ['t', NOTIFY_STREAM],
  ['d', NOTIFY_MODULE],
  ['n', NOTIFY_NEW],
];

/**
 * Redis's keyspaceEventsFlagsToString: `A` for every class of A (and then `n` is not shown,
 * as in Redis), else the class letters in a fixed order; then K, E and m.
 */
export function renderNotifyFlags(flags: number): string {
  let s = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) s = 'A';
  else for (const [c, bit] of CLASS_ORDER) if (flags & bit) s += c;
  if (flags & NOTIFY_KEYSPACE) s += 'K';
  if (flags & NOTIFY_KEYEVENT) s += 'E';
  if (flags & NOTIFY_KEY_MISS) s += 'm';
  return s;
}

/**
 * Parse a class string: the canonical form CONFIG GET shows, and the bits as the option's number
 * (`config.int`), since the form alone can lose `n` (Redis shows `AKEn` as `AKE` yet keeps n on).
 */
export function normaliseNotifyFlags(raw: string): { value: string; number: number } | { error: string } {
  const flags = parseNotifyFlags(raw);
  if (flags === null) return { error: INVALID_NOTIFY_CLASS };
  return { value: renderNotifyFlags(flags), number: flags };
}

export const NOTIFY_OPTIONS = [
  {
    name: 'notify-keyspace-events',
    type: 'string',
    default: '',
    mutable: true,
    doc: 'Keyspace notifications to publish, as Redis\'s class letters: K keyspace, E keyevent, g generic, $ string, l list, s set, h hash, z sorted set, x expired, e evicted, t stream, m key miss, n new key, A = g$lshzxetd (e.g. "KEA"; empty = off)',
    normalise: normaliseNotifyFlags,
  },
] as const satisfies readonly OptionSpec[];
