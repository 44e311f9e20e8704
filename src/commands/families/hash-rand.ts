/**
 * HRANDFIELD: Redis's hrandfieldCommand and its count cases. A negative count allows repeats;
 * a count at least the hash's size returns the whole hash in its order; otherwise distinct
 * random fields. With WITHVALUES, RESP2 gets a flat field/value array and RESP3 an array of
 * [field, value] pairs, as Redis 7 replies.
 */
import { bytes } from '../../engine/values/collection.js';
import { HashValue } from '../../engine/values/hash.js';
import { ErrorReply, Errors } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import {
  countOutOfRange,
  distinctPicks,
  parseRandomCount,
  picksWithRepeats,
  RANDOM_REPEATS_MAX,
  toBuffers,
} from './collection-random.js';
import { optIs } from './lookup.js';
import { lookupReadTyped } from './typed.js';

/** LONG_MAX / 2: past it, twice the count (fields and values) would overflow in Redis. */
const WITHVALUES_COUNT_MAX = 4611686018427387903n;

function reply(ctx: CommandContext, h: HashValue, fields: readonly string[], withValues: boolean): Reply {
  const names = toBuffers(fields, bytes);
  if (!withValues) return names;
  const values = toBuffers(
    fields.map((f) => h.get(f) as string),
    bytes,
  );
  if (ctx.client.resp === 3) return names.map((f, i) => [f, values[i]]);
  const out: Reply[] = new Array(names.length * 2);
  for (let i = 0; i < names.length; i++) {
    out[2 * i] = names[i];
    out[2 * i + 1] = values[i];
  }
  return out;
}

function withCount(ctx: CommandContext, key: Buffer, l: bigint, withValues: boolean): Reply {
  const h = lookupReadTyped(ctx, key, HashValue);
  if (h === null) return [];
  if (h instanceof ErrorReply) return h;
  if (l === 0n) return [];
  const size = h.size();
  const pick = () => h.randomField();
  if (l < 0n) {
    const count = -l;
    if (count * (withValues ? 2n : 1n) > BigInt(RANDOM_REPEATS_MAX)) return countOutOfRange;
    const picks = picksWithRepeats(ctx, Number(count), pick);
    return picks instanceof ErrorReply ? picks : reply(ctx, h, picks, withValues);
  }
  if (l >= BigInt(size)) return reply(ctx, h, [...h.keys()], withValues);
  return reply(
    ctx,
    h,
    distinctPicks(size, Number(l), () => h.keys(), pick),
    withValues,
  );
}

function hrandfield(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length >= 3) {
    const l = parseRandomCount(argv[2]);
    if (l instanceof ErrorReply) return l;
    if (argv.length > 4 || (argv.length === 4 && !optIs(argv[3], 'withvalues'))) return Errors.syntax;
    const withValues = argv.length === 4;
    if (withValues && (l < -WITHVALUES_COUNT_MAX || l > WITHVALUES_COUNT_MAX)) return countOutOfRange;
    return withCount(ctx, argv[1], l, withValues);
  }
  const h = lookupReadTyped(ctx, argv[1], HashValue);
  if (h === null || h instanceof ErrorReply) return h;
  return bytes(h.randomField());
}

export const hashRandCommands: readonly CommandSpec[] = [
  command({
    group: 'hash',
    firstKey: 1,
    lastKey: 1,
    step: 1,
    name: 'hrandfield',
    arity: -2,
    flags: ['readonly'],
    summary: 'Get one or multiple random fields from a hash',
    since: '6.2.0',
    complexity: 'O(N) where N is the number of fields returned',
    syntax: 'key [count [WITHVALUES]]',
    handler: hrandfield,
  }),
];
