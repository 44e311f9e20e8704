/**
 * The server's ACL: users by name, authentication, the permission check the dispatcher runs,
 * and the ACL LOG of refusals. One ACL rules all three doors: RESP AUTH/HELLO, HTTP
 * `Authorization` and gRPC metadata all authenticate against these users.
 *
 * The `default` user follows `requirepass` as in Redis (a password sets `resetpass >pass`, an
 * empty one `nopass`). Users come from `user` lines in the configuration and from `aclfile`
 * (Redis's ACL file format, read at start and by ACL LOAD, written by ACL SAVE).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { aclCategories } from '../commands/families/command-docs.js';
import type { CommandTable, TableEntry } from '../commands/registry.js';
import { type CommandSpec, keyIndexes } from '../commands/spec.js';
import { splitConfigLine } from '../config/load.js';
import {
  ACL_CATEGORIES,
  type AclDefaults,
  AclRuleError,
  AclUser,
  type CommandIndex,
  KEY_READ,
  KEY_WRITE,
} from './acl-user.js';

export const DEFAULT_USER = 'default';
const LOG_MAX_DEFAULT = 128;
/** Redis groups a repeated refusal into one ACL LOG entry within this window. */
const LOG_GROUP_MS = 60_000;

export type Denial = 'command' | 'key' | 'channel';

export interface AclLogEntry {
  count: number;
  reason: 'auth' | Denial;
  context: 'toplevel' | 'multi' | 'lua';
  object: string;
  username: string;
  createdAt: number;
  updatedAt: number;
  clientInfo: string;
}

class TableIndex implements CommandIndex {
  readonly size: number;
  private readonly byCategory = new Map<string, TableEntry[]>();
  private readonly byName: ReadonlyMap<string, TableEntry>;

  constructor(table: CommandTable) {
    this.size = table.byId.length;
    this.byName = new Map(table.entries);
    for (const c of ACL_CATEGORIES) this.byCategory.set(c, []);
    for (const e of table.byId) {
      for (const c of aclCategories(e.spec)) this.byCategory.get(c.slice(1))?.push(e);
    }
  }

  command(name: string): TableEntry | undefined {
    return this.byName.get(name);
  }

  category(name: string): readonly TableEntry[] | undefined {
    return this.byCategory.get(name);
  }
}

/** `user` lines: `name rule rule ...` (the config directive) or `user name rule ...` (ACL file). */
export function parseUserLine(line: string, withKeyword: boolean): { name: string; rules: string[] } {
  const words = splitConfigLine(line);
  if (withKeyword) {
    if (words[0]?.toLowerCase() !== 'user') throw new AclRuleError(`line should start with "user": ${line}`);
    words.shift();
  }
  const name = words.shift();
  if (name === undefined || name === '') throw new AclRuleError('a user line needs a user name');
  return { name, rules: words };
}

export class Acl {
  readonly index: CommandIndex;
  readonly users = new Map<string, AclUser>();
  readonly log: AclLogEntry[] = [];
  logMax = LOG_MAX_DEFAULT;
  /** Defaults for new users (acl-pubsub-default), shared with every user object. */
  readonly defaults: AclDefaults = { allChannels: false };

  constructor(table: CommandTable) {
    this.index = new TableIndex(table);
    this.users.set(DEFAULT_USER, this.newDefaultUser(''));
  }

  get defaultUser(): AclUser {
    return this.users.get(DEFAULT_USER)!;
  }

  /** The default user needs no password (protected mode, anonymous HTTP/gRPC). */
  defaultUserIsOpen(): boolean {
    return this.defaultUser.needsNoPassword;
  }

  private newDefaultUser(requirepass: string): AclUser {
    const u = new AclUser(DEFAULT_USER, this.index, this.defaults);
    for (const r of ['on', 'allkeys', 'allchannels', 'allcommands']) u.apply(r);
    this.applyRequirepass(u, requirepass);
    return u;
  }

  private applyRequirepass(u: AclUser, requirepass: string): void {
    u.apply('resetpass');
    u.apply(requirepass === '' ? 'nopass' : `>${requirepass}`);
  }

  /** CONFIG SET requirepass / start-up: Redis's semantics on the default user. */
  setRequirepass(requirepass: string): void {
    this.applyRequirepass(this.defaultUser, requirepass);
  }

