/**
 * The command table: every family's specs, indexed by lower-case name, each with its own
 * stats record so the dispatcher updates counters without a second lookup.
 */
import type { CommandFlag, CommandSpec } from './spec.js';

/** Flags the dispatcher checks on every call, as bits so the hot path does no array scans. */
export const F_NOAUTH = 1;
export const F_NO_QUEUE = 2;
export const F_NO_MULTI = 4;
export const F_LOADING = 8;
export const F_DENYOOM = 16;
export const F_WRITE = 32;

const FLAG_BITS: Partial<Record<CommandFlag, number>> = {
  noauth: F_NOAUTH,
  'no-queue': F_NO_QUEUE,
  'no-multi': F_NO_MULTI,
  loading: F_LOADING,
  denyoom: F_DENYOOM,
  write: F_WRITE,
};

export interface CommandStats {
  calls: number;
  usec: number;
  failed: number;
  rejected: number;
}

export interface TableEntry {
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

  constructor(families: ReadonlyArray<readonly CommandSpec[]>) {
    for (const family of families) {
      for (const spec of family) {
        if (this.entries.has(spec.name)) throw new Error(`duplicate command ${spec.name}`);
        this.entries.set(spec.name, makeEntry(spec, spec.name));
        this.specs.set(spec.name, spec);
      }
    }
  }

  /** Every entry including subcommands (for stats and coverage checks). */
  *all(): Iterable<TableEntry> {
    for (const e of this.entries.values()) {
      yield e;
      if (e.subs) yield* e.subs.values();
    }
  }
}

function makeEntry(spec: CommandSpec, fullName: string): TableEntry {
  let subs: Map<string, TableEntry> | null = null;
  if (spec.subcommands) {
    subs = new Map();
    for (const s of spec.subcommands) subs.set(s.name, makeEntry(s, `${fullName}|${s.name}`));
  }
  let flagBits = 0;
  for (const f of spec.flags) flagBits |= FLAG_BITS[f] ?? 0;
  return { spec, fullName, stats: { calls: 0, usec: 0, failed: 0, rejected: 0 }, subs, flagBits };
}
