/**
 * The string family's GET/SET side: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET
 * MSETNX. The SET variants are thin entries over one generic function, as Redis's
 * setGenericCommand; ranges, counters and LCS live in their own files and join the exported
 * table at the bottom.
 */
import { ErrorReply, Errors } from '../../errors.js';
import type { CommandContext } from '../context.js';
import {
  alsoPropagate,
  deletionCommand,
  preventPropagation,
  propagateAs,
  propagating,
} from '../replication/rewrites.js';
import { OK, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { expireAtOrReply, toEngineMs } from './expire-time.js';
import { notify, notifyGeneric, notifyNew, willCreate } from './keyspace-events.js';
import { lcsCommands } from './lcs.js';
import { lookupRead, optIs, own } from './lookup.js';
import { stringNumericCommands } from './strings-numeric.js';
import { stringRangeCommands } from './strings-range.js';

/** Option bits of SET and GETEX, as Redis's OBJ_* flags. */
const NX = 1 << 0; // write only when the key does not exist
const XX = 1 << 1; // write only when the key exists
const EX = 1 << 2; // expire in seconds from now
const PX = 1 << 3; // expire in milliseconds from now
const KEEPTTL = 1 << 4; // keep the key's current expiry (SET)
const GET = 1 << 5; // reply with the old value (SET)
const EXAT = 1 << 6; // expire at a Unix time in seconds
const PXAT = 1 << 7; // expire at a Unix time in milliseconds
const PERSIST = 1 << 8; // remove the expiry (GETEX)

interface StringOptions {
  flags: number;
  expire: Buffer | null;
}

/**
 * Redis's parseExtendedStringArgumentsOrReply, condition for condition: which options combine
 * (EX twice is fine, EX with PX is not) decides between OK and `syntax error`, and a missing
 * value after EX makes `EX` itself the unknown word. Values are checked later, by the caller.
 */
function parseStringOptions(argv: Buffer[], from: number, forSet: boolean): StringOptions | ErrorReply {
  let flags = 0;
  let expire: Buffer | null = null;
  for (let j = from; j < argv.length; j++) {
    const opt = argv[j];
    const hasNext = j + 1 < argv.length;
    if (forSet && optIs(opt, 'nx') && !(flags & XX)) flags |= NX;
    else if (forSet && optIs(opt, 'xx') && !(flags & NX)) flags |= XX;
    else if (forSet && optIs(opt, 'get')) flags |= GET;
    else if (forSet && optIs(opt, 'keepttl') && !(flags & (PERSIST | EX | EXAT | PX | PXAT)))
      flags |= KEEPTTL;
    else if (!forSet && optIs(opt, 'persist') && !(flags & (EX | EXAT | PX | PXAT | KEEPTTL)))
      flags |= PERSIST;
    else if (optIs(opt, 'ex') && !(flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) && hasNext) {
      flags |= EX;
      expire = argv[++j];
    } else if (optIs(opt, 'px') && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) && hasNext) {
      flags |= PX;
      expire = argv[++j];
    } else if (optIs(opt, 'exat') && !(flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) && hasNext) {
      flags |= EXAT;
      expire = argv[++j];
    } else if (optIs(opt, 'pxat') && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) && hasNext) {
      flags |= PXAT;
      expire = argv[++j];
    } else return Errors.syntax;
  }
  return { flags, expire };
}

/** The absolute expiry (Unix ms, bigint) an option set asks for, or the error to reply. */
function optionExpireAt(ctx: CommandContext, cmd: string, o: StringOptions): bigint | ErrorReply {
  if (o.expire === null) return 0n;
  return expireAtOrReply(ctx, cmd, o.expire, (o.flags & (EX | EXAT)) !== 0, (o.flags & (EX | PX)) !== 0);
}

/**
 * Redis's setGenericCommand. `ok` / `abort` are the replies for "written" / "NX or XX said no"
 * (OK / null for SET, 1 / 0 for SETNX); with GET the old value is the reply either way. An
 * expiry already in the past stores the key and at once expires it (an `expired` notification
 * after `set` and `expire`, as Redis's next lookup or expiry cycle gives).
 */
