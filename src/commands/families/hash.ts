/**
 * The hash family: HSET HSETNX HMSET HGET HMGET HGETALL HDEL HLEN HEXISTS HKEYS HVALS HSTRLEN
 * here; counters (hash-incr.ts), HRANDFIELD (hash-rand.ts) and HSCAN (hash-scan.ts) join the
 * exported table at the bottom. Fields and values are latin1 strings inside a HashValue, so
 * every byte round-trips.
 */
import { bytes, str } from '../../engine/values/collection.js';
import { HashValue } from '../../engine/values/hash.js';
import { ErrorReply, Errors } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { MapReply, OK, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { hashIncrCommands } from './hash-incr.js';
import { hashRandCommands } from './hash-rand.js';
import { hashScanCommands } from './hash-scan.js';
import { notify, notifyChanged } from './keyspace-events.js';
import { beginChange, endChange, lookupReadTyped, lookupWriteTyped, storeCreated } from './typed.js';

/**
 * Redis's hsetCommand for HSET and HMSET: pairs are checked before the key is looked up, and
 * the key counts as modified even when every value was already there.
 */
function hsetGeneric(ctx: CommandContext, argv: Buffer[], name: string): number | ErrorReply {
  if (argv.length % 2 === 1) return Errors.wrongArity(name);
  const key = argv[1];
  const h = lookupWriteTyped(ctx, key, HashValue);
  if (h instanceof ErrorReply) return h;
  const target = h ?? new HashValue();
  if (h !== null) beginChange(ctx, key);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (target.set(str(argv[i]), str(argv[i + 1]))) created++;
  if (h === null) storeCreated(ctx, key, target);
  else endChange(ctx, key);
  notify(ctx, 'h', 'hset', key);
  return created;
}

function hset(ctx: CommandContext, argv: Buffer[]): Reply {
  return hsetGeneric(ctx, argv, 'hset');
}

function hmset(ctx: CommandContext, argv: Buffer[]): Reply {
  const r = hsetGeneric(ctx, argv, 'hmset');
  return r instanceof ErrorReply ? r : OK;
}

function hsetnx(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[1];
  const h = lookupWriteTyped(ctx, key, HashValue);
  if (h instanceof ErrorReply) return h;
  const field = str(argv[2]);
  if (h === null) {
    const n = new HashValue();
    n.set(field, str(argv[3]));
    storeCreated(ctx, key, n);
    notify(ctx, 'h', 'hset', key);
    return 1;
  }
  if (h.has(field)) return 0;
  beginChange(ctx, key);
  h.set(field, str(argv[3]));
  endChange(ctx, key);
  notify(ctx, 'h', 'hset', key);
  return 1;
}

function hget(ctx: CommandContext, argv: Buffer[]): Reply {
  const h = lookupReadTyped(ctx, argv[1], HashValue);
  if (h === null || h instanceof ErrorReply) return h;
  const v = h.get(str(argv[2]));
  return v === undefined ? null : bytes(v);
}

function hmget(ctx: CommandContext, argv: Buffer[]): Reply {
  const h = lookupReadTyped(ctx, argv[1], HashValue);
  if (h instanceof ErrorReply) return h;
  const out: Reply[] = new Array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = h?.get(str(argv[i]));
    out[i - 2] = v === undefined ? null : bytes(v);
  }
  return out;
}

function hgetall(ctx: CommandContext, argv: Buffer[]): Reply {
  const h = lookupReadTyped(ctx, argv[1], HashValue);
  if (h instanceof ErrorReply) return h;
  const entries: Array<[Reply, Reply]> = [];
  if (h !== null) for (const [f, v] of h.entries()) entries.push([bytes(f), bytes(v)]);
  return new MapReply(entries);
}

function hkeys(ctx: CommandContext, argv: Buffer[]): Reply {
  const h = lookupReadTyped(ctx, argv[1], HashValue);
  if (h instanceof ErrorReply) return h;
  const out: Reply[] = [];
  if (h !== null) for (const f of h.keys()) out.push(bytes(f));
  return out;
}

function hvals(ctx: CommandContext, argv: Buffer[]): Reply {
  const h = lookupReadTyped(ctx, argv[1], HashValue);
  if (h instanceof ErrorReply) return h;
  const out: Reply[] = [];
  if (h !== null) for (const v of h.values()) out.push(bytes(v));
  return out;
}

/** HDEL signals a change only when a field was really deleted, as Redis. */
function hdel(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[1];
  const h = lookupWriteTyped(ctx, key, HashValue);
  if (h === null || h instanceof ErrorReply) return h === null ? 0 : h;
  let deleted = 0;
  for (let i = 2; i < argv.length && h.size() > 0; i++) {
    const f = str(argv[i]);
    if (!h.has(f)) continue;
    if (deleted === 0) beginChange(ctx, key);
    h.delete(f);
    deleted++;
  }
  if (deleted > 0) notifyChanged(ctx, 'h', 'hdel', key, endChange(ctx, key));
  return deleted;
}

