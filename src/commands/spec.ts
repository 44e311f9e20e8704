/**
 * The declarative command table's types. One spec per command, grouped by family in
 * `families/*.ts`; every door dispatches through the same table (see dispatch.ts), and
 * COMMAND / COMMAND DOCS, the HTTP command list and gRPC Execute are generated from it.
 */
import type { CommandContext } from './context.js';
import type { Reply } from './reply.js';

/**
 * Flags drive the checks the dispatcher runs once, before any handler:
 * - write:     modifies the keyspace (rejected while loading; counted as a change)
 * - readonly:  only reads data
 * - denyoom:   may grow memory: refused with OOM when over maxmemory under noeviction
 * - admin:     administrative (CONFIG, SHUTDOWN, ...), guarded by ACL/rename rules
 * - noauth:    allowed before AUTH (AUTH, HELLO, QUIT, ...)
 * - loading:   allowed while the dataset is loading
 * - stale, fast, pubsub: informational, reported by COMMAND INFO as Redis does
 * - no-multi:  refused inside MULTI (WATCH inside MULTI, ...)
 * - no-queue:  executes immediately even inside MULTI (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET)
 * - dangerous: KEYS, FLUSHALL, ... (ACL category @dangerous)
 * - blocking:  may wait (none yet besides WAIT)
 * - nohttp / nogrpc: not reachable through that door (connection-scoped commands)
 */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'noauth'
  | 'loading'
  | 'stale'
  | 'fast'
  | 'no-multi'
  | 'no-queue'
  | 'dangerous'
  | 'blocking'
  | 'nohttp'
  | 'nogrpc'
  | 'no-script'
  | 'allow-busy'
  | 'skip-slowlog';

export type CommandGroup = 'string' | 'generic' | 'connection' | 'server' | 'transactions';

/**
 * A handler gets the context and the full argv (argv[0] is the command name, as in Redis;
 * for a subcommand argv[1] is the subcommand). It returns a reply, or a promise of one for the
 * few commands that wait (SAVE, SHUTDOWN, WAIT).
 */
export type Handler = (ctx: CommandContext, argv: Buffer[]) => Reply | Promise<Reply>;

export interface CommandSpec {
  /** Lower-case name; for a subcommand just the subcommand (`id` under `client`). */
  readonly name: string;
  /** Redis arity: N means exactly N args including the name, -N means at least N. */
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  /** Key positions in argv (1-based like Redis; 0 = no keys; lastKey -1 = to the end). */
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
  readonly group: CommandGroup;
  readonly summary: string;
  readonly since: string;
  readonly complexity?: string;
  /** Argument synopsis for docs, e.g. `key value [NX | XX] [GET] [EX seconds | ...]`. */
  readonly syntax?: string;
  /**
   * ACL categories declared outright, as Redis's command JSON files do (`acl_categories`), on
   * top of those implied by the flags (see aclCategories in families/command-docs.ts).
   */
  readonly categories?: readonly string[];
  /** Present on container commands (CLIENT, CONFIG, OBJECT, COMMAND). */
  readonly subcommands?: readonly CommandSpec[];
  readonly handler?: Handler;
}

/** Shorthand for building specs: defaults for key positions and flags. */
export function command(
  spec: Omit<CommandSpec, 'firstKey' | 'lastKey' | 'step' | 'flags'> &
    Partial<Pick<CommandSpec, 'firstKey' | 'lastKey' | 'step' | 'flags'>>,
): CommandSpec {
  return { firstKey: 0, lastKey: 0, step: 0, flags: [], ...spec };
}

/** Key positions of `argv` for a spec (COMMAND GETKEYS, ACL key patterns, WATCH, ...). */
export function keyIndexes(spec: CommandSpec, argc: number): number[] {
  if (spec.firstKey <= 0) return [];
  const last = spec.lastKey < 0 ? argc + spec.lastKey : spec.lastKey;
  const out: number[] = [];
  for (let i = spec.firstKey; i <= last && i < argc; i += spec.step || 1) out.push(i);
  return out;
}
