/** What the HyperLogLog commands share: their errors, working buffer and reply shape. */
import { HllBuffer, isHll } from '../../engine/values/hll.js';
import { ErrorReply, Errors } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { countLookup } from './lookup.js';

export const notHll = new ErrorReply('WRONGTYPE', 'WRONGTYPE Key is not a valid HyperLogLog string value.');
/** A corrupt value (kind WRONGTYPE for HTTP/gRPC: the stored value, not the request, is bad). */
export const invalidHll = new ErrorReply('WRONGTYPE', 'INVALIDOBJ Corrupted HLL object detected');

/** The value a command works on; commands run one at a time, so one buffer serves them all. */
export const work = new HllBuffer();

export function sparseMaxBytes(ctx: CommandContext): number {
  return ctx.server.config.int('hll-sparse-max-bytes');
}

/** A cardinality as Redis replies it (addReplyLongLong of a uint64: 2^63 comes out negative). */
export function cardReply(card: number | bigint): number | bigint {
  if (typeof card === 'number' && card <= Number.MAX_SAFE_INTEGER) return card;
  return BigInt.asIntN(64, BigInt(card));
}

/**
 * Redis's lookupKeyRead (`read`: counted as a hit or miss) or lookupKeyWrite, then
 * isHLLObjectOrReply: null when missing, an error for another type or a string that is not an
 * HLL, else a transient view of the stored bytes. The view is read at once and never kept or
 * changed (HllBuffer copies before its first change).
 */
export function hllLookup(ctx: CommandContext, key: Buffer, read: boolean): Buffer | null | ErrorReply {
  const v = ctx.server.keyspace.get(ctx.client.db, key, true);
  if (read) countLookup(ctx, v !== null, key);
  if (v === null) return null;
  if (!(v instanceof Uint8Array)) return Errors.wrongType;
  return isHll(v) ? (v as Buffer) : notHll;
}
