/**
 * HyperLogLog: PFADD PFCOUNT PFMERGE (PFDEBUG and PFSELFTEST in hyperloglog-debug.ts), over
 * string values in Redis's own representation (engine/values/hll.ts), so a value copied with
 * GET/SET between Redis and Cairn works on both and PFCOUNT answers Redis's exact estimates.
 *
 * As in Redis: PFCOUNT of one key is a read that may rewrite the value (it caches the
 * cardinality in the header, which a WATCH of the key sees as a change); PFMERGE reads its
 * destination as a source too; both PFADD and PFMERGE notify `pfadd`; the server's change
 * counter grows by the registers PFADD changed.
 */
import {
  HLL_DENSE,
  HLL_REGISTERS,
  hllAdd,
  hllCount,
  hllCountRaw,
  hllDenseSet,
  hllMerge,
  hllSparseToDense,
  readCachedCard,
  writeCachedCard,
} from '../../engine/values/hll.js';
import { hllSparseSet } from '../../engine/values/hll-sparse.js';
import { ErrorReply } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { OK, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { cardReply, hllLookup, invalidHll, sparseMaxBytes, work } from './hyperloglog-common.js';
import { hllDebugCommands } from './hyperloglog-debug.js';
import { denseAddInPlace, denseMergeInPlace, storeCardInPlace } from './hyperloglog-patch.js';
import { notify, notifyNew } from './keyspace-events.js';
import { countLikeRedis } from './list-ops.js';

/** PFCOUNT's and PFMERGE's union of registers, one byte each. */
const maxRegs = new Uint8Array(HLL_REGISTERS);

function pfadd(ctx: CommandContext, argv: Buffer[]): Reply {
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const key = argv[1];
  const old = hllLookup(ctx, key, false);
  if (old instanceof ErrorReply) return old;
  let updated = 0;
  if (old === null) {
    work.reset();
    updated = 1;
  } else {
    if (old[4] === HLL_DENSE) {
      const raised = denseAddInPlace(ctx, key, old, argv);
      if (raised === -1) return 0;
      if (raised >= 0) {
        countLikeRedis(ctx, raised, 1);
        notify(ctx, '$', 'pfadd', key);
        return 1;
      }
    }
    work.load(old);
  }
  const maxBytes = sparseMaxBytes(ctx);
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(work, argv[j], maxBytes);
    if (r === 1) updated++;
    else if (r < 0) {
      // Redis changed the value in place up to the corrupt spot, and keeps what it did.
      if (work.owned) {
        ks.set(db, key, work.view(), 0, true, true);
        countLikeRedis(ctx, 0, 1);
      }
      return invalidHll;
    }
  }
  if (updated === 0) return 0;
  work.invalidateCache();
  ks.set(db, key, work.view(), 0, true, true);
  countLikeRedis(ctx, updated, 1);
  if (old === null) notifyNew(ctx, key);
  notify(ctx, '$', 'pfadd', key);
  return 1;
}

/**
 * Union the registers of argv[from..] into maxRegs (missing keys count as empty): an error
 * reply, or whether some input is dense.
 */
function unionOf(ctx: CommandContext, argv: Buffer[], from: number): ErrorReply | boolean {
  maxRegs.fill(0);
  let dense = false;
  for (let j = from; j < argv.length; j++) {
    const v = hllLookup(ctx, argv[j], true);
    if (v === null) continue;
    if (v instanceof ErrorReply) return v;
    if (v[4] === HLL_DENSE) dense = true;
    if (!hllMerge(maxRegs, v)) return invalidHll;
  }
  return dense;
}

function pfcount(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length > 2) {
    const r = unionOf(ctx, argv, 1);
    return r instanceof ErrorReply ? r : cardReply(hllCountRaw(maxRegs));
  }
  const key = argv[1];
  const v = hllLookup(ctx, key, true);
  if (v === null) return 0;
  if (v instanceof ErrorReply) return v;
  if ((v[15] & 0x80) === 0) return cardReply(readCachedCard(v));
  const card = hllCount(v, v.length);
  if (card < 0) return invalidHll;
  if (!storeCardInPlace(ctx, key, card)) {
    writeCachedCard(work.load(v), card);
    ctx.server.keyspace.set(ctx.client.db, key, work.view(), 0, true, true);
  }
  return cardReply(card);
}

function pfmerge(ctx: CommandContext, argv: Buffer[]): Reply {
  // The destination is one of the inputs: its registers are merged too.
  const dense = unionOf(ctx, argv, 1);
  if (dense instanceof ErrorReply) return dense;
  const key = argv[1];
  const dest = hllLookup(ctx, key, false);
  if (dest instanceof ErrorReply) return dest;
  if (dest === null || dest[4] !== HLL_DENSE || !denseMergeInPlace(ctx, key, maxRegs)) {
    if (dest === null) work.reset();
    else work.load(dest);
    if (dense && !hllSparseToDense(work)) return invalidHll;
    const maxBytes = sparseMaxBytes(ctx);
    for (let j = 0; j < HLL_REGISTERS; j++) {
      const m = maxRegs[j];
      if (m === 0) continue;
      if (work.encoding === HLL_DENSE) hllDenseSet(work, j, m);
      else hllSparseSet(work, j, m, maxBytes);
    }
    work.invalidateCache();
    ctx.server.keyspace.set(ctx.client.db, key, work.view(), 0, true, true);
  }
  if (dest === null) notifyNew(ctx, key);
  notify(ctx, '$', 'pfadd', key);
  return OK;
}

const HLL = { group: 'hyperloglog', since: '2.8.9' } as const;

export const hyperloglogCommands: readonly CommandSpec[] = [
  command({
    ...HLL,
    name: 'pfadd',
    arity: -2,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Adds the specified elements to the specified HyperLogLog.',
    complexity: 'O(1) to add every element.',
    syntax: 'key [element [element ...]]',
    handler: pfadd,
  }),
  command({
    ...HLL,
    name: 'pfcount',
    arity: -2,
    // Read-only, though it may store the cached cardinality (Redis's key-spec: RW access).
    flags: ['readonly'],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    keySpecs: [
      { begin: { index: 1 }, find: { range: { lastKey: -1, step: 1, limit: 0 } }, flags: ['RW', 'access'] },
    ],
    summary: 'Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).',
    complexity:
      'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.',
    syntax: 'key [key ...]',
    handler: pfcount,
  }),
  command({
    ...HLL,
    name: 'pfmerge',
    arity: -2,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    keySpecs: [
      {
        begin: { index: 1 },
        find: { range: { lastKey: 0, step: 1, limit: 0 } },
        flags: ['RW', 'access', 'insert'],
      },
      { begin: { index: 2 }, find: { range: { lastKey: -1, step: 1, limit: 0 } }, flags: ['RO', 'access'] },
    ],
    summary: 'Merge N different HyperLogLogs into a single one.',
    complexity: 'O(N) to merge N HyperLogLogs, but with high constant times.',
    syntax: 'destkey sourcekey [sourcekey ...]',
    handler: pfmerge,
  }),
  ...hllDebugCommands,
];
