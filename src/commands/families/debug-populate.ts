/**
 * DEBUG POPULATE count [prefix] [size], as Redis 7.0's debug.c: keys `<prefix>:<n>` (prefix
 * `key`) for n from 0 to count-1 in the client's database, each holding `value:<n>`, or with a
 * size, exactly that many bytes: `value:<n>` cut to fit or followed by zero bytes. Keys that
 * exist are left alone. The index is sized for the new keys first, as Redis expands its dict.
 * No keyspace notifications (Redis sends none); WATCH sees the keys through the change events.
 */
import { ErrorReply } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { OK, type Reply } from '../reply.js';

const notPositive = new ErrorReply('ERR', 'ERR value is out of range, must be positive');
/** Redis formats `<prefix>:<n>` into a 128-byte buffer: longer names are cut to 127 bytes. */
const MAX_NAME_BYTES = 127;

function positive(b: Buffer): number | null {
  const v = parseInt64(b);
  if (v === null || v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(v);
}

export function debugPopulate(ctx: CommandContext, argv: Buffer[]): Reply {
  const count = positive(argv[2]);
  if (count === null) return notPositive;
  const ks = ctx.server.keyspace;
  const db = ctx.client.db;
  ks.reserve?.(db, ks.dbSize(db) + count);
  let size = 0;
  if (argv.length === 5) {
    const s = positive(argv[4]);
    if (s === null) return notPositive;
    size = s;
  }
  const prefix = argv.length >= 4 ? argv[3] : Buffer.from('key');
  // Redis's %s stops at the first zero byte of the prefix.
  const nul = prefix.indexOf(0);
  const head = Buffer.concat([nul < 0 ? prefix : prefix.subarray(0, nul), Buffer.from(':')]);
  for (let j = 0; j < count; j++) {
    let key = Buffer.concat([head, Buffer.from(String(j), 'latin1')]);
    if (key.length > MAX_NAME_BYTES) key = key.subarray(0, MAX_NAME_BYTES);
    if (ks.exists(db, key)) continue;
    const text = Buffer.from(`value:${j}`, 'latin1');
    let value = text;
    if (size > 0) {
      value = Buffer.alloc(size);
      text.copy(value, 0, 0, Math.min(size, text.length));
    }
    ks.set(db, key, value);
  }
  return OK;
}
