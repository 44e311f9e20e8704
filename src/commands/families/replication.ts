/**
 * SYNC and PSYNC: Redis's replication handshake, master side. A replica (or a tool or test
 * harness attaching this way) gets the dataset as Redis sends it, `$<len>\r\n` and an RDB 10
 * image of every live key (function libraries are not included), taken synchronously so it is
 * the dataset of one instant. PSYNC answers +FULLRESYNC with the server's run id and replication
 * offset first (never a partial resync). After the image the connection is a replica: it is fed
 * every propagated write (../replication/feed.ts); a replica's own SYNC is ignored. It never
 * acknowledges offsets, so min-replicas checks (`min-replicas-to-write`) still see no good
 * replica (see dispatch.ts).
 *
 * REPLICAOF / SLAVEOF host port: the replica role of ../replication/role.ts (its link to the
 * master never comes up: Cairn does not load another server's data); NO ONE: a master again.
 * ROLE reports which.
 */
import type { Keyspace } from '../../engine/types.js';
import { ErrorReply, Errors } from '../../errors.js';
import { RDB_VERSION, RdbOpcode } from '../../persistence/rdb/constants.js';
import { crc64 } from '../../persistence/rdb/crc64.js';
import { encodeValue } from '../../persistence/rdb/value-codec.js';
import { RdbWriter } from '../../persistence/rdb/writer.js';
import { argIs, parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { noMasterLink, replicaRole } from '../replication/role.js';
import { NO_REPLY, OK, RawReply, type Reply, SequenceReply, SimpleReply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { oneLine } from './redis-compat.js';

const SCAN_BATCH_KEYS = 1000;
const MS_PER_S = 1000;

/** Every live key of every database as an RDB image (rdbSaveRio's layout), checksummed. */
export function rdbImage(ks: Keyspace, redisVersion: string): Buffer {
  const w = new RdbWriter();
  const aux = (k: string, v: string) => w.u8(RdbOpcode.AUX).stringLatin1(k).stringLatin1(v);
  w.latin1(`REDIS${String(RDB_VERSION).padStart(4, '0')}`);
  aux('redis-ver', redisVersion);
  aux('redis-bits', '64');
  aux('ctime', String(Math.floor(Date.now() / MS_PER_S)));
  aux('used-mem', String(ks.usedMemory()));
  aux('repl-stream-db', '0');
  aux('aof-base', '0');
  const now = ks.clock.now();
  for (let db = 0; db < ks.databases; db++) {
    if (ks.dbSize(db) === 0) continue;
    w.u8(RdbOpcode.SELECTDB).length(db);
    w.u8(RdbOpcode.RESIZEDB).length(ks.dbSize(db)).length(ks.expiresCount(db));
    const keys: Buffer[] = [];
    let cursor = 0;
    do cursor = ks.scan(db, cursor, SCAN_BATCH_KEYS, keys, true);
    while (cursor !== 0);
    for (const key of keys) {
      const e = ks.peekEntry(db, key);
      if (e === null || (e.expireAt !== 0 && e.expireAt <= now)) continue;
      if (e.expireAt !== 0) w.u8(RdbOpcode.EXPIRETIME_MS).millisecondTime(e.expireAt);
      const typeAt = w.pending;
      w.u8(0);
      w.string(key);
      const type = encodeValue(w, e.value);
      w.peek()[typeAt] = type;
    }
  }
  w.u8(RdbOpcode.EOF);
  const body = w.drain();
  return Buffer.concat([body, crc64(body)]);
}

/** `$<len>\r\n<image>` with no CRLF after the image, as a master sends it. */
function payload(ctx: CommandContext): RawReply {
  const image = rdbImage(ctx.server.keyspace, ctx.server.version);
  return new RawReply(Buffer.concat([Buffer.from(`$${image.length}\r\n`, 'latin1'), image]));
}

function sync(ctx: CommandContext): Reply {
  if (ctx.client.replica) return NO_REPLY;
  if (ctx.server.replicas.following !== null) return noMasterLink;
  const image = payload(ctx);
  ctx.server.replicas.attach(ctx.client);
  return image;
}

/** PSYNC replicationid offset: never a partial resync (the backlog is not kept). */
function psync(ctx: CommandContext): Reply {
  if (ctx.client.replica) return NO_REPLY;
  if (ctx.server.replicas.following !== null) return noMasterLink;
  const offset = ctx.server.replicas.offset;
  const image = payload(ctx);
  ctx.server.replicas.attach(ctx.client);
  return new SequenceReply([new SimpleReply(`FULLRESYNC ${ctx.server.runId} ${offset}`), image]);
}

const invalidPort = new ErrorReply('ERR', 'ERR Invalid master port');
const replicaCannot = new ErrorReply('ERR', 'ERR Command is not valid when client is a replica.');
const alreadyFollowing = new SimpleReply('OK Already connected to specified master');
const MAX_PORT = 65535n;

/**
 * REPLICAOF host port | NO ONE. Following a master puts the server in the replica role with
 * its link down (../replication/role.ts): Cairn does not connect to the master.
 */
function replicaof(ctx: CommandContext, argv: Buffer[]): Reply {
  const replicas = ctx.server.replicas;
  if (argIs(argv[1], 'no') && argIs(argv[2], 'one')) {
    replicas.follow(null);
    return OK;
  }
  if (ctx.client.replica) return replicaCannot;
  const port = parseInt64(argv[2]);
  if (port === null || port < 0n || port > MAX_PORT) return invalidPort;
  const host = argv[1].toString('latin1');
  const now = replicas.following;
  if (now !== null && now.host.toLowerCase() === host.toLowerCase() && now.port === Number(port))
    return alreadyFollowing;
  replicas.follow({ host, port: Number(port) });
  return OK;
}

/** Longest address REPLCONF ip-address takes (Redis's NET_HOST_STR_LEN - 1). */
const MAX_IP_BYTES = 255;

/**
 * REPLCONF option value ...: what a replica says about itself before SYNC/PSYNC (listening-port,
 * ip-address, capa, rdb-only, rdb-filter-only: OK), and ACK <offset> once it is fed (no reply,
 * as GETACK: Cairn has no master to acknowledge to).
 */
function replconf(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length % 2 === 0) return Errors.syntax;
  const replicas = ctx.server.replicas;
  for (let j = 1; j < argv.length; j += 2) {
    const opt = argv[j];
    const value = argv[j + 1];
    if (argIs(opt, 'listening-port')) {
      const port = parseInt64(value);
      if (port === null) return Errors.notInteger;
      replicas.announce(ctx.client, { port: Number(port) });
    } else if (argIs(opt, 'ip-address')) {
      if (value.length > MAX_IP_BYTES)
        return new ErrorReply(
          'ERR',
          `ERR REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`,
        );
      replicas.announce(ctx.client, { ip: value.toString('latin1') });
    } else if (argIs(opt, 'ack')) {
      const offset = parseInt64(value);
      if (ctx.client.replica && offset !== null) replicas.ack(ctx.client, Number(offset));
      return NO_REPLY;
    } else if (argIs(opt, 'getack')) {
      return NO_REPLY;
    } else if (!argIs(opt, 'capa') && !argIs(opt, 'rdb-only') && !argIs(opt, 'rdb-filter-only')) {
      return new ErrorReply('ERR', `ERR Unrecognized REPLCONF option: ${oneLine(opt.toString('utf8'))}`);
    }
  }
  return OK;
}

/** ROLE: a master with its replicas, or a replica still connecting to its master. */
function role(ctx: CommandContext): Reply {
  const replicas = ctx.server.replicas;
  if (replicas.following !== null) return replicaRole(replicas.following);
  return [Buffer.from('master'), replicas.offset, replicas.roleReplicas()];
}

const REPL = {
  group: 'server',
  flags: ['admin', 'no-script', 'no-multi', 'nohttp', 'nogrpc'],
  since: '2.8.0',
} as const;

export const replicationCommands: readonly CommandSpec[] = [
  command({
    ...REPL,
    name: 'sync',
    arity: 1,
    since: '1.0.0',
    summary: 'Internal command used for replication',
    syntax: '',
    handler: sync,
  }),
  command({
    ...REPL,
    name: 'psync',
    arity: -3,
    summary: 'Internal command used for replication',
    syntax: 'replicationid offset',
    handler: psync,
  }),
  command({
    ...REPL,
    flags: ['admin', 'no-script', 'stale', 'nohttp', 'nogrpc'],
    name: 'replicaof',
    arity: 3,
    since: '5.0.0',
    summary: 'Make the server a replica of another instance, or promote it as master.',
    syntax: 'host port',
    handler: replicaof,
  }),
  command({
    ...REPL,
    flags: ['admin', 'no-script', 'loading', 'stale', 'allow-busy', 'nohttp', 'nogrpc'],
    name: 'replconf',
    arity: -1,
    since: '3.0.0',
    summary: 'An internal command for configuring the replication stream',
    complexity: 'O(1)',
    syntax: '',
    handler: replconf,
  }),
  command({
    name: 'role',
    group: 'server',
    arity: 1,
    flags: ['no-script', 'loading', 'stale', 'fast'],
    categories: ['admin', 'dangerous'],
    since: '2.8.12',
    summary: 'Return the role of the instance in the context of replication',
    complexity: 'O(1)',
    syntax: '',
    handler: role,
  }),
  command({
    ...REPL,
    flags: ['admin', 'no-script', 'stale', 'nohttp', 'nogrpc'],
    name: 'slaveof',
    arity: 3,
    since: '1.0.0',
    summary: 'Make the server a replica of another instance, or promote it as master.',
    syntax: 'host port',
    handler: replicaof,
  }),
];
