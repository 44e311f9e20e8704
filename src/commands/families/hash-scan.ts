/** HSCAN: fields with their values, through the shared collection scan (collection-scan.ts). */
import { bytes } from '../../engine/values/collection.js';
import { HashValue } from '../../engine/values/hash.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { collectionScanCommand, type ScanTarget } from './collection-scan.js';
import { lookupReadTyped } from './typed.js';

function target(h: HashValue): ScanTarget {
  return {
    compact: !h.big,
    elements: () => (h.big ? h.scanFields() : h.keys()),
    has: (f) => h.has(f),
    emit: (f, out) => {
      out.push(bytes(f), bytes(h.get(f) as string));
    },
  };
}

function hscan(ctx: CommandContext, argv: Buffer[]): Reply {
  return collectionScanCommand(ctx, argv, (c, key) => lookupReadTyped(c, key, HashValue), target);
}

export const hashScanCommands: readonly CommandSpec[] = [
  command({
    group: 'hash',
    firstKey: 1,
    lastKey: 1,
    step: 1,
    name: 'hscan',
    arity: -3,
    flags: ['readonly'],
    summary: 'Incrementally iterate hash fields and associated values',
    since: '2.8.0',
    complexity:
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
    syntax: 'key cursor [MATCH pattern] [COUNT count]',
    handler: hscan,
  }),
];
