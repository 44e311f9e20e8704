/**
 * HINCRBY and HINCRBYFLOAT: counters inside a hash field, int64 with overflow checks and the
 * 80-bit long double of INCRBYFLOAT (long-double.ts), so sums print as Redis prints them.
 */
import { bytes, str } from '../../engine/values/collection.js';
import { HashValue } from '../../engine/values/hash.js';
import { ErrorReply, Errors } from '../../errors.js';
import { intReply, parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { propagateAs, propagating } from '../replication/rewrites.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { notify } from './keyspace-events.js';
import { addLongDouble, formatLongDouble, parseLongDouble } from './long-double.js';
import { beginChange, endChange, lookupWriteTyped, storeCreated } from './typed.js';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const ZERO = parseLongDouble(Buffer.from('0'))!;

const notIntegerValue = new ErrorReply('ERR', 'ERR hash value is not an integer');
const notFloatValue = new ErrorReply('ERR', 'ERR hash value is not a float');
const nanOrInfinity = new ErrorReply('ERR', 'ERR value is NaN or Infinity');

/**
 * Write `value` to `field` of the hash at `key` (`h`, or a new hash when null), then notify
 * `event`.
 */
function writeField(
  ctx: CommandContext,
  key: Buffer,
  h: HashValue | null,
  field: string,
  value: string,
  event: string,
): void {
  if (h === null) {
    const n = new HashValue();
    n.set(field, value);
    storeCreated(ctx, key, n);
  } else {
    beginChange(ctx, key);
    h.set(field, value);
    endChange(ctx, key);
  }
  notify(ctx, 'h', event, key);
}

function hincrby(ctx: CommandContext, argv: Buffer[]): Reply {
  const incr = parseInt64(argv[3]);
  if (incr === null) return Errors.notInteger;
  const key = argv[1];
  const h = lookupWriteTyped(ctx, key, HashValue);
  if (h instanceof ErrorReply) return h;
  const field = str(argv[2]);
  const old = h?.get(field);
  let value = 0n;
  if (old !== undefined) {
    const v = parseInt64(bytes(old));
    if (v === null) return notIntegerValue;
    value = v;
  }
  const sum = value + incr;
  if (sum > INT64_MAX || sum < INT64_MIN) return Errors.overflow;
  writeField(ctx, key, h, field, sum.toString(), 'hincrby');
  return intReply(sum);
}

function hincrbyfloat(ctx: CommandContext, argv: Buffer[]): Reply {
  const incr = parseLongDouble(argv[3]);
  if (incr === null) return Errors.notFloat;
  if (incr.kind !== 'finite') return nanOrInfinity;
  const key = argv[1];
  const h = lookupWriteTyped(ctx, key, HashValue);
  if (h instanceof ErrorReply) return h;
  const field = str(argv[2]);
  const old = h?.get(field);
  const value = old === undefined ? ZERO : parseLongDouble(bytes(old));
  if (value === null) return notFloatValue;
  const sum = addLongDouble(value, incr);
  if (sum.kind !== 'finite') return Errors.incrFloatNaN;
  const out = formatLongDouble(sum);
  writeField(ctx, key, h, field, out, 'hincrbyfloat');
  // Replicated as the value it produced, so float formatting cannot differ on a replica.
  if (propagating(ctx)) propagateAs(ctx, ['HSET', key, argv[2], out]);
  return bytes(out);
}

const HASH = { group: 'hash', firstKey: 1, lastKey: 1, step: 1 } as const;

export const hashIncrCommands: readonly CommandSpec[] = [
  command({
    ...HASH,
    name: 'hincrby',
    arity: 4,
    flags: ['write', 'denyoom', 'fast'],
    summary: 'Increment the integer value of a hash field by the given number',
    since: '2.0.0',
    complexity: 'O(1)',
    syntax: 'key field increment',
    handler: hincrby,
  }),
  command({
    ...HASH,
    name: 'hincrbyfloat',
    arity: 4,
    flags: ['write', 'denyoom', 'fast'],
    summary: 'Increment the float value of a hash field by the given amount',
    since: '2.6.0',
    complexity: 'O(1)',
    syntax: 'key field increment',
    handler: hincrbyfloat,
  }),
];
