/**
 * DEBUG: the subcommands Redis's own test suite and operators lean on (RELOAD, OBJECT, DIGEST,
 * DIGEST-VALUE, SLEEP, SET-ACTIVE-EXPIRE, PROTOCOL, JMAP, CHANGE-REPL-ID, LOG, ...). Gated by
 * `enable-debug-command` as in Redis 7: `no`, `local` (loopback clients only; Cairn's default,
 * where Redis's is `no`, so a local operator can inspect encodings) or `yes`.
 */
import { createHash } from 'node:crypto';
import { encodeValue, typeCode } from '../../engine/values/codec.js';
import { isCollection, type StoredValue } from '../../engine/values/collection.js';
import { ErrorReply, Errors } from '../../errors.js';
import { isLoopback } from '../../security/protected-mode.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import {
  AttributeReply,
  BigNumberReply,
  BooleanReply,
  bulk,
  DoubleReply,
  MapReply,
  OK,
  PushReply,
  type Reply,
  SequenceReply,
  SetReply,
  SimpleReply,
  VerbatimReply,
} from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { debugHtStatsKey } from './debug-htstats.js';
import { debugPopulate } from './debug-populate.js';
import { debugReload } from './debug-reload.js';
import { cString } from './lookup.js';
import { stringEncoding } from './object.js';
import { helpReply, oneLine } from './redis-compat.js';

const notAllowed = new ErrorReply(
  'ERR',
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
);
const noSuchKey = new ErrorReply('ERR', 'ERR no such key');
const ZERO_DIGEST = Buffer.from('0'.repeat(40));
const MS_PER_S = 1000;

const HELP_LINES = [
  'CHANGE-REPL-ID',
  '    Accepted (Cairn has no replication).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'JMAP',
  '    Accepted (no heap map).',
  'HTSTATS-KEY <key>',
  "    Hash table statistics of the hash table stored at <key>'s value.",
  'LOADAOF',
  '    Cairn has no AOF: like RELOAD, save every key in the snapshot format and load it back.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'OBJECT <key>',
  '    Show low level info about the `key` and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  "    it is used instead of the 'key' prefix. These are not propagated to",
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Accepted (lists are not packed in quicklist nodes).',
  'RELOAD [MERGE] [NOFLUSH] [NOSAVE]',
  '    Save every key in the snapshot format and load it back (encodings are chosen again).',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'SET-DISABLE-DENY-SCRIPTS <0|1>',
  '    Disable or enable the no-script flag of commands, so that scripts may run them.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not accessed.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
];

function allowed(ctx: CommandContext): boolean {
  const mode = ctx.server.config.get('enable-debug-command');
  if (mode === 'yes') return true;
  if (mode !== 'local') return false;
  const addr = ctx.client.addr;
  const ip = addr.startsWith('[') ? addr.slice(1, addr.indexOf(']')) : addr.slice(0, addr.lastIndexOf(':'));
  return isLoopback(ip);
}

function sha1(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
}

function xorInto(acc: Buffer, d: Buffer): void {
  for (let i = 0; i < acc.length; i++) acc[i] ^= d[i];
}

/**
 * A value's signature, as Redis's xorObjectDigest means it: the same content gives the same
 * digest whatever the encoding; unordered types (hash, set) combine their elements' digests
 * order-independently.
 */
function valueDigest(v: StoredValue, expireAt: number): Buffer {
  const head = Buffer.from(`${typeCode(v)}:${expireAt > 0 ? expireAt : -1}:`);
  if (!isCollection(v) || v.type === 'list' || v.type === 'zset' || v.type === 'stream')
    return sha1(head, encodeValue(v));
  const acc = Buffer.alloc(20);
  const ser = encodeValue(v);
  // The serialized form is flag, count, then length-prefixed elements (values/serial.ts).
  let p = 5;
  while (p < ser.length) {
    const n = ser.readUInt32LE(p);
    let end = p + 4 + n;
    if (v.type === 'hash') end += 4 + ser.readUInt32LE(end);
    xorInto(acc, sha1(ser.subarray(p, end)));
    p = end;
  }
  return sha1(head, acc);
}

