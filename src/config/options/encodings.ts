/**
 * Thresholds between the compact and the large encodings of collections (Redis's names and
 * defaults); concatenated into OPTIONS by ../schema.ts and applied to the keyspace's
 * EncodingLimits by src/server/tuning.ts. The `*-ziplist-*` names of older Redis versions are
 * aliases (ENCODING_ALIASES).
 */
import type { OptionSpec } from '../schema.js';

const MAX_INT32 = 2_147_483_647;

export const ENCODING_OPTIONS = [
  {
    name: 'hash-max-listpack-entries',
    type: 'int',
    default: '128',
    min: 0,
    max: MAX_INT32,
    mutable: true,
    doc: 'Hashes with more fields than this use the hashtable encoding',
  },
  {
    name: 'hash-max-listpack-value',
    type: 'int',
    default: '64',
    min: 0,
    max: MAX_INT32,
    mutable: true,
    doc: 'Hashes with a field or value longer than this (bytes) use the hashtable encoding',
  },
  {
    name: 'set-max-intset-entries',
    type: 'int',
    default: '512',
    min: 0,
    max: MAX_INT32,
    mutable: true,
    doc: 'Sets of integers with more members than this use the hashtable encoding',
  },
  {
    name: 'zset-max-listpack-entries',
    type: 'int',
    default: '128',
    min: 0,
    max: MAX_INT32,
    mutable: true,
    doc: 'Sorted sets with more members than this use the skiplist encoding',
  },
  {
    name: 'zset-max-listpack-value',
    type: 'int',
    default: '64',
    min: 0,
    max: MAX_INT32,
    mutable: true,
    doc: 'Sorted sets with a member longer than this (bytes) use the skiplist encoding',
  },
  {
    name: 'list-max-listpack-size',
    type: 'int',
    default: '-2',
    min: -5,
    max: MAX_INT32,
    mutable: true,
    doc: 'Size of each quicklist node: entries when positive, -1..-5 for 4..64 KB (accepted as Redis does; lists report quicklist)',
  },
  {
    name: 'list-compress-depth',
    type: 'int',
    default: '0',
    min: 0,
    max: MAX_INT32,
    mutable: true,
    doc: 'Quicklist nodes kept uncompressed at each end (accepted as Redis does)',
  },
  {
    name: 'hll-sparse-max-bytes',
    type: 'bytes',
    default: '3000',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    mutable: true,
    doc: 'HyperLogLogs whose sparse encoding would grow past this many bytes (header included) become dense',
  },
] as const satisfies readonly OptionSpec[];

/** Older names Redis still accepts, to the current ones. */
export const ENCODING_ALIASES: Readonly<Record<string, string>> = {
  'hash-max-ziplist-entries': 'hash-max-listpack-entries',
  'hash-max-ziplist-value': 'hash-max-listpack-value',
  'zset-max-ziplist-entries': 'zset-max-listpack-entries',
  'zset-max-ziplist-value': 'zset-max-listpack-value',
  'list-max-ziplist-size': 'list-max-listpack-size',
};