  /**
   * Create or modify a user, all rules or none (as Redis 7). Returns the user, or throws
   * AclRuleError with Redis's message ("Error in ACL SETUSER modifier '...': ...").
   */
  setUser(name: string, rules: readonly string[]): AclUser {
    const existing = this.users.get(name);
    const draft = existing?.clone() ?? new AclUser(name, this.index, this.defaults);
    for (const r of rules) {
      try {
        draft.apply(r);
      } catch (err) {
        if (err instanceof AclRuleError)
          throw new AclRuleError(`Error in ACL SETUSER modifier '${oneLine(r)}': ${err.message}`);
        throw err;
      }
    }
    if (existing === undefined) {
      this.users.set(name, draft);
      return draft;
    }
    // Connected clients hold the user object: modify it in place so the change applies to them.
    existing.copyFrom(draft);
    return existing;
  }

  /** Delete users; `default` cannot be deleted. Returns how many existed. */
  deleteUsers(names: readonly string[]): number {
    let n = 0;
    for (const name of names) if (this.users.delete(name)) n++;
    return n;
  }

  /** The user that `name`/`pass` opens, or null (unknown, disabled or wrong password). */
  authenticate(name: string, pass: Uint8Array): AclUser | null {
    const u = this.users.get(name);
    if (u === undefined || !u.enabled) return null;
    return u.checkPassword(pass) ? u : null;
  }

  /**
   * The permission check (Redis's ACLCheckAllPerm): null when allowed, else what was refused.
   * Write commands need write access to their keys, other commands read access; PUBLISH and the
   * subscribe commands need their channels (see `deniedChannel`).
   */
  check(user: AclUser, entry: TableEntry, argv: readonly Buffer[]): Denial | null {
    if (!user.canRun(entry)) return 'command';
    const spec = entry.spec;
    if (!user.allKeys && (spec.firstKey > 0 || spec.keySpecs !== undefined)) {
      const perm = spec.flags.includes('write') ? KEY_WRITE : KEY_READ;
      for (const i of keyIndexes(spec, argv)) {
        if (!user.canAccessKey(argv[i], perm)) return 'key';
      }
    }
    if (!user.allChannels && spec.channels !== undefined && deniedChannel(user, spec, argv) >= 0)
      return 'channel';
    return null;
  }

  /** Add to the ACL LOG, grouping a repeat of the same refusal (Redis's addACLLogEntry). */
  record(entry: Omit<AclLogEntry, 'count' | 'createdAt' | 'updatedAt'>, now: number): void {
    if (this.logMax <= 0) return;
    const same = this.log.find(
      (e) =>
        e.reason === entry.reason &&
        e.context === entry.context &&
        e.object === entry.object &&
        e.username === entry.username &&
        now - e.updatedAt < LOG_GROUP_MS,
    );
    if (same !== undefined) {
      same.count++;
      same.updatedAt = now;
      same.clientInfo = entry.clientInfo;
      return;
    }
    this.log.unshift({ ...entry, count: 1, createdAt: now, updatedAt: now });
    if (this.log.length > this.logMax) this.log.length = this.logMax;
  }

  /** Every user as ACL LIST prints them, sorted by name. */
  list(): string[] {
    return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((u) => u.describe());
  }

  /**
   * Replace every user except how `default` follows requirepass with the ACL file's content
   * (ACL LOAD; start-up). All or nothing: a bad line leaves the current users untouched.
   */
  loadFile(path: string): void {
    const text = readFileSync(path, 'utf8');
    const fresh = new Map<string, AclUser>();
    const keepDefault = this.defaultUser.clone();
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      try {
        const { name, rules } = parseUserLine(line, true);
        const u = fresh.get(name) ?? new AclUser(name, this.index, this.defaults);
        for (const r of rules) u.apply(r);
        fresh.set(name, u);
      } catch (err) {
        throw new AclRuleError(`${path}:${i + 1}: ${(err as Error).message}`);
      }
    });
    const current = this.users;
    for (const [name, u] of fresh) {
      const old = current.get(name);
      if (old !== undefined) old.copyFrom(u);
      else current.set(name, u);
    }
    for (const name of [...current.keys()]) {
      if (!fresh.has(name) && name !== DEFAULT_USER) current.delete(name);
    }
    if (!fresh.has(DEFAULT_USER)) this.defaultUser.copyFrom(keepDefault);
  }

  /** ACL SAVE: write every user to the ACL file atomically. */
  saveFile(path: string): void {
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, `${this.list().join('\n')}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  }
}

/** The argv index of the first channel `user` may not use, or -1 (none, or no channel arguments). */
export function deniedChannel(user: AclUser, spec: CommandSpec, argv: readonly Buffer[]): number {
  const ch = spec.channels;
  if (ch === undefined || user.allChannels) return -1;
  const last = ch.one ? ch.first : argv.length - 1;
  for (let i = ch.first; i <= last && i < argv.length; i++) {
    if (!user.canAccessChannel(argv[i], ch.pattern)) return i;
  }
  return -1;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, ' ').slice(0, 128);
}
