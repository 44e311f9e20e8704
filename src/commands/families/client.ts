/**
 * CLIENT: the calling connection's identity and reply mode, and the list of every connected
 * client (`server.clients`). Subcommand arities and flags follow Redis 7.2's command table.
 */
import { ErrorReply, Errors } from '../../errors.js';
import { argIs, argLower, parseInt64 } from '../args.js';
import type { ClientState, CommandContext } from '../context.js';
import { NO_REPLY, OK, type Reply, VerbatimReply } from '../reply.js';
import { type CommandFlag, type CommandSpec, command } from '../spec.js';
import { clientInfoLine, clientListText } from './client-info.js';
import { clientKill, parseClientType } from './client-kill.js';
import { clientPauseSubcommands, PAUSE_HELP } from './client-pause.js';
import { clientTrackingSubcommands, TRACKING_HELP_HEAD, TRACKING_HELP_TAIL } from './client-tracking.js';
import { clientUnblock } from './client-unblock.js';
import { helpReply, invalidClientName, isValidClientAttr, oneLine } from './redis-compat.js';

const invalidClientId = new ErrorReply('ERR', 'ERR Invalid client ID');

function clientId(ctx: CommandContext): Reply {
  return ctx.client.id;
}

function clientGetName(ctx: CommandContext): Reply {
  return ctx.client.name === '' ? null : Buffer.from(ctx.client.name, 'latin1');
}

/** An empty name removes the current one. */
function clientSetName(ctx: CommandContext, argv: Buffer[]): Reply {
  if (!isValidClientAttr(argv[2])) return invalidClientName;
  ctx.client.name = argv[2].toString('latin1');
  return OK;
}

function clientInfo(ctx: CommandContext): Reply {
  return new VerbatimReply('txt', `${clientInfoLine(ctx.client, ctx.server.clock.now())}\n`);
}

/** CLIENT LIST [TYPE type] | [ID id [id ...]] */
function clientList(ctx: CommandContext, argv: Buffer[]): Reply {
  const now = ctx.server.clock.now();
  const clients = ctx.server.clients;
  if (argv.length === 2) return new VerbatimReply('txt', clientListText(clients.list(), now));
  if (argv.length === 4 && argIs(argv[2], 'type')) {
    const t = parseClientType(argv[3]);
    if (t instanceof ErrorReply) return t;
    return new VerbatimReply('txt', clientListText([...clients.list()].filter(t), now));
  }
  if (argv.length > 3 && argIs(argv[2], 'id')) {
    const picked: ClientState[] = [];
    for (let i = 3; i < argv.length; i++) {
      const id = parseInt64(argv[i]);
      if (id === null) return invalidClientId;
      const c = id > 0n && id <= BigInt(Number.MAX_SAFE_INTEGER) ? clients.get(Number(id)) : undefined;
      if (c !== undefined) picked.push(c);
    }
    return new VerbatimReply('txt', clientListText(picked, now));
  }
  return Errors.syntax;
}

/**
 * CLIENT REPLY ON|OFF|SKIP. OFF and SKIP answer nothing. `skip` tells the door to drop the reply
 * of the next command and then return to `on`; SKIP while OFF changes nothing, as in Redis.
 */
function clientReply(ctx: CommandContext, argv: Buffer[]): Reply {
  const c = ctx.client;
  const mode = argv[2];
  if (argIs(mode, 'on')) {
    c.replyMode = 'on';
    return OK;
  }
  if (argIs(mode, 'off')) {
    c.replyMode = 'off';
    return NO_REPLY;
  }
  if (argIs(mode, 'skip')) {
    if (c.replyMode !== 'off') c.replyMode = 'skip';
    return NO_REPLY;
  }
  return Errors.syntax;
}

function clientNoEvict(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argIs(argv[2], 'on')) ctx.client.noEvict = true;
  else if (argIs(argv[2], 'off')) ctx.client.noEvict = false;
  else return Errors.syntax;
  return OK;
}

/** CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2); an empty value clears the attribute. */
function clientSetInfo(ctx: CommandContext, argv: Buffer[]): Reply {
  const attr = argLower(argv[2]);
  const typed = oneLine(argv[2].toString('utf8'));
  if (attr !== 'lib-name' && attr !== 'lib-ver') {
    return new ErrorReply('ERR', `ERR Unrecognized option '${typed}'`);
  }
  if (!isValidClientAttr(argv[3])) {
    return new ErrorReply('ERR', `ERR ${typed} cannot contain spaces, newlines or special characters.`);
  }
  const value = argv[3].toString('latin1');
  if (attr === 'lib-name') ctx.client.libName = value;
  else ctx.client.libVer = value;
  return OK;
}

