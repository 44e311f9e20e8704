/**
 * redis.call / redis.pcall: a command from a script goes through the same dispatcher as any
 * other, as the caller's ACL user, after the checks Redis makes for scripts (script.c's
 * scriptCall): known command and arity, no `noscript` commands, ACL (with Redis's in-script
 * wording and an ACL LOG entry of context `lua`), no writes from a read-only run, and no
 * memory-growing command under OOM before the script's first write.
 */

import type { CommandContext } from '../commands/context.js';
import type { Dispatcher } from '../commands/dispatch.js';
import { clientInfoLine } from '../commands/families/client-info.js';
import { mayReplicate } from '../commands/pause.js';
import { F_DENYOOM, F_NO_SCRIPT, F_WRITE, type TableEntry } from '../commands/registry.js';
import type { Reply } from '../commands/reply.js';
import { ErrorReply } from '../errors.js';

/** Everything about one running script or function that redis.call needs. */
export interface RunState {
  /** The caller's context (its client, its server). */
  readonly caller: CommandContext;
  /** The context commands run with: a copy of the caller's client (own db, RESP version). */
  readonly ctx: CommandContext & { readonly fromScript: true };
  /** EVAL_RO, FCALL_RO, or a script / function flagged no-writes. */
  readonly readOnly: boolean;
  /** The script may run memory-growing commands under OOM (allow-oom). */
  readonly allowOom: boolean;
  /** maxmemory was exceeded when the script started (Redis's script_oom). */
  readonly oomAtStart: boolean;
  /** A write command ran: SCRIPT KILL answers UNKILLABLE. */
  wrote: boolean;
  /** The RESP version the script reads replies in (redis.setresp). */
  resp: 2 | 3;
  /** Its commands reach replicas (redis.set_repl with REPL_REPLICA, the default). */
  replicate: boolean;
}

const NOT_ALLOWED = 'This Redis command is not allowed from script';

/** A command a script check refused: the error text (the error table adds `ERR `). */
export class Refused {
  constructor(readonly text: string) {}
}

/**
 * Run one command for a script. Returns the reply, or the error text (without the `ERR `
 * code, which the error table gets) when a script check refused it.
 */
export function scriptCall(resolver: Dispatcher, run: RunState, argv: Buffer[]): Reply | Refused {
  const ctx = run.ctx;
  const server = ctx.server;
  // Resolution only (the table lookup, subcommand and arity): every check runs again below.
  const entry = resolver.resolve(argv);
  if (entry instanceof ErrorReply) {
    return refused(
      ctx,
      null,
      new Refused(
        entry.message.startsWith('ERR wrong number of arguments')
          ? 'Wrong number of args calling Redis command from script'
          : 'Unknown Redis command called from script',
      ),
    );
  }
  const flags = entry.flagBits;
  if ((flags & F_NO_SCRIPT) !== 0 && !server.scripting.allowNoScript)
    return refused(ctx, entry, new Refused(NOT_ALLOWED));
  const client = ctx.client;
  if (!client.acl.unrestricted) {
    const denied = server.acl.check(client.acl, entry, argv);
    if (denied !== null) {
      const now = server.clock.now();
      server.acl.record(
        {
          reason: denied,
          context: 'lua',
          object: denied === 'command' ? entry.fullName : firstKey(entry.spec.name, argv),
          username: client.user,
          clientInfo: clientInfoLine(run.caller.client, now),
        },
        now,
      );
      return refused(
        ctx,
        entry,
        new Refused(
          denied === 'command'
            ? "The user executing the script can't run this command or subcommand"
            : denied === 'key'
              ? "The user executing the script can't access at least one of the keys mentioned in the command arguments"
              : "The user executing the script can't publish to the channel mentioned in the command",
        ),
      );
    }
  }
  // A read-only script may not call may-replicate commands either (PUBLISH, PFCOUNT, ...).
  if (run.readOnly && ((flags & F_WRITE) !== 0 || mayReplicate(entry.fullName)))
    return refused(ctx, entry, new Refused('Write commands are not allowed from read-only scripts.'));
  // min-replicas-to-write asks for replicas Cairn never has (Redis's scriptVerifyWriteCommandAllow).
  if ((flags & F_WRITE) !== 0 && server.config.int('min-replicas-to-write') > 0)
    return refused(
      ctx,
      entry,
      new ErrorReply('UNAVAILABLE', 'NOREPLICAS Not enough good replicas to write.'),
    );
  if ((flags & F_DENYOOM) !== 0 && run.oomAtStart && !run.allowOom && !run.wrote)
    return refused(
      ctx,
      entry,
      new ErrorReply('OOM', "OOM command not allowed when used memory > 'maxmemory'."),
    );
  if ((flags & F_WRITE) !== 0) run.wrote = true;
  // redis.set_repl without REPL_REPLICA keeps the command from replicas.
  const reply = run.replicate
    ? server.execute(ctx, argv, entry)
    : server.propagation.muted(() => server.execute(ctx, argv, entry));
  if (reply instanceof Promise) {
    // Commands that wait are refused in scripts (noscript); a promise here is a table bug.
    void reply.catch(() => undefined);
    return new ErrorReply('ERR', 'ERR This Redis command is not allowed from script');
  }
  return reply;
}

/**
 * A command a script check refused counts as Redis's scriptCall error path counts it: the
 * error in INFO errorstats and total_error_replies, a rejected call of the command.
 */
function refused<T extends Refused | ErrorReply>(ctx: CommandContext, entry: TableEntry | null, err: T): T {
  if (entry !== null) entry.stats.rejected++;
  const stats = ctx.server.stats;
  stats.errorReplies++;
  const message = err instanceof Refused ? 'ERR' : err.message;
  const sp = message.indexOf(' ');
  const prefix = sp < 0 ? message : message.slice(0, sp);
  stats.errors.set(prefix, (stats.errors.get(prefix) ?? 0) + 1);
  return err;
}

function firstKey(_name: string, argv: Buffer[]): string {
  return argv.length > 1 ? argv[1].toString('utf8') : '';
}
