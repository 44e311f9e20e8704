/**
 * The key space as a whole: DEL UNLINK EXISTS TYPE TOUCH RANDOMKEY RENAME RENAMENX COPY MOVE
 * DBSIZE FLUSHDB FLUSHALL SWAPDB. KEYS and SCAN live in scan.ts, OBJECT in object.ts; all join
 * the exported table at the bottom. A key moved or copied keeps its expiry, as in Redis.
 */

import {
  isCollection,
  type StoredValue,
  typeOfValue,
  type ValueType,
} from '../../engine/values/collection.js';
import { ErrorReply, Errors } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { OK, type Reply, SimpleReply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { notifyGeneric, notifyNew } from './keyspace-events.js';
import { countFlushedAsync, countUnlinked } from './lazyfree.js';
import {
  countLookup,
  existsRead,
  optIs,
  parseDbIndexOrReply,
  parseInt32OrReply,
  peekRead,
  sameObject,
} from './lookup.js';
import { objectCommands } from './object.js';
import { scanCommands } from './scan.js';

const TYPE_NONE = new SimpleReply('none');
const TYPE_NAMES: Record<ValueType, SimpleReply> = {
  string: new SimpleReply('string'),
  hash: new SimpleReply('hash'),
  list: new SimpleReply('list'),
  set: new SimpleReply('set'),
  zset: new SimpleReply('zset'),
  stream: new SimpleReply('stream'),
};

/** DEL and UNLINK: the engine frees memory at once, so both are the same operation. */
function del(ctx: CommandContext, argv: Buffer[]): Reply {
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (!ks.delete(db, argv[i])) continue;
    n++;
    notifyGeneric(ctx, 'del', argv[i]);
  }
  return n;
}

/** DEL, counting what Redis would free in the background (lazyfree.ts). */
function unlink(ctx: CommandContext, argv: Buffer[]): Reply {
  countUnlinked(ctx, argv);
  return del(ctx, argv);
}

/** A key named twice counts twice, as in Redis. */
function exists(ctx: CommandContext, argv: Buffer[]): Reply {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (existsRead(ctx, argv[i])) n++;
  return n;
}

/** Redis's typeCommand: a no-touch lookup, counted as a hit or miss. */
function type(ctx: CommandContext, argv: Buffer[]): Reply {
  const v = peekRead(ctx, argv[1], true);
  return v === null ? TYPE_NONE : TYPE_NAMES[typeOfValue(v)];
}

function touch(ctx: CommandContext, argv: Buffer[]): Reply {
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    const hit = ks.touch(db, argv[i]);
    countLookup(ctx, hit, argv[i]);
    if (hit) n++;
  }
  return n;
}

function randomkey(ctx: CommandContext): Reply {
  return ctx.server.keyspace.randomKey(ctx.client.db);
}

/**
 * Write `value` under `key` in `db` with the expiry `expireAt` (as `expireTime` answers it: -1 for
 * none), replacing whatever was there. The bytes are copied first: they may be a view the engine is about to
 * reuse.
 */
function place(ctx: CommandContext, db: number, key: Buffer, value: StoredValue, expireAt: number): void {
  ctx.server.keyspace.set(db, key, isCollection(value) ? value : Buffer.from(value), Math.max(expireAt, 0));
}

/**
 * Redis's renameGenericCommand: a missing source is an error even when both names are equal;
 * renaming a key onto itself changes nothing. The destination is always added anew (`new`),
 * then `rename_from` and `rename_to`.
 */
function renameGeneric(ctx: CommandContext, argv: Buffer[], nx: boolean): Reply {
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const [, src, dst] = argv;
  const value = ks.get(db, src);
  if (value === null) return Errors.noSuchKey;
  if (src.equals(dst)) return nx ? 0 : OK;
  if (nx && ks.exists(db, dst)) return 0;
  place(ctx, db, dst, value, ks.expireTime(db, src));
  ks.delete(db, src);
  notifyNew(ctx, dst);
  notifyGeneric(ctx, 'rename_from', src);
  notifyGeneric(ctx, 'rename_to', dst);
  return nx ? 1 : OK;
}

