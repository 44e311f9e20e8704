import { describe, expect, it } from 'vitest';
import { createCommandTable } from '../commands/index.js';
import { Acl } from './acl.js';
import { AclRuleError, hashPassword, KEY_READ, KEY_WRITE } from './acl-user.js';

const table = createCommandTable();
const entry = (name: string) => {
  const [top, sub] = name.split('|');
  const e = table.entries.get(top)!;
  return sub === undefined ? e : e.subs!.get(sub)!;
};
const argv = (...a: string[]) => a.map((s) => Buffer.from(s));

describe('Acl', () => {
  it('starts with an open default user that follows requirepass', () => {
    const acl = new Acl(table);
    expect(acl.defaultUserIsOpen()).toBe(true);
    expect(acl.defaultUser.unrestricted).toBe(true);
    expect(acl.authenticate('default', Buffer.from('anything'))).toBe(acl.defaultUser);
    acl.setRequirepass('pw');
    expect(acl.defaultUserIsOpen()).toBe(false);
    expect(acl.authenticate('default', Buffer.from('anything'))).toBeNull();
    expect(acl.authenticate('default', Buffer.from('pw'))).toBe(acl.defaultUser);
    expect(acl.list()).toEqual([`user default on #${hashPassword(Buffer.from('pw'))} ~* &* +@all`]);
  });

  it('checks commands, subcommands and key patterns with read/write permissions', () => {
    const acl = new Acl(table);
    const u = acl.setUser('u', ['on', 'nopass', '+@read', '+set', '+client|id', '%R~r:*', '%W~w:*', '~rw:*']);
    expect(u.unrestricted).toBe(false);
    expect(acl.check(u, entry('get'), argv('get', 'r:1'))).toBeNull();
    expect(acl.check(u, entry('get'), argv('get', 'w:1'))).toBe('key');
    expect(acl.check(u, entry('set'), argv('set', 'w:1', 'v'))).toBeNull();
    expect(acl.check(u, entry('set'), argv('set', 'r:1', 'v'))).toBe('key');
    expect(acl.check(u, entry('mget'), argv('mget', 'rw:a', 'r:b', 'x'))).toBe('key');
    expect(acl.check(u, entry('del'), argv('del', 'rw:a'))).toBe('command');
    expect(acl.check(u, entry('client|id'), argv('client', 'id'))).toBeNull();
    expect(acl.check(u, entry('client|list'), argv('client', 'list'))).toBe('command');
    expect(u.canAccessKey(Buffer.from('rw:x'), KEY_READ | KEY_WRITE)).toBe(true);
  });

  it('applies a SETUSER completely or not at all, in place for existing users', () => {
    const acl = new Acl(table);
    const u = acl.setUser('u', ['on', '>a', '+get', '~*']);
    expect(() => acl.setUser('u', ['-get', '+nosuch'])).toThrow(AclRuleError);
    expect(u.canRun(entry('get'))).toBe(true);
    expect(acl.setUser('u', ['-get'])).toBe(u);
    expect(u.canRun(entry('get'))).toBe(false);
    expect(() => acl.setUser('v', ['#abc'])).toThrow(/64 characters/);
    expect(() => acl.setUser('v', ['(~x +get)'])).toThrow(/Selectors/);
    expect(acl.users.has('v')).toBe(false);
    acl.setUser('u', ['<a']);
    expect(acl.authenticate('u', Buffer.from('a'))).toBeNull();
    expect(() => acl.setUser('u', ['<a'])).toThrow(/no such password/);
  });

  it('groups repeated refusals in the log and bounds it', () => {
    const acl = new Acl(table);
    acl.logMax = 2;
    const base = { context: 'toplevel' as const, username: 'u', clientInfo: '' };
    acl.record({ ...base, reason: 'command', object: 'get' }, 0);
    acl.record({ ...base, reason: 'command', object: 'get' }, 10);
    expect(acl.log).toHaveLength(1);
    expect(acl.log[0].count).toBe(2);
    acl.record({ ...base, reason: 'key', object: 'a' }, 20);
    acl.record({ ...base, reason: 'key', object: 'b' }, 30);
    expect(acl.log.map((e) => e.object)).toEqual(['b', 'a']);
  });
});
