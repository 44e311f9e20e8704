/**
 * Access control from the configuration, at start: the ACL (requirepass, `user` lines or an
 * `aclfile`, `acllog-max-len`) and `rename-command`. Throws a readable error on a bad rule or
 * file, so the server refuses to start rather than run with the wrong users. Run-time changes
 * of `requirepass` and `acllog-max-len` (CONFIG SET) follow.
 */
import type { CommandTable } from '../commands/registry.js';
import { splitConfigLine } from '../config/load.js';
import type { ConfigStore } from '../config/store.js';
import { Acl, parseUserLine } from './acl.js';
import { AclRuleError } from './acl-user.js';

export class SecurityConfigError extends Error {}

function lines(value: string): string[] {
  return value
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export function createAcl(table: CommandTable, config: ConfigStore): Acl {
  // The ACL indexes commands by their original names: build it before any rename.
  const acl = new Acl(table);
  acl.defaults.allChannels = config.get('acl-pubsub-default') === 'allchannels';
  acl.setRequirepass(config.get('requirepass'));
  acl.logMax = config.int('acllog-max-len');
  const userLines = lines(config.get('user'));
  const aclfile = config.get('aclfile');
  if (userLines.length > 0 && aclfile !== '')
    throw new SecurityConfigError(
      'Configuring users with "user" and an ACL file ("aclfile") at the same time is not allowed',
    );
  try {
    for (const line of userLines) {
      const { name, rules } = parseUserLine(line, false);
      acl.setUser(name, rules);
    }
    if (aclfile !== '') acl.loadFile(aclfile);
  } catch (err) {
    if (err instanceof AclRuleError || (err as NodeJS.ErrnoException).code !== undefined)
      throw new SecurityConfigError(`ACL: ${(err as Error).message}`);
    throw err;
  }
  for (const line of lines(config.get('rename-command'))) {
    const words = splitConfigLine(line);
    if (words.length !== 2)
      throw new SecurityConfigError(
        `rename-command needs a command and its new name ('' disables it): ${line}`,
      );
    try {
      table.rename(words[0], words[1]);
    } catch (err) {
      throw new SecurityConfigError((err as Error).message);
    }
  }
  config.onChange((name, value) => {
    if (name === 'requirepass') acl.setRequirepass(value);
    else if (name === 'acl-pubsub-default') acl.defaults.allChannels = value === 'allchannels';
    else if (name === 'acllog-max-len') {
      acl.logMax = Number(value);
      if (acl.log.length > acl.logMax) acl.log.length = acl.logMax;
    }
  });
  return acl;
}
