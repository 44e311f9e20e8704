/**
 * The command table: every family's specs, indexed by lower-case name, each with its own
 * stats record so the dispatcher updates counters without a second lookup.
 */
import type { LatencyHistogram } from '../observability/latency-histogram.js';
import type { CommandFlag, CommandSpec } from './spec.js';

/** Flags the dispatcher checks on every call, as bits so the hot path does no array scans. */
export const F_NOAUTH = 1;
export const F_NO_QUEUE = 2;
export const F_NO_MULTI = 4;
export const F_LOADING = 8;
export const F_DENYOOM = 16;
export const F_WRITE = 32;
export const F_ADMIN = 64;
/** Timed on every call (see the dispatcher): not a single-key command, and not fast and keyless. */
export const F_ALWAYS_TIME = 128;
export const F_SKIP_SLOWLOG = 256;
/** @admin or @dangerous (FLUSHALL, KEYS, CONFIG, SHUTDOWN, ...): needs credentials over HTTP/gRPC. */
export const F_DANGEROUS = 512;
/** Allowed while a RESP2 client is subscribed (Redis's pub/sub context). */
export const F_PUBSUB_CONTEXT = 1024;
/** Runs while a script is past busy-reply-threshold (SCRIPT KILL, FUNCTION KILL, SHUTDOWN, AUTH...). */
export const F_ALLOW_BUSY = 2048;
/** Refused inside scripts (MULTI, WATCH, blocking pops, EVAL, ...): checked at every redis.call. */
export const F_NO_SCRIPT = 4096;

const FLAG_BITS: Partial<Record<CommandFlag, number>> = {
  noauth: F_NOAUTH,
  'no-queue': F_NO_QUEUE,
  'no-multi': F_NO_MULTI,
  loading: F_LOADING,
  denyoom: F_DENYOOM,
  write: F_WRITE,
  admin: F_ADMIN,
  'skip-slowlog': F_SKIP_SLOWLOG,
  'pubsub-context': F_PUBSUB_CONTEXT,
  'allow-busy': F_ALLOW_BUSY,
  'no-script': F_NO_SCRIPT,
};

export interface CommandStats {
  calls: number;
  usec: number;
  failed: number;
  rejected: number;
  /** Latency distribution of timed calls (INFO latencystats); made on the first timed call. */
  hist: LatencyHistogram | null;
}

export interface TableEntry {
  /** Dense index in this table (0..size-1), for per-user permission arrays. */
  readonly id: number;
  readonly spec: CommandSpec;
  /** `get`, or `client|list` for a subcommand (Redis's fullname). */
  readonly fullName: string;
  readonly stats: CommandStats;
  readonly flagBits: number;
  /** Subcommands by lower-case name, for container commands. */
  readonly subs: ReadonlyMap<string, TableEntry> | null;
}

export class CommandTable {
  readonly entries = new Map<string, TableEntry>();
  readonly specs = new Map<string, CommandSpec>();
  /** Entries (commands and subcommands) by id. */
  readonly byId: TableEntry[] = [];

  constructor(families: ReadonlyArray<readonly CommandSpec[]>) {
    for (const family of families) {
      for (const spec of family) {
        if (this.entries.has(spec.name)) throw new Error(`duplicate command ${spec.name}`);
        this.entries.set(spec.name, makeEntry(spec, spec.name, this.byId));
        this.specs.set(spec.name, spec);
      }
    }
  }

  /**
   * Redis's `rename-command`: the command answers to `to` instead (to '' disables it). Stats,
   * ACL rules and COMMAND keep the original name. Throws on an unknown command or a clash.
   */
  rename(from: string, to: string): void {
    const f = from.toLowerCase();
    const t = to.toLowerCase();
    const entry = this.entries.get(f);
    if (entry === undefined) throw new Error(`rename-command: no such command '${from}'`);
    if (t !== '' && t !== f && this.entries.has(t))
      throw new Error(`rename-command: '${to}' is already a command`);
    this.entries.delete(f);
    if (t !== '') this.entries.set(t, entry);
    this.renamed.set(f, t);
  }

  /** Original name -> new name ('' = disabled), for INFO and the logs. */
  readonly renamed = new Map<string, string>();

  /** Every entry including subcommands (for stats and coverage checks). */
  *all(): Iterable<TableEntry> {
    for (const e of this.entries.values()) {
      yield e;
      if (e.subs) yield* e.subs.values();
    }
  }
}

function makeEntry(spec: CommandSpec, fullName: string, byId: TableEntry[]): TableEntry {
  let flagBits = 0;
  for (const f of spec.flags) flagBits |= FLAG_BITS[f] ?? 0;
  const singleKey = spec.firstKey > 0 && spec.lastKey === spec.firstKey && spec.keySpecs === undefined;
  const fastKeyless = spec.firstKey <= 0 && spec.flags.includes('fast');
  if (!singleKey && !fastKeyless) flagBits |= F_ALWAYS_TIME;
  if (spec.flags.includes('admin') || spec.flags.includes('dangerous')) flagBits |= F_DANGEROUS;
  const entry: { -readonly [K in keyof TableEntry]: TableEntry[K] } = {
    id: byId.length,
    spec,
    fullName,
    stats: { calls: 0, usec: 0, failed: 0, rejected: 0, hist: null },
    subs: null,
    flagBits,
  };
  byId.push(entry);
  if (spec.subcommands) {
    const subs = new Map<string, TableEntry>();
    for (const s of spec.subcommands) subs.set(s.name, makeEntry(s, `${fullName}|${s.name}`, byId));
    entry.subs = subs;
  }
  return entry;
}
