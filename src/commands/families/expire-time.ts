/**
 * Expiry arithmetic shared by SET/GETEX and the EXPIRE family, with Redis's int64 overflow
 * rules. Times are computed as bigint (as Redis computes them in long long) and only then
 * handed to the engine, whose expiry times are JS numbers of Unix milliseconds.
 */
import { type ErrorReply, Errors } from '../../errors.js';
import { parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;
/** LLONG_MAX / 1000 and LLONG_MIN / 1000 in C (truncating division). */
export const INT64_MAX_SECONDS = 9223372036854775n;
export const INT64_MIN_SECONDS = -9223372036854775n;

/**
 * The latest expiry the engine can hold exactly: 2^53 - 1 ms, the year 287396. Later expiry
 * times (valid for Redis up to 2^63 - 1) are kept as this one: such a key still never expires
 * in practice, but PEXPIRETIME reports this value instead of the one given.
 */
export const MAX_ENGINE_EXPIRE_MS = Number.MAX_SAFE_INTEGER;

export function toEngineMs(whenMs: bigint): number {
  return whenMs > BigInt(MAX_ENGINE_EXPIRE_MS) ? MAX_ENGINE_EXPIRE_MS : Number(whenMs);
}

/** Redis's addReplyErrorExpireTime: names the command as typed by the table (lower case). */
const invalidExpireByCommand = new Map<string, ErrorReply>();
export function invalidExpire(cmd: string): ErrorReply {
  let e = invalidExpireByCommand.get(cmd);
  if (e === undefined) {
    e = Errors.invalidExpire(cmd);
    invalidExpireByCommand.set(cmd, e);
  }
  return e;
}

/**
 * Redis's getExpireMillisecondsOrReply (SET, SETEX, PSETEX, GETEX): the argument must be a
 * positive int64; seconds are scaled to milliseconds and relative times get `now` added, each
 * step refusing to overflow int64. Returns the absolute expiry in Unix ms.
 */
export function expireAtOrReply(
  ctx: CommandContext,
  cmd: string,
  arg: Buffer,
  unitSeconds: boolean,
  relative: boolean,
): bigint | ErrorReply {
  const v = parseInt64(arg);
  if (v === null) return Errors.notInteger;
  if (v <= 0n || (unitSeconds && v > INT64_MAX_SECONDS)) return invalidExpire(cmd);
  let ms = unitSeconds ? v * 1000n : v;
  if (relative) ms += BigInt(ctx.server.clock.now());
  // In C the addition wraps to a negative number, which Redis then refuses.
  if (ms > INT64_MAX) return invalidExpire(cmd);
  return ms;
}