const HELP_LINES = [
  ...TRACKING_HELP_HEAD,
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  '    * ID <client-id>',
  '      Kill connections by client id.',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  '    * ID <client-id> [<client-id> ...]',
  '      Return clients with the given ids.',
  ...PAUSE_HELP,
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'SETINFO <option> <value>',
  '    Set client meta attr. Options are:',
  '    * LIB-NAME: the client lib name.',
  '    * LIB-VER: the client lib version.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  ...TRACKING_HELP_TAIL,
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
];

function clientHelp(_ctx: CommandContext, argv: Buffer[]): Reply {
  return helpReply(argv[0], HELP_LINES);
}

const SUB = { group: 'connection' } as const;
/** Redis's flags for CLIENT subcommands that only concern the caller. */
const SELF: CommandFlag[] = ['no-script', 'loading', 'stale'];
/** ... that change the caller's session: pointless on an HTTP request or gRPC call, which is its own session. */
const SESSION: CommandFlag[] = [...SELF, 'nohttp', 'nogrpc'];
/** ... and for those that see or change other clients. */
const ADMIN: CommandFlag[] = ['admin', 'no-script', 'loading', 'stale'];

export const clientCommand: CommandSpec = command({
  ...SUB,
  name: 'client',
  arity: -2,
  flags: [],
  summary: 'A container for client connection commands.',
  since: '2.4.0',
  complexity: 'Depends on subcommand.',
  subcommands: [
    command({
      ...SUB,
      name: 'id',
      arity: 2,
      flags: SELF,
      summary: 'Returns the unique client ID of the connection.',
      since: '5.0.0',
      complexity: 'O(1)',
      syntax: '',
      handler: clientId,
    }),
    command({
      ...SUB,
      name: 'getname',
      arity: 2,
      flags: SELF,
      summary: 'Returns the name of the connection.',
      since: '2.6.9',
      complexity: 'O(1)',
      syntax: '',
      handler: clientGetName,
    }),
    command({
      ...SUB,
      name: 'setname',
      arity: 3,
      flags: SESSION,
      summary: 'Sets the connection name.',
      since: '2.6.9',
      complexity: 'O(1)',
      syntax: 'connection-name',
      handler: clientSetName,
    }),
    command({
      ...SUB,
      name: 'setinfo',
      arity: 4,
      flags: SESSION,
      summary: 'Sets information specific to the client or connection.',
      since: '7.2.0',
      complexity: 'O(1)',
      syntax: '<LIB-NAME libname | LIB-VER libver>',
      handler: clientSetInfo,
    }),
    command({
      ...SUB,
      name: 'info',
      arity: 2,
      flags: SELF,
      summary: 'Returns information about the connection.',
      since: '6.2.0',
      complexity: 'O(1)',
      syntax: '',
      handler: clientInfo,
    }),
    command({
      ...SUB,
      name: 'list',
      arity: -2,
      flags: ADMIN,
      summary: 'Lists open connections.',
      since: '2.4.0',
      complexity: 'O(N) where N is the number of client connections',
      syntax: '[TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]',
      handler: clientList,
    }),
    command({
      ...SUB,
      name: 'kill',
      arity: -3,
      flags: ADMIN,
      summary: 'Terminates open connections.',
      since: '2.4.0',
      complexity: 'O(N) where N is the number of client connections',
      syntax:
        '<ip:port | [ID client-id] [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME <YES | NO>]>',
      handler: clientKill,
    }),
    command({
      ...SUB,
      name: 'reply',
      arity: 3,
      flags: SESSION,
      summary: 'Instructs the server whether to reply to commands.',
      since: '3.2.0',
      complexity: 'O(1)',
      syntax: '<ON | OFF | SKIP>',
      handler: clientReply,
    }),
    command({
      ...SUB,
      name: 'unblock',
      arity: -3,
      flags: ADMIN,
      summary: 'Unblock a client blocked in a blocking command from a different connection',
      since: '5.0.0',
      complexity: 'O(log N) where N is the number of client connections',
      syntax: 'client-id [TIMEOUT | ERROR]',
      handler: clientUnblock,
    }),
    command({
      ...SUB,
      name: 'no-evict',
      arity: 3,
      flags: [...ADMIN, 'nohttp', 'nogrpc'],
      summary: 'Sets the client eviction mode of the connection.',
      since: '7.0.0',
      complexity: 'O(1)',
      syntax: '<ON | OFF>',
      handler: clientNoEvict,
    }),
    command({
      ...SUB,
      name: 'help',
      arity: 2,
      flags: ['loading', 'stale'],
      summary: 'Returns helpful text about the different subcommands.',
      since: '5.0.0',
      complexity: 'O(1)',
      syntax: '',
      handler: clientHelp,
    }),
    ...clientTrackingSubcommands,
    ...clientPauseSubcommands,
  ],
});
