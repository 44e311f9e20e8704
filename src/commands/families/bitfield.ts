/**
 * BITFIELD and BITFIELD_RO (Redis's bitfieldGeneric): integers of any width from 1 to 64 bits
 * (u1..u63, i1..i64) at any bit offset of a string, read with GET and written with SET and
 * INCRBY, in one call of several operations run in order. OVERFLOW WRAP | SAT | FAIL applies to
 * the writes after it; a FAIL that would overflow writes nothing and answers nil.
 *
 * All operations are parsed before anything runs, so a bad one fails the whole call. A call
 * of GETs only is a read (a missing key reads as zeros); one that writes opens the string grown
 * to its farthest written bit first. Like Redis it counts a change (and fires `setbit`) only
 * for writes that changed a value or grew the string.
 */
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { lookupBits, lookupBitsWrite, parseBitOffset, patchBits } from './bitmap-args.js';
import {
  checkSigned,
  checkUnsigned,
  getSigned,
  getUnsigned,
  intOf,
  type Overflow,
  type OverflowCheck,
  setBits,
} from './bitmap-core.js';
import { notify, notifyNew } from './keyspace-events.js';
import { countLikeRedis } from './list-ops.js';
import { optIs } from './lookup.js';

interface FieldOp {
  readonly op: 'get' | 'set' | 'incrby';
  readonly signed: boolean;
  readonly bits: number;
  /** Bit offset. */
  readonly offset: number;
  /** SET value or INCRBY increment (int64). */
  readonly value: bigint;
  readonly overflow: Overflow;
}

const typeError = new ErrorReply(
  'ERR',
  'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.',
);
const overflowTypeError = new ErrorReply('ERR', 'ERR Invalid OVERFLOW type specified');
const roWriteError = new ErrorReply('ERR', 'ERR BITFIELD_RO only supports the GET subcommand');

/**
 * Redis's getBitfieldTypeFromArgument: `i` or `u` (lower case only) then the width, read as C
 * reads it (up to a NUL byte): i1..i64, u1..u63.
 */
function parseType(arg: Buffer): { signed: boolean; bits: number } | ErrorReply {
  const c = arg.length > 0 ? arg[0] : 0;
  if (c !== 0x69 && c !== 0x75) return typeError;
  const signed = c === 0x69;
  let rest = arg.subarray(1);
  const nul = rest.indexOf(0);
  if (nul >= 0) rest = rest.subarray(0, nul);
  const bits = parseInt64(rest);
  if (bits === null || bits < 1n || bits > (signed ? 64n : 63n)) return typeError;
  return { signed, bits: Number(bits) };
}

/** The operations of argv[2..], or the first error; `maxBit` is the farthest bit written (-1: none). */
function parseOps(ctx: CommandContext, argv: Buffer[]): { ops: FieldOp[]; maxBit: number } | ErrorReply {
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'wrap';
  let maxBit = -1;
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const w = argv[j];
    let op: FieldOp['op'];
    if (optIs(w, 'get') && rem >= 2) op = 'get';
    else if (optIs(w, 'set') && rem >= 3) op = 'set';
    else if (optIs(w, 'incrby') && rem >= 3) op = 'incrby';
    else if (optIs(w, 'overflow') && rem >= 1) {
      const m = argv[++j];
      if (optIs(m, 'wrap')) overflow = 'wrap';
      else if (optIs(m, 'sat')) overflow = 'sat';
      else if (optIs(m, 'fail')) overflow = 'fail';
      else return overflowTypeError;
      continue;
    } else return Errors.syntax;
    const type = parseType(argv[j + 1]);
    if (type instanceof ErrorReply) return type;
    const offset = parseBitOffset(ctx, argv[j + 2], type.bits);
    if (offset instanceof ErrorReply) return offset;
    let value = 0n;
    if (op !== 'get') {
      maxBit = Math.max(maxBit, offset + type.bits - 1);
      const v = parseInt64(argv[j + 3]);
      if (v === null) return Errors.notInteger;
      value = v;
    }
    ops.push({ op, signed: type.signed, bits: type.bits, offset, value, overflow });
    j += op === 'get' ? 2 : 3;
  }
  return { ops, maxBit };
}

/**
 * One SET or INCRBY on `p`: the reply (the old value for SET, the new one for INCRBY, nil on a
 * FAIL overflow) and whether the stored value changed.
 */
