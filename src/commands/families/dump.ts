/**
 * DUMP and RESTORE (Redis's cluster.c dumpCommand / restoreCommand): a value serialized in
 * Redis 7.0's RDB format (persistence/rdb), so payloads move between Cairn and Redis both
 * ways. Checks run in Redis's order: options (syntax, IDLETIME / FREQ values), then BUSYKEY,
 * then the TTL, then the payload's version and checksum, then its contents.
 */

import { ErrorReply, Errors } from '../../errors.js';
import { RdbFormatError } from '../../persistence/rdb/constants.js';
import { createDumpPayload, parseDumpPayload, verifyDumpPayload } from '../../persistence/rdb/dump.js';
import { argIs, parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { propagateAs, propagating } from '../replication/rewrites.js';
import { OK, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { INT64_MAX, toEngineMs } from './expire-time.js';
import { notifyGeneric, notifyNew } from './keyspace-events.js';
import { lookupValue } from './lookup.js';

const busyKey = new ErrorReply('CONDITION_FAILED', 'BUSYKEY Target key name already exists.');
const invalidTtl = new ErrorReply('ERR', 'ERR Invalid TTL value, must be >= 0');
const invalidIdle = new ErrorReply('ERR', 'ERR Invalid IDLETIME value, must be >= 0');
const invalidFreq = new ErrorReply('ERR', 'ERR Invalid FREQ value, must be >= 0 and <= 255');
const badPayload = new ErrorReply('ERR', 'ERR DUMP payload version or checksum are wrong');
const badData = new ErrorReply('ERR', 'ERR Bad data format');

const MS_PER_S = 1000;
/** IDLETIME beyond this many seconds (about 68 years) is kept as this: the LRU clock wraps anyway. */
const MAX_IDLE_SECONDS = 2n ** 31n;

function dump(ctx: CommandContext, argv: Buffer[]): Reply {
  const value = lookupValue(ctx, argv[1]);
  if (value === null) return null;
  const config = ctx.server.config;
  return createDumpPayload(value, {
    listMaxListpackSize: config.int('list-max-listpack-size'),
    listCompressDepth: config.int('list-compress-depth'),
    compress: config.bool('rdbcompression'),
  });
}

interface RestoreOptions {
  replace: boolean;
  absttl: boolean;
  /** Seconds, -1 when not given. */
  idle: bigint;
  /** LFU counter, -1 when not given. */
  freq: bigint;
}

/** RESTORE's options from argv[4] on; IDLETIME and FREQ exclude each other (a syntax error). */
function parseOptions(argv: Buffer[]): RestoreOptions | ErrorReply {
  const o: RestoreOptions = { replace: false, absttl: false, idle: -1n, freq: -1n };
  for (let j = 4; j < argv.length; j++) {
    const more = argv.length - j - 1;
    if (argIs(argv[j], 'replace')) o.replace = true;
    else if (argIs(argv[j], 'absttl')) o.absttl = true;
    else if (argIs(argv[j], 'idletime') && more >= 1 && o.freq === -1n) {
      const v = parseInt64(argv[++j]);
      if (v === null) return Errors.notInteger;
      if (v < 0n) return invalidIdle;
      o.idle = v;
    } else if (argIs(argv[j], 'freq') && more >= 1 && o.idle === -1n) {
      const v = parseInt64(argv[++j]);
      if (v === null) return Errors.notInteger;
      if (v < 0n || v > 255n) return invalidFreq;
      o.freq = v;
    } else return Errors.syntax;
  }
  return o;
}

function restore(ctx: CommandContext, argv: Buffer[]): Reply {
  const o = parseOptions(argv);
  if (o instanceof ErrorReply) return o;
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  const key = argv[1];
  if (!o.replace && ks.exists(db, key)) return busyKey;
  let ttl = parseInt64(argv[2]);
  if (ttl === null) return Errors.notInteger;
  if (ttl < 0n) return invalidTtl;
  if (!verifyDumpPayload(argv[3])) return badPayload;
  let value: ReturnType<typeof parseDumpPayload>;
  try {
    value = parseDumpPayload(argv[3], { limits: ks.limits });
  } catch (e) {
    if (e instanceof RdbFormatError || e instanceof RangeError) return badData;
    throw e;
  }
  const deleted = o.replace && ks.delete(db, key);
  const now = BigInt(ctx.server.clock.now());
  if (ttl !== 0n && !o.absttl) ttl += now;
  // In C the sum wraps past INT64_MAX to a time long gone.
  if (ttl !== 0n && (ttl > INT64_MAX || ttl <= now)) {
    if (deleted) {
      notifyGeneric(ctx, 'del', key);
      if (propagating(ctx)) propagateAs(ctx, ['DEL', key]);
    }
    return OK;
  }
  // A relative TTL is replicated as the absolute time it gave: RESTORE ... <ms> ... ABSTTL.
  if (ttl !== 0n && !o.absttl && propagating(ctx))
    propagateAs(ctx, [argv[0], key, String(ttl), ...argv.slice(3), 'ABSTTL']);
  ks.set(db, key, value, ttl === 0n ? 0 : toEngineMs(ttl));
  setAccess(ctx, key, o);
  notifyNew(ctx, key);
  notifyGeneric(ctx, 'restore', key);
  return OK;
}

/** objectSetLRUOrLFU: FREQ under an LFU policy, IDLETIME under any other. */
function setAccess(ctx: CommandContext, key: Buffer, o: RestoreOptions): void {
  const ks = ctx.server.keyspace;
  if (ks.setAccess === undefined) return;
  const lfu = ctx.server.config.get('maxmemory-policy').endsWith('-lfu');
  if (lfu && o.freq >= 0n) ks.setAccess(ctx.client.db, key, { freq: Number(o.freq) });
  else if (!lfu && o.idle >= 0n) {
    const idle = o.idle > MAX_IDLE_SECONDS ? MAX_IDLE_SECONDS : o.idle;
    ks.setAccess(ctx.client.db, key, { idleMs: Number(idle) * MS_PER_S });
  }
}

const KEY = { group: 'generic', firstKey: 1, lastKey: 1, step: 1 } as const;

export const dumpCommands: readonly CommandSpec[] = [
  command({
    ...KEY,
    name: 'dump',
    arity: 2,
    flags: ['readonly'],
    summary: 'Return a serialized version of the value stored at the specified key.',
    since: '2.6.0',
    complexity:
      'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).',
    syntax: 'key',
    handler: dump,
  }),
  command({
    ...KEY,
    name: 'restore',
    arity: -4,
    flags: ['write', 'denyoom', 'dangerous'],
    summary: 'Create a key using the provided serialized value, previously obtained using DUMP.',
    since: '2.6.0',
    complexity:
      'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).',
    syntax: 'key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]',
    handler: restore,
  }),
];