function digest(ctx: CommandContext): Reply {
  const ks = ctx.server.keyspace;
  const acc = Buffer.alloc(20);
  let any = false;
  const now = ctx.server.clock.now();
  for (let db = 0; db < ks.databases; db++) {
    if (ks.dbSize(db) === 0) continue;
    let cursor = 0;
    const keys: Buffer[] = [];
    do cursor = ks.scan(db, cursor, 1000, keys);
    while (cursor !== 0);
    for (const key of keys) {
      const e = ks.peekEntry(db, key);
      if (e === null || (e.expireAt !== 0 && e.expireAt <= now)) continue;
      any = true;
      xorInto(acc, sha1(Buffer.from(`${db}:`), key, valueDigest(e.value, e.expireAt)));
    }
  }
  return any ? Buffer.from(acc.toString('hex')) : ZERO_DIGEST;
}

function digestValue(ctx: CommandContext, argv: Buffer[]): Reply {
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  return argv.slice(2).map((key) => {
    const e = ks.exists(db, key) ? ks.peekEntry(db, key) : null;
    return e === null ? ZERO_DIGEST : Buffer.from(valueDigest(e.value, 0).toString('hex'));
  });
}

/** Redis's DEBUG OBJECT line (addresses are not Cairn's to show; a stable stand-in is given). */
function object(ctx: CommandContext, argv: Buffer[]): Reply {
  const key = argv[2];
  const ks = ctx.server.keyspace;
  // The key as stored, expired or not (Redis looks it up in the dict itself: no expiry, no stats).
  const e = ks.peekEntry(ctx.client.db, key);
  if (e === null) return noSuchKey;
  const v = e.value;
  const expired = e.expireAt !== 0 && e.expireAt <= ctx.server.clock.now();
  const meta = expired ? null : ks.meta(ctx.client.db, key);
  const idle = Math.floor((meta?.idleMs ?? 0) / MS_PER_S);
  const enc = isCollection(v) ? v.encoding() : stringEncoding(v, e.raw === true).toString('latin1');
  const serialized = encodeValue(v).length;
  const lru = Math.floor(ctx.server.clock.now() / MS_PER_S - idle) & 0xffffff;
  let line = `Value at:0x0 refcount:1 encoding:${enc} serializedlength:${serialized} lru:${lru} lru_seconds_idle:${idle}`;
  if (isCollection(v) && v.type === 'list') {
    const size = ctx.server.config.int('list-max-listpack-size');
    line += ` ql_nodes:${v.size() === 0 ? 0 : 1} ql_avg_node:${v.size().toFixed(2)} ql_listpack_max:${size} ql_compressed:0 ql_uncompressed_size:${serialized}`;
  }
  return new SimpleReply(line);
}

/** DEBUG SLEEP stops the whole server, as in Redis (tests use it to make a server busy). */
function sleep(argv: Buffer[]): Reply {
  const secs = Number(argv[2].toString('latin1'));
  if (!Number.isFinite(secs) || secs < 0) return Errors.notFloat;
  const ms = Math.round(secs * MS_PER_S);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return OK;
}

function protocol(ctx: CommandContext, argv: Buffer[]): Reply {
  switch (argv[2].toString('latin1').toLowerCase()) {
    case 'bignum':
      return new BigNumberReply('1234567999999999999999999999999999999');
    case 'attrib':
      return new AttributeReply(
        [[bulk('key-popularity'), [bulk('key:123'), 90]]],
        bulk('Some real reply following the attribute'),
      );
    case 'push':
      if (ctx.client.resp < 3) return new ErrorReply('ERR', 'ERR RESP2 is not supported by this command');
      // Not a synchronous reply: a plain one follows, for clients that skip pushes.
      return new SequenceReply([
        new PushReply([bulk('server-cpu-usage'), 42]),
        bulk('Some real reply following the push reply'),
      ]);
    case 'string':
      return Buffer.from('Hello World');
    case 'integer':
      return 12345;
    case 'double':
      // biome-ignore lint/suspicious/noApproximativeNumericConstant: Redis's DEBUG PROTOCOL double is exactly 3.141
      return new DoubleReply(3.141);
    case 'null':
      return null;
    case 'array':
      return [0, 1, 2];
    case 'set':
      return new SetReply([0, 1, 2]);
    case 'map':
      return new MapReply([
        [0, new BooleanReply(false)],
        [1, new BooleanReply(true)],
        [2, new BooleanReply(false)],
      ]);
    case 'verbatim':
      return new VerbatimReply('txt', 'This is a verbatim\nstring');
    case 'true':
      return new BooleanReply(true);
    case 'false':
      return new BooleanReply(false);
    default:
      return new ErrorReply(
        'ERR',
        'ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
      );
  }
}

