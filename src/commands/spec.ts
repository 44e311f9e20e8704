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
 * - pubsub-context: allowed while a RESP2 client is subscribed (PING, QUIT, RESET, the
 *              (P|S)(UN)SUBSCRIBE commands); everything else is refused in that mode
 * - no-multi:  refused inside MULTI (WATCH inside MULTI, ...)
 * - no-queue:  executes immediately even inside MULTI (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET)
 * - dangerous: KEYS, FLUSHALL, ... (ACL category @dangerous)
 * - blocking:  may wait (WAIT, BLPOP and the other blocking pops: see blocked-keys.ts)
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
  | 'skip-slowlog'
  | 'pubsub'
  | 'pubsub-context';

export type CommandGroup =
  | 'string'
  | 'generic'
  | 'connection'
  | 'server'
  | 'cluster'
  | 'transactions'
  | 'hash'
  | 'list'
  | 'set'
  | 'sorted-set'
  | 'geo'
  | 'stream'
  | 'bitmap'
  | 'hyperloglog'
  | 'pubsub'
  | 'scripting';

/**
 * A handler gets the context and the full argv (argv[0] is the command name, as in Redis;
 * for a subcommand argv[1] is the subcommand). It returns a reply, or a promise of one for the
 * few commands that wait (SAVE, SHUTDOWN, WAIT, the blocking pops).
 */
export type Handler = (ctx: CommandContext, argv: Buffer[]) => Reply | Promise<Reply>;

/**
 * Where a command's keys are, as Redis 7's key-specs say it: where the search begins (a fixed
 * index, or just after a keyword such as STREAMS), then how the keys run from there (a range,
 * or a count read from a numkeys argument). Commands whose keys one legacy range cannot
 * describe (ZUNIONSTORE dest numkeys key..., LMPOP numkeys key..., XREAD ... STREAMS k... id...)
 * declare these; ACL key checks, COMMAND GETKEYS and WATCH-style consumers use `keyIndexes`.
 */
export interface KeySpec {
  /** 1-based argv index to begin at, or the argument after `keyword` searched from `startFrom`. */
  readonly begin: { readonly index: number } | { readonly keyword: string; readonly startFrom: number };
  /**
   * range: keys from the begin position to `lastKey` (relative to it; -1 = the last argument),
   * every `step`; `limit` > 1 keeps only the first 1/limit of the remaining arguments.
   * keynum: the number of keys is the argument at begin + `keynumIdx`, the first key is at
   * begin + `firstKey`.
   */
  readonly find:
    | { readonly range: { readonly lastKey: number; readonly step: number; readonly limit: number } }
    | { readonly keynum: { readonly keynumIdx: number; readonly firstKey: number; readonly step: number } };
  /** Redis's key-spec flags (RW, RO, OW, RM, access, update, insert, delete), for COMMAND INFO. */
  readonly flags?: readonly string[];
}

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
  /** Key positions beyond one range (see KeySpec); when present they replace first/last/step. */
  readonly keySpecs?: readonly KeySpec[];
  /**
   * Pub/sub channel arguments, checked against the user's ACL channel rules (`&pattern`):
   * argv[first..] (to the end, or just argv[first] when `one`); `pattern` arguments are
   * patterns themselves (PSUBSCRIBE), allowed only when one of the user's rules is the same text.
   */
  readonly channels?: { readonly first: number; readonly one: boolean; readonly pattern: boolean };
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
  /** Categories the flags or group imply that Redis does not give this command (SORT: keyspace). */
  readonly notCategories?: readonly string[];
  /**
   * Key positions found by a function of the arguments, when no key-spec describes them
   * (Redis's getkeys_proc: SORT's STORE may come anywhere). Replaces first/last/step and
   * keySpecs for keyIndexes; COMMAND INFO reports the command as `movablekeys`.
   */
  readonly getKeys?: (argv: readonly Buffer[]) => number[];
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
export function keyIndexes(spec: CommandSpec, argv: readonly Buffer[]): number[] {
  const argc = argv.length;
  if (spec.getKeys !== undefined) return spec.getKeys(argv);
  if (spec.keySpecs !== undefined) {
    const out: number[] = [];
    // `not_key` specs (shard channels: SSUBSCRIBE, SPUBLISH) name no keys.
    for (const ks of spec.keySpecs) if (ks.flags?.includes('not_key') !== true) keySpecIndexes(ks, argv, out);
    return out;
  }
  if (spec.firstKey <= 0) return [];
  const last = spec.lastKey < 0 ? argc + spec.lastKey : spec.lastKey;
  const out: number[] = [];
  for (let i = spec.firstKey; i <= last && i < argc; i += spec.step || 1) out.push(i);
  return out;
}

/** Redis's getKeysUsingKeySpecs for one spec; malformed input (a bad numkeys) yields no keys. */
function keySpecIndexes(ks: KeySpec, argv: readonly Buffer[], out: number[]): void {
  const argc = argv.length;
  let first: number;
  const b = ks.begin;
  if ('index' in b) first = b.index;
  else {
    const word = b.keyword.toLowerCase();
    const from = b.startFrom < 0 ? argc + b.startFrom : b.startFrom;
    first = -1;
    for (let i = from; i > 0 && i < argc; i += b.startFrom < 0 ? -1 : 1) {
      if (argv[i].toString('latin1').toLowerCase() === word) {
        first = i + 1;
        break;
      }
    }
    if (first < 0) return;
  }
  if (first >= argc) return;
  const f = ks.find;
  if ('range' in f) {
    const { lastKey, step, limit } = f.range;
    let last: number;
    if (lastKey >= 0) last = first + lastKey;
    else if (limit > 1) last = first + Math.floor((argc - first) / limit) - 1;
    else last = argc + lastKey;
    for (let i = first; i <= last && i < argc; i += step) out.push(i);
    return;
  }
  const { keynumIdx, firstKey, step } = f.keynum;
  const at = first + keynumIdx;
  if (at >= argc) return;
  const n = Number.parseInt(argv[at].toString('latin1'), 10);
  if (!Number.isSafeInteger(n) || n <= 0) return;
  const start = first + firstKey;
  for (let i = 0, k = start; i < n && k < argc; i++, k += step) out.push(k);
}
