/**
 * The pub/sub family (Redis 7.0's pubsub.c): SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE
 * PUBLISH, the sharded SSUBSCRIBE SUNSUBSCRIBE SPUBLISH, and PUBSUB introspection, over the
 * server's hub (../pubsub/hub.ts).
 *
 * Each (un)subscription is confirmed by its own push reply ([verb, name, count]; RESP2 array,
 * RESP3 push), so one command answers with a SequenceReply of several. The count is channels +
 * patterns for SUBSCRIBE/PSUBSCRIBE and their UNSUBSCRIBE, shard channels alone for the S forms.
 * RESP2 subscribed mode (only these commands, PING, QUIT and RESET) is enforced by the
 * dispatcher from the `pubsub-context` flag; channel ACLs by the dispatcher from `channels`.
 */
import { ErrorReply } from '../../errors.js';
import { blockingDenied } from '../blocking.js';
import type { CommandContext } from '../context.js';
import { subscriptionCount } from '../pubsub/hub.js';
import type { SubKind } from '../pubsub/types.js';
import { PushReply, type Reply, SequenceReply } from '../reply.js';
import { type CommandFlag, type CommandSpec, command, type KeySpec } from '../spec.js';
import { helpReply, oneLine } from './redis-compat.js';

const PUBSUB = { group: 'pubsub', categories: ['pubsub'] } as const;
/** Flags of the (un)subscribe commands: they hold a connection open, so RESP only. */
const SUBSCRIBING: CommandFlag[] = [
  'pubsub',
  'no-script',
  'loading',
  'stale',
  'pubsub-context',
  'nohttp',
  'nogrpc',
];
const INTROSPECTION: CommandFlag[] = ['pubsub', 'loading', 'stale'];

const VERBS: Record<SubKind, { on: Buffer; off: Buffer }> = {
  channel: { on: Buffer.from('subscribe'), off: Buffer.from('unsubscribe') },
  pattern: { on: Buffer.from('psubscribe'), off: Buffer.from('punsubscribe') },
  shard: { on: Buffer.from('ssubscribe'), off: Buffer.from('sunsubscribe') },
};

const ssubscribeInExec = new ErrorReply('ERR', "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");

function subscribeCommand(kind: SubKind) {
  const verb = VERBS[kind].on;
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    // Redis refuses SSUBSCRIBE where a reply per command is expected (EXEC); SUBSCRIBE and
    // PSUBSCRIBE stay allowed in a transaction for backward compatibility.
    if (kind === 'shard' && blockingDenied()) return ssubscribeInExec;
    const client = ctx.client;
    const hub = ctx.server.pubsub;
    const replies: Reply[] = [];
    for (let i = 1; i < argv.length; i++) {
      const name = Buffer.from(argv[i]);
      hub.subscribe(client, kind, name);
      replies.push(new PushReply([verb, name, subscriptionCount(client.pubsub, kind)]));
    }
    return new SequenceReply(replies);
  };
}

function unsubscribeCommand(kind: SubKind) {
  const verb = VERBS[kind].off;
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    const client = ctx.client;
    const hub = ctx.server.pubsub;
    const replies: Reply[] = [];
    let names: Buffer[];
    if (argv.length > 1) names = argv.slice(1).map((a) => Buffer.from(a));
    else names = client.pubsub === null ? [] : [...client.pubsub[kind]].map((k) => Buffer.from(k, 'latin1'));
    for (const name of names) {
      hub.unsubscribe(client, kind, name);
      replies.push(new PushReply([verb, name, subscriptionCount(client.pubsub, kind)]));
    }
    // Nothing to leave: still one confirmation, with a null name.
    if (replies.length === 0)
      replies.push(new PushReply([verb, null, subscriptionCount(client.pubsub, kind)]));
    return new SequenceReply(replies);
  };
}

/** Redis's addReplySubcommandSyntaxError: the subcommand as typed, the container upper-cased. */
function subcommandSyntaxError(argv: Buffer[]): ErrorReply {
  return new ErrorReply(
    'ERR',
    `ERR unknown subcommand or wrong number of arguments for '${oneLine(argv[1].toString('utf8').slice(0, 128))}'. Try ${argv[0].toString('latin1').toUpperCase()} HELP.`,
  );
}

function listNames(kind: 'channel' | 'shard') {
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    if (argv.length > 3) return subcommandSyntaxError(argv);
    return ctx.server.pubsub.names(kind, argv.length === 3 ? argv[2] : null);
  };
}

function countSubscribers(kind: 'channel' | 'shard') {
  return (ctx: CommandContext, argv: Buffer[]): Reply => {
    const hub = ctx.server.pubsub;
    const out: Reply[] = [];
    for (let i = 2; i < argv.length; i++) out.push(Buffer.from(argv[i]), hub.subscriberCount(kind, argv[i]));
    return out;
  };
}

const HELP_LINES = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
];

/**
 * Shard channels sit where keys would (Redis routes them by hash slot in a cluster) but are
 * declared `not_key`: COMMAND INFO shows Redis's positions, and ACL key rules never apply.
 */
const SHARD_CHANNELS: readonly KeySpec[] = [
  { begin: { index: 1 }, find: { range: { lastKey: -1, step: 1, limit: 0 } }, flags: ['not_key'] },
];
const SHARD_CHANNEL: readonly KeySpec[] = [
  { begin: { index: 1 }, find: { range: { lastKey: 0, step: 1, limit: 0 } }, flags: ['not_key'] },
];
/** Channel arguments for ACL `&pattern` rules (see CommandSpec.channels). */
const ALL_CHANNELS = { first: 1, one: false, pattern: false } as const;
const ALL_PATTERNS = { first: 1, one: false, pattern: true } as const;
const ONE_CHANNEL = { first: 1, one: true, pattern: false } as const;

