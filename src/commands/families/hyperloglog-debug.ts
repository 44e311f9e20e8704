/**
 * PFDEBUG GETREG | DECODE | ENCODING | TODENSE key, and PFSELFTEST: Redis's internal commands
 * for looking inside a HyperLogLog, which its test suite uses. GETREG and TODENSE convert a
 * sparse value to dense and keep it so; as in Redis they notify nobody.
 */
import {
  denseGet,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  hllSparseDecode,
  hllSparseToDense,
} from '../../engine/values/hll.js';
import { hllSelfTest } from '../../engine/values/hll-selftest.js';
import { ErrorReply } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { OK, type Reply, SimpleReply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { hllLookup, invalidHll, sparseMaxBytes, work } from './hyperloglog-common.js';
import { cString, optIs } from './lookup.js';
import { oneLine } from './redis-compat.js';

const noKey = new ErrorReply('ERR', 'ERR The specified key does not exist');
const notSparse = new ErrorReply('ERR', 'ERR HLL encoding is not sparse');
const DENSE_REPLY = new SimpleReply('dense');
const SPARSE_REPLY = new SimpleReply('sparse');

/** Make the working value dense and store it; false when its sparse opcodes are corrupt. */
function storeDense(ctx: CommandContext, key: Buffer): boolean {
  if (!hllSparseToDense(work)) return false;
  ctx.server.keyspace.set(ctx.client.db, key, work.view(), 0, true, true);
  return true;
}

function pfdebug(ctx: CommandContext, argv: Buffer[]): Reply {
  const sub = argv[1];
  const key = argv[2];
  const v = hllLookup(ctx, key, false);
  if (v === null) return noKey;
  if (v instanceof ErrorReply) return v;
  work.load(v);
  const sparse = work.encoding === HLL_SPARSE;
  if (optIs(sub, 'getreg')) {
    if (sparse && !storeDense(ctx, key)) return invalidHll;
    const regs: number[] = new Array(HLL_REGISTERS);
    for (let i = 0; i < HLL_REGISTERS; i++) regs[i] = denseGet(work.bytes, HLL_HDR_SIZE, i);
    return regs;
  }
  if (optIs(sub, 'decode')) {
    if (!sparse) return notSparse;
    return Buffer.from(hllSparseDecode(work.bytes, work.len), 'latin1');
  }
  if (optIs(sub, 'encoding')) return sparse ? SPARSE_REPLY : DENSE_REPLY;
  if (optIs(sub, 'todense')) {
    if (!sparse) return 0;
    return storeDense(ctx, key) ? 1 : invalidHll;
  }
  return new ErrorReply('ERR', `ERR Unknown PFDEBUG subcommand '${oneLine(cString(sub))}'`);
}

function pfselftest(ctx: CommandContext): Reply {
  const failure = hllSelfTest(sparseMaxBytes(ctx));
  return failure === null ? OK : new ErrorReply('ERR', `ERR ${failure}`);
}

const DEBUG = { group: 'hyperloglog', since: '2.8.9', complexity: 'N/A' } as const;

export const hllDebugCommands: readonly CommandSpec[] = [
  command({
    ...DEBUG,
    name: 'pfdebug',
    arity: 3,
    flags: ['write', 'denyoom', 'admin', 'dangerous'],
    firstKey: 2,
    lastKey: 2,
    step: 1,
    summary: 'Internal commands for debugging HyperLogLog values',
    syntax: 'subcommand key',
    handler: pfdebug,
  }),
  command({
    ...DEBUG,
    name: 'pfselftest',
    arity: 1,
    flags: ['admin', 'dangerous'],
    summary: 'An internal command for testing HyperLogLog values',
    handler: pfselftest,
  }),
];