function hlen(ctx: CommandContext, argv: Buffer[]): Reply {
  const h = lookupReadTyped(ctx, argv[1], HashValue);
  if (h === null || h instanceof ErrorReply) return h === null ? 0 : h;
  return h.size();
}

function hexists(ctx: CommandContext, argv: Buffer[]): Reply {
  const h = lookupReadTyped(ctx, argv[1], HashValue);
  if (h === null || h instanceof ErrorReply) return h === null ? 0 : h;
  return h.has(str(argv[2])) ? 1 : 0;
}

function hstrlen(ctx: CommandContext, argv: Buffer[]): Reply {
  const h = lookupReadTyped(ctx, argv[1], HashValue);
  if (h === null || h instanceof ErrorReply) return h === null ? 0 : h;
  return h.get(str(argv[2]))?.length ?? 0;
}

const HASH = { group: 'hash', firstKey: 1, lastKey: 1, step: 1 } as const;

const hashBasicCommands: readonly CommandSpec[] = [
  command({
    ...HASH,
    name: 'hset',
    arity: -4,
    flags: ['write', 'denyoom', 'fast'],
    summary: 'Set the string value of a hash field',
    since: '2.0.0',
    complexity:
      'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
    syntax: 'key field value [field value ...]',
    handler: hset,
  }),
  command({
    ...HASH,
    name: 'hsetnx',
    arity: 4,
    flags: ['write', 'denyoom', 'fast'],
    summary: 'Set the value of a hash field, only if the field does not exist',
    since: '2.0.0',
    complexity: 'O(1)',
    syntax: 'key field value',
    handler: hsetnx,
  }),
  command({
    ...HASH,
    name: 'hmset',
    arity: -4,
    flags: ['write', 'denyoom', 'fast'],
    summary: 'Set multiple hash fields to multiple values',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of fields being set.',
    syntax: 'key field value [field value ...]',
    handler: hmset,
  }),
  command({
    ...HASH,
    name: 'hget',
    arity: 3,
    flags: ['readonly', 'fast'],
    summary: 'Get the value of a hash field',
    since: '2.0.0',
    complexity: 'O(1)',
    syntax: 'key field',
    handler: hget,
  }),
  command({
    ...HASH,
    name: 'hmget',
    arity: -3,
    flags: ['readonly', 'fast'],
    summary: 'Get the values of all the given hash fields',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of fields being requested.',
    syntax: 'key field [field ...]',
    handler: hmget,
  }),
  command({
    ...HASH,
    name: 'hgetall',
    arity: 2,
    flags: ['readonly'],
    summary: 'Get all the fields and values in a hash',
    since: '2.0.0',
    complexity: 'O(N) where N is the size of the hash.',
    syntax: 'key',
    handler: hgetall,
  }),
  command({
    ...HASH,
    name: 'hdel',
    arity: -3,
    flags: ['write', 'fast'],
    summary: 'Delete one or more hash fields',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of fields to be removed.',
    syntax: 'key field [field ...]',
    handler: hdel,
  }),
  command({
    ...HASH,
    name: 'hlen',
    arity: 2,
    flags: ['readonly', 'fast'],
    summary: 'Get the number of fields in a hash',
    since: '2.0.0',
    complexity: 'O(1)',
    syntax: 'key',
    handler: hlen,
  }),
  command({
    ...HASH,
    name: 'hexists',
    arity: 3,
    flags: ['readonly', 'fast'],
    summary: 'Determine if a hash field exists',
    since: '2.0.0',
    complexity: 'O(1)',
    syntax: 'key field',
    handler: hexists,
  }),
  command({
    ...HASH,
    name: 'hkeys',
    arity: 2,
    flags: ['readonly'],
    summary: 'Get all the fields in a hash',
    since: '2.0.0',
    complexity: 'O(N) where N is the size of the hash.',
    syntax: 'key',
    handler: hkeys,
  }),
  command({
    ...HASH,
    name: 'hvals',
    arity: 2,
    flags: ['readonly'],
    summary: 'Get all the values in a hash',
    since: '2.0.0',
    complexity: 'O(N) where N is the size of the hash.',
    syntax: 'key',
    handler: hvals,
  }),
  command({
    ...HASH,
    name: 'hstrlen',
    arity: 3,
    flags: ['readonly', 'fast'],
    summary: 'Get the length of the value of a hash field',
    since: '3.2.0',
    complexity: 'O(1)',
    syntax: 'key field',
    handler: hstrlen,
  }),
];

export const hashCommands: readonly CommandSpec[] = [
  ...hashBasicCommands,
  ...hashIncrCommands,
  ...hashRandCommands,
  ...hashScanCommands,
];
