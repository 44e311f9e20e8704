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
 * REPLICAOF / SLAVEOF: NO ONE answers OK (Cairn is always a master); following a master is
 * refused with an error, since Cairn cannot replicate.
 */
import type { Keyspace } from '../../engine/types.js';
import { ErrorReply, Errors } from '../../errors.js';
import { RDB_VERSION, RdbOpcode } from '../../persistence/rdb/constants.js';
import { crc64 } from '../../persistence/rdb/crc64.js';
import { encodeValue } from '../../persistence/rdb/value-codec.js';
import { RdbWriter } from '../../persistence/rdb/writer.js';
import { argIs } from '../args.js';
import type { CommandContext } from '../context.js';
import { NO_REPLY, OK, RawReply, type Reply, SequenceReply, SimpleReply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';

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
  const image = payload(ctx);
  ctx.server.replicas.attach(ctx.client);
  return image;
}

/** PSYNC replicationid offset: never a partial resync (the backlog is not kept). */
function psync(ctx: CommandContext): Reply {
  if (ctx.client.replica) return NO_REPLY;
  const offset = ctx.server.replicas.offset;
  const image = payload(ctx);
  ctx.server.replicas.attach(ctx.client);
  return new SequenceReply([new SimpleReply(`FULLRESYNC ${ctx.server.runId} ${offset}`), image]);
}

const cannotReplicate = new ErrorReply(
  'ERR',
  'ERR REPLICAOF is not supported: Cairn has no replication (REPLICAOF NO ONE is accepted)',
);

/** REPLICAOF host port | NO ONE (Redis parses the port before it looks at the host). */
function replicaof(_ctx: CommandContext, argv: Buffer[]): Reply {
  if (argIs(argv[1], 'no') && argIs(argv[2], 'one')) return OK;
  if (!/^-?\d+$/.test(argv[2].toString('latin1'))) return Errors.notInteger;
  return cannotReplicate;
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
    flags: ['admin', 'no-script', 'stale', 'nohttp', 'nogrpc'],
    name: 'slaveof',
    arity: 3,
    since: '1.0.0',
    summary: 'Make the server a replica of another instance, or promote it as master.',
    syntax: 'host port',
    handler: replicaof,
  }),
];