function sub(
  name: string,
  arity: number,
  summary: string,
  since: string,
  complexity: string,
  syntax: string,
  handler: CommandSpec['handler'],
): CommandSpec {
  return command({
    ...PUBSUB,
    name,
    arity,
    flags: INTROSPECTION,
    summary,
    since,
    complexity,
    syntax,
    handler,
  });
}

export const pubsubCommands: readonly CommandSpec[] = [
  command({
    ...PUBSUB,
    name: 'subscribe',
    arity: -2,
    flags: SUBSCRIBING,
    summary: 'Listen for messages published to the given channels',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of channels to subscribe to.',
    syntax: 'channel [channel ...]',
    channels: ALL_CHANNELS,
    handler: subscribeCommand('channel'),
  }),
  command({
    ...PUBSUB,
    name: 'unsubscribe',
    arity: -1,
    flags: SUBSCRIBING,
    summary: 'Stop listening for messages posted to the given channels',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of clients already subscribed to a channel.',
    syntax: '[channel [channel ...]]',
    handler: unsubscribeCommand('channel'),
  }),
  command({
    ...PUBSUB,
    name: 'psubscribe',
    arity: -2,
    flags: SUBSCRIBING,
    summary: 'Listen for messages published to channels matching the given patterns',
    since: '2.0.0',
    complexity: 'O(N) where N is the number of patterns the client is already subscribed to.',
    syntax: 'pattern [pattern ...]',
    channels: ALL_PATTERNS,
    handler: subscribeCommand('pattern'),
  }),
  command({
    ...PUBSUB,
    name: 'punsubscribe',
    arity: -1,
    flags: SUBSCRIBING,
    summary: 'Stop listening for messages posted to channels matching the given patterns',
    since: '2.0.0',
    complexity:
      'O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).',
    syntax: '[pattern [pattern ...]]',
    handler: unsubscribeCommand('pattern'),
  }),
  command({
    ...PUBSUB,
    name: 'publish',
    arity: 3,
    flags: ['pubsub', 'loading', 'stale', 'fast'],
    summary: 'Post a message to a channel',
    since: '2.0.0',
    complexity:
      'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).',
    syntax: 'channel message',
    channels: ONE_CHANNEL,
    handler: (ctx, argv) => ctx.server.pubsub.publish(argv[1], argv[2]),
  }),
  command({
    ...PUBSUB,
    name: 'ssubscribe',
    arity: -2,
    flags: SUBSCRIBING,
    firstKey: 1,
    lastKey: -1,
    step: 1,
    keySpecs: SHARD_CHANNELS,
    summary: 'Listen for messages published to the given shard channels',
    since: '7.0.0',
    complexity: 'O(N) where N is the number of shard channels to subscribe to.',
    syntax: 'shardchannel [shardchannel ...]',
    channels: ALL_CHANNELS,
    handler: subscribeCommand('shard'),
  }),
  command({
    ...PUBSUB,
    name: 'sunsubscribe',
    arity: -1,
    flags: SUBSCRIBING,
    firstKey: 1,
    lastKey: -1,
    step: 1,
    keySpecs: SHARD_CHANNELS,
    summary: 'Stop listening for messages posted to the given shard channels',
    since: '7.0.0',
    complexity: 'O(N) where N is the number of clients already subscribed to a shard channel.',
    syntax: '[shardchannel [shardchannel ...]]',
    handler: unsubscribeCommand('shard'),
  }),
  command({
    ...PUBSUB,
    name: 'spublish',
    arity: 3,
    flags: ['pubsub', 'loading', 'stale', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    keySpecs: SHARD_CHANNEL,
    summary: 'Post a message to a shard channel',
    since: '7.0.0',
    complexity: 'O(N) where N is the number of clients subscribed to the receiving shard channel.',
    syntax: 'shardchannel message',
    channels: ONE_CHANNEL,
    handler: (ctx, argv) => ctx.server.pubsub.spublish(argv[1], argv[2]),
  }),
  command({
    group: 'pubsub',
    name: 'pubsub',
    arity: -2,
    summary: 'A container for Pub/Sub commands',
    since: '2.8.0',
    complexity: 'Depends on subcommand.',
    subcommands: [
      sub(
        'channels',
        -2,
        'List active channels',
        '2.8.0',
        'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)',
        '[pattern]',
        listNames('channel'),
      ),
      sub(
        'numsub',
        -2,
        'Get the count of subscribers for channels',
        '2.8.0',
        'O(N) for the NUMSUB subcommand, where N is the number of requested channels',
        '[channel [channel ...]]',
        countSubscribers('channel'),
      ),
      sub('numpat', 2, 'Get the count of unique patterns pattern subscriptions', '2.8.0', 'O(1)', '', (ctx) =>
        ctx.server.pubsub.size('pattern'),
      ),
      sub(
        'shardchannels',
        -2,
        'List active shard channels',
        '7.0.0',
        'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).',
        '[pattern]',
        listNames('shard'),
      ),
      sub(
        'shardnumsub',
        -2,
        'Get the count of subscribers for shard channels',
        '7.0.0',
        'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels',
        '[shardchannel [shardchannel ...]]',
        countSubscribers('shard'),
      ),
      command({
        group: 'pubsub',
        name: 'help',
        arity: 2,
        flags: ['loading', 'stale'],
        summary: 'Show helpful text about the different subcommands',
        since: '6.2.0',
        complexity: 'O(1)',
        syntax: '',
        handler: (_ctx, argv) => helpReply(argv[0], HELP_LINES),
      }),
    ],
  }),
];
