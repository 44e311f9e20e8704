/**
 * ACL CAT / DELUSER / DRYRUN / GENPASS / GETUSER / LIST / LOAD / LOG / SAVE / SETUSER / USERS /
 * WHOAMI / HELP over the server's Acl (src/security/acl.ts), worded as Redis 7.0's acl.c.
 */
import { randomBytes } from 'node:crypto';
import { ErrorReply } from '../../errors.js';
import { DEFAULT_USER, deniedChannel } from '../../security/acl.js';
import { ACL_CATEGORIES, AclRuleError } from '../../security/acl-user.js';
import { argIs, parseInt64 } from '../args.js';
import type { CommandContext } from '../context.js';
import { dropSubscribersWithoutPermission } from '../pubsub/permissions.js';
import type { TableEntry } from '../registry.js';
import { bulk, DoubleReply, MapReply, OK, type Reply, SetReply } from '../reply.js';
import { type CommandFlag, type CommandSpec, command } from '../spec.js';
import { helpReply, oneLine } from './redis-compat.js';

const SRV = { group: 'server' } as const;
const ADMIN: CommandFlag[] = ['admin', 'no-script', 'loading', 'stale'];
const OPEN: CommandFlag[] = ['no-script', 'loading', 'stale'];

const noAclFile = new ErrorReply(
  'ERR',
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.',
);

function str(b: Buffer): string {
  return b.toString('utf8');
}

function setUser(ctx: CommandContext, argv: Buffer[]): Reply {
  const name = str(argv[2]);
  try {
    const user = ctx.server.acl.setUser(name, argv.slice(3).map(str));
    // Redis 7.0: subscribers of this user that lost a channel they hold are disconnected.
    dropSubscribersWithoutPermission(ctx.server.pubsub, user);
  } catch (err) {
    if (err instanceof AclRuleError) return new ErrorReply('ERR', `ERR ${err.message}`);
    throw err;
  }
  return OK;
}

/** Clients logged in as a user that no longer exists are disconnected, as Redis does. */
function dropOrphans(ctx: CommandContext): void {
  const users = ctx.server.acl.users;
  for (const c of ctx.server.clients.list()) {
    if (users.get(c.user) !== c.acl) c.close();
  }
}

function delUser(ctx: CommandContext, argv: Buffer[]): Reply {
  const names = argv.slice(2).map(str);
  if (names.includes(DEFAULT_USER)) return new ErrorReply('ERR', "ERR The 'default' user cannot be removed");
  const n = ctx.server.acl.deleteUsers(names);
  if (n > 0) dropOrphans(ctx);
  return n;
}

function getUser(ctx: CommandContext, argv: Buffer[]): Reply {
  const u = ctx.server.acl.users.get(str(argv[2]));
  if (u === undefined) return null;
  const flags: Reply[] = [bulk(u.enabled ? 'on' : 'off')];
  if (u.nopass) flags.push(bulk('nopass'));
  if (u.sanitizePayload !== null)
    flags.push(bulk(u.sanitizePayload ? 'sanitize-payload' : 'skip-sanitize-payload'));
  return new MapReply([
    [bulk('flags'), new SetReply(flags)],
    [bulk('passwords'), [...u.passwords].map(bulk)],
    [bulk('commands'), bulk(u.commandRules.join(' '))],
    [bulk('keys'), bulk(u.describeKeys())],
    [bulk('channels'), bulk(u.channelRules())],
    [bulk('selectors'), []],
  ]);
}

function cat(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length === 2) return ACL_CATEGORIES.map(bulk);
  const name = str(argv[2]).toLowerCase();
  const entries = ctx.server.acl.index.category(name);
  if (entries === undefined) return new ErrorReply('ERR', `ERR Unknown category '${oneLine(str(argv[2]))}'`);
  return entries.map((e) => bulk(e.fullName));
}

function genPass(_ctx: CommandContext, argv: Buffer[]): Reply {
  let bits = 256;
  if (argv.length === 3) {
    const v = parseInt64(argv[2]);
    if (v === null || v <= 0n || v > 4096n)
      return new ErrorReply(
        'ERR',
        'ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096',
      );
    bits = Number(v);
  }
  const chars = Math.ceil(bits / 4);
  return bulk(
    randomBytes(Math.ceil(chars / 2))
      .toString('hex')
      .slice(0, chars),
  );
}

function dryRun(ctx: CommandContext, argv: Buffer[]): Reply {
  const acl = ctx.server.acl;
  const name = str(argv[2]);
  const user = acl.users.get(name);
  if (user === undefined) return new ErrorReply('ERR', `ERR User '${oneLine(name)}' not found`);
  const target = argv.slice(3);
  const top = ctx.server.table.entries.get(str(target[0]).toLowerCase());
  if (top === undefined) return new ErrorReply('ERR', `ERR Command '${oneLine(str(target[0]))}' not found`);
  let entry: TableEntry = top;
  if (top.subs !== null && target.length >= 2) entry = top.subs.get(str(target[1]).toLowerCase()) ?? top;
  const arity = entry.spec.arity;
  if ((arity > 0 && target.length !== arity) || target.length < -arity)
    return new ErrorReply('ERR', `ERR wrong number of arguments for '${entry.fullName}' command`);
  const denied = acl.check(user, entry, target);
  if (denied === null) return OK;
  if (denied === 'channel') {
    const i = deniedChannel(user, entry.spec, target);
    return bulk(`This user has no permissions to access the '${oneLine(str(target[i]))}' channel`);
  }
  return bulk(
    denied === 'command'
      ? `This user has no permissions to run the '${entry.fullName}' command`
      : `This user has no permissions to access the '${oneLine(str(target[1] ?? Buffer.alloc(0)))}' key`,
  );
}