/** Redis's REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME, ms. */
const REPLY_PEAK_RESET_DEFAULT_MS = 5000;

/** DEBUG REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|ms> | RESIZING <0|1>: CLIENT LIST rbs/rbp. */
function replyBuffer(ctx: CommandContext, argv: Buffer[]): Reply {
  const opt = argv[2].toString('latin1').toLowerCase();
  const val = argv[3].toString('latin1').toLowerCase();
  const rb = ctx.server.replyBuffer;
  if (opt === 'peak-reset-time') {
    if (val === 'never') rb.peakResetMs = -1;
    else if (val === 'reset') rb.peakResetMs = REPLY_PEAK_RESET_DEFAULT_MS;
    else {
      const ms = parseInt64(argv[3]);
      if (ms === null) return Errors.notInteger;
      rb.peakResetMs = Number(ms);
    }
    return OK;
  }
  if (opt === 'resizing') {
    // Redis reads it with atoi: anything not a number is 0.
    rb.resizing = (Number.parseInt(val, 10) || 0) !== 0;
    return OK;
  }
  return new ErrorReply(
    'ERR',
    `ERR unknown subcommand or wrong number of arguments for '${oneLine(cString(argv[1]))}'. Try DEBUG HELP.`,
  );
}

function debug(ctx: CommandContext, argv: Buffer[]): Reply {
  if (!allowed(ctx)) return notAllowed;
  const sub = argv[1].toString('latin1').toLowerCase();
  const n = argv.length;
  if (sub === 'help' && n === 2) return helpReply(argv[0], HELP_LINES);
  if (sub === 'reload') return debugReload(ctx, argv);
  // No append-only file: the dataset goes through the snapshot format and back, as RELOAD.
  if (sub === 'loadaof' && n === 2) return debugReload(ctx, argv);
  if (sub === 'digest' && n === 2) return digest(ctx);
  if (sub === 'digest-value' && n >= 2) return digestValue(ctx, argv);
  if (sub === 'object' && n === 3) return object(ctx, argv);
  if (sub === 'htstats-key' && n === 3) return debugHtStatsKey(ctx, argv);
  if (sub === 'sleep' && n === 3) return sleep(argv);
  if (sub === 'populate' && n >= 3 && n <= 5) return debugPopulate(ctx, argv);
  if (sub === 'protocol' && n === 3) return protocol(ctx, argv);
  if (sub === 'set-disable-deny-scripts' && n === 3) {
    ctx.server.scripting.allowNoScript = argv[2].toString('latin1') !== '0';
    return OK;
  }
  if (sub === 'set-active-expire' && n === 3) {
    ctx.server.activeExpire = argv[2].toString('latin1') !== '0';
    return OK;
  }
  if (sub === 'pause-cron' && n === 3) {
    ctx.server.pauseCron = argv[2].toString('latin1') !== '0';
    return OK;
  }
  if ((sub === 'jmap' || sub === 'change-repl-id') && n === 2) return OK;
  if (sub === 'log' && n === 3) return OK;
  if (sub === 'quicklist-packed-threshold' && n === 3) return OK;
  if (sub === 'replybuffer' && n === 4) return replyBuffer(ctx, argv);
  return new ErrorReply(
    'ERR',
    `ERR unknown subcommand or wrong number of arguments for '${oneLine(cString(argv[1]))}'. Try DEBUG HELP.`,
  );
}

export const debugCommands: readonly CommandSpec[] = [
  command({
    name: 'debug',
    arity: -2,
    flags: ['admin', 'no-script', 'loading', 'stale'],
    group: 'server',
    summary: 'A container for debugging commands',
    since: '1.0.0',
    complexity: 'Depends on subcommand.',
    syntax: 'subcommand [argument ...]',
    handler: debug,
  }),
];
