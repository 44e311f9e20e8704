/**
 * What command handlers call where Redis rewrites what it propagates (rewriteClientCommandVector,
 * alsoPropagate, preventCommandPropagation). Each is a no-op, after one property read, unless a
 * replica is attached and a command is running: a handler builds the propagated form only after
 * `propagating(ctx)` said it is wanted.
 *
 *   if (propagating(ctx)) propagateAs(ctx, ['SET', key, value, 'PXAT', String(whenMs)]);
 *
 * Keywords are spelt as Redis spells its shared objects (`SET`, `PXAT`, `PEXPIREAT`, `DEL`,
 * `LPOP`, `ZPOPMIN`, `SREM`, `HSET`, `KEEPTTL`, `ABSTTL`, `XCLAIM`, ... upper case; `left` and
 * `right` lower case), since replicas and tests compare them.
 */
import type { CommandContext } from '../context.js';
import type { PropArg } from './propagate.js';

/** A replica is attached and a command is running: rewrites are wanted. */
export function propagating(ctx: CommandContext): boolean {
  return ctx.server.propagation.active && ctx.server.propagation.recording;
}

/** Propagate the running command as `argv` instead of its own arguments (when it changed data). */
export function propagateAs(ctx: CommandContext, argv: readonly PropArg[]): void {
  ctx.server.propagation.rewrite(argv);
}

/** Propagate `argv` too (in the client's database), before the running command's own form. */
export function alsoPropagate(ctx: CommandContext, argv: readonly PropArg[]): void {
  ctx.server.propagation.also(ctx.client.db, argv);
}

/**
 * The running command changed nothing, though it went through a change of its key (Redis's
 * dirty counter would not have moved): it is not propagated.
 */
export function unchanged(ctx: CommandContext): void {
  ctx.server.propagation.prevent();
}

/** The running command propagated its effects with alsoPropagate: its own form stays out. */
export function preventPropagation(ctx: CommandContext): void {
  ctx.server.propagation.prevent();
}

/**
 * How a deletion the command made is propagated: UNLINK when the lazyfree option that governs
 * it is on (lazyfree-lazy-expire for EXPIRE/GETEX/SET in the past, lazyfree-lazy-user-del for
 * GETDEL), else DEL.
 */
export function deletionCommand(
  ctx: CommandContext,
  option: 'lazyfree-lazy-expire' | 'lazyfree-lazy-user-del' | 'lazyfree-lazy-server-del',
): string {
  return ctx.server.config.bool(option) ? 'UNLINK' : 'DEL';
}