function setGeneric(
  ctx: CommandContext,
  cmd: string,
  o: StringOptions,
  key: Buffer,
  value: Buffer,
  ok: Reply,
  abort: Reply,
): Reply {
  const when = optionExpireAt(ctx, cmd, o);
  if (when instanceof ErrorReply) return when;
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const flags = o.flags;
  let old: Buffer | null = null;
  let found = false;
  if (flags & GET) {
    const v = lookupRead(ctx, key);
    if (v instanceof ErrorReply) return v;
    if (v !== null) old = own(v);
    found = v !== null;
  } else if (flags & (NX | XX)) {
    found = ks.exists(db, key);
  }
  if ((flags & NX && found) || (flags & XX && !found)) return flags & GET ? old : abort;
  const at = toEngineMs(when);
  const created = willCreate(ctx, key);
  ks.set(db, key, value, at, (flags & KEEPTTL) !== 0);
  if (created) notifyNew(ctx, key);
  notify(ctx, '$', 'set', key);
  if (at !== 0) {
    notifyGeneric(ctx, 'expire', key);
    // An EXAT/PXAT already past: the engine removes the key as expired (lazy expiry). A relative
    // time is in the future when computed, even if the clock has moved on since.
    const past = (flags & (EXAT | PXAT)) !== 0 && at <= ctx.server.clock.now();
    // Replicas get every expiring SET as SET key value PXAT <ms>; one already past goes out
    // before the DEL its expiry propagates.
    if (propagating(ctx)) {
      const form = ['SET', key, value, 'PXAT', String(when)];
      if (past) {
        alsoPropagate(ctx, form);
        preventPropagation(ctx);
      } else propagateAs(ctx, form);
    }
    if (past) ks.exists(db, key);
  }
  return flags & GET ? old : ok;
}

function set(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length === 3) {
    // The common case: no options, nothing to parse.
    const created = willCreate(ctx, argv[1]);
    ctx.server.keyspace.set(ctx.client.db, argv[1], argv[2]);
    if (created) notifyNew(ctx, argv[1]);
    notify(ctx, '$', 'set', argv[1]);
    return OK;
  }
  const o = parseStringOptions(argv, 3, true);
  if (o instanceof ErrorReply) return o;
  return setGeneric(ctx, 'set', o, argv[1], argv[2], OK, null);
}

function setnx(ctx: CommandContext, argv: Buffer[]): Reply {
  return setGeneric(ctx, 'setnx', { flags: NX, expire: null }, argv[1], argv[2], 1, 0);
}

function setex(ctx: CommandContext, argv: Buffer[]): Reply {
  return setGeneric(ctx, 'setex', { flags: EX, expire: argv[2] }, argv[1], argv[3], OK, null);
}

function psetex(ctx: CommandContext, argv: Buffer[]): Reply {
  return setGeneric(ctx, 'psetex', { flags: PX, expire: argv[2] }, argv[1], argv[3], OK, null);
}

function get(ctx: CommandContext, argv: Buffer[]): Reply {
  return lookupRead(ctx, argv[1]);
}

/** GETSET: SET ... GET without options (and like SET it drops any expiry). */
function getset(ctx: CommandContext, argv: Buffer[]): Reply {
  const r = setGeneric(ctx, 'getset', { flags: GET, expire: null }, argv[1], argv[2], OK, null);
  if (propagating(ctx)) propagateAs(ctx, ['SET', argv[1], argv[2]]);
  return r;
}

function getdel(ctx: CommandContext, argv: Buffer[]): Reply {
  const v = lookupRead(ctx, argv[1]);
  if (v === null || v instanceof ErrorReply) return v;
  const out = own(v);
  ctx.server.keyspace.delete(ctx.client.db, argv[1]);
  notifyGeneric(ctx, 'del', argv[1]);
  if (propagating(ctx)) propagateAs(ctx, [deletionCommand(ctx, 'lazyfree-lazy-user-del'), argv[1]]);
  return out;
}

/**
 * GETEX: the value, then the expiry change. As in Redis the key is looked up before the
 * expiry is validated, so a missing key answers null even to `EX 0`; an EXAT/PXAT already in
 * the past deletes the key after its value is taken.
 */
function getex(ctx: CommandContext, argv: Buffer[]): Reply {
  const o = parseStringOptions(argv, 2, false);
  if (o instanceof ErrorReply) return o;
  const v = lookupRead(ctx, argv[1]);
  if (v === null || v instanceof ErrorReply) return v;
  const when = optionExpireAt(ctx, 'getex', o);
  if (when instanceof ErrorReply) return when;
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  if (o.flags & (EXAT | PXAT) && when <= BigInt(ctx.server.clock.now())) {
    const out = own(v);
    ks.delete(db, argv[1]);
    notifyGeneric(ctx, 'del', argv[1]);
    if (propagating(ctx)) propagateAs(ctx, [deletionCommand(ctx, 'lazyfree-lazy-expire'), argv[1]]);
    return out;
  }
  // Never propagated as GETEX: as PEXPIREAT, DEL / UNLINK or PERSIST (Redis's getexCommand).
  if (o.expire !== null) {
    ks.setExpireTime(db, argv[1], toEngineMs(when));
    notifyGeneric(ctx, 'expire', argv[1]);
    if (propagating(ctx)) propagateAs(ctx, ['PEXPIREAT', argv[1], String(when)]);
  } else if (o.flags & PERSIST && ks.persist(db, argv[1])) {
    notifyGeneric(ctx, 'persist', argv[1]);
    if (propagating(ctx)) propagateAs(ctx, ['PERSIST', argv[1]]);
  }
  return v;
}