function write(p: Buffer, f: FieldOp): { reply: Reply; changed: boolean } {
  const old = f.signed ? getSigned(p, f.offset, f.bits) : getUnsigned(p, f.offset, f.bits);
  const check = f.signed ? checkSigned : checkUnsigned;
  let next: bigint;
  let ow: OverflowCheck;
  if (f.op === 'incrby') {
    ow = check(old, f.value, f.bits, f.overflow);
    next = ow.status !== 0 ? ow.limit : old + f.value;
  } else {
    // An unsigned SET takes the int64 as C's uint64 (a negative value overflows).
    next = f.signed ? f.value : BigInt.asUintN(64, f.value);
    ow = check(next, 0n, f.bits, f.overflow);
    if (ow.status !== 0) next = ow.limit;
  }
  if (ow.status !== 0 && f.overflow === 'fail') return { reply: null, changed: false };
  setBits(p, f.offset, f.bits, next);
  return { reply: intOf(f.op === 'incrby' ? next : old), changed: old !== next };
}

function read(p: Buffer | null, f: FieldOp): Reply {
  if (p === null) return 0;
  return intOf(f.signed ? getSigned(p, f.offset, f.bits) : getUnsigned(p, f.offset, f.bits));
}

/**
 * Run `ops` on `p` in order: the replies, and how many writes Redis counts as changes (every
 * write that ran when the string `grew`, else those that changed the stored value).
 */
function runOps(p: Buffer, ops: readonly FieldOp[], grew: boolean): { out: Reply[]; changes: number } {
  const out: Reply[] = [];
  let changes = 0;
  for (const f of ops) {
    if (f.op === 'get') {
      out.push(read(p, f));
      continue;
    }
    const r = write(p, f);
    out.push(r.reply);
    if (r.reply !== null && (grew || r.changed)) changes++;
  }
  return { out, changes };
}

function bitfieldGeneric(ctx: CommandContext, argv: Buffer[], readOnly: boolean): Reply {
  const parsed = parseOps(ctx, argv);
  if (parsed instanceof ErrorReply) return parsed;
  const { ops, maxBit } = parsed;
  const key = argv[1];
  if (maxBit < 0) {
    const v = lookupBits(ctx, key);
    if (v instanceof ErrorReply) return v;
    return ops.map((f) => read(v, f));
  }
  if (readOnly) return roWriteError;
  const cur = lookupBitsWrite(ctx, key);
  if (cur instanceof ErrorReply) return cur;
  const need = Math.floor(maxBit / 8) + 1;
  let result: { out: Reply[]; changes: number };
  if (cur === null) {
    // Redis creates the key (firing `new`) even when every write fails on overflow.
    const bytes = Buffer.alloc(need);
    result = runOps(bytes, ops, true);
    ctx.server.keyspace.set(ctx.client.db, key, bytes, 0, false, true);
    notifyNew(ctx, key);
    countLikeRedis(ctx, result.changes, 1);
  } else {
    const grew = need > cur.length;
    result = { out: [], changes: 0 };
    patchBits(ctx, key, need, (p) => {
      result = runOps(p, ops, grew);
      return result.changes > 0;
    });
    // The keyspace counted one change when anything changed or the string grew.
    countLikeRedis(ctx, result.changes, result.changes > 0 || grew ? 1 : 0);
  }
  if (result.changes > 0) notify(ctx, '$', 'setbit', key);
  return result.out;
}

const FIELD = { group: 'bitmap', firstKey: 1, lastKey: 1, step: 1 } as const;
const COMPLEXITY = 'O(1) for each subcommand specified';

export const bitfieldCommands: readonly CommandSpec[] = [
  command({
    ...FIELD,
    name: 'bitfield',
    arity: -2,
    flags: ['write', 'denyoom'],
    summary: 'Perform arbitrary bitfield integer operations on strings',
    since: '3.2.0',
    complexity: COMPLEXITY,
    syntax:
      'key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> ...]]',
    handler: (ctx, argv) => bitfieldGeneric(ctx, argv, false),
  }),
  command({
    ...FIELD,
    name: 'bitfield_ro',
    arity: -2,
    flags: ['readonly', 'fast'],
    summary: 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD',
    since: '6.0.0',
    complexity: COMPLEXITY,
    syntax: 'key [GET encoding offset [GET encoding offset ...]]',
    handler: (ctx, argv) => bitfieldGeneric(ctx, argv, true),
  }),
];
