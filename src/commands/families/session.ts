/**
 * Session commands: PING, ECHO, QUIT, RESET, SELECT. They read or reset the calling client's
 * own state and never touch the keyspace.
 */
import { Errors } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { OK, PONG, type Reply, SimpleReply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { runAs } from './auth.js';
import { parseDbIndexOrReply } from './lookup.js';

const RESET_REPLY = new SimpleReply('RESET');
const PONG_LOWER = Buffer.from('pong');
const EMPTY = Buffer.alloc(0);

function ping(ctx: CommandContext, argv: Buffer[]): Reply {
  // Arity is -1 so the bare form passes the dispatcher; Redis still refuses a second argument.
  if (argv.length > 2) return Errors.wrongArity('ping');
  // A subscribed RESP2 client reads every reply as a message: ["pong", message or ""].
  if (ctx.client.pubsub !== null && ctx.client.resp === 2)
    return [PONG_LOWER, argv.length === 1 ? EMPTY : Buffer.from(argv[1])];
  // Copied: the door may reuse the buffer the argument was parsed from before it writes.
  return argv.length === 1 ? PONG : Buffer.from(argv[1]);
}

function echo(_ctx: CommandContext, argv: Buffer[]): Reply {
  return Buffer.from(argv[1]);
}

/** Replies OK; the door writes it before closing (ClientState.close flushes pending replies). */
function quit(ctx: CommandContext): Reply {
  ctx.client.close();
  return OK;
}

/**
 * Back to a fresh connection's state (Redis's clearClientConnectionState): no transaction, no
 * watched keys, no subscriptions (left silently), db 0, RESP2, replies on, no-evict off, no
 * name, and authenticated only when the default user has no password.
 */
function reset(ctx: CommandContext): Reply {
  const c = ctx.client;
  c.multi = null;
  c.multiError = false;
  ctx.server.watches.unwatchAll(c);
  ctx.server.pubsub.unsubscribeAll(c);
  // Tracking off, out of monitor mode.
  ctx.server.observers.clientReset(c);
  c.db = 0;
  c.resp = 2;
  c.replyMode = 'on';
  c.noEvict = false;
  c.name = '';
  runAs(c, ctx.server.acl.defaultUser, false);
  return RESET_REPLY;
}

function select(ctx: CommandContext, argv: Buffer[]): Reply {
  const id = parseDbIndexOrReply(ctx, argv[1]);
  if (typeof id !== 'number') return id;
  ctx.client.db = id;
  return OK;
}

const CONN = { group: 'connection' } as const;
/** Commands that only make sense on a long-lived connection, not on one HTTP request or gRPC call. */
const CONNECTION_ONLY = ['nohttp', 'nogrpc'] as const;

export const sessionCommands: readonly CommandSpec[] = [
  command({
    ...CONN,
    name: 'ping',
    arity: -1,
    flags: ['fast', 'pubsub-context'],
    summary: "Returns the server's liveliness response.",
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: '[message]',
    handler: ping,
  }),
  command({
    ...CONN,
    name: 'echo',
    arity: 2,
    flags: ['fast'],
    summary: 'Returns the given string.',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'message',
    handler: echo,
  }),
  command({
    ...CONN,
    name: 'quit',
    arity: -1,
    flags: [
      'allow-busy',
      'no-script',
      'loading',
      'stale',
      'fast',
      'noauth',
      'no-queue',
      'pubsub-context',
      ...CONNECTION_ONLY,
    ],
    summary: 'Closes the connection.',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: '',
    handler: quit,
  }),
  command({
    ...CONN,
    name: 'reset',
    arity: 1,
    flags: [
      'no-script',
      'loading',
      'stale',
      'noauth',
      'fast',
      'allow-busy',
      'no-queue',
      'pubsub-context',
      ...CONNECTION_ONLY,
    ],
    summary: 'Resets the connection.',
    since: '6.2.0',
    complexity: 'O(1)',
    syntax: '',
    handler: reset,
  }),
  command({
    ...CONN,
    name: 'select',
    arity: 2,
    flags: ['loading', 'stale', 'fast', ...CONNECTION_ONLY],
    summary: 'Changes the selected database.',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: 'index',
    handler: select,
  }),
];
