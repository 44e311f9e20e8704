/**
 * One ACL user and Redis's rule language (ACL SETUSER, `user` lines of a config or ACL file):
 * on/off, >pass <pass #hash !hash nopass resetpass, ~pattern %R~ %W~ %RW~ allkeys resetkeys,
 * &channel allchannels resetchannels, +cmd -cmd +cmd|sub +@category -@category allcommands
 * nocommands, reset. Command permissions are a byte per command-table entry, so the check on
 * the hot path is an array read; a user with every command and every key is `unrestricted` and
 * costs the dispatcher one property read.
 */
import { createHash } from 'node:crypto';
import type { TableEntry } from '../commands/registry.js';
import { globMatch } from '../util/glob.js';

export { ACL_CATEGORIES } from '../commands/families/command-docs.js';

export const KEY_READ = 1;
export const KEY_WRITE = 2;

export interface KeyPattern {
  readonly pattern: Buffer;
  /** KEY_READ | KEY_WRITE */
  readonly perm: number;
  /** As written in ACL LIST: `~p`, `%R~p`, `%W~p`. */
  readonly text: string;
}

/** A rule that cannot be applied; the message is Redis's wording after the modifier. */
export class AclRuleError extends Error {}

/**
 * Server-wide defaults for new users, shared by reference so a change (CONFIG SET
 * acl-pubsub-default) applies to users created or `reset` afterwards, as in Redis 7.0.
 */
export interface AclDefaults {
  /** acl-pubsub-default allchannels (Redis 7.0's default is resetchannels). */
  allChannels: boolean;
}

const ALL_KEYS_ADDED = new AclRuleError(
  "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
);
const ALL_CHANNELS_ADDED = new AclRuleError(
  "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
);

export function hashPassword(pass: Uint8Array): string {
  return createHash('sha256').update(pass).digest('hex');
}

/** Looks up commands and categories in the server's command table. */
export interface CommandIndex {
  /** Number of entries (commands and subcommands); entry ids are 0..size-1. */
  readonly size: number;
  /** A command by its original name (rename-command does not change ACL rules). */
  command(name: string): TableEntry | undefined;
  /** Entries of a category (by name without @), or undefined for an unknown category. */
  category(name: string): readonly TableEntry[] | undefined;
}

export class AclUser {
  enabled = false;
  nopass = false;
  /** Redis's sanitize-payload flag: kept and shown; Cairn has no RESTORE payloads to check. */
  sanitizePayload: boolean | null = null;
  /** SHA-256 hex digests. */
  readonly passwords = new Set<string>();
  keys: KeyPattern[] = [];
  allKeys = false;
  /** Channel patterns (`&pattern` rules without the `&`), and their bytes for matching. */
  channels: string[] = [];
  channelBytes: Buffer[] = [];
  allChannels = false;
  /** Allowed entries by id (1 = allowed). */
  allowed: Uint8Array;
  /** The command rules as applied, for ACL LIST / GETUSER (`-@all` or `+@all` first). */
  commandRules: string[] = ['-@all'];
  /** Every command, every key (read and write) and every channel: the dispatcher skips the checks. */
  unrestricted = false;

  constructor(
    readonly name: string,
    private readonly index: CommandIndex,
    private readonly defaults: AclDefaults = { allChannels: false },
  ) {
    this.allowed = new Uint8Array(index.size);
    this.allChannels = defaults.allChannels;
  }

  clone(): AclUser {
    const u = new AclUser(this.name, this.index, this.defaults);
    u.copyFrom(this);
    return u;
  }

  /** Take every setting of `other` (SETUSER commits a modified copy this way). */
  copyFrom(other: AclUser): void {
    this.enabled = other.enabled;
    this.nopass = other.nopass;
    this.sanitizePayload = other.sanitizePayload;
    this.passwords.clear();
    for (const p of other.passwords) this.passwords.add(p);
    this.keys = [...other.keys];
    this.allKeys = other.allKeys;
    this.channels = [...other.channels];
    this.channelBytes = [...other.channelBytes];
    this.allChannels = other.allChannels;
    this.allowed = other.allowed.slice();
    this.commandRules = [...other.commandRules];
    this.unrestricted = other.unrestricted;
  }

  /** Enabled and `nopass`: a new connection running as this user needs no AUTH. */
  get needsNoPassword(): boolean {
    return this.enabled && this.nopass;
  }

