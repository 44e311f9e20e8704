/**
 * AUTH and HELLO against the server's ACL users (src/security/acl.ts). The `default` user's
 * password is `requirepass`; with none it is `nopass` and any password is accepted, as in Redis.
 * A failed attempt is recorded in the ACL LOG.
 */
import { ErrorReply, Errors } from '../../errors.js';
import { DEFAULT_USER } from '../../security/acl.js';
import type { AclUser } from '../../security/acl-user.js';
import { argIs, parseInt64 } from '../args.js';
import type { ClientState, CommandContext } from '../context.js';
import { bulk, MapReply, OK, type Reply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { clientInfoLine } from './client-info.js';
import { invalidClientName, isValidClientAttr, oneLine, REDIS_COMPAT_VERSION } from './redis-compat.js';

const authWithoutPassword = new ErrorReply(
  'ERR',
  'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
);
const protoNotInteger = new ErrorReply('ERR', 'ERR Protocol version is not an integer or out of range');
const noProto = new ErrorReply('ERR', 'NOPROTO unsupported protocol version');
const helloNoAuth = new ErrorReply(
  'NOAUTH',
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
);

/**
 * Redis's ACLAuthenticateUser: on success the client runs as that user from now on. Passwords
 * are compared as SHA-256 digests, so neither content nor length leaks through timing.
 */
export function login(ctx: CommandContext, user: Buffer, pass: Buffer): boolean {
  const server = ctx.server;
  const name = user.toString('utf8');
  const u = server.acl.authenticate(name, pass);
  const c = ctx.client;
  if (u === null) {
    server.acl.record(
      {
        reason: 'auth',
        context: c.multi !== null ? 'multi' : 'toplevel',
        object: 'AUTH',
        username: name,
        clientInfo: clientInfoLine(c, server.clock.now()),
      },
      server.clock.now(),
    );
    return false;
  }
  runAs(c, u, true);
  return true;
}

/**
 * The client runs as `user` from now on. `loggedIn`: it proved who it is (AUTH); else it is a
 * fresh or RESET connection, authenticated only when the user needs no password. A user without
 * a password proves nothing, so neither opens admin commands over HTTP/gRPC (`credentialed`).
 */
export function runAs(c: ClientState, user: AclUser, loggedIn: boolean): void {
  c.acl = user;
  c.authenticated = loggedIn || user.needsNoPassword;
  c.credentialed = loggedIn && !user.nopass;
}

function auth(ctx: CommandContext, argv: Buffer[]): Reply {
  if (argv.length > 3) return Errors.syntax;
  let user: Buffer;
  let pass: Buffer;
  if (argv.length === 2) {
    // Redis keeps the pre-ACL error for the one-argument form when there is nothing to check.
    if (ctx.server.acl.defaultUserIsOpen()) return authWithoutPassword;
    user = Buffer.from(DEFAULT_USER);
    pass = argv[1];
  } else {
    user = argv[1];
    pass = argv[2];
  }
  return login(ctx, user, pass) ? OK : Errors.wrongPass;
}

/**
 * HELLO [protover [AUTH user pass] [SETNAME name]]. Options act in order, as in Redis 7.0: an
 * AUTH before a bad SETNAME has already authenticated. The reply is rendered in the protocol
 * just switched to, because the door encodes with the client's `resp` after the handler ran.
 */
function hello(ctx: CommandContext, argv: Buffer[]): Reply {
  const c = ctx.client;
  let ver = 0;
  if (argv.length >= 2) {
    const v = parseInt64(argv[1]);
    if (v === null) return protoNotInteger;
    if (v < 2n || v > 3n) return noProto;
    ver = Number(v);
  }
  let name: Buffer | null = null;
  for (let j = 2; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (argIs(argv[j], 'auth') && more >= 2) {
      if (!login(ctx, argv[j + 1], argv[j + 2])) return Errors.wrongPass;
      j += 2;
    } else if (argIs(argv[j], 'setname') && more >= 1) {
      if (!isValidClientAttr(argv[j + 1])) return invalidClientName;
      name = argv[j + 1];
      j++;
    } else {
      return new ErrorReply('ERR', `ERR Syntax error in HELLO option '${oneLine(argv[j].toString('utf8'))}'`);
    }
  }
  if (!c.authenticated) return helloNoAuth;
  if (name !== null) c.name = name.toString('latin1');
  if (ver !== 0) c.resp = ver as 2 | 3;
  return new MapReply([
    [bulk('server'), bulk('redis')],
    [bulk('version'), bulk(REDIS_COMPAT_VERSION)],
    [bulk('proto'), c.resp],
    [bulk('id'), c.id],
    [bulk('mode'), bulk('standalone')],
    [bulk('role'), bulk('master')],
    [bulk('modules'), []],
  ]);
}

const CONN = { group: 'connection' } as const;

export const authCommands: readonly CommandSpec[] = [
  command({
    ...CONN,
    name: 'auth',
    arity: -2,
    flags: ['no-script', 'loading', 'stale', 'fast', 'noauth', 'allow-busy', 'nohttp', 'nogrpc'],
    summary: 'Authenticates the connection.',
    since: '1.0.0',
    complexity: 'O(N) where N is the number of passwords defined for the user',
    syntax: '[username] password',
    handler: auth,
  }),
  command({
    ...CONN,
    name: 'hello',
    arity: -1,
    flags: ['no-script', 'loading', 'stale', 'fast', 'noauth', 'allow-busy', 'nohttp', 'nogrpc'],
    summary: 'Handshakes with the server.',
    since: '6.0.0',
    complexity: 'O(1)',
    syntax: '[protover [AUTH username password] [SETNAME clientname]]',
    handler: hello,
  }),
];
