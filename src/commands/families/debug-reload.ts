/**
 * DEBUG RELOAD: every key through the snapshot format and back, as Redis saves and loads its
 * RDB file. Values come back with their TTLs, and collections get their encodings chosen anew
 * from their content and the limits in force (what Redis's loader does), so a test can check
 * that an encoding survives a restart. Function libraries go the same way. Options as Redis's:
 * NOFLUSH loads over the current dataset, which fails on the first key or library already there
 * unless MERGE lets the loaded one replace it. NOSAVE (load the file saved last, without saving
 * first) is taken as a reload of the current dataset: Cairn keeps no separate image to go back to.
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
  let merge = false;
  let flush = true;
  for (let j = 2; j < argv.length; j++) {
    if (argIs(argv[j], 'merge')) merge = true;
    else if (argIs(argv[j], 'noflush')) flush = false;
    else if (!argIs(argv[j], 'nosave'))
      return new ErrorReply('ERR', 'ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  // DEBUG LOADAOF shares this path and always flushes.
  if (argIs(argv[1], 'loadaof')) flush = true;
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
  const scripting = ctx.server.scripting;
  const libraries = scripting.ready ? [...scripting.functions.libraries.values()].map((l) => l.code) : [];
  if (flush) {
    flushAllWatched(ctx);
    if (libraries.length > 0) scripting.flushFunctions();
  } else if (!merge && (saved.length > 0 || libraries.length > 0)) {
    // Every saved key and library is still there: the load meets a duplicate at once.
    return new ErrorReply('ERR', 'ERR Error trying to load the RDB dump');
  }
  for (const s of saved) ks.set(s.db, s.key, decodeValue(s.type, s.bytes), s.expireAt);
  for (const code of libraries) scripting.functions.load(code, true);
  return OK;
}
