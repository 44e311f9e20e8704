/** SSCAN through the shared collection scan (collection-scan.ts); an intset comes whole, sorted. */
import { bytes } from '../../engine/values/collection.js';
import { SetValue } from '../../engine/values/set.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { collectionScanCommand, type ScanTarget } from './collection-scan.js';
import { lookupReadTyped } from './typed.js';

function target(s: SetValue): ScanTarget {
  return {
    compact: s.intset,
    elements: () => (s.intset ? s.members().values() : s.scanMembers()),
    has: (m) => s.has(m),
    emit: (m, out) => {
      out.push(bytes(m));
    },
  };
}

function sscan(ctx: CommandContext, argv: Buffer[]): Reply {
  return collectionScanCommand(ctx, argv, (c, key) => lookupReadTyped(c, key, SetValue), target);
}

export const setScanCommands: readonly CommandSpec[] = [
  command({
    group: 'set',
    firstKey: 1,
    lastKey: 1,
    step: 1,
    name: 'sscan',
    arity: -3,
    flags: ['readonly'],
    summary: 'Incrementally iterate Set elements',
    since: '2.8.0',
    complexity:
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
    syntax: 'key cursor [MATCH pattern] [COUNT count]',
    handler: sscan,
  }),
];
