/**
 * ZSCAN: members with their scores, through the shared collection scan (collection-scan.ts).
 * A listpack is returned whole, its scores as the listpack holds them; a skiplist's member table
 * is walked live (every member present for the whole scan is returned), scores printed as
 * Redis's ld2string prints them.
 */
import { bytes } from '../../engine/values/collection.js';
import { ZSetValue } from '../../engine/values/zset.js';
import { formatDouble } from '../../util/double.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { collectionScanCommand, type ScanTarget } from './collection-scan.js';
import { lookupReadTyped } from './typed.js';

/** double2ll's bound: integral scores up to 2^62 in magnitude are listpack integers. */
const LISTPACK_INT_LIMIT = 2 ** 62;

/**
 * A score as a listpack stores it: an integral value within double2ll's range as an integer
 * (1e17 is "100000000000000000", not "1e+17"), anything else as d2string's `%.17g`.
 */
export function listpackScore(score: number): string {
  if (Number.isInteger(score) && Math.abs(score) <= LISTPACK_INT_LIMIT) return BigInt(score).toString();
  return formatDouble(score);
}

function target(z: ZSetValue): ScanTarget {
  const compact = !z.big;
  return {
    compact,
    elements: () => (compact ? z.members() : z.liveMembers()),
    has: (m) => z.has(m),
    emit: (m, out) => {
      const s = z.score(m) as number;
      out.push(bytes(m), Buffer.from(compact ? listpackScore(s) : formatDouble(s), 'latin1'));
    },
  };
}

function zscan(ctx: CommandContext, argv: Buffer[]): Reply {
  return collectionScanCommand(ctx, argv, (c, key) => lookupReadTyped(c, key, ZSetValue), target);
}

export const zsetScanCommands: readonly CommandSpec[] = [
  command({
    group: 'sorted-set',
    firstKey: 1,
    lastKey: 1,
    step: 1,
    name: 'zscan',
    arity: -3,
    flags: ['readonly'],
    summary: 'Incrementally iterate sorted sets elements and associated scores',
    since: '2.8.0',
    complexity:
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
    syntax: 'key cursor [MATCH pattern] [COUNT count]',
    handler: zscan,
  }),
];
