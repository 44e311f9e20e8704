/**
 * The RESP door's bounds, read from the live configuration. One `DoorLimits` object is shared by
 * every connection of a door and updated in place when CONFIG SET changes an option, so the hot
 * path reads plain fields.
 */
import { parseBytes } from '../../config/schema.js';
import type { ConfigStore } from '../../config/store.js';
import type { ParserLimits } from './parser.js';

export interface OutputLimits {
  /** Disconnect at once past this many pending output bytes (0 = no limit). */
  hardBytes: number;
  /** Disconnect when past this many bytes for longer than `softMs` (0 = no limit). */
  softBytes: number;
  softMs: number;
}

export interface DoorLimits {
  parser: ParserLimits;
  /** Output limits of the `normal` class. */
  output: OutputLimits;
  /** Output limits of the `pubsub` class: clients holding a subscription (on RESP2 or RESP3). */
  pubsubOutput: OutputLimits;
  /** Output limits of the `replica` class (alias `slave`): connections fed the replication stream. */
  replicaOutput: OutputLimits;
  /** Close clients idle this long (0 = never). */
  idleMs: number;
  /** TCP keepalive probe delay (0 = off). */
  keepAliveMs: number;
}

const RELEVANT = new Set([
  'proto-max-bulk-len',
  'proto-max-multibulk-len',
  'proto-inline-max-size',
  'client-query-buffer-limit',
  'client-output-buffer-limit',
  'timeout',
  'tcp-keepalive',
]);

/** Redis's default for the pubsub class: `pubsub 32mb 8mb 60`. */
export const PUBSUB_OUTPUT_DEFAULT: Readonly<OutputLimits> = {
  hardBytes: 32 * 1024 * 1024,
  softBytes: 8 * 1024 * 1024,
  softMs: 60_000,
};

/** Redis's default for the replica class: `replica 256mb 64mb 60`. */
export const REPLICA_OUTPUT_DEFAULT: Readonly<OutputLimits> = {
  hardBytes: 256 * 1024 * 1024,
  softBytes: 64 * 1024 * 1024,
  softMs: 60_000,
};

const CLASSES = new Set(['normal', 'pubsub', 'replica', 'slave']);

/**
 * Parse `client-output-buffer-limit` as Redis writes it: groups of `<class> <hard> <soft>
 * <soft-seconds>`, for the classes normal, pubsub and replica (alias slave). Only the classes
 * named are returned; null when malformed.
 */
export function parseOutputLimitClasses(
  value: string,
): { normal?: OutputLimits; pubsub?: OutputLimits; replica?: OutputLimits } | null {
  const words = value
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length % 4 !== 0) return null;
  const found: { normal?: OutputLimits; pubsub?: OutputLimits; replica?: OutputLimits } = {};
  for (let i = 0; i < words.length; i += 4) {
    const cls = words[i].toLowerCase();
    const hard = parseBytes(words[i + 1]);
    const soft = parseBytes(words[i + 2]);
    const secs = /^\d+$/.test(words[i + 3]) ? Number(words[i + 3]) : null;
    if (!CLASSES.has(cls) || hard === null || soft === null || secs === null || hard < 0 || soft < 0)
      return null;
    const lim = { hardBytes: hard, softBytes: soft, softMs: secs * 1000 };
    if (cls === 'normal' || cls === 'pubsub') found[cls] = lim;
    else found.replica = lim;
  }
  return found;
}

/** The `normal` class of `client-output-buffer-limit` (no limit when not named); null when malformed. */
export function parseOutputLimits(value: string): OutputLimits | null {
  const classes = parseOutputLimitClasses(value);
  if (classes === null) return null;
  return classes.normal ?? { hardBytes: 0, softBytes: 0, softMs: 0 };
}

export function readLimits(config: ConfigStore, into?: DoorLimits): DoorLimits {
  const limits: DoorLimits = into ?? {
    parser: { maxBulkLen: 0, maxMultibulkLen: 0, maxInlineSize: 0, maxQueryBuffer: 0 },
    output: { hardBytes: 0, softBytes: 0, softMs: 0 },
    pubsubOutput: { ...PUBSUB_OUTPUT_DEFAULT },
    replicaOutput: { ...REPLICA_OUTPUT_DEFAULT },
    idleMs: 0,
    keepAliveMs: 0,
  };
  limits.parser.maxBulkLen = config.int('proto-max-bulk-len');
  limits.parser.maxMultibulkLen = config.int('proto-max-multibulk-len');
  limits.parser.maxInlineSize = config.int('proto-inline-max-size');
  limits.parser.maxQueryBuffer = config.int('client-query-buffer-limit');
  // As CONFIG SET in Redis, a class the value does not name keeps its limits.
  const classes = parseOutputLimitClasses(config.get('client-output-buffer-limit'));
  if (classes?.normal !== undefined) Object.assign(limits.output, classes.normal);
  if (classes?.pubsub !== undefined) Object.assign(limits.pubsubOutput, classes.pubsub);
  if (classes?.replica !== undefined) Object.assign(limits.replicaOutput, classes.replica);
  limits.idleMs = config.int('timeout') * 1000;
  limits.keepAliveMs = config.int('tcp-keepalive') * 1000;
  return limits;
}

/** Keep `limits` current; returns the unsubscribe function. */
export function followLimits(config: ConfigStore, limits: DoorLimits): () => void {
  return config.onChange((name) => {
    if (RELEVANT.has(name)) readLimits(config, limits);
  });
}