/** COPY source destination [DB destination-db] [REPLACE], checked in Redis's order. */
function copy(ctx: CommandContext, argv: Buffer[]): Reply {
  const ks = ctx.server.keyspace;
  const srcDb = ctx.client.db;
  let dstDb = srcDb;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    if (optIs(argv[j], 'replace')) replace = true;
    else if (optIs(argv[j], 'db') && j + 1 < argv.length) {
      const id = parseDbIndexOrReply(ctx, argv[++j]);
      if (id instanceof ErrorReply) return id;
      dstDb = id;
    } else return Errors.syntax;
  }
  const [, src, dst] = argv;
  if (srcDb === dstDb && src.equals(dst)) return sameObject;
  const value = ks.get(srcDb, src);
  countLookup(ctx, value !== null, src);
  if (value === null) return 0;
  if (!replace && ks.exists(dstDb, dst)) return 0;
  // COPY duplicates a collection; RENAME and MOVE hand the object over.
  place(ctx, dstDb, dst, isCollection(value) ? value.clone() : value, ks.expireTime(srcDb, src));
  ctx.server.notify('n', 'new', dst, dstDb);
  ctx.server.notify('g', 'copy_to', dst, dstDb);
  return 1;
}

function move(ctx: CommandContext, argv: Buffer[]): Reply {
  const ks = ctx.server.keyspace;
  const src = ctx.client.db;
  const dst = parseDbIndexOrReply(ctx, argv[2]);
  if (dst instanceof ErrorReply) return dst;
  if (dst === src) return sameObject;
  const key = argv[1];
  const value = ks.get(src, key);
  if (value === null || ks.exists(dst, key)) return 0;
  place(ctx, dst, key, value, ks.expireTime(src, key));
  ks.delete(src, key);
  const server = ctx.server;
  server.notify('n', 'new', key, dst);
  server.notify('g', 'move_from', key, src);
  server.notify('g', 'move_to', key, dst);
  return 1;
}

function dbsize(ctx: CommandContext): Reply {
  return ctx.server.keyspace.dbSize(ctx.client.db);
}

/**
 * Redis's getFlushCommandFlags: nothing, SYNC or ASYNC. The engine drops a database in one
 * step either way, so ASYNC changes nothing here.
 */
function flushMode(argv: Buffer[]): ErrorReply | null {
  if (argv.length === 1) return null;
  if (argv.length === 2 && (optIs(argv[1], 'sync') || optIs(argv[1], 'async'))) return null;
  return Errors.syntax;
}

function flushdb(ctx: CommandContext, argv: Buffer[]): Reply {
  const err = flushMode(argv);
  if (err !== null) return err;
  if (argv.length === 2 && optIs(argv[1], 'async')) countFlushedAsync(ctx, ctx.client.db);
  ctx.server.watches.touchDb(ctx.server.keyspace, ctx.client.db);
  ctx.server.keyspace.flushDb(ctx.client.db);
  return OK;
}

function flushall(ctx: CommandContext, argv: Buffer[]): Reply {
  const err = flushMode(argv);
  if (err !== null) return err;
  if (argv.length === 2 && optIs(argv[1], 'async')) countFlushedAsync(ctx, null);
  flushAllWatched(ctx);
  return OK;
}

/** FLUSHALL (and DEBUG RELOAD): every database, failing the watches of keys that exist. */
export function flushAllWatched(ctx: CommandContext): void {
  const ks = ctx.server.keyspace;
  for (let db = 0; db < ks.databases; db++) ctx.server.watches.touchDb(ks, db);
  ks.flushAll();
}

const invalidFirstDb = new ErrorReply('ERR', 'ERR invalid first DB index');
const invalidSecondDb = new ErrorReply('ERR', 'ERR invalid second DB index');

function swapdb(ctx: CommandContext, argv: Buffer[]): Reply {
  const a = parseInt32OrReply(argv[1], invalidFirstDb);
  if (a instanceof ErrorReply) return a;
  const b = parseInt32OrReply(argv[2], invalidSecondDb);
  if (b instanceof ErrorReply) return b;
  const ks = ctx.server.keyspace;
  if (a < 0 || a >= ks.databases || b < 0 || b >= ks.databases) return Errors.dbIndexOutOfRange;
  if (a !== b) {
    ctx.server.watches.touchDb(ks, a, b);
    ctx.server.watches.touchDb(ks, b, a);
    ks.swapDb(a, b);
  }
  return OK;
}

