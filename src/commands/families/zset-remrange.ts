/**
 * ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX, as Redis's zremrangeGenericCommand: the
 * range is parsed before the key is looked up, and a range that removes nothing changes (and
 * signals) nothing.
 */
import { type NodeRange, ZSetValue } from '../../engine/values/zset.js';
import { ErrorReply } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { notifyChanged } from './keyspace-events.js';
import { beginChange, endChange, lookupWriteTyped } from './typed.js';
import {
  notFloatRange,
  notLexRange,
  parseLexRange,
  parseLong,
  parseScoreRange,
  rankRange,
} from './zset-args.js';

type RangeType = 'rank' | 'score' | 'lex';

/** The parsed range: 0-based ranks as given, or a score / lex interval. */
function parseRange(argv: Buffer[], type: RangeType): [number, number] | NodeRange | ErrorReply {
  if (type === 'rank') {
    const start = parseLong(argv[2]);
    if (start instanceof ErrorReply) return start;
    const end = parseLong(argv[3]);
    if (end instanceof ErrorReply) return end;
    return [start, end];
  }
  if (type === 'score') return parseScoreRange(argv[2], argv[3]) ?? notFloatRange;
  return parseLexRange(argv[2], argv[3]) ?? notLexRange;
}

function zremrangeGeneric(ctx: CommandContext, argv: Buffer[], type: RangeType): Reply {
  const range = parseRange(argv, type);
  if (range instanceof ErrorReply) return range;
  const key = argv[1];
  const z = lookupWriteTyped(ctx, key, ZSetValue);
  if (z === null || z instanceof ErrorReply) return z ?? 0;
  let deleted: number;
  if (Array.isArray(range)) {
    const ranks = rankRange(range[0], range[1], z.size());
    if (ranks === null) return 0;
    beginChange(ctx, key);
    deleted = z.deleteRangeByRank(ranks[0], ranks[1]);
  } else {
    const lex = type === 'lex';
    if (!z.rangeHasDeletions(range, lex)) return 0;
    beginChange(ctx, key);
    deleted = z.deleteRange(range, lex);
  }
  notifyChanged(ctx, 'z', `zremrangeby${type}`, key, endChange(ctx, key));
  return deleted;
}

const ZSET = { group: 'sorted-set', firstKey: 1, lastKey: 1, step: 1 } as const;
const COMPLEXITY =
  'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.';

export const zsetRemoveRangeCommands: readonly CommandSpec[] = [
  command({
    ...ZSET,
    name: 'zremrangebyrank',
    arity: 4,
    flags: ['write'],
    summary: 'Remove all members in a sorted set within the given indexes',
    since: '2.0.0',
    complexity: COMPLEXITY,
    syntax: 'key start stop',
    handler: (ctx, argv) => zremrangeGeneric(ctx, argv, 'rank'),
  }),
  command({
    ...ZSET,
    name: 'zremrangebyscore',
    arity: 4,
    flags: ['write'],
    summary: 'Remove all members in a sorted set within the given scores',
    since: '1.2.0',
    complexity: COMPLEXITY,
    syntax: 'key min max',
    handler: (ctx, argv) => zremrangeGeneric(ctx, argv, 'score'),
  }),
  command({
    ...ZSET,
    name: 'zremrangebylex',
    arity: 4,
    flags: ['write'],
    summary: 'Remove all members in a sorted set between the given lexicographical range',
    since: '2.8.9',
    complexity: COMPLEXITY,
    syntax: 'key min max',
    handler: (ctx, argv) => zremrangeGeneric(ctx, argv, 'lex'),
  }),
];