function log(ctx: CommandContext, argv: Buffer[]): Reply {
  const acl = ctx.server.acl;
  let count = acl.log.length;
  if (argv.length === 3) {
    if (argIs(argv[2], 'reset')) {
      acl.log.length = 0;
      return OK;
    }
    const v = parseInt64(argv[2]);
    if (v === null || v < 0n) return new ErrorReply('ERR', 'ERR value is out of range, must be positive');
    count = Math.min(count, Number(v));
  } else if (argv.length > 3) {
    return new ErrorReply('ERR', 'ERR syntax error');
  }
  const now = ctx.server.clock.now();
  return acl.log.slice(0, count).map(
    (e) =>
      new MapReply([
        [bulk('count'), e.count],
        [bulk('reason'), bulk(e.reason)],
        [bulk('context'), bulk(e.context)],
        [bulk('object'), bulk(e.object)],
        [bulk('username'), bulk(e.username)],
        [bulk('age-seconds'), new DoubleReply((now - e.createdAt) / 1000)],
        [bulk('client-info'), bulk(e.clientInfo)],
      ]),
  );
}

function load(ctx: CommandContext): Reply {
  const file = ctx.server.config.get('aclfile');
  if (file === '') return noAclFile;
  try {
    ctx.server.acl.loadFile(file);
  } catch (err) {
    return new ErrorReply('ERR', `ERR ${oneLine((err as Error).message)}`);
  }
  dropOrphans(ctx);
  return OK;
}

function save(ctx: CommandContext): Reply {
  const file = ctx.server.config.get('aclfile');
  if (file === '') return noAclFile;
  try {
    ctx.server.acl.saveFile(file);
  } catch (err) {
    return new ErrorReply(
      'ERR',
      `ERR There was an error trying to save the ACLs. Please check the server logs for more information: ${oneLine((err as Error).message)}`,
    );
  }
  return OK;
}

const HELP_LINES = [
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
];

function sub(
  name: string,
  arity: number,
  flags: CommandFlag[],
  summary: string,
  syntax: string,
  handler: CommandSpec['handler'],
  since = '6.0.0',
): CommandSpec {
  return command({ ...SRV, name, arity, flags, summary, since, complexity: 'O(1)', syntax, handler });
}

export const aclCommand: CommandSpec = command({
  ...SRV,
  name: 'acl',
  arity: -2,
  summary: 'A container for Access List Control commands.',
  since: '6.0.0',
  complexity: 'Depends on subcommand.',
  subcommands: [
    sub('cat', -2, OPEN, 'Lists the ACL categories, or the commands inside a category.', '[category]', cat),
    sub(
      'deluser',
      -3,
      ADMIN,
      'Deletes ACL users, and terminates their connections.',
      'username [username ...]',
      delUser,
    ),
    sub(
      'dryrun',
      -4,
      ADMIN,
      'Simulates the execution of a command by a user, without executing the command.',
      'username command [arg [arg ...]]',
      dryRun,
      '7.0.0',
    ),
    sub(
      'genpass',
      -2,
      OPEN,
      'Generates a pseudorandom, secure password that can be used to identify ACL users.',
      '[bits]',
      genPass,
    ),
    sub('getuser', 3, ADMIN, 'Lists the ACL rules of a user.', 'username', getUser),
    sub('list', 2, ADMIN, 'Dumps the effective rules in ACL file format.', '', (ctx) =>
      ctx.server.acl.list().map(bulk),
    ),
    sub('load', 2, ADMIN, 'Reloads the rules from the configured ACL file.', '', load),
    sub(
      'log',
      -2,
      ADMIN,
      'Lists recent security events generated due to commands rejected by ACL rules.',
      '[count | RESET]',
      log,
    ),
    sub('save', 2, ADMIN, 'Saves the effective ACL rules in the configured ACL file.', '', save),
    sub(
      'setuser',
      -3,
      ADMIN,
      'Creates and modifies an ACL user and its rules.',
      'username [rule [rule ...]]',
      setUser,
    ),
    sub('users', 2, ADMIN, 'Lists all ACL users.', '', (ctx) =>
      [...ctx.server.acl.users.keys()].sort().map(bulk),
    ),
    sub('whoami', 2, OPEN, 'Returns the authenticated username of the current connection.', '', (ctx) =>
      bulk(ctx.client.user),
    ),
    sub(
      'help',
      2,
      ['loading', 'stale'],
      'Returns helpful text about the different subcommands.',
      '',
      (_ctx, argv) => helpReply(argv[0], HELP_LINES),
      '6.0.0',
    ),
  ],
});
