/**
 * Expiry: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT), TTL PTTL EXPIRETIME PEXPIRETIME,
 * PERSIST. The four setters are one generic function (Redis's expireGenericCommand) with a
 * unit and a base time; the four readers are one (ttlGenericCommand).
 */
import { ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { deletionCommand, propagateAs, propagating } from '../replication/rewrites.js';
import type { Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { INT64_MAX, INT64_MAX_SECONDS, INT64_MIN_SECONDS, invalidExpire, toEngineMs } from './expire-time.js';
import { notifyGeneric } from './keyspace-events.js';
import { countLookup, cString, optIs } from './lookup.js';

/** Condition bits, as Redis's EXPIRE_* flags. */
const NX = 1 << 0; // only when the key has no expiry
const XX = 1 << 1; // only when the key has an expiry
const GT = 1 << 2; // only when the new expiry is later (no expiry counts as infinite)
const LT = 1 << 3; // only when the new expiry is sooner

const nxIncompatible = new ErrorReply(
  'ERR',
  'ERR NX and XX, GT or LT options at the same time are not compatible',
);
const gtLtIncompatible = new ErrorReply('ERR', 'ERR GT and LT options at the same time are not compatible');

/** Redis's parseExtendedExpireArgumentsOrReply. */
function parseConditions(argv: Buffer[]): number | ErrorReply {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    if (optIs(opt, 'nx')) flags |= NX;
    else if (optIs(opt, 'xx')) flags |= XX;
    else if (optIs(opt, 'gt')) flags |= GT;
    else if (optIs(opt, 'lt')) flags |= LT;
    else return new ErrorReply('ERR', `ERR Unsupported option ${cString(opt)}`);
  }
  if (flags & NX && flags & (XX | GT | LT)) return nxIncompatible;
  if (flags & GT && flags & LT) return gtLtIncompatible;
  return flags;
}

/**
 * Redis's expireGenericCommand. The time may be negative; only int64 overflow (scaling seconds,
 * adding the base time) is an error. A time already past deletes the key and answers 1.
 */
function expireGeneric(
  ctx: CommandContext,
  argv: Buffer[],
  cmd: string,
  unitSeconds: boolean,
  relative: boolean,
): Reply {
  const flags = parseConditions(argv);
  if (flags instanceof ErrorReply) return flags;
  let when = parseInt64(argv[2]);
  if (when === null) return Errors.notInteger;
  if (unitSeconds) {
    if (when > INT64_MAX_SECONDS || when < INT64_MIN_SECONDS) return invalidExpire(cmd);
    when *= 1000n;
  }
  const now = ctx.server.clock.now();
  const base = relative ? BigInt(now) : 0n;
  if (when > INT64_MAX - base) return invalidExpire(cmd);
  when += base;

  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const key = argv[1];
  const current = ks.expireTime(db, key);
  if (current === -2) return 0;
  if (flags !== 0) {
    if (flags & NX && current !== -1) return 0;
    if (flags & XX && current === -1) return 0;
    if (flags & GT && (current === -1 || when <= BigInt(current))) return 0;
    if (flags & LT && current !== -1 && when >= BigInt(current)) return 0;
  }
  if (when <= BigInt(now)) {
    ks.delete(db, key);
    notifyGeneric(ctx, 'del', key);
    if (propagating(ctx)) propagateAs(ctx, [deletionCommand(ctx, 'lazyfree-lazy-expire'), key]);
  } else {
    ks.setExpireTime(db, key, toEngineMs(when));
    notifyGeneric(ctx, 'expire', key);
    // Replicas get an absolute time: PEXPIREAT key <ms> [NX|XX|GT|LT].
    if (cmd !== 'pexpireat' && propagating(ctx))
      propagateAs(ctx, ['PEXPIREAT', key, String(when), ...argv.slice(3)]);
  }
  return 1;
}

const MS_PER_S = 1000;

/**
 * Redis's ttlGenericCommand: -2 for a missing key, -1 without expiry; seconds are rounded to
 * the nearest second ((ms + 500) / 1000), for TTL and EXPIRETIME alike.
 */
function ttlGeneric(ctx: CommandContext, argv: Buffer[], inMs: boolean, absolute: boolean): Reply {
  const at = ctx.server.keyspace.expireTime(ctx.client.db, argv[1]);
  countLookup(ctx, at !== -2, argv[1]);
  if (at < 0) return at;
  const ms = absolute ? at : Math.max(0, at - ctx.server.clock.now());
  return inMs ? ms : Math.floor((ms + MS_PER_S / 2) / MS_PER_S);
}

function persist(ctx: CommandContext, argv: Buffer[]): Reply {
  if (!ctx.server.keyspace.persist(ctx.client.db, argv[1])) return 0;
  notifyGeneric(ctx, 'persist', argv[1]);
  return 1;
}

const EXPIRY = { group: 'generic', firstKey: 1, lastKey: 1, step: 1 } as const;
const SETTER = { ...EXPIRY, arity: -3, flags: ['write', 'fast'], complexity: 'O(1)' } as const;
const READER = {
  ...EXPIRY,
  arity: 2,
  flags: ['readonly', 'fast'],
  complexity: 'O(1)',
  syntax: 'key',
} as const;
const CONDITIONS = '[NX | XX | GT | LT]';

export const expiryCommands: readonly CommandSpec[] = [
  command({
    ...SETTER,
    name: 'expire',
    summary: "Set a key's time to live in seconds",
    since: '1.0.0',
    syntax: `key seconds ${CONDITIONS}`,
    handler: (ctx, argv) => expireGeneric(ctx, argv, 'expire', true, true),
  }),
  command({
    ...SETTER,
    name: 'pexpire',
    summary: "Set a key's time to live in milliseconds",
    since: '2.6.0',
    syntax: `key milliseconds ${CONDITIONS}`,
    handler: (ctx, argv) => expireGeneric(ctx, argv, 'pexpire', false, true),
  }),
  command({
    ...SETTER,
    name: 'expireat',
    summary: 'Set the expiration for a key as a UNIX timestamp',
    since: '1.2.0',
    syntax: `key unix-time-seconds ${CONDITIONS}`,
    handler: (ctx, argv) => expireGeneric(ctx, argv, 'expireat', true, false),
  }),
  command({
    ...SETTER,
    name: 'pexpireat',
    summary: 'Set the expiration for a key as a UNIX timestamp specified in milliseconds',
    since: '2.6.0',
    syntax: `key unix-time-milliseconds ${CONDITIONS}`,
    handler: (ctx, argv) => expireGeneric(ctx, argv, 'pexpireat', false, false),
  }),
  command({
    ...READER,
    name: 'ttl',
    summary: 'Get the time to live for a key in seconds',
    since: '1.0.0',
    handler: (ctx, argv) => ttlGeneric(ctx, argv, false, false),
  }),
  command({
    ...READER,
    name: 'pttl',
    summary: 'Get the time to live for a key in milliseconds',
    since: '2.6.0',
    handler: (ctx, argv) => ttlGeneric(ctx, argv, true, false),
  }),
  command({
    ...READER,
    name: 'expiretime',
    summary: 'Get the expiration Unix timestamp for a key',
    since: '7.0.0',
    handler: (ctx, argv) => ttlGeneric(ctx, argv, false, true),
  }),
  command({
    ...READER,
    name: 'pexpiretime',
    summary: 'Get the expiration Unix timestamp for a key in milliseconds',
    since: '7.0.0',
    handler: (ctx, argv) => ttlGeneric(ctx, argv, true, true),
  }),
  command({
    ...EXPIRY,
    name: 'persist',
    arity: 2,
    flags: ['write', 'fast'],
    summary: 'Remove the expiration from a key',
    since: '2.2.0',
    complexity: 'O(1)',
    syntax: 'key',
    handler: persist,
  }),
];
