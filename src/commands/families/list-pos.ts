/**
 * LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len], as Redis 7.0's lposCommand:
 * options are checked before the key, the last of a repeated option wins, and RANK's sign
 * picks the direction of the scan.
 */
import { str } from '../../engine/values/collection.js';
import { ListValue } from '../../engine/values/list.js';
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { interrupted, optIs } from './lookup.js';
import { lookupReadTyped } from './typed.js';

const INT64_MIN = -(1n << 63n);
/** Check for a cancelled client every this many items scanned. */
const CHECK_EVERY = 4096;

const rankZero = new ErrorReply(
  'ERR',
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
);
const countNegative = new ErrorReply('ERR', "ERR COUNT can't be negative");
const maxlenNegative = new ErrorReply('ERR', "ERR MAXLEN can't be negative");

function lpos(ctx: CommandContext, argv: Buffer[]): Reply {
  let rank = 1n;
  let count = -1n; // -1: COUNT not given
  let maxlen = 0n;
  for (let j = 3; j < argv.length; j++) {
    const more = j + 1 < argv.length;
    if (optIs(argv[j], 'rank') && more) {
      const r = parseInt64(argv[++j]);
      if (r === null) return Errors.notInteger;
      if (r === 0n) return rankZero;
      rank = r;
    } else if (optIs(argv[j], 'count') && more) {
      const c = parseInt64(argv[++j]);
      if (c === null || c < 0n) return countNegative;
      count = c;
    } else if (optIs(argv[j], 'maxlen') && more) {
      const m = parseInt64(argv[++j]);
      if (m === null || m < 0n) return maxlenNegative;
      maxlen = m;
    } else return Errors.syntax;
  }
  const l = lookupReadTyped(ctx, argv[1], ListValue);
  if (l === null) return count !== -1n ? [] : null;
  if (l instanceof ErrorReply) return l;
  // Redis negates a negative rank in a C long: LLONG_MIN stays negative, so every match is
  // past the rank and the COUNT test overflows and never stops the scan.
  const fromTail = rank < 0n;
  const wild = rank === INT64_MIN;
  const want = wild ? 1 : Number(fromTail ? -rank : rank);
  const limit = wild ? 0 : Number(count);
  const scan = maxlen === 0n ? Number.POSITIVE_INFINITY : Number(maxlen);
  const ele = str(argv[2]);
  const len = l.size();
  const found: number[] = [];
  let matches = 0;
  for (let k = 0; k < len && k < scan; k++) {
    if (k % CHECK_EVERY === CHECK_EVERY - 1) {
      const stop = interrupted(ctx);
      if (stop !== null) return stop;
    }
    const i = fromTail ? len - 1 - k : k;
    if (l.at(i) !== ele) continue;
    matches++;
    if (matches < want) continue;
    if (count === -1n) return i;
    found.push(i);
    if (limit !== 0 && matches - want + 1 >= limit) break;
  }
  return count === -1n ? null : found;
}

export const listPosCommand: CommandSpec = command({
  group: 'list',
  name: 'lpos',
  arity: -3,
  flags: ['readonly'],
  firstKey: 1,
  lastKey: 1,
  step: 1,
  summary: 'Return the index of matching elements on a list',
  since: '6.0.6',
  complexity:
    'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.',
  syntax: 'key element [RANK rank] [COUNT num-matches] [MAXLEN len]',
  handler: lpos,
});
