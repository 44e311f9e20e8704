/**
 * Byte ranges of string values: APPEND STRLEN GETRANGE SUBSTR SETRANGE. Writes that grow a
 * value are bounded by `proto-max-bulk-len`, as in Redis, so no command can build a value no
 * client could have sent. Positions are int64 arguments compared as bigint, so the corner
 * cases of Redis's long long arithmetic come out the same.
 */
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { notify, notifyNew } from './keyspace-events.js';
import { lookupRead, lookupWriteString } from './lookup.js';

const EMPTY = Buffer.alloc(0);

function maxBulkLen(ctx: CommandContext): bigint {
  return BigInt(ctx.server.config.int('proto-max-bulk-len'));
}

/**
 * APPEND keeps the key's expiry: Redis grows the value in place, which makes it a raw string
 * (Keyspace.set's `raw`: OBJECT ENCODING raw, stored uncompressed for the next append).
 */
function append(ctx: CommandContext, argv: Buffer[]): Reply {
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const key = argv[1];
  const tail = argv[2];
  const old = lookupWriteString(ctx, key);
  if (old instanceof ErrorReply) return old;
  if (old === null) {
    ks.set(db, key, tail);
    notifyNew(ctx, key);
    notify(ctx, '$', 'append', key);
    return tail.length;
  }
  const total = old.length + tail.length;
  if (BigInt(total) > maxBulkLen(ctx)) return Errors.stringTooLong;
  ks.set(db, key, Buffer.concat([old, tail], total), 0, true, true);
  notify(ctx, '$', 'append', key);
  return total;
}

function strlen(ctx: CommandContext, argv: Buffer[]): Reply {
  const v = lookupRead(ctx, argv[1]);
  if (v instanceof ErrorReply) return v;
  return v === null ? 0 : v.length;
}

/**
 * Redis's getrangeCommand: both ends are parsed before the lookup (a bad index is an error even
 * on a missing key), negative ends count from the end, and an empty range is an empty string.
 */
function getrange(ctx: CommandContext, argv: Buffer[]): Reply {
  let start = parseInt64(argv[2]);
  if (start === null) return Errors.notInteger;
  let end = parseInt64(argv[3]);
  if (end === null) return Errors.notInteger;
  const v = lookupRead(ctx, argv[1]);
  if (v instanceof ErrorReply) return v;
  if (v === null) return EMPTY;
  const len = BigInt(v.length);
  if (start < 0n && end < 0n && start > end) return EMPTY;
  if (start < 0n) start += len;
  if (end < 0n) end += len;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= len) end = len - 1n;
  if (start > end || len === 0n) return EMPTY;
  return v.subarray(Number(start), Number(end) + 1);
}

/**
 * Redis's setrangeCommand: zero-padding up to `offset`; an empty value writes nothing and
 * answers the current length (0 for a missing key, which is not created).
 */
function setrange(ctx: CommandContext, argv: Buffer[]): Reply {
  const offset = parseInt64(argv[2]);
  if (offset === null) return Errors.notInteger;
  if (offset < 0n) return Errors.offsetOutOfRange;
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const key = argv[1];
  const value = argv[3];
  const old = lookupWriteString(ctx, key);
  if (old instanceof ErrorReply) return old;
  if (value.length === 0) return old === null ? 0 : old.length;
  if (offset + BigInt(value.length) > maxBulkLen(ctx)) return Errors.stringTooLong;
  const at = Number(offset);
  const size = Math.max(old === null ? 0 : old.length, at + value.length);
  const out = Buffer.alloc(size);
  if (old !== null) old.copy(out);
  value.copy(out, at);
  // A raw string, new or not, as Redis's sdsnewlen / dbUnshareStringValue makes it.
  ks.set(db, key, out, 0, old !== null, true);
  if (old === null) notifyNew(ctx, key);
  notify(ctx, '$', 'setrange', key);
  return size;
}

const RANGE = { group: 'string', firstKey: 1, lastKey: 1, step: 1 } as const;
const GETRANGE_COMPLEXITY =
  'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.';

export const stringRangeCommands: readonly CommandSpec[] = [
  command({
    ...RANGE,
    name: 'append',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    summary: 'Append a value to a key',
    since: '2.0.0',
    complexity:
      'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.',
    syntax: 'key value',
    handler: append,
  }),
  command({
    ...RANGE,
    name: 'strlen',
    arity: 2,
    flags: ['readonly', 'fast'],
    summary: 'Get the length of the value stored in a key',
    since: '2.2.0',
    complexity: 'O(1)',
    syntax: 'key',
    handler: strlen,
  }),
  command({
    ...RANGE,
    name: 'getrange',
    arity: 4,
    flags: ['readonly'],
    summary: 'Get a substring of the string stored at a key',
    since: '2.4.0',
    complexity: GETRANGE_COMPLEXITY,
    syntax: 'key start end',
    handler: getrange,
  }),
  command({
    ...RANGE,
    name: 'substr',
    arity: 4,
    flags: ['readonly'],
    summary: 'Get a substring of the string stored at a key',
    since: '1.0.0',
    complexity: GETRANGE_COMPLEXITY,
    syntax: 'key start end',
    handler: getrange,
  }),
  command({
    ...RANGE,
    name: 'setrange',
    arity: 4,
    flags: ['write', 'denyoom'],
    summary: 'Overwrite part of a string at key starting at the specified offset',
    since: '2.2.0',
    complexity:
      'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.',
    syntax: 'key offset value',
    handler: setrange,
  }),
];
