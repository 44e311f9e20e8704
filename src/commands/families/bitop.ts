/**
 * BITOP AND | OR | XOR | NOT destkey key [key ...] (Redis's bitopCommand): a byte-wise
 * operation over strings, the shorter ones zero-padded to the longest; a missing source is an
 * empty string. The result replaces the destination whatever it held (its TTL too), or deletes
 * it when every source is empty. The reply is the result's length.
 *
 * The work runs on 32-bit words over aligned views (a source at an odd address is copied once
 * to an aligned buffer), with the few trailing bytes done one by one.
 */
import { ErrorReply, Errors } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { notify, notifyGeneric, notifyNew, willCreate } from './keyspace-events.js';
import { lookupRead, optIs } from './lookup.js';

type BitOp = 'and' | 'or' | 'xor' | 'not';

const notOneSource = new ErrorReply('ERR', 'ERR BITOP NOT must be called with a single source key.');

function parseOp(arg: Buffer): BitOp | null {
  for (const op of ['and', 'or', 'xor', 'not'] as const) if (optIs(arg, op)) return op;
  return null;
}

/** `b` as an Int32Array over its whole words; `b` is copied first when not 4-byte aligned. */
function words(b: Buffer): Int32Array {
  const src = (b.byteOffset & 3) === 0 ? b : Buffer.from(b);
  return new Int32Array(src.buffer, src.byteOffset, src.length >>> 2);
}

/** res[0..s.length) op= s, for AND / OR / XOR (res is at least as long as s). */
function combine(res: Buffer, s: Buffer, op: BitOp): void {
  const rw = new Int32Array(res.buffer, res.byteOffset, res.length >>> 2);
  const sw = words(s);
  const n = sw.length;
  if (op === 'and') for (let i = 0; i < n; i++) rw[i] &= sw[i];
  else if (op === 'or') for (let i = 0; i < n; i++) rw[i] |= sw[i];
  else for (let i = 0; i < n; i++) rw[i] ^= sw[i];
  for (let j = n * 4; j < s.length; j++) {
    if (op === 'and') res[j] &= s[j];
    else if (op === 'or') res[j] |= s[j];
    else res[j] ^= s[j];
  }
  // AND with the zero padding of a shorter source clears the rest.
  if (op === 'and' && s.length < res.length) res.fill(0, s.length);
}

/** The result of `op` over `srcs` (null = missing = empty), `maxLen` bytes long. */
export function computeBitop(op: BitOp, srcs: ReadonlyArray<Buffer | null>, maxLen: number): Buffer {
  // Buffer.alloc gives a fresh, aligned, zero-filled ArrayBuffer.
  const res = Buffer.alloc(maxLen);
  const first = srcs[0];
  if (first !== null) first.copy(res);
  if (op === 'not') {
    const rw = new Int32Array(res.buffer, res.byteOffset, res.length >>> 2);
    for (let i = 0; i < rw.length; i++) rw[i] = ~rw[i];
    for (let j = rw.length * 4; j < res.length; j++) res[j] = ~res[j];
    return res;
  }
  for (let i = 1; i < srcs.length; i++) {
    const s = srcs[i];
    if (s !== null && s.length > 0) combine(res, s, op);
    else if (op === 'and') return res.fill(0);
  }
  return res;
}

function bitop(ctx: CommandContext, argv: Buffer[]): Reply {
  const op = parseOp(argv[1]);
  if (op === null) return Errors.syntax;
  if (op === 'not' && argv.length !== 4) return notOneSource;
  const srcs: Array<Buffer | null> = [];
  let maxLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const v = lookupRead(ctx, argv[j]);
    if (v instanceof ErrorReply) return v;
    srcs.push(v);
    if (v !== null && v.length > maxLen) maxLen = v.length;
  }
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const dest = argv[2];
  if (maxLen > 0) {
    const res = computeBitop(op, srcs, maxLen);
    const created = willCreate(ctx, dest);
    ks.set(db, dest, res, 0, false, true);
    if (created) notifyNew(ctx, dest);
    notify(ctx, '$', 'set', dest);
  } else if (ks.delete(db, dest)) notifyGeneric(ctx, 'del', dest);
  return maxLen;
}

export const bitopCommands: readonly CommandSpec[] = [
  command({
    group: 'bitmap',
    name: 'bitop',
    arity: -4,
    flags: ['write', 'denyoom'],
    firstKey: 2,
    lastKey: -1,
    step: 1,
    keySpecs: [
      { begin: { index: 2 }, find: { range: { lastKey: 0, step: 1, limit: 0 } }, flags: ['OW', 'update'] },
      { begin: { index: 3 }, find: { range: { lastKey: -1, step: 1, limit: 0 } }, flags: ['RO', 'access'] },
    ],
    summary: 'Perform bitwise operations between strings',
    since: '2.6.0',
    complexity: 'O(N)',
    syntax: 'operation destkey key [key ...]',
    handler: bitop,
  }),
];
