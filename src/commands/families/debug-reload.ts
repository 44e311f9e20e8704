/**
 * DEBUG RELOAD: every key through the snapshot format and back, as Redis saves and loads its
 * RDB file. Values come back with their TTLs, and collections get their encodings chosen anew
 * from their content and the limits in force (what Redis's loader does), so a test can check
 * that an encoding survives a restart.
 */
import { decodeValue, encodeValue, typeCode } from '../../engine/values/codec.js';
import { ErrorReply } from '../../errors.js';
import { argIs } from '../args.js';
import type { CommandContext } from '../context.js';
import { OK, type Reply } from '../reply.js';
import { flushAllWatched } from './keys.js';

const SCAN_BATCH_KEYS = 1000;

interface Saved {
  db: number;
  key: Buffer;
  type: number;
  bytes: Buffer;
  expireAt: number;
}

export function debugReload(ctx: CommandContext, argv: Buffer[]): Reply {
  for (let j = 2; j < argv.length; j++) {
    if (!argIs(argv[j], 'merge') && !argIs(argv[j], 'noflush') && !argIs(argv[j], 'nosave'))
      return new ErrorReply('ERR', 'ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  const ks = ctx.server.keyspace;
  const now = ctx.server.clock.now();
  const saved: Saved[] = [];
  for (let db = 0; db < ks.databases; db++) {
    if (ks.dbSize(db) === 0) continue;
    const keys: Buffer[] = [];
    let cursor = 0;
    do cursor = ks.scan(db, cursor, SCAN_BATCH_KEYS, keys);
    while (cursor !== 0);
    for (const key of keys) {
      const e = ks.peekEntry(db, key);
      if (e === null || (e.expireAt !== 0 && e.expireAt <= now)) continue;
      saved.push({
        db,
        key,
        type: typeCode(e.value),
        bytes: Buffer.from(encodeValue(e.value)),
        expireAt: e.expireAt,
      });
    }
  }
  flushAllWatched(ctx);
  for (const s of saved) ks.set(s.db, s.key, decodeValue(s.type, s.bytes), s.expireAt);
  return OK;
}