const GENERIC = { group: 'generic' } as const;
const ALL_KEYS = { firstKey: 1, lastKey: -1, step: 1 } as const;
const TWO_KEYS = { firstKey: 1, lastKey: 2, step: 1 } as const;
const SERVER = { group: 'server' } as const;

const keyspaceCommands: readonly CommandSpec[] = [
  command({
    ...GENERIC,
    ...ALL_KEYS,
    name: 'del',
    arity: -2,
    flags: ['write'],
    summary: 'Delete a key',
    since: '1.0.0',
    complexity:
      'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).',
    syntax: 'key [key ...]',
    handler: del,
  }),
  command({
    ...GENERIC,
    ...ALL_KEYS,
    name: 'unlink',
    arity: -2,
    flags: ['write', 'fast'],
    summary: 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.',
    since: '4.0.0',
    complexity:
      'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.',
    syntax: 'key [key ...]',
    handler: unlink,
  }),
  command({
    ...GENERIC,
    ...ALL_KEYS,
    name: 'exists',
    arity: -2,
    flags: ['readonly', 'fast'],
    summary: 'Determine if a key exists',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of keys to check.',
    syntax: 'key [key ...]',
    handler: exists,
  }),
  command({
    ...GENERIC,
    name: 'type',
    arity: 2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Determine the type stored at key',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key',
    handler: type,
  }),
  command({
    ...GENERIC,
    ...ALL_KEYS,
    name: 'touch',
    arity: -2,
    flags: ['readonly', 'fast'],
    summary: 'Alters the last access time of a key(s). Returns the number of existing keys specified.',
    since: '3.2.1',
    complexity: 'O(N) where N is the number of keys that will be touched.',
    syntax: 'key [key ...]',
    handler: touch,
  }),
  command({
    ...GENERIC,
    name: 'randomkey',
    arity: 1,
    flags: ['readonly'],
    summary: 'Return a random key from the keyspace',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: '',
    handler: randomkey,
  }),
  command({
    ...GENERIC,
    ...TWO_KEYS,
    name: 'rename',
    arity: 3,
    flags: ['write'],
    summary: 'Rename a key',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key newkey',
    handler: (ctx, argv) => renameGeneric(ctx, argv, false),
  }),
  command({
    ...GENERIC,
    ...TWO_KEYS,
    name: 'renamenx',
    arity: 3,
    flags: ['write', 'fast'],
    summary: 'Rename a key, only if the new key does not exist',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key newkey',
    handler: (ctx, argv) => renameGeneric(ctx, argv, true),
  }),
  command({
    ...GENERIC,
    ...TWO_KEYS,
    name: 'copy',
    arity: -3,
    flags: ['write', 'denyoom'],
    summary: 'Copy a key',
    since: '6.2.0',
    complexity:
      'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
    syntax: 'source destination [DB destination-db] [REPLACE]',
    handler: copy,
  }),
  command({
    ...GENERIC,
    name: 'move',
    arity: 3,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    summary: 'Move a key to another database',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key db',
    handler: move,
  }),
  command({
    ...SERVER,
    name: 'dbsize',
    categories: ['keyspace'],
    arity: 1,
    flags: ['readonly', 'fast'],
    summary: 'Return the number of keys in the selected database',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: '',
    handler: dbsize,
  }),
  command({
    ...SERVER,
    name: 'flushdb',
    categories: ['keyspace'],
    arity: -1,
    flags: ['write', 'dangerous'],
    summary: 'Remove all keys from the current database',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of keys in the selected database',
    syntax: '[ASYNC | SYNC]',
    handler: flushdb,
  }),
  command({
    ...SERVER,
    name: 'flushall',
    categories: ['keyspace'],
    arity: -1,
    flags: ['write', 'dangerous'],
    summary: 'Remove all keys from all databases',
    since: '1.0.0',
    complexity: 'O(N) where N is the total number of keys in all databases',
    syntax: '[ASYNC | SYNC]',
    handler: flushall,
  }),
  command({
    ...SERVER,
    name: 'swapdb',
    categories: ['keyspace'],
    arity: 3,
    flags: ['write', 'fast', 'dangerous'],
    summary: 'Swaps two Redis databases',
    since: '4.0.0',
    complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.',
    syntax: 'index1 index2',
    handler: swapdb,
  }),
];

export const keyCommands: readonly CommandSpec[] = [...keyspaceCommands, ...scanCommands, ...objectCommands];