  /** True when the password opens this user (constant time per stored digest). */
  checkPassword(pass: Uint8Array): boolean {
    if (this.nopass) return true;
    const h = hashPassword(pass);
    let ok = false;
    for (const p of this.passwords) if (p === h) ok = true;
    return ok;
  }

  /** Apply one rule; throws AclRuleError with Redis's reason. */
  apply(rule: string): void {
    const lower = rule.toLowerCase();
    switch (lower) {
      case 'on':
        this.enabled = true;
        this.recompute();
        return;
      case 'off':
        this.enabled = false;
        this.recompute();
        return;
      case 'nopass':
        this.nopass = true;
        this.passwords.clear();
        return;
      case 'resetpass':
        this.nopass = false;
        this.passwords.clear();
        return;
      case 'allkeys':
        this.allKeys = true;
        this.keys = [];
        this.recompute();
        return;
      case 'resetkeys':
        this.allKeys = false;
        this.keys = [];
        this.recompute();
        return;
      case 'allchannels':
        this.setAllChannels(true);
        return;
      case 'resetchannels':
        this.setAllChannels(false);
        return;
      case 'allcommands':
        this.setAll(true);
        return;
      case 'nocommands':
        this.setAll(false);
        return;
      case 'reset':
        for (const r of ['resetpass', 'resetkeys', 'resetchannels', 'off', 'nocommands']) this.apply(r);
        if (this.defaults.allChannels) this.setAllChannels(true);
        this.sanitizePayload = true;
        return;
      case 'sanitize-payload':
        this.sanitizePayload = true;
        return;
      case 'skip-sanitize-payload':
        this.sanitizePayload = false;
        return;
      case 'clearselectors':
        return;
    }
    const c = rule[0];
    if (c === '>' || c === '<') {
      const h = hashPassword(Buffer.from(rule.slice(1), 'utf8'));
      if (c === '>') {
        this.passwords.add(h);
        this.nopass = false;
      } else if (!this.passwords.delete(h)) {
        throw new AclRuleError('no such password');
      }
      return;
    }
    if (c === '#' || c === '!') {
      const h = rule.slice(1).toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(h))
        throw new AclRuleError(
          'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
        );
      if (c === '#') {
        this.passwords.add(h);
        this.nopass = false;
      } else if (!this.passwords.delete(h)) {
        throw new AclRuleError('no such password');
      }
      return;
    }
    if (c === '~' || c === '%') {
      this.addKeyPattern(rule);
      return;
    }
    if (c === '&') {
      this.addChannelPattern(rule.slice(1));
      return;
    }
    if (c === '+' || c === '-') {
      this.commandRule(rule, c === '+');
      return;
    }
    if (c === '(') throw new AclRuleError('Selectors are not supported by Cairn');
    throw new AclRuleError('Syntax error');
  }

  private addKeyPattern(rule: string): void {
    let perm = KEY_READ | KEY_WRITE;
    let pattern = rule.slice(1);
    if (rule[0] === '%') {
      const tilde = rule.indexOf('~');
      if (tilde < 2) throw new AclRuleError('Syntax error');
      perm = 0;
      for (const f of rule.slice(1, tilde).toUpperCase()) {
        if (f === 'R') perm |= KEY_READ;
        else if (f === 'W') perm |= KEY_WRITE;
        else throw new AclRuleError('Syntax error');
      }
      pattern = rule.slice(tilde + 1);
    }
    if (perm === (KEY_READ | KEY_WRITE) && pattern === '*') {
      this.allKeys = true;
      this.keys = [];
      this.recompute();
      return;
    }
    if (this.allKeys) throw ALL_KEYS_ADDED;
    const text =
      perm === (KEY_READ | KEY_WRITE) ? `~${pattern}` : `%${perm === KEY_READ ? 'R' : 'W'}~${pattern}`;
    this.keys.push({ pattern: Buffer.from(pattern, 'utf8'), perm, text });
    this.recompute();
  }

  private setAllChannels(on: boolean): void {
    this.allChannels = on;
    this.channels = [];
    this.channelBytes = [];
    this.recompute();
  }

  private addChannelPattern(pattern: string): void {
    if (pattern === '*') {
      this.setAllChannels(true);
      return;
    }
    if (this.allChannels) throw ALL_CHANNELS_ADDED;
    if (/[ \t\n\v\f\r]/.test(pattern)) throw new AclRuleError('Syntax error');
    if (this.channels.includes(pattern)) return;
    this.channels.push(pattern);
    this.channelBytes.push(Buffer.from(pattern, 'utf8'));
  }

  private setAll(on: boolean): void {
    this.allowed.fill(on ? 1 : 0);
    this.commandRules = [on ? '+@all' : '-@all'];
    this.recompute();
  }

  private commandRule(rule: string, allow: boolean): void {
    const name = rule.slice(1).toLowerCase();
    const v = allow ? 1 : 0;
    if (name.startsWith('@')) {
      const cat = name.slice(1);
      if (cat === 'all') {
        this.setAll(allow);
        return;
      }
      const entries = this.index.category(cat);
      if (entries === undefined) throw new AclRuleError('Unknown command or category name in ACL');
      for (const e of entries) this.allowed[e.id] = v;
    } else {
      const bar = name.indexOf('|');
      const top = this.index.command(bar < 0 ? name : name.slice(0, bar));
      if (top === undefined) throw new AclRuleError('Unknown command or category name in ACL');
      if (bar < 0) {
        this.allowed[top.id] = v;
        if (top.subs !== null) for (const s of top.subs.values()) this.allowed[s.id] = v;
      } else {
        const sub = top.subs?.get(name.slice(bar + 1));
        if (sub === undefined) throw new AclRuleError('Unknown command or category name in ACL');
        if (!allow && top.subs !== null)
          throw new AclRuleError('Allowing first-arg of a subcommand is not supported');
        this.allowed[sub.id] = v;
      }
    }
    this.commandRules.push(`${allow ? '+' : '-'}${name}`);
    this.recompute();
  }

  private recompute(): void {
    this.unrestricted = this.allKeys && this.allChannels && this.allowed.every((b) => b === 1);
  }

  /** May this user run `entry` (a command or a subcommand)? */
  canRun(entry: TableEntry): boolean {
    return this.allowed[entry.id] === 1;
  }

  /** May this user touch `key` with `perm` (KEY_READ / KEY_WRITE)? */
  canAccessKey(key: Uint8Array, perm: number): boolean {
    if (this.allKeys) return true;
    for (const k of this.keys) {
      if ((k.perm & perm) === perm && globMatch(k.pattern, key)) return true;
    }
    return false;
  }

  /**
   * May this user use `channel` (Redis's ACLCheckChannelAgainstList)? A channel matches the
   * rules as globs; a pattern (PSUBSCRIBE, `isPattern`) only when a rule is the same text, so a
   * user allowed `news.*` may subscribe to the pattern `news.*` but not to `*`.
   */
  canAccessChannel(channel: Uint8Array, isPattern: boolean): boolean {
    if (this.allChannels) return true;
    for (const p of this.channelBytes) {
      if (isPattern ? Buffer.compare(p, channel) === 0 : globMatch(p, channel)) return true;
    }
    return false;
  }

  /** Redis's one-line description: `user alice on #... ~cache:* resetchannels -@all +@read`. */
  describe(): string {
    return `user ${this.name} ${this.describeRules()}`;
  }

  describeRules(): string {
    const parts: string[] = [this.enabled ? 'on' : 'off'];
    if (this.nopass) parts.push('nopass');
    if (this.sanitizePayload !== null)
      parts.push(this.sanitizePayload ? 'sanitize-payload' : 'skip-sanitize-payload');
    for (const p of this.passwords) parts.push(`#${p}`);
    parts.push(this.describeKeys());
    parts.push(this.describeChannels());
    parts.push(this.commandRules.join(' '));
    return parts.filter((p) => p !== '').join(' ');
  }

  describeKeys(): string {
    return this.allKeys ? '~*' : this.keys.map((k) => k.text).join(' ');
  }

  /** ACL LIST's form: `&*`, or `resetchannels` followed by each `&pattern`. */
  describeChannels(): string {
    return this.allChannels ? '&*' : ['resetchannels', ...this.channels.map((c) => `&${c}`)].join(' ');
  }

  /** ACL GETUSER's `channels` field: `&*`, or the `&pattern` rules ('' for none). */
  channelRules(): string {
    return this.allChannels ? '&*' : this.channels.map((c) => `&${c}`).join(' ');
  }
}