function mget(ctx: CommandContext, argv: Buffer[]): Reply {
  const out: Reply[] = new Array(argv.length - 1);
  const clock = ctx.server.clock;
  if (argv.length > 2) {
    ctx.server.keyspace.prefetch?.(ctx.client.db, argv, 1, 1);
    clock.hold?.();
  }
  try {
    // MGET answers nil for a key of another type, as Redis does.
    for (let i = 1; i < argv.length; i++) {
      const v = lookupRead(ctx, argv[i]);
      out[i - 1] = v instanceof ErrorReply ? null : v;
    }
  } finally {
    if (argv.length > 2) clock.release?.();
  }
  return out;
}

/** Redis's msetGenericCommand: MSETNX writes nothing when any key exists. */
function msetGeneric(ctx: CommandContext, argv: Buffer[], nx: boolean): Reply {
  if (argv.length % 2 === 0) return Errors.wrongArity(nx ? 'msetnx' : 'mset');
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) if (ks.exists(db, argv[j])) return 0;
  }
  // One time for every key, as Redis's command time; cache misses of the keys overlapped.
  const clock = ctx.server.clock;
  if (argv.length > 3) {
    ks.prefetch?.(db, argv, 1, 2);
    clock.hold?.();
  }
  try {
    for (let j = 1; j < argv.length; j += 2) {
      const created = willCreate(ctx, argv[j]);
      ks.set(db, argv[j], argv[j + 1]);
      if (created) notifyNew(ctx, argv[j]);
      notify(ctx, '$', 'set', argv[j]);
    }
  } finally {
    if (argv.length > 3) clock.release?.();
  }
  return nx ? 1 : OK;
}

const STRING = { group: 'string' } as const;
const ONE_KEY = { firstKey: 1, lastKey: 1, step: 1 } as const;

const getSetCommands: readonly CommandSpec[] = [
  command({
    ...STRING,
    ...ONE_KEY,
    name: 'get',
    arity: 2,
    flags: ['readonly', 'fast'],
    summary: 'Get the value of a key',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key',
    handler: get,
  }),
  command({
    ...STRING,
    ...ONE_KEY,
    name: 'set',
    arity: -3,
    flags: ['write', 'denyoom'],
    summary: 'Set the string value of a key',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax:
      'key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]',
    handler: set,
  }),
  command({
    ...STRING,
    ...ONE_KEY,
    name: 'setnx',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    summary: 'Set the value of a key, only if the key does not exist',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key value',
    handler: setnx,
  }),
  command({
    ...STRING,
    ...ONE_KEY,
    name: 'setex',
    arity: 4,
    flags: ['write', 'denyoom'],
    summary: 'Set the value and expiration of a key',
    since: '2.0.0',
    complexity: 'O(1)',
    syntax: 'key seconds value',
    handler: setex,
  }),
  command({
    ...STRING,
    ...ONE_KEY,
    name: 'psetex',
    arity: 4,
    flags: ['write', 'denyoom'],
    summary: 'Set the value and expiration in milliseconds of a key',
    since: '2.6.0',
    complexity: 'O(1)',
    syntax: 'key milliseconds value',
    handler: psetex,
  }),
  command({
    ...STRING,
    ...ONE_KEY,
    name: 'getset',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    summary: 'Set the string value of a key and return its old value',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'key value',
    handler: getset,
  }),
  command({
    ...STRING,
    ...ONE_KEY,
    name: 'getdel',
    arity: 2,
    flags: ['write', 'fast'],
    summary: 'Get the value of a key and delete the key',
    since: '6.2.0',
    complexity: 'O(1)',
    syntax: 'key',
    handler: getdel,
  }),
  command({
    ...STRING,
    ...ONE_KEY,
    name: 'getex',
    arity: -2,
    flags: ['write', 'fast'],
    summary: 'Get the value of a key and optionally set its expiration',
    since: '6.2.0',
    complexity: 'O(1)',
    syntax:
      'key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]',
    handler: getex,
  }),
  command({
    ...STRING,
    name: 'mget',
    arity: -2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    summary: 'Get the values of all the given keys',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of keys to retrieve.',
    syntax: 'key [key ...]',
    handler: mget,
  }),
  command({
    ...STRING,
    name: 'mset',
    arity: -3,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: -1,
    step: 2,
    summary: 'Set multiple keys to multiple values',
    since: '1.0.1',
    complexity: 'O(N) where N is the number of keys to set.',
    syntax: 'key value [key value ...]',
    handler: (ctx, argv) => msetGeneric(ctx, argv, false),
  }),
  command({
    ...STRING,
    name: 'msetnx',
    arity: -3,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: -1,
    step: 2,
    summary: 'Set multiple keys to multiple values, only if none of the keys exist',
    since: '1.0.1',
    complexity: 'O(N) where N is the number of keys to set.',
    syntax: 'key value [key value ...]',
    handler: (ctx, argv) => msetGeneric(ctx, argv, true),
  }),
];

export const stringCommands: readonly CommandSpec[] = [
  ...getSetCommands,
  ...stringRangeCommands,
  ...stringNumericCommands,
  ...lcsCommands,
];
